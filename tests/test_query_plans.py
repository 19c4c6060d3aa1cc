"""Organiser and sender queries use indexes (PRODUCT §7): every statement the hot storage
functions run is checked with ``EXPLAIN QUERY PLAN`` for a full scan of a table that grows
with the data."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from storage import attendees, events, outbox, registrations, reminders
from storage.db import Database, connect
from tests.conftest import NOW, make_event

LARGE_TABLES = ("events", "registrations", "outbox", "users", "reminder_deliveries")


class RecordingConnection:
    """A connection that records every statement with its parameters: the plan is checked
    with parameters bound, as the bot runs it (inlined values would let SQLite fold filters)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.inner = conn
        self.statements: list[tuple[str, tuple]] = []

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        """Record, then run one statement."""
        self.statements.append((sql, tuple(params)))
        return self.inner.execute(sql, tuple(params))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TracedDatabase:
    """The storage functions' view of a database, on one recording connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = RecordingConnection(conn)
        self.statements = self.conn.statements

    async def write(self, work: Any, *args: Any) -> Any:
        """Run ``work`` in one transaction, as :meth:`Database.write` does."""
        self.conn.execute("BEGIN IMMEDIATE")
        result = work(self.conn, *args)
        self.conn.execute("COMMIT")
        return result

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement."""
        return self.conn.execute(sql, tuple(params)).rowcount

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Every row."""
        return self.conn.execute(sql, tuple(params)).fetchall()

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row."""
        return self.conn.execute(sql, tuple(params)).fetchone()

    async def fetch_value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """The first column of the first row."""
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return None if row is None else row[0]


def full_scans(conn: sqlite3.Connection, statement: str, params: tuple) -> list[str]:
    """The plan lines of ``statement`` that read a table from start to end. Not counted: the
    rows of a window-function subquery (already narrowed by an index) and, in a ``WITH``
    statement, the top-level read of the CTE (one page, bounded by its LIMIT)."""
    plan = conn.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    with_cte = statement.lstrip().upper().startswith("WITH")
    return [
        detail
        for _, parent, _, detail in plan
        if detail.startswith("SCAN ")
        and not detail.startswith("SCAN (subquery")
        and not (with_cte and parent == 0)
    ]


async def test_hot_queries_search_indexes_instead_of_scanning(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path)
    await events.save_events(
        database, [make_event(f"abend-{day}", days=day) for day in range(1, 6)], NOW
    )
    await database.close()
    conn = connect(path)
    conn.row_factory = sqlite3.Row
    traced = TracedDatabase(conn)
    db: Any = traced
    for user_id in range(1, 30):
        await db.execute(
            "INSERT OR IGNORE INTO users (id, created_at) VALUES (?, '2026-01-01T00:00:00Z')",
            (user_id,),
        )
        await registrations.sign_up(db, "abend-1", user_id, f"Person {user_id}", NOW)
    traced.statements.clear()

    await attendees.count_events(db, NOW, upcoming_only=True, scheduled_only=True)
    await attendees.event_figures(db, NOW, limit=10, upcoming_only=True)
    await attendees.event_figures(db, NOW, limit=10, upcoming_only=True, scheduled_only=True)
    await attendees.figures_of(db, "abend-1")
    await attendees.attendee_list(db, "abend-1")
    await attendees.check_in_page(db, "abend-1", limit=20, offset=0)
    await registrations.active_registration(db, "abend-1", 3)
    await registrations.upcoming_registrations_with_events(db, 3, NOW)
    await registrations.sign_up(db, "abend-2", 4, "Person 4", NOW)
    await reminders.plan_due_reminders(db, NOW + timedelta(days=1), [timedelta(days=1)])
    await outbox.claim_next(db, NOW)
    await outbox.has_due(db, NOW)
    await events.count_upcoming(db, NOW)
    await events.list_upcoming(db, NOW)

    statements = [
        (sql, params)
        for sql, params in traced.statements
        if sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE"))
    ]
    assert len(statements) >= 15
    scanning = {
        sql: scans
        for sql, params in statements
        if (scans := full_scans(traced.conn.inner, sql, params))
    }
    assert scanning == {}
