"""Broadcasts: an organiser's message copied to an audience, as one outbox row per recipient.

The broadcast row and all its outbox rows are written in one transaction, and the unique index
``outbox_once_per_broadcast`` makes a second row for the same person impossible; the paced
sender drains the rows, so a broadcast interrupted by a crash simply continues with the rows
still pending. Progress and the final report are counted from the outbox rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.db import Connection, Database, Row, from_db_time, to_db_time
from storage.outbox import INTERRUPTED, UNCERTAIN, OutboxKind


class Audience(StrEnum):
    SUBSCRIBERS = "subscribers"  # announcements switched on (/abo)
    CONFIRMED = "confirmed"  # confirmed attendees of one event
    WAITLIST = "waitlist"  # the waitlist of one event


def _recipients_sql(audience: Audience) -> str:
    """A query of the recipients' user ids (column ``id``); ``?1`` is the event id (not used
    for subscribers). People who blocked the bot are included: the sender skips them and the
    report counts them as blocked."""
    if audience is Audience.SUBSCRIBERS:
        return "SELECT id FROM users WHERE subscribed = 1"
    status = "confirmed" if audience is Audience.CONFIRMED else "waitlisted"
    return (
        "SELECT DISTINCT user_id AS id FROM registrations"
        f" WHERE event_id = ?1 AND status = '{status}' AND user_id IS NOT NULL"
    )


async def count_recipients(db: Database, audience: Audience, event_id: str | None) -> int:
    """How many people a broadcast to this audience would reach right now."""
    params = () if audience is Audience.SUBSCRIBERS else (event_id,)
    count: int = await db.fetch_value(
        f"SELECT count(*) FROM ({_recipients_sql(audience)})", params
    )
    return count


@dataclass(frozen=True, slots=True)
class Created:
    broadcast_id: int | None  # None: nobody to send to, or this message went out already
    recipients: int
    duplicate: bool = False


async def create_broadcast(
    db: Database,
    *,
    created_by: int,
    source_chat_id: int,
    source_message_id: int,
    audience: Audience,
    event_id: str | None,
    progress_chat_id: int,
    progress_message_id: int,
    now: datetime,
) -> Created:
    """Write the broadcast and one outbox row per recipient, all in one transaction.

    The same message to the same audience is created once only (a double tap on "send").
    """
    return await db.write(
        _create,
        created_by,
        source_chat_id,
        source_message_id,
        audience,
        event_id,
        progress_chat_id,
        progress_message_id,
        to_db_time(now),
    )


def _create(
    conn: Connection,
    created_by: int,
    source_chat_id: int,
    source_message_id: int,
    audience: Audience,
    event_id: str | None,
    progress_chat_id: int,
    progress_message_id: int,
    stamp: str,
) -> Created:
    existing = conn.execute(
        "SELECT id FROM broadcasts WHERE source_chat_id = ? AND source_message_id = ?"
        " AND audience = ? AND event_id IS ?",
        (source_chat_id, source_message_id, audience.value, event_id),
    ).fetchone()
    if existing is not None:
        return Created(existing[0], 0, duplicate=True)
    broadcast_id = conn.execute(
        "INSERT INTO broadcasts (created_by, source_chat_id, source_message_id, audience,"
        " event_id, progress_chat_id, progress_message_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            created_by,
            source_chat_id,
            source_message_id,
            audience.value,
            event_id,
            progress_chat_id,
            progress_message_id,
            stamp,
        ),
    ).lastrowid
    # The audience and evening name the buttons under each copy (handlers.organiser.broadcast).
    payload = json.dumps(
        {
            "from_chat_id": source_chat_id,
            "message_id": source_message_id,
            "audience": audience.value,
            "event_id": event_id,
        }
    )
    recipients = conn.execute(
        "INSERT OR IGNORE INTO outbox (user_id, kind, payload, broadcast_id, created_at)"
        f" SELECT recipient.id, ?2, ?3, ?4, ?5 FROM ({_recipients_sql(audience)})"
        " AS recipient ORDER BY recipient.id",
        (event_id, OutboxKind.BROADCAST, payload, broadcast_id, stamp),
    ).rowcount
    if recipients == 0:
        # Nobody (any more): no broadcast at all rather than an empty one.
        conn.execute("DELETE FROM broadcasts WHERE id = ?", (broadcast_id,))
        return Created(None, 0)
    return Created(broadcast_id, recipients)


@dataclass(frozen=True, slots=True)
class Progress:
    """A broadcast and the states of its outbox rows."""

    id: int
    created_by: int
    progress_chat_id: int | None
    progress_message_id: int | None
    finished_at: datetime | None
    total: int
    pending: int
    sending: int
    sent: int
    blocked: int
    failed: int  # including the interrupted ones
    interrupted: int  # in flight during a crash or timed out: perhaps delivered, never repeated

    @property
    def open(self) -> int:
        """Rows not finished yet (waiting, or in flight)."""
        return self.pending + self.sending

    @property
    def processed(self) -> int:
        return self.total - self.open


_PROGRESS = (
    "SELECT b.id, b.created_by, b.progress_chat_id, b.progress_message_id, b.finished_at,"
    " count(o.id) AS total,"
    " coalesce(sum(o.state = 'pending'), 0) AS pending,"
    " coalesce(sum(o.state = 'sending'), 0) AS sending,"
    " coalesce(sum(o.state = 'sent'), 0) AS sent,"
    " coalesce(sum(o.state = 'blocked'), 0) AS blocked,"
    " coalesce(sum(o.state = 'failed'), 0) AS failed,"
    " coalesce(sum(o.state = 'failed' AND o.error IN (?, ?)), 0) AS interrupted"
    " FROM broadcasts b LEFT JOIN outbox o ON o.broadcast_id = b.id"
)


def _progress(row: Row) -> Progress:
    return Progress(
        id=row["id"],
        created_by=row["created_by"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        finished_at=from_db_time(row["finished_at"]),
        total=row["total"],
        pending=row["pending"],
        sending=row["sending"],
        sent=row["sent"],
        blocked=row["blocked"],
        failed=row["failed"],
        interrupted=row["interrupted"],
    )


async def unfinished(db: Database) -> list[Progress]:
    """Every broadcast still sending (also those a crash interrupted), oldest first."""
    rows = await db.fetch_all(
        f"{_PROGRESS} WHERE b.status = 'sending' GROUP BY b.id ORDER BY b.id",
        (INTERRUPTED, UNCERTAIN),
    )
    return [_progress(row) for row in rows]


async def mark_done(db: Database, broadcast_id: int, now: datetime) -> bool:
    """Close a broadcast whose rows are all finished; ``True`` only for the one call that
    closed it (so that the report goes out once)."""
    closed = await db.execute(
        "UPDATE broadcasts SET status = 'done', finished_at = ?"
        " WHERE id = ? AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox"
        "  WHERE broadcast_id = ? AND state IN ('pending', 'sending'))",
        (to_db_time(now), broadcast_id, broadcast_id),
    )
    return closed == 1


async def set_progress_message(
    db: Database, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """Remember the message that shows a broadcast's progress (a new one after a restart)."""
    await db.execute(
        "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
        (chat_id, message_id, broadcast_id),
    )
