"""An evening's row: its columns, and an :class:`Event` read from them.

Every storage module that reads evenings (the program, sign-ups, check-in, feedback, …) reads
them through here, below all of them, so that none has to import another to read an evening
(``storage.events`` saves the program and moves the waitlist up through
``storage.registrations``, which reads evenings itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from domain.models import Event, EventStatus, Speaker
from storage.db import Connection, from_db_time, from_db_time_required

EVENT_COLUMNS = (
    "id, title, series, starts_at, ends_at, venue, address, latitude, longitude, capacity,"
    " registration_closes_at, status, description, cpd_hours"
)


class Columns(Protocol):
    """A row read by column name: an ``sqlite3.Row``, or a dict made of part of one."""

    def __getitem__(self, name: str, /) -> Any: ...


def event_from_row(row: Columns, speakers: Sequence[Speaker] = ()) -> Event:
    """An event from a row with the columns of ``EVENT_COLUMNS`` (and its speakers)."""
    return Event(
        id=row["id"],
        title=row["title"],
        series=row["series"],
        starts_at=from_db_time_required(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        venue=row["venue"],
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        capacity=row["capacity"],
        registration_closes_at=from_db_time(row["registration_closes_at"]),
        status=EventStatus(row["status"]),
        description=row["description"],
        speakers=tuple(speakers),
        cpd_hours=row["cpd_hours"],
    )


def event_in(conn: Connection, event_id: str) -> Event | None:
    """One event (without its speakers) read inside the caller's ``Database.write``
    transaction, or ``None``."""
    row = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
    return None if row is None else event_from_row(row)
