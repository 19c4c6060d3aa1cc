"""The whole program in one read, for the public pages: every evening with its speakers, its
seat counts and its calendar revision, in four statements whatever the number of evenings.

A plain function of a connection, run off the event loop by ``Database.read``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.models import Event, SeatCounts, Speaker
from storage.calendar import Revision
from storage.db import Connection, Row, from_db_time, from_db_time_required
from storage.event_rows import EVENT_COLUMNS, event_from_row

NO_SEATS_TAKEN = SeatCounts(confirmed=0, waitlisted=0, cancelled=0, checked_in=0)


@dataclass(frozen=True, slots=True)
class Program:
    """Every evening in start order, with seat counts and calendar revisions by event id."""

    events: tuple[Event, ...]
    counts: dict[str, SeatCounts]
    revisions: dict[str, Revision]
    # When each evening was published (its sign-up offered since) and, once moved, its start
    # before the last move: schema.org ``validFrom`` and ``previousStartDate``.
    published: dict[str, datetime] = field(default_factory=dict)
    previous_starts: dict[str, datetime] = field(default_factory=dict)

    def seats(self, event_id: str) -> SeatCounts:
        """The evening's seat counts (none taken when nobody ever signed up)."""
        return self.counts.get(event_id, NO_SEATS_TAKEN)


SPEAKERS_SQL = "SELECT event_id, name, role, bio FROM speakers ORDER BY event_id, position"
EVENTS_SQL = (
    f"SELECT {EVENT_COLUMNS}, calendar_sequence, updated_at, created_at, previous_starts_at"
    " FROM events ORDER BY starts_at, id"
)
COUNTS_SQL = (
    "SELECT event_id,"
    " coalesce(sum(status = 'confirmed'), 0),"
    " coalesce(sum(status = 'waitlisted'), 0),"
    " coalesce(sum(status = 'cancelled'), 0),"
    " coalesce(sum(checked_in_at IS NOT NULL), 0),"
    " (SELECT count(*) FROM offered_seats s"  # seats reserved for waitlist offers (issue 25)
    "  WHERE s.event_id = registrations.event_id AND s.status = 'offered')"
    " FROM registrations GROUP BY event_id"
)
# In this order: the rows of each make one Program (program_from_rows).
STATEMENTS = (SPEAKERS_SQL, EVENTS_SQL, COUNTS_SQL)


def read_program(conn: Connection) -> Program:
    """The whole program as it stands (call it through ``Database.read``: one snapshot)."""
    return program_from_rows(*(conn.execute(sql).fetchall() for sql in STATEMENTS))


def program_from_rows(
    speaker_rows: Sequence[Row], event_rows: Sequence[Row], count_rows: Sequence[Row]
) -> Program:
    """The program from the rows of :data:`STATEMENTS`, however they were fetched."""
    speakers: dict[str, list[Speaker]] = {}
    for row in speaker_rows:
        speakers.setdefault(row["event_id"], []).append(
            Speaker(name=row["name"], role=row["role"], bio=row["bio"])
        )
    counts = {
        row[0]: SeatCounts(
            confirmed=row[1],
            waitlisted=row[2],
            cancelled=row[3],
            checked_in=row[4],
            offered=row[5],
        )
        for row in count_rows
    }
    return Program(
        events=tuple(event_from_row(row, speakers.get(row["id"], ())) for row in event_rows),
        counts=counts,
        revisions={
            row["id"]: Revision(row["calendar_sequence"], from_db_time_required(row["updated_at"]))
            for row in event_rows
        },
        published={row["id"]: from_db_time_required(row["created_at"]) for row in event_rows},
        previous_starts={
            row["id"]: moved
            for row in event_rows
            if (moved := from_db_time(row["previous_starts_at"])) is not None
        },
    )
