"""Plain domain values read from and written to the database (no Telegram types here).

These are frozen dataclasses rather than pydantic models: they are built from our own rows on
hot paths and need no validation; validation of outside input happens in ``domain.reading.program``
(program file) and in the dialogues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

EVENT_ID_LIMIT = 40
EVENT_ID_PATTERN = re.compile(rf"[a-z0-9-]{{1,{EVENT_ID_LIMIT}}}")
"""An evening's id (program file, links, buttons, web addresses): 1-40 of a-z, 0-9 and '-'.
Check a whole text with ``fullmatch``; a URL route takes ``EVENT_ID_PATTERN.pattern``."""
EVENT_ID_RULE = f"1-{EVENT_ID_LIMIT} characters, only a-z, 0-9 and '-'"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str
    role: str | None = None
    bio: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One evening of the series. All datetimes are timezone-aware (UTC from the database)."""

    id: str
    title: str
    starts_at: datetime
    venue: str
    series: str | None = None
    ends_at: datetime | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None  # None: unlimited; 0: sign-up closed
    registration_closes_at: datetime | None = None
    status: EventStatus = EventStatus.SCHEDULED
    description: str = ""
    speakers: tuple[Speaker, ...] = field(default=())
    cpd_hours: float | None = None  # Fortbildungsstunden: a certificate of attendance

    @property
    def registration_deadline(self) -> datetime:
        """Sign-up is possible until this moment: ``registration_closes`` or else the start."""
        return self.registration_closes_at or self.starts_at

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class SeatCounts:
    """Derived from the registration rows of one event."""

    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    checked_in: int = 0
    offered: int = 0  # freed seats reserved while they are offered (domain.offers)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    language: str
    language_chosen: bool
    display_name: str | None
    consent_at: datetime | None
    subscribed: bool
    subscription_asked: bool
    blocked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Registration:
    id: int
    event_id: str
    user_id: int | None
    name: str | None
    status: RegistrationStatus
    ticket: str | None
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    waitlist_position: int | None = None  # 1-based, derived; only for waitlisted rows
