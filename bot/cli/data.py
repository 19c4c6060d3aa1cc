"""CLI verbs that read the database: ``attendees`` (CSV) and ``backup``."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings
from storage.db import Database

if TYPE_CHECKING:  # the verbs import what they need when they run
    from bot.i18n import Translator


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


async def print_attendees(settings: Settings, event_id: str, meldeliste: bool = False) -> int:
    """The attendee list of one event as CSV on stdout, in ``DEFAULT_LANGUAGE`` (see
    ``bot.files.attendee_csv``), or with ``meldeliste`` the Meldeliste of an evening with
    ``cpd_hours`` (exit 2 and one line for any other); written as bytes, so it works whatever the
    terminal's encoding."""
    from bot.files.attendee_csv import attendees_file
    from bot.i18n import Translator

    translator = Translator.load()
    db = await Database.open(settings.database_path)
    try:
        if meldeliste:
            content, problem = await _meldeliste(db, event_id, translator, settings)
        else:
            content = await attendees_file(
                db, event_id, translator, settings.default_language, settings.tz
            )
            problem = f"Unknown event: {event_id}"
    finally:
        await db.close()
    if content is None:
        print(problem, file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stdout.buffer.write(content)
    sys.stdout.buffer.flush()
    return 0


async def _meldeliste(
    db: Database, event_id: str, translator: Translator, settings: Settings
) -> tuple[bytes | None, str]:
    """The Meldeliste's CSV bytes, or ``None`` and the one line that says why there is none."""
    from bot.files.attendee_csv import meldeliste_sheet, sheet_csv
    from domain.retention import offers_meldeliste
    from storage import attendees as attendee_store
    from storage import events as event_store

    event = await event_store.get_event(db, event_id)
    if event is None:
        return None, f"Unknown event: {event_id}"
    if not offers_meldeliste(event):
        return None, f"Event {event_id} has no cpd_hours, so there is no Meldeliste."
    sheet = meldeliste_sheet(event, await attendee_store.meldeliste(db, event.id))
    return sheet_csv(translator, settings.default_language, sheet, settings.tz), ""
