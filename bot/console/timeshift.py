"""The console's own clock: where it starts, how ``/zeit`` moves it, and that it is kept.

It starts at ``--now`` (local time in ``TIMEZONE``), else at the clock kept in its database,
else at real time; it runs on from there (:class:`bot.clock.ConsoleClock`) and every change is
kept with the database (``storage.console_clock``), so evenings checked in, rated and certified
on a moved clock stay over after a restart.
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from bot.clock import ConsoleClock
from storage import console_clock
from storage import users as user_store
from storage.db import Database

NOW_FORMAT = "%Y-%m-%dT%H:%M"
_SHIFT = re.compile(r"^\+?(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
AHEAD_OF_OTHERS = (
    "The console's clock cannot run ahead of real time on a database with other people "
    "(their reminders would be queued early): give --now a moment that has passed, or use "
    "the console's own database."
)


class ClockRefused(Exception):
    """The console's clock may not start where asked; ``str()`` is the one line to show."""


def console_moment(text: str) -> datetime:
    """``--now YYYY-MM-DDTHH:MM`` as a naive local time (the zone comes from the settings)."""
    try:
        return datetime.strptime(text, NOW_FORMAT)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not YYYY-MM-DDTHH:MM, e.g. 2026-11-25T18:00"
        ) from None


def parse_shift(text: str) -> timedelta | None:
    """``+2h``, ``30m``, ``+1d`` as a duration; ``None`` for anything else."""
    match = _SHIFT.match(text.strip())
    if match is None:
        return None
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def describe(clock: ConsoleClock, tz: tzinfo) -> str:
    """``2026-11-25 18:00 (CET)``: the console's clock in local time."""
    local = clock.now().astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} ({local.tzname()})"


async def start_clock(
    path: Path, tz: tzinfo, now: datetime | None, shared: bool, people: set[int]
) -> tuple[ConsoleClock, str]:
    """The console's clock for the database at ``path`` and where it came from; ``--now``
    (naive local ``now``) is kept there at once. On a ``shared`` database (``--database``) with
    people other than ``people`` it never runs ahead of real time (:class:`ClockRefused`)."""
    db = await Database.open(path)
    try:
        kept = await console_clock.kept_offset(db)
        clock = ConsoleClock(kept or timedelta())
        source = "real time" if kept is None else "kept with its database"
        if now is not None:
            clock.set(now.replace(tzinfo=tz))
            source = "--now"
        if shared and clock.offset > timedelta() and await user_store.anyone_but(db, people):
            raise ClockRefused(AHEAD_OF_OTHERS)
        if now is not None:
            await console_clock.keep_offset(db, clock.offset, datetime.now(UTC))
    finally:
        await db.close()
    return clock, source


async def keep(db: Database, clock: ConsoleClock) -> None:
    """Keep the console's clock with its database (after ``/zeit``)."""
    await console_clock.keep_offset(db, clock.offset, datetime.now(UTC))
