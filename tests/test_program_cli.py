"""The ``import`` and ``export`` verbs (PRODUCT §2): all or nothing, byte-identical round trips
through the database, one line and exit 2 on bad input, change notices for moved events."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.program import export_program, import_program
from domain.reading.program import dump_program
from storage.db import Database
from storage.registrations import sign_up
from tests.program_support import BERLIN, EXAMPLE, MINIMAL, parse, with_lines


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """A fresh configuration: database in tmp_path, no .env from the project folder."""
    path = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("TIMEZONE", "Europe/Berlin")
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_import_writes_the_example_program(database, capsys):
    assert import_program(str(EXAMPLE)) == 0
    out = capsys.readouterr().out
    assert "5 created" in out
    assert len(rows(database, "SELECT id FROM events")) == 5
    assert rows(database, "SELECT count(*) FROM speakers WHERE event_id = 'allianzen-2025'") == [
        (5,)
    ]
    assert import_program(str(EXAMPLE)) == 0
    assert "5 unchanged" in capsys.readouterr().out


def test_invalid_file_writes_nothing(database, tmp_path, capsys):
    assert import_program(str(EXAMPLE)) == 0
    before = rows(database, "SELECT * FROM events ORDER BY id")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("title: Allianzen", "title: Allianzen – geändert")
        .replace("capacity: 60", "capacity: sechzig"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert import_program(str(broken)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"{broken}: event 'stadt-und-land-2027', field 'capacity': must be a whole number\n"
    )
    assert rows(database, "SELECT * FROM events ORDER BY id") == before


def test_invalid_file_into_a_fresh_database_creates_no_events(database, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(with_lines("ends: gestern"), encoding="utf-8")
    assert import_program(str(broken)) == 2
    assert rows(database, "SELECT * FROM events") == []


def test_missing_file_and_bad_configuration_exit_2_with_one_line(database, monkeypatch, capsys):
    assert import_program("nowhere.yaml") == 2
    assert capsys.readouterr().err == "nowhere.yaml: no such file\n"
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    assert import_program(str(EXAMPLE)) == 2
    assert export_program("out.yaml") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert all(line.startswith("Invalid TIMEZONE") for line in err)


def test_export_import_export_is_byte_identical_through_the_database(database, tmp_path, capsys):
    assert import_program(str(EXAMPLE)) == 0
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    assert export_program(str(first)) == 0
    expected = dump_program(parse(EXAMPLE.read_text(encoding="utf-8")), BERLIN)
    assert first.read_text(encoding="utf-8") == expected
    capsys.readouterr()
    assert import_program(str(first)) == 0
    assert "5 unchanged" in capsys.readouterr().out
    assert export_program(str(second)) == 0
    assert second.read_bytes() == first.read_bytes()
    assert export_program("-") == 0
    assert capsys.readouterr().out == expected


def test_export_to_an_impossible_path_exits_2(database, capsys):
    assert export_program("no/such/folder/out.yaml") == 2
    assert capsys.readouterr().err.startswith("no/such/folder/out.yaml: cannot be written")


# `run.py import` reads the real clock (it is the production verb), so the evening sits far
# beyond any moment this suite runs at: on MINIMAL's own date (March 2027) it would have begun
# and a change would notify nobody (found by `make test-at AT='2027-03-28 00:55:00'`).
FAR_AHEAD = MINIMAL.replace("2027-03-10", "2099-03-10")


def test_moving_an_event_with_a_registration_queues_a_change_notice(database, tmp_path, capsys):
    program = tmp_path / "program.yaml"
    program.write_text(FAR_AHEAD, encoding="utf-8")
    assert import_program(str(program)) == 0

    async def register() -> None:
        db = await Database.open(database)
        try:
            result = await sign_up(
                db, "test-evening", 4711, "Erika", datetime(2026, 11, 25, tzinfo=UTC)
            )
            assert result.registration is not None
        finally:
            await db.close()

    asyncio.run(register())
    program.write_text(FAR_AHEAD.replace("18:30", "19:00"), encoding="utf-8")
    capsys.readouterr()
    assert import_program(str(program)) == 0
    assert "1 updated" in capsys.readouterr().out
    [(user_id, kind, payload)] = rows(database, "SELECT user_id, kind, payload FROM outbox")
    assert (user_id, kind) == (4711, "event_changed")
    assert json.loads(payload)["changes"]["starts_at"] == [
        "2099-03-10T17:30:00Z",
        "2099-03-10T18:00:00Z",
    ]
