"""The real bot against the fake Bot API: used by the console, the tests and the benchmark.

:func:`offline_bot` builds the same ``Application`` as production, with :class:`FakeBotApi` as
its network and optionally a manual clock, and runs its whole life cycle (``initialize``,
``post_init``, optionally ``start`` for the JobQueue, then the mirror image on exit).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from telegram.ext import Application, BaseRateLimiter

from bot.app import build_application
from bot.callbacks import unpack
from bot.clock import Clock
from bot.context import BotData
from bot.sending import sender
from bot.sending.budget import TelegramBudget
from bot.settings import Settings
from testing.fake_telegram import FakeBotApi, FakeGroup, FakeUser


def unthrottled() -> BaseRateLimiter:
    """The production budget without the overall 30/s and per-group ceilings (429s still
    honoured the same way), so that tests and benchmarks are not paced like a real bot; bulk
    pacing is the sender's job."""
    return TelegramBudget(limit=0, group_limit=0, max_retries=2)


async def press_action(user: FakeUser, action: str) -> None:
    """Press the newest button of callback ``action`` in the user's chat (labels change with
    the language and the wording; actions do not)."""
    for message in reversed(user.messages):
        for row in message.buttons:
            for button in row:
                callback = unpack(button.callback_data)
                if callback is not None and callback.action == action:
                    await user.press_data(button.callback_data, message)
                    return
    raise AssertionError(f"no {action!r} button in chat {user.chat_id}")


@dataclass
class OfflineBot:
    """A running offline bot with helpers to create users and groups that talk to it."""

    app: Application
    api: FakeBotApi
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(-1001000000001, -1))

    @property
    def data(self) -> BotData:
        return self.app.bot_data

    def user(
        self,
        user_id: int,
        first_name: str = "Erika",
        language_code: str | None = "de",
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """A Telegram user in a private chat with the bot."""
        return FakeUser(
            self.app,
            self.api,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    def group(self, title: str = "Kammergruppe") -> FakeGroup:
        """A supergroup the bot is a member of."""
        return FakeGroup(self.app, self.api, next(self._ids), title)


@contextlib.asynccontextmanager
async def offline_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    api: FakeBotApi | None = None,
    start: bool = False,
    rate_limiter: BaseRateLimiter | None = None,
    recipients: set[int] | None = None,
) -> AsyncIterator[OfflineBot]:
    """Run the bot against the fake API for the duration of the ``async with`` block.

    ``start=True`` also starts the application (JobQueue, update queue) as in production;
    tests that control time leave it off and run jobs themselves. ``recipients``: the outbox
    sender handles only rows for these user ids (see :func:`bot.sending.sender.limit_recipients`).
    """
    api = api or FakeBotApi()
    application = build_application(
        settings, request=api, clock=clock, rate_limiter=rate_limiter or unthrottled()
    )
    if recipients is not None:
        sender.limit_recipients(application, recipients)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if start:
            await application.start()
        try:
            yield OfflineBot(application, api)
        finally:
            if start and application.running:
                await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
