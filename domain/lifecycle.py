"""What an organiser may do with a whole evening now, or why not: change it, cancel it, take a
cancellation back, delete it.

A picker offers exactly the evenings its ``may_*`` allows, the press asks it again, and the
writing transaction asks it a third time (``storage.events``), so a stale button changes
nothing and says why.
"""

from __future__ import annotations

from datetime import datetime

from domain.evening import has_begun, is_over
from domain.models import Event, EventStatus
from domain.standing import Refusal


def _not_begun(event: Event, now: datetime) -> Refusal | None:
    """The past stays as it was: ``None`` before the start, else why not."""
    if has_begun(event, now):
        return Refusal.EVENT_OVER if is_over(event, now) else Refusal.EVENT_BEGUN
    return None


def may_edit(event: Event, now: datetime) -> Refusal | None:
    """Organisers change evenings that have not begun (a cancelled one too: its details stay
    correct for a reactivation)."""
    return _not_begun(event, now)


def may_cancel_evening(event: Event, now: datetime) -> Refusal | None:
    """A scheduled evening is cancelled until it begins."""
    if event.status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    return _not_begun(event, now)


def may_reactivate(event: Event, now: datetime) -> Refusal | None:
    """A cancelled evening that has not begun can take place after all; the sign-ups it kept
    through the cancellation hold their places again (and are told)."""
    if event.status is not EventStatus.CANCELLED:
        return Refusal.NOT_CANCELLED
    return _not_begun(event, now)


def may_delete(registrations: int) -> Refusal | None:
    """Only an evening nobody ever signed up for (not even a cancelled sign-up) is deleted: a
    registration is history an organiser and the attendee rely on."""
    return None if registrations == 0 else Refusal.HAS_REGISTRATIONS
