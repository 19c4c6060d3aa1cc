"""Sharing in Telegram (inline mode): ``@<bot> `` plus part of a title, typed in any chat,
offers the upcoming evenings as cards (title, date, venue, seats) with a button that opens the
evening in the bot. Inline mode must be switched on with @BotFather (``/setinline``)."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import BaseHandler, InlineQueryHandler
from telegram.helpers import create_deep_linked_url

from bot.callbacks import EVENT_DEEP_LINK_PREFIX
from bot.context import BotContext
from domain.evening import SignUpAction, sign_up_action
from domain.models import Event, EventStatus
from domain.names import name_matches
from handlers.ui.reader import renderer
from storage import events as event_store

RESULTS = 20  # Telegram shows at most 50; a handful of evenings is the common case
CACHE_SECONDS = 60  # seats change: a short cache, the same for everyone (nothing personal)
# The button says what the opened card will offer (domain.evening.sign_up_action).
_OPEN_LABELS = {
    SignUpAction.SIGN_UP: "sharing.open",
    SignUpAction.WAITLIST: "sharing.open_waitlist",
    SignUpAction.VIEW: "sharing.open_view",
}


def _matches(event: Event, query: str) -> bool:
    """An evening is offered while it is not cancelled and its title holds what was typed."""
    if event.status is EventStatus.CANCELLED:
        return False
    return not query.strip() or name_matches(event.title, query)


async def _result(context: BotContext, event: Event) -> InlineQueryResultArticle:
    render = renderer(context)
    counts = await event_store.seat_counts(context.db, event.id)
    now = context.now()
    seats = render.seats(event, counts, now).striptags()
    url = create_deep_linked_url(context.bot.username, EVENT_DEEP_LINK_PREFIX + event.id)
    action = sign_up_action(event, counts, now)
    return InlineQueryResultArticle(
        id=event.id[:64],
        title=event.title,
        description=context.plain(
            "sharing.description",
            when=render.short_when(event.starts_at),
            venue=event.venue,
            seats=seats,
        ),
        input_message_content=InputTextMessageContent(render.event_card(event, counts, now)),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(context.plain(_OPEN_LABELS[action]), url=url)]]
        ),
    )


async def answer(update: Update, context: BotContext) -> None:
    """Answer an inline query with the matching upcoming evenings, soonest first."""
    query = update.inline_query
    events = await event_store.list_upcoming(context.db, context.now())
    matching = [event for event in events if _matches(event, query.query)][:RESULTS]
    results = [await _result(context, event) for event in matching]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)


def build_handlers() -> list[BaseHandler]:
    """The inline query handler."""
    return [InlineQueryHandler(answer)]
