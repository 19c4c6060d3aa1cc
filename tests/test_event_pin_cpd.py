"""The event dialogue's map pin as Telegram sends it (issue 12: a shared location, or typed
coordinates; new and edit) and its Fortbildungsstunden (issue 13: cpd_hours asked, shown,
saved, kept when other fields change, and written by ``python run.py export``)."""

from __future__ import annotations

from storage import events as event_store
from tests.conftest import ADMIN_ID, make_event
from tests.process_support import run

NEW_ID = "allianzen-2030-10-22"


async def _create_up_to_the_pin(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("Neuer Termin")
    for answer in ["Allianzen", "22.10.2030 18:30", "21:00", "Theater Rampe", "Filderstr. 47"]:
        answers = await admin.send(answer)
    assert "Schritt 6 von 11" in answers[-1].text and "Standort" in answers[-1].text
    return admin


async def _finish(admin, cpd_hours="-"):
    for answer in ["80", "-", cpd_hours, "-", "-"]:
        answers = await admin.send(answer)
    assert "Bitte prüfen Sie den Termin" in answers[-1].text
    summary = answers[-1].text
    await admin.press("Speichern")
    return summary


async def _open_edit(bot, field, title="Umbau statt Neubau"):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press(title)
    return admin, (await admin.press(field))[-1]


async def test_a_shared_location_is_a_new_events_map_pin(bot):
    admin = await _create_up_to_the_pin(bot)
    answers = await admin.send_location(48.7642, 9.1684)
    assert "Schritt 7 von 11" in answers[-1].text
    summary = await _finish(admin)
    assert "Kartenpunkt: 48.76420, 9.16840" in summary
    event = await event_store.get_event(bot.data.db, NEW_ID)
    assert (event.latitude, event.longitude) == (48.7642, 9.1684)
    attendee = bot.user(11)
    await attendee.send(f"/start ev_{NEW_ID}")
    [pin] = [m for m in await attendee.press("Veranstaltungsort") if m.method == "sendVenue"]
    assert (pin.venue.latitude, pin.venue.longitude) == (48.7642, 9.1684)


async def test_typed_coordinates_with_decimal_commas_are_a_new_events_map_pin(bot):
    admin = await _create_up_to_the_pin(bot)
    await admin.send("48,7642 9,1684")
    await _finish(admin)
    event = await event_store.get_event(bot.data.db, NEW_ID)
    assert (event.latitude, event.longitude) == (48.7642, 9.1684)


async def test_a_location_elsewhere_in_the_dialogue_is_no_answer(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("Neuer Termin")
    answers = await admin.send_location(48.7642, 9.1684)  # asked for the title
    assert "Bitte antworten Sie mit Text" in answers[-1].text
    answers = await admin.send("Allianzen")
    assert "Schritt 2 von 11" in answers[-1].text


async def test_a_shared_location_moves_an_evenings_map_pin(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin, question = await _open_edit(bot, "Kartenpunkt")
    assert "Bisher: 48.77070, 9.18660" in question.text
    answers = await admin.send_location(48.7758, 9.1829)
    assert "✏️ Kartenpunkt: 48.77580, 9.18290" in answers[-1].text
    await admin.press("Speichern")
    event = await event_store.get_event(bot.data.db, "umbau-2026")
    assert (event.latitude, event.longitude) == (48.7758, 9.1829)


async def test_typed_coordinates_move_an_evenings_map_pin(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin, _ = await _open_edit(bot, "Kartenpunkt")
    answers = await admin.send("91, 9.18")
    assert "Breite und Länge" in answers[-1].text  # no such latitude: asked again
    await admin.send("48.7758, 9.1829")
    await admin.press("Speichern")
    event = await event_store.get_event(bot.data.db, "umbau-2026")
    assert (event.latitude, event.longitude) == (48.7758, 9.1829)


async def test_cpd_hours_are_kept_when_another_field_changes_and_can_be_cleared(bot, add_events):
    await add_events(make_event("umbau-2026", cpd_hours=2.5))
    admin, _ = await _open_edit(bot, "Titel")
    answers = await admin.send("Umbau und Bestand")
    assert "Fortbildungsstunden: 2,5 Std." in answers[-1].text
    await admin.press("Speichern")
    event = await event_store.get_event(bot.data.db, "umbau-2026")
    assert (event.title, event.cpd_hours) == ("Umbau und Bestand", 2.5)
    admin, question = await _open_edit(bot, "Fortbildungsstunden", "Umbau und Bestand")
    assert "Bisher: 2,5 Std." in question.text
    answers = await admin.press("Leeren")
    assert "✏️ Fortbildungsstunden: —" in answers[-1].text
    await admin.press("Speichern")
    assert (await event_store.get_event(bot.data.db, "umbau-2026")).cpd_hours is None


async def test_english_summary_shows_hours_the_english_way(bot, add_events):
    await add_events(make_event("umbau-2026", cpd_hours=1.5))
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    await admin.send("/admin")
    await admin.press("Edit")
    await admin.press("Umbau statt Neubau")
    await admin.press("Hours of professional development")
    answers = await admin.send("3")
    assert "Hours of professional development: 3 h" in answers[-1].text
    assert "before: 1.5 h" in answers[-1].text


async def test_cpd_hours_from_the_chat_round_trip_through_export_and_import(bot, tmp_path):
    admin = await _create_up_to_the_pin(bot)
    await admin.press("Überspringen")
    summary = await _finish(admin, cpd_hours="1,5 Stunden")
    assert "Fortbildungsstunden: 1,5 Std." in summary
    assert (await event_store.get_event(bot.data.db, NEW_ID)).cpd_hours == 1.5
    database = str(bot.data.settings.database_path)
    exported = run(tmp_path, "export", "program.yaml", DATABASE_PATH=database)
    assert exported.returncode == 0, exported.stderr
    text = (tmp_path / "program.yaml").read_text(encoding="utf-8")
    assert f"id: {NEW_ID}" in text and "cpd_hours: 1.5" in text
    fresh = str(tmp_path / "fresh.sqlite3")
    imported = run(tmp_path, "import", "program.yaml", DATABASE_PATH=fresh)
    assert imported.returncode == 0, imported.stderr
    again = run(tmp_path, "export", "again.yaml", DATABASE_PATH=fresh)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.yaml").read_text(encoding="utf-8") == text
