"""Feedback after the evening (PRODUCT §4): when it is asked and whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.evening import feedback_due_at
from domain.models import Event, EventStatus, Registration, RegistrationStatus

# Asking later than this after it fell due (a bot down for a week) would only puzzle people.
FEEDBACK_LATEST = timedelta(days=7)
RATINGS = range(1, 6)


def feedback_is_due(event: Event, delay: timedelta, now: datetime) -> bool:
    """A scheduled evening whose feedback time has come and is not yet a week old."""
    due = feedback_due_at(event, delay)
    return event.status is EventStatus.SCHEDULED and due <= now < due + FEEDBACK_LATEST


def feedback_recipients(registrations: Sequence[Registration]) -> list[Registration]:
    """The checked-in attendees; everyone confirmed when nobody was checked in."""
    confirmed = [
        r
        for r in registrations
        if r.status is RegistrationStatus.CONFIRMED and r.user_id is not None
    ]
    checked_in = [r for r in confirmed if r.checked_in_at is not None]
    return checked_in or confirmed
