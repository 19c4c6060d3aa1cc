"""What the public pages show of an evening, as plain values for the templates.

Every state comes from :func:`domain.evening.phase`; only counts are shown, never names.
Texts are plain strings from the catalogues (``Translator.plain``): the template engine
escapes them, once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from bot.i18n import Count, Translator
from domain.cpd_hours import exact_hours, plural_count
from domain.evening import SIGN_UP_PHASES, Phase, claims_cpd_hours, end_of, phase, seats_left
from domain.models import Event, EventStatus, SeatCounts, Speaker
from domain.reading.plain_text import split_lines
from domain.reading.postal_address import parse_postal_address
from domain.standing import may_add_to_calendar

ORGANIZER_URL = "https://www.akbw.de"
# The series' picture for search results (schema.org ``image``), served by the site itself.
IMAGE_PATH = "/kraft-der-region.png"
# schema.org availability of the free offer, by phase.
_AVAILABILITY = {
    Phase.OPEN: "https://schema.org/InStock",
    Phase.FULL: "https://schema.org/SoldOut",
}
_CLOSED_AVAILABILITY = "https://schema.org/Discontinued"


@dataclass(frozen=True, slots=True)
class Evening:
    """One evening as a page shows it."""

    event: Event
    phase: Phase
    when: str
    status_text: str
    deadline: str | None
    cpd_hours: str | None  # "2 Fortbildungsstunden …" when the evening counts for them
    page_url: str
    telegram_url: str
    telegram_label: str | None  # None: nothing to do in Telegram any more
    calendar_url: str | None  # None once it is over or when it is cancelled
    map_url: str | None
    description: Markup  # paragraphs and line breaks kept, the text escaped
    json_ld: Markup

    @property
    def is_cancelled(self) -> bool:
        """Whether the evening was called off (shown struck through)."""
        return self.phase is Phase.CANCELLED

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        """The evening's speakers, in program order."""
        return self.event.speakers


class PageTexts:
    """Catalogue texts and Babel dates for one language and time zone."""

    def __init__(self, translator: Translator, lang: str, tz: ZoneInfo):
        self.translator = translator
        self.lang = lang
        self.tz = tz

    def __call__(self, key: str, count: Count | None = None, **values: object) -> str:
        """A catalogue message as plain text (the template escapes it)."""
        return self.translator.plain(self.lang, key, count, **values)

    def cpd_hours(self, event: Event) -> str | None:
        """What the evening counts for as professional development, if anything."""
        if not event.cpd_hours or not claims_cpd_hours(event):  # none for a cancelled one
            return None
        hours = format_decimal(event.cpd_hours, locale=self.lang)
        count = plural_count(exact_hours(event.cpd_hours))  # Babel picks forms of decimals too
        return self("web.cpd_hours", count, hours=hours)

    def when(self, moment: datetime) -> str:
        """``Mittwoch, 22. Oktober 2025, 18:30 Uhr`` in the reader's language."""
        pattern = self.translator.raw(self.lang, "format.datetime")
        return format_datetime(moment, pattern, tzinfo=self.tz, locale=self.lang)

    def event_time(self, event: Event) -> str:
        """Start, and the end when known (time only if on the same day)."""
        if event.ends_at is None:
            return self.when(event.starts_at)
        local_start, local_end = (
            event.starts_at.astimezone(self.tz),
            event.ends_at.astimezone(self.tz),
        )
        if local_start.date() == local_end.date():
            pattern = self.translator.raw(self.lang, "format.time")
            end = format_datetime(event.ends_at, pattern, tzinfo=self.tz, locale=self.lang)
        else:
            end = self.when(event.ends_at)
        return self("web.time_range", start=self.when(event.starts_at), end=end)

    def status(self, event: Event, counts: SeatCounts, current: Phase) -> str:
        """Seats left, waitlist, closed, over or cancelled: counts only."""
        if current is Phase.OPEN:
            left = seats_left(event, counts)
            return self("web.seats_unlimited") if left is None else self("web.seats_free", left)
        return self(f"web.phase_{current.value}")


def _telegram_label(current: Phase) -> str | None:
    if current is Phase.OPEN:
        return "web.signup_telegram"
    if current is Phase.FULL:
        return "web.waitlist_telegram"
    if current in (Phase.REGISTRATION_CLOSED, Phase.NO_REGISTRATION, Phase.UNDER_WAY):
        return "web.open_telegram"
    return None


def map_url(event: Event) -> str | None:
    """A link (not an embedded map: no third-party request) to the venue's coordinates."""
    if not event.has_location:
        return None
    lat, lon = event.latitude, event.longitude
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")


def description_html(text: str) -> Markup:
    """A description as HTML paragraphs: a blank line starts a new one, a single line break
    stays a ``<br>``; the text itself is escaped here (it is not escaped again)."""
    text = "\n".join(split_lines(text.strip()))
    paragraphs = [part for part in _BLANK_LINES.split(text) if part.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(
            Markup("<br>\n").join(escape(line) for line in part.split("\n"))
        )
        for part in paragraphs
    )


def postal_address(written: str) -> dict[str, object]:
    """schema.org ``PostalAddress`` of an address as written (what cannot be read stays the
    street); the chamber's evenings are in Germany."""
    parts = parse_postal_address(written)
    address: dict[str, object] = {"@type": "PostalAddress"}
    if parts.street:
        address["streetAddress"] = parts.street
    if parts.postal_code:
        address["postalCode"] = parts.postal_code
    if parts.locality:
        address["addressLocality"] = parts.locality
    address["addressCountry"] = "DE"
    return address


def json_ld_markup(data: dict[str, object]) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block: ``<``, ``>`` and ``&`` are
    written as JSON escapes, so no text (a title ``</script>…``) can end the block."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # safe by construction: no markup character is left in it


@dataclass(frozen=True, slots=True)
class Publication:
    """What the site knows of an evening beyond the evening itself."""

    base_url: str  # absolute links start with it (``PUBLIC_URL``)
    published: datetime | None = None  # since when it was on the program: the offer's start
    previous_start: datetime | None = None  # its start before the last move, if moved


def _event_status(event: Event, previous_start: datetime | None) -> str:
    if event.status is EventStatus.CANCELLED:
        return "https://schema.org/EventCancelled"
    if previous_start is not None and previous_start != event.starts_at:
        return "https://schema.org/EventRescheduled"
    return "https://schema.org/EventScheduled"


def event_json_ld(
    event: Event, current: Phase, page_url: str, texts: PageTexts, site: Publication
) -> dict[str, object]:
    """schema.org ``Event`` of one evening (times with their UTC offset in ``TIMEZONE``)."""
    place: dict[str, object] = {"@type": "Place", "name": event.venue}
    if event.address:
        place["address"] = postal_address(event.address)
    else:
        place["address"] = event.venue
    if event.has_location:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": event.latitude,
            "longitude": event.longitude,
        }
    status = _event_status(event, site.previous_start)
    offer: dict[str, object] = {
        "@type": "Offer",
        "price": "0",
        "priceCurrency": "EUR",
        "availability": _AVAILABILITY.get(current, _CLOSED_AVAILABILITY),
        "url": page_url,
    }
    if site.published is not None:
        offer["validFrom"] = site.published.astimezone(texts.tz).isoformat()
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": f"{event.series}: {event.title}" if event.series else event.title,
        "startDate": event.starts_at.astimezone(texts.tz).isoformat(),
        "endDate": end_of(event).astimezone(texts.tz).isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "organizer": {
            "@type": "Organization",
            "name": texts("web.organizer"),
            "url": ORGANIZER_URL,
        },
        "image": [site.base_url + IMAGE_PATH],
        "offers": offer,
        "url": page_url,
        "inLanguage": "de",
    }
    # The Fortbildungsstunden are part of what the evening offers (issue 24, bullet 7).
    described = [part for part in (event.description.strip(), texts.cpd_hours(event)) if part]
    if described:
        data["description"] = "\n\n".join(described)
    if status == "https://schema.org/EventRescheduled" and site.previous_start is not None:
        data["previousStartDate"] = site.previous_start.astimezone(texts.tz).isoformat()
    if event.speakers:
        data["performer"] = [{"@type": "Person", "name": s.name} for s in event.speakers]
    return data


def evening(
    event: Event,
    counts: SeatCounts,
    now: datetime,
    texts: PageTexts,
    site: Publication,
    telegram_url: str,
) -> Evening:
    """Everything a page shows of one evening at ``now``."""
    current = phase(event, counts, now)
    page_url = f"{site.base_url}/termine/{event.id}"
    label = _telegram_label(current)
    open_for_calendar = may_add_to_calendar(event, now) is None  # the bot's calendar button
    deadline = None
    if event.registration_closes_at is not None and current in SIGN_UP_PHASES:
        deadline = texts.when(event.registration_closes_at)
    return Evening(
        event=event,
        phase=current,
        when=texts.event_time(event),
        status_text=texts.status(event, counts, current),
        deadline=deadline,
        cpd_hours=texts.cpd_hours(event),
        page_url=page_url,
        telegram_url=telegram_url,
        telegram_label=texts(label) if label else None,
        calendar_url=f"/termine/{event.id}.ics" if open_for_calendar else None,
        map_url=map_url(event),
        description=description_html(event.description),
        json_ld=json_ld_markup(event_json_ld(event, current, page_url, texts, site)),
    )
