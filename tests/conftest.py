"""Shared fixtures: the real Application against the fake Bot API, a real SQLite file in a
temporary folder, and a manual clock. Every test ends by checking that the bot never sent
anything Telegram would have rejected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from domain.models import Event, Speaker
from storage import events as event_store
from testing.offline import OfflineBot, offline_bot

ADMIN_ID = 1000
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday morning, 10:00 in Berlin


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for tests: no .env, a database in ``tmp_path``, one organiser."""
    values: dict[str, object] = {
        "database_path": tmp_path / "bot.sqlite3",
        "admin_ids": frozenset({ADMIN_ID}),
        "timezone": "Europe/Berlin",
        "bot_token": None,
        "web_port": 0,  # no fixed port in tests; the web tests bind a free one themselves
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_event(event_id: str = "umbau-2026", days: float = 14, **fields: object) -> Event:
    """An upcoming event ``days`` after :data:`NOW` (18:30 Berlin time on that day)."""
    start = (NOW + timedelta(days=days)).replace(hour=17, minute=30)
    values: dict[str, object] = {
        "id": event_id,
        "title": "Umbau statt Neubau",
        "series": "Kraft der Region",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2, minutes=30),
        "venue": "Haus der Architektinnen und Architekten",
        "address": "Danneckerstraße 54, 70182 Stuttgart",
        "latitude": 48.7707,
        "longitude": 9.1866,
        "capacity": 80,
        "description": "Wie wir mit dem Bestand bauen.",
        "speakers": (Speaker("Ilona Schaal", "Künstlerische Leiterin, Theater Rampe", "Bio."),),
    }
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def bot(settings: Settings, clock: ManualClock) -> AsyncIterator[OfflineBot]:
    """The bot, initialised but not started (tests run jobs themselves, with the manual
    clock). Fails the test if the bot sent anything the fake had to reject."""
    async with offline_bot(settings, clock=clock) as running:
        yield running
        rejections = list(running.api.rejections)
    assert not rejections, f"the bot sent requests Telegram would reject: {rejections}"


@pytest.fixture
def add_events(bot: OfflineBot, clock: ManualClock) -> Callable[..., object]:
    """``await add_events(event, …)``: save events straight into the bot's database."""

    async def add(*events: Event) -> None:
        await event_store.save_events(bot.data.db, events, clock.now())

    return add
