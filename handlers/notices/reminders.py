"""Reminders (PRODUCT §4): the message, its "Ich kann nicht kommen" button, and the jobs.

The database decides what is due (``storage.reminders``); the JobQueue only asks it every
:data:`CHECK_SECONDS` and once at start-up (the catch-up after downtime), and the paced sender
(``bot.sending.sender``) delivers the queued rows. The reminder is rendered when it is sent, in the
recipient's stored language, and not at all if it no longer applies (sign-up cancelled, event
moved, cancelled or begun).

"Ich kann nicht kommen" is a cancellation button with the origin :data:`ORIGIN_REMINDER`: asking,
cancelling and keeping live in ``handlers.attendee.cancellation``, which shows
:func:`reminder_content` again when the sign-up is kept.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, pack
from bot.context import BotData
from bot.i18n import Translator
from bot.jobs import Planner
from bot.render import Renderer
from bot.sending.outgoing import OutgoingMessage
from domain.models import Event, Registration
from domain.notices import NoticeKind
from handlers.notices.notifications import concerned
from storage import attendance as attendance_store
from storage.attendance import COMING
from storage.db import from_db_time
from storage.reminders import plan_due_reminders

REMINDERS_JOB = "reminders"
CHECK_SECONDS = 30  # how late a reminder may go out at most (plus the sender's heartbeat)
ORIGIN_REMINDER = (
    "r"  # cancellation origin of "Ich kann nicht kommen" (see handlers.attendee.cancellation)
)


# --- the message -----------------------------------------------------------------------------


def reminder_content(
    translator: Translator,
    lang: str,
    tz: ZoneInfo,
    event: Event,
    registration: Registration,
    *,
    coming: bool = False,
) -> tuple[Markup, InlineKeyboardMarkup]:
    """Text and buttons of a reminder: title, date and time, venue and address; venue and
    ticket buttons and the attendance question "Ich komme" / "Ich kann nicht kommen" (once
    "Ich komme" is recorded, a note says so and only "Ich kann nicht kommen" is left)."""
    render = Renderer(translator, lang, tz)
    if event.address:
        where = render.text("reminders.where_address", venue=event.venue, address=event.address)
    else:
        where = render.text("reminders.where", venue=event.venue)
    text = render.text(
        "reminders.text", title=event.title, when=render.event_time(event), where=where
    )
    if coming:
        text = Markup() + text + "\n\n" + render.text("reminders.coming_recorded")
    answers = [
        InlineKeyboardButton(
            translator.plain(lang, "reminders.button_cant_come"),
            callback_data=pack(Action.CANCEL, registration.id, ORIGIN_REMINDER),
        )
    ]
    if not coming:
        coming_button = InlineKeyboardButton(
            translator.plain(lang, "reminders.button_coming"),
            callback_data=pack(Action.ATTEND, registration.id),
        )
        answers.insert(0, coming_button)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    translator.plain(lang, "reminders.button_venue"),
                    callback_data=pack(Action.VENUE, event.id),
                ),
                InlineKeyboardButton(
                    translator.plain(lang, "reminders.button_ticket"),
                    callback_data=pack(Action.TICKET, registration.id),
                ),
            ],
            answers,
        ]
    )
    return text, markup


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
