"""Check-in by ticket: the attendee's QR opens ``/start ci_<ticket>``; for an organiser that
checks the person in (or says why not), for anyone else the answer is the same whatever the
ticket. Also what the organiser reads after a scan or a tap in the door list
(:mod:`handlers.door.checkin`), and the buttons under it.

Whether a check-in (or its undoing) is possible is :mod:`domain.standing`'s answer, asked inside
the write.
"""

from __future__ import annotations

import re

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import Action, Callback, pack
from bot.context import BotContext
from domain.models import Event, EventStatus, Registration
from handlers.ui.guard import is_door_staff
from handlers.ui.reader import renderer
from storage import attendees as attendee_store
from storage import events as event_store
from storage import registrations as registration_store
from storage.attendees import CheckInOutcome, CheckInResult

CHECKIN_DEEP_LINK_PREFIX = "ci_"
TICKET = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SEARCH_VIEW = "s"  # the view of a button: the search results, not a page of the list
SCAN_VIEW = "n"  # the answer to a scan


def name_of(context: BotContext, registration: Registration) -> str:
    """The name a person registered under (or "anonymous" after a deletion)."""
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
        "name": name_of(context, registration),
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
    if result.outcome is CheckInOutcome.EVENT_CANCELLED:
        return context.text("checkin.event_cancelled", name=values["name"], title=event.title)
    if result.outcome is CheckInOutcome.OUTSIDE_WINDOW:
        when = renderer(context).when(event.starts_at)
        return context.text("checkin.other_day", name=values["name"], title=event.title, when=when)
    if result.outcome in (CheckInOutcome.UNDONE, CheckInOutcome.NOT_CHECKED_IN):
        return context.text("checkin.undone", **values)
    return context.text("checkin.cancelled", **values)


def list_button(context: BotContext, event_id: str, view: str = "0") -> InlineKeyboardButton:
    """Back to where the organiser came from: the list page or the search results."""
    searched = view == SEARCH_VIEW
    key = "checkin.back_to_search" if searched else "checkin.back_to_list"
    target = view if searched or view.isdigit() else "0"
    return InlineKeyboardButton(
        context.plain(key), callback_data=pack(Action.CHECKIN_EVENT, event_id, target)
    )


def to_picker(context: BotContext) -> InlineKeyboardMarkup:
    """The way on where no evening is known: the evenings to check people in for."""
    return InlineKeyboardMarkup([[context.button("admin.checkin", Action.CHECKIN_LIST)]])


def result_markup(context: BotContext, result: CheckInResult, view: str) -> InlineKeyboardMarkup:
    """The ways on under a result: undo a check-in, check in anyway, back to the list."""
    registration = result.registration
    if registration is None:  # an unknown ticket: no list to go back to, the evenings then
        return to_picker(context)
    rows = []
    if result.outcome in (CheckInOutcome.CHECKED_IN, CheckInOutcome.ALREADY):
        undo = pack(Action.CHECKIN_UNDO, registration.id, view)
        rows.append([InlineKeyboardButton(context.plain("checkin.undo"), callback_data=undo)])
    if result.outcome is CheckInOutcome.OUTSIDE_WINDOW:
        force = pack(Action.CHECKIN_FORCE, registration.id, view)
        rows.append([InlineKeyboardButton(context.plain("checkin.anyway"), callback_data=force)])
    rows.append([list_button(context, registration.event_id, view)])
    return InlineKeyboardMarkup(rows)


# --- the QR code ---------------------------------------------------------------------------


async def scan(update: Update, context: BotContext) -> None:
    """``/start ci_<ticket>``: check the holder in (organisers only)."""
    message = update.effective_message
    if not is_door_staff(update, context):
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
    event = registration and await event_store.get_event(context.db, registration.event_id)
    if registration is None or event is None:
        await message.reply_text(context.text("checkin.unknown"), reply_markup=to_picker(context))
        return
    if event.status is EventStatus.CANCELLED:
        result = CheckInResult(CheckInOutcome.EVENT_CANCELLED, registration)
    else:
        result = await attendee_store.check_in(context.db, registration.id, context.now())
    await message.reply_text(
        result_text(context, result, event), reply_markup=result_markup(context, result, SCAN_VIEW)
    )


def view_of(callback: Callback | None, index: int = 1) -> str:
    """Which view a button came from (offset, search, scan); a scan's when unreadable."""
    view = (callback.arg(index) if callback else None) or SCAN_VIEW
    return view if view in (SEARCH_VIEW, SCAN_VIEW) or view.isdigit() else SCAN_VIEW


def plain_result(context: BotContext, result: CheckInResult) -> str:
    """A short result for a pop-up (waitlist, cancelled sign-up or evening)."""
    name = name_of(context, result.registration)  # type: ignore[arg-type]
    if result.outcome is CheckInOutcome.WAITLISTED:
        return context.plain("checkin.waitlisted_short", name=name)
    if result.outcome is CheckInOutcome.EVENT_CANCELLED:
        return context.plain("checkin.event_cancelled_short", name=name)
    return context.plain("checkin.cancelled_short", name=name)
