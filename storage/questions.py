"""Questions to the speakers: asked and withdrawn by attendees, read by organisers per evening.

Asking and withdrawing read the evening, the sign-up and the existing question inside one
``BEGIN IMMEDIATE`` and let ``domain.standing`` decide (sign-up required, one per person and
evening, closed at the start), so a press from an old message can never get past the rule the
card offered it by. A withdrawn question is deleted: nothing of it is kept.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from domain.standing import Refusal, may_ask_question, may_withdraw_question
from storage.db import Database, Row, from_db_time_required, to_db_time
from storage.event_rows import event_in
from storage.registrations import active_in

_COLUMNS = "id, event_id, user_id, name, text, asked_at"


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    event_id: str
    user_id: int
    name: str | None  # the name the asker was registered under when asking
    text: str
    asked_at: datetime


def _question(row: Row) -> Question:
    return Question(
        id=row["id"],
        event_id=row["event_id"],
        user_id=row["user_id"],
        name=row["name"],
        text=row["text"],
        asked_at=from_db_time_required(row["asked_at"]),
    )


def _has_question(conn: sqlite3.Connection, event_id: str, user_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM questions WHERE event_id = ? AND user_id = ?", (event_id, user_id)
    ).fetchone()
    return row is not None


def _ask(
    conn: sqlite3.Connection, event_id: str, user_id: int, text: str, now: datetime
) -> Refusal | None:
    event = event_in(conn, event_id)
    if event is None:
        return Refusal.UNKNOWN_EVENT
    registration = active_in(conn, event_id, user_id)
    refusal = may_ask_question(event, registration, _has_question(conn, event_id, user_id), now)
    if refusal is not None:
        return refusal
    assert registration is not None
    conn.execute(
        "INSERT INTO questions (event_id, user_id, name, text, asked_at) VALUES (?, ?, ?, ?, ?)",
        (event_id, user_id, registration.name, text, to_db_time(now)),
    )
    return None


async def ask(
    db: Database, event_id: str, user_id: int, text: str, now: datetime
) -> Refusal | None:
    """Record the user's question for the evening; ``None`` on success, else why not."""
    return await db.write(_ask, event_id, user_id, text, now)


def _withdraw(
    conn: sqlite3.Connection, event_id: str, user_id: int, now: datetime
) -> Refusal | None:
    event = event_in(conn, event_id)
    if event is None:
        return Refusal.UNKNOWN_EVENT
    refusal = may_withdraw_question(event, _has_question(conn, event_id, user_id), now)
    if refusal is None:
        conn.execute(
            "DELETE FROM questions WHERE event_id = ? AND user_id = ?", (event_id, user_id)
        )
    return refusal


async def withdraw(db: Database, event_id: str, user_id: int, now: datetime) -> Refusal | None:
    """Delete the user's question for the evening; ``None`` on success, else why not."""
    return await db.write(_withdraw, event_id, user_id, now)


async def question_of(db: Database, event_id: str, user_id: int) -> Question | None:
    """The user's question for the evening, if any."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM questions WHERE event_id = ? AND user_id = ?",
        (event_id, user_id),
    )
    return None if row is None else _question(row)


async def asked_events(db: Database, user_id: int) -> set[str]:
    """The evenings the user has a question for."""
    rows = await db.fetch_all("SELECT event_id FROM questions WHERE user_id = ?", (user_id,))
    return {row[0] for row in rows}


async def questions_of_event(db: Database, event_id: str) -> list[Question]:
    """All questions of one evening, oldest first (newest last)."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM questions WHERE event_id = ? ORDER BY asked_at, id", (event_id,)
    )
    return [_question(row) for row in rows]


async def count_of_event(db: Database, event_id: str) -> int:
    """How many questions the evening has."""
    count: int = await db.fetch_value(
        "SELECT count(*) FROM questions WHERE event_id = ?", (event_id,)
    )
    return count
