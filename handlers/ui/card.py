"""The event card as every feature shows it: its text and the buttons the reader may press now,
and the way back to it."""

from __future__ import annotations

from markupsafe import Markup
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    SwitchInlineQueryChosenChat,
    Update,
)
from telegram.helpers import create_deep_linked_url

from bot.callbacks import EVENT_DEEP_LINK_PREFIX, Action
from bot.context import BotContext
from domain.evening import SignUpAction, has_begun, sign_up_action
from domain.models import Event, Registration, SeatCounts
from domain.standing import Offer, offers
from handlers.ui.editing import reply_or_edit
from handlers.ui.reader import is_group, renderer
from storage import events as event_store
from storage import questions as question_store
from storage import registrations as registration_store

# The sign-up button's label by what the press does (domain.evening.sign_up_action).
_SIGN_UP_LABELS = {
    SignUpAction.SIGN_UP: "card.signup",
    SignUpAction.WAITLIST: "card.signup_waitlist",
}
_PRIVATE_SIGN_UP_LABELS = {
    SignUpAction.SIGN_UP: "card.signup_private",
    SignUpAction.WAITLIST: "card.signup_private_waitlist",
}


def card_keyboard(
    context: BotContext,
    event: Event,
    counts: SeatCounts,
    registration: Registration | None,
    in_group: bool,
    has_question: bool = False,
) -> InlineKeyboardMarkup:
    """The buttons of a card: exactly the actions ``domain.standing.offers`` allows this reader
    now (sign up or cancel, ticket, calendar, a question to the speakers or withdrawing it),
    then speakers, venue and back to the list. The sign-up button says what it does: "Auf
    die Warteliste" on a full evening."""
    now = context.now()
    action = sign_up_action(event, counts, now)
    rows: list[list[InlineKeyboardButton]] = []
    if in_group:
        if Offer.SIGN_UP in offers(event, None, now) and action in _PRIVATE_SIGN_UP_LABELS:
            url = create_deep_linked_url(context.bot.username, EVENT_DEEP_LINK_PREFIX + event.id)
            label = context.plain(_PRIVATE_SIGN_UP_LABELS[action])
            rows.append([InlineKeyboardButton(label, url=url)])
        return InlineKeyboardMarkup(rows)
    offered = offers(event, registration, now, has_question)
    row = []
    if Offer.SIGN_UP in offered and action in _SIGN_UP_LABELS:
        row.append(context.button(_SIGN_UP_LABELS[action], Action.SIGN_UP, event.id))
    if registration is not None and Offer.CANCEL in offered:
        row.append(context.button("card.cancel", Action.CANCEL, registration.id))
    if registration is not None and Offer.TICKET in offered:
        row.append(context.button("card.ticket", Action.TICKET, registration.id))
    if row:
        rows.append(row)
    info = []
    if event.speakers:
        info.append(context.button("card.speakers", Action.SPEAKERS, event.id))
    if Offer.CALENDAR in offered:
        info.append(context.button("card.calendar", Action.ICS, event.id))
    if info:
        rows.append(info)
    if Offer.ASK_QUESTION in offered:
        rows.append([context.button("card.question", Action.QUESTION_ASK, event.id)])
    if Offer.WITHDRAW_QUESTION in offered:
        rows.append(
            [context.button("card.question_withdraw", Action.QUESTION_WITHDRAW, event.id, "c")]
        )
    rows.append([context.button("card.venue", Action.VENUE, event.id)])
    if context.bot.supports_inline_queries and not has_begun(event, now):
        # Telegram's chat chooser with the inline query of this title (issue 25, sharing)
        chosen = SwitchInlineQueryChosenChat(
            event.title, allow_user_chats=True, allow_group_chats=True, allow_channel_chats=True
        )
        rows.append(
            [
                InlineKeyboardButton(
                    context.plain("card.share"), switch_inline_query_chosen_chat=chosen
                )
            ]
        )
    if has_begun(event, now):
        rows.append([context.button("card.back_past", Action.PAST, 0)])
    else:
        rows.append([context.button("card.back", Action.LIST, 0)])
    return InlineKeyboardMarkup(rows)


def back_to_card(context: BotContext, event: Event) -> InlineKeyboardMarkup:
    """The way on under a message about one evening: its card."""
    return InlineKeyboardMarkup([[context.button("speakers.back", Action.CARD, event.id)]])


async def card_content(
    context: BotContext, event: Event, user_id: int | None, in_group: bool = False
) -> tuple[Markup, InlineKeyboardMarkup]:
    """Text and buttons of an event card as ``user_id`` sees it right now."""
    counts = await event_store.seat_counts(context.db, event.id)
    registration, asked = None, False
    if user_id is not None and not in_group:
        registration = await registration_store.active_registration(context.db, event.id, user_id)
        asked = await question_store.question_of(context.db, event.id, user_id) is not None
    text = renderer(context).event_card(event, counts, context.now(), registration, asked)
    return text, card_keyboard(context, event, counts, registration, in_group, asked)


async def send_card(update: Update, context: BotContext, event_id: str, edit: bool) -> None:
    """Show one event's card (editing the pressed message when ``edit``)."""
    event = await event_store.get_event(context.db, event_id)
    if event is None:
        await reply_or_edit(update, context, context.text("card.unknown_event"))
        return
    user = update.effective_user
    text, markup = await card_content(context, event, user.id if user else None, is_group(update))
    if edit:
        await reply_or_edit(update, context, text, markup)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
