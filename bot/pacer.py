"""The bulk sender's pace: at most ``BROADCAST_RATE`` sends in any one-second window, plus 429
pauses (moved out of bot/sending/sender.py unchanged, to keep that module small)."""

from __future__ import annotations

import asyncio
import collections
import math
from typing import Protocol

CATCH_UP = 0.25  # seconds of stalled sending the pacer may make up for within one drain


class PacerClock(Protocol):
    """Where the pacer reads the time and waits: seconds on one monotonic scale."""

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """The event loop's monotonic clock, the one ``asyncio.sleep`` waits on (the default)."""

    def time(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Pacer:
    """At most ``rate`` sends in any one-second window, evenly spaced, plus 429 pauses.

    Times come from ``clock``: by default the event loop's monotonic clock; tests pass a
    clock of their own to check the pace on it, whatever the speed of the machine.
    """

    def __init__(self, rate: float, clock: PacerClock | None = None) -> None:
        self.clock = clock or LoopClock()
        self.interval = 1.0 / rate
        self._finished: collections.deque[float] = collections.deque(
            maxlen=max(1, math.floor(rate))
        )
        self._next_start = 0.0
        self._previous_start = 0.0
        self.paused_until = 0.0

    def _now(self) -> float:
        return self.clock.time()

    def _ready_at(self) -> float:
        ready = max(self._next_start, self.paused_until)
        if len(self._finished) == self._finished.maxlen:
            # The call `rate` sends ago ended at _finished[0]: one second after that.
            ready = max(ready, self._finished[0] + 1.0)
        return ready

    async def turn(self) -> None:
        """Wait until the next send is allowed, and take that slot."""
        # Re-check after waking: the loop may wake a timer up to its clock resolution early.
        while (delay := self._ready_at() - self._now()) > 0:
            await self.clock.sleep(delay)
        # Keep to the grid of slots when a send started late (a timer overshoots by up to a
        # millisecond, a database write or the machine may stall), so the lost time is made up
        # by sending sooner, up to CATCH_UP seconds of it; the one-second window above still
        # holds the ceiling.
        slot = max(self._next_start, self._now() - CATCH_UP)
        self._previous_start, self._next_start = self._next_start, slot + self.interval

    def start_run(self) -> None:
        """A drain begins: time spent idle is no credit for a burst."""
        self._next_start = max(self._next_start, self._now())

    def give_back(self) -> None:
        """The slot taken by :meth:`turn` was not used for a call."""
        self._next_start = self._previous_start

    def finished(self) -> None:
        """A call (successful or not) has returned."""
        self._finished.append(self._now())

    def pause(self, seconds: float) -> None:
        """Flood control: no bulk send for ``seconds`` from now, and no burst afterwards."""
        self.paused_until = max(self.paused_until, self._now() + seconds)
        self._next_start = max(self._next_start, self.paused_until)
