"""Open dialogues kept across restarts (``bot.persistence``): per person and ConversationHandler
the step they are at, and per person the drafts of their dialogues as JSON text.

Both are personal data (a draft may hold a typed name or an organiser's unsent announcement):
they go with "delete my data" (storage.privacy) and are dropped after :data:`KEEP_FOR` without a
change, so a dialogue left open is not kept for ever.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from storage.db import Connection, Database, to_db_time

KEEP_FOR = timedelta(days=7)  # a dialogue untouched this long is forgotten (and not resumed)

StateKey = tuple[int, int]  # (chat id, user id)


async def load_states(db: Database, handler: str, now: datetime) -> dict[StateKey, str]:
    """The stored steps of ``handler`` changed within :data:`KEEP_FOR`, as JSON text."""
    rows = await db.fetch_all(
        "SELECT chat_id, user_id, state FROM dialogue_states"
        " WHERE handler = ? AND updated_at >= ?",
        (handler, to_db_time(now - KEEP_FOR)),
    )
    return {(row["chat_id"], row["user_id"]): row["state"] for row in rows}


async def load_drafts(db: Database, now: datetime) -> dict[int, str]:
    """The stored drafts changed within :data:`KEEP_FOR`, as JSON text per user id."""
    rows = await db.fetch_all(
        "SELECT user_id, data FROM dialogue_drafts WHERE updated_at >= ?",
        (to_db_time(now - KEEP_FOR),),
    )
    return {row["user_id"]: row["data"] for row in rows}


async def save_state(
    db: Database, handler: str, key: StateKey, state: str | None, now: datetime
) -> None:
    """Store the step ``key`` is at in ``handler`` (``None``: the dialogue ended)."""
    await db.write(_save_state, handler, key, state, to_db_time(now))


def _save_state(
    conn: Connection, handler: str, key: StateKey, state: str | None, now: str
) -> None:
    chat_id, user_id = key
    if state is None:
        conn.execute(
            "DELETE FROM dialogue_states WHERE handler = ? AND chat_id = ? AND user_id = ?",
            (handler, chat_id, user_id),
        )
        return
    conn.execute(
        "INSERT INTO dialogue_states (handler, chat_id, user_id, state, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (handler, chat_id, user_id)"
        " DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        (handler, chat_id, user_id, state, now),
    )


async def save_draft(db: Database, user_id: int, data: str | None, now: datetime) -> None:
    """Store the drafts of ``user_id`` (``None``: nothing left to keep)."""
    await db.write(_save_draft, user_id, data, to_db_time(now))


def _save_draft(conn: Connection, user_id: int, data: str | None, now: str) -> None:
    if data is None:
        conn.execute("DELETE FROM dialogue_drafts WHERE user_id = ?", (user_id,))
        return
    conn.execute(
        "INSERT INTO dialogue_drafts (user_id, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data,"
        " updated_at = excluded.updated_at",
        (user_id, data, now),
    )


async def forget_users(db: Database, user_ids: Iterable[int]) -> None:
    """Drop every stored step and draft of these people (drafts that could not be read)."""
    await db.write(_forget_users, tuple(user_ids))


def _forget_users(conn: Connection, user_ids: tuple[int, ...]) -> None:
    for user_id in user_ids:
        delete_person_in(conn, user_id)


def delete_person_in(conn: Connection, user_id: int) -> int:
    """Inside a caller's transaction: remove the person's steps and drafts; rows removed."""
    removed = conn.execute("DELETE FROM dialogue_states WHERE user_id = ?", (user_id,)).rowcount
    removed += conn.execute("DELETE FROM dialogue_drafts WHERE user_id = ?", (user_id,)).rowcount
    return removed


def delete_stale_in(conn: Connection, now: datetime) -> int:
    """Inside a caller's transaction: remove steps and drafts unchanged for :data:`KEEP_FOR`."""
    cutoff = to_db_time(now - KEEP_FOR)
    removed = conn.execute("DELETE FROM dialogue_states WHERE updated_at < ?", (cutoff,)).rowcount
    removed += conn.execute("DELETE FROM dialogue_drafts WHERE updated_at < ?", (cutoff,)).rowcount
    return removed


async def export_person(db: Database, user_id: int) -> dict[str, list[dict[str, object]]]:
    """The person's stored steps and drafts, as rows (for the data export)."""
    states = await db.fetch_all(
        "SELECT handler, chat_id, state, updated_at FROM dialogue_states"
        " WHERE user_id = ? ORDER BY handler, chat_id",
        (user_id,),
    )
    drafts = await db.fetch_all(
        "SELECT data, updated_at FROM dialogue_drafts WHERE user_id = ?", (user_id,)
    )
    return {"steps": [dict(row) for row in states], "drafts": [dict(row) for row in drafts]}
