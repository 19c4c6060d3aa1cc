"""Revisions of the evenings' calendar entries, and the figures ``/healthz`` reports."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time_required, to_db_time


@dataclass(frozen=True, slots=True)
class Revision:
    """How often an evening's calendar entry changed in substance, and when it last changed."""

    sequence: int
    updated_at: datetime


async def revisions(db: Database) -> dict[str, Revision]:
    """Every evening's calendar revision by event id (feeds and the bot's .ics file use it)."""
    rows = await db.fetch_all("SELECT id, calendar_sequence, updated_at FROM events")
    return {
        row["id"]: Revision(row["calendar_sequence"], from_db_time_required(row["updated_at"]))
        for row in rows
    }


async def revision(db: Database, event_id: str) -> Revision | None:
    """One evening's calendar revision, or ``None`` for an unknown id."""
    row = await db.fetch_one(
        "SELECT calendar_sequence, updated_at FROM events WHERE id = ?", (event_id,)
    )
    if row is None:
        return None
    return Revision(row["calendar_sequence"], from_db_time_required(row["updated_at"]))


async def outbox_backlog(db: Database, now: datetime) -> int:
    """Queued messages already due but not yet sent: a growing number means the sender is stuck."""
    backlog: int = await db.fetch_value(
        "SELECT count(*) FROM outbox WHERE state = 'pending'"
        " AND (not_before IS NULL OR not_before <= ?)",
        (to_db_time(now),),
    )
    return backlog


async def database_answers(db: Database) -> bool:
    """Whether a trivial query succeeds on the reading connection."""
    try:
        return bool(await db.fetch_value("SELECT 1") == 1)
    except sqlite3.Error:  # closed, locked for good, corrupt: to a health check all the same
        return False
