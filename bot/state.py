"""The state the application keeps between updates, declared below the features that fill it.

The drafts of the organiser dialogues live in ``UserData`` (bot.context) and survive a restart
(bot.persistence writes them with a pydantic ``TypeAdapter``); the broadcast progress and the
error-alert throttle live in ``BotData`` for this process only. The features that use them
(handlers.organiser, handlers.errors) import them from here, so bot's core never imports a
feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from typing_extensions import TypedDict  # pydantic reads it on Python 3.11 (bot.persistence)

from domain.models import Speaker
from storage.broadcasts import Audience

ORGANISER_ALERT_INTERVAL = timedelta(minutes=1)  # an error storm becomes one message a minute


# --- the event dialogue (handlers.organiser.event_*) ---------------------------------------


class EventValues(TypedDict, total=False):
    """The dialogue's answers by field (domain.reading.event_input.FIELDS); ``None``: left
    empty."""

    title: str | None
    series: str | None
    starts: datetime | None
    ends: datetime | None
    venue: str | None
    address: str | None
    coordinates: tuple[float, float] | None
    capacity: int | None
    registration_closes: datetime | None
    cpd_hours: float | None
    description: str | None
    speakers: tuple[Speaker, ...] | None


@dataclass
class EventDraft:
    """The dialogue so far: for a new event all answers, for an edit only the changes."""

    mode: str  # "create" | "edit" | "cancel"
    event_id: str | None = None
    values: EventValues = field(default_factory=EventValues)
    asking: str | None = None
    reviewing: bool = False  # a new event's summary was shown: an answer returns to it
    # The speakers screen: the list being changed, which speaker and part a typed answer is
    # for, and a version every change raises (buttons of an older list are stale).
    speakers: tuple[Speaker, ...] | None = None
    speaker_index: int | None = None
    speaker_part: str | None = None
    speakers_version: int = 0


# --- the broadcast (handlers.organiser.broadcast) -----------------------------------------


@dataclass
class BroadcastDraft:
    """The dialogue so far."""

    chat_id: int | None = None
    message_id: int | None = None
    audience: Audience | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ShownProgress:
    """What one progress message shows, and since when."""

    text: str
    at: datetime


@dataclass
class ProgressTracker:
    """What each progress message of this process shows, and since when."""

    shown: dict[int, ShownProgress] = field(default_factory=dict)


# --- error alerts (handlers.errors) -------------------------------------------------------


@dataclass
class AlertThrottle:
    """When the organisers were last alerted, and how many errors went unreported since."""

    last_alert: datetime | None = None
    suppressed: int = 0

    def admit(self, now: datetime) -> int | None:
        """``None`` while an alert went out less than a minute ago (the error is counted);
        else the number of errors suppressed since that alert, and the clock restarts.

        Synchronous on purpose: concurrent errors cannot both pass between check and update.
        """
        if self.last_alert is not None and now - self.last_alert < ORGANISER_ALERT_INTERVAL:
            self.suppressed += 1
            return None
        suppressed, self.suppressed, self.last_alert = self.suppressed, 0, now
        return suppressed
