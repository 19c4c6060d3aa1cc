"""``python run.py backup FILE`` (issue 6.5): a consistent copy while the bot keeps writing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli.data import backup
from storage import events as event_store
from storage import registrations
from storage.db import Database
from tests.conftest import NOW, make_event, make_settings
from tests.invariants import assert_consistent

ROOT = Path(__file__).resolve().parent.parent
CAPACITY = 30


@contextlib.asynccontextmanager
async def busy_writer(path: Path) -> AsyncIterator[list[int]]:
    """A task signing people up and cancelling some of them, as fast as it can, until the block
    ends; yields a one-element list counting its committed writes."""
    db = await Database.open(path)
    await event_store.save_events(
        db, [make_event(f"ev-{n}", days=3 + n, capacity=CAPACITY) for n in range(3)], NOW
    )
    writes = [0]
    stop, under_way = asyncio.Event(), asyncio.Event()

    async def write() -> None:
        user = 1
        while not stop.is_set():
            result = await registrations.sign_up(db, f"ev-{user % 3}", user, f"Gast {user}", NOW)
            if user % 4 == 0 and result.registration is not None:
                await registrations.cancel(db, result.registration.id, user, NOW)
            writes[0] += 1
            if writes[0] == 20:
                under_way.set()
            user += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(write())
    try:
        await under_way.wait()  # the writer is under way before anyone backs up
        yield writes
    finally:
        stop.set()
        await task
        await db.close()


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_backups_taken_while_writing_are_consistent(tmp_path):
    source = tmp_path / "bot.sqlite3"
    settings = make_settings(tmp_path, database_path=source)
    async with busy_writer(source) as writes:
        counts = []
        for n in range(5):
            copy = tmp_path / f"copy-{n}.sqlite3"
            assert await backup(settings, str(copy)) == 0
            counts.append(rows(copy, "SELECT count(*) FROM registrations")[0][0])
            await asyncio.sleep(0.02)
        assert writes[0] > counts[0]  # the writer really ran during the backups
    assert counts == sorted(counts) and counts[-1] > counts[0]
    for n in range(5):
        copy = tmp_path / f"copy-{n}.sqlite3"
        assert_consistent(copy)
        confirmed = rows(
            copy,
            "SELECT event_id, count(*) FROM registrations WHERE status = 'confirmed'"
            " GROUP BY event_id",
        )
        assert confirmed and all(count <= CAPACITY for _, count in confirmed)
        assert not (tmp_path / f"copy-{n}.sqlite3.partial").exists()


async def test_restored_copy_opens_and_migrates(tmp_path):
    source = tmp_path / "bot.sqlite3"
    copy = tmp_path / "copy.sqlite3"
    async with busy_writer(source):
        assert await backup(make_settings(tmp_path, database_path=source), str(copy)) == 0
    # A restore is "copy the backup over the database file"; the bot must start on it.
    restored = tmp_path / "restored" / "bot.sqlite3"
    restored.parent.mkdir()
    restored.write_bytes(copy.read_bytes())
    db = await Database.open(restored)
    try:
        assert await db.fetch_value("SELECT count(*) FROM events") == 3
        assert await db.fetch_value("SELECT count(*) FROM registrations") > 0
    finally:
        await db.close()
    assert_consistent(restored)


async def test_backup_refuses_missing_database_and_itself(tmp_path, capsys):
    settings = make_settings(tmp_path, database_path=tmp_path / "nothing.sqlite3")
    assert await backup(settings, str(tmp_path / "copy.sqlite3")) == 2
    assert "DATABASE_PATH" in capsys.readouterr().err
    assert not (tmp_path / "nothing.sqlite3").exists()  # not created as a side effect
    source = tmp_path / "bot.sqlite3"
    await (await Database.open(source)).close()
    assert await backup(make_settings(tmp_path, database_path=source), str(source)) == 2
    assert "overwrite" in capsys.readouterr().err


async def test_cli_backup_while_another_process_writes(tmp_path):
    """The CLI verb in its own process, while this process keeps signing people up."""
    source = tmp_path / "bot.sqlite3"
    copy = tmp_path / "backups" / "nightly.sqlite3"
    env = {**os.environ, "DATABASE_PATH": str(source), "BOT_TOKEN": ""}
    async with busy_writer(source) as writes:
        before = writes[0]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "run.py"),
            "backup",
            str(copy),
            cwd=tmp_path,
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        during = writes[0] - before
    assert process.returncode == 0, stderr.decode()
    assert f"Backup written to {copy}" in stderr.decode()
    assert during > 0  # writes went on while the other process copied
    assert_consistent(copy)
    assert rows(copy, "SELECT count(*) FROM registrations")[0][0] > 0


@pytest.mark.parametrize("bad_target", ["/proc/no/such/folder/copy.sqlite3"])
async def test_backup_to_unwritable_place_is_one_line(tmp_path, bad_target, capsys):
    source = tmp_path / "bot.sqlite3"
    db = await Database.open(source)
    await db.close()
    assert await backup(make_settings(tmp_path, database_path=source), bad_target) == 1
    err = capsys.readouterr().err
    assert err.startswith("Backup failed:") and err.count("\n") == 1
