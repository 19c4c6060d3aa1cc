"""Per-person fairness of update processing (issue 15): one flooding account cannot delay
anybody else.

PTB's ``SimpleUpdateProcessor`` hands out its slots first come, first served, so 900 messages
from one account queued in front of everybody else's (another person's ``/termine`` went from
0.55 s to 28.6 s). :class:`FairUpdateProcessor` is a ``BaseUpdateProcessor`` (PTB's public API
for this) that

- runs each person's updates one after the other, in the order they came (dialogues rely on
  it), and lets at most one of them wait for a processing slot at a time, so the slots go round
  the people instead of to whoever sent the most;
- keeps at most :data:`PER_PERSON` updates of one person (running and waiting); beyond that an
  update is dropped, never queued for minutes, and the person is told once per
  :data:`NOTICE_INTERVAL` to slow down (the ``on_dropped`` hook, wired in bot.app).

The base class's own limit only bounds how many updates are held at all
(:data:`HELD_UPDATES`), so it never decides the order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

PER_PERSON = 8  # updates of one person running or waiting; more are dropped
NOTICE_INTERVAL = 60.0  # seconds: "Bitte etwas langsamer" at most this often per person
HELD_UPDATES = 4096  # all updates held by the processor at once (the base class's limit)

DroppedHook = Callable[[Update], Awaitable[None]]


@dataclasses.dataclass
class _Person:
    turn: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    held: int = 0


class FairUpdateProcessor(BaseUpdateProcessor):
    """``running`` updates at once, round the people; each person's in order; floods dropped."""

    def __init__(self, running: int, per_person: int = PER_PERSON) -> None:
        super().__init__(max_concurrent_updates=max(HELD_UPDATES, running))
        self.running = running
        self.per_person = per_person
        self.dropped = 0  # updates dropped since start (logs, tests)
        self._slots = asyncio.Semaphore(running)
        self._people: dict[Any, _Person] = {}
        self._noticed: dict[Any, float] = {}
        self._on_dropped: DroppedHook | None = None

    def on_dropped(self, hook: DroppedHook) -> None:
        """Call ``hook(update)`` for a dropped update when its person is due a notice."""
        self._on_dropped = hook

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @staticmethod
    def _key(update: object) -> Any:
        """Whose update it is: the person, else the chat; ``None`` (never limited) otherwise."""
        if isinstance(update, Update):
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update in its person's turn and a free slot, or drop it (see the module)."""
        key = self._key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        person = self._people.setdefault(key, _Person())
        if person.held >= self.per_person:
            await self._drop(key, update, coroutine)
            return
        person.held += 1
        try:
            async with person.turn, self._slots:
                await coroutine
        finally:
            person.held -= 1
            if person.held == 0:
                del self._people[key]

    async def _drop(self, key: Any, update: object, coroutine: Awaitable[Any]) -> None:
        if asyncio.iscoroutine(coroutine):
            coroutine.close()  # never awaited on purpose
        self.dropped += 1
        now = asyncio.get_running_loop().time()
        if now - self._noticed.get(key, -NOTICE_INTERVAL) < NOTICE_INTERVAL:
            return
        if len(self._noticed) > HELD_UPDATES:  # forget notices that no longer hold anyone back
            self._noticed = {k: t for k, t in self._noticed.items() if now - t < NOTICE_INTERVAL}
        self._noticed[key] = now
        log.warning("Updates of %s dropped: more than %s at once", key, self.per_person)
        if self._on_dropped is not None and isinstance(update, Update):
            try:
                await self._on_dropped(update)
            except Exception:  # the notice is a courtesy; never an error storm
                log.warning("Slow-down notice not sent", exc_info=True)
