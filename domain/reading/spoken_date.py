"""Dates and times as organisers write them, in German or English, read into a local wall-clock
time. Pure: the day words ("morgen", "Friday") count from ``now``, never from the wall clock.

A moment is a day and a time: ``15.1.2027 19 Uhr``, ``15.01.2027 19:00``, ``15.1.27 19.00``,
``15. Januar 2027, 19 Uhr``, ``2027-01-15 19:00``, ``morgen 18:30``, ``übermorgen 19 Uhr``,
``Freitag 19:00`` (the next Friday after today), ``tomorrow 6:30 pm``, ``15 January 2027, 7 pm``,
``January 15, 2027 7pm``. A date without year is the coming one. A time needs its minutes or a
word (``19 Uhr``, ``7 pm``, ``19h``): a bare ``19`` after a date is read as nothing.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta, tzinfo

MONTH_NAMES = {
    "de": ("Januar Februar März April Mai Juni Juli August September Oktober November Dezember"),
    "en": (
        "January February March April May June July August September October November December"
    ),
}
MONTHS = {
    **dict.fromkeys(("januar", "jänner", "jan", "january"), 1),
    **dict.fromkeys(("februar", "feb", "february"), 2),
    **dict.fromkeys(("märz", "maerz", "mär", "mrz", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("dezember", "dez", "december", "dec"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("montag", "mo", "monday", "mon"), 0),
    **dict.fromkeys(("dienstag", "di", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("mittwoch", "mi", "wednesday", "wed"), 2),
    **dict.fromkeys(("donnerstag", "do", "thursday", "thu", "thurs"), 3),
    **dict.fromkeys(("freitag", "fr", "friday", "fri"), 4),
    **dict.fromkeys(("samstag", "sonnabend", "sa", "saturday", "sat"), 5),
    **dict.fromkeys(("sonntag", "so", "sunday", "sun"), 6),
}
DAY_WORDS = {
    **dict.fromkeys(("heute", "today"), 0),
    **dict.fromkeys(("morgen", "tomorrow"), 1),
    **dict.fromkeys(("übermorgen", "uebermorgen", "the day after tomorrow"), 2),
    "day after tomorrow": 2,
}
_FILLER = re.compile(r"^(?:am|on|den|the|nächsten|naechsten|kommenden|next|this|coming)\s+")
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(uhr|h|am|pm)?")
_TRAILING_CLOCK = re.compile(r"(?:^|[\s,]+)(?:(?:um|at|ab|gegen)\s+)?" + _CLOCK.pattern + "$")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?([^\W\d_]+)\.?,?\s*(\d{4})?")
_MONTH_DAY = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})?")
_WEEKDAY_LEAD = re.compile(r"^([^\W\d_]+)\.?,?\s+(?=\d)")  # "Freitag, 15. Januar …"


class Unreadable(ValueError):
    """Not a date and time anyone writes (the hint names the forms)."""


class Impossible(ValueError):
    """Read, but no such moment (31 February, 25:00)."""


def written(day: date, hour: int, lang: str) -> str:
    """``15. Januar 2027, 19 Uhr`` / ``15 January 2027, 7 pm``: an example in words."""
    month = MONTH_NAMES.get(lang, MONTH_NAMES["en"]).split()[day.month - 1]
    if lang == "de":
        return f"{day.day}. {month} {day.year}, {hour} Uhr"
    return f"{day.day} {month} {day.year}, {(hour - 1) % 12 + 1} {'am' if hour < 12 else 'pm'}"


def _normal(text: str) -> str:
    text = " ".join(text.lower().split())
    for written, word in (("a.m.", "am"), ("p.m.", "pm"), ("o'clock", "uhr"), ("uhr.", "uhr")):
        text = text.replace(written, word)
    return text.strip(" ,")


def clock(text: str) -> tuple[int, int]:
    """``19:00``, ``19.30``, ``19 Uhr``, ``19h``, ``7 pm``, ``6:30 pm`` → hour and minute."""
    match = _CLOCK.fullmatch(_normal(text))
    if match is None:
        raise Unreadable(text)
    return _clock_of(match[1], match[2], match[3])


def _clock_of(hour_text: str, minute_text: str | None, word: str | None) -> tuple[int, int]:
    if minute_text is None and word is None:
        raise Unreadable(hour_text)  # "19" alone: a time needs its minutes or "Uhr"
    hour, minute = int(hour_text), int(minute_text or 0)
    if word in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise Impossible(hour_text)
        hour = hour % 12 + (12 if word == "pm" else 0)
    if hour > 23 or minute > 59:
        raise Impossible(hour_text)
    return hour, minute


def _coming(day: int, month: int, hour: int, minute: int, today: datetime) -> date:
    """The coming ``day.month.`` at that time, seen from ``today`` (local, naive)."""
    for year in (today.year, today.year + 1):
        with contextlib.suppress(ValueError):
            if datetime(year, month, day, hour, minute) > today:
                return date(year, month, day)
    try:
        return date(today.year + 1, month, day)
    except ValueError:
        raise Impossible(f"{day}.{month}.") from None


def _full_year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _day(text: str, hour: int, minute: int, local_now: datetime) -> date:
    today = local_now.date()
    text = _FILLER.sub("", text)
    if text in DAY_WORDS:
        return today + timedelta(days=DAY_WORDS[text])
    if text.rstrip(".") in WEEKDAYS:
        ahead = (WEEKDAYS[text.rstrip(".")] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if (lead := _WEEKDAY_LEAD.match(text)) and lead[1] in WEEKDAYS:
        text = _FILLER.sub("", text[lead.end() :])  # the date itself says which day
    numbers: tuple[int, int, int | None] | None = None
    if match := _DOTTED.fullmatch(text):
        numbers = (int(match[1]), int(match[2]), _full_year(match[3]) if match[3] else None)
    elif match := _ISO.fullmatch(text):
        numbers = (int(match[3]), int(match[2]), int(match[1]))
    elif (match := _DAY_MONTH.fullmatch(text)) and match[2] in MONTHS:
        numbers = (int(match[1]), MONTHS[match[2]], int(match[3]) if match[3] else None)
    elif (match := _MONTH_DAY.fullmatch(text)) and match[1] in MONTHS:
        numbers = (int(match[2]), MONTHS[match[1]], int(match[3]) if match[3] else None)
    if numbers is None:
        raise Unreadable(text)
    day, month, year = numbers
    if year is None:
        return _coming(day, month, hour, minute, local_now.replace(tzinfo=None))
    try:
        return date(year, month, day)
    except ValueError:
        raise Impossible(text) from None


def read_moment(text: str, tz: tzinfo, now: datetime) -> datetime:
    """The local wall-clock time (naive) ``text`` names, seen from ``now`` in ``tz``.
    Raises :class:`Unreadable` or :class:`Impossible`."""
    normal = _normal(text)
    match = _TRAILING_CLOCK.search(normal)
    if match is None:
        raise Unreadable(text)
    hour, minute = _clock_of(match[1], match[2], match[3])
    day = _day(normal[: match.start()].strip(" ,"), hour, minute, now.astimezone(tz))
    return datetime(day.year, day.month, day.day, hour, minute)
