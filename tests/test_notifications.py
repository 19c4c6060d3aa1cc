"""Change notices: moved, re-venued and cancelled events tell everyone signed up (and waiting),
old → new, in their language; reminders follow the new time; changes made by another process
(``run.py import`` while the bot runs) go out with the bot's next drain."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
from datetime import timedelta
from pathlib import Path

from bot.sending.sender import OBSOLETE, drain_outbox
from domain.models import EventStatus, RegistrationStatus
from handlers.notices.reminders import plan_reminders
from storage import events as event_store
from storage import registrations as registration_store
from storage.db import Database
from tests.conftest import NOW, START, make_event
from tests.outbox_support import bot_texts, deliveries, outbox_rows, sign_up, tick

ROOT = Path(__file__).resolve().parent.parent


def moved(event, **fields):
    """The same event with some fields changed."""
    return dataclasses.replace(event, **fields)


async def test_time_change_tells_confirmed_and_waitlisted_old_and_new(bot, clock, add_events):
    event = make_event(capacity=1)
    await add_events(event)
    await sign_up(bot, clock, 1)  # confirmed, German
    assert (await sign_up(bot, clock, 2, lang="en")).outcome == "waitlisted"
    gone = (await sign_up(bot, clock, 3)).registration
    await registration_store.cancel(bot.data.db, gone.id, 3, clock.now())
    new_start = START + timedelta(days=1, minutes=30)
    await add_events(
        moved(event, starts_at=new_start, ends_at=new_start + timedelta(hours=2, minutes=30))
    )

    report = await drain_outbox(bot.app)
    assert report.sent == 2
    [german] = bot.api.messages(1)
    assert "Änderung: Umbau statt Neubau" in german.text
    assert (
        "Beginn: Mittwoch, 9. Dezember 2026, 18:30 Uhr → Donnerstag, 10. Dezember 2026, 19:00 Uhr"
        in german.text
    )
    assert (
        "Ende: Mittwoch, 9. Dezember 2026, 21:00 Uhr → Donnerstag, 10. Dezember 2026, 21:30 Uhr"
        in german.text
    )
    assert "<s>Mittwoch, 9. Dezember 2026, 18:30 Uhr</s>" in german.html
    assert "Ort:" not in german.text
    assert german.button_labels == ["📅 Neuer Kalendereintrag"]
    [english] = bot.api.messages(2)
    assert "Change: Umbau statt Neubau" in english.text
    assert (
        "Start: Wednesday, 9 December 2026, 6:30 PM → Thursday, 10 December 2026, 7:00 PM"
        in english.text
    )
    assert bot.api.messages(3) == []  # cancelled before the change: not told

    [calendar] = await bot.user(1).press("Neuer Kalendereintrag")
    assert calendar.document is not None and b"20261210T" in calendar.document.content


async def test_venue_and_address_change_with_a_venue_button(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    await add_events(
        moved(event, venue="Theater Rampe", address=None, latitude=48.7672, longitude=9.1676)
    )
    await drain_outbox(bot.app)
    [notice] = bot.api.messages(1)
    assert "Ort: Haus der Architektinnen und Architekten → Theater Rampe" in notice.text
    assert "Adresse: Danneckerstraße 54, 70182 Stuttgart → keine Angabe" in notice.text
    assert "Beginn" not in notice.text
    [pin] = await bot.user(1).press("Veranstaltungsort")
    assert pin.venue.title == "Theater Rampe"
    assert (pin.venue.latitude, pin.venue.longitude) == (48.7672, 9.1676)


async def test_html_in_changed_values_is_escaped(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    await add_events(moved(event, venue="<Saal & Foyer>"))
    await drain_outbox(bot.app)
    assert "→ <Saal & Foyer>" in bot.api.last(1).text


async def test_moved_event_gets_reminders_for_its_new_time(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    registration = (await sign_up(bot, clock, 1)).registration
    clock.set(START - timedelta(days=1))
    await tick(bot)
    new_start = START + timedelta(days=2)  # Friday, 11 December
    clock.set(START - timedelta(hours=20))
    await add_events(moved(event, starts_at=new_start, ends_at=None))
    await tick(bot)
    for moment in (
        START - timedelta(hours=2),  # the old two-hour point: nothing any more
        new_start - timedelta(days=1),
        new_start - timedelta(hours=2),
    ):
        clock.set(moment)
        await tick(bot)
    texts = bot_texts(bot, 1)
    assert len(texts) == 4
    assert "Erinnerung" in texts[0] and "Mittwoch, 9. Dezember 2026" in texts[0]
    assert "Änderung" in texts[1]
    assert "Ende: Mittwoch, 9. Dezember 2026, 21:00 Uhr → keine Angabe" in texts[1]
    assert all("Freitag, 11. Dezember 2026, 18:30 Uhr" in text for text in texts[2:])
    assert all("Erinnerung" in text for text in texts[2:])
    assert await deliveries(bot.data.db) == [
        (registration.id, 86400, "2026-12-09T17:30:00Z", "planned"),
        (registration.id, 86400, "2026-12-11T17:30:00Z", "planned"),
        (registration.id, 7200, "2026-12-11T17:30:00Z", "planned"),
    ]


async def test_reminder_queued_before_a_move_is_not_sent_with_the_old_time(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    clock.set(START - timedelta(days=1))
    assert await plan_reminders(bot.app.bot_data) == 1  # queued, not yet sent
    await add_events(moved(event, starts_at=START + timedelta(days=7)))
    report = await drain_outbox(bot.app)
    assert (report.sent, report.obsolete) == (1, 1)
    [notice] = bot.api.messages(1)
    assert "Änderung" in notice.text
    [reminder] = await outbox_rows(bot.data.db, "reminder")
    assert (reminder["state"], reminder["error"]) == ("failed", OBSOLETE)


async def test_cancellation_tells_everyone_and_stops_reminders(bot, clock, add_events):
    event = make_event(capacity=1)
    await add_events(event)
    await sign_up(bot, clock, 1)
    await sign_up(bot, clock, 2, lang="en")
    clock.set(START - timedelta(days=2))
    await add_events(moved(event, status=EventStatus.CANCELLED))
    await drain_outbox(bot.app)
    [german] = bot.api.messages(1)
    assert "Abgesagt: Umbau statt Neubau" in german.text
    assert "am Mittwoch, 9. Dezember 2026, 18:30 Uhr bis 21:00 Uhr muss leider ausfallen" in (
        german.text
    )
    [english] = bot.api.messages(2)
    assert "Cancelled: Umbau statt Neubau" in english.text
    for moment in (START - timedelta(days=1), START - timedelta(hours=2)):
        clock.set(moment)
        await tick(bot)
    assert len(bot.api.messages(1)) == 1 and len(bot.api.messages(2)) == 1
    assert await deliveries(bot.data.db) == []
    kinds = [row["kind"] for row in await outbox_rows(bot.data.db)]
    assert kinds == ["event_cancelled", "event_cancelled"]


async def test_change_then_cancellation_before_sending_sends_only_the_cancellation(
    bot, clock, add_events
):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    await add_events(moved(event, venue="Anderswo"))
    await add_events(moved(event, venue="Anderswo", status=EventStatus.CANCELLED))
    report = await drain_outbox(bot.app)
    assert (report.sent, report.obsolete) == (1, 1)
    assert "Abgesagt" in bot.api.last(1).text


async def test_changes_nobody_needs_to_hear_about_send_nothing(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    await add_events(moved(event, title="Umbau statt Abriss", description="Neu.", capacity=90))
    assert (await drain_outbox(bot.app)).attempted == 0
    assert bot.api.messages(1) == []


async def test_rows_from_a_second_connection_are_sent_by_the_next_drain(
    bot, clock, add_events, settings
):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    other = await Database.open(settings.database_path)  # another process's connection
    try:
        report = await event_store.save_events(
            other, [moved(event, venue="Theater Rampe")], clock.now()
        )
    finally:
        await other.close()
    assert report.notified == 1
    assert (await drain_outbox(bot.app)).sent == 1
    assert "Theater Rampe" in bot.api.last(1).text


# ``run.py import`` is its own process on the real clock; a test cannot set it. So this test's
# evening lies where no real clock reaches it: the same days and hours as make_event() (a
# Wednesday in 2026 and in 2099), 73 years later.
FAR = 73


async def test_run_py_import_while_the_bot_runs_is_announced(
    bot, clock, add_events, settings, tmp_path
):
    clock.set(NOW.replace(year=NOW.year + FAR))
    start = START.replace(year=START.year + FAR)
    await add_events(make_event(starts_at=start))
    await sign_up(bot, clock, 1)
    await sign_up(bot, clock, 2, lang="en")
    program = tmp_path / "program.yaml"
    program.write_text(
        "events:\n"
        "  - id: umbau-2026\n"
        "    title: Umbau statt Neubau\n"
        "    series: Kraft der Region\n"
        "    starts: 2099-12-10 19:00\n"
        "    ends: 2099-12-10 21:30\n"
        "    venue: Haus der Architektinnen und Architekten\n"
        "    address: Danneckerstraße 54, 70182 Stuttgart\n"
        "    latitude: 48.7707\n"
        "    longitude: 9.1866\n"
        "    capacity: 80\n"
        "    description: Wie wir mit dem Bestand bauen.\n",
        encoding="utf-8",
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BOT_TOKEN", "ADMIN_IDS", "REMINDER_OFFSETS"}
    }
    environment.update(DATABASE_PATH=str(settings.database_path), TIMEZONE="Europe/Berlin")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run.py"),
        "import",
        str(program),
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()

    assert (await drain_outbox(bot.app)).sent == 2
    assert (
        "Beginn: Mittwoch, 9. Dezember 2099, 18:30 Uhr → Donnerstag, 10. Dezember 2099, 19:00 Uhr"
        in bot.api.last(1).text
    )
    assert "Start: Wednesday, 9 December 2099, 6:30 PM" in bot.api.last(2).text
    registration = await registration_store.active_registration(bot.data.db, "umbau-2026", 1)
    assert registration.status is RegistrationStatus.CONFIRMED
