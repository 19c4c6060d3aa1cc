"""Reminders (PRODUCT §4): the outbox renderer and the planner job.

The database decides what is due (``storage.reminders``); the JobQueue only asks it every
:data:`CHECK_SECONDS` and once at start-up (the catch-up after downtime), and the paced sender
(``bot.sending.sender``) delivers the queued rows. The reminder is rendered when it is sent, in the
recipient's stored language, and not at all if it no longer applies (sign-up cancelled, event
moved, cancelled or begun).

The message itself (:func:`handlers.ui.registration.reminder_content`) is shared with the
attendee's buttons under it: "Ich kann nicht kommen" is a cancellation button with the origin
``ORIGIN_REMINDER`` (asking, cancelling and keeping live in ``handlers.attendee.cancellation``,
which shows the reminder again when the sign-up is kept) and "Ich komme" is
``handlers.attendee.attendance``.
"""

from __future__ import annotations

from typing import Any

from bot.context import BotData
from bot.jobs import Planner
from bot.outgoing import OutgoingMessage
from domain.notices import NoticeKind
from handlers.notices.notifications import concerned
from handlers.ui.registration import reminder_content
from storage import attendance as attendance_store
from storage.attendance import COMING
from storage.db import from_db_time
from storage.reminders import plan_due_reminders

REMINDERS_JOB = "reminders"
CHECK_SECONDS = 30  # how late a reminder may go out at most (plus the sender's heartbeat)


# --- the message -----------------------------------------------------------------------------


async def render_reminder(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``reminder``; ``None`` when it no longer applies (sign-up cancelled, event
    cancelled, begun, or moved: the new time has reminders of its own)."""
    planned = payload.get("starts_at")
    reminded_start = from_db_time(planned) if isinstance(planned, str) else None
    about = await concerned(data, NoticeKind.REMINDER, payload, reminded_start)
    if about is None:
        return None
    event, registration = about
    assert registration is not None  # still_applies: a reminder names its seat
    coming = await attendance_store.answer_of(data.db, registration.id) == COMING
    text, markup = reminder_content(
        data.translator, lang, data.settings.tz, event, registration, coming=coming
    )
    return OutgoingMessage.html(text, markup)


# --- jobs --------------------------------------------------------------------------------------


async def plan_reminders(data: BotData) -> int:
    """Queue the reminders that are due now (only the latest missed one per person after a
    downtime); returns how many. The queued rows wake the sender when they commit."""
    return await plan_due_reminders(data.db, data.clock.now(), data.settings.reminder_offsets)


# Checked every CHECK_SECONDS (bot.jobs.start_planners arms it in post_init).
PLANNER = Planner(name=REMINDERS_JOB, every=CHECK_SECONDS, plan=plan_reminders)
