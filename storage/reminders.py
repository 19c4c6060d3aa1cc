"""Reminders: which are due, planned exactly once per sign-up, offset and start time.

The database decides what is due; the JobQueue only calls :func:`plan_due_reminders` now and
then (and once at start-up, which is the catch-up after downtime). Planning writes a
``reminder_deliveries`` row and the ``reminder`` outbox row in one transaction, so a reminder is
queued once and only once whatever crashes when; the paced sender then sends each outbox row at
most once. Because a delivery row carries the start time it was planned for, an event that is
moved gets fresh reminders for its new time, and a cancelled one gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.notices import due_reminder_offsets
from storage import outbox
from storage.db import Connection, Database, from_db_time, to_db_time

PLANNED = "planned"
SKIPPED = "skipped"  # an older offset missed during downtime: recorded, never sent

# Confirmed sign-ups of scheduled events starting in (now, now + largest offset].
_CANDIDATE_CONDITIONS = (
    "e.status = 'scheduled' AND e.starts_at > ? AND e.starts_at <= ?"
    " AND r.status = 'confirmed' AND r.user_id IS NOT NULL"
)


def reminder_payload(
    event_id: str, registration_id: int, offset: timedelta, starts_at: str
) -> dict[str, object]:
    """The outbox payload of one reminder (what the renderer re-checks before sending)."""
    return {
        "event_id": event_id,
        "registration_id": registration_id,
        "offset_seconds": int(offset.total_seconds()),
        "starts_at": starts_at,
    }


async def plan_due_reminders(db: Database, now: datetime, offsets: Sequence[timedelta]) -> int:
    """Queue every reminder that is due and not yet planned, in one transaction; return how many.

    For each confirmed sign-up of a scheduled event that has not begun, only the latest due
    offset is queued; older due offsets without a delivery row (missed while the bot was down,
    or made obsolete by a reminder already sent for a later offset) are recorded as 'skipped'.
    """
    if not offsets:
        return 0
    stamp = to_db_time(now)
    horizon = to_db_time(now + max(offsets))
    return await db.write(_plan, now, list(offsets), stamp, horizon)


def _plan(
    conn: Connection, now: datetime, offsets: list[timedelta], stamp: str, horizon: str
) -> int:
    queued = 0
    # Only events starting within the largest offset can have anything due.
    candidates = conn.execute(
        "SELECT r.id, r.user_id, r.event_id, e.starts_at,"
        " coalesce(r.confirmed_at, r.created_at) AS confirmed_at"
        " FROM events e JOIN registrations r ON r.event_id = e.id"
        f" WHERE {_CANDIDATE_CONDITIONS} ORDER BY e.starts_at, r.id",
        (stamp, horizon),
    ).fetchall()
    if not candidates:
        return 0
    planned_before = {
        (row[0], row[1])
        for row in conn.execute(
            "SELECT d.registration_id, d.offset_seconds FROM events e"
            " JOIN registrations r ON r.event_id = e.id"
            " JOIN reminder_deliveries d ON d.registration_id = r.id AND d.starts_at = e.starts_at"
            f" WHERE {_CANDIDATE_CONDITIONS}",
            (stamp, horizon),
        )
    }
    for row in candidates:
        starts_at = from_db_time(row["starts_at"])
        confirmed_at = from_db_time(row["confirmed_at"])
        assert starts_at is not None and confirmed_at is not None
        due = due_reminder_offsets(starts_at, confirmed_at, now, offsets)
        for position, offset in enumerate(due):
            seconds = int(offset.total_seconds())
            if (row["id"], seconds) in planned_before:
                continue
            state = PLANNED if position == 0 else SKIPPED
            conn.execute(
                "INSERT INTO reminder_deliveries"
                " (registration_id, offset_seconds, starts_at, state, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (row["id"], seconds, row["starts_at"], state, stamp),
            )
            if state == PLANNED:
                outbox.enqueue(
                    conn,
                    row["user_id"],
                    outbox.OutboxKind.REMINDER,
                    reminder_payload(row["event_id"], row["id"], offset, row["starts_at"]),
                    now,
                )
                queued += 1
    return queued
