"""The calendar on the web: the evening's .ics (the very bytes the bot sends) and the feed,
with stable UIDs, SEQUENCE raised on every change of time, venue or status, and ETag/304."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import icalendar

from domain.models import EventStatus
from storage.events import get_event, save_events
from tests.conftest import NOW, make_event
from tests.web_support import served


def _entries(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["uid"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


async def _change(bot, event_id: str, **fields: object) -> None:
    event = await get_event(bot.data.db, event_id)
    await save_events(bot.data.db, [dataclasses.replace(event, **fields)], NOW)


async def test_evening_ics_is_what_the_bot_sends(bot, add_events):
    await add_events(make_event("umbau", days=7))
    user = bot.user(1)
    await user.send("/start ev_umbau")
    [document] = await user.press("In den Kalender")
    async with served(bot) as web:
        response = await web.get("/termine/umbau.ics")
        missing = await web.get("/termine/nichts.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.content == document.document.content
    [entry] = _entries(response.content).values()
    assert str(entry["uid"]) == "umbau@kraft-der-region.akbw.de"
    assert entry["sequence"] == 0
    assert missing.status_code == 404


async def test_feed_has_upcoming_recent_and_cancelled_evenings(bot, add_events):
    await add_events(
        make_event("bald", days=7),
        make_event("abgesagt", days=9, status=EventStatus.CANCELLED),
        make_event("neulich", days=-30),
        make_event("lange-her", days=-200),
    )
    async with served(bot) as web:
        response = await web.get("/kalender.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Kraft der Region – Macher:innengespräche"
    entries = _entries(response.content)
    assert set(entries) == {
        f"{i}@kraft-der-region.akbw.de" for i in ("bald", "abgesagt", "neulich")
    }
    assert str(entries["abgesagt@kraft-der-region.akbw.de"]["status"]) == "CANCELLED"
    assert str(entries["bald@kraft-der-region.akbw.de"]["status"]) == "CONFIRMED"


async def test_etag_answers_304_until_the_program_changes(bot, add_events):
    await add_events(make_event("bald", days=7))
    async with served(bot) as web:
        first = await web.get("/kalender.ics")
        tag = first.headers["etag"]
        same = await web.get("/kalender.ics", headers={"If-None-Match": tag})
        again = await web.get("/kalender.ics")
        single = await web.get("/termine/bald.ics")
        single_same = await web.get(
            "/termine/bald.ics", headers={"If-None-Match": f'"x", W/{single.headers["etag"]}'}
        )
        await _change(bot, "bald", starts_at=NOW + timedelta(days=8))
        changed = await web.get("/kalender.ics", headers={"If-None-Match": tag})
    assert tag.startswith('"') and first.headers["cache-control"] == "no-cache"
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == tag
    assert again.content == first.content  # stable while nothing changes
    assert single_same.status_code == 304
    assert changed.status_code == 200 and changed.headers["etag"] != tag


async def test_sequence_rises_on_time_venue_and_status_but_not_on_a_typo(bot, add_events):
    await add_events(make_event("bald", days=7))
    uid = "bald@kraft-der-region.akbw.de"

    async def sequence(web) -> int:
        return int(_entries((await web.get("/kalender.ics")).content)[uid]["sequence"])

    async with served(bot) as web:
        assert await sequence(web) == 0
        await _change(bot, "bald", description="Mit korrigiertem Tippfehler.")
        assert await sequence(web) == 0
        await _change(bot, "bald", starts_at=NOW + timedelta(days=7, hours=1))
        assert await sequence(web) == 1
        await _change(bot, "bald", venue="Theater Rampe")
        assert await sequence(web) == 2
        await _change(bot, "bald", status=EventStatus.CANCELLED)
        assert await sequence(web) == 3
        entry = _entries((await web.get("/termine/bald.ics")).content)[uid]
        await _change(bot, "bald", status=EventStatus.SCHEDULED)
        assert await sequence(web) == 4
    assert str(entry["status"]) == "CANCELLED" and entry["sequence"] == 3


def test_calendar_sequence_migration_keeps_existing_evenings_at_zero():
    import sqlite3

    from storage.migration_steps import m001_initial_schema
    from storage.migrations import migrate

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    m001_initial_schema(conn)
    conn.execute("INSERT INTO _migrations VALUES ('m001_initial_schema', 'x')")
    conn.execute(
        "INSERT INTO events (id, title, starts_at, venue, created_at, updated_at)"
        " VALUES ('alt', 'Alt', '2026-12-01T18:00:00Z', 'Ort', 'x', 'x')"
    )
    assert "m002_calendar_sequence" in migrate(conn)
    assert [row[0] for row in conn.execute("SELECT calendar_sequence FROM events")] == [0]
    conn.close()
