"""Shared set-up of the benchmark parts: settings, events, returning users, button presses."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

from domain.models import Event
from storage.db import Database, to_db_time
from storage.events import save_events
from testing.factories import (  # the tests' factories: one set-up for tests and benchmark
    ADMIN_ID,
    NOW,
    frozen_clock,
    make_event,
    make_settings,
)

__all__ = ["ADMIN_ID", "NOW", "frozen_clock", "make_settings"]


def bot_now() -> datetime:
    """The moment a bot in its own process sees: the production bot (``python run.py``, the
    start-up probe) keeps real time, so the databases it is measured on are placed relative
    to the wall clock. Everything in this process uses :data:`NOW` and a frozen clock."""
    return datetime.now(UTC)


def event(event_id: str, days: float, capacity: int | None, now: datetime = NOW) -> Event:
    """An upcoming evening ``days`` from ``now`` (the tests' evening, without speakers)."""
    return make_event(
        event_id,
        starts_at=now + timedelta(days=days),
        title=f"Macher:innengespräch {event_id}",
        capacity=capacity,
        description="Wie Veränderung in der Region Stuttgart gemacht wird.",
        latitude=None,
        longitude=None,
        speakers=(),
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
