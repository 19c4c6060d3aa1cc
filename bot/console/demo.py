"""The console's demo program: the example program file placed around the console's clock.

``examples/program.yaml`` stays the format example with its fixed dates. Its first evening,
"Allianzen" (22 October 2025), is real and keeps its real date; the example evenings after it
are moved by the same number of whole days, so that the first of them is a week after the
console's clock (:data:`FIRST_UPCOMING_IN`), each at its own local wall-clock time. An id
ending in a year (``umbau-statt-neubau-2027``) gets the year of its placed date.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from domain.models import Event
from domain.reading.program import parse_program

EXAMPLE_PROGRAM = Path(__file__).resolve().parents[2] / "examples" / "program.yaml"
FIRST_UPCOMING_IN = timedelta(days=7)
_YEAR_AT_END = re.compile(r"-\d{4}$")


def _moved(moment: datetime | None, tz: tzinfo, days: timedelta) -> datetime | None:
    """``moment`` moved by whole days at the same local time (wall-clock arithmetic in ``tz``,
    so a daylight-saving change in between keeps 18:30 at 18:30)."""
    return None if moment is None else moment.astimezone(tz) + days


def dated_id(event_id: str, year: int) -> str:
    """``event_id`` with a trailing ``-YYYY`` rewritten to ``year`` (other ids unchanged)."""
    return _YEAR_AT_END.sub(f"-{year:04d}", event_id)


def placed(event: Event, tz: tzinfo, shift: timedelta, taken: set[str]) -> Event:
    """An example evening moved by ``shift``, its id naming the year it now takes place in
    (kept as it was when another evening already has that id)."""
    starts = event.starts_at.astimezone(tz) + shift
    event_id = dated_id(event.id, starts.year)
    return dataclasses.replace(
        event,
        id=event.id if event_id in taken else event_id,
        starts_at=starts,
        ends_at=_moved(event.ends_at, tz, shift),
        registration_closes_at=_moved(event.registration_closes_at, tz, shift),
    )


def demo_events(text: str, tz: tzinfo, now: datetime) -> list[Event]:
    """The events of program file ``text`` around the moment ``now``: the first (real) evening
    as it is, the later ones moved so that the first of them starts on the local day
    ``FIRST_UPCOMING_IN`` after ``now``, at its own local time. A file with one evening only
    has no examples: it is placed there itself."""
    events = sorted(parse_program(text, tz), key=lambda event: event.starts_at)
    if not events:
        return []
    real, examples = (events[:1], events[1:]) if len(events) > 1 else ([], events)
    anchor = examples[0].starts_at.astimezone(tz).date()
    target = (now.astimezone(tz) + FIRST_UPCOMING_IN).date()
    shift = timedelta(days=(target - anchor).days)
    taken = {event.id for event in real}
    moved = []
    for event in examples:
        moved.append(placed(event, tz, shift, taken))
        taken.add(moved[-1].id)
    return real + moved


def demo_program(tz: tzinfo, now: datetime) -> list[Event]:
    """The demo program for an empty console database (empty when the example file is gone)."""
    if not EXAMPLE_PROGRAM.exists():
        return []
    return demo_events(EXAMPLE_PROGRAM.read_text(encoding="utf-8"), tz, now)
