"""Shared set-up of the benchmark parts: settings, events, returning users, button presses."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.settings import Settings
from domain.models import Event
from storage.db import Database, to_db_time
from storage.events import save_events

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ADMIN_ID = 1000


def bench_settings(folder: Path, **overrides: object) -> Settings:
    """Settings for a run: its own database in ``folder``, no .env, no token."""
    values: dict[str, object] = {
        "database_path": folder / "bench.sqlite3",
        "admin_ids": frozenset({ADMIN_ID}),
        "bot_token": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def clock() -> ManualClock:
    """A frozen clock (deadlines and reminders do not move during a run)."""
    return ManualClock(NOW)


def event(event_id: str, days: float, capacity: int | None, now: datetime = NOW) -> Event:
    """An upcoming evening ``days`` from ``now``."""
    return Event(
        id=event_id,
        title=f"Macher:innengespräch {event_id}",
        series="Kraft der Region",
        starts_at=now + timedelta(days=days),
        ends_at=now + timedelta(days=days, hours=2, minutes=30),
        venue="Haus der Architektinnen und Architekten",
        address="Danneckerstraße 54, 70182 Stuttgart",
        capacity=capacity,
        description="Wie Veränderung in der Region Stuttgart gemacht wird.",
    )


async def add_events(
    db: Database, count: int, capacity: int | None, now: datetime = NOW
) -> list[str]:
    """``count`` upcoming events a week apart; returns their ids."""
    events = [event(f"abend-{n:04d}", 7 + 7 * n, capacity, now) for n in range(count)]
    await save_events(db, events, now)
    return [e.id for e in events]


async def add_returning_users(
    db: Database, user_ids: range | list[int], now: datetime = NOW, subscribed: bool = False
) -> None:
    """Users who signed up before: name and consent given, so a sign-up is one tap."""
    stamp = to_db_time(now)

    def write(conn):
        conn.executemany(
            "INSERT INTO users (id, language, display_name, consent_at, subscribed,"
            " subscription_asked, created_at) VALUES (?, 'de', ?, ?, ?, 1, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [(uid, f"Gast {uid}", stamp, subscribed, stamp) for uid in user_ids],
        )

    await db.write(write)


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def summary(values: list[float]) -> dict[str, float]:
    """min / median / max of repeated figures, rounded for the results file."""
    return {
        "min": round(min(values), 3),
        "median": round(median(values), 3),
        "max": round(max(values), 3),
    }
