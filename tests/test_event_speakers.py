"""Issue 12, bullet 2: each speaker on their own in the event dialogue (new and edit): a screen
listing them as buttons with "➕ Referent:in hinzufügen"; a speaker's name, role or bio is
changed alone, a speaker moved up or removed; "Fertig" returns to the summary. Nobody retypes
the others (bios included), nothing is written before "Speichern", and a change of speakers
alone tells nobody (domain.notices: speakers are not a notified field)."""

from __future__ import annotations

from domain.models import Speaker
from storage import events as event_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, sign_up, snapshot

SCHAAL = Speaker("Ilona Schaal", "Künstlerische Leiterin, Theater Rampe", "Seit 2023 am Haus.")
ARMBRUSTER = Speaker("Irene Armbruster", "Bürgerstiftung Stuttgart", "Stiftet Gemeinsinn.")
HAMBACH = Speaker("Jan Hambach", "Städtetag Baden-Württemberg")


async def _speakers_screen(bot, add_events, clock, speakers=(SCHAAL, ARMBRUSTER)):
    """An evening with speakers and one person signed up; the organiser opens its speakers."""
    await add_events(make_event("umbau-2026", speakers=speakers))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    bot.user(11)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press("Umbau statt Neubau")
    answers = await admin.press("Referent:innen")
    screen = answers[-1]
    assert "Referent:innen – Umbau statt Neubau" in screen.text
    return admin, screen


async def _saved_speakers(bot):
    return (await event_store.get_event(bot.data.db, "umbau-2026")).speakers


async def test_adding_a_speaker_keeps_the_others_and_their_bios(bot, add_events, clock):
    admin, screen = await _speakers_screen(bot, add_events, clock)
    assert screen.button_labels[:3] == [
        "1. Ilona Schaal",
        "2. Irene Armbruster",
        "➕ Referent:in hinzufügen",
    ]
    assert "Irene Armbruster – Bürgerstiftung Stuttgart" in screen.text
    answers = await admin.press("Referent:in hinzufügen")
    assert "Wer kommt hinzu?" in answers[-1].text
    answers = await admin.send("Jan Hambach – Städtetag Baden-Württemberg")
    assert "3. Jan Hambach" in answers[-1].button_labels
    assert await _saved_speakers(bot) == (SCHAAL, ARMBRUSTER)  # nothing written yet
    answers = await admin.press("Fertig")
    summary = answers[-1].text
    assert "Bitte prüfen Sie" in summary and "✏️ Referent:innen" in summary
    assert "Seit 2023 am Haus." in summary  # the bios are still there
    assert "benachrichtigt" not in summary  # speakers are no notified field
    answers = await admin.press("Speichern")
    assert "gespeichert" in answers[-1].text
    assert await _saved_speakers(bot) == (SCHAAL, ARMBRUSTER, HAMBACH)
    assert rows(bot.data.settings.database_path, "SELECT kind FROM outbox") == []
    card = (await bot.user(11).send("/start ev_umbau-2026"))[-1]
    assert "Jan Hambach" in card.text and "Irene Armbruster" in card.text


async def test_one_speakers_role_is_changed_and_bio_cleared_alone(bot, add_events, clock):
    admin, _ = await _speakers_screen(bot, add_events, clock)
    answers = await admin.press("2. Irene Armbruster")
    assert "Stiftet Gemeinsinn." in answers[-1].text
    answers = await admin.press("✏️ Rolle")
    assert "Bisher: Bürgerstiftung Stuttgart" in answers[-1].text
    answers = await admin.send("Vorständin, Bürgerstiftung Stuttgart")
    assert "Rolle: Vorständin, Bürgerstiftung Stuttgart" in answers[-1].text
    await admin.press("✏️ Kurzbiografie")
    answers = await admin.press("Leeren")
    assert "Kurzbiografie: —" in answers[-1].text
    await admin.press("Zur Liste")
    await admin.press("Fertig")
    await admin.press("Speichern")
    assert await _saved_speakers(bot) == (
        SCHAAL,
        Speaker("Irene Armbruster", "Vorständin, Bürgerstiftung Stuttgart", None),
    )
    card = (await bot.user(11).send("/start ev_umbau-2026"))[-1]
    assert "Vorständin, Bürgerstiftung Stuttgart" in card.text


async def test_a_name_and_a_multi_paragraph_bio_are_checked(bot, add_events, clock):
    admin, _ = await _speakers_screen(bot, add_events, clock)
    await admin.press("1. Ilona Schaal")
    await admin.press("✏️ Name")
    answers = await admin.send("-")
    assert "nötig" in answers[-1].text  # a speaker keeps a name
    answers = await admin.send("Ilona  Schaal-Meier")
    assert "1. Ilona Schaal-Meier" in answers[-1].text
    await admin.press("✏️ Kurzbiografie")
    answers = await admin.send("x" * 1001)
    assert "höchstens 1000 Zeichen" in answers[-1].text
    await admin.send("Erster Absatz.\n\nZweiter Absatz.")
    await admin.press("Zur Liste")
    await admin.press("Fertig")
    await admin.press("Speichern")
    first = (await _saved_speakers(bot))[0]
    assert (first.name, first.bio) == ("Ilona Schaal-Meier", "Erster Absatz.\n\nZweiter Absatz.")


async def test_remove_one_and_move_another_up(bot, add_events, clock):
    admin, _ = await _speakers_screen(bot, add_events, clock, (SCHAAL, ARMBRUSTER, HAMBACH))
    await admin.press("1. Ilona Schaal")
    answered = len(bot.api.callback_answers)
    answers = await admin.press("Entfernen")
    assert bot.api.callback_answers[answered].text == "Ilona Schaal wurde entfernt."
    assert answers[-1].button_labels[:2] == ["1. Irene Armbruster", "2. Jan Hambach"]
    await admin.press("2. Jan Hambach")
    answers = await admin.press("Nach oben")
    assert answers[-1].button_labels[:2] == ["1. Jan Hambach", "2. Irene Armbruster"]
    answers = await admin.press("Fertig")
    assert "Ilona Schaal" not in answers[-1].text.split("Referent:innen")[1].split("bisher")[0]
    await admin.press("Speichern")
    assert await _saved_speakers(bot) == (HAMBACH, ARMBRUSTER)
    card = (await bot.user(11).send("/start ev_umbau-2026"))[-1]
    assert "Ilona Schaal" not in card.text
    assert card.text.index("Jan Hambach") < card.text.index("Irene Armbruster")


async def test_a_button_of_an_older_list_is_stale_not_applied_to_someone_else(
    bot, add_events, clock
):
    admin, _ = await _speakers_screen(bot, add_events, clock)
    await admin.press("1. Ilona Schaal")
    question = (await admin.press("✏️ Rolle"))[-1]  # the screen becomes the question
    await admin.send("Intendantin")  # the answer: a new message, a newer list
    await admin.press("Entfernen")  # Ilona Schaal is gone, Irene Armbruster is number 1
    answered = len(bot.api.callback_answers)
    await admin.press("Leeren", message=question)  # meant for Ilona Schaal's role
    assert "nicht mehr gültig" in bot.api.callback_answers[answered].text
    await admin.press("Fertig")
    await admin.press("Speichern")
    assert await _saved_speakers(bot) == (ARMBRUSTER,)


async def test_typed_text_on_the_screen_is_answered_and_abbrechen_writes_nothing(
    bot, add_events, clock
):
    admin, _ = await _speakers_screen(bot, add_events, clock)
    before = snapshot(bot.data.settings.database_path)
    answers = await admin.send("Jan Hambach")
    assert "Bitte wählen Sie unten eine Person" in answers[0].text
    assert "➕ Referent:in hinzufügen" in answers[-1].button_labels  # the screen again
    await admin.press("1. Ilona Schaal")
    await admin.press("Entfernen")
    answers = await admin.send("/abbrechen")
    assert "Abgebrochen" in answers[-1].text
    assert snapshot(bot.data.settings.database_path) == before
    assert await _saved_speakers(bot) == (SCHAAL, ARMBRUSTER)


async def test_a_new_events_speakers_are_changed_from_its_summary(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("Neuer Termin")
    for answer in ["Allianzen", "22.10.2030 18:30", "-", "Haus", "-", "-", "-", "-", "-", "-"]:
        await admin.send(answer)
    answers = await admin.send(
        "Ilona Schaal | Theater Rampe | Seit 2023.\nJan Hambach – Städtetag"
    )
    assert "Bitte prüfen Sie den Termin" in answers[-1].text
    await admin.press("Feld ändern")
    answers = await admin.press("Referent:innen")
    assert answers[-1].button_labels[:2] == ["1. Ilona Schaal", "2. Jan Hambach"]
    await admin.press("2. Jan Hambach")
    await admin.press("✏️ Rolle")
    await admin.send("Städtetag Baden-Württemberg")
    await admin.press("Zur Liste")
    await admin.press("Referent:in hinzufügen")
    await admin.send("Irene Armbruster, Bürgerstiftung Stuttgart")
    answers = await admin.press("Fertig")
    assert "Bitte prüfen Sie den Termin" in answers[-1].text
    assert "Schritt" not in answers[-1].text
    await admin.press("Speichern")
    event = await event_store.get_event(bot.data.db, "allianzen-2030-10-22")
    assert event.speakers == (
        Speaker("Ilona Schaal", "Theater Rampe", "Seit 2023."),
        HAMBACH,
        Speaker("Irene Armbruster", "Bürgerstiftung Stuttgart"),
    )


async def test_speaker_buttons_are_refused_for_non_organisers(bot, add_events, clock):
    admin, screen = await _speakers_screen(bot, add_events, clock)
    data = next(row[0].callback_data for row in screen.buttons if row[0].text.startswith("1."))
    stranger = bot.user(99)
    await stranger.send("/start")
    answered = len(bot.api.callback_answers)
    await stranger.press_data(data.replace(":asp:", ":aspx:"))
    assert "nur für Veranstaltende" in bot.api.callback_answers[answered].text
    await admin.press("Fertig")
    await admin.press("Speichern")
    assert await _saved_speakers(bot) == (SCHAAL, ARMBRUSTER)
