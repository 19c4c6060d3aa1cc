"""Issue 22.8, PRODUCT §2: every start error is one line, whatever SQLite's message contains.
A database file with a corrupted page made SQLite answer on two lines ("*** in database main
***" / "Page 2: btreeInitPage() returns error code 11"), and the bot printed both."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.preflight import write_problem
from tests.process_support import one_line, run


def corrupted(path: Path) -> None:
    """A sound database, then its second page overwritten with garbage."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.executemany("INSERT INTO notes VALUES (?)", [("x" * 100,)] * 200)
    conn.commit()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as file:
        file.seek(page_size)
        file.write(b"\xff" * 100)


@pytest.mark.parametrize("verb", [(), ("console",), ("attendees", "x"), ("backup", "copy.db")])
def test_a_corrupted_page_stops_every_start_with_one_line(tmp_path, verb):
    corrupted(tmp_path / "bot.sqlite3")
    result = run(tmp_path, *verb, BOT_TOKEN="1:x", stdin="")
    line = one_line(result, "DATABASE_PATH", "damaged", "restore a backup")
    assert "Page 2" in line and "Traceback" not in result.stderr


def test_damage_found_later_is_one_line_too(tmp_path):
    """Damage that only shows when a page is read (after the start-up check): SQLite's
    SQLITE_CORRUPT with a message over several lines still gives one line."""
    error = sqlite3.DatabaseError("database disk image is malformed\nPage 7: bad cell")
    error.sqlite_errorname = "SQLITE_CORRUPT"  # type: ignore[attr-defined]
    line = write_problem(tmp_path / "bot.sqlite3", error)
    assert line is not None and "\n" not in line
    assert "damaged (database disk image is malformed Page 7: bad cell)" in line
