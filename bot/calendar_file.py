"""The .ics file of one evening (RFC 5545 via icalendar)."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from domain.models import Event, EventStatus

DEFAULT_DURATION = timedelta(hours=2)  # when the program gives no end
UID_DOMAIN = "kraft-der-region.akbw.de"
PRODUCT_ID = "-//Architektenkammer Baden-Wuerttemberg//Kraft der Region Bot//DE"


def event_ics(event: Event, now: datetime, url: str | None = None) -> bytes:
    """A one-event calendar. Times are written in UTC, which every client converts correctly;
    the UID is stable per event so re-importing updates the entry instead of duplicating it."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{event.id}@{UID_DOMAIN}")
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at or event.starts_at + DEFAULT_DURATION)
    entry.add("summary", f"{event.series}: {event.title}" if event.series else event.title)
    entry.add("location", ", ".join(part for part in (event.venue, event.address) if part))
    description = event.description.strip()
    if event.speakers:
        names = "\n".join(
            f"– {s.name}, {s.role}" if s.role else f"– {s.name}" for s in event.speakers
        )
        description = f"{description}\n\n{names}".strip()
    if description:
        entry.add("description", description)
    if event.has_location:
        entry.add("geo", (event.latitude, event.longitude))
    if url:
        entry.add("url", url)
    entry.add("status", "CANCELLED" if event.status is EventStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
