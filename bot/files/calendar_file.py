"""Calendar files (RFC 5545 via icalendar): one builder for the bot's calendar button, the
evening's ``.ics`` on the web and the subscribable series feed.

Every entry has a stable UID (re-importing updates it instead of duplicating it) and the
evening's stored ``SEQUENCE``, raised on every change of time, venue or status, so calendar
apps take a new time or a cancellation (``STATUS:CANCELLED``) instead of ignoring it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import icalendar

from bot.settings import Settings
from domain.evening import end_of
from domain.models import Event, EventStatus
from storage.calendar import revision
from storage.db import Database

UID_DOMAIN = "kraft-der-region.akbw.de"
PRODUCT_ID = "-//Architektenkammer Baden-Wuerttemberg//Kraft der Region Bot//DE"
# How often a subscribed calendar should look for changes (RFC 7986 REFRESH-INTERVAL, and
# X-PUBLISHED-TTL for Outlook and older Apple clients); an unchanged feed is answered with 304.
FEED_REFRESH = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One evening as a calendar entry: its revision and, when known, its web page."""

    event: Event
    sequence: int = 0
    stamp: datetime | None = None  # DTSTAMP; the feed uses the last change, so it is stable
    url: str | None = None


def event_uid(event: Event) -> str:
    """The evening's calendar UID; never changes, whatever else about the evening does."""
    return f"{event.id}@{UID_DOMAIN}"


def _vevent(entry: CalendarEntry, now: datetime) -> icalendar.Event:
    event = entry.event
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", entry.stamp or now)
    vevent.add("sequence", entry.sequence)
    # Times in UTC, which every client converts correctly.
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", end_of(event))
    vevent.add("summary", f"{event.series}: {event.title}" if event.series else event.title)
    vevent.add("location", ", ".join(part for part in (event.venue, event.address) if part))
    description = event.description.strip()
    if event.speakers:
        names = "\n".join(
            f"– {s.name}, {s.role}" if s.role else f"– {s.name}" for s in event.speakers
        )
        description = f"{description}\n\n{names}".strip()
    if description:
        vevent.add("description", description)
    if event.has_location:
        vevent.add("geo", (event.latitude, event.longitude))
    if entry.url:
        vevent.add("url", entry.url)
    vevent.add("status", "CANCELLED" if event.status is EventStatus.CANCELLED else "CONFIRMED")
    return vevent


def _calendar(
    entries: Iterable[CalendarEntry],
    now: datetime,
    name: str | None,
    refresh: timedelta | None = None,
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(refresh))
    for entry in entries:
        calendar.add_component(_vevent(entry, now))
    return calendar.to_ical()


def entry_ics(entry: CalendarEntry, now: datetime) -> bytes:
    """A one-event calendar from a prepared entry (stable DTSTAMP when ``entry.stamp`` is set)."""
    return _calendar([entry], now, None)


def event_url(settings: Settings, event_id: str, deep_link: str) -> str:
    """Where a calendar entry links: the evening's web page when the web server runs, else the
    bot's deep link to its card."""
    if settings.web_port:
        return f"{settings.public_base_url}/termine/{event_id}"
    return deep_link


async def evening_ics(
    db: Database, settings: Settings, event: Event, deep_link: str, now: datetime
) -> bytes:
    """The evening's calendar file with its stored revision: the bot's calendar button sends
    these bytes and ``/termine/<id>.ics`` serves the very same."""
    found = await revision(db, event.id)
    entry = CalendarEntry(
        event,
        sequence=found.sequence if found else 0,
        stamp=found.updated_at if found else None,
        url=event_url(settings, event.id, deep_link),
    )
    return entry_ics(entry, now)


def feed_ics(entries: Iterable[CalendarEntry], now: datetime, name: str) -> bytes:
    """The series as one subscribable calendar, cancelled evenings kept as ``STATUS:CANCELLED``
    (a calendar that no longer sees an entry may keep showing it); it tells subscribers to look
    again every :data:`FEED_REFRESH`."""
    return _calendar(entries, now, name, refresh=FEED_REFRESH)
