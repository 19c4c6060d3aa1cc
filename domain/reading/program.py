"""The program file (PRODUCT §3): read and validate it, and write it back out.

Pure functions, no Telegram and no database: :func:`parse_program` turns the YAML text into
:class:`domain.models.Event` values or raises :class:`ProgramError` listing *every* problem,
each naming the event and the field; :func:`dump_program` writes events in the same format, so
that ``parse(dump(events)) == events`` and ``dump(parse(dump(x)))`` is byte-identical.

The YAML dialect (both ways) is :mod:`domain.reading.program_yaml`, the times
:mod:`domain.reading.local_time`; pydantic converts numbers, and the validators below clean the
text and read the times.
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from domain.models import EVENT_ID_PATTERN, EVENT_ID_RULE, Event, EventStatus, Speaker
from domain.reading.local_time import format_time, parse_time
from domain.reading.plain_text import as_text, multi_line, one_line
from domain.reading.program_yaml import ProgramLoader, dump_program, yaml_error

__all__ = ["ProgramError", "dump_program", "parse_program"]


class ProgramError(Exception):
    """The program file is invalid; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# --- validators of the fields' text ---


def _required_line(value: Any) -> Any:
    value = as_text(value)
    if value is None:
        raise ValueError("must not be empty")
    if isinstance(value, str):
        value = one_line(value)
        if not value:
            raise ValueError("must not be empty")
    return value


def _optional_line(value: Any) -> Any:
    value = as_text(value)
    if isinstance(value, str):
        return one_line(value) or None
    return value


def _optional_text(value: Any) -> Any:
    value = as_text(value)
    if isinstance(value, str):
        return multi_line(value) or None
    return value


def _description(value: Any) -> Any:
    value = as_text(value)
    if value is None:
        return ""
    return multi_line(value) if isinstance(value, str) else value


def _event_id(value: Any) -> Any:
    value = as_text(value)
    if value is None:
        raise ValueError(f"must not be empty: {EVENT_ID_RULE}")
    if isinstance(value, str):
        value = value.strip()
        if not EVENT_ID_PATTERN.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid id: {EVENT_ID_RULE}")
    return value


RequiredLine = Annotated[str, BeforeValidator(_required_line)]

# Lengths the file and the event editor both keep to (the card is sent as one message).
LIMITS = {"title": 120, "series": 120, "venue": 150, "address": 200, "description": 2500}
SPEAKER_LIMITS = {"name": 100, "role": 200, "bio": 1000}
MAX_SPEAKERS = 20
MAX_CPD_HOURS = 24  # hours of professional development one evening can count for
MAX_CAPACITY = 100_000  # seats; more is a typo (and 10**20 does not fit SQLite's INTEGER)


def _context_zone(info: ValidationInfo) -> tzinfo:
    zone = (info.context or {}).get("tz")
    if not isinstance(zone, tzinfo):
        raise ValueError("no time zone given to read times in (context={'tz': ...})")
    return zone


# --- the models, mirroring the YAML ---------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpeakerEntry(_Strict):
    """One speaker of an evening."""

    name: Annotated[RequiredLine, Field(max_length=SPEAKER_LIMITS["name"])]
    role: Annotated[
        Annotated[str, Field(max_length=SPEAKER_LIMITS["role"])] | None,
        BeforeValidator(_optional_line),
    ] = None
    bio: Annotated[
        Annotated[str, Field(max_length=SPEAKER_LIMITS["bio"])] | None,
        BeforeValidator(_optional_text),
    ] = None

    def to_speaker(self) -> Speaker:
        """The domain value."""
        return Speaker(name=self.name, role=self.role, bio=self.bio)


class EventEntry(_Strict):
    """One evening as written in the file. Field order is the order of PRODUCT §3; validators
    of later fields see the earlier ones (``info.data``), which is how ``ends`` is checked
    against ``starts`` while every field still reports its own errors."""

    id: Annotated[str, BeforeValidator(_event_id)]
    title: Annotated[RequiredLine, Field(max_length=LIMITS["title"])]
    series: Annotated[
        Annotated[str, Field(max_length=LIMITS["series"])] | None,
        BeforeValidator(_optional_line),
    ] = None
    starts: datetime
    ends: datetime | None = None
    venue: Annotated[RequiredLine, Field(max_length=LIMITS["venue"])]
    address: Annotated[
        Annotated[str, Field(max_length=LIMITS["address"])] | None,
        BeforeValidator(_optional_line),
    ] = None
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(
        default=None, ge=-180, le=180, allow_inf_nan=False, validate_default=True
    )
    capacity: int | None = Field(default=None, ge=0, le=MAX_CAPACITY)
    registration_closes: datetime | None = None
    status: EventStatus = EventStatus.SCHEDULED
    description: Annotated[
        str, BeforeValidator(_description), Field(max_length=LIMITS["description"])
    ] = ""
    speakers: list[SpeakerEntry] = Field(default_factory=list, max_length=MAX_SPEAKERS)
    cpd_hours: float | None = Field(default=None, gt=0, le=MAX_CPD_HOURS, allow_inf_nan=False)

    @field_validator("starts", "ends", "registration_closes", mode="before")
    @classmethod
    def _read_time(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name != "starts":
            return None
        return parse_time(value, _context_zone(info))

    @field_validator("ends")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts = info.data.get("starts")
        if value is not None and starts is not None and value <= starts:
            raise ValueError(f"must be after starts ({format_time(starts, _context_zone(info))})")
        return value

    @field_validator("registration_closes")
    @classmethod
    def _not_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts = info.data.get("starts")
        if value is not None and starts is not None and value > starts:
            zone = _context_zone(info)
            raise ValueError(f"must not be after starts ({format_time(starts, zone)})")
        return value

    @field_validator("longitude")
    @classmethod
    def _both_or_neither(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "latitude" not in info.data:
            return value  # latitude itself is invalid and reported
        latitude = info.data["latitude"]
        if latitude is not None and value is None:
            raise ValueError("is required when latitude is given (both or neither)")
        if latitude is None and value is not None:
            raise ValueError("is given without latitude (both or neither)")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("speakers", mode="before")
    @classmethod
    def _no_speakers(cls, value: Any) -> Any:
        return [] if value is None else value

    def to_event(self) -> Event:
        """The domain value, times in UTC like the ones read from the database."""
        return Event(
            id=self.id,
            title=self.title,
            series=self.series,
            starts_at=self.starts.astimezone(UTC),
            ends_at=self.ends.astimezone(UTC) if self.ends else None,
            venue=self.venue,
            address=self.address,
            latitude=self.latitude,
            longitude=self.longitude,
            capacity=self.capacity,
            registration_closes_at=(
                self.registration_closes.astimezone(UTC) if self.registration_closes else None
            ),
            status=self.status,
            description=self.description,
            speakers=tuple(speaker.to_speaker() for speaker in self.speakers),
            cpd_hours=self.cpd_hours,
        )


class ProgramFile(_Strict):
    """The whole file: ``events:`` and a list of evenings with unique ids.

    Validate with ``ProgramFile.model_validate(data, context={"tz": zone})``.
    """

    events: list[EventEntry]

    @field_validator("events", mode="before")
    @classmethod
    def _no_events(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("events")
    @classmethod
    def _unique_ids(cls, events: list[EventEntry]) -> list[EventEntry]:
        duplicates = _duplicate_ids([event.id for event in events])
        if duplicates:
            index, first = duplicates[0]
            raise PydanticCustomError(
                "duplicate_id",
                "event #{index} has the same id as event #{first}",
                {"index": index + 1, "first": first + 1},
            )
        return events


def _duplicate_ids(ids: list[str | None]) -> list[tuple[int, int]]:
    """``(index, index of first use)`` for every id used before (None ids are skipped)."""
    first_use: dict[str, int] = {}
    duplicates = []
    for index, event_id in enumerate(ids):
        if event_id is None:
            continue
        if event_id in first_use:
            duplicates.append((index, first_use[event_id]))
        else:
            first_use[event_id] = index
    return duplicates


# --- errors, one line each ---


def _raw_id(item: Any) -> str | None:
    """The id of a raw event mapping if it is a valid id, else None."""
    if not isinstance(item, dict):
        return None
    value = as_text(item.get("id"))
    if isinstance(value, str) and EVENT_ID_PATTERN.fullmatch(value.strip()):
        return value.strip()
    return None


def _label(raw_events: list[Any], index: int) -> str:
    """``event 'allianzen-2025'``, or ``event #3`` when the id is invalid or used before."""
    ids = [_raw_id(item) for item in raw_events[: index + 1]]
    event_id = ids[index] if index < len(raw_events) else None
    if event_id is None or event_id in ids[:index]:
        return f"event #{index + 1}"
    return f"event {event_id!r}"


def _unknown_field(name: str, model: type[BaseModel]) -> str:
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f"unknown field (did you mean {close[0]!r}?)"
    return "unknown field (known fields: " + ", ".join(allowed) + ")"


def _message(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    field = str(error["loc"][-1]) if error["loc"] else ""
    messages = {
        "missing": "is required",
        "string_type": "must be text",
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number like 48.7707",
        "float_type": "must be a number like 48.7707",
        "finite_number": "must be a finite number",
        "list_type": "must be a list (lines starting with '- ')",
        "model_type": "must be a mapping of fields ('name: value' lines)",
        "model_attributes_type": "must be a mapping of fields ('name: value' lines)",
    }
    if kind == "extra_forbidden":
        return _unknown_field(field, model)
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "enum":
        return f"must be {ctx['expected']}"
    if kind in ("string_too_long", "too_long") and isinstance(error.get("input"), str):
        limit = ctx["max_length"]
        return f"is too long: at most {limit} characters (the limit of the event editor)"
    if kind == "too_long":
        return f"at most {ctx['max_length']} entries (got {ctx.get('actual_length')})"
    return messages.get(kind, error["msg"])


def _describe(error: ErrorDetails, raw_events: list[Any]) -> tuple[int, str]:
    """``(event index or -1, one line)`` for one pydantic error on the whole file."""
    loc = error["loc"]
    if len(loc) < 2 or loc[0] != "events":
        if not loc:
            return -1, "the file must be a mapping with an 'events' list"
        return -1, f"top level, field {loc[0]!r}: {_message(error, ProgramFile)}"
    index = int(loc[1])
    label = _label(raw_events, index)
    rest = loc[2:]
    if not rest:
        return index, f"{label}: {_message(error, EventEntry)}"
    if rest[0] == "speakers" and len(rest) >= 2:
        speaker = f"{label}, speaker #{int(rest[1]) + 1}"
        if len(rest) == 2:
            return index, f"{speaker}: {_message(error, SpeakerEntry)}"
        return index, f"{speaker}, field {rest[2]!r}: {_message(error, SpeakerEntry)}"
    return index, f"{label}, field {rest[0]!r}: {_message(error, EventEntry)}"


def parse_program(text: str, tz: tzinfo) -> list[Event]:
    """Read a program file; times without offset are local in ``tz``.

    Raises :class:`ProgramError` with every problem found, one line each, naming the event (by
    id, or ``event #3`` when the id is missing or invalid) and the field.
    """
    try:
        data = yaml.load(text, Loader=ProgramLoader)
    except yaml.YAMLError as exc:
        raise ProgramError([yaml_error(exc, text)]) from None
    except RecursionError:
        raise ProgramError(["the file is nested too deeply to be a program file"]) from None
    raw_events = data.get("events") if isinstance(data, dict) else None
    raw_events = raw_events if isinstance(raw_events, list) else []

    problems: list[tuple[int, str]] = []
    program: ProgramFile | None = None
    try:
        program = ProgramFile.model_validate(data, context={"tz": tz})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["type"] != "duplicate_id":
                problems.append(_describe(error, raw_events))
    for index, first in _duplicate_ids([_raw_id(item) for item in raw_events]):
        problems.append(
            (
                index,
                f"event #{index + 1}, field 'id': {_raw_id(raw_events[index])!r} is already"
                f" the id of event #{first + 1}",
            )
        )
    if problems or program is None:
        problems.sort(key=lambda problem: problem[0])
        raise ProgramError([message for _, message in problems])
    return [entry.to_event() for entry in program.events]
