"""A registration row and its columns, below both storage.registrations and storage.offers
(the seat transactions read sign-ups through them): the waitlist position defined once."""

from __future__ import annotations

import sqlite3

from domain.models import Registration, RegistrationStatus
from storage.db import Row, from_db_time, from_db_time_required


def waitlist_position(r: str) -> str:
    """SQL for the place of registration ``r`` (its table's alias in the query) on its
    evening's waitlist: 1 for the next to move up (first come, first served), NULL for anyone
    not waitlisted. Counted from the rows, like the seats; the only definition of it."""
    return (
        f"CASE WHEN {r}.status = 'waitlisted' THEN (SELECT count(*) FROM registrations w"
        f" WHERE w.event_id = {r}.event_id AND w.status = 'waitlisted' AND w.id <= {r}.id) END"
    )


REGISTRATION_COLUMNS = (
    "r.id, r.event_id, r.user_id, r.name, r.status, r.ticket, r.created_at, r.confirmed_at,"
    f" r.cancelled_at, r.checked_in_at, {waitlist_position('r')} AS waitlist_position"
)
"""A registration's columns, for ``FROM registrations r``."""


def registration_from_row(row: Row) -> Registration:
    """A registration from a row with the columns of ``REGISTRATION_COLUMNS`` (any query
    that selects the same names may use it)."""
    return Registration(
        id=row["id"],
        event_id=row["event_id"],
        user_id=row["user_id"],
        name=row["name"],
        status=RegistrationStatus(row["status"]),
        ticket=row["ticket"],
        created_at=from_db_time_required(row["created_at"]),
        confirmed_at=from_db_time(row["confirmed_at"]),
        cancelled_at=from_db_time(row["cancelled_at"]),
        checked_in_at=from_db_time(row["checked_in_at"]),
        waitlist_position=row["waitlist_position"],
    )


def registration_in(conn: sqlite3.Connection, registration_id: int) -> Registration | None:
    """One registration by id, with its waitlist position, inside the caller's
    ``Database.write`` transaction."""
    row = conn.execute(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.id = ?", (registration_id,)
    ).fetchone()
    return None if row is None else registration_from_row(row)
