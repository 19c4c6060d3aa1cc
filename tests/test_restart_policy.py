"""What a restart does with a message that was in flight when the process died (PRODUCT §6):
the delivery table decides. A real process is SIGKILLed while the fake Bot API holds its
request; the next process sends *must arrive* kinds again and closes *at most once* kinds as
interrupted (perhaps delivered, never twice). Parametrised over every kind in the one table of
outbox kinds, so a kind added later is covered by the same test."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import outbox_kinds
from storage.outbox import INTERRUPTED
from testing.fake_telegram import FakeBotApi
from testing.fake_telegram.http import LoopbackBotApi
from tests.restart_child import RECIPIENT, TOKEN

ROOT = Path(__file__).resolve().parent.parent
KINDS = outbox_kinds()


def child(database: Path, server: LoopbackBotApi, kind: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.restart_child", str(database), server.base_url, kind],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outbox_row(database: Path) -> tuple[str, str | None]:
    conn = sqlite3.connect(database)
    try:
        ((state, error),) = conn.execute("SELECT state, error FROM outbox").fetchall()
    finally:
        conn.close()
    return state, error


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_message_in_flight_at_a_kill_is_resent_or_closed_as_its_kind_says(tmp_path, kind):
    database = tmp_path / "bot.sqlite3"
    must_arrive = not KINDS[kind].policy.at_most_once
    with LoopbackBotApi(FakeBotApi(token=TOKEN)).in_thread() as server:
        held = server.hold_next("sendMessage")
        first = child(database, server, kind)
        try:
            assert held.wait(60), first.communicate(timeout=5)[1][-2000:] if first.poll() else ""
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        assert outbox_row(database) == ("sending", None)  # in flight when it died

        second = child(database, server, kind)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err[-3000:]
        assert out.splitlines() == ["done"]
        delivered = server.read(lambda api: [m.text for m in api.messages(RECIPIENT)])

    if must_arrive:
        assert delivered == [f"{kind} for you, /termine"]
        assert outbox_row(database) == ("sent", None)
        assert "sending it again" in err
    else:
        assert delivered == []  # perhaps it arrived before the crash: never twice
        assert outbox_row(database) == ("failed", INTERRUPTED)
        assert "not sent again" in err


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_operations_guide_states_each_kinds_policy(kind):
    """PRODUCT §6: the table is also in docs/OPERATIONS.md, one row per kind, as in bot.app."""
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    [row] = [line for line in guide.splitlines() if line.startswith("|") and f"(`{kind}`)" in line]
    policy = row.split("|")[2]
    expected = "at most once" if KINDS[kind].policy.at_most_once else "must arrive"
    assert expected in policy, row
