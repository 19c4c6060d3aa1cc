"""Browsing: the list of dates, the event card and its buttons, speakers, venue and .ics."""

from __future__ import annotations

from urllib.parse import quote_plus

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.callbacks import AS_NEW_MESSAGE, EVENT_DEEP_LINK_PREFIX, Action, pack, pattern, unpack
from bot.context import BotContext
from bot.files.calendar_file import evening_ics
from bot.paging import Page, page_line, paging_row
from domain.models import Event, EventStatus
from domain.standing import Refusal, may_add_to_calendar, may_remove_from_calendar
from handlers.ui.card import back_to_card, send_card
from handlers.ui.editing import reply_or_edit, send_split
from handlers.ui.reader import renderer
from storage import events as event_store

PAGE_SIZE = 5
# A map search for an address (a link the reader opens; nothing is loaded from it here).
MAP_SEARCH = "https://www.openstreetmap.org/search?query="


# --- the list ------------------------------------------------------------------------------


async def _list_page(
    context: BotContext, offset: int, past: bool = False
) -> tuple[Markup, InlineKeyboardMarkup]:
    """One page of the upcoming evenings (soonest first) or of the past ones (latest first)."""
    db, now = context.db, context.now()
    action = Action.PAST if past else Action.LIST
    other = (
        context.button("list.upcoming_button", Action.LIST, 0)
        if past
        else context.button("list.past_button", Action.PAST, 0)
    )
    if past:
        total, cancelled = await event_store.count_past(db, now), 0
    else:  # cancelled ones counted honestly: "die nächsten 5 Termine, davon 1 abgesagt"
        total, cancelled = await event_store.upcoming_counts(db, now)
    if total == 0:
        return context.text("list.past_empty" if past else "list.empty"), InlineKeyboardMarkup(
            [[other]]
        )
    window = Page.at(offset, PAGE_SIZE, total)
    fetch = event_store.list_past if past else event_store.list_upcoming
    page = await fetch(db, now, PAGE_SIZE, window.offset, speakers=False)  # lines name none
    render = renderer(context)
    first = window.offset + 1
    if cancelled:
        heading = context.text("list.heading_cancelled", count=total, cancelled=cancelled)
    else:
        heading = context.text("list.past_heading" if past else "list.heading", count=total)
    lines = [heading]
    lines.extend(render.event_list_line(event, first + i) for i, event in enumerate(page))
    if (line := page_line(context, window)) is not None:
        lines.append(line)
    rows = [
        [
            InlineKeyboardButton(
                context.plain(
                    "list.button_cancelled"
                    if event.status is EventStatus.CANCELLED
                    else "list.button",
                    index=first + i,
                    title=event.title,
                ),
                callback_data=pack(Action.CARD, event.id),
            )
        ]
        for i, event in enumerate(page)
    ]
    paging = paging_row(context, window, lambda at: pack(action, at))
    if paging:
        rows.append(paging)
    rows.append([other])
    return Markup("\n").join(lines), InlineKeyboardMarkup(rows)


async def show_events(update: Update, context: BotContext) -> None:
    """/termine, /events: the first page of upcoming dates."""
    text, markup = await _list_page(context, 0)
    await reply_or_edit(update, context, text, markup)


async def page_events(update: Update, context: BotContext) -> None:
    """◀ / ▶ on the list, or the switch between upcoming and past evenings: another page."""
    callback = unpack(update.callback_query.data)
    offset = callback.int_arg() if callback else None
    past = callback is not None and callback.action == Action.PAST
    await update.callback_query.answer()
    text, markup = await _list_page(context, offset or 0, past)
    if callback is not None and callback.arg(1) == AS_NEW_MESSAGE:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
        return
    await reply_or_edit(update, context, text, markup)


# --- the card ------------------------------------------------------------------------------


async def open_card(update: Update, context: BotContext) -> None:
    """A list entry was pressed: the list message becomes that event's card."""
    callback = unpack(update.callback_query.data)
    await update.callback_query.answer()
    edit = callback is None or callback.arg(1) != AS_NEW_MESSAGE
    await send_card(update, context, (callback.arg() if callback else None) or "", edit=edit)


async def _event_from_button(update: Update, context: BotContext) -> Event | None:
    """The event a card button refers to; answers the press (with a note if it is gone)."""
    callback = unpack(update.callback_query.data)
    event_id = callback.arg() if callback else None
    event = await event_store.get_event(context.db, event_id) if event_id else None
    if event is None:
        await update.callback_query.answer(context.plain("card.unknown_event"), show_alert=True)
    else:
        await update.callback_query.answer()
    return event


async def send_calendar_file(update: Update, context: BotContext) -> None:
    """📅 on the card: the .ics file of the evening."""
    event = await _event_from_button(update, context)
    if event is None:
        return
    refusal = may_add_to_calendar(event, context.now())
    if refusal is not None:  # a button from before the evening was cancelled or took place
        key = "signup.closed_cancelled" if refusal is Refusal.EVENT_CANCELLED else "card.over"
        await context.bot.send_message(
            update.effective_chat.id,
            context.text(key, when=renderer(context).when(event.starts_at)),
            reply_markup=back_to_card(context, event),
        )
        return
    url = create_deep_linked_url(context.bot.username, EVENT_DEEP_LINK_PREFIX + event.id)
    data = await evening_ics(context.db, context.settings, event, url, context.now())
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(data, filename=f"{event.id}.ics"),
        caption=context.text("card.calendar_caption", title=event.title),
        reply_markup=back_to_card(context, event),
    )


async def send_calendar_removal(update: Update, context: BotContext) -> None:
    """🗑 "Aus dem Kalender entfernen" under a cancellation notice: the evening's calendar file,
    now with ``STATUS:CANCELLED`` and the raised ``SEQUENCE``, so the entry leaves the
    calendar; only while ``domain.standing.may_remove_from_calendar`` allows it."""
    event = await _event_from_button(update, context)
    if event is None:
        return
    chat_id = update.effective_chat.id
    refusal = may_remove_from_calendar(event, context.now())
    if refusal is not None:  # scheduled again (its card has the calendar), or over
        key = (
            "notifications.removal_refused_scheduled"
            if refusal is Refusal.NOT_CANCELLED
            else "notifications.removal_refused_over"
        )
        await context.bot.send_message(
            chat_id,
            context.text(key, title=event.title),
            reply_markup=back_to_card(context, event),
        )
        return
    url = create_deep_linked_url(context.bot.username, EVENT_DEEP_LINK_PREFIX + event.id)
    data = await evening_ics(context.db, context.settings, event, url, context.now())
    await context.bot.send_document(
        chat_id,
        InputFile(data, filename=f"{event.id}.ics"),
        caption=context.text("notifications.removal_caption", title=event.title),
        reply_markup=back_to_card(context, event),
    )


async def send_venue(update: Update, context: BotContext) -> None:
    """📍 on the card: a map pin when coordinates are known, else what is known as text: the
    venue with its address and a map search link, or the venue alone (never "to be announced"
    for an evening whose card names its venue)."""
    event = await _event_from_button(update, context)
    if event is None:
        return
    chat_id = update.effective_chat.id
    back = back_to_card(context, event)
    if event.has_location:
        await context.bot.send_venue(
            chat_id,
            latitude=event.latitude,
            longitude=event.longitude,
            title=event.venue,
            address=event.address or event.venue,
            reply_markup=back,
        )
    elif event.address:
        search = MAP_SEARCH + quote_plus(f"{event.venue}, {event.address}")
        text = context.text(
            "card.venue_text", venue=event.venue, address=event.address, map_url=search
        )
        await context.bot.send_message(chat_id, text, reply_markup=back)
    elif event.venue.strip():
        text = context.text("card.venue_name_only", venue=event.venue)
        await context.bot.send_message(chat_id, text, reply_markup=back)
    else:
        await context.bot.send_message(
            chat_id, context.text("card.venue_unknown"), reply_markup=back
        )


async def send_event_speakers(update: Update, context: BotContext) -> None:
    """👥 on the card: the evening's speakers with role and bio."""
    event = await _event_from_button(update, context)
    if event is None:
        return
    text = renderer(context).speakers_overview([event]) or context.text("speakers.none")
    await send_split(context, update.effective_chat.id, text, back_to_card(context, event))


async def show_speakers(update: Update, context: BotContext) -> None:
    """/referenten, /speakers: speakers of all upcoming evenings."""
    upcoming = await event_store.list_upcoming(context.db, context.now())
    scheduled = [e for e in upcoming if e.status is EventStatus.SCHEDULED]
    text = renderer(context).speakers_overview(scheduled)
    if not text:
        text = context.text("speakers.none")
    else:
        text = Markup("\n\n").join([context.text("speakers.heading"), text])
    events_button = InlineKeyboardMarkup([[context.button("card.back", Action.LIST, 0)]])
    await send_split(context, update.effective_chat.id, text, events_button)


def build_handlers() -> list:
    """Handlers of this feature, in the order they must be tried."""
    group_or_private = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    return [
        CommandHandler(["termine", "events"], show_events, filters=group_or_private),
        CommandHandler(["referenten", "speakers"], show_speakers, filters.ChatType.PRIVATE),
        CallbackQueryHandler(page_events, pattern(Action.LIST, Action.PAST)),
        CallbackQueryHandler(open_card, pattern(Action.CARD)),
        CallbackQueryHandler(send_calendar_file, pattern(Action.ICS)),
        CallbackQueryHandler(send_calendar_removal, pattern(Action.ICS_REMOVE)),
        CallbackQueryHandler(send_venue, pattern(Action.VENUE)),
        CallbackQueryHandler(send_event_speakers, pattern(Action.SPEAKERS)),
    ]
