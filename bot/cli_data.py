"""CLI verbs that read the database: ``attendees`` (CSV) and ``backup``."""

from __future__ import annotations

import sys

from bot.settings import Settings
from storage.db import Database


async def backup(settings: Settings, target: str) -> int:
    """Copy the database consistently with SQLite's online backup API, safe while the bot runs."""
    db = await Database.open(settings.database_path)
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(f"Backup written to {target}", file=sys.stderr)
    return 0


async def print_attendees(settings: Settings, event_id: str) -> int:
    """The attendee list of one event as CSV on stdout (see ``storage.attendees``)."""
    from storage.attendees import attendees_csv  # noqa: PLC0415

    db = await Database.open(settings.database_path)
    try:
        csv_text = await attendees_csv(db, event_id, settings.tz)
    finally:
        await db.close()
    if csv_text is None:
        print(f"Unknown event: {event_id}", file=sys.stderr)
        return 2
    sys.stdout.write(csv_text)
    return 0
