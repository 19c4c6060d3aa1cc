"""Storage without Telegram: migrations from an empty file, WAL, the write path, times in UTC."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage import events as event_store
from storage.db import Database, from_db_time, to_db_time
from storage.migrations import MIGRATIONS, applied_migrations
from tests.conftest import NOW, make_event


async def test_migrations_run_once_on_an_empty_file(tmp_path):
    path = tmp_path / "sub" / "folder" / "db.sqlite3"
    db = await Database.open(path)
    await db.close()
    db = await Database.open(path)  # second start: nothing to do, nothing fails
    names = await db.fetch_all("SELECT name FROM _migrations ORDER BY rowid")
    assert [row[0] for row in names] == [m.__name__ for m in MIGRATIONS]
    assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    assert await db.fetch_value("PRAGMA foreign_keys") == 1
    tables = {
        row[0] for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {
        "users",
        "events",
        "speakers",
        "registrations",
        "reminder_deliveries",
        "broadcasts",
        "outbox",
    } <= tables
    await db.close()


def test_migrations_on_an_in_memory_database():
    from storage.db import connect
    from storage.migrations import migrate

    conn = connect(":memory:")
    assert migrate(conn) == [m.__name__ for m in MIGRATIONS]
    assert migrate(conn) == []
    assert applied_migrations(conn) == [m.__name__ for m in MIGRATIONS]
    conn.close()


async def test_a_failing_transaction_writes_nothing(tmp_path):
    db = await Database.open(tmp_path / "db.sqlite3")

    def save_then_fail(conn):
        event_store.save_events_in(conn, [make_event("a")], NOW)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await db.write(save_then_fail)
    assert await db.fetch_value("SELECT count(*) FROM events") == 0
    await db.close()


async def test_writes_run_on_one_writer_thread_and_a_locked_database_does_not_block_the_loop(
    tmp_path,
):
    import asyncio
    import sqlite3
    import threading

    db = await Database.open(tmp_path / "db.sqlite3")
    threads = await asyncio.gather(
        *(db.write(lambda conn: threading.get_ident()) for _ in range(20))
    )
    assert len(set(threads)) == 1 and threads[0] != threading.get_ident()
    other = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    pending = asyncio.ensure_future(db.execute("UPDATE users SET language = 'de'"))
    ticks = 0
    for _ in range(5):  # the loop keeps running while the writer waits for the lock
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 5 and not pending.done()
    other.execute("COMMIT")
    assert await pending == 0
    other.close()
    await db.close()


async def test_times_are_stored_in_utc(tmp_path):
    db = await Database.open(tmp_path / "db.sqlite3")
    berlin_evening = datetime(2025, 10, 22, 18, 30, tzinfo=timezone(timedelta(hours=2)))
    await event_store.save_events(
        db, [make_event("a", starts_at=berlin_evening, ends_at=None)], NOW
    )
    assert await db.fetch_value("SELECT starts_at FROM events") == "2025-10-22T16:30:00Z"
    event = await event_store.get_event(db, "a")
    assert event.starts_at == berlin_evening
    await db.close()
    with pytest.raises(ValueError):
        to_db_time(datetime(2025, 1, 1))
    assert from_db_time("2025-01-01T00:00:00Z") == datetime(2025, 1, 1, tzinfo=UTC)


async def test_a_second_process_can_write_while_the_first_reads(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    other = sqlite3.connect(path, timeout=5)
    other.execute("INSERT INTO users (id, created_at) VALUES (7, '2026-01-01T00:00:00Z')")
    other.commit()
    other.close()
    assert await db.fetch_value("SELECT count(*) FROM users") == 1
    await db.close()


async def test_saving_the_same_program_twice_changes_nothing(tmp_path):
    db = await Database.open(tmp_path / "db.sqlite3")
    first = await event_store.save_events(db, [make_event("a"), make_event("b", days=3)], NOW)
    second = await event_store.save_events(db, [make_event("a"), make_event("b", days=3)], NOW)
    assert sorted(first.created) == ["a", "b"]
    assert sorted(second.unchanged) == ["a", "b"] and not second.updated
    await db.close()


async def test_corrections_to_past_events_notify_nobody(tmp_path):
    from storage import registrations

    db = await Database.open(tmp_path / "db.sqlite3")
    event = make_event("soon", days=1)
    await event_store.save_events(db, [event], NOW)
    await registrations.sign_up(db, "soon", 5, "Erika", NOW)
    later = NOW + timedelta(days=3)
    moved = make_event("soon", days=1, venue="Anderswo")
    report = await event_store.save_events(db, [moved], later)
    assert report.updated == ["soon"] and report.notified == 0
    report = await event_store.save_events(db, [make_event("soon", days=1, venue="Dort")], NOW)
    assert report.notified == 1
    await db.close()
