"""Reading what an organiser types in the event dialogue: one field at a time, each answer
checked, a wrong one explained by a catalogue hint. Pure functions: no Telegram, no database.

Times are local times in ``TIMEZONE``, written as people write them (``15.1.2027 19 Uhr``,
``morgen 18:30``, ``Friday 7 pm``: :mod:`domain.reading.spoken_date`); an end may also be a
time alone (``21 Uhr``: the day of the start, after midnight the next day).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from domain.models import EVENT_ID_LIMIT, EVENT_ID_PATTERN, Event, EventStatus, Speaker
from domain.reading.local_time import parse_time
from domain.reading.plain_text import multi_line, one_line
from domain.reading.program import (
    LIMITS,
    MAX_CAPACITY,
    MAX_CPD_HOURS,
    MAX_SPEAKERS,
    SPEAKER_LIMITS,
)
from domain.reading.spoken_date import Impossible, Unreadable, clock, read_moment, written

# The fields an organiser can set, in the order the edit menu shows them.
FIELDS = (
    "title",
    "series",
    "starts",
    "ends",
    "venue",
    "address",
    "coordinates",
    "capacity",
    "registration_closes",
    "cpd_hours",
    "description",
    "speakers",
)
CREATE_STEPS = (  # every field a card shows (issue 12: the map pin and the deadline too)
    "title",
    "starts",
    "ends",
    "venue",
    "address",
    "coordinates",
    "capacity",
    "registration_closes",
    "cpd_hours",  # issue 13: hours of professional development, for the certificate
    "description",
    "speakers",
)
REQUIRED = frozenset({"title", "starts", "venue"})
SKIP_WORDS = frozenset({"-", "–", "—"})  # typed instead of pressing "skip" / "clear"


OVERNIGHT = timedelta(hours=12)  # the longest evening an end given as a time alone can make
SUFFIX_ROOM = 4  # "-999"

_NUMBER = r"-?\d{1,3}(?:\.\d+)?"
_POINT_DOT = re.compile(rf"({_NUMBER})\s*[,;]?\s+({_NUMBER})|({_NUMBER}),({_NUMBER})")
_POINT_COMMA = re.compile(r"(-?\d{1,3},\d+)\s*[;\s]\s*(-?\d{1,3},\d+)")
_CAPACITY = re.compile(r"(\d{1,3}(?:\.\d{3})*|\d+)(?:\s+\w+)?")
_HOURS = re.compile(r"(\d{1,2})(?:[.,](\d{1,2}))?(?:\s*\w+\.?)?")  # "2", "1,5", "1.5 Std."
_SPEAKER_DASH = re.compile(r"\s+[–—-]\s+")
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class InputError(ValueError):
    """An answer that cannot be used; ``key`` is the catalogue id of the hint."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def example_values(now: datetime, tz: tzinfo, lang: str = "de") -> dict[str, str]:
    """Example answers in the future (about a month from ``now``) for prompts and hints: a date
    in a prompt must never be one the organiser could not enter (in words: in ``lang``)."""
    day = (now.astimezone(tz) + timedelta(days=30)).date()
    return {
        "example": f"{day:%d.%m.%Y} 18:30",
        "example_iso": f"{day:%Y-%m-%d} 18:30",
        "example_words": written(day, 19, lang),
        "example_end": f"{day:%d.%m.%Y} 21:00",
        "example_closes": f"{day - timedelta(days=1):%d.%m.%Y} 12:00",
    }


def parse_when(text: str, tz: tzinfo, now: datetime) -> datetime:
    """A date and time as people write them (:mod:`domain.reading.spoken_date`: ``15.1.2027
    19 Uhr``, ``15. Januar 2027, 19 Uhr``, ``morgen 18:30``, ``Friday 7 pm`` …), local in
    ``tz``, day words seen from ``now``, as an aware UTC datetime."""
    hints = example_values(now, tz)
    try:
        local = read_moment(text, tz, now)
    except Unreadable:
        raise InputError("editor.hint_when", **hints) from None
    except Impossible:
        raise InputError("editor.hint_when_invalid", **hints) from None
    try:
        return parse_time(local, tz).astimezone(UTC)
    except ValueError:
        raise InputError("editor.hint_when_invalid", **hints) from None


def parse_end(text: str, tz: tzinfo, starts_at: datetime | None, now: datetime) -> datetime:
    """An end: a date and time, or a time alone (``21 Uhr``), which falls on the start's day,
    or on the next day when it is not after the start's time but within :data:`OVERNIGHT` of
    it (``1 Uhr``: after midnight; ``17 Uhr`` after a 19:00 start is a slip, refused)."""
    hints = example_values(now, tz)
    try:
        hour, minute = clock(text)
    except Impossible:
        raise InputError("editor.hint_end", **hints) from None
    except Unreadable:
        try:
            ends_at = parse_when(text, tz, now)
        except InputError:
            raise InputError("editor.hint_end", **hints) from None
    else:
        if starts_at is None:
            raise InputError("editor.hint_end", **hints)
        start = starts_at.astimezone(tz)
        day: date = start.date()
        overnight = (hour, minute) <= (start.hour, start.minute)
        if overnight:
            day += timedelta(days=1)
        try:
            ends_at = parse_time(datetime(day.year, day.month, day.day, hour, minute), tz)
        except ValueError:
            raise InputError("editor.hint_when_invalid", **hints) from None
        ends_at = ends_at.astimezone(UTC)
        if overnight and ends_at - starts_at > OVERNIGHT:
            raise InputError("editor.hint_end_after_start")
    if starts_at is not None and ends_at <= starts_at:
        raise InputError("editor.hint_end_after_start")
    return ends_at


def _text(field: str, text: str) -> str:
    value = multi_line(text) if field == "description" else one_line(text)
    if not value:
        raise InputError("editor.hint_empty")
    if len(value) > LIMITS[field]:
        raise InputError("editor.hint_too_long", limit=LIMITS[field])
    return value


def parse_capacity(text: str) -> int:
    """A number of seats, 0 (sign-up closed) … :data:`MAX_CAPACITY`; a word may follow
    (``80 Plätze``)."""
    match = _CAPACITY.fullmatch(text.strip())
    value = match[1].replace(".", "") if match else ""
    if not value.isdigit() or int(value) > MAX_CAPACITY:
        raise InputError("editor.hint_capacity", limit=MAX_CAPACITY)
    return int(value)


def parse_cpd_hours(text: str) -> float:
    """Hours of professional development: ``2``, ``1,5`` or ``1.5 Std.``; more than 0 and at
    most :data:`MAX_CPD_HOURS`, as the program file accepts, in hundredths at the finest."""
    match = _HOURS.fullmatch(text.strip())
    if match is None:
        raise InputError("editor.hint_cpd_hours", limit=MAX_CPD_HOURS)
    hours = float(f"{match[1]}.{match[2] or 0}")
    if not 0 < hours <= MAX_CPD_HOURS:
        raise InputError("editor.hint_cpd_hours", limit=MAX_CPD_HOURS)
    return hours


def parse_point(text: str) -> tuple[float, float]:
    """``48.7707, 9.1866`` or ``48,7707 9,1866``: latitude and longitude."""
    text = text.strip()
    if match := _POINT_COMMA.fullmatch(text):
        values = [group.replace(",", ".") for group in match.groups()]
    elif match := _POINT_DOT.fullmatch(text):
        values = [group for group in match.groups() if group is not None]
    else:
        raise InputError("editor.hint_coordinates")
    return check_point(float(values[0]), float(values[1]))


def check_point(latitude: float, longitude: float) -> tuple[float, float]:
    """A point on Earth, or the hint."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InputError("editor.hint_coordinates")
    return latitude, longitude


def parse_speakers(text: str) -> tuple[Speaker, ...]:
    """One speaker per line: ``Name | Rolle | Bio``, ``Name – Rolle`` or ``Name, Rolle``."""
    speakers = []
    for raw_line in multi_line(text).split("\n"):
        line = one_line(raw_line)
        if not line:
            continue
        if "|" in line:
            parts = [part.strip() for part in line.split("|", 2)]
        elif _SPEAKER_DASH.search(line):
            parts = [part.strip() for part in _SPEAKER_DASH.split(line, 1)]
        else:
            parts = [part.strip() for part in line.split(",", 1)]
        name, role, bio = (parts + [""] * 3)[:3]
        if not name:
            raise InputError("editor.hint_speaker_name", line=line)
        for key, value in (("name", name), ("role", role), ("bio", bio)):
            if len(value) > SPEAKER_LIMITS[key]:
                raise InputError("editor.hint_too_long", limit=SPEAKER_LIMITS[key])
        speakers.append(Speaker(name=name, role=role or None, bio=bio or None))
    if len(speakers) > MAX_SPEAKERS:
        raise InputError("editor.hint_speakers_count", limit=MAX_SPEAKERS)
    if not speakers:
        raise InputError("editor.hint_empty")
    return tuple(speakers)


def parse_field(
    field: str, text: str, tz: tzinfo, now: datetime, current: Mapping[str, Any]
) -> Any:
    """The value of ``field`` from the organiser's answer ``text``; ``current`` holds the other
    fields' values as far as known (``starts`` for an end). Raises :class:`InputError`."""
    if text.strip() in SKIP_WORDS:
        if field in REQUIRED:
            raise InputError("editor.hint_required")
        return None
    if field in LIMITS:
        return _text(field, text)
    if field == "starts":
        starts_at = parse_when(text, tz, now)
        if starts_at <= now:
            raise InputError("editor.hint_future")
        return starts_at
    if field == "ends":
        return parse_end(text, tz, current.get("starts"), now)
    if field == "registration_closes":
        closes_at = parse_when(text, tz, now)
        start: datetime | None = current.get("starts")
        if start is not None and closes_at > start:
            raise InputError("editor.hint_closes_before_start")
        return closes_at
    if field == "capacity":
        return parse_capacity(text)
    if field == "coordinates":
        return parse_point(text)
    if field == "cpd_hours":
        return parse_cpd_hours(text)
    if field == "speakers":
        return parse_speakers(text)
    raise KeyError(field)


# --- between the dialogue's values and events ----------------------------------------------


def values_of(event: Event) -> dict[str, Any]:
    """An event's fields as the dialogue names them (``None`` or ``()`` when empty)."""
    return {
        "title": event.title,
        "series": event.series,
        "starts": event.starts_at,
        "ends": event.ends_at,
        "venue": event.venue,
        "address": event.address,
        "coordinates": (event.latitude, event.longitude) if event.has_location else None,
        "capacity": event.capacity,
        "registration_closes": event.registration_closes_at,
        "description": event.description or None,
        "speakers": event.speakers or None,
        "cpd_hours": event.cpd_hours,
    }


def apply_changes(event: Event, changes: Mapping[str, Any]) -> Event:
    """``event`` with the dialogue's ``changes``. A new start moves the end and the sign-up
    deadline along (same duration), unless they are changed too."""
    values = {**values_of(event), **changes}
    if "starts" in changes and values["starts"] != event.starts_at:
        delta = values["starts"] - event.starts_at
        for field in ("ends", "registration_closes"):
            if field not in changes and values[field] is not None:
                values[field] = values[field] + delta
    return build_event(event.id, values, event.status)


def deadline_choices(event: Event, new_start: datetime) -> tuple[datetime, datetime | None] | None:
    """When the start of ``event`` moves to ``new_start`` and it has an explicit sign-up
    deadline, the organiser is asked: the deadline moved by the same amount, and the deadline
    as it is (``None`` when it would then lie after the new start). ``None``: nothing to ask."""
    closes_at = event.registration_closes_at
    if closes_at is None or new_start == event.starts_at:
        return None
    return closes_at + (new_start - event.starts_at), closes_at if closes_at <= new_start else None


def build_event(event_id: str, values: Mapping[str, Any], status: EventStatus) -> Event:
    """An event from the dialogue's values; raises :class:`InputError` for combinations that
    do not fit (an end before the start, a deadline after it)."""
    starts_at = values["starts"]
    if values.get("ends") is not None and values["ends"] <= starts_at:
        raise InputError("editor.hint_end_after_start")
    closes_at = values.get("registration_closes")
    if closes_at is not None and closes_at > starts_at:
        raise InputError("editor.hint_closes_before_start")
    point = values.get("coordinates") or (None, None)
    return Event(
        id=event_id,
        title=values["title"],
        series=values.get("series"),
        starts_at=starts_at,
        ends_at=values.get("ends"),
        venue=values["venue"],
        address=values.get("address"),
        latitude=point[0],
        longitude=point[1],
        capacity=values.get("capacity"),
        registration_closes_at=closes_at,
        status=status,
        description=values.get("description") or "",
        speakers=tuple(values.get("speakers") or ()),
        cpd_hours=values.get("cpd_hours"),
    )


def slug(title: str, starts_at: datetime, tz: tzinfo) -> str:
    """The id of a new event: the title's words and the local date, e.g.
    ``umbau-statt-neubau-2026-12-09``; short enough for ``-2``, ``-3`` … to fit 40 characters."""
    text = unicodedata.normalize("NFKD", title.lower().translate(_TRANSLITERATE))
    words = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    day = f"{starts_at.astimezone(tz):%Y-%m-%d}"
    room = EVENT_ID_LIMIT - SUFFIX_ROOM - len(day) - 1
    words = words[:room].rstrip("-") or "termin"
    event_id = f"{words}-{day}"
    assert EVENT_ID_PATTERN.fullmatch(event_id), event_id
    return event_id


def with_suffix(base: str, number: int) -> str:
    """``base`` for the first, ``base-2``, ``base-3`` … for later events of the same slug."""
    return base if number <= 1 else f"{base}-{number}"
