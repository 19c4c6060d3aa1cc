"""Issue 15, start-up: every bad start ends with exit 2 and one line naming the variable or
file (a damaged, foreign, read-only or newer database; bad settings; an import with absurd
values), a second bot process on the same database is refused naming the first one's pid, and
deleted personal data is overwritten and leaves the WAL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from storage.db import Database
from storage.migrations import SchemaTooNew
from storage.preflight import release_instance_lock, take_instance_lock
from tests.process_support import ROOT, one_line, run

PROGRAM = """events:
  - id: a
    title: T
    starts: {starts}
    venue: V
    capacity: {capacity}
"""


def _database(path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


async def _migrated(path) -> None:
    db = await Database.open(path)
    await db.close()


@pytest.mark.parametrize("verb", [["attendees", "x"], ["import", "program.yaml"], []])
def test_a_file_that_is_no_database_is_named(tmp_path, verb):
    (tmp_path / "bot.sqlite3").write_bytes(b"this is not sqlite at all" * 100)
    (tmp_path / "program.yaml").write_text("events: []\n", encoding="utf-8")
    one_line(run(tmp_path, *verb, BOT_TOKEN="1:x"), "DATABASE_PATH", "bot.sqlite3")


def test_a_foreign_database_is_refused(tmp_path):
    _database(tmp_path / "bot.sqlite3", "CREATE TABLE invoices (id INTEGER)")
    one_line(run(tmp_path, "attendees", "x"), "DATABASE_PATH", "another application")


async def test_a_database_of_a_newer_version_refuses_to_start(tmp_path):
    path = tmp_path / "bot.sqlite3"
    await _migrated(path)
    _database(path, "INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    one_line(run(tmp_path, "attendees", "x"), "DATABASE_PATH", "newer version", "m999")
    with pytest.raises(SchemaTooNew):
        await Database.open(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write read-only files")
async def test_a_read_only_database_is_named(tmp_path):
    path = tmp_path / "bot.sqlite3"
    await _migrated(path)
    path.chmod(0o444)
    try:
        one_line(run(tmp_path, "attendees", "x"), "DATABASE_PATH", "read-only")
    finally:
        path.chmod(0o644)


def test_attendees_on_a_mistyped_path_creates_nothing(tmp_path):
    one_line(run(tmp_path, "attendees", "x"), "DATABASE_PATH", "no database")
    assert not (tmp_path / "bot.sqlite3").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REMINDER_OFFSETS", ""),
        ("BOT_API_BASE_URL", "notaurl"),
        ("WEBHOOK_URL", "http://bot.example.org/hook"),
        ("PRIVACY_NOTICE_FILE", "datenschutz-fehlt.md"),
    ],
)
def test_settings_that_were_accepted_silently_are_named(tmp_path, variable, value):
    one_line(run(tmp_path, BOT_TOKEN="1:x", **{variable: value}), variable)


@pytest.mark.parametrize(
    ("starts", "capacity", "words"),
    [
        ("2027-01-10 18:30", "100000000000000000000", ("capacity", "at most")),
        ("0001-01-10 18:30", "5", ("starts", "year")),
        ("9999-12-31 18:30", "5", ("starts", "year")),
    ],
)
def test_absurd_program_values_are_named(tmp_path, starts, capacity, words):
    program = tmp_path / "program.yaml"
    program.write_text(PROGRAM.format(starts=starts, capacity=capacity), encoding="utf-8")
    one_line(run(tmp_path, "import", str(program)), "program.yaml", *words)


def test_deeply_nested_yaml_is_refused_in_one_line(tmp_path):
    program = tmp_path / "program.yaml"
    program.write_text("events: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    one_line(run(tmp_path, "import", str(program)), "nested too deeply")


def test_a_second_bot_process_on_the_same_database_is_refused(tmp_path):
    """Another process (here a stand-in that only holds the lock, as a running bot does)
    keeps the bot from starting; once it is gone, the lock is free again."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            " from storage.preflight import take_instance_lock;"
            " lock, problem = take_instance_lock(Path(sys.argv[1]));"
            " print('held', flush=True); sys.stdin.read()",  # holds it until stopped
            str(tmp_path / "bot.sqlite3"),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run(tmp_path, BOT_TOKEN="1:x")
        one_line(result, "DATABASE_PATH", f"pid {holder.pid}", "another bot process")
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    lock, problem = take_instance_lock(tmp_path / "bot.sqlite3")
    assert problem is None
    release_instance_lock(lock)


async def test_deleted_personal_data_is_overwritten_and_leaves_the_wal(tmp_path):
    from storage import privacy
    from storage import users as user_store
    from tests.conftest import NOW

    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    try:
        await user_store.ensure_user(db, 77, "de", NOW)

        def name(conn):
            conn.execute("UPDATE users SET display_name = 'Zaphod Beeblebrox' WHERE id = 77")

        await db.write(name)
        await privacy.delete_person(db, 77, NOW)
        assert await db.fetch_value("PRAGMA secure_delete") == 1
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        await db.close()
    assert b"Zaphod" not in path.read_bytes()


def test_the_webhook_listens_on_loopback_unless_configured(tmp_path):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, webhook_url="https://bot.example.org/hook")
    assert settings.webhook_listen == "127.0.0.1"


def test_import_names_a_field_too_long_for_a_message(tmp_path):
    program = tmp_path / "program.yaml"
    text = PROGRAM.format(starts="2027-01-10 18:30", capacity="5")
    program.write_text(text + "    description: " + "x" * 5000 + "\n", encoding="utf-8")
    one_line(run(tmp_path, "import", str(program)), "'description'", "at most 2500 characters")
