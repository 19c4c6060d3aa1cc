"""Cancelling a sign-up (PRODUCT §4): from the event card, from /meine and from buttons under
older messages (sign-up confirmations, promotions, reminders), always after a confirmation.

The button's registration id is only a hint: the registration is re-read and must belong to the
presser; for anyone else the answer is the same as for an id that does not exist. The seat goes
to the first person on the waitlist in the same transaction (``storage.registrations``).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.i18n import Html
from bot.sender import kick_outbox
from handlers import editing
from handlers.browsing import card_content, is_group, renderer
from handlers.mine import mine_content
from storage import events as event_store
from storage import registrations as registration_store
from storage.models import Event, Registration, RegistrationStatus
from storage.registrations import CancelOutcome

ORIGIN_CARD = "c"  # the button is on the event card (the default: the card omits the origin)
ORIGIN_MINE = "m"  # the button is in the /meine list
ORIGIN_MESSAGE = "n"  # any other message: the confirmation is asked in a new message
ORIGINS = (ORIGIN_CARD, ORIGIN_MINE, ORIGIN_MESSAGE)


def _parse(update: Update) -> tuple[int | None, str]:
    callback = unpack(update.callback_query.data)
    if callback is None:
        return None, ORIGIN_MESSAGE
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
    update: Update, context: BotContext, origin: str, event: Event | None, note: Html | None
) -> tuple[Html, InlineKeyboardMarkup | None] | None:
    """The pressed message's own content in its current state (card or /meine list), with an
    optional note on top; ``None`` for other messages."""
    user_id = update.effective_user.id
    if origin == ORIGIN_CARD and event is not None:
        text, markup = await card_content(context, event, user_id)
    elif origin == ORIGIN_MINE:
        text, markup = await mine_content(context, user_id)
    else:
        return None
    return (Html(note + "\n\n" + text) if note else text), markup


async def _show(
    update: Update,
    context: BotContext,
    origin: str,
    event: Event | None,
    note: Html,
) -> None:
    """Put ``note`` where the user looks: on top of the refreshed card or list, or instead of the
    pressed confirmation question."""
    view = await _origin_view(update, context, origin, event, note)
    text, markup = view if view is not None else (note, None)
    if not await editing.edit_pressed(update.callback_query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def ask_cancel(update: Update, context: BotContext) -> None:
    """Abmelden: re-check the sign-up, then ask whether to really cancel it."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    registration_id, origin = _parse(update)
    registration, event = await _own(context, registration_id, update.effective_user.id)
    if registration is None or event is None:
        await query.answer(context.plain("cancel.not_found"), show_alert=True)
        return
    if registration.status is RegistrationStatus.CANCELLED:
        await query.answer(context.plain("cancel.already"), show_alert=True)
        view = await _origin_view(update, context, origin, event, None)
        if view is not None:
            await editing.edit_pressed(query, *view)
        return
    if event.starts_at <= context.now():
        await query.answer(context.plain("cancel.past"), show_alert=True)
        return
    await query.answer()
    render = renderer(context)
    key = (
        "cancel.question"
        if registration.status is RegistrationStatus.CONFIRMED
        else "cancel.question_waitlist"
    )
    text = context.text(key, title=event.title, when=render.event_time(event))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.plain("cancel.button_yes"),
                    callback_data=pack(Action.CANCEL_CONFIRM, registration.id, origin),
                ),
                InlineKeyboardButton(
                    context.plain("cancel.button_no"),
                    callback_data=pack(Action.CANCEL_KEEP, registration.id, origin),
                ),
            ]
        ]
    )
    if origin == ORIGIN_MESSAGE or not await editing.edit_pressed(query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def confirm_cancel(update: Update, context: BotContext) -> None:
    """Ja, abmelden: cancel (the waitlist moves up in the same transaction) and say so."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    registration_id, origin = _parse(update)
    user_id = update.effective_user.id
    registration, event = await _own(context, registration_id, user_id)
    if registration is None or event is None:
        await query.answer(context.plain("cancel.not_found"), show_alert=True)
        return
    result = await registration_store.cancel(context.db, registration.id, user_id, context.now())
    if result.outcome is CancelOutcome.NOT_FOUND:
        await query.answer(context.plain("cancel.not_found"), show_alert=True)
        return
    if result.outcome is CancelOutcome.EVENT_PAST:
        await query.answer(context.plain("cancel.past"), show_alert=True)
        return
    if result.promoted_user_ids:
        kick_outbox(context.application)  # tell the people who moved up, paced
    await query.answer()
    key = "cancel.already" if result.outcome is CancelOutcome.ALREADY_CANCELLED else "cancel.done"
    note = context.text(key, title=event.title)
    await _show(update, context, origin, event, note)


async def keep_registration(update: Update, context: BotContext) -> None:
    """Nein: nothing changes; the card or list comes back."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    registration_id, origin = _parse(update)
    registration, event = await _own(context, registration_id, update.effective_user.id)
    await query.answer()
    if registration is None:
        await _show(update, context, ORIGIN_MESSAGE, None, context.text("cancel.not_found"))
        return
    await _show(update, context, origin, event, context.text("cancel.kept"))


def build_handlers() -> list:
    """The cancellation buttons."""
    return [
        CallbackQueryHandler(ask_cancel, pattern(Action.CANCEL)),
        CallbackQueryHandler(confirm_cancel, pattern(Action.CANCEL_CONFIRM)),
        CallbackQueryHandler(keep_registration, pattern(Action.CANCEL_KEEP)),
    ]
