"""Undoing an organiser's decision about a whole evening: reactivating a cancellation and
deleting an evening created by mistake."""

from __future__ import annotations

from datetime import datetime

from domain.evening import has_begun
from domain.models import Event, EventStatus


def may_reactivate(event: Event, now: datetime) -> bool:
    """A cancelled evening that has not begun can take place after all; the sign-ups it kept
    through the cancellation hold their places again (and are told)."""
    return event.status is EventStatus.CANCELLED and not has_begun(event, now)


def may_delete(registrations: int) -> bool:
    """Only an evening nobody ever signed up for (not even a cancelled sign-up) is deleted: a
    registration is history an organiser and the attendee rely on."""
    return registrations == 0
