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


class ShiftedClock(Clock):
    """Wall-clock time moved forward on request (the console's ``/zeit +2h``)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (real time keeps running) and return the new moment."""
        self.offset += delta
        return self.now()
