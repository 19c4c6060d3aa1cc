"""The public program (PRODUCT §8): the real aiohttp server on a free port, fetched over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.models import EventStatus, Speaker
from storage.events import save_events
from storage.registrations import sign_up
from storage.users import ensure_user
from testing.offline import offline_bot
from tests.conftest import NOW, make_event, make_settings
from tests.web_support import json_ld, served

BOT_LINK = "https://t.me/KraftDerRegionBot?start=ev_"


async def test_program_lists_upcoming_evenings_soonest_first(bot, add_events):
    await add_events(
        make_event("spaeter", days=30, title="Später im Jahr"),
        make_event("bald", days=7, title="Bald schon"),
        make_event("vorbei", days=-3, title="Schon vorbei"),
    )
    async with served(bot) as web:
        response = await web.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert '<html lang="de">' in html
    assert html.index("Bald schon") < html.index("Später im Jahr")
    assert "Schon vorbei" not in html
    assert "Mittwoch, 2. Dezember 2026, 18:30 Uhr bis 21:00 Uhr" in html
    assert "Haus der Architektinnen und Architekten" in html
    assert "Ilona Schaal" in html
    assert "noch 80 Plätze frei" in html
    assert f'href="{BOT_LINK}bald">In Telegram anmelden</a>' in html
    assert 'href="/termine/bald.ics">In den Kalender</a>' in html
    assert 'href="webcal://localhost:0/kalender.ics"' in html
    assert 'href="/vergangen"' in html


async def test_no_javascript_and_no_third_party_requests(bot, add_events):
    await add_events(make_event("bald", days=7))
    async with served(bot) as web:
        response = await web.get("/termine/bald")
        css = await web.get("/style.css")
    html = response.text
    assert "<script src" not in html and "onclick" not in html
    # Every script block is data (JSON-LD); the only stylesheet is our own.
    assert html.count("<script") == html.count('<script type="application/ld+json">')
    assert '<link rel="stylesheet" href="/style.css">' in html
    assert "url(" not in css.text and "@import" not in css.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "style-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_user_text_is_escaped_once(bot, add_events):
    title = '<script>alert("x")</script> & Co'
    await add_events(
        make_event("boese", days=7, title=title, speakers=(Speaker("<b>Ilona</b>", "A & B"),))
    )
    async with served(bot) as web:
        for path in ("/", "/termine/boese"):
            html = (await web.get(path)).text
            assert "<script>alert" not in html and "<b>Ilona" not in html
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
            assert "&amp;lt;" not in html and "&amp;amp;" not in html
            assert "A &amp; B" in html
            [data] = json_ld(html)
            assert data["name"] == f"Kraft der Region: {title}"
            assert data["performer"] == [{"@type": "Person", "name": "<b>Ilona</b>"}]


async def test_json_ld_describes_each_evening_as_a_schema_org_event(bot, add_events):
    await add_events(
        make_event("winter", days=14),
        make_event("sommer", days=200, capacity=None, latitude=None, longitude=None),
        make_event("abgesagt", days=20, status=EventStatus.CANCELLED),
    )
    async with served(bot) as web:
        html = (await web.get("/")).text
    by_url = {item["url"].rsplit("/", 1)[1]: item for item in json_ld(html)}
    winter = by_url["winter"]
    assert winter["@context"] == "https://schema.org" and winter["@type"] == "Event"
    assert winter["startDate"] == "2026-12-09T18:30:00+01:00"
    assert winter["endDate"] == "2026-12-09T21:00:00+01:00"
    assert winter["eventStatus"] == "https://schema.org/EventScheduled"
    assert winter["location"]["name"] == "Haus der Architektinnen und Architekten"
    assert winter["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Danneckerstraße 54",
        "postalCode": "70182",
        "addressLocality": "Stuttgart",
        "addressCountry": "DE",
    }
    assert winter["location"]["geo"]["latitude"] == 48.7707
    assert winter["performer"] == [{"@type": "Person", "name": "Ilona Schaal"}]
    assert winter["organizer"]["name"] == "Architektenkammer Baden-Württemberg"
    offer = winter["offers"]
    assert (offer["price"], offer["priceCurrency"]) == ("0", "EUR")
    assert offer["availability"] == "https://schema.org/InStock"
    # Summer time: the offset follows the date, not the day the page was made.
    assert by_url["sommer"]["startDate"].endswith("+02:00")
    assert "geo" not in by_url["sommer"]["location"]
    assert by_url["abgesagt"]["eventStatus"] == "https://schema.org/EventCancelled"
    assert by_url["abgesagt"]["offers"]["availability"] == "https://schema.org/Discontinued"


async def _sign_up(bot, event_id: str, user_id: int, name: str) -> None:
    await ensure_user(bot.data.db, user_id, "de", NOW)
    await sign_up(bot.data.db, event_id, user_id, name, NOW)


async def test_every_state_comes_from_the_domain_and_only_counts_are_shown(bot, add_events):
    await add_events(
        make_event("offen", days=7, capacity=3),
        make_event("voll", days=8, capacity=1),
        make_event("geschlossen", days=9, registration_closes_at=NOW - timedelta(hours=1)),
        make_event("ohne", days=10, capacity=0),
        make_event("abgesagt", days=11, status=EventStatus.CANCELLED),
    )
    await _sign_up(bot, "offen", 501, "Erika Geheimname")
    await _sign_up(bot, "voll", 502, "Max Verborgen")
    await _sign_up(bot, "voll", 503, "Wartende Person")
    async with served(bot) as web:
        page = (await web.get("/")).text
        details = {i: (await web.get(f"/termine/{i}")).text for i in ("offen", "voll")}
    for html in (page, *details.values()):
        for name in ("Erika", "Geheimname", "Max Verborgen", "Wartende"):
            assert name not in html
    assert "noch 2 Plätze frei" in page
    assert "ausgebucht – Warteliste" in page
    assert f'href="{BOT_LINK}voll">In Telegram auf die Warteliste</a>' in page
    assert "Anmeldung geschlossen" in page and "keine Anmeldung möglich" in page
    assert "abgesagt" in page
    assert f"{BOT_LINK}abgesagt" not in page and "/termine/abgesagt.ics" not in page
    assert json_ld(details["voll"])[0]["offers"]["availability"] == "https://schema.org/SoldOut"


async def test_past_evenings_are_on_their_own_page(bot, add_events):
    await add_events(make_event("vorbei", days=-3, title="Schon vorbei"), make_event("bald"))
    async with served(bot) as web:
        html = (await web.get("/vergangen")).text
    assert "Schon vorbei" in html and "hat stattgefunden" in html
    assert "Umbau statt Neubau" not in html
    assert "/termine/vorbei.ics" not in html and BOT_LINK not in html


async def test_event_page_has_everything_on_the_card(bot, add_events):
    await add_events(
        make_event(
            "umbau",
            registration_closes_at=NOW + timedelta(days=12),
            speakers=(Speaker("Ilona Schaal", "Theater Rampe", "Leitet das Theater seit 2013."),),
        )
    )
    async with served(bot) as web:
        response = await web.get("/termine/umbau")
    html = response.text
    assert response.status_code == 200
    assert "<h1" in html and "Umbau statt Neubau" in html
    assert "Wie wir mit dem Bestand bauen." in html
    assert "Leitet das Theater seit 2013." in html
    assert "Anmeldeschluss" in html and "Montag, 7. Dezember 2026, 10:00 Uhr" in html
    assert "https://www.openstreetmap.org/?mlat=48.7707&amp;mlon=9.1866" in html
    assert f"{BOT_LINK}umbau" in html and 'href="/termine/umbau.ics"' in html


@pytest.mark.parametrize("path", ["/termine/gibt-es-nicht", "/termine/UPPER", "/irgendwas"])
async def test_unknown_address_is_a_404_page(bot, path):
    async with served(bot) as web:
        response = await web.get(path)
        english = await web.get(path, params={"lang": "en"})
    assert response.status_code == 404
    assert '<html lang="de">' in response.text and "Diesen Termin gibt es nicht" in response.text
    assert "Zurück zum Programm" in response.text
    assert english.status_code == 404 and "There is no such event" in english.text


async def test_english_by_accept_language_or_query(bot, add_events):
    await add_events(make_event("bald", days=7))
    async with served(bot) as web:
        by_header = await web.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"})
        by_query = await web.get("/", params={"lang": "en"}, headers={"Accept-Language": "de"})
        german = await web.get("/", headers={"Accept-Language": "fr-FR,de;q=0.8,en;q=0.7"})
        unknown = await web.get("/", headers={"Accept-Language": "fr"})
    for response in (by_header, by_query):
        assert '<html lang="en">' in response.text
        assert response.headers["content-language"] == "en"
        assert "Sign up in Telegram" in response.text and "Add to calendar" in response.text
        assert "Wednesday, 2 December 2026, 6:30" in response.text
    assert 'href="/termine/bald?lang=en"' in by_query.text
    assert '<html lang="de">' in german.text and '<html lang="de">' in unknown.text


async def test_public_url_makes_the_absolute_links(tmp_path, clock):
    settings = make_settings(tmp_path, public_url="https://termine.akbw.de/", web_port=8080)
    async with offline_bot(settings, clock=clock) as bot:
        await save_events(bot.data.db, [make_event("bald")], NOW)
        async with served(bot) as web:
            html = (await web.get("/")).text
            feed = (await web.get("/kalender.ics")).text
    assert 'href="webcal://termine.akbw.de/kalender.ics"' in html
    assert json_ld(html)[0]["url"] == "https://termine.akbw.de/termine/bald"
    assert "URL:https://termine.akbw.de/termine/bald" in feed
