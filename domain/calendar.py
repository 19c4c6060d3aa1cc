"""What a calendar entry of an evening must announce as a new version (RFC 5545 SEQUENCE)."""

from __future__ import annotations

from domain.models import Event
from domain.notices import CALENDAR_FIELDS, changed_fields


def raises_sequence(old: Event, new: Event) -> bool:
    """A change of time, venue or status: calendar apps must replace their copy of the entry.

    The fields a calendar entry shows (a moved sign-up deadline is news for the people signed
    up, not for their calendars), plus the status, since a cancellation (or its reversal) is
    exactly what a subscribed calendar must not miss.
    """
    return bool(changed_fields(old, new, CALENDAR_FIELDS)) or old.status is not new.status
