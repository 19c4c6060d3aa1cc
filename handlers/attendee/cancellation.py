"""Cancelling a sign-up (PRODUCT §4): from the event card, from /meine, from the reminder's
"Ich kann nicht kommen" and from buttons under other messages (sign-up confirmations,
promotions), always after a confirmation.

The button's registration id is only a hint: the registration is re-read and must belong to the
presser; for anyone else the answer is the same as for an id that does not exist. The seat goes
to the first person on the waitlist in the same transaction (``storage.registrations``).

Each button carries its origin, the message it lives under, so that the answer lands there: the
card and the /meine list are refreshed with a note on top, a reminder shows the question in
place and comes back unchanged when the sign-up is kept. The reminder speaks its own words
(``reminders.*``); everything else is the same for every origin.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from domain.models import Event, Registration, RegistrationStatus
from domain.standing import Refusal, may_cancel
from handlers.attendee.mine import mine_content
from handlers.ui import editing, way_on
from handlers.ui.card import card_content
from handlers.ui.reader import is_group, renderer
from handlers.ui.registration import ORIGIN_MESSAGE, ORIGIN_REMINDER, reminder_content
from storage import attendance as attendance_store
from storage import events as event_store
from storage import registrations as registration_store
from storage.attendance import COMING
from storage.registrations import CancelOutcome

ORIGIN_CARD = "c"  # the button is on the event card (the default: the card omits the origin)
ORIGIN_MINE = "m"  # the button is in the /meine list
ORIGINS = (ORIGIN_CARD, ORIGIN_MINE, ORIGIN_MESSAGE, ORIGIN_REMINDER)

# Buttons of reminders sent before the flows were merged carry these actions (no origin).
LEGACY_REMINDER_ACTIONS = (
    Action.REMINDER_CANT_COME,
    Action.REMINDER_CANT_COME_CONFIRM,
    Action.REMINDER_KEEP,
)


@dataclass(frozen=True, slots=True)
class Wording:
    """The message ids of one origin's flow."""

    question: str  # {title}, {when}
    question_waitlist: str  # {title}, {when}
    button_yes: str
    button_no: str
    done: str  # {title}
    kept: str | None  # None: the pressed view comes back without a note
    already: str
    not_found: str
    past: str


WORDING = Wording(
    question="cancel.question",
    question_waitlist="cancel.question_waitlist",
    button_yes="cancel.button_yes",
    button_no="cancel.button_no",
    done="cancel.done",
    kept="cancel.kept",
    already="cancel.already",
    not_found="cancel.not_found",
    past="cancel.past",
)
REMINDER_WORDING = Wording(
    question="reminders.confirm",
    question_waitlist="cancel.question_waitlist",
    button_yes="reminders.button_confirm",
    button_no="reminders.button_keep",
    done="reminders.cancelled",
    kept=None,
    already="reminders.already_cancelled",
    not_found="reminders.gone",
    past="reminders.too_late",
)


def _wording(origin: str) -> Wording:
    return REMINDER_WORDING if origin == ORIGIN_REMINDER else WORDING


def _parse(update: Update) -> tuple[int | None, str]:
    callback = unpack(update.callback_query.data)
    if callback is None:
        return None, ORIGIN_MESSAGE
    if callback.action in LEGACY_REMINDER_ACTIONS:
        return callback.int_arg(0), ORIGIN_REMINDER
    origin = callback.arg(1) or ORIGIN_CARD
    return callback.int_arg(0), origin if origin in ORIGINS else ORIGIN_MESSAGE


async def _own(
    context: BotContext, registration_id: int | None, user_id: int
) -> tuple[Registration | None, Event | None]:
    """The registration if it exists and belongs to ``user_id``, with its event."""
    if registration_id is None:
        return None, None
    registration = await registration_store.get_registration(context.db, registration_id)
    if registration is None or registration.user_id != user_id:
        return None, None
    return registration, await event_store.get_event(context.db, registration.event_id)


async def _origin_view(
    update: Update,
    context: BotContext,
    origin: str,
    event: Event | None,
    registration: Registration | None,
) -> tuple[Markup, InlineKeyboardMarkup | None] | None:
    """The pressed message's own content in its current state: the card, the /meine list, or
    the reminder while the sign-up stands; ``None`` for other messages."""
    user_id = update.effective_user.id
    if origin == ORIGIN_CARD and event is not None:
        return await card_content(context, event, user_id)
    if origin == ORIGIN_MINE:
        return await mine_content(context, user_id)
    if (
        origin == ORIGIN_REMINDER
        and event is not None
        and registration is not None
        and registration.status is not RegistrationStatus.CANCELLED
    ):
        translator, tz = context.services.translator, context.settings.tz
        coming = await attendance_store.answer_of(context.db, registration.id)
        return reminder_content(
            translator, context.lang, tz, event, registration, coming=coming == COMING
        )
    return None


async def _show(
    update: Update,
    context: BotContext,
    origin: str,
    event: Event | None,
    registration: Registration | None,
    note: Markup | None,
    *,
    fallback: Markup | None = None,
) -> None:
    """Put ``note`` where the user looks: on top of the refreshed view (card, list, reminder),
    or, without a view, instead of the pressed message (``fallback`` when there is no note)."""
    view = await _origin_view(update, context, origin, event, registration)
    if view is not None:
        text, markup = (Markup("\n\n").join([note, view[0]]) if note else view[0]), view[1]
    elif note or fallback:  # the way on: the evening's card (to sign up again), or the list
        text = note or fallback
        markup = way_on.to_card(context, event.id) if event else way_on.to_events(context)
    else:
        return
    if not await editing.edit_pressed(update.callback_query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


@dataclass(frozen=True, slots=True)
class _Press:
    """A cancellation button press, checked: the presser's own sign-up and its event."""

    origin: str
    words: Wording
    registration: Registration
    event: Event


async def _checked_press(update: Update, context: BotContext) -> _Press | None:
    """Read a cancellation button and re-check it: private chat, the presser's own sign-up.
    Anything else is answered (a forged id the same as a missing one) and gives ``None``."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return None
    registration_id, origin = _parse(update)
    words = _wording(origin)
    registration, event = await _own(context, registration_id, update.effective_user.id)
    if registration is None or event is None:
        await query.answer(context.plain(words.not_found), show_alert=True)
        return None
    return _Press(origin, words, registration, event)


async def ask_cancel(update: Update, context: BotContext) -> None:
    """Abmelden / Ich kann nicht kommen: re-check the sign-up, then ask whether to really
    cancel it."""
    press = await _checked_press(update, context)
    if press is None:
        return
    query, origin, words = update.callback_query, press.origin, press.words
    registration, event = press.registration, press.event
    if registration.status is RegistrationStatus.CANCELLED:
        await query.answer(context.plain(words.already), show_alert=True)
        if origin != ORIGIN_MESSAGE:  # the pressed message is the view: bring it up to date
            already = context.text(words.already)
            await _show(update, context, origin, event, registration, None, fallback=already)
        return
    refusal = may_cancel(event, registration, context.now())
    if refusal is Refusal.EVENT_CANCELLED:
        await query.answer(context.plain("cancel.void"), show_alert=True)
        return
    if refusal is not None:
        await query.answer(context.plain(words.past), show_alert=True)
        return
    await query.answer()
    render = renderer(context)
    key = (
        words.question
        if registration.status is RegistrationStatus.CONFIRMED
        else words.question_waitlist
    )
    text = context.text(key, title=event.title, when=render.event_time(event))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.plain(words.button_yes),
                    callback_data=pack(Action.CANCEL_CONFIRM, registration.id, origin),
                ),
                InlineKeyboardButton(
                    context.plain(words.button_no),
                    callback_data=pack(Action.CANCEL_KEEP, registration.id, origin),
                ),
            ]
        ]
    )
    if origin == ORIGIN_MESSAGE or not await editing.edit_pressed(query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def confirm_cancel(update: Update, context: BotContext) -> None:
    """Ja, abmelden: cancel (the waitlist moves up in the same transaction) and say so."""
    press = await _checked_press(update, context)
    if press is None:
        return
    query, origin, words, event = update.callback_query, press.origin, press.words, press.event
    result = await registration_store.cancel(
        context.db, press.registration.id, update.effective_user.id, context.now()
    )
    if result.outcome is CancelOutcome.NOT_FOUND:
        await query.answer(context.plain(words.not_found), show_alert=True)
        return
    if result.outcome is CancelOutcome.EVENT_PAST:
        await query.answer(context.plain(words.past), show_alert=True)
        return
    if result.outcome is CancelOutcome.EVENT_CANCELLED:
        await query.answer(context.plain("cancel.void"), show_alert=True)
        return
    if result.outcome is CancelOutcome.CANCELLED and origin == ORIGIN_REMINDER:
        await attendance_store.record_declined(context.db, press.registration.id, context.now())
    # Done is done: a failed answer (a slow network, an old press) only leaves the spinner
    # turning for a moment; it must not turn the confirmation below into an apology.
    with contextlib.suppress(TelegramError):
        await query.answer()
    key = words.already if result.outcome is CancelOutcome.ALREADY_CANCELLED else words.done
    note = context.text(key, title=event.title)
    registration = await registration_store.get_registration(context.db, press.registration.id)
    await _show(update, context, origin, event, registration, note)


async def keep_registration(update: Update, context: BotContext) -> None:
    """Nein: nothing changes; the card, list or reminder comes back."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    registration_id, origin = _parse(update)
    words = _wording(origin)
    registration, event = await _own(context, registration_id, update.effective_user.id)
    await query.answer()
    if registration is None:
        note = context.text(words.not_found)
        await _show(update, context, ORIGIN_MESSAGE, None, None, note)
        return
    if registration.status is RegistrationStatus.CANCELLED:
        note = context.text(words.already)
        await _show(update, context, origin, event, registration, note)
        return
    kept = context.text(words.kept) if words.kept else None  # None: the view as it was
    await _show(update, context, origin, event, registration, kept)


def build_handlers() -> list:
    """The cancellation buttons, including those of reminders sent before the flows merged."""
    return [
        CallbackQueryHandler(ask_cancel, pattern(Action.CANCEL, Action.REMINDER_CANT_COME)),
        CallbackQueryHandler(
            confirm_cancel, pattern(Action.CANCEL_CONFIRM, Action.REMINDER_CANT_COME_CONFIRM)
        ),
        CallbackQueryHandler(keep_registration, pattern(Action.CANCEL_KEEP, Action.REMINDER_KEEP)),
    ]
