"""One shared Telegram budget for everything the bot sends: answers to people first, bulk
sending (the outbox: broadcasts, reminders, notices) takes what is left.

Telegram lets a bot send about 30 messages a second (and 20 a minute into one group). PTB's
``AIORateLimiter`` kept that ceiling for all calls alike and, on any 429, halted *every* request,
so one flood wait of the bulk sender held a person's ``/termine`` too; and with
``BROADCAST_RATE=30`` the bulk pace alone filled the budget, so answers to people pushed it over
(339 × 429 per 10,000 messages). :class:`TelegramBudget` is a ``BaseRateLimiter`` (PTB's public
API for this) that tells the two apart by ``rate_limit_args``: the sender passes :data:`BULK`,
everything else is an interactive answer.

- **One window, counted the safe way.** A call may start only while fewer than ``limit`` calls
  are in flight or finished less than a second ago. Telegram counts a call somewhere between
  its start and its end, so however the network delays them, no second at Telegram's end ever
  sees more than ``limit`` (the same reasoning as :mod:`bot.pacer`, for concurrent calls).
- **Interactive first.** An answer may use the whole window; a bulk call only what is left
  after :data:`BULK_HEADROOM`, and never while an answer is waiting for a slot. So bulk runs at
  ``min(BROADCAST_RATE, budget − recent answers)`` and an answer never waits behind bulk for
  more than the next free slot.
- **A 429 pauses bulk, not people.** After any 429 no bulk call starts for ``retry_after``;
  a bulk 429 goes straight back to the sender (which puts the row back, see
  :mod:`bot.sending.sender`); an interactive 429 is retried by that one request after
  ``retry_after`` (at most ``max_retries`` times) while other answers keep going.
- **Groups**: at most ``group_limit`` calls per ``group_period`` into one group or channel,
  counted the same way.

Calls without a ``chat_id`` (``answerCallbackQuery``, ``getUpdates``, ``setMyCommands``…) are
not counted, as Telegram does not count them against the message limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

BULK = "bulk"  # rate_limit_args of bulk sends (bot.sending.sender); anything else is interactive
BULK_HEADROOM = 1  # slots per second bulk always leaves free for answers to people
RETRY_MARGIN = 0.1  # seconds added to a retry_after, as PTB does
_MAX_GROUP_WINDOWS = 512  # idle group windows are dropped beyond this many

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds: PTB 22 gives an int, or a timedelta with PTB_TIMEDELTA set."""
    value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class Window:
    """At most ``limit`` calls in any ``period`` seconds at Telegram's end: counts the calls in
    flight and those that finished less than ``period`` ago."""

    def __init__(self, limit: float, period: float) -> None:
        self.limit = limit
        self.period = period
        self.in_flight = 0
        self._finished: deque[float] = deque()

    def used(self, now: float) -> int:
        """Slots taken at ``now``."""
        while self._finished and self._finished[0] <= now - self.period:
            self._finished.popleft()
        return self.in_flight + len(self._finished)

    def frees_at(self) -> float | None:
        """When the oldest finished call stops counting (``None``: only a release frees one)."""
        return self._finished[0] + self.period if self._finished else None

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight -= 1
        self._finished.append(now)

    def idle(self, now: float) -> bool:
        """Nothing in flight and nothing counted any more."""
        return self.used(now) == 0


class TelegramBudget(BaseRateLimiter[str]):
    """The shared budget: interactive answers first, bulk (``rate_limit_args=BULK``) takes what
    is left, a 429 pauses bulk only. ``limit=0`` (or ``group_limit=0``) switches that ceiling
    off (tests, benchmarks); the 429 handling stays."""

    def __init__(
        self,
        limit: float = FloodLimit.MESSAGES_PER_SECOND,
        period: float = 1.0,
        group_limit: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_period: float = 60.0,
        max_retries: int = 2,
        bulk_headroom: int = BULK_HEADROOM,
    ) -> None:
        self.limit = limit
        self.group_limit = group_limit
        self.group_period = group_period
        self.max_retries = max_retries
        self.bulk_headroom = bulk_headroom if limit else 0
        self.bulk_paused_until = 0.0
        self._overall = Window(limit, period)
        self._groups: dict[int | str, Window] = {}
        self._answers_waiting = 0
        self._changed = asyncio.Event()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def _group_window(self, group: int | str | None) -> Window | None:
        if group is None or not self.group_limit:
            return None
        window = self._groups.get(group)
        if window is None:
            if len(self._groups) >= _MAX_GROUP_WINDOWS:
                now = self._now()
                for key in [k for k, w in self._groups.items() if w.idle(now)]:
                    del self._groups[key]
            window = self._groups[group] = Window(self.group_limit, self.group_period)
        return window

    def _free(self, window: Window | None, now: float, keep: int = 0) -> bool:
        return window is None or not window.limit or window.used(now) < window.limit - keep

    def _wake_at(self, bulk: bool, windows: list[Window | None], now: float) -> float | None:
        """The moment waiting may end by time alone (``None``: only a release helps)."""
        times = [w.frees_at() for w in windows if w is not None]
        if bulk and self.bulk_paused_until > now:
            times.append(self.bulk_paused_until)
        known = [t for t in times if t is not None]
        return min(known) if known else None

    async def _take(self, bulk: bool, chat: bool, group: Window | None) -> None:
        """Wait for a slot of the right priority and take it."""
        overall = self._overall if chat else None
        waiting_counted = False
        try:
            while True:
                now = self._now()
                if bulk:
                    ready = (
                        now >= self.bulk_paused_until
                        and self._answers_waiting == 0
                        and self._free(overall, now, keep=self.bulk_headroom)
                    )
                else:
                    ready = self._free(overall, now)
                if ready and self._free(group, now):
                    for window in (overall, group):
                        if window is not None:
                            window.start()
                    return
                if not bulk and not waiting_counted:
                    self._answers_waiting += 1
                    waiting_counted = True
                changed = self._changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(self._wake_at(bulk, [overall, group], now)):
                        await changed.wait()
        finally:
            if waiting_counted:
                self._answers_waiting -= 1
                self._signal()

    def _give_back(self, chat: bool, group: Window | None) -> None:
        now = self._now()
        if chat:
            self._overall.finish(now)
        if group is not None:
            group.finish(now)
        self._signal()

    def _signal(self) -> None:
        """Wake every waiter to look again (they re-check; few wait at any time)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def pause_bulk(self, seconds: float) -> None:
        """Flood control: no bulk call starts for ``seconds`` from now."""
        self.bulk_paused_until = max(self.bulk_paused_until, self._now() + seconds)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> JSON:
        """Run one Bot API call inside the budget (see the module docstring)."""
        bulk = rate_limit_args == BULK
        chat_id = data.get("chat_id")
        chat = chat_id is not None
        if isinstance(chat_id, str):  # "-100123" is a group's id, "@name" a channel's
            with contextlib.suppress(ValueError):
                chat_id = int(chat_id)
        is_group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        group = self._group_window(chat_id if is_group else None)
        retries = 0
        while True:
            await self._take(bulk, chat, group)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                self.pause_bulk(seconds + RETRY_MARGIN)
                if bulk or retries >= self.max_retries:
                    raise
                retries += 1
                log.info("Rate limit hit (%s); this answer retries in %s s", endpoint, seconds)
            finally:
                self._give_back(chat, group)
            await asyncio.sleep(seconds + RETRY_MARGIN)  # only this request waits
