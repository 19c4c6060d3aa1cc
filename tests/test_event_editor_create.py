"""Issue 5, point 2: creating an event in the chat — the dialogue, the summary, a stable unique
id; invalid answers are asked again with a hint; /abbrechen leaves at any step and nothing is
written."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from domain.models import Speaker
from storage import events as event_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, snapshot

ID = re.compile(r"^[a-z0-9-]{1,40}$")


async def _start_create(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    answers = await admin.press("Neuer Termin")
    assert "Schritt 1 von 11" in answers[-1].text
    assert "Titel" in answers[-1].text
    return admin


async def _create(bot, title="Allianzen", start="22.10.2030 18:30"):
    admin = await _start_create(bot)
    await admin.send(title)
    await admin.send(start)
    await admin.press("Überspringen")  # end
    await admin.send("Haus der Architektinnen und Architekten")
    await admin.press("Überspringen")  # address
    await admin.press("Überspringen")  # map pin
    await admin.press("Überspringen")  # capacity: unlimited
    await admin.press("Überspringen")  # registration deadline: the start
    await admin.press("Überspringen")  # CPD hours: no certificate
    await admin.press("Überspringen")  # description
    answers = await admin.press("Überspringen")  # speakers
    assert "Bitte prüfen Sie den Termin" in answers[-1].text
    await admin.press("Speichern")
    return admin


async def test_create_an_event_in_the_chat(bot, add_events):
    await add_events(make_event("alt-1", days=3, series="Kraft der Region"))
    admin = await _start_create(bot)
    answers = await admin.send("Umbau & Bestand <2030>")
    assert "Schritt 2 von 11" in answers[-1].text
    await admin.send("22.10.2030 18:30")
    answers = await admin.send("21:00")
    assert "Schritt 4 von 11" in answers[-1].text
    await admin.send("Haus der Architektinnen und Architekten")
    await admin.send("Danneckerstraße 54, 70182 Stuttgart")
    answers = await admin.send("48.7707, 9.1866")  # the map pin, typed
    assert "Schritt 7 von 11" in answers[-1].text
    await admin.send("80")
    answers = await admin.send("21.10.2030 12:00")  # the registration deadline
    assert "Schritt 9 von 11" in answers[-1].text
    assert "Fortbildungsstunden" in answers[-1].text
    answers = await admin.send("1,5")
    assert "Schritt 10 von 11" in answers[-1].text
    await admin.send("Wie wir mit dem Bestand bauen.\n\nZweiter Absatz.")
    answers = await admin.send(
        "Ilona Schaal | Künstlerische Leiterin, Theater Rampe | Seit 2023.\n"
        "Jan Hambach – Städtetag"
    )
    summary = answers[-1].text
    assert "Bitte prüfen Sie den Termin" in summary
    assert "Umbau & Bestand <2030>" in summary  # escaped on the way, shown as typed
    assert "Dienstag, 22. Oktober 2030, 18:30 Uhr" in summary
    assert "21:00 Uhr" in summary
    assert "Kraft der Region" in summary  # the series of the latest evening
    assert "Ilona Schaal" in summary and "Jan Hambach" in summary
    assert "Fortbildungsstunden: 1,5 Std." in summary
    assert snapshot(bot.data.settings.database_path)["events"][1:] == []  # nothing written yet

    answers = await admin.press("Speichern")
    event_id = "umbau-bestand-2030-2030-10-22"
    assert any(event_id in message.text for message in answers)
    assert any(f"start=ev_{event_id}" in message.text for message in answers)
    assert "noch 80 Plätze frei" in answers[-1].text  # the card as attendees see it
    event = await event_store.get_event(bot.data.db, event_id)
    assert event is not None
    assert event.title == "Umbau & Bestand <2030>"
    assert event.starts_at == datetime(2030, 10, 22, 16, 30, tzinfo=UTC)  # CEST
    assert event.ends_at == datetime(2030, 10, 22, 19, 0, tzinfo=UTC)
    assert event.address == "Danneckerstraße 54, 70182 Stuttgart"
    assert event.capacity == 80
    assert (event.latitude, event.longitude) == (48.7707, 9.1866)
    assert event.registration_closes_at == datetime(2030, 10, 21, 10, 0, tzinfo=UTC)
    assert event.series == "Kraft der Region"
    assert event.description == "Wie wir mit dem Bestand bauen.\n\nZweiter Absatz."
    assert event.cpd_hours == 1.5
    assert event.speakers == (
        Speaker("Ilona Schaal", "Künstlerische Leiterin, Theater Rampe", "Seit 2023."),
        Speaker("Jan Hambach", "Städtetag"),
    )


async def test_iso_start_and_skipped_fields(bot):
    await _create(bot, "Allianzen", "2030-01-15 19:00")
    event = await event_store.get_event(bot.data.db, "allianzen-2030-01-15")
    assert event is not None
    assert event.starts_at == datetime(2030, 1, 15, 18, 0, tzinfo=UTC)  # CET in winter
    assert (event.ends_at, event.address, event.capacity, event.speakers) == (None, None, None, ())


async def test_ids_are_unique_slugs(bot):
    await _create(bot, "Allianzen")
    await _create(bot, "Allianzen")
    await _create(bot, "🎉🎉")
    await _create(bot, "Ein sehr langer Titel über Städtebau, Ökologie und Bürgerbeteiligung")
    ids = [row[0] for row in rows(bot.data.settings.database_path, "SELECT id FROM events")]
    assert "allianzen-2030-10-22" in ids
    assert "allianzen-2030-10-22-2" in ids
    assert "termin-2030-10-22" in ids
    assert all(ID.match(event_id) for event_id in ids), ids
    assert any(event_id.startswith("ein-sehr-langer-titel") for event_id in ids)


@pytest.mark.parametrize(
    ("step_answers", "wrong", "hint"),
    [
        ([], "   ", "leer"),
        (["Allianzen"], "morgen abend", "Tag.Monat.Jahr Uhrzeit, z. B. 25.12.2026 18:30"),
        (["Allianzen"], "31.02.2030 18:30", "gibt es nicht"),
        (["Allianzen"], "32.13.2030 25:61", "Tag.Monat.Jahr Uhrzeit, z. B. 25.12.2026 18:30"),
        (["Allianzen"], "01.01.2020 10:00", "Zukunft"),
        (["Allianzen"], "31.03.2030 02:30", "gibt es nicht"),  # no such time: clocks go forward
        (["Allianzen", "22.10.2030 18:30"], "17:00", "nach dem Beginn"),
        (["Allianzen", "22.10.2030 18:30"], "25:99", "Uhrzeit"),
        (["Allianzen", "22.10.2030 18:30", "21:00"], "-", "nötig"),
        (["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-"], "irgendwo", "Breite und Länge"),
        (["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-"], "viele", "ganze Zahl"),
        (["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-"], "-3", "ganze Zahl"),
        (
            ["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-", "80"],
            "23.10.2030 12:00",
            "spätestens zum Beginn",
        ),
        (
            ["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-", "80", "-"],
            "0",
            "größer als 0",
        ),
        (
            ["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-", "80", "-"],
            "25 Stunden",
            "höchstens 24",
        ),
        (
            ["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-", "80", "-", "2", "-"],
            "| Rolle",
            "Name",
        ),
        (["x" * 121], None, None),  # the title itself is too long: see below
    ],
)
async def test_an_invalid_answer_is_asked_again_with_a_hint(bot, step_answers, wrong, hint):
    admin = await _start_create(bot)
    if wrong is None:  # over-long title
        answers = await admin.send(step_answers[0])
        assert "höchstens 120 Zeichen" in answers[-1].text
        answers = await admin.send("Allianzen")
        assert "Schritt 2 von 11" in answers[-1].text
        return
    for answer in step_answers:
        await admin.send(answer)
    step = f"Schritt {len(step_answers) + 1} von 11"
    answers = await admin.send(wrong)
    assert len(answers) == 1
    assert "⚠️" in answers[0].text and hint in answers[0].text, answers[0].text
    assert "Abbrechen" in " ".join(answers[0].button_labels)
    assert snapshot(bot.data.settings.database_path)["events"] == []
    # Still the same step: a photo is not an answer either, a valid text is.
    answers = await admin.send_photo()
    assert "Bitte antworten Sie mit Text" in answers[-1].text
    valid = ["Allianzen", "22.10.2030 18:30", "21:00", "Haus", "-", "-", "80", "-", "2", "-"]
    valid.append("Anna Beispiel")
    answers = await admin.send(valid[len(step_answers)])
    assert step not in answers[-1].text


@pytest.mark.parametrize("steps_done", range(12))
@pytest.mark.parametrize("command", ["/abbrechen", "/cancel"])
async def test_abbrechen_leaves_at_any_step_and_writes_nothing(bot, steps_done, command):
    answers_in_order = [
        "Allianzen",
        "22.10.2030 18:30",
        "21:00",
        "Haus",
        "Adresse 1",
        "48.7707, 9.1866",
        "80",
        "21.10.2030 12:00",
        "2",
        "Beschreibung",
        "Anna Beispiel",
    ]
    admin = await _start_create(bot)
    for answer in answers_in_order[:steps_done]:
        await admin.send(answer)
    if steps_done == 11:
        assert "Bitte prüfen Sie den Termin" in admin.last_text
    answers = await admin.send(command)
    assert "Abgebrochen" in answers[-1].text
    # The dialogue is over: a text is no answer any more, stale buttons do nothing.
    answers = await admin.send("22.10.2030 18:30")
    assert "Schritt" not in answers[-1].text
    await admin.press_data("1:asv")
    assert snapshot(bot.data.settings.database_path)["events"] == []


async def test_abort_button_in_the_summary(bot):
    admin = await _start_create(bot)
    for answer in [
        "Allianzen",
        "22.10.2030 18:30",
        "-",
        "Haus",
        "-",
        "-",
        "-",
        "-",
        "-",
        "-",
        "-",
    ]:
        await admin.send(answer)
    answers = await admin.press("Abbrechen")
    assert "Abgebrochen" in answers[-1].text
    assert snapshot(bot.data.settings.database_path)["events"] == []


async def test_a_new_events_summary_lets_any_field_be_changed(bot):
    """Issue 12: "Feld ändern" under the summary of a new event, back to the summary after."""
    admin = await _start_create(bot)
    for answer in [
        "Allianzen",
        "22.10.2030 18:30",
        "-",
        "Haus",
        "-",
        "-",
        "-",
        "-",
        "-",
        "-",
        "-",
    ]:
        await admin.send(answer)
    assert "Bitte prüfen Sie den Termin" in admin.last_text
    await admin.press("Feld ändern")
    answers = await admin.press("Ort")
    assert "Schritt" not in answers[-1].text
    answers = await admin.send("Theater Rampe")
    assert "Bitte prüfen Sie den Termin" in answers[-1].text
    assert "Theater Rampe" in answers[-1].text
    await admin.press("Speichern")
    event = await event_store.get_event(bot.data.db, "allianzen-2030-10-22")
    assert event is not None and event.venue == "Theater Rampe"
