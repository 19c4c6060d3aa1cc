"""Migrations are named after what they do; a database made before the renaming (by commit
f55e3b3, which recorded the names of the branches that added them) still opens and reads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import events as event_store
from storage import questions as question_store
from storage import registrations
from storage.db import Database
from storage.migrations import FORMER_NAMES, MIGRATIONS, applied_migrations, current_name
from storage.preflight import database_problem

MADE_BY_F55E3B3 = Path(__file__).parent / "fixtures" / "f55e3b3.sql"
EVENT = "umbau-2026-03-04"


def old_database(path: Path) -> Path:
    """The database file f55e3b3 made (its dump, loaded into ``path``)."""
    conn = sqlite3.connect(path)
    conn.executescript(MADE_BY_F55E3B3.read_text())
    conn.close()
    return path


def test_no_migration_is_named_after_a_branch() -> None:
    names = [migration.__name__ for migration in MIGRATIONS]
    numbers = [name.split("_")[0] for name in names]
    assert numbers == [f"m{n:03d}" for n in range(1, len(names) + 1)]  # one number each, in order
    assert all(not part[0].isdigit() for name in names for part in name.split("_")[1:])
    assert not any(part.startswith("i1") for name in names for part in name.split("_"))
    assert set(FORMER_NAMES.values()) <= set(names)
    assert not set(FORMER_NAMES) & set(names)


async def test_a_database_made_by_f55e3b3_opens_and_reads(tmp_path: Path) -> None:
    path = old_database(tmp_path / "bot.sqlite3")
    recorded = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM _migrations")}
    assert set(FORMER_NAMES) <= recorded  # the fixture holds the old names

    assert database_problem(path) is None  # not taken for a newer version's schema
    db = await Database.open(path)  # migrates: only what came after f55e3b3 runs
    try:
        event = await event_store.get_event(db, EVENT)
        assert event is not None and event.cpd_hours == 1.5
        assert [speaker.name for speaker in event.speakers] == ["Dora Dach"]
        ben = await registrations.active_registration(db, EVENT, 102)
        cem = await registrations.active_registration(db, EVENT, 103)
        assert ben is not None and ben.waitlist_position == 1
        assert cem is not None and cem.waitlist_position == 2
        assert await question_store.count_of_event(db, EVENT) == 1
        ran = await db.fetch_all("SELECT name FROM _migrations ORDER BY rowid")
    finally:
        await db.close()
    known = [migration.__name__ for migration in MIGRATIONS]
    assert [current_name(row[0]) for row in ran] == known  # each once, under either name


def test_applied_migrations_reads_former_names_as_today_s() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(MADE_BY_F55E3B3.read_text())
    assert applied_migrations(conn)[: len(FORMER_NAMES) + 1] == [
        migration.__name__ for migration in MIGRATIONS[: len(FORMER_NAMES) + 1]
    ]
    conn.close()
