"""The console's clock, kept with its database: the offset of ``python run.py console``'s clock
from real time (see :class:`bot.clock.ConsoleClock`). The real bot never reads it."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Database, to_db_time


async def kept_offset(db: Database) -> timedelta | None:
    """The offset the console's clock was last set to, or ``None`` when it never was."""
    seconds = await db.fetch_value("SELECT offset_seconds FROM console_clock WHERE id = 1")
    return None if seconds is None else timedelta(seconds=seconds)


async def keep_offset(db: Database, offset: timedelta, now: datetime) -> None:
    """Keep ``offset`` as the console's clock (``now``: the real moment it was set)."""
    await db.execute(
        "INSERT INTO console_clock (id, offset_seconds, set_at) VALUES (1, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET offset_seconds = excluded.offset_seconds,"
        " set_at = excluded.set_at",
        (offset.total_seconds(), to_db_time(now)),
    )
