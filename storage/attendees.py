"""What organisers see of an event's registrations: the attendee list, its CSV file, check-in
and the figures per event.

Everything here reads the registration rows; the only write is :func:`check_in`. The CSV file is
a file format like the program file (its column names are keys, not UI text) and the same bytes
come out of the bot's /teilnehmer and ``python run.py attendees EVENT_ID``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from domain.models import EventStatus, Registration, RegistrationStatus
from storage.db import Connection, Database, Row, from_db_time, to_db_time
from storage.registrations import registration_from_row

CSV_COLUMNS = (
    "name",
    "status",
    "waitlist_position",
    "signed_up_at",
    "confirmed_at",
    "cancelled_at",
    "checked_in_at",
)
CSV_BOM = "\ufeff"  # so that Excel reads UTF-8
CSV_TIME = "%Y-%m-%d %H:%M"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # Excel would run these as formulas

_STATUS_ORDER = "CASE status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END"
_ATTENDEE_COLUMNS = (
    "id, event_id, user_id, name, status, ticket, created_at, confirmed_at, cancelled_at,"
    " checked_in_at,"
    " CASE WHEN status = 'waitlisted'"
    "  THEN row_number() OVER (PARTITION BY status ORDER BY id) END AS waitlist_position"
)


async def attendee_list(db: Database, event_id: str) -> list[Registration]:
    """Every registration of an event: confirmed, then the waitlist in order, then cancelled."""
    rows = await db.fetch_all(
        f"SELECT {_ATTENDEE_COLUMNS} FROM registrations WHERE event_id = ?"
        f" ORDER BY {_STATUS_ORDER}, id",
        (event_id,),
    )
    return [registration_from_row(row) for row in rows]


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
        f"SELECT {_ATTENDEE_COLUMNS} FROM registrations WHERE event_id = ?"
        " AND status = 'confirmed' ORDER BY lower(coalesce(name, '')), id LIMIT ? OFFSET ?",
        (event_id, limit, offset),
    )
    return [registration_from_row(row) for row in rows], total


def _csv_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(CSV_TIME) if moment else ""


async def attendees_csv(db: Database, event_id: str, tz: tzinfo) -> str | None:
    """The attendee list of one event as CSV text (UTF-8 BOM, ``;``, CRLF, local times), or
    ``None`` when there is no such event."""
    if await db.fetch_value("SELECT 1 FROM events WHERE id = ?", (event_id,)) is None:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for registration in await attendee_list(db, event_id):
        writer.writerow(
            (
                _csv_cell(registration.name or ""),
                registration.status.value,
                registration.waitlist_position or "",
                _csv_time(registration.created_at, tz),
                _csv_time(registration.confirmed_at, tz),
                _csv_time(registration.cancelled_at, tz),
                _csv_time(registration.checked_in_at, tz),
            )
        )
    return CSV_BOM + buffer.getvalue()


# --- check-in ------------------------------------------------------------------------------


class CheckInOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"  # checked in before
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # the registration was cancelled
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CheckInResult:
    outcome: CheckInOutcome
    registration: Registration | None = None


def _registration_in(conn: Connection, registration_id: int) -> Registration | None:
    row = conn.execute(
        f"SELECT * FROM (SELECT {_ATTENDEE_COLUMNS} FROM registrations"
        "  WHERE event_id = (SELECT event_id FROM registrations WHERE id = ?1))"
        " WHERE id = ?1",
        (registration_id,),
    ).fetchone()
    return None if row is None else registration_from_row(row)


def _check_in(conn: Connection, registration_id: int, now: datetime) -> CheckInResult:
    registration = _registration_in(conn, registration_id)
    if registration is None:
        return CheckInResult(CheckInOutcome.UNKNOWN)
    if registration.status is RegistrationStatus.WAITLISTED:
        return CheckInResult(CheckInOutcome.WAITLISTED, registration)
    if registration.status is RegistrationStatus.CANCELLED:
        return CheckInResult(CheckInOutcome.CANCELLED, registration)
    if registration.checked_in_at is not None:
        return CheckInResult(CheckInOutcome.ALREADY, registration)
    conn.execute(
        "UPDATE registrations SET checked_in_at = ? WHERE id = ?",
        (to_db_time(now), registration_id),
    )
    stamp = from_db_time(to_db_time(now))  # as stored: whole seconds, UTC
    return CheckInResult(
        CheckInOutcome.CHECKED_IN, dataclasses.replace(registration, checked_in_at=stamp)
    )


async def check_in(db: Database, registration_id: int, now: datetime) -> CheckInResult:
    """Mark a confirmed registration as checked in (once: the first moment stays)."""
    return await db.write(_check_in, registration_id, now)


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

    def is_over(self, now: datetime) -> bool:
        """The evening has ended (or, without an end, begun): absentees are no-shows."""
        return (self.ends_at or self.starts_at) <= now

    def no_shows(self, now: datetime) -> int | None:
        """Confirmed but not checked in, once the event is over; ``None`` before that."""
        if not self.is_over(now) or self.status is EventStatus.CANCELLED:
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
    " coalesce(sum(r.status = 'confirmed' AND r.checked_in_at IS NOT NULL), 0) AS checked_in"
)


def _figures(row: Row) -> EventFigures:
    return EventFigures(
        id=row["id"],
        title=row["title"],
        starts_at=from_db_time(row["starts_at"]),  # type: ignore[arg-type]
        ends_at=from_db_time(row["ends_at"]),
        status=EventStatus(row["status"]),
        capacity=row["capacity"],
        confirmed=row["confirmed"],
        waitlisted=row["waitlisted"],
        cancelled=row["cancelled"],
        checked_in=row["checked_in"],
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
    return await db.fetch_value(
        f"SELECT count(*) FROM events e WHERE {_filter(upcoming_only, scheduled_only)}",
        (to_db_time(now),) if upcoming_only else (),
    )


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
