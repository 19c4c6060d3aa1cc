"""Sign-ups, the waitlist and cancellations: the seat rules of PRODUCT §4 and §6 in one place.

Seats are never counted in a column: every decision counts the registration rows inside the
same ``BEGIN IMMEDIATE`` transaction that writes the new row, so no two sign-ups can both take
the last seat, however many arrive at once and from however many processes.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.evening import is_over
from domain.models import Event, Registration, RegistrationStatus, SeatCounts
from domain.standing import (
    Refusal,
    SignUpOutcome,
    may_cancel,
    may_get_certificate,
    may_sign_up,
    seats_to_fill,
    sign_up_outcome,
)
from storage import offers
from storage.db import Database, Row, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row, event_in
from storage.registration_rows import (
    REGISTRATION_COLUMNS,
    registration_from_row,
    registration_in,
)

TICKET_BYTES = 24  # 192 bits from the OS's CSPRNG; printed as 32 URL-safe characters


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_FOUND = "not_found"  # unknown id, or not this user's
    EVENT_PAST = "event_past"  # the evening has begun
    EVENT_CANCELLED = "event_cancelled"  # the sign-up is void; nothing to give up


@dataclass(frozen=True, slots=True)
class SignUpResult:
    outcome: SignUpOutcome
    registration: Registration | None = None
    refusal: Refusal | None = None


@dataclass(frozen=True, slots=True)
class CancelResult:
    outcome: CancelOutcome
    registration: Registration | None = None
    promoted_user_ids: tuple[int, ...] = ()


def new_ticket() -> str:
    """An unguessable ticket token (URL-safe, fits a ``/start ci_<ticket>`` deep link)."""
    return secrets.token_urlsafe(TICKET_BYTES)


# The transactions below are plain functions run by ``Database.write`` on the writer thread:
# each reads its rows, asks ``domain`` to decide and writes, all inside one BEGIN IMMEDIATE.


# An evening's columns prefixed ``e_`` beside a registration's (``id`` and ``status`` clash).
_PREFIXED_EVENT_COLUMNS = ", ".join(
    f"e.{name.strip()} AS e_{name.strip()}" for name in EVENT_COLUMNS.split(",")
)
# A pre-filter for "not over yet" that never drops an evening domain.evening.is_over keeps:
# one without an end lasts two hours, far less than this; one with an end is kept by it.
LONGEST_EVENING = timedelta(days=7)


def _event_of(row: Row) -> Event:
    return event_from_row(
        {k.removeprefix("e_"): row[k] for k in row.keys() if k.startswith("e_")}  # noqa: SIM118
    )


def _one(conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> Registration | None:
    row = conn.execute(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE {where}", params
    ).fetchone()
    return None if row is None else registration_from_row(row)


def active_in(conn: sqlite3.Connection, event_id: str, user_id: int) -> Registration | None:
    """The user's seat or waitlist place for the event (not cancelled), inside the caller's
    ``Database.write`` transaction."""
    return _one(
        conn, "r.event_id = ? AND r.user_id = ? AND r.status != 'cancelled'", (event_id, user_id)
    )


def _seat_counts(conn: sqlite3.Connection, event_id: str) -> SeatCounts:
    row = conn.execute(
        "SELECT coalesce(sum(status = 'confirmed'), 0), coalesce(sum(status = 'waitlisted'), 0)"
        " FROM registrations WHERE event_id = ?",
        (event_id,),
    ).fetchone()
    return SeatCounts(
        confirmed=row[0], waitlisted=row[1], offered=offers.offered_count(conn, event_id)
    )


def _sign_up(
    conn: sqlite3.Connection, event_id: str, user_id: int, name: str, now: datetime
) -> SignUpResult:
    event = event_in(conn, event_id)
    if event is None:
        return SignUpResult(SignUpOutcome.UNKNOWN_EVENT)
    existing = _one(
        conn, "r.event_id = ? AND r.user_id = ? AND r.status != 'cancelled'", (event_id, user_id)
    )
    refusal = may_sign_up(event, existing, now)
    if refusal is not None:
        return SignUpResult(SignUpOutcome.REFUSED, existing, refusal)
    outcome = sign_up_outcome(event, _seat_counts(conn, event_id))
    seat = outcome is SignUpOutcome.CONFIRMED
    status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
    stamp = to_db_time(now)
    conn.execute(
        "INSERT INTO users (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
        (user_id, stamp),
    )
    cursor = conn.execute(
        "INSERT INTO registrations (event_id, user_id, name, status, ticket, created_at,"
        " confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event_id, user_id, name, status.value, new_ticket(), stamp, stamp if seat else None),
    )
    assert cursor.lastrowid is not None  # set by every successful INSERT
    return SignUpResult(outcome, registration_in(conn, cursor.lastrowid))


async def sign_up(
    db: Database, event_id: str, user_id: int, name: str, now: datetime
) -> SignUpResult:
    """Sign ``user_id`` up for ``event_id``: confirmed while seats are free, else waitlisted."""
    return await db.write(_sign_up, event_id, user_id, name, now)


def promote_waitlist(conn: sqlite3.Connection, event_id: str, now: datetime) -> list[int]:
    """Hand free seats to the waitlist, first come first served, inside the caller's
    ``Database.write`` transaction: moved up directly (a message queued for each), or near the
    evening offered (storage.offers). Returns the user ids moved up directly."""
    event = event_in(conn, event_id)
    if event is None:
        return []
    counts = _seat_counts(conn, event_id)
    seats = seats_to_fill(event, counts, now)
    if seats == 0:
        return []
    return offers.fill_free_seats(conn, event, counts, seats, now)


def cancel_in(
    conn: sqlite3.Connection, registration_id: int, user_id: int | None, now: datetime
) -> CancelResult:
    """Cancel one registration inside the caller's ``Database.write`` transaction; a freed seat
    goes to the waitlist at once. ``user_id`` given: the person themselves, owner-checked and
    held to :func:`domain.standing.may_cancel`; ``None``: organiser or data deletion."""
    registration = registration_in(conn, registration_id)
    if registration is None or (user_id is not None and registration.user_id != user_id):
        return CancelResult(CancelOutcome.NOT_FOUND)
    if registration.status is RegistrationStatus.CANCELLED:
        return CancelResult(CancelOutcome.ALREADY_CANCELLED, registration)
    event = event_in(conn, registration.event_id)
    if user_id is not None and event is not None:
        refusal = may_cancel(event, registration, now)
        if refusal is Refusal.EVENT_CANCELLED:
            return CancelResult(CancelOutcome.EVENT_CANCELLED, registration)
        if refusal is not None:
            return CancelResult(CancelOutcome.EVENT_PAST, registration)
    conn.execute(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
        (to_db_time(now), registration_id),
    )
    promoted: list[int] = []
    if registration.status is RegistrationStatus.CONFIRMED:
        promoted = promote_waitlist(conn, registration.event_id, now)
    elif registration.status is RegistrationStatus.WAITLISTED:
        offers.left_waitlist(conn, registration_id, now)  # a seat offered to them passes on
    return CancelResult(CancelOutcome.CANCELLED, registration, tuple(promoted))


async def cancel(
    db: Database, registration_id: int, user_id: int | None, now: datetime
) -> CancelResult:
    """Cancel a registration (owner-checked when ``user_id`` is given), in one transaction."""
    return await db.write(cancel_in, registration_id, user_id, now)


async def get_registration(db: Database, registration_id: int) -> Registration | None:
    """One registration by id, with its waitlist position."""
    row = await db.fetch_one(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.id = ?", (registration_id,)
    )
    return None if row is None else registration_from_row(row)


async def active_registration(db: Database, event_id: str, user_id: int) -> Registration | None:
    """The user's confirmed or waitlisted registration for an event, if any."""
    row = await db.fetch_one(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r"
        " WHERE r.event_id = ? AND r.user_id = ? AND r.status != 'cancelled'",
        (event_id, user_id),
    )
    return None if row is None else registration_from_row(row)


async def upcoming_registrations_with_events(
    db: Database, user_id: int, now: datetime
) -> list[tuple[Registration, Event]]:
    """The user's active sign-ups of evenings that are not over yet (an evening under way
    included: the ticket is shown at the door), with their evenings, soonest first. Reads only
    this person's rows, however large the program."""
    earliest, stamp = to_db_time(now - LONGEST_EVENING), to_db_time(now)
    rows = await db.fetch_all(
        f"SELECT {REGISTRATION_COLUMNS}, {_PREFIXED_EVENT_COLUMNS}"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.user_id = ? AND r.status != 'cancelled' AND (e.starts_at > ? OR e.ends_at > ?)"
        " ORDER BY e.starts_at, e.id",
        (user_id, earliest, stamp),
    )
    pairs = [(registration_from_row(row), _event_of(row)) for row in rows]
    return [(registration, event) for registration, event in pairs if not is_over(event, now)]


async def certificate_registrations_with_events(
    db: Database, user_id: int, now: datetime, limit: int = 20
) -> list[tuple[Registration, Event]]:
    """The user's sign-ups with a certificate of attendance to fetch (``domain.standing.
    may_get_certificate``: checked in at an evening with ``cpd_hours`` that is over), latest
    evening first."""
    rows = await db.fetch_all(
        f"SELECT {REGISTRATION_COLUMNS}, {_PREFIXED_EVENT_COLUMNS}"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.user_id = ? AND r.checked_in_at IS NOT NULL AND e.cpd_hours IS NOT NULL"
        " AND e.starts_at <= ? ORDER BY e.starts_at DESC, e.id LIMIT ?",
        (user_id, to_db_time(now), limit),
    )
    pairs = [(registration_from_row(row), _event_of(row)) for row in rows]
    return [pair for pair in pairs if may_get_certificate(pair[1], pair[0], now) is None]


async def registration_by_ticket(db: Database, ticket: str) -> Registration | None:
    """The registration holding ``ticket``, or ``None``."""
    row = await db.fetch_one(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.ticket = ?", (ticket,)
    )
    return None if row is None else registration_from_row(row)
