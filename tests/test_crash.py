"""Crashes and shutdown (issue 6.6), with real processes: ``kill -9`` at random moments of a
sign-up storm and a broadcast, then a restart; and SIGTERM in the production life cycle.

Afterwards the database invariants hold, nobody got the broadcast twice (the fake's delivery
log spans all runs), and nothing stays half-done: every outbox row ends 'sent' or, at most one
per kill, 'failed' as "interrupted while sending" (the exactly-once trade-off: never twice)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.crash_driver import SEATS, STORM, SUBSCRIBERS, deliveries
from tests.invariants import assert_consistent

ROOT = Path(__file__).resolve().parent.parent
KILLS = 4


def driver(database: Path, log: Path, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crash_driver", str(database), str(log), mode],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def query(database: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for(condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def check_broadcast_exactly_once(database: Path, log: Path, kills: int) -> None:
    delivered = Counter(deliveries(log, "copyMessage"))
    twice = [chat for chat, n in delivered.items() if n > 1]
    assert not twice, f"broadcast delivered twice to {twice[:5]}"
    assert set(delivered) <= set(SUBSCRIBERS)
    rows = dict(query(database, "SELECT user_id, state FROM outbox WHERE kind = 'broadcast'"))
    assert len(rows) == len(SUBSCRIBERS)
    states = Counter(rows.values())
    assert set(states) <= {"sent", "failed"}, states  # nothing pending or in flight
    assert states["failed"] <= kills
    for user_id, state in rows.items():
        if state == "sent":
            assert delivered[user_id] == 1, user_id
    errors = query(database, "SELECT DISTINCT error FROM outbox WHERE state = 'failed'")
    assert errors in ([], [("interrupted while sending",)]), errors


def test_sigkill_at_random_moments_loses_nothing_and_sends_nothing_twice(tmp_path):
    database, log = tmp_path / "bot.sqlite3", tmp_path / "deliveries.log"
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    kills = 0
    for _ in range(KILLS):
        readies = lines(log).count("ready")
        process = driver(database, log, "storm")
        if rng.random() < 0.25:  # during start-up: migrations, closing in-flight rows, set-up
            moment = time.monotonic() + rng.uniform(0.05, 0.8)
        else:  # during the storm and the broadcast
            wait_for(
                lambda seen=readies, run=process: (
                    lines(log).count("ready") > seen or run.poll() is not None
                )
            )
            moment = time.monotonic() + rng.uniform(0.0, 1.5)
        while process.poll() is None and time.monotonic() < moment:
            time.sleep(0.005)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        else:  # it finished before the kill: the next runs are plain restarts
            assert process.returncode == 0, process.stderr.read().decode()[-2000:]
        process.stderr.close()
        if database.exists():
            assert_consistent(database)
    final = driver(database, log, "storm")
    _, stderr = final.communicate(timeout=60)
    assert final.returncode == 0, f"seed {seed}: {stderr.decode()[-3000:]}"
    assert lines(log)[-1] == "done"

    assert_consistent(database)
    statuses = dict(query(database, "SELECT status, count(*) FROM registrations GROUP BY status"))
    assert statuses == {"confirmed": SEATS, "waitlisted": len(STORM) - SEATS}, (seed, statuses)
    check_broadcast_exactly_once(database, log, kills)
    assert kills >= 1, f"seed {seed}: no run was killed, the test proved nothing"


def test_sigterm_finishes_in_flight_work_and_the_rest_resumes(tmp_path):
    database, log = tmp_path / "bot.sqlite3", tmp_path / "deliveries.log"
    process = driver(database, log, "serve")
    try:
        wait_for(lambda: "ready" in lines(log))
        wait_for(lambda: len(deliveries(log, "copyMessage")) >= 20)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()[-3000:]
    assert lines(log)[-1] == "stopped"
    assert "Traceback" not in stderr.decode()
    states = dict(query(database, "SELECT state, count(*) FROM outbox GROUP BY state"))
    assert "sending" not in states and "failed" not in states, states  # nothing cut off
    assert 20 <= states["sent"] < len(SUBSCRIBERS) and states["pending"] > 0, states

    # The next start simply carries on.
    final = driver(database, log, "storm")
    _, stderr = final.communicate(timeout=60)
    assert final.returncode == 0, stderr.decode()[-3000:]
    states = dict(query(database, "SELECT state, count(*) FROM outbox GROUP BY state"))
    assert states == {"sent": len(SUBSCRIBERS)}, states
    assert Counter(deliveries(log, "copyMessage")) == Counter(SUBSCRIBERS)
    assert_consistent(database)
