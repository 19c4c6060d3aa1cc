"""What other programs read from the public site (PRODUCT §8, issue 23.5), checked with parsers
that run everywhere: html5lib (strict) on every page, icalendar on the feed, the JSON-LD keys
search engines use; the favicon, the series' picture, robots.txt and gzip. The real clients
(W3C Nu validator, axe-core, LibreOffice) run in ``make check-clients``."""

from __future__ import annotations

import dataclasses
import gzip
import io
from datetime import timedelta

import html5lib
import icalendar
import pytest
from PIL import Image

from domain.models import EventStatus, Speaker
from storage.events import get_event, save_events
from tests.conftest import NOW, make_event
from tests.web_support import json_ld, served

PLAIN = {"Accept-Encoding": "identity"}


async def _move(bot, event_id: str, **fields: object) -> None:
    event = await get_event(bot.data.db, event_id)
    await save_events(bot.data.db, [dataclasses.replace(event, **fields)], NOW)


async def test_json_ld_has_every_key_search_engines_read(bot, add_events):
    await add_events(make_event("umbau", days=7, cpd_hours=2.0, capacity=80))
    async with served(bot) as web:
        [data] = json_ld((await web.get("/termine/umbau")).text)
        image = await web.get(data["image"][0].removeprefix("http://localhost:0"))
    page = "http://localhost:0/termine/umbau"
    assert data["@type"] == "Event" and data["name"] == "Kraft der Region: Umbau statt Neubau"
    assert data["description"].startswith("Wie wir mit dem Bestand bauen.")
    assert "2 Fortbildungsstunden" in data["description"]
    assert data["startDate"] == "2026-12-02T18:30:00+01:00"
    assert data["endDate"] == "2026-12-02T21:00:00+01:00"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert "previousStartDate" not in data
    assert data["location"] == {
        "@type": "Place",
        "name": "Haus der Architektinnen und Architekten",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Danneckerstraße 54",
            "postalCode": "70182",
            "addressLocality": "Stuttgart",
            "addressCountry": "DE",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": 48.7707, "longitude": 9.1866},
    }
    assert data["performer"] == [{"@type": "Person", "name": "Ilona Schaal"}]
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "Architektenkammer Baden-Württemberg",
        "url": "https://www.akbw.de",
    }
    # An absolute URL the site itself serves, a picture of 1200 x 675 (16:9).
    assert data["image"] == ["http://localhost:0/kraft-der-region.png"]
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (1200, 675)
    assert data["offers"] == {
        "@type": "Offer",
        "price": "0",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
        "url": page,
        "validFrom": "2026-11-25T10:00:00+01:00",  # when it was put on the program (NOW)
    }
    assert data["url"] == page


async def test_a_moved_evening_is_rescheduled_from_its_previous_start(bot, add_events):
    await add_events(make_event("umbau", days=7), make_event("bleibt", days=8))
    await _move(bot, "umbau", starts_at=NOW + timedelta(days=9), ends_at=None)
    await _move(bot, "bleibt", title="Neuer Titel")  # not a move
    async with served(bot) as web:
        by_url = {d["url"].rsplit("/", 1)[1]: d for d in json_ld((await web.get("/")).text)}
        await _move(bot, "umbau", status=EventStatus.CANCELLED)
        [cancelled] = json_ld((await web.get("/termine/umbau")).text)
    moved = by_url["umbau"]
    assert moved["eventStatus"] == "https://schema.org/EventRescheduled"
    assert moved["previousStartDate"] == "2026-12-02T18:30:00+01:00"
    assert moved["startDate"] == "2026-12-04T10:00:00+01:00"
    assert by_url["bleibt"]["eventStatus"] == "https://schema.org/EventScheduled"
    assert "previousStartDate" not in by_url["bleibt"]
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"


async def test_descriptions_keep_paragraphs_and_line_breaks(bot, add_events):
    description = "Erste Zeile\r\nzweite <Zeile> & mehr\n\n\nZweiter Absatz"
    speaker = Speaker("Ilona Schaal", None, "Seit 2013 Leiterin.\nVorher: Berlin.")
    await add_events(make_event("umbau", description=description, speakers=(speaker,)))
    async with served(bot) as web:
        html = (await web.get("/termine/umbau")).text
    assert (
        '<div class="description"><p>Erste Zeile<br>\nzweite &lt;Zeile&gt; &amp; mehr</p>\n'
        "<p>Zweiter Absatz</p></div>"
    ) in html
    assert "<p>Seit 2013 Leiterin.<br>\nVorher: Berlin.</p>" in html


def _language_link(html: str):
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    [link] = tree.findall(".//header/p[@class='lang']/a")
    return link


@pytest.mark.parametrize(
    ("query", "visible", "other"), [("", "English", "en"), ("?lang=en", "Deutsch", "de")]
)
async def test_language_link_is_named_by_its_visible_text_in_its_own_language(
    bot, add_events, query, visible, other
):
    await add_events(make_event("umbau"))
    async with served(bot) as web:
        for path in ("/", "/termine/umbau", "/vergangen"):
            link = _language_link((await web.get(path + query)).text)
            # No aria-label: the accessible name is the visible text (WCAG 2.5.3).
            assert "aria-label" not in link.attrib and "".join(link.itertext()) == visible
            assert (link.get("lang"), link.get("hreflang")) == (other, other)
            assert link.get("href") == f"?lang={other}"


async def test_favicon_and_robots_are_served(bot):
    async with served(bot) as web:
        icon = await web.get("/favicon.ico")
        robots = await web.get("/robots.txt")
        page = (await web.get("/")).text
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert Image.open(io.BytesIO(icon.content)).info["sizes"] >= {(16, 16), (32, 32)}
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert robots.status_code == 200
    assert "Disallow: /bescheinigung/" in robots.text.splitlines()


async def _raw(web, path: str, **headers: str):
    async with web.stream("GET", path, headers=headers) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


@pytest.mark.parametrize("path", ["/", "/termine/umbau", "/vergangen", "/kalender.ics", "/nix"])
async def test_pages_and_feed_are_gzipped_for_clients_that_ask(bot, add_events, path):
    await add_events(make_event("umbau"), make_event("vorbei", days=-3))
    async with served(bot) as web:
        packed, packed_body = await _raw(web, path, **{"Accept-Encoding": "gzip, deflate"})
        plain, plain_body = await _raw(web, path, **PLAIN)
        refused, _ = await _raw(web, path, **{"Accept-Encoding": "gzip;q=0, identity"})
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed_body) == plain_body and len(packed_body) < len(plain_body)
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers
    for response in (packed, plain):
        assert "Accept-Encoding" in response.headers["vary"]


async def test_the_feed_keeps_etag_and_304_with_gzip(bot, add_events):
    await add_events(make_event("umbau"))
    async with served(bot) as web:
        packed, _ = await _raw(web, "/kalender.ics", **{"Accept-Encoding": "gzip"})
        plain, _ = await _raw(web, "/kalender.ics", **PLAIN)
        tag = packed.headers["etag"]
        again, body = await _raw(
            web, "/kalender.ics", **{"Accept-Encoding": "gzip", "If-None-Match": tag}
        )
        await _move(bot, "umbau", starts_at=NOW + timedelta(days=20))
        changed, _ = await _raw(
            web, "/kalender.ics", **{"Accept-Encoding": "gzip", "If-None-Match": tag}
        )
    assert tag != plain.headers["etag"]  # two representations, two tags
    assert again.status_code == 304 and body == b"" and again.headers["etag"] == tag
    assert changed.status_code == 200


async def test_feed_tells_calendars_how_often_to_look(bot, add_events):
    await add_events(make_event("umbau"))
    async with served(bot) as web:
        feed = icalendar.Calendar.from_ical((await web.get("/kalender.ics")).content)
    refresh = feed["refresh-interval"]
    assert refresh.params["VALUE"] == "DURATION" and refresh.dt == timedelta(hours=1)
    assert icalendar.vDuration.from_ical(str(feed["x-published-ttl"])) == timedelta(hours=1)


PAGES = [
    "/",
    "/?lang=en",
    "/termine/umbau",
    "/termine/umbau?lang=en",
    "/termine/abgesagt",
    "/vergangen",
    "/vergangen?jahr=2026&lang=en",
    "/termine/gibt-es-nicht",
    "/bescheinigung/KDR-0000-0000-0000-0000",
]


async def test_every_page_parses_as_html5_without_a_single_error(bot, add_events):
    description = "Absatz <eins>\nZeile\n\nAbsatz & zwei"
    await add_events(
        make_event("umbau", description=description, cpd_hours=2.0),
        make_event("abgesagt", days=9, status=EventStatus.CANCELLED),
        make_event("vorbei", days=-3),
    )
    parser = html5lib.HTMLParser(strict=True)
    async with served(bot) as web:
        for path in PAGES:
            response = await web.get(path)
            assert response.headers["content-type"].startswith("text/html"), path
            parser.parse(response.text)  # strict: the first parse error raises
            assert not parser.errors, (path, parser.errors)
