"""The outbox: messages the bot sends on its own initiative, queued in the causing transaction.

A change (an event moved, a seat freed, a reminder falling due, a broadcast confirmed) writes its
outbox rows in the same transaction as the change itself, so a crash can never lose the
notification nor send one for a change that was rolled back. The paced sender drains the table.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, from_db_time, to_db_time


class OutboxKind:
    """The kinds of queued messages; the sender renders each kind in the recipient's language."""

    EVENT_CHANGED = "event_changed"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_REINSTATED = "event_reinstated"  # a cancelled event takes place after all
    PROMOTED = "promoted"
    REMINDER = "reminder"
    ANNOUNCEMENT = "announcement"
    BROADCAST = "broadcast"
    FEEDBACK = "feedback"  # "Wie war der Abend?" (issue 13)
    CERTIFICATE = "certificate"  # the certificate of attendance is ready (issue 13)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    user_id: int
    kind: str
    payload: dict[str, Any]
    broadcast_id: int | None
    attempts: int
    created_at: datetime


def enqueue(
    conn: sqlite3.Connection,
    user_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    broadcast_id: int | None = None,
) -> None:
    """Queue one message inside the caller's transaction (a ``Database.write`` function)."""
    conn.execute(_ENQUEUE, _enqueue_values(user_id, kind, payload, now, broadcast_id))


_ENQUEUE = (
    "INSERT INTO outbox (user_id, kind, payload, broadcast_id, created_at) VALUES (?, ?, ?, ?, ?)"
)


def _enqueue_values(
    user_id: int, kind: str, payload: dict[str, Any], now: datetime, broadcast_id: int | None
) -> tuple:
    return (user_id, kind, json.dumps(payload, ensure_ascii=False), broadcast_id, to_db_time(now))


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        broadcast_id=row["broadcast_id"],
        attempts=row["attempts"],
        created_at=from_db_time(row["created_at"]),  # type: ignore[arg-type]
    )


async def claim_pending(db: Database, now: datetime, limit: int) -> list[OutboxItem]:
    """Mark up to ``limit`` due pending rows as 'sending' and return them, oldest first.

    Marking before sending is the exactly-once trade-off: a crash between the mark and the send
    loses that message (it stays 'sending' and is reported), but never sends it twice.
    Users who blocked the bot are skipped: their rows are closed as 'blocked'.
    """
    rows = await db.write(_claim_pending, to_db_time(now), limit)
    return [_item(row) for row in rows]


def _claim_pending(conn: sqlite3.Connection, stamp: str, limit: int) -> list[sqlite3.Row]:
    conn.execute(
        "UPDATE outbox SET state = 'blocked' WHERE state = 'pending'"
        " AND user_id IN (SELECT id FROM users WHERE blocked_at IS NOT NULL)"
    )
    rows = conn.execute(
        "SELECT * FROM outbox WHERE state = 'pending'"
        " AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?",
        (stamp, limit),
    ).fetchall()
    if rows:
        conn.executemany(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
            [(row["id"],) for row in rows],
        )
    return rows


async def claim_next(db: Database, now: datetime) -> OutboxItem | None:
    """Mark the oldest due pending row 'sending' and return it (``None``: nothing is due).

    The paced sender claims one row right before each send, so that a crash leaves at most the
    one message in flight marked 'sending' (see :func:`claim_pending` for the trade-off). Rows
    of users who blocked the bot are closed as 'blocked' on the way, looked up by primary key.
    """
    return await db.write(_claim_next, to_db_time(now))


def _claim_next(conn: sqlite3.Connection, stamp: str) -> OutboxItem | None:
    while True:
        row = conn.execute(
            "SELECT o.*, u.blocked_at FROM outbox o LEFT JOIN users u ON u.id = o.user_id"
            " WHERE o.state = 'pending' AND (o.not_before IS NULL OR o.not_before <= ?)"
            " ORDER BY o.id LIMIT 1",
            (stamp,),
        ).fetchone()
        if row is None:
            return None
        if row["blocked_at"] is not None:
            conn.execute(
                "UPDATE outbox SET state = 'blocked', error = 'user blocked the bot' WHERE id = ?",
                (row["id"],),
            )
            continue
        conn.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
            (row["id"],),
        )
        return dataclasses.replace(_item(row), attempts=row["attempts"] + 1)


async def has_due(db: Database, now: datetime) -> bool:
    """Whether any pending row is due; a read, so an idle sender never takes the write lock."""
    return bool(
        await db.fetch_value(
            "SELECT 1 FROM outbox WHERE state = 'pending'"
            " AND (not_before IS NULL OR not_before <= ?) LIMIT 1",
            (to_db_time(now),),
        )
    )


async def list_in_flight(db: Database) -> list[OutboxItem]:
    """Rows marked 'sending' (at start-up: the messages that were in flight during a crash)."""
    rows = await db.fetch_all("SELECT * FROM outbox WHERE state = 'sending' ORDER BY id")
    return [_item(row) for row in rows]


async def finish(
    db: Database, item_id: int, state: str, now: datetime, error: str | None = None
) -> None:
    """Record the outcome of one send: 'sent', 'blocked' or 'failed'."""
    await db.execute(
        "UPDATE outbox SET state = ?, sent_at = ?, error = ? WHERE id = ?",
        (state, to_db_time(now), error, item_id),
    )


async def retry_later(
    db: Database,
    item_id: int,
    not_before: datetime,
    error: str,
    refund_attempt: bool = False,
) -> None:
    """Put a row back to 'pending' after a transient failure (5xx, timeout, 429).

    ``refund_attempt``: the try does not count towards the attempt limit (429 flood control
    says "not now", not "this message fails").
    """
    await db.execute(
        "UPDATE outbox SET state = 'pending', not_before = ?, error = ?,"
        " attempts = max(attempts - ?, 0) WHERE id = ?",
        (to_db_time(not_before), error, int(refund_attempt), item_id),
    )


async def abandon_in_flight(db: Database) -> int:
    """At start-up: rows left 'sending' by a crash are closed as 'failed' (never re-sent)."""
    return await db.execute(
        "UPDATE outbox SET state = 'failed', error = 'interrupted while sending'"
        " WHERE state = 'sending'"
    )
