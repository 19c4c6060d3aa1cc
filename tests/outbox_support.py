"""Helpers shared by the reminder, sender and notification tests: sign people up at a given
moment, run the reminder job and the sender the way the JobQueue would, read the outbox, and a
fake Telegram that keeps a flood wait like the real one."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import AsyncIterator
from datetime import datetime

from bot.clock import ManualClock
from bot.sending.sender import DrainReport, drain_outbox
from bot.settings import Settings
from handlers.notices.reminders import plan_reminders
from storage import registrations as registration_store
from storage import users as user_store
from storage.db import Database
from storage.registrations import SignUpResult
from testing.fake_telegram import RATE_LIMITED_METHODS, FakeBotApi, JSONDict
from testing.fake_telegram.api import _ApiError
from testing.offline import OfflineBot, offline_bot


async def sign_up(
    bot: OfflineBot,
    clock: ManualClock,
    user_id: int,
    event_id: str = "umbau-2026",
    lang: str = "de",
    at: datetime | None = None,
) -> SignUpResult:
    """``user_id`` (speaking ``lang``) signs up for ``event_id`` at ``at`` (default: now)."""
    moment = at or clock.now()
    db = bot.data.db
    await user_store.ensure_user(db, user_id, lang, moment)
    return await registration_store.sign_up(db, event_id, user_id, f"Person {user_id}", moment)


async def tick(bot: OfflineBot) -> DrainReport:
    """One round of the jobs: plan due reminders, then drain the outbox."""
    await plan_reminders(bot.app.bot_data)
    return await drain_outbox(bot.app)


async def outbox_rows(db: Database, kind: str | None = None) -> list[dict]:
    """The outbox as plain dicts, oldest first."""
    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE ?1 IS NULL OR kind = ?1 ORDER BY id", (kind,)
    )
    return [dict(row) for row in rows]


async def deliveries(db: Database) -> list[tuple[int, int, str, str]]:
    """``reminder_deliveries`` as (registration id, offset seconds, starts_at, state)."""
    rows = await db.fetch_all(
        "SELECT registration_id, offset_seconds, starts_at, state FROM reminder_deliveries"
        " ORDER BY registration_id, offset_seconds DESC, starts_at"
    )
    return [tuple(row) for row in rows]


def bot_texts(bot: OfflineBot, chat_id: int) -> list[str]:
    """Plain texts of everything the bot sent to one chat, oldest first."""
    return [message.text for message in bot.api.messages(chat_id)]


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, clock: ManualClock, api: FakeBotApi | None = None, **kwargs: object
) -> AsyncIterator[OfflineBot]:
    """Another bot process on the same database (a restart); fails on rejected requests."""
    async with offline_bot(settings, clock=clock, api=api, **kwargs) as bot:  # type: ignore[arg-type]
        yield bot
        rejections = list(bot.api.rejections)
    assert not rejections, f"the bot sent requests Telegram would reject: {rejections}"


class FloodWaitApi(FakeBotApi):
    """Like Telegram: after a 429 with ``retry_after`` r, every send within r seconds is refused
    with another 429. :attr:`provoked` counts those, the 429s the bot brought on itself."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.flood_until = 0.0
        self.provoked = 0

    def _handle(self, method: str, params: JSONDict, files: JSONDict) -> tuple[int, JSONDict]:
        status, payload = super()._handle(method, params, files)
        if status == 429:
            wait = payload["parameters"]["retry_after"]
            self.flood_until = max(self.flood_until, time.monotonic() + wait)
        return status, payload

    def _check_rate(self, method: str, now: float) -> None:
        if method in RATE_LIMITED_METHODS and now < self.flood_until:
            self.provoked += 1
            wait = max(1, math.ceil(self.flood_until - now))
            raise _ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        super()._check_rate(method, now)
