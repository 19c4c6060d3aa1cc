"""What a calendar entry of an evening must announce as a new version (RFC 5545 SEQUENCE)."""

from __future__ import annotations

from domain.models import Event
from domain.notices import changed_fields


def raises_sequence(old: Event, new: Event) -> bool:
    """A change of time, venue or status: calendar apps must replace their copy of the entry.

    The same fields that warrant a notice to the people signed up, plus the status, since a
    cancellation (or its reversal) is exactly what a subscribed calendar must not miss.
    """
    return bool(changed_fields(old, new)) or old.status is not new.status
