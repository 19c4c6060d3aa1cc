"""Helpers shared by the organiser-tool tests (issue 5)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from domain.models import Registration
from storage import registrations as registration_store
from storage import users as user_store
from testing.offline import OfflineBot

WRITTEN_TABLES = ("events", "speakers", "registrations", "broadcasts", "outbox")


def snapshot(path: Path | str) -> dict[str, list[tuple]]:
    """Everything an organiser action could write, read with plain sqlite3."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in WRITTEN_TABLES
        }
    finally:
        conn.close()


def rows(path: Path | str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of a read-only query on the database file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def sign_up(
    bot: OfflineBot, now: datetime, event_id: str, user_id: int, name: str, lang: str = "de"
) -> Registration:
    """Sign a person up directly in the database (the sign-up dialogue is tested elsewhere)."""
    await user_store.ensure_user(bot.data.db, user_id, lang, now)
    result = await registration_store.sign_up(bot.data.db, event_id, user_id, name, now)
    assert result.registration is not None, result
    return result.registration
