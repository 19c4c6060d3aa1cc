"""Shared fixtures: the real Application against the fake Bot API, a real SQLite file in a
temporary folder, and a manual clock. Every test ends by checking that the bot never sent
anything Telegram would have rejected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from domain.models import Event
from storage import events as event_store
from testing.factories import (  # re-exported: tests import them from here or from testing
    ADMIN_ID,
    FAST_BULK,
    NOW,
    START,
    fast_bulk_settings,
    frozen_clock,
    make_event,
    make_settings,
)
from testing.faketime import mend_sleep
from testing.offline import OfflineBot, offline_bot

__all__ = [
    "ADMIN_ID",
    "FAST_BULK",
    "NOW",
    "START",
    "fast_bulk_settings",
    "frozen_clock",
    "make_event",
    "make_settings",
]

mend_sleep()  # the suite at another hour (make test-at): time.sleep under libfaketime


@pytest.fixture
def clock() -> ManualClock:
    return frozen_clock()


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
