"""Issue 19: one set of factories for the tests and the benchmark (testing/factories.py), and
no test, fixture or benchmark set-up that reads the wall clock for the bot's "now"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bench.common
import tests.conftest
from testing import factories

ROOT = Path(__file__).resolve().parent.parent

# Where reading the real clock is right, and why. Everything else places time relative to the
# moment a test sets (NOW, a ManualClock), so a run gives the same answers at any hour.
ALLOWED = {
    "bench/common.py": "bot_now(): the production bot processes under measurement keep real time",
    "bench/__main__.py": "the results file says when the benchmark ran",
    "testing/fake_telegram/api.py": "Telegram's own message dates",
    "testing/fake_telegram/chats.py": "Telegram's own message dates",
    "testing/fake_telegram/methods.py": "Telegram's own edit dates",
    "tests/test_webhook_process.py": "an update's date, as Telegram sends it",
    "tests/test_factories.py": "this scan's own patterns",
}
WALL_CLOCK = re.compile(
    r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|\btime\.time\(\)|[^.\w]Clock\(\)|"
    r"ShiftedClock\(\)"
)


def test_the_tests_and_the_benchmark_share_one_set_of_factories():
    for name in ("NOW", "START", "ADMIN_ID", "make_event", "make_settings", "frozen_clock"):
        assert getattr(tests.conftest, name) is getattr(factories, name), name
    for name in ("NOW", "ADMIN_ID", "make_settings", "frozen_clock"):
        assert getattr(bench.common, name) is getattr(factories, name), name


def test_evenings_are_placed_relative_to_the_set_moment(tmp_path):
    event = factories.make_event(days=14)
    assert event.starts_at == factories.START == datetime(2026, 12, 9, 17, 30, tzinfo=UTC)
    assert event.ends_at == event.starts_at + timedelta(hours=2, minutes=30)
    later = datetime(2099, 1, 1, 18, 0, tzinfo=UTC)
    assert factories.make_event(starts_at=later).ends_at == later + timedelta(hours=2, minutes=30)
    assert bench.common.event("x", 7, None, later).starts_at == later + timedelta(days=7)
    assert factories.frozen_clock().now() == factories.NOW
    assert factories.fast_bulk_settings(tmp_path).broadcast_rate == factories.FAST_BULK


def test_no_test_fixture_or_benchmark_reads_the_wall_clock():
    found = []
    for folder in ("tests", "testing", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED or name.startswith("tests/test_console"):
                continue  # the console's tests: its own helper (issue 19, bullet 2)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WALL_CLOCK.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "reads the wall clock:\n" + "\n".join(found)
