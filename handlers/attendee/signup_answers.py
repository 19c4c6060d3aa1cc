"""What a person is told about a sign-up (PRODUCT §4): confirmed or waitlisted with the
position, already signed up, every reason sign-up is closed. (The outbox message for someone
moved up from the waitlist is handlers.notices.notifications'.)

Signing up from the card needs no message of its own: the card is refreshed in place and
already shows the status, the waitlist position, the ticket, the calendar file and the cancel
button, so the press is answered with a short pop-up (a toast). That saves one message per
sign-up (one ``sendMessage`` less of the chat's and the bot's Telegram budget). Where there is
no card to refresh (the consent question, a press from elsewhere) the full confirmation is a
message with those buttons.
"""

from __future__ import annotations

import contextlib

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.callbacks import Action, pack
from bot.context import BotContext
from bot.render import Renderer
from domain.models import Event, Registration, RegistrationStatus
from domain.standing import Refusal
from handlers.attendee.name import name_button, name_line
from handlers.ui import editing
from handlers.ui.card import card_content
from handlers.ui.reader import renderer
from handlers.ui.registration import registration_buttons
from storage.registrations import SignUpResult

# Why a sign-up is refused (domain.standing.may_sign_up), as the answer to the press.
REFUSAL_KEYS = {
    Refusal.EVENT_CANCELLED: "signup.closed_cancelled",
    Refusal.EVENT_BEGUN: "signup.closed_past",
    Refusal.EVENT_OVER: "signup.closed_over",
    Refusal.REGISTRATION_CLOSED: "signup.closed_deadline",
    Refusal.NO_REGISTRATION: "signup.closed_no_registration",
}


def _is_card_of(message: object, event: Event) -> bool:
    """Whether ``message`` is this event's card (it carries the card's venue button)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    marker = pack(Action.VENUE, event.id)
    return any(
        button.callback_data == marker
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def _refresh_card(update: Update, context: BotContext, event: Event) -> bool:
    """Show the pressed card in its current state (seats, own status, buttons); ``False`` when
    the pressed message is no card of this event (or cannot be edited)."""
    query = update.callback_query
    if query is None or not _is_card_of(query.message, event):
        return False
    text, markup = await card_content(context, event, update.effective_user.id)
    return await editing.edit_pressed(query, text, markup)


async def notice(
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


def outcome_toast(context: BotContext, registration: Registration) -> str:
    """The pop-up on the card's sign-up button: confirmed, or waitlisted with the position."""
    if registration.status is RegistrationStatus.CONFIRMED:
        return context.plain("signup.toast_confirmed")
    return context.plain("signup.toast_waitlisted", position=registration.waitlist_position or 1)


async def announce(
    update: Update, context: BotContext, event: Event, result: SignUpResult, edit_pressed: bool
) -> None:
    """Tell the user how the sign-up went: on the card a toast and the refreshed card, after
    the consent question that message rewritten, else a message with the sign-up's buttons."""
    registration = result.registration
    if result.refusal in REFUSAL_KEYS:
        await notice(update, context, event, edit_pressed, REFUSAL_KEYS[result.refusal])
        return
    if registration is None:
        await notice(update, context, event, edit_pressed, "card.unknown_event")
        return
    if result.refusal is Refusal.ALREADY_CONFIRMED:
        await notice(update, context, event, edit_pressed, "signup.already_confirmed")
        return
    if result.refusal is Refusal.ALREADY_WAITLISTED:
        position = registration.waitlist_position or 1
        await notice(
            update, context, event, edit_pressed, "signup.already_waitlisted", position=position
        )
        return
    text = outcome_text(renderer(context), event, registration)
    markup = registration_buttons(context.plain, event, registration, context.now())
    if registration.name:  # the name the sign-up is under, with "Name ändern" (issue 22)
        text = Markup("\n\n").join([text, name_line(context, registration.name)])
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, [name_button(context)]])
    query = update.callback_query
    if query is not None:
        on_card = not edit_pressed and _is_card_of(query.message, event)
        # Done is done: a failed answer (a slow network, an old press) must not turn the
        # sign-up into an apology; the refreshed card shows it either way.
        with contextlib.suppress(TelegramError):
            await query.answer(outcome_toast(context, registration) if on_card else None)
        if on_card and await _refresh_card(update, context, event):
            return
        if edit_pressed and await editing.edit_pressed(query, text, markup):
            return
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
