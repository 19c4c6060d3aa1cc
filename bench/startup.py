"""(d) Start-up to ready on a big database, in a fresh process (so peak RSS is the bot's own).

The database is generated first with plain ``executemany`` (not timed): users, events spread
over past and future, and sign-ups (confirmed up to each event's capacity, the rest on the
waitlist). One event starts within the day, so start-up has real reminder catch-up to do.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import bot_now
from storage.db import Database, to_db_time

ROOT = Path(__file__).resolve().parent.parent
CAPACITY = 150


def _generate(path: Path, users: int, events: int, signups: int, now: datetime) -> None:
    rng = random.Random(6)
    stamp = to_db_time(now - timedelta(days=30))  # people signed up a month ago
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        conn.executemany(
            "INSERT INTO users (id, language, display_name, consent_at, subscribed, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (100_000_000 + n, "de" if n % 5 else "en", f"Gast {n}", stamp, n % 3 == 0, stamp)
                for n in range(users)
            ),
        )
        span = timedelta(days=4 * 365)
        starts = [now - span / 2 + span * n / events for n in range(events)]
        starts[events // 2] = now + timedelta(hours=20)  # reminders fall due at start-up
        conn.executemany(
            "INSERT INTO events (id, title, series, starts_at, ends_at, venue, address, capacity,"
            " status, description, created_at, updated_at)"
            " VALUES (?, ?, 'Kraft der Region', ?, ?, 'Haus der Architekt:innen',"
            " 'Danneckerstraße 54, 70182 Stuttgart', ?, 'scheduled', ?, ?, ?)",
            (
                (
                    f"abend-{n:05d}",
                    f"Macher:innengespräch {n}",
                    to_db_time(start),
                    to_db_time(start + timedelta(hours=2)),
                    CAPACITY,
                    "Wie Veränderung in der Region gemacht wird. " * 5,
                    stamp,
                    stamp,
                )
                for n, start in enumerate(starts)
            ),
        )
        conn.executemany(
            "INSERT INTO speakers (event_id, position, name, role, bio) VALUES (?, ?, ?, ?, ?)",
            (
                (f"abend-{n:05d}", p, f"Referent:in {n}-{p}", "Architektin", "Bio. " * 20)
                for n in range(events)
                for p in range(3)
            ),
        )
        per_event = signups // events

        def rows():  # type: ignore[no-untyped-def]
            for n in range(events):
                chosen = rng.sample(range(users), per_event)
                for position, user in enumerate(chosen):
                    confirmed = position < CAPACITY
                    yield (
                        f"abend-{n:05d}",
                        100_000_000 + user,
                        f"Gast {user}",
                        "confirmed" if confirmed else "waitlisted",
                        secrets.token_urlsafe(24),
                        stamp,
                        stamp if confirmed else None,
                    )

        conn.executemany(
            "INSERT INTO registrations (event_id, user_id, name, status, ticket, created_at,"
            " confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
    conn.close()


async def generate_database(
    path: Path, users: int, events: int, signups: int, now: datetime
) -> None:
    """Create the schema with the bot's own migrations, then fill it in bulk."""
    db = await Database.open(path)
    await db.close()
    _generate(path, users, events, signups, now)


def probe(path: Path) -> dict:
    """Run :mod:`bench.startup_probe` in a fresh interpreter and return its figures."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.startup_probe", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"start-up probe failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


async def run_startup(users: int = 100_000, events: int = 1_000, signups: int = 200_000) -> dict:
    """Generate the database (not timed), then measure a fresh start-up on it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.sqlite3"
        started = time.perf_counter()
        await generate_database(path, users, events, signups, bot_now())
        generated = time.perf_counter() - started
        size_mb = path.stat().st_size / 2**20
        figures = await asyncio.to_thread(probe, path)
    return {
        "users": users,
        "events": events,
        "signups": signups,
        "seconds": figures["seconds"],
        "peak_rss_mb": figures["peak_rss_mb"],
        "import_seconds": figures["import_seconds"],
        "reminders_caught_up": figures["reminders_caught_up"],
        "database_mb": round(size_mb, 1),
        "generate_seconds": round(generated, 1),
    }
