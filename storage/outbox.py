"""The outbox: messages the bot sends on its own initiative, queued in the causing transaction.

A change (an event moved, a seat freed, a reminder falling due, a broadcast confirmed) writes its
outbox rows in the same transaction as the change itself, so a crash can never lose the
notification nor send one for a change that was rolled back. The paced sender drains the table.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, from_db_time_required, to_db_time

EXPIRED = "expired"  # given up: transient failures until the message no longer mattered
UNCERTAIN = "uncertain: timed out, perhaps delivered"  # never repeated (at-most-once kinds)
INTERRUPTED = "interrupted while sending"  # in flight when the process died: perhaps delivered


class OutboxKind:
    """The kinds of queued messages; the sender renders each kind in the recipient's language."""

    EVENT_CHANGED = "event_changed"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_REINSTATED = "event_reinstated"  # a cancelled event takes place after all
    PROMOTED = "promoted"
    REMINDER = "reminder"
    ANNOUNCEMENT = "announcement"
    BROADCAST = "broadcast"
    DELIVERY_REPORT = "delivery_report"  # to organisers: what was given up after an outage
    FEEDBACK = "feedback"  # "Wie war der Abend?" (issue 13)
    CERTIFICATE = "certificate"  # the certificate of attendance, as the PDF (issue 24)
    CERTIFICATE_NOBODY = "certificate_nobody"  # to organisers: nobody was checked in (issue 24)
    CERTIFICATE_NAME = "certificate_name"  # a name no certificate font can print (issue 24)
    SEAT_OFFER = "seat_offer"  # a freed seat offered near the evening (issue 25)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    user_id: int
    kind: str
    payload: dict[str, Any]
    broadcast_id: int | None
    attempts: int
    created_at: datetime
    error: str | None = None  # what went wrong on the previous try, if anything


def enqueue(
    conn: sqlite3.Connection,
    user_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    broadcast_id: int | None = None,
    not_before: datetime | None = None,
) -> None:
    """Queue one message inside the caller's transaction (a ``Database.write`` function);
    ``not_before``: not sent before then."""
    values = _enqueue_values(user_id, kind, payload, now, broadcast_id)
    conn.execute(_ENQUEUE, (*values, to_db_time(not_before) if not_before else None))


_ENQUEUE = (
    "INSERT INTO outbox (user_id, kind, payload, broadcast_id, created_at, not_before)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def _enqueue_values(
    user_id: int, kind: str, payload: dict[str, Any], now: datetime, broadcast_id: int | None
) -> tuple[Any, ...]:
    return (user_id, kind, json.dumps(payload, ensure_ascii=False), broadcast_id, to_db_time(now))


Recipients = Collection[int] | None
"""Whose rows a sender may claim: ``None`` everyone (the real bot), else only these user ids
(the console: rows for anybody else stay untouched, for the real bot)."""


def _only(recipients: Recipients, column: str = "user_id") -> tuple[str, tuple[Any, ...]]:
    """The SQL condition (with its parameter) restricting rows to ``recipients``."""
    if recipients is None:
        return "", ()
    return f" AND {column} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(recipients)),)


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        broadcast_id=row["broadcast_id"],
        attempts=row["attempts"],
        created_at=from_db_time_required(row["created_at"]),
        error=row["error"],
    )


async def claim_next(
    db: Database, now: datetime, recipients: Recipients = None
) -> OutboxItem | None:
    """Mark the oldest due pending row 'sending' and return it (``None``: nothing is due).

    Marking before sending is the exactly-once trade-off: a crash between the mark and the send
    loses that message (it stays 'sending' and is reported), but never sends it twice. The
    paced sender claims one row right before each send, so that a crash leaves at most the one
    message in flight marked 'sending'. Rows of users who blocked the bot are closed as
    'blocked' on the way, looked up by primary key. Only rows for ``recipients`` are claimed
    (``None``: everyone's).
    """
    return await db.write(_claim_next, to_db_time(now), recipients)


def _claim_next(conn: sqlite3.Connection, stamp: str, recipients: Recipients) -> OutboxItem | None:
    only, only_values = _only(recipients, "o.user_id")
    while True:
        row = conn.execute(
            "SELECT o.*, u.blocked_at FROM outbox o LEFT JOIN users u ON u.id = o.user_id"
            " WHERE o.state = 'pending' AND (o.not_before IS NULL OR o.not_before <= ?)"
            + only
            + " ORDER BY o.id LIMIT 1",
            (stamp, *only_values),
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


async def has_due(db: Database, now: datetime, recipients: Recipients = None) -> bool:
    """Whether any pending row (for ``recipients``) is due; a read, so an idle sender never
    takes the write lock."""
    only, only_values = _only(recipients)
    return bool(
        await db.fetch_value(
            "SELECT 1 FROM outbox WHERE state = 'pending'"
            " AND (not_before IS NULL OR not_before <= ?)" + only + " LIMIT 1",
            (to_db_time(now), *only_values),
        )
    )


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


@dataclass(frozen=True, slots=True)
class InFlight:
    """What start-up did with the rows a crash left 'sending'."""

    resent: list[OutboxItem]  # *must arrive* kinds: pending again, sent after the restart
    uncertain: list[OutboxItem]  # *at most once* kinds: closed as INTERRUPTED, never repeated


async def settle_in_flight(
    db: Database, at_most_once: Collection[str], recipients: Recipients = None
) -> InFlight:
    """At start-up, in one transaction: rows left 'sending' by a crash whose kind is in
    ``at_most_once`` are closed as 'failed' with :data:`INTERRUPTED` (perhaps delivered, never
    sent twice); every other kind goes back to 'pending' and is sent again (rather twice than
    never). Only rows for ``recipients`` (``None``: everyone's)."""
    return await db.write(_settle_in_flight, sorted(at_most_once), recipients)


def _settle_in_flight(
    conn: sqlite3.Connection, at_most_once: list[str], recipients: Recipients
) -> InFlight:
    only, only_values = _only(recipients)
    rows = conn.execute(
        "SELECT * FROM outbox WHERE state = 'sending'" + only + " ORDER BY id", only_values
    ).fetchall()
    resent, uncertain = [], []
    for row in rows:
        item = _item(row)
        if item.kind in at_most_once:
            conn.execute(
                "UPDATE outbox SET state = 'failed', error = ? WHERE id = ?",
                (INTERRUPTED, item.id),
            )
            uncertain.append(item)
        else:
            conn.execute(
                "UPDATE outbox SET state = 'pending', not_before = NULL, error = ? WHERE id = ?",
                (INTERRUPTED, item.id),
            )
            resent.append(item)
    return InFlight(resent=resent, uncertain=uncertain)


async def release_backoff(db: Database, now: datetime) -> int:
    """Telegram answers again: rows waiting out a backoff after a 5xx/timeout are due now
    (rows paused by a 429 keep their wait)."""
    return await db.execute(
        "UPDATE outbox SET not_before = NULL WHERE state = 'pending' AND not_before > ?"
        " AND error IS NOT NULL AND error NOT LIKE '429%'",
        (to_db_time(now),),
    )


def add_counts(
    conn: sqlite3.Connection, user_id: int, kind: str, counts: dict[str, int], now: datetime
) -> None:
    """Queue a report of ``counts`` to ``user_id``, or add them to one still waiting (so an
    outage ends with one report, not one per run)."""
    row = conn.execute(
        "SELECT id, payload FROM outbox WHERE user_id = ? AND kind = ? AND state = 'pending'"
        " ORDER BY id LIMIT 1",
        (user_id, kind),
    ).fetchone()
    if row is None:
        enqueue(conn, user_id, kind, {"counts": counts}, now)
        return
    merged = dict(json.loads(row["payload"]).get("counts") or {})
    for name, n in counts.items():
        merged[name] = merged.get(name, 0) + n
    conn.execute(
        "UPDATE outbox SET payload = ? WHERE id = ?",
        (json.dumps({"counts": merged}, ensure_ascii=False), row["id"]),
    )
