"""The whole program in one read, for the public pages: every evening with its speakers, its
seat counts and its calendar revision, in four statements whatever the number of evenings.

A plain function of a connection, run off the event loop by ``Database.read``.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import Event, SeatCounts, Speaker
from storage.calendar import Revision
from storage.db import Connection, from_db_time_required
from storage.event_rows import EVENT_COLUMNS, event_from_row

NO_SEATS_TAKEN = SeatCounts(confirmed=0, waitlisted=0, cancelled=0, checked_in=0)


@dataclass(frozen=True, slots=True)
class Program:
    """Every evening in start order, with seat counts and calendar revisions by event id."""

    events: tuple[Event, ...]
    counts: dict[str, SeatCounts]
    revisions: dict[str, Revision]

    def seats(self, event_id: str) -> SeatCounts:
        """The evening's seat counts (none taken when nobody ever signed up)."""
        return self.counts.get(event_id, NO_SEATS_TAKEN)


def read_program(conn: Connection) -> Program:
    """The whole program as it stands (call it through ``Database.read``: one snapshot)."""
    speakers: dict[str, list[Speaker]] = {}
    for row in conn.execute(
        "SELECT event_id, name, role, bio FROM speakers ORDER BY event_id, position"
    ).fetchall():
        speakers.setdefault(row["event_id"], []).append(
            Speaker(name=row["name"], role=row["role"], bio=row["bio"])
        )
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS}, calendar_sequence, updated_at FROM events ORDER BY starts_at, id"
    ).fetchall()
    counts = {
        row[0]: SeatCounts(
            confirmed=row[1], waitlisted=row[2], cancelled=row[3], checked_in=row[4]
        )
        for row in conn.execute(
            "SELECT event_id,"
            " coalesce(sum(status = 'confirmed'), 0),"
            " coalesce(sum(status = 'waitlisted'), 0),"
            " coalesce(sum(status = 'cancelled'), 0),"
            " coalesce(sum(checked_in_at IS NOT NULL), 0)"
            " FROM registrations GROUP BY event_id"
        ).fetchall()
    }
    return Program(
        events=tuple(event_from_row(row, speakers.get(row["id"], ())) for row in rows),
        counts=counts,
        revisions={
            row["id"]: Revision(row["calendar_sequence"], from_db_time_required(row["updated_at"]))
            for row in rows
        },
    )
