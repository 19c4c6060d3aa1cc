"""What organisers see of an event's registrations: the attendee list (its CSV file is
``bot.files.attendee_csv``), check-in and the figures per event.

Everything here reads the registration rows; the only writes are check-in and its undoing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.evening import door_check_used, is_over
from domain.models import EventStatus, Registration
from domain.standing import Refusal, may_check_in, may_undo_check_in
from storage.db import Connection, Database, Row, from_db_time, from_db_time_required, to_db_time
from storage.event_rows import event_in
from storage.registration_rows import REGISTRATION_COLUMNS, registration_from_row, registration_in

_STATUS_ORDER = "CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END"


async def attendee_list(db: Database, event_id: str) -> list[Registration]:
    """Every registration of an event: confirmed, then the waitlist in order, then cancelled."""
    rows = await db.fetch_all(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.event_id = ?"
        f" ORDER BY {_STATUS_ORDER}, r.id",
        (event_id,),
    )
    return [registration_from_row(row) for row in rows]


@dataclass(frozen=True, slots=True)
class CertifiedAttendee:
    """One line of an evening's Meldeliste: a checked-in attendee, the hours and the number of
    their valid certificate (``None`` until it is issued, at the evening's end)."""

    name: str
    checked_in_at: datetime
    hours: float
    number: str | None


async def meldeliste(db: Database, event_id: str) -> list[CertifiedAttendee]:
    """The checked-in attendees of an evening with ``cpd_hours`` by name, each with the hours
    and certificate number (PRODUCT §5): the records behind certificates
    (``domain.retention.is_certificate_record``) whose name is still stored."""
    rows = await db.fetch_all(
        "SELECT r.name, r.checked_in_at, coalesce(c.hours, e.cpd_hours) AS hours, c.number"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " LEFT JOIN certificate_numbers c ON c.registration_id = r.id"
        "  AND c.withdrawn_at IS NULL AND c.replaced_by IS NULL"
        " WHERE r.event_id = ? AND e.cpd_hours IS NOT NULL AND r.status = 'confirmed'"
        " AND r.checked_in_at IS NOT NULL AND r.name IS NOT NULL"
        " ORDER BY lower(r.name), r.id",
        (event_id,),
    )
    return [
        CertifiedAttendee(
            row["name"], from_db_time_required(row["checked_in_at"]), row["hours"], row["number"]
        )
        for row in rows
    ]


async def check_in_page(
    db: Database, event_id: str, limit: int, offset: int
) -> tuple[list[Registration], int]:
    """One page of the confirmed attendees, by name (as people arrive at the door), and how
    many there are in all."""
    total = await db.fetch_value(
        "SELECT count(*) FROM registrations WHERE event_id = ? AND status = 'confirmed'",
        (event_id,),
    )
    rows = await db.fetch_all(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.event_id = ?"
        " AND r.status = 'confirmed' ORDER BY lower(coalesce(r.name, '')), r.id LIMIT ? OFFSET ?",
        (event_id, limit, offset),
    )
    return [registration_from_row(row) for row in rows], total


async def confirmed_attendees(db: Database, event_id: str) -> list[Registration]:
    """Every confirmed registration of an event, by name: what a search at the door looks in."""
    rows = await db.fetch_all(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.event_id = ?"
        " AND r.status = 'confirmed' ORDER BY lower(coalesce(r.name, '')), r.id",
        (event_id,),
    )
    return [registration_from_row(row) for row in rows]


# --- check-in ------------------------------------------------------------------------------


class CheckInOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"  # checked in before
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # the registration was cancelled
    EVENT_CANCELLED = "event_cancelled"
    OUTSIDE_WINDOW = "outside_window"  # another day: the organiser is asked first
    UNDONE = "undone"  # a check-in taken back
    NOT_CHECKED_IN = "not_checked_in"  # nothing to take back
    UNKNOWN = "unknown"


_OUTCOME_OF = {
    Refusal.WAITLISTED: CheckInOutcome.WAITLISTED,
    Refusal.ALREADY_CANCELLED: CheckInOutcome.CANCELLED,
    Refusal.EVENT_CANCELLED: CheckInOutcome.EVENT_CANCELLED,
    Refusal.ALREADY_CHECKED_IN: CheckInOutcome.ALREADY,
    Refusal.OUTSIDE_CHECK_IN_WINDOW: CheckInOutcome.OUTSIDE_WINDOW,
    Refusal.NOT_CHECKED_IN: CheckInOutcome.NOT_CHECKED_IN,
}


@dataclass(frozen=True, slots=True)
class CheckInResult:
    outcome: CheckInOutcome
    registration: Registration | None = None


def _check_in(
    conn: Connection, registration_id: int, now: datetime, anyway: bool
) -> CheckInResult:
    registration = registration_in(conn, registration_id)
    event = None if registration is None else event_in(conn, registration.event_id)
    if registration is None or event is None:
        return CheckInResult(CheckInOutcome.UNKNOWN)
    refusal = may_check_in(event, registration, now, anyway=anyway)
    if refusal is not None:
        return CheckInResult(_OUTCOME_OF.get(refusal, CheckInOutcome.UNKNOWN), registration)
    conn.execute(
        "UPDATE registrations SET checked_in_at = ? WHERE id = ?",
        (to_db_time(now), registration_id),
    )
    stamp = from_db_time_required(to_db_time(now))  # as stored: whole seconds, UTC
    return CheckInResult(
        CheckInOutcome.CHECKED_IN, dataclasses.replace(registration, checked_in_at=stamp)
    )


async def check_in(
    db: Database, registration_id: int, now: datetime, anyway: bool = False
) -> CheckInResult:
    """Mark a confirmed registration as checked in (once: the first moment stays), as
    :func:`domain.standing.may_check_in` allows; ``anyway``: outside the window, confirmed."""
    return await db.write(_check_in, registration_id, now, anyway)


def _undo_check_in(conn: Connection, registration_id: int) -> CheckInResult:
    registration = registration_in(conn, registration_id)
    event = None if registration is None else event_in(conn, registration.event_id)
    if registration is None or event is None:
        return CheckInResult(CheckInOutcome.UNKNOWN)
    refusal = may_undo_check_in(event, registration)
    if refusal is not None:
        return CheckInResult(_OUTCOME_OF.get(refusal, CheckInOutcome.UNKNOWN), registration)
    conn.execute("UPDATE registrations SET checked_in_at = NULL WHERE id = ?", (registration_id,))
    return CheckInResult(
        CheckInOutcome.UNDONE, dataclasses.replace(registration, checked_in_at=None)
    )


async def undo_check_in(db: Database, registration_id: int) -> CheckInResult:
    """Take a check-in back (a mis-tap at the door), as the domain allows."""
    return await db.write(_undo_check_in, registration_id)


# --- events as organisers see them ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFigures:
    """One event with the figures of its registrations."""

    id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    status: EventStatus
    capacity: int | None
    confirmed: int
    waitlisted: int
    cancelled: int
    checked_in: int  # confirmed and checked in
    coming: int = 0  # confirmed who answered a reminder with "Ich komme"
    declined: int = 0  # cancelled from a reminder ("Ich kann nicht kommen")
    coming_checked_in: int = 0  # of ``coming``, checked in

    @property
    def no_answer(self) -> int:
        """Confirmed attendees who have not answered the attendance question."""
        return self.confirmed - self.coming

    def was_held(self, now: datetime) -> bool:
        """The evening took place and is over."""
        return is_over(self, now) and self.status is not EventStatus.CANCELLED

    def no_shows(self, now: datetime) -> int | None:
        """Confirmed but not checked in, once the event is over and only where the door check
        was used; ``None`` otherwise (before, cancelled, or nobody checked in)."""
        if not self.was_held(now) or not door_check_used(self.checked_in):
            return None
        return self.confirmed - self.checked_in


# Current and upcoming events first (soonest first), then past ones (latest first). An evening
# that began less than CURRENT_FOR ago (?4) still counts as current: the door is still open.
CURRENT_FOR = timedelta(hours=12)


_ORGANISER_ORDER = (
    "e.starts_at <= ?4, CASE WHEN e.starts_at > ?4 THEN e.starts_at END, e.starts_at DESC, e.id"
)
_FIGURES = (
    "SELECT e.id, e.title, e.starts_at, e.ends_at, e.status, e.capacity,"
    " coalesce(sum(r.status = 'confirmed'), 0) AS confirmed,"
    " coalesce(sum(r.status = 'waitlisted'), 0) AS waitlisted,"
    " coalesce(sum(r.status = 'cancelled'), 0) AS cancelled,"
    " coalesce(sum(r.status = 'confirmed' AND r.checked_in_at IS NOT NULL), 0) AS checked_in,"
    " coalesce(sum(r.status = 'confirmed' AND r.attendance = 'coming'), 0) AS coming,"
    " coalesce(sum(r.attendance = 'declined'), 0) AS declined,"
    " coalesce(sum(r.status = 'confirmed' AND r.attendance = 'coming'"
    "  AND r.checked_in_at IS NOT NULL), 0) AS coming_checked_in"
)


def _figures(row: Row) -> EventFigures:
    return EventFigures(
        id=row["id"],
        title=row["title"],
        starts_at=from_db_time_required(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        status=EventStatus(row["status"]),
        capacity=row["capacity"],
        confirmed=row["confirmed"],
        waitlisted=row["waitlisted"],
        cancelled=row["cancelled"],
        checked_in=row["checked_in"],
        coming=row["coming"],
        declined=row["declined"],
        coming_checked_in=row["coming_checked_in"],
    )


def _filter(upcoming_only: bool, scheduled_only: bool) -> str:
    """The WHERE condition for the chosen events (parameter ``?1``: now). Only the conditions
    that apply are written, so that ``starts_at > ?1`` can use the index on ``starts_at``
    (an ``(?all OR starts_at > ?now)`` form made SQLite scan every event)."""
    conditions = ["1"]
    if upcoming_only:
        conditions.append("e.starts_at > ?1")
    if scheduled_only:
        conditions.append("e.status = 'scheduled'")
    return " AND ".join(conditions)


async def count_events(
    db: Database, now: datetime, upcoming_only: bool = False, scheduled_only: bool = False
) -> int:
    """How many events :func:`event_figures` pages through."""
    count: int = await db.fetch_value(
        f"SELECT count(*) FROM events e WHERE {_filter(upcoming_only, scheduled_only)}",
        (to_db_time(now),) if upcoming_only else (),
    )
    return count


async def event_figures(
    db: Database,
    now: datetime,
    limit: int,
    offset: int = 0,
    upcoming_only: bool = False,
    scheduled_only: bool = False,
) -> list[EventFigures]:
    """A page of events for organisers (upcoming soonest first, then past latest first), each
    with the figures of its registrations."""
    rows = await db.fetch_all(
        f"WITH page AS (SELECT * FROM events e WHERE {_filter(upcoming_only, scheduled_only)}"
        f"  ORDER BY {_ORGANISER_ORDER} LIMIT ?2 OFFSET ?3)"
        f" {_FIGURES} FROM page e LEFT JOIN registrations r ON r.event_id = e.id"
        f" GROUP BY e.id ORDER BY {_ORGANISER_ORDER}",
        (to_db_time(now), limit, offset, to_db_time(now - CURRENT_FOR)),
    )
    return [_figures(row) for row in rows]


async def figures_of(db: Database, event_id: str) -> EventFigures | None:
    """The figures of one event, or ``None`` when there is no such event."""
    row = await db.fetch_one(
        f"{_FIGURES} FROM events e LEFT JOIN registrations r ON r.event_id = e.id"
        " WHERE e.id = ? GROUP BY e.id",
        (event_id,),
    )
    return None if row is None else _figures(row)
