"""Sign-ups, the waitlist and cancellations: the seat rules of PRODUCT §4 and §6 in one place.

Seats are never counted in a column: every decision counts the registration rows inside the
same ``BEGIN IMMEDIATE`` transaction that writes the new row, so no two sign-ups can both take
the last seat, however many arrive at once and from however many processes.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from domain.models import Event, EventStatus, Registration, RegistrationStatus
from storage import outbox
from storage.db import Database, from_db_time, run_in_writer, to_db_time

TICKET_BYTES = 24  # 192 bits from the OS's CSPRNG; printed as 32 URL-safe characters


class SignUpOutcome(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ALREADY_CONFIRMED = "already_confirmed"
    ALREADY_WAITLISTED = "already_waitlisted"
    UNKNOWN_EVENT = "unknown_event"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_PAST = "event_past"
    REGISTRATION_CLOSED = "registration_closed"  # after registration_closes
    NO_REGISTRATION = "no_registration"  # capacity 0


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_FOUND = "not_found"  # unknown id, or not this user's
    EVENT_PAST = "event_past"


@dataclass(frozen=True, slots=True)
class SignUpResult:
    outcome: SignUpOutcome
    registration: Registration | None = None


@dataclass(frozen=True, slots=True)
class CancelResult:
    outcome: CancelOutcome
    registration: Registration | None = None
    promoted_user_ids: tuple[int, ...] = ()


def new_ticket() -> str:
    """An unguessable ticket token (URL-safe, fits a ``/start ci_<ticket>`` deep link)."""
    return secrets.token_urlsafe(TICKET_BYTES)


_REGISTRATION_COLUMNS = (
    "r.id, r.event_id, r.user_id, r.name, r.status, r.ticket, r.created_at, r.confirmed_at,"
    " r.cancelled_at, r.checked_in_at,"
    " CASE WHEN r.status = 'waitlisted' THEN (SELECT count(*) FROM registrations w"
    "   WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.id <= r.id)"
    " END AS waitlist_position"
)


def registration_from_row(row: aiosqlite.Row) -> Registration:
    """A registration from a row with the columns of ``_REGISTRATION_COLUMNS`` (any query
    that selects the same names, e.g. the attendee list, may use it)."""
    return Registration(
        id=row["id"],
        event_id=row["event_id"],
        user_id=row["user_id"],
        name=row["name"],
        status=RegistrationStatus(row["status"]),
        ticket=row["ticket"],
        created_at=from_db_time(row["created_at"]),  # type: ignore[arg-type]
        confirmed_at=from_db_time(row["confirmed_at"]),
        cancelled_at=from_db_time(row["cancelled_at"]),
        checked_in_at=from_db_time(row["checked_in_at"]),
        waitlist_position=row["waitlist_position"],
    )


# The transactions below are plain functions run by ``Database.write`` as ONE call on the
# writer's thread (a sign-up is seven statements; handing each over to the thread and back
# cost more than running them). The async ``*_in`` wrappers run the same functions inside a
# caller's ``Database.transaction``.


def _one(conn: sqlite3.Connection, where: str, params: tuple) -> Registration | None:
    row = conn.execute(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r WHERE {where}", params
    ).fetchone()
    return None if row is None else registration_from_row(row)


def _confirmed_count(conn: sqlite3.Connection, event_id: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM registrations WHERE event_id = ? AND status = 'confirmed'",
        (event_id,),
    ).fetchone()[0]


def _sign_up(
    conn: sqlite3.Connection, event_id: str, user_id: int, name: str, now: datetime
) -> SignUpResult:
    event = conn.execute(
        "SELECT status, starts_at, registration_closes_at, capacity FROM events WHERE id = ?",
        (event_id,),
    ).fetchone()
    if event is None:
        return SignUpResult(SignUpOutcome.UNKNOWN_EVENT)
    existing = _one(
        conn, "r.event_id = ? AND r.user_id = ? AND r.status != 'cancelled'", (event_id, user_id)
    )
    if existing is not None:
        already = (
            SignUpOutcome.ALREADY_CONFIRMED
            if existing.status is RegistrationStatus.CONFIRMED
            else SignUpOutcome.ALREADY_WAITLISTED
        )
        return SignUpResult(already, existing)
    stamp = to_db_time(now)
    if event["status"] == EventStatus.CANCELLED:
        return SignUpResult(SignUpOutcome.EVENT_CANCELLED)
    if event["starts_at"] <= stamp:
        return SignUpResult(SignUpOutcome.EVENT_PAST)
    if (event["registration_closes_at"] or event["starts_at"]) <= stamp:
        return SignUpResult(SignUpOutcome.REGISTRATION_CLOSED)
    capacity = event["capacity"]
    if capacity == 0:
        return SignUpResult(SignUpOutcome.NO_REGISTRATION)
    seat_free = capacity is None or _confirmed_count(conn, event_id) < capacity
    status = RegistrationStatus.CONFIRMED if seat_free else RegistrationStatus.WAITLISTED
    conn.execute(
        "INSERT INTO users (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
        (user_id, stamp),
    )
    cursor = conn.execute(
        "INSERT INTO registrations (event_id, user_id, name, status, ticket, created_at,"
        " confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event_id, user_id, name, status.value, new_ticket(), stamp, stamp if seat_free else None),
    )
    registration = _one(conn, "r.id = ?", (cursor.lastrowid,))
    outcome = SignUpOutcome.CONFIRMED if seat_free else SignUpOutcome.WAITLISTED
    return SignUpResult(outcome, registration)


async def sign_up(
    db: Database, event_id: str, user_id: int, name: str, now: datetime
) -> SignUpResult:
    """Sign ``user_id`` up for ``event_id``: confirmed while seats are free, else waitlisted."""
    return await db.write(_sign_up, event_id, user_id, name, now)


def _promote_waitlist(conn: sqlite3.Connection, event_id: str, now: datetime) -> list[int]:
    event = conn.execute(
        "SELECT capacity, status, starts_at FROM events WHERE id = ?", (event_id,)
    ).fetchone()
    stamp = to_db_time(now)
    if event is None or event["status"] != EventStatus.SCHEDULED or event["starts_at"] <= stamp:
        return []
    if event["capacity"] is None:
        limit = -1  # unlimited: everyone moves up
    else:
        limit = event["capacity"] - _confirmed_count(conn, event_id)
        if limit <= 0:
            return []
    chosen = conn.execute(
        "SELECT id, user_id FROM registrations WHERE event_id = ? AND status = 'waitlisted'"
        " ORDER BY id LIMIT ?",
        (event_id, limit),
    ).fetchall()
    promoted = []
    for row in chosen:
        conn.execute(
            "UPDATE registrations SET status = 'confirmed', confirmed_at = ? WHERE id = ?",
            (stamp, row["id"]),
        )
        if row["user_id"] is not None:
            promoted.append(row["user_id"])
            outbox.enqueue_sync(
                conn,
                row["user_id"],
                outbox.OutboxKind.PROMOTED,
                {"event_id": event_id, "registration_id": row["id"]},
                now,
            )
    return promoted


async def promote_waitlist(conn: aiosqlite.Connection, event_id: str, now: datetime) -> list[int]:
    """Move waitlisted people up into free seats, first come first served, inside the caller's
    transaction; queue a message for each. Returns the promoted user ids."""
    return await run_in_writer(conn, _promote_waitlist, event_id, now)


def _cancel(
    conn: sqlite3.Connection, registration_id: int, user_id: int | None, now: datetime
) -> CancelResult:
    registration = _one(conn, "r.id = ?", (registration_id,))
    if registration is None or (user_id is not None and registration.user_id != user_id):
        return CancelResult(CancelOutcome.NOT_FOUND)
    if registration.status is RegistrationStatus.CANCELLED:
        return CancelResult(CancelOutcome.ALREADY_CANCELLED, registration)
    event = conn.execute(
        "SELECT starts_at FROM events WHERE id = ?", (registration.event_id,)
    ).fetchone()
    if event is not None and event["starts_at"] <= to_db_time(now) and user_id is not None:
        return CancelResult(CancelOutcome.EVENT_PAST, registration)
    conn.execute(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
        (to_db_time(now), registration_id),
    )
    promoted: list[int] = []
    if registration.status is RegistrationStatus.CONFIRMED:
        promoted = _promote_waitlist(conn, registration.event_id, now)
    return CancelResult(CancelOutcome.CANCELLED, registration, tuple(promoted))


async def cancel_in(
    conn: aiosqlite.Connection, registration_id: int, user_id: int | None, now: datetime
) -> CancelResult:
    """Cancel one registration inside the caller's transaction (``user_id`` None: organiser or
    data deletion, no owner check); a freed seat goes to the waitlist at once."""
    return await run_in_writer(conn, _cancel, registration_id, user_id, now)


async def cancel(
    db: Database, registration_id: int, user_id: int | None, now: datetime
) -> CancelResult:
    """Cancel a registration (owner-checked when ``user_id`` is given), in one transaction."""
    return await db.write(_cancel, registration_id, user_id, now)


async def get_registration(db: Database, registration_id: int) -> Registration | None:
    """One registration by id, with its waitlist position."""
    row = await db.fetch_one(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r WHERE r.id = ?", (registration_id,)
    )
    return None if row is None else registration_from_row(row)


async def active_registration(db: Database, event_id: str, user_id: int) -> Registration | None:
    """The user's confirmed or waitlisted registration for an event, if any."""
    row = await db.fetch_one(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r"
        " WHERE r.event_id = ? AND r.user_id = ? AND r.status != 'cancelled'",
        (event_id, user_id),
    )
    return None if row is None else registration_from_row(row)


async def registrations_of_user(
    db: Database, user_id: int, upcoming_after: datetime | None = None
) -> list[Registration]:
    """The user's active registrations (of events starting after ``upcoming_after`` if given),
    in the order of the events' start."""
    after = to_db_time(upcoming_after) if upcoming_after else ""
    rows = await db.fetch_all(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.user_id = ? AND r.status != 'cancelled' AND e.starts_at > ?"
        " ORDER BY e.starts_at, e.id",
        (user_id, after),
    )
    return [registration_from_row(row) for row in rows]


async def registration_by_ticket(db: Database, ticket: str) -> Registration | None:
    """The registration holding ``ticket``, or ``None``."""
    row = await db.fetch_one(
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r WHERE r.ticket = ?", (ticket,)
    )
    return None if row is None else registration_from_row(row)


def sign_up_blocker(event: Event, now: datetime) -> SignUpOutcome | None:
    """Why nobody can sign up for ``event`` at ``now`` (the rules :func:`sign_up` applies in its
    transaction), or ``None`` when sign-up is open. Dialogues use it to answer before asking
    a first-time user for name and consent; :func:`sign_up` still decides."""
    if event.status is EventStatus.CANCELLED:
        return SignUpOutcome.EVENT_CANCELLED
    if event.starts_at <= now:
        return SignUpOutcome.EVENT_PAST
    if event.registration_deadline <= now:
        return SignUpOutcome.REGISTRATION_CLOSED
    if event.capacity == 0:
        return SignUpOutcome.NO_REGISTRATION
    return None
