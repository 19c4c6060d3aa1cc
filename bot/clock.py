"""The one source of "now", so that reminders and deadlines can be tested without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that only moves when told to (tests, benchmarks, console demos)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new moment."""
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (aware)."""
        self._now = moment.astimezone(UTC)


class ConsoleClock(Clock):
    """The console's clock: real time plus an offset, so it runs on like a watch that was set.

    Only the offset is kept (with the console's database, ``storage.console_clock``): one write
    per change, nothing to save on exit or lose in a crash, and the console's clock never falls
    behind a moment it has already shown while the computer's clock runs forward.
    """

    def __init__(self, offset: timedelta = timedelta()) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (real time keeps running) and return the new moment."""
        self.offset += delta
        return self.now()

    def set(self, moment: datetime) -> None:
        """Run on from ``moment`` (aware) from now on."""
        if moment.tzinfo is None:
            raise ValueError("ConsoleClock needs an aware datetime")
        self.offset = moment - datetime.now(UTC)
