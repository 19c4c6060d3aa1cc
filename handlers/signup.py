"""Signing up from the event card (PRODUCT §4): the first time the name to register under and
consent to the privacy notice, after that one tap; the answers for confirmed, waitlisted and
every reason sign-up is closed; and the message for someone moved up from the waitlist.

Only the typed name needs conversation state (a ``ConversationHandler`` keyed per chat and
user). Every button carries the event id and re-reads the current state, so the buttons of
this dialogue keep working after a restart and a forged or stale press changes nothing.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.i18n import Translator
from bot.render import Renderer
from domain.evening import is_upcoming
from domain.models import Event, Registration, RegistrationStatus
from domain.names import has_visible_character
from domain.standing import Offer, Refusal, may_sign_up, offers
from handlers import editing
from handlers.browsing import card_content, is_group, renderer
from handlers.dialogues import leavable
from storage import events as event_store
from storage import registrations as registration_store
from storage import users as user_store
from storage.db import Database
from storage.registrations import SignUpOutcome, SignUpResult


class SignupState(IntEnum):
    """Conversation states of the sign-up dialogue."""

    NAME = 1  # waiting for the typed name


NAME = SignupState.NAME
END = ConversationHandler.END
DIALOGUE_TIMEOUT = timedelta(hours=1)  # a name typed later is not taken as a name any more
MAX_NAME_LENGTH = 100
CANCEL_COMMANDS = ("abbrechen", "cancel")
ORIGIN_MESSAGE = "n"  # cancellation origin for buttons under a message (see bot.callbacks)

# Line breaks, control characters and bidirectional overrides have no place in a name on the
# attendee list (the overrides can make a name read differently from what it is).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Why a sign-up is refused (domain.standing.may_sign_up), as the answer to the press.
REFUSAL_KEYS = {
    Refusal.EVENT_CANCELLED: "signup.closed_cancelled",
    Refusal.EVENT_BEGUN: "signup.closed_past",
    Refusal.EVENT_OVER: "signup.closed_over",
    Refusal.REGISTRATION_CLOSED: "signup.closed_deadline",
    Refusal.NO_REGISTRATION: "signup.closed_no_registration",
}


class NameProblem(StrEnum):
    """Why a typed name was refused; the value is the hint's message id."""

    EMPTY = "signup.name_empty"
    CONTROL = "signup.name_control"
    TOO_LONG = "signup.name_too_long"


def _forbidden(char: str) -> bool:
    return unicodedata.category(char) in _FORBIDDEN_CATEGORIES or char in _BIDI_CONTROLS


def check_name(raw: str | None) -> str | NameProblem:
    """The name to register under (trimmed, inner spaces collapsed), or why it is refused."""
    name = (raw or "").strip()
    if not name:
        return NameProblem.EMPTY
    if any(_forbidden(char) for char in name):
        return NameProblem.CONTROL
    name = " ".join(name.split())
    if len(name) > MAX_NAME_LENGTH:
        return NameProblem.TOO_LONG
    if not has_visible_character(name):
        return NameProblem.EMPTY
    return name


def telegram_name(user: User | None) -> str | None:
    """The user's Telegram name made fit for the attendee list (control characters dropped,
    cut to the longest name allowed), or ``None`` when that is no name :func:`check_name`
    accepts, e.g. nothing visible: then no "use my Telegram name" button is offered."""
    if user is None:
        return None
    cleaned = "".join(char for char in user.full_name if not _forbidden(char))
    name = check_name(" ".join(cleaned.split())[:MAX_NAME_LENGTH])
    return None if isinstance(name, NameProblem) else name


def _arg(update: Update) -> str | None:
    callback = unpack(update.callback_query.data)
    return callback.arg() if callback else None


def _button(context: BotContext, key: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.plain(key), callback_data=pack(action, *args))


def registration_buttons(
    label: Callable[[str], str], event: Event, registration: Registration, now: datetime
) -> InlineKeyboardMarkup:
    """The buttons under a message about one sign-up: what ``domain.standing.offers`` allows
    (ticket, cancel, calendar file) and the evening's card; ``label`` turns a message id into a
    button label in the reader's language."""
    offered = offers(event, registration, now)
    row = []
    if Offer.TICKET in offered:
        row.append(
            InlineKeyboardButton(
                label("signup.button_ticket"), callback_data=pack(Action.TICKET, registration.id)
            )
        )
    if Offer.CANCEL in offered:
        waiting = registration.status is RegistrationStatus.WAITLISTED
        row.append(
            InlineKeyboardButton(
                label("signup.button_leave_waitlist" if waiting else "signup.button_cancel"),
                callback_data=pack(Action.CANCEL, registration.id, ORIGIN_MESSAGE),
            )
        )
    more = [
        InlineKeyboardButton(
            label("signup.button_card"), callback_data=pack(Action.CARD, event.id)
        )
    ]
    if Offer.CALENDAR in offered:
        more.insert(
            0,
            InlineKeyboardButton(
                label("signup.button_calendar"), callback_data=pack(Action.ICS, event.id)
            ),
        )
    return InlineKeyboardMarkup([row, more] if row else [more])


def _is_card_of(message: Message | None, event: Event) -> bool:
    """Whether ``message`` is this event's card (it carries the card's venue button)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    marker = pack(Action.VENUE, event.id)
    return any(
        button.callback_data == marker
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def _refresh_card(update: Update, context: BotContext, event: Event) -> None:
    """Show the pressed card in its current state (seats, own status, buttons)."""
    query = update.callback_query
    if query is None or not _is_card_of(query.message, event):
        return
    text, markup = await card_content(context, event, update.effective_user.id)
    await editing.edit_pressed(query, text, markup)


async def _notice(
    update: Update,
    context: BotContext,
    event: Event | None,
    edit_pressed: bool,
    key: str,
    **values: object,
) -> None:
    """A short answer without buttons (already signed up, closed, gone): the pressed dialogue
    message rewritten, or an alert on the button (and the card refreshed if it is one), or a
    reply to a typed message."""
    query = update.callback_query
    if query is None:
        await update.effective_message.reply_text(context.text(key, **values))
        return
    if edit_pressed:
        await query.answer()
        if not await editing.edit_pressed(query, context.text(key, **values)):
            await context.bot.send_message(update.effective_chat.id, context.text(key, **values))
        return
    await query.answer(context.plain(key, **values), show_alert=True)
    if event is not None:
        await _refresh_card(update, context, event)


def outcome_text(render: Renderer, event: Event, registration: Registration) -> Markup:
    """The message after a successful sign-up: confirmed, or waitlisted with the position."""
    if registration.status is RegistrationStatus.CONFIRMED:
        return render.text(
            "signup.confirmed",
            title=event.title,
            when=render.event_time(event),
            venue=event.venue,
        )
    return render.text(
        "signup.waitlisted",
        title=event.title,
        when=render.event_time(event),
        position=registration.waitlist_position or 1,
    )


async def _announce(
    update: Update, context: BotContext, event: Event, result: SignUpResult, edit_pressed: bool
) -> None:
    """Tell the user how the sign-up went."""
    registration = result.registration
    if result.refusal in REFUSAL_KEYS:
        await _notice(update, context, event, edit_pressed, REFUSAL_KEYS[result.refusal])
        return
    if registration is None:
        await _notice(update, context, event, edit_pressed, "card.unknown_event")
        return
    if result.refusal is Refusal.ALREADY_CONFIRMED:
        await _notice(update, context, event, edit_pressed, "signup.already_confirmed")
        return
    if result.refusal is Refusal.ALREADY_WAITLISTED:
        position = registration.waitlist_position or 1
        await _notice(
            update, context, event, edit_pressed, "signup.already_waitlisted", position=position
        )
        return
    text = outcome_text(renderer(context), event, registration)
    markup = registration_buttons(context.plain, event, registration, context.now())
    query = update.callback_query
    if query is not None:
        await query.answer()
        if edit_pressed and await editing.edit_pressed(query, text, markup):
            return
        await _refresh_card(update, context, event)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _ask_name(update: Update, context: BotContext, event: Event) -> int:
    """First sign-up: ask the name to register under (typed, or the Telegram name)."""
    context.user_data.signup_dialogue = {"event": event.id, "since": context.now()}
    name = telegram_name(update.effective_user)
    markup, question = None, "signup.ask_name_typed"  # nothing usable to offer: type it
    if name is not None:
        label = context.plain("signup.button_use_name", name=name)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=pack(Action.USE_NAME, event.id))]]
        )
        question = "signup.ask_name"
    await context.bot.send_message(
        update.effective_chat.id, context.text(question, title=event.title), reply_markup=markup
    )
    return NAME


async def _ask_consent(update: Update, context: BotContext, event: Event) -> None:
    """First sign-up: ask consent to the privacy notice."""
    markup = InlineKeyboardMarkup(
        [
            [
                _button(context, "signup.button_consent", Action.CONSENT, event.id),
                _button(context, "signup.button_decline", Action.CONSENT_DECLINE, event.id),
            ]
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        context.text("signup.ask_consent", days=context.settings.data_retention_days),
        reply_markup=markup,
    )


async def _proceed(
    update: Update, context: BotContext, event_id: str | None, edit_pressed: bool
) -> int:
    """Re-check everything, then ask for what is missing or sign up."""
    query = update.callback_query
    if query is not None and is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    db, now, user_id = context.db, context.now(), update.effective_user.id
    event = await event_store.get_event(db, event_id) if event_id else None
    if event is None:
        await _notice(update, context, None, edit_pressed, "card.unknown_event")
        return END
    existing = await registration_store.active_registration(db, event.id, user_id)
    refusal = may_sign_up(event, existing, now)
    if refusal is not None:  # the same rule sign_up applies in its transaction
        refused = SignUpResult(SignUpOutcome.REFUSED, existing, refusal)
        await _announce(update, context, event, refused, edit_pressed)
        return END
    user = await user_store.get_user(db, user_id)
    if user is None or user.display_name is None:
        if query is not None:
            await query.answer()
        return await _ask_name(update, context, event)
    if user.consent_at is None:
        if query is not None:
            await query.answer()
        await _ask_consent(update, context, event)
        return END
    result = await registration_store.sign_up(db, event.id, user_id, user.display_name, now)
    await _announce(update, context, event, result, edit_pressed)
    return END


async def press_sign_up(update: Update, context: BotContext) -> int:
    """✍️ Anmelden: sign up at once, or ask for what is still missing (name, consent)."""
    return await _proceed(update, context, _arg(update), edit_pressed=False)


async def press_use_name(update: Update, context: BotContext) -> int:
    """👤 <Telegram name>: register under it and go on."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    name = telegram_name(update.effective_user)
    if name is None:  # the button is only offered for a usable name: a forged press
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return NAME if _open_dialogue(context) is not None else END  # a name may still come
    await user_store.set_display_name(context.db, update.effective_user.id, name)
    context.user_data.signup_dialogue = None
    await editing.edit_pressed(query, context.text("signup.name_set", name=name))
    return await _proceed(update, context, _arg(update), edit_pressed=False)


def _open_dialogue(context: BotContext) -> dict[str, Any] | None:
    """The running name dialogue, or ``None`` when there is none or it has expired."""
    dialogue = context.user_data.signup_dialogue
    if dialogue is None or context.now() - dialogue["since"] > DIALOGUE_TIMEOUT:
        context.user_data.signup_dialogue = None
        return None
    return dialogue


async def receive_name(update: Update, context: BotContext) -> int:
    """The typed name: refused with a hint, or stored and the sign-up goes on."""
    dialogue = _open_dialogue(context)
    if dialogue is None:
        await update.effective_message.reply_text(context.text("signup.dialogue_expired"))
        return END
    checked = check_name(update.effective_message.text)
    if isinstance(checked, NameProblem):
        hint = context.text(checked.value, limit=MAX_NAME_LENGTH)
        await update.effective_message.reply_text(hint)
        return NAME
    await user_store.set_display_name(context.db, update.effective_user.id, checked)
    context.user_data.signup_dialogue = None
    await update.effective_message.reply_text(context.text("signup.name_set", name=checked))
    return await _proceed(update, context, dialogue["event"], edit_pressed=False)


async def name_step_command(update: Update, context: BotContext) -> int:
    """A command no feature knows while the name is awaited: say what is expected."""
    dialogue = _open_dialogue(context)
    if dialogue is None:
        await update.effective_message.reply_text(context.text("common.unknown_command"))
        return END
    event = await event_store.get_event(context.db, dialogue["event"])
    title = event.title if event else dialogue["event"]
    await update.effective_message.reply_text(context.text("signup.name_command", title=title))
    return NAME


async def name_step_other(update: Update, context: BotContext) -> int:
    """A photo, sticker or the like while the name is awaited."""
    if _open_dialogue(context) is None:
        await update.effective_message.reply_text(context.text("common.fallback"))
        return END
    await update.effective_message.reply_text(context.text("signup.name_text_only"))
    return NAME


async def cancel_dialogue(update: Update, context: BotContext) -> int:
    """/abbrechen, /cancel during the name step: leave it, nothing stored."""
    context.user_data.signup_dialogue = None
    await update.effective_message.reply_text(context.text("signup.dialogue_cancelled"))
    return END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/abbrechen, /cancel with no dialogue running."""
    await update.effective_message.reply_text(context.text("signup.nothing_to_cancel"))


async def press_consent(update: Update, context: BotContext) -> int:
    """✅ Einverstanden: record the consent and sign up."""
    if is_group(update):
        await update.callback_query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    await user_store.give_consent(context.db, update.effective_user.id, context.now())
    return await _proceed(update, context, _arg(update), edit_pressed=True)


async def press_decline(update: Update, context: BotContext) -> int:
    """Nein, danke: no consent, no sign-up."""
    query = update.callback_query
    await query.answer()
    await editing.edit_pressed(query, context.text("signup.consent_declined"))
    return END


async def render_promoted(
    translator: Translator,
    lang: str,
    tz: ZoneInfo,
    payload: dict[str, Any],
    db: Database,
    now: datetime,
) -> tuple[Markup, InlineKeyboardMarkup | None] | None:
    """The outbox message of kind ``promoted``: moved up from the waitlist, in the recipient's
    language. ``None`` when it no longer applies (cancelled since, event gone)."""
    registration_id = payload.get("registration_id")
    registration = (
        await registration_store.get_registration(db, int(registration_id))
        if isinstance(registration_id, int)
        else None
    )
    if registration is None or registration.status is not RegistrationStatus.CONFIRMED:
        return None
    event = await event_store.get_event(db, registration.event_id)
    if event is None or not is_upcoming(event, now):
        return None
    render = Renderer(translator, lang, tz)
    text = render.text(
        "signup.promoted", title=event.title, when=render.event_time(event), venue=event.venue
    )
    return text, registration_buttons(partial(translator.plain, lang), event, registration, now)


def build_conversation() -> ConversationHandler:
    """The sign-up dialogue; registered after the other features so that their commands keep
    working while a name is awaited (only unknown commands get the hint)."""
    private = filters.ChatType.PRIVATE
    cancel = CommandHandler(CANCEL_COMMANDS, cancel_dialogue, filters=private)
    with warnings.catch_warnings():
        # Callback buttons here carry their own state (the event id); per-message tracking
        # is not wanted, so PTB's reminder about it is noise.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(press_sign_up, pattern(Action.SIGN_UP)),
                CallbackQueryHandler(press_use_name, pattern(Action.USE_NAME)),
                CallbackQueryHandler(press_consent, pattern(Action.CONSENT)),
                CallbackQueryHandler(press_decline, pattern(Action.CONSENT_DECLINE)),
            ],
            states=leavable(
                {
                    NAME: [
                        cancel,
                        MessageHandler(private & filters.TEXT & ~filters.COMMAND, receive_name),
                        MessageHandler(private & filters.COMMAND, name_step_command),
                        MessageHandler(private & ~filters.StatusUpdate.ALL, name_step_other),
                    ]
                }
            ),
            fallbacks=[cancel],
            allow_reentry=True,
            name="signup",
        )


def build_handlers() -> list:
    """The sign-up dialogue (register after the other features, before the fallbacks)."""
    return [build_conversation()]


def build_cancel_fallback() -> list:
    """/abbrechen, /cancel when no dialogue claimed it: register right before the fallbacks."""
    return [CommandHandler(CANCEL_COMMANDS, nothing_to_cancel, filters.ChatType.PRIVATE)]
