"""CLI verbs that read the database: ``attendees`` (CSV) and ``backup``."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from bot.settings import Settings
from storage.db import Database


async def backup(settings: Settings, target: str) -> int:
    """Copy the database consistently with SQLite's online backup API, safe while the bot runs.

    The copy is written next to ``target`` first, checked with ``PRAGMA integrity_check`` and
    only then renamed into place, so ``target`` is either the previous file or a whole, sound
    copy, never a half-written one (e.g. when the disk fills up during a nightly cron run).
    """
    source, destination = settings.database_path, Path(target)
    refusal = _refusal(source, destination)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    partial = destination.with_name(destination.name + ".partial")
    try:
        db = await Database.open(source)
        try:
            await db.backup(partial)
        finally:
            await db.close()
        problem = _integrity_problem(partial)
        if problem:
            print(f"Backup not written: the copy failed its check ({problem}).", file=sys.stderr)
            return 1
        os.replace(partial, destination)
    except (OSError, sqlite3.Error) as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    finally:
        partial.unlink(missing_ok=True)
    print(f"Backup written to {destination}", file=sys.stderr)
    return 0


def _refusal(source: Path, destination: Path) -> str | None:
    if not source.is_file():
        return f"No database at {source} (set DATABASE_PATH)."
    if destination.resolve() == source.resolve():
        return "The backup must not overwrite the database itself."
    return None


def _integrity_problem(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return None if result == [("ok",)] else str(result[:3])


async def print_attendees(settings: Settings, event_id: str) -> int:
    """The attendee list of one event as CSV on stdout, in ``DEFAULT_LANGUAGE`` (see
    ``bot.files.attendee_csv``); written as bytes, so it works whatever the terminal's encoding."""
    from bot.files.attendee_csv import attendees_file
    from bot.i18n import Translator

    db = await Database.open(settings.database_path)
    try:
        content = await attendees_file(
            db, event_id, Translator.load(), settings.default_language, settings.tz
        )
    finally:
        await db.close()
    if content is None:
        print(f"Unknown event: {event_id}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stdout.buffer.write(content)
    sys.stdout.buffer.flush()
    return 0
