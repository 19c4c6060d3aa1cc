"""``python run.py import FILE`` and ``python run.py export FILE`` (PRODUCT §2).

Each verb is a plain function returning the exit code: 0 on success, 2 on invalid input or
configuration (one line per problem on stderr, never a traceback), 1 when the database itself
fails (locked beyond the busy timeout, not a database, disk full).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from bot.clock import Clock
from bot.settings import ConfigError, Settings, load_settings
from domain.models import Event
from domain.reading.program import ProgramError, dump_program, parse_program
from storage.db import Database
from storage.events import SaveReport, list_all, save_events
from storage.preflight import database_problem

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
STDIO = "-"


def _shown(path: str) -> str:
    return "<stdin>" if path == STDIO else path


def _fail(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _settings() -> Settings | None:
    try:
        settings = load_settings()
    except ConfigError as exc:
        _fail(str(exc))
        return None
    problem = database_problem(settings.database_path)
    if problem:
        _fail(problem)
        return None
    return settings


def _read_text(path: str) -> str | None:
    """The file's text (``-``: standard input), or None after saying why not."""
    try:
        if path == STDIO:
            return sys.stdin.buffer.read().decode("utf-8-sig")
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except IsADirectoryError:
        _fail(f"{path}: is a folder, not a file")
    except UnicodeDecodeError as exc:
        _fail(f"{path}: not UTF-8 text (byte {exc.start})")
    except OSError as exc:
        _fail(f"{path}: cannot be read ({exc.strerror})")
    return None


def _write_text(path: str, text: str) -> bool:
    """Write ``text`` to ``path`` (``-``: standard output) whole or not at all."""
    data = text.encode("utf-8")
    if path == STDIO:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return True
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
            os.chmod(temporary, mode)  # mkstemp makes 0600; keep what an ordinary write gives
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        _fail(f"{path}: cannot be written ({exc.strerror or exc})")
        return False
    return True


async def _save(database_path: Path, events: Iterable[Event]) -> SaveReport:
    db = await Database.open(database_path)
    try:
        return await save_events(db, events, Clock().now())
    finally:
        await db.close()


async def _load_all(database_path: Path) -> list[Event]:
    db = await Database.open(database_path)
    try:
        return await list_all(db)
    finally:
        await db.close()


def _summary(path: str, report: SaveReport) -> str:
    total = len(report.created) + len(report.updated) + len(report.unchanged)
    return (
        f"{path}: {total} event{'s' if total != 1 else ''} imported –"
        f" {len(report.created)} created, {len(report.updated)} updated,"
        f" {len(report.unchanged)} unchanged; {report.notified} change"
        f" notice{'s' if report.notified != 1 else ''} and {report.announced}"
        f" announcement{'s' if report.announced != 1 else ''} queued"
    )


def import_program(path: str) -> int:
    """Validate the program file at ``path`` and upsert its events by id, all or nothing."""
    settings = _settings()
    if settings is None:
        return EXIT_INVALID
    text = _read_text(path)
    if text is None:
        return EXIT_INVALID
    try:
        events = parse_program(text, settings.tz)
    except ProgramError as exc:
        _fail(*(f"{_shown(path)}: {error}" for error in exc.errors))
        return EXIT_INVALID
    try:
        report = asyncio.run(_save(settings.database_path, events))
    except (sqlite3.Error, OSError) as exc:
        _fail(f"{settings.database_path}: nothing imported, the database failed ({exc})")
        return EXIT_FAILED
    print(_summary(_shown(path), report))
    return EXIT_OK


def export_program(path: str) -> int:
    """Write the whole program (past and future) to ``path`` (``-``: standard output)."""
    settings = _settings()
    if settings is None:
        return EXIT_INVALID
    try:
        events = asyncio.run(_load_all(settings.database_path))
    except (sqlite3.Error, OSError) as exc:
        _fail(f"{settings.database_path}: cannot be read ({exc})")
        return EXIT_FAILED
    if not _write_text(path, dump_program(events, settings.tz)):
        return EXIT_INVALID
    return EXIT_OK
