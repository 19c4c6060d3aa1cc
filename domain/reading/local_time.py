"""Times as the program file and the organisers write them: local wall-clock times in the
configured zone, an explicit UTC offset only where the wall clock alone is ambiguous.

Pure functions: :func:`parse_time` reads ``2025-10-22 18:30`` (or with an offset) into an aware
datetime, refusing times a clock change skips or repeats; :func:`format_time` writes one back so
that it reads back as the same moment.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

TIME_EXAMPLE = "2025-10-22 18:30"
_TIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"[ \t]*(?P<offset>[Zz]|(?P<sign>[+-])(?P<hours>\d{2})(?::?(?P<minutes>\d{2}))?)?"
)
FIRST_YEAR, LAST_YEAR = 2000, 2199  # evenings of this series; outside is a typo


def zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def attach_zone(naive: datetime, tz: tzinfo) -> datetime:
    """A wall-clock time in ``tz``; a time skipped by a clock change is an error."""
    local = naive.replace(tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name(tz)} (the clocks go forward)"
        )
    first, second = local.utcoffset(), local.replace(fold=1).utcoffset()
    if first != second:
        # The hour that repeats when the clocks go back: a calendar would pick one silently.
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} occurs twice in {zone_name(tz)} (the clocks go back);"
            f" write it with its offset, e.g. {naive:%Y-%m-%d %H:%M}{offset_text(first)}"
            f" or {naive:%Y-%m-%d %H:%M}{offset_text(second)}"
        )
    return local


def offset_text(offset: timedelta | None) -> str:
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_time(value: Any, tz: tzinfo) -> datetime:
    """``2025-10-22 18:30`` (local in ``tz``) or with an explicit offset → an aware datetime."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else attach_zone(value, tz)
    elif isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
        try:
            naive = datetime(year, month, day, hour, minute, second)
        except ValueError:
            raise ValueError(f"{value.strip()!r} is not a valid date and time") from None
        offset = match["offset"]
        if offset is None:
            moment = attach_zone(naive, tz)
        elif offset in ("Z", "z"):
            moment = naive.replace(tzinfo=UTC)
        else:
            sign, hours, minutes = match["sign"], match["hours"], match["minutes"]
            delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
            if delta >= timedelta(hours=24):
                raise ValueError(f"{value.strip()!r} has an impossible UTC offset")
            moment = naive.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    else:
        shown = f" (got {str(value).strip()!r})" if isinstance(value, str | date) else ""
        raise ValueError(f"not a date and time like {TIME_EXAMPLE}{shown}")
    if moment.microsecond:
        raise ValueError("times are whole minutes (or seconds), not fractions")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # year 1 cannot be stored, 9999 overflows
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return moment


def format_time(moment: datetime, tz: tzinfo) -> str:
    """The local wall-clock time as written in the file; the UTC offset is added only where the
    wall-clock time alone is ambiguous (the hour that repeats when the clocks go back)."""
    local = moment.astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")
    offset = local.utcoffset()
    if local.replace(fold=1 - local.fold).utcoffset() != offset and offset is not None:
        text += offset_text(offset)
    return text
