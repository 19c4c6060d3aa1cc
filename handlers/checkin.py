"""Check-in at the door: the ticket QR opens ``/start ci_<ticket>``, and /checkin offers a
tap-to-check-in list of an event.

For an organiser a scan checks the person in and shows name and event (or why not: already
checked in, waitlisted, cancelled, unknown). For anyone else the answer is the same whatever
the ticket: it reveals nothing about it and changes nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from domain.models import Event, EventStatus, Registration
from handlers.admin import is_organiser, organisers_only, show_picker
from handlers.browsing import renderer, reply_or_edit
from storage import attendees as attendee_store
from storage import events as event_store
from storage import registrations as registration_store
from storage.attendees import CheckInOutcome, CheckInResult

CHECKIN_DEEP_LINK_PREFIX = "ci_"
TICKET = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PAGE_SIZE = 8
LABEL_LIMIT = 40
# A ticket scanned this long before the start or after the end is probably for another day.
EARLY = timedelta(hours=12)
LATE = timedelta(hours=6)


def _is_check_in_time(event: Event, context: BotContext) -> bool:
    now = context.now()
    return event.starts_at - EARLY <= now <= (event.ends_at or event.starts_at) + LATE


def _name(context: BotContext, registration: Registration) -> str:
    return (
        registration.name
        if registration.name is not None
        else context.plain("attendees.anonymous")
    )


def result_text(context: BotContext, result: CheckInResult, event: Event | None) -> Markup:
    """What the organiser at the door reads after a scan or a tap."""
    registration = result.registration
    if registration is None or event is None:
        return context.text("checkin.unknown")
    values = {
        "name": _name(context, registration),
        "title": event.title,
        "when": renderer(context).short_when(event.starts_at),
    }
    if result.outcome is CheckInOutcome.CHECKED_IN:
        return context.text("checkin.done", **values)
    if result.outcome is CheckInOutcome.ALREADY:
        at = renderer(context).time_only(registration.checked_in_at)  # type: ignore[arg-type]
        return context.text("checkin.already", at=at, **values)
    if result.outcome is CheckInOutcome.WAITLISTED:
        return context.text(
            "checkin.waitlisted", position=registration.waitlist_position, **values
        )
    return context.text("checkin.cancelled", **values)


# --- the QR code ---------------------------------------------------------------------------


async def scan(update: Update, context: BotContext) -> None:
    """``/start ci_<ticket>``: check the holder in (organisers only)."""
    message = update.effective_message
    if not is_organiser(update, context):
        # Same answer for every ticket, valid or not: nothing about it is revealed.
        await message.reply_text(context.text("checkin.not_organiser"))
        return
    payload = context.args[0] if context.args else ""
    ticket = payload.removeprefix(CHECKIN_DEEP_LINK_PREFIX)
    registration = (
        await registration_store.registration_by_ticket(context.db, ticket)
        if TICKET.match(ticket)
        else None
    )
    event = (
        await event_store.get_event(context.db, registration.event_id) if registration else None
    )
    if registration is None or event is None:
        await message.reply_text(context.text("checkin.unknown"))
        return
    if event.status is EventStatus.CANCELLED:
        await message.reply_text(
            context.text(
                "checkin.event_cancelled", name=_name(context, registration), title=event.title
            )
        )
        return
    if not _is_check_in_time(event, context) and registration.checked_in_at is None:
        text = context.text(
            "checkin.other_day",
            name=_name(context, registration),
            title=event.title,
            when=renderer(context).when(event.starts_at),
        )
        button = InlineKeyboardButton(
            context.plain("checkin.anyway"),
            callback_data=pack(Action.CHECKIN_FORCE, registration.id),
        )
        await message.reply_text(text, reply_markup=InlineKeyboardMarkup([[button]]))
        return
    result = await attendee_store.check_in(context.db, registration.id, context.now())
    await message.reply_text(result_text(context, result, event))


@organisers_only
async def check_in_anyway(update: Update, context: BotContext) -> None:
    """ "Trotzdem einchecken" under a ticket of another day."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    result = await attendee_store.check_in(context.db, registration_id or 0, context.now())
    await query.answer()
    event = None
    if result.registration is not None:
        event = await event_store.get_event(context.db, result.registration.event_id)
    await reply_or_edit(update, context, result_text(context, result, event))


# --- the tap list --------------------------------------------------------------------------


def _label(context: BotContext, registration: Registration) -> str:
    name = _name(context, registration)
    name = name if len(name) <= LABEL_LIMIT else name[: LABEL_LIMIT - 1] + "…"
    key = "checkin.button_done" if registration.checked_in_at else "checkin.button_open"
    return context.plain(key, name=name)


async def list_content(
    context: BotContext, event: Event, offset: int
) -> tuple[Markup, InlineKeyboardMarkup]:
    """One page of the tap-to-check-in list of ``event``."""
    figures = await attendee_store.figures_of(context.db, event.id)
    page, total = await attendee_store.check_in_page(
        context.db, event.id, PAGE_SIZE, max(offset, 0)
    )
    if offset >= total > 0:
        offset = (total - 1) // PAGE_SIZE * PAGE_SIZE
        page, total = await attendee_store.check_in_page(context.db, event.id, PAGE_SIZE, offset)
    lines = [
        context.text(
            "checkin.list_heading",
            title=event.title,
            when=renderer(context).short_when(event.starts_at),
        ),
        context.text(
            "checkin.list_counts",
            checked_in=figures.checked_in if figures else 0,
            confirmed=total,
        ),
    ]
    if total == 0:
        lines.append(context.text("checkin.list_empty"))
    else:
        lines.append(context.text("checkin.list_hint"))
        if total > PAGE_SIZE:
            pages = (total - 1) // PAGE_SIZE + 1
            lines.append(context.text("list.page", page=offset // PAGE_SIZE + 1, pages=pages))
    rows = [
        [
            InlineKeyboardButton(
                _label(context, registration),
                callback_data=pack(Action.CHECKIN_TAP, registration.id, offset),
            )
        ]
        for registration in page
    ]
    paging = []
    if offset > 0:
        previous = pack(Action.CHECKIN_EVENT, event.id, offset - PAGE_SIZE)
        paging.append(InlineKeyboardButton(context.plain("list.previous"), callback_data=previous))
    if offset + PAGE_SIZE < total:
        following = pack(Action.CHECKIN_EVENT, event.id, offset + PAGE_SIZE)
        paging.append(InlineKeyboardButton(context.plain("list.next"), callback_data=following))
    if paging:
        rows.append(paging)
    return Markup("\n").join(lines), InlineKeyboardMarkup(rows)


async def _show_list(update: Update, context: BotContext, event_id: str, offset: int) -> None:
    event = await event_store.get_event(context.db, event_id)
    if event is None:
        await reply_or_edit(update, context, context.text("card.unknown_event"))
        return
    text, markup = await list_content(context, event, offset)
    await reply_or_edit(update, context, text, markup)


@organisers_only
async def checkin_command(update: Update, context: BotContext) -> None:
    """/checkin [EVENT_ID]: the tap list of that event, or the events to choose from."""
    event_id = context.args[0] if context.args else None
    if event_id and await event_store.get_event(context.db, event_id) is not None:
        await _show_list(update, context, event_id, 0)
        return
    await show_picker(update, context, "ci")


@organisers_only
async def checkin_page(update: Update, context: BotContext) -> None:
    """An event chosen in the check-in picker, or ◀ / ▶ in the list."""
    callback = unpack(update.callback_query.data)
    await update.callback_query.answer()
    await _show_list(
        update, context, (callback.arg() if callback else None) or "", callback.int_arg(1) or 0
    )


@organisers_only
async def tap(update: Update, context: BotContext) -> None:
    """A name in the list: check that person in (the list shows ✅ from then on)."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    result = await attendee_store.check_in(context.db, registration_id or 0, context.now())
    registration = result.registration
    if registration is None:
        await query.answer(context.plain("checkin.unknown_plain"), show_alert=True)
        return
    if result.outcome is not CheckInOutcome.CHECKED_IN:
        await query.answer(_plain_result(context, result), show_alert=True)
        return
    await query.answer(context.plain("checkin.done_short", name=_name(context, registration)))
    await _show_list(update, context, registration.event_id, callback.int_arg(1) or 0)


def _plain_result(context: BotContext, result: CheckInResult) -> str:
    registration = result.registration
    assert registration is not None
    name = _name(context, registration)
    if result.outcome is CheckInOutcome.ALREADY:
        at = renderer(context).time_only(registration.checked_in_at)  # type: ignore[arg-type]
        return context.plain("checkin.already_short", name=name, at=at)
    if result.outcome is CheckInOutcome.WAITLISTED:
        return context.plain("checkin.waitlisted_short", name=name)
    return context.plain("checkin.cancelled_short", name=name)


def build_deep_link_handlers() -> list[BaseHandler]:
    """``/start ci_…``: registered before /start itself."""
    only_scans = filters.ChatType.PRIVATE & filters.Regex(r"^/start(@\w+)? ci_")
    return [CommandHandler("start", scan, only_scans)]


def build_handlers() -> list[BaseHandler]:
    """/checkin and the list's buttons."""
    return [
        CommandHandler("checkin", checkin_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(checkin_page, pattern(Action.CHECKIN_EVENT)),
        CallbackQueryHandler(tap, pattern(Action.CHECKIN_TAP)),
        CallbackQueryHandler(check_in_anyway, pattern(Action.CHECKIN_FORCE)),
    ]
