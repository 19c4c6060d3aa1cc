"""Privacy self-service (DSGVO): everything stored about a person, deleting it, and removing the
personal data of evenings long past.

Deleting a person keeps the anonymous counts: their sign-ups stay as rows without user id, name
or ticket, so statistics and waitlist positions of others do not change; their questions to the
speakers and their feedback comments (their own words) go, a rating stays as an anonymous
tally. Seats they held for upcoming evenings are released first, in the same transaction, so the
waitlist moves up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.db import Connection, Database, to_db_time
from storage.registrations import cancel_in


@dataclass(frozen=True, slots=True)
class DeletionReport:
    existed: bool  # whether anything was stored about the person
    cancelled: int  # sign-ups of upcoming evenings released
    promoted_user_ids: tuple[int, ...]  # waitlisted people who got the freed seats


@dataclass(frozen=True, slots=True)
class RetentionReport:
    registrations: int  # sign-ups anonymised
    messages: int  # outbox rows removed
    questions: int = 0  # questions to the speakers removed
    comments: int = 0  # feedback comments removed


def _rows(rows: list) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def export_person(db: Database, user_id: int) -> dict[str, Any]:
    """Everything stored about ``user_id``, as JSON-ready values (times are UTC strings)."""
    user = await db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
    registrations = await db.fetch_all(
        "SELECT r.*, e.title AS event_title, e.starts_at AS event_starts_at,"
        " CASE WHEN r.status = 'waitlisted' THEN (SELECT count(*) FROM registrations w"
        "   WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.id <= r.id)"
        " END AS waitlist_position"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.user_id = ? ORDER BY r.id",
        (user_id,),
    )
    reminders = await db.fetch_all(
        "SELECT d.* FROM reminder_deliveries d JOIN registrations r ON r.id = d.registration_id"
        " WHERE r.user_id = ? ORDER BY d.registration_id, d.offset_seconds",
        (user_id,),
    )
    messages = await db.fetch_all(
        "SELECT id, kind, payload, broadcast_id, state, attempts, not_before, created_at,"
        " sent_at, error FROM outbox WHERE user_id = ? ORDER BY id",
        (user_id,),
    )
    broadcasts = await db.fetch_all(
        "SELECT id, audience, event_id, status, created_at, finished_at FROM broadcasts"
        " WHERE created_by = ? ORDER BY id",
        (user_id,),
    )
    questions = await db.fetch_all(
        "SELECT q.event_id, e.title AS event_title, q.name, q.text, q.asked_at"
        " FROM questions q JOIN events e ON e.id = q.event_id WHERE q.user_id = ? ORDER BY q.id",
        (user_id,),
    )
    feedback = await db.fetch_all(
        "SELECT f.event_id, e.title AS event_title, f.rating, f.comment, f.requested_at,"
        " f.answered_at FROM feedback f JOIN registrations r ON r.id = f.registration_id"
        " JOIN events e ON e.id = f.event_id WHERE r.user_id = ? ORDER BY f.registration_id",
        (user_id,),
    )
    outbox_rows = _rows(messages)
    for row in outbox_rows:
        row["payload"] = json.loads(row["payload"])
    return {
        "user": dict(user) if user is not None else None,
        "registrations": _rows(registrations),
        "reminders": _rows(reminders),
        "messages": outbox_rows,
        "broadcasts_sent": _rows(broadcasts),
        "questions": _rows(questions),
        "feedback": _rows(feedback),
    }


async def delete_person(db: Database, user_id: int, now: datetime) -> DeletionReport:
    """Delete ``user_id`` in one transaction: release their seats for upcoming evenings (the
    waitlist moves up), anonymise all their sign-ups, drop their queued messages and their row.
    """
    report = await db.write(_delete_person, user_id, now)
    await db.checkpoint()  # the deleted pages leave the WAL too
    return report


def _delete_person(conn: Connection, user_id: int, now: datetime) -> DeletionReport:
    user_exists = conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone()
    upcoming = [
        row[0]
        for row in conn.execute(
            "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id"
            " WHERE r.user_id = ? AND r.status != 'cancelled' AND e.starts_at > ?"
            " ORDER BY r.id",
            (user_id, to_db_time(now)),
        )
    ]
    promoted: list[int] = []
    for registration_id in upcoming:
        promoted.extend(cancel_in(conn, registration_id, None, now).promoted_user_ids)
    questions = conn.execute("DELETE FROM questions WHERE user_id = ?", (user_id,)).rowcount
    comments = conn.execute(
        "UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL AND registration_id IN"
        " (SELECT id FROM registrations WHERE user_id = ?)",
        (user_id,),
    ).rowcount
    anonymised = conn.execute(
        "UPDATE registrations SET user_id = NULL, name = NULL, ticket = NULL WHERE user_id = ?",
        (user_id,),
    ).rowcount
    # Queued messages go; delivered broadcast rows stay as anonymous tallies of their
    # broadcast's report (a negative, unique placeholder instead of the Telegram id).
    conn.execute(
        "DELETE FROM outbox WHERE user_id = ? AND (state = 'pending' OR broadcast_id IS NULL)",
        (user_id,),
    )
    conn.execute(
        "UPDATE outbox SET user_id = -id, payload = '{}', error = NULL WHERE user_id = ?",
        (user_id,),
    )
    conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
    existed = user_exists is not None or anonymised + questions + comments > 0
    return DeletionReport(existed, len(upcoming), tuple(promoted))


async def remove_expired_personal_data(
    db: Database, now: datetime, retention_days: int
) -> RetentionReport:
    """Anonymise sign-ups of evenings that ended more than ``retention_days`` ago, remove their
    questions to the speakers and feedback comments, and finished outbox rows older than that
    (who was sent what). Counts (and ratings) survive."""
    cutoff = to_db_time(now - timedelta(days=retention_days))
    report = await db.write(_remove_expired, cutoff)
    await db.checkpoint()
    return report


def _remove_expired(conn: Connection, cutoff: str) -> RetentionReport:
    expired_events = "SELECT id FROM events WHERE coalesce(ends_at, starts_at) < ?"
    registrations = conn.execute(
        "UPDATE registrations SET user_id = NULL, name = NULL, ticket = NULL"
        f" WHERE event_id IN ({expired_events})"
        " AND (user_id IS NOT NULL OR name IS NOT NULL OR ticket IS NOT NULL)",
        (cutoff,),
    ).rowcount
    messages = conn.execute(
        "DELETE FROM outbox WHERE (state != 'pending' AND created_at < ?)"
        f" OR json_extract(payload, '$.event_id') IN ({expired_events})",
        (cutoff, cutoff),
    ).rowcount
    questions = conn.execute(
        f"DELETE FROM questions WHERE event_id IN ({expired_events})", (cutoff,)
    ).rowcount
    comments = conn.execute(
        "UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL"
        f" AND event_id IN ({expired_events})",
        (cutoff,),
    ).rowcount
    return RetentionReport(registrations, messages, questions, comments)
