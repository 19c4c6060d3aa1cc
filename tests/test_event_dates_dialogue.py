"""Issue 23, bullet 4: the event dialogue reads dates as people write them and echoes the
date it understood at once; an unreadable one is answered with the forms and a future example.
The bot's clock is the tests' NOW: Wednesday, 25 November 2026, 10:00 in Berlin."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import events as event_store
from tests.conftest import ADMIN_ID, make_event


async def _start_create(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("Neuer Termin")
    await admin.send("Allianzen")
    return admin


async def test_each_date_answer_is_echoed_with_the_next_question(bot):
    admin = await _start_create(bot)
    answers = await admin.send("morgen 18:30")
    assert "Beginn: Donnerstag, 26. November 2026, 18:30 Uhr" in answers[-1].text
    assert "Schritt 3 von 11" in answers[-1].text  # the echo comes with the next question
    answers = await admin.send("21 Uhr")  # an end as a time alone: the start's day
    assert "Ende: Donnerstag, 26. November 2026, 21:00 Uhr" in answers[-1].text
    assert "Schritt 4 von 11" in answers[-1].text


async def test_forms_in_words_and_an_end_after_midnight(bot):
    admin = await _start_create(bot)
    answers = await admin.send("15. Januar 2027, 19 Uhr")
    assert "Beginn: Freitag, 15. Januar 2027, 19:00 Uhr" in answers[-1].text
    answers = await admin.send("1 Uhr")
    assert "Ende: Samstag, 16. Januar 2027, 01:00 Uhr" in answers[-1].text


async def test_an_unreadable_date_names_the_forms_and_a_future_example(bot):
    admin = await _start_create(bot)
    answers = await admin.send("irgendwann im Frühling")
    hint = answers[-1].text
    assert "nicht als Datum mit Uhrzeit erkannt" in hint
    assert "25.12.2026 18:30" in hint and "25. Dezember 2026, 19 Uhr" in hint  # the future
    assert "morgen 18:30" in hint
    assert "Beginn:" not in hint


async def test_editing_a_date_echoes_it_above_the_summary(bot, add_events):
    await add_events(make_event("abend", days=14))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press("Umbau statt Neubau")
    await admin.press("Ende")
    answers = await admin.send("22 Uhr")
    summary = answers[-1].text
    assert summary.index("Ende: Mittwoch, 9. Dezember 2026, 22:00 Uhr") < summary.index(
        "Bitte prüfen"
    )


async def _edit_start_with_deadline(bot, add_events, answer="10.12.2026 19:00"):
    """The evening of 9 December, 18:30, with its own deadline of 8 December, 12:00 (Berlin)."""
    closes = datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
    await add_events(make_event("abend", days=14, registration_closes_at=closes))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press("Umbau statt Neubau")
    await admin.press("Beginn")
    answers = await admin.send(answer)
    return admin, answers[-1]


async def test_a_new_start_asks_whether_the_deadline_moves_along(bot, add_events):
    admin, question = await _edit_start_with_deadline(bot, add_events)
    assert "Beginn: Donnerstag, 10. Dezember 2026, 19:00 Uhr" in question.text  # the echo
    assert "Anmeldeschluss</b>: Dienstag, 8. Dezember 2026, 12:00 Uhr" in question.html
    assert "auf Mittwoch, 9. Dezember 2026, 12:30 Uhr" in question.text  # 24 h 30 min later
    assert "Anmeldeschluss beibehalten" in question.button_labels
    answers = await admin.press("Anmeldeschluss beibehalten")
    assert "Anmeldeschluss: Dienstag, 8. Dezember 2026, 12:00 Uhr" in answers[-1].text
    await admin.press("Speichern")
    saved = await event_store.get_event(bot.data.db, "abend")
    assert saved.registration_closes_at == datetime(2026, 12, 8, 11, 0, tzinfo=UTC)


async def test_the_deadline_moves_along_when_asked_to(bot, add_events):
    admin, _ = await _edit_start_with_deadline(bot, add_events)
    await admin.press("Anmeldeschluss mitverschieben")
    await admin.press("Speichern")
    saved = await event_store.get_event(bot.data.db, "abend")
    assert saved.registration_closes_at == datetime(2026, 12, 9, 11, 30, tzinfo=UTC)


async def test_a_typed_deadline_answers_the_question(bot, add_events):
    admin, question = await _edit_start_with_deadline(bot, add_events, "5.12.2026 19 Uhr")
    assert "Anmeldeschluss beibehalten" not in question.button_labels  # it would lie after
    answers = await admin.send("4.12.2026 12 Uhr")
    assert "Anmeldeschluss: Freitag, 4. Dezember 2026, 12:00 Uhr" in answers[-1].text
    await admin.press("Speichern")
    saved = await event_store.get_event(bot.data.db, "abend")
    assert saved.registration_closes_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


async def test_english_dates_and_echo(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    await admin.send("/admin")
    await admin.press("New event")
    await admin.send("Alliances")
    answers = await admin.send("sometime in spring")
    assert "25 December 2026, 7 pm" in answers[-1].text  # an example in words, in the future
    assert "tomorrow 6:30 pm" in answers[-1].text
    answers = await admin.send("tomorrow 6:30 pm")
    assert "Start: Thursday, 26 November 2026" in answers[-1].text
    answers = await admin.send("9 pm")
    assert "End: Thursday, 26 November 2026" in answers[-1].text
