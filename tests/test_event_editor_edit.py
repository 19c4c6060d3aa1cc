"""Issue 5, point 2: editing any field of an event in the chat; changes reach the people signed
up, more seats move the waitlist up, fewer warn but keep everyone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sending.sender import drain_outbox
from domain.models import RegistrationStatus
from storage import events as event_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, sign_up


async def _open_edit(bot, title="Umbau statt Neubau"):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    answers = await admin.press(title)
    assert "Was möchten Sie an" in answers[-1].text
    return admin


async def test_edit_the_start_notifies_everyone_signed_up(bot, add_events, clock):
    event = make_event("umbau-2026", capacity=1)
    await add_events(event)
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    await sign_up(bot, clock.now(), "umbau-2026", 12, "Ben")  # waitlisted
    for user_id in (11, 12):
        bot.user(user_id)
    admin = await _open_edit(bot)
    await admin.press("Beginn")
    assert "Bisher: Mittwoch, 9. Dezember 2026, 18:30 Uhr" in admin.last_text
    answers = await admin.send("10.12.2026 19:00")
    summary = answers[-1].text
    assert "✏️ Beginn: Donnerstag, 10. Dezember 2026, 19:00 Uhr" in summary
    assert "bisher: Mittwoch, 9. Dezember 2026, 18:30 Uhr" in summary
    assert "Die 2 Angemeldeten" in summary
    assert (await event_store.get_event(bot.data.db, "umbau-2026")) == event  # not yet saved
    answers = await admin.press("Speichern")
    assert "2 Personen werden benachrichtigt" in answers[-1].text
    saved = await event_store.get_event(bot.data.db, "umbau-2026")
    assert saved.starts_at == datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
    assert saved.ends_at == saved.starts_at + (event.ends_at - event.starts_at)  # moved along
    queued = rows(bot.data.settings.database_path, "SELECT user_id, kind FROM outbox ORDER BY id")
    assert queued == [(11, "event_changed"), (12, "event_changed")]
    await drain_outbox(bot.app)
    for user_id in (11, 12):
        assert "Donnerstag, 10. Dezember 2026, 19:00 Uhr" in bot.api.last(user_id).text


async def test_more_seats_move_the_waitlist_up(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=1))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    await sign_up(bot, clock.now(), "umbau-2026", 12, "Ben")
    admin = await _open_edit(bot)
    await admin.press("Plätze")
    await admin.send("2")
    await admin.press("Speichern")
    statuses = rows(
        bot.data.settings.database_path, "SELECT user_id, status FROM registrations ORDER BY id"
    )
    assert statuses == [(11, "confirmed"), (12, "confirmed")]
    assert rows(bot.data.settings.database_path, "SELECT user_id, kind FROM outbox") == [
        (12, "promoted")
    ]


async def test_fewer_seats_than_confirmed_warns_but_keeps_everyone(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=5))
    for user_id in (11, 12, 13):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, f"P{user_id}")
    admin = await _open_edit(bot)
    await admin.press("Plätze")
    answers = await admin.send("2")
    assert "Bereits 3 Personen sind bestätigt" in answers[-1].text
    await admin.press("Speichern")
    confirmed = rows(
        bot.data.settings.database_path,
        "SELECT count(*) FROM registrations WHERE status = ?",
        (RegistrationStatus.CONFIRMED.value,),
    )
    assert confirmed == [(3,)]


EDITS = [
    ("Titel", "Neuer Titel <b>", "title", "Neuer Titel <b>"),
    ("Reihe", "Sonderreihe", "series", "Sonderreihe"),
    ("Ende", "22:15", "ends_at", datetime(2026, 12, 9, 21, 15, tzinfo=UTC)),
    ("Ort", "Rathaus", "venue", "Rathaus"),
    ("Adresse", "Marktplatz 1, Stuttgart", "address", "Marktplatz 1, Stuttgart"),
    ("Kartenpunkt", "48,7758 9,1829", "latitude", 48.7758),
    ("Plätze", "1.200 Plätze", "capacity", 1200),
    (
        "Anmeldeschluss",
        "2026-12-08 12:00",
        "registration_closes_at",
        datetime(2026, 12, 8, 11, 0, tzinfo=UTC),
    ),
    ("Beschreibung", "Neu.\nZeile 2", "description", "Neu.\nZeile 2"),
    ("Fortbildungsstunden", "2 Std.", "cpd_hours", 2.0),
    # Referent:innen have a screen of their own: tests/test_event_speakers.py
]


@pytest.mark.parametrize(("button", "typed", "attribute", "expected"), EDITS)
async def test_edit_any_field(bot, add_events, button, typed, attribute, expected):
    await add_events(make_event("umbau-2026"))
    admin = await _open_edit(bot)
    await admin.press(button)
    answers = await admin.send(typed)
    assert "✏️" in answers[-1].text
    await admin.press("Speichern")
    saved = await event_store.get_event(bot.data.db, "umbau-2026")
    assert getattr(saved, attribute) == expected
    assert saved.id == "umbau-2026"  # the id is stable


async def test_edit_several_fields_then_clear_one(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin = await _open_edit(bot)
    await admin.press("Ort")
    await admin.send("Rathaus")
    await admin.press("Weiteres Feld")
    await admin.press("Adresse")
    answers = await admin.press("Leeren")
    assert "Adresse: —" in answers[-1].text
    await admin.press("Speichern")
    saved = await event_store.get_event(bot.data.db, "umbau-2026")
    assert (saved.venue, saved.address) == ("Rathaus", None)


async def test_edit_an_end_before_the_start_is_refused(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin = await _open_edit(bot)
    await admin.press("Ende")
    answers = await admin.send("17:00")
    assert "nach dem Beginn" in answers[-1].text
    answers = await admin.send("/abbrechen")
    assert "Abgebrochen" in answers[-1].text
    assert (await event_store.get_event(bot.data.db, "umbau-2026")) == make_event("umbau-2026")
