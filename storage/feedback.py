"""Feedback after the evening: planned exactly once per sign-up, answered with 1-5 and an
optional comment, summed up for the statistics.

Planning writes the ``feedback`` row (its primary key, the sign-up, is the exactly-once key) and
the ``feedback`` outbox row in one transaction, so a restart or crash between planning and
sending neither loses nor repeats the question; the paced sender sends each outbox row at most
once. Which evenings are due and who is asked is decided by ``domain.feedback``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.feedback import FEEDBACK_LATEST, feedback_is_due, feedback_recipients
from storage import outbox
from storage.db import Connection, Database, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row
from storage.registration_rows import registration_from_row

_LOOKBACK = timedelta(days=30)  # with FEEDBACK_LATEST, no evening older than this is due
_REGISTRATIONS = (
    "SELECT id, event_id, user_id, name, status, ticket, created_at, confirmed_at,"
    " cancelled_at, checked_in_at, NULL AS waitlist_position FROM registrations"
    " WHERE event_id = ?"
)


async def plan_due_feedback(db: Database, now: datetime, delay: timedelta) -> int:
    """Queue "Wie war der Abend?" for every due evening's recipients not yet asked; return how
    many were queued."""
    return await db.write(_plan, now, delay)


def _plan(conn: Connection, now: datetime, delay: timedelta) -> int:
    earliest = to_db_time(now - delay - FEEDBACK_LATEST - _LOOKBACK)
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE status = 'scheduled'"
        " AND starts_at <= ? AND starts_at > ?",
        (to_db_time(now), earliest),
    ).fetchall()
    queued = 0
    stamp = to_db_time(now)
    for row in rows:
        event = event_from_row(row)
        if not feedback_is_due(event, delay, now):
            continue
        registrations = [
            registration_from_row(r) for r in conn.execute(_REGISTRATIONS, (event.id,))
        ]
        for registration in feedback_recipients(registrations):
            inserted = conn.execute(
                "INSERT INTO feedback (registration_id, event_id, requested_at) VALUES (?, ?, ?)"
                " ON CONFLICT (registration_id) DO NOTHING",
                (registration.id, event.id, stamp),
            ).rowcount
            if inserted:
                assert registration.user_id is not None
                payload = {"event_id": event.id, "registration_id": registration.id}
                outbox.enqueue(
                    conn, registration.user_id, outbox.OutboxKind.FEEDBACK, payload, now
                )
                queued += 1
    return queued


_OWN = (
    "registration_id = ? AND registration_id IN (SELECT id FROM registrations WHERE user_id = ?)"
)


async def rate(
    db: Database, registration_id: int, user_id: int, rating: int, now: datetime
) -> bool:
    """Record (or change) the rating of the user's own asked sign-up; ``False`` if none."""
    changed = await db.execute(
        f"UPDATE feedback SET rating = ?, answered_at = ? WHERE {_OWN}",
        (rating, to_db_time(now), registration_id, user_id),
    )
    return changed > 0


async def add_comment(
    db: Database, registration_id: int, user_id: int, comment: str, now: datetime
) -> bool:
    """Record the comment of the user's own asked sign-up; ``False`` if none."""
    changed = await db.execute(
        f"UPDATE feedback SET comment = ?, answered_at = ? WHERE {_OWN}",
        (comment, to_db_time(now), registration_id, user_id),
    )
    return changed > 0


async def rating_of(db: Database, registration_id: int) -> int | None:
    """The rating given for a sign-up, or ``None``."""
    rating: int | None = await db.fetch_value(
        "SELECT rating FROM feedback WHERE registration_id = ?", (registration_id,)
    )
    return rating


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """The answers of one evening: how many rated, their average, the comments (oldest
    first)."""

    count: int
    average: float | None
    comments: list[str]


async def summary(db: Database, event_id: str) -> FeedbackSummary:
    """The feedback of one evening for the statistics."""
    row = await db.fetch_one(
        "SELECT count(rating), avg(rating) FROM feedback WHERE event_id = ?", (event_id,)
    )
    comments = await db.fetch_all(
        "SELECT comment FROM feedback WHERE event_id = ? AND comment IS NOT NULL"
        " ORDER BY answered_at, registration_id",
        (event_id,),
    )
    assert row is not None  # an aggregate without GROUP BY always gives one row
    return FeedbackSummary(row[0], row[1], [c[0] for c in comments])
