"""Shared fixtures: the real Application against the fake Bot API, a real SQLite file in a
temporary folder, and a manual clock. Every test ends by checking that the bot never sent
anything Telegram would have rejected, and that nothing it sent to a person was a dead end."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.commands import ATTENDEE_COMMANDS, ORGANISER_COMMANDS
from bot.i18n import LANGUAGES, Translator
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
from testing.fake_telegram import SentMessage
from testing.fake_telegram.dead_ends import Allowed, Recording, dead_ends, watching
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

# The commands a message may name as its way on: every spelling the bot answers in a chat.
WAY_ON_COMMANDS = frozenset(
    {"start"} | {name for entry in ATTENDEE_COMMANDS + ORGANISER_COMMANDS for name in entry[:2]}
)


def _opening(*keys: str) -> Callable[[SentMessage], bool]:
    """Whether a message begins like one of these catalogue texts (either language), up to
    the first value put in."""
    translator = Translator.load()
    starts = tuple(
        re.sub(r"<[^>]+>", "", translator.raw(lang, key, count=2)).split("{")[0]
        for lang in LANGUAGES
        for key in keys
    )
    return lambda message: message.text.startswith(starts)


# Messages allowed without a button or a command, each with the reason it may stay so.
DEAD_END_ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        _opening(
            "broadcast.progress",
            "broadcast.progress_resumed",
            "broadcast.interrupted",
            "broadcast.finished",
        ),
        "a broadcast's progress line is edited in place while it sends: a button under it would "
        "be pressed away into another view and then overwritten by the next edit; the report "
        "that follows the last edit carries the way on",
    ),
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dead_ends_expected: the test sends dead ends on purpose (not checked)"
    )


@pytest.fixture(autouse=True)
def no_dead_ends(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if the bot left a person at a dead end: a message in a private chat with
    neither a button nor a command, and no way on beside it (testing.fake_telegram.dead_ends).
    """
    with watching() as apis:
        yield
    if not request.node.get_closest_marker("dead_ends_expected"):
        assert_no_dead_ends(apis)


def assert_no_dead_ends(apis: Iterable[Recording]) -> None:
    """The check of :func:`no_dead_ends` over these fakes: AssertionError listing each one."""
    found = [str(d) for api in apis for d in dead_ends(api, WAY_ON_COMMANDS, DEAD_END_ALLOWED)]
    assert not found, "dead ends (no button, no command):\n" + "\n".join(found)


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
