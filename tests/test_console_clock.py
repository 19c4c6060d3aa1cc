"""The console's own clock (issue 19): set with ``--now``, kept with its database across a
restart, moved with ``/zeit``; and the demo program placed around it."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta

import pytest

from bot.console.demo import EXAMPLE_PROGRAM, demo_events
from bot.console.timeshift import parse_shift
from tests.test_console import BERLIN, SIGN_UP, console, finish, queue_notices, start_console


def test_the_clock_is_kept_with_the_database_across_a_restart(tmp_path):
    """A clock moved past the first evening stays there after a restart: the evening the
    person signed up for is over, not upcoming again (issue 19)."""
    first = console(tmp_path, SIGN_UP + "/zeit +8d\n").stdout
    assert "Console clock: 2026-11-25 10:00 (CET) (--now)" in first
    assert "Console clock: 2026-12-03 10:00 (CET)" in first
    again = console(tmp_path, "/termine\n/meine\n", now=None).stdout
    assert "Console clock: 2026-12-03 10:0" in again and "(kept with its database)" in again
    upcoming = again[again.index("Die nächsten") :]
    assert upcoming.index("Stadt und Land") < upcoming.index("───")  # first on the list
    assert "Umbau statt Neubau" not in upcoming[: upcoming.index("───")]
    restarted = console(tmp_path, "/termine\n", now="2026-11-30T09:00").stdout  # --now wins
    assert "Console clock: 2026-11-30 09:00 (CET) (--now)" in restarted


def ended(tmp_path, *args: str) -> tuple[int, str]:
    """Exit code and stderr of a console run with ``args`` and no input."""
    process = start_console(tmp_path, *args)
    _, err = finish(process, "")
    return process.returncode, err


def test_now_is_a_local_minute(tmp_path):
    code, err = ended(tmp_path, "--now", "25.11.2026")
    assert code == 2 and "YYYY-MM-DDTHH:MM" in err and "Traceback" not in err


def test_never_ahead_of_real_time_on_a_database_with_other_people(tmp_path):
    """Their reminders would be queued early (as /zeit is off there); the clock kept in the
    database is not touched."""
    path = tmp_path / "shared.sqlite3"
    asyncio.run(queue_notices(path))  # a stranger is signed up
    code, err = ended(tmp_path, "--database", str(path), "--now", "2099-01-01T10:00")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "cannot run ahead of real time on a database with other people" in err
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM console_clock").fetchone() == (0,)
    finally:
        conn.close()


@pytest.mark.parametrize(
    "local",
    [  # late evenings, just after midnight, the nights the clocks change, a year's end
        datetime(2026, 12, 10, 23, 55),
        datetime(2026, 12, 11, 0, 5),
        datetime(2027, 3, 28, 1, 55),
        datetime(2027, 10, 31, 2, 30),
        datetime(2031, 12, 27, 18, 45),
    ],
)
def test_demo_keeps_allianzen_and_places_the_examples_around_the_clock(local):
    """The real first evening "Allianzen" stays on 22 October 2025, 18:30; the first example
    evening is a week after the console's clock at its own local time, and every id ending in a
    year names its date's year (``umbau-statt-neubau-2027`` was dated 14 Dec 2026 before)."""
    now = local.replace(tzinfo=BERLIN)
    events = demo_events(EXAMPLE_PROGRAM.read_text("utf-8"), BERLIN, now)
    starts = {event.id: event.starts_at.astimezone(BERLIN) for event in events}
    assert starts.pop("allianzen-2025") == datetime(2025, 10, 22, 18, 30, tzinfo=BERLIN)
    first = min(starts, key=starts.__getitem__)
    assert first.startswith("umbau-statt-neubau-")
    assert starts[first].date() == now.date() + timedelta(days=7)
    assert (starts[first].hour, starts[first].minute) == (18, 30)
    assert len(starts) == 4 and all(start.hour in (18, 19) for start in starts.values())
    for event_id, start in starts.items():
        assert event_id.endswith(f"-{start.year}"), (event_id, start)


def test_shift_units():
    assert parse_shift("+2h") == timedelta(hours=2)
    assert parse_shift("30m") == timedelta(minutes=30)
    assert parse_shift("+1d") == timedelta(days=1)
    assert parse_shift("soon") is None
