"""The console's demo program: the example program file moved so that it is never out of date.

``examples/program.yaml`` stays the format example with its fixed dates; the console loads its
events with every date moved by the same number of whole days, so that the first example evening
is a week from today (the real first evening of the series stays in the past, for "past
evenings"), at the same local wall-clock times.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from domain.models import Event
from domain.program import parse_program

EXAMPLE_PROGRAM = Path(__file__).resolve().parent.parent / "examples" / "program.yaml"
FIRST_UPCOMING_IN = timedelta(days=7)


def _moved(moment: datetime | None, tz: tzinfo, days: timedelta) -> datetime | None:
    """``moment`` moved by whole days at the same local time (aware arithmetic in ``tz``)."""
    return None if moment is None else moment.astimezone(tz) + days


def demo_events(text: str, tz: tzinfo, today: date) -> list[Event]:
    """The events of program file ``text``, moved so that its second evening (its first one
    when it has only one) starts ``FIRST_UPCOMING_IN`` from ``today``."""
    events = parse_program(text, tz)
    if not events:
        return []
    days = sorted({event.starts_at.astimezone(tz).date() for event in events})
    anchor = days[1] if len(days) > 1 else days[0]  # the first (real) evening stays past
    shift = timedelta(days=(today + FIRST_UPCOMING_IN - anchor).days)
    return [
        dataclasses.replace(
            event,
            starts_at=_moved(event.starts_at, tz, shift),
            ends_at=_moved(event.ends_at, tz, shift),
            registration_closes_at=_moved(event.registration_closes_at, tz, shift),
        )
        for event in events
    ]


def demo_program(tz: tzinfo, today: date) -> list[Event]:
    """The demo program for an empty console database (empty when the example file is gone)."""
    if not EXAMPLE_PROGRAM.exists():
        return []
    return demo_events(EXAMPLE_PROGRAM.read_text(encoding="utf-8"), tz, today)
