"""Which chats carry the organiser command menu (and in which language): so that the bot sets
it where it is missing or outdated, and removes it from ids no longer in ADMIN_IDS."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, to_db_time


async def menus(db: Database) -> dict[int, str]:
    """Every chat given the organiser menu, with the language it was written in."""
    rows = await db.fetch_all("SELECT user_id, language FROM organiser_menus")
    return {row["user_id"]: row["language"] for row in rows}


async def remember(db: Database, user_id: int, language: str, now: datetime) -> None:
    """The organiser menu was set in this chat, in this language."""
    await db.execute(
        "INSERT INTO organiser_menus (user_id, language, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,"
        " set_at = excluded.set_at",
        (user_id, language, to_db_time(now)),
    )


async def forget(db: Database, user_id: int) -> None:
    """The organiser menu was taken away from this chat."""
    await db.execute("DELETE FROM organiser_menus WHERE user_id = ?", (user_id,))
