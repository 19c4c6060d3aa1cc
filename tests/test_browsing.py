"""Browsing end to end: /start, /termine with paging, the card, .ics, venue, speakers, language."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from domain.models import EventStatus, Speaker
from testing.fake_telegram import parse_html
from tests.conftest import NOW, make_event


async def test_start_welcomes_in_german_with_menu(bot):
    user = bot.user(1, first_name="Erika <Mustermann> & Co")
    [welcome] = await user.send("/start")
    assert welcome.text.startswith("Willkommen, Erika <Mustermann> & Co!")
    assert "Macher:innengespräche" in welcome.text
    assert welcome.button_labels[:2] == ["📅 Nächste Termine", "🎟 Meine Anmeldungen"]


async def test_start_in_english_for_english_telegram_users(bot):
    user = bot.user(2, first_name="Jane", language_code="en-GB")
    [welcome] = await user.send("/start")
    assert welcome.text.startswith("Welcome, Jane!")
    assert "📅 Next events" in welcome.button_labels


async def test_unknown_telegram_language_gets_default_language(bot):
    user = bot.user(3, language_code="fr")
    [welcome] = await user.send("/start")
    assert welcome.text.startswith("Willkommen")


async def test_events_lists_upcoming_soonest_first_and_never_past(bot, add_events):
    await add_events(
        make_event("later", days=20, title="Später"),
        make_event("sooner", days=2, title="Früher"),
        make_event("past", days=-30, title="Vergangen"),
    )
    [answer] = await bot.user(1).send("/termine")
    assert answer.text.index("Früher") < answer.text.index("Später")
    assert "Vergangen" not in answer.text
    assert "Die nächsten 2 Termine" in answer.text
    assert answer.button_labels == ["1. Früher", "2. Später", "🕰 Vergangene Termine"]
    [past] = await bot.user(1).press("🕰 Vergangene Termine", answer)
    assert "Vergangene Termine" in past.text and "Vergangen" in past.text
    assert "Früher" not in past.text
    [card] = await bot.user(1).press("1. Vergangen", past)
    assert "hat am" in card.text and "stattgefunden" in card.text
    assert "Plätze frei" not in card.text
    assert not {"✍️ Anmelden", "📅 In den Kalender", "🎟 Ticket"} & set(card.button_labels)
    assert "« Vergangene Termine" in card.button_labels


async def test_events_english_spelling_and_english_text(bot, add_events):
    await add_events(make_event("one", days=2, title="Öffentlicher Raum"))
    [answer] = await bot.user(1, language_code="en").send("/events")
    assert "The next event" in answer.text
    assert "Öffentlicher Raum" in answer.text


async def test_event_list_pages_of_five_with_next_and_previous(bot, add_events):
    await add_events(
        *(make_event(f"e-{i:02}", days=i + 1, title=f"Abend {i:02}") for i in range(12))
    )
    user = bot.user(1)
    [first] = await user.send("/termine")
    assert first.button_labels == [f"{i}. Abend {i - 1:02}" for i in range(1, 6)] + [
        "Spätere ▶",
        "🕰 Vergangene Termine",
    ]
    assert "Seite 1 von 3" in first.text
    [second] = await user.press("Spätere ▶")
    assert second.message_id == first.message_id  # edited in place
    assert "6. Abend 05" in second.button_labels
    assert "◀ Frühere" in second.button_labels and "Spätere ▶" in second.button_labels
    [third] = await user.press("Spätere ▶")
    assert third.button_labels == [
        "11. Abend 10",
        "12. Abend 11",
        "◀ Frühere",
        "🕰 Vergangene Termine",
    ]
    [back] = await user.press("◀ Frühere")
    assert "Seite 2 von 3" in back.text


async def test_no_upcoming_events_says_so(bot, add_events):
    await add_events(make_event("old", days=-3))
    [answer] = await bot.user(1).send("/termine")
    assert "keine Termine geplant" in answer.text


async def test_card_shows_everything_and_its_buttons(bot, add_events):
    await add_events(make_event("umbau", days=7, capacity=12))
    user = bot.user(1)
    await user.send("/termine")
    [card] = await user.press("Umbau statt Neubau")
    text = card.text
    assert "Umbau statt Neubau" in text
    assert "Kraft der Region" in text
    assert "Mittwoch, 2. Dezember 2026, 18:30 Uhr bis 21:00 Uhr" in text
    assert "Haus der Architektinnen und Architekten, Danneckerstraße 54, 70182 Stuttgart" in text
    assert "Wie wir mit dem Bestand bauen." in text
    assert "Ilona Schaal – Künstlerische Leiterin, Theater Rampe" in text
    assert "noch 12 Plätze frei" in text
    assert card.button_labels == [
        "✍️ Anmelden",
        "👥 Referent:innen",
        "📅 In den Kalender",
        "📍 Veranstaltungsort",
        "« Alle Termine",
    ]
    [listing] = await user.press("« Alle Termine")
    assert "Die nächsten" in listing.text or "Der nächste" in listing.text


async def test_card_in_english_uses_english_dates(bot, add_events):
    await add_events(make_event("umbau", days=7, capacity=1))
    user = bot.user(1, language_code="en")
    await user.send("/events")
    [card] = await user.press(1)
    assert "Wednesday, 2 December 2026, 6:30 PM to 9:00 PM" in card.text
    assert "1 seat left" in card.text
    assert "✍️ Sign up" in card.button_labels


async def test_card_of_full_event_says_waitlist(bot, add_events):
    await add_events(make_event("full", days=7, capacity=0))
    user = bot.user(1)
    await user.send("/start ev_full")
    assert "keine Anmeldung möglich" in user.last_text
    assert "✍️ Anmelden" not in user.last.button_labels


async def test_cancelled_event_is_marked_and_cannot_be_joined(bot, add_events):
    await add_events(make_event("weg", days=7, status=EventStatus.CANCELLED))
    user = bot.user(1)
    [listing] = await user.send("/termine")
    assert "abgesagt" in listing.text
    [card] = await user.press(1)
    assert "ABGESAGT" in card.text
    assert "✍️ Anmelden" not in card.button_labels


async def test_titles_with_html_characters_come_out_exactly(bot, add_events):
    title = 'Bauen & Wohnen <morgen> "heute"'
    await add_events(
        make_event(
            "html",
            days=3,
            title=title,
            venue="Café <Zentral> & Bar",
            speakers=(Speaker("A & B <C>", "Rolle <i>x</i>", "Bio & <b>mehr</b>"),),
        )
    )
    user = bot.user(1)
    [listing] = await user.send("/termine")
    assert title in listing.text
    assert listing.button_labels[0] == f"1. {title}"
    [card] = await user.press(1)
    assert title in card.text
    assert "Café <Zentral> & Bar" in card.text
    assert "A & B <C> – Rolle <i>x</i>" in card.text
    [speakers] = await user.press("Referent:innen")
    assert "Bio & <b>mehr</b>" in speakers.text


async def test_deep_link_opens_the_event(bot, add_events):
    await add_events(make_event("allianzen", days=5, title="Allianzen"))
    [card] = await bot.user(1).send("/start ev_allianzen")
    assert card.text.startswith("Allianzen")


@pytest.mark.parametrize("payload", ["ev_gibtsnicht", "ev_BAD!id", "ev_", "zzz", "ev_" + "x" * 60])
async def test_bad_deep_links_get_a_friendly_answer(bot, payload):
    user = bot.user(1)
    answers = await user.send(f"/start {payload}")
    assert answers
    texts = " ".join(a.text for a in answers)
    assert "nicht" in texts or "unbekannt" in texts


async def test_calendar_file_is_valid_ics_with_stable_uid(bot, add_events, clock):
    await add_events(make_event("umbau", days=7))
    user = bot.user(1)
    await user.send("/start ev_umbau")
    [document] = await user.press("In den Kalender")
    assert document.document.filename == "umbau.ics"
    calendar = icalendar.Calendar.from_ical(document.document.content)
    [entry] = calendar.walk("VEVENT")
    start = (NOW + timedelta(days=7)).replace(hour=17, minute=30)
    assert entry.decoded("dtstart") == start
    assert entry.decoded("dtend") == start + timedelta(hours=2, minutes=30)
    assert str(entry["uid"]) == "umbau@kraft-der-region.akbw.de"
    assert "Danneckerstraße 54" in str(entry["location"])
    assert "Ilona Schaal" in str(entry["description"])
    clock.advance(timedelta(hours=1))
    await user.send("/start ev_umbau")
    [again] = await user.press("In den Kalender")
    [entry2] = icalendar.Calendar.from_ical(again.document.content).walk("VEVENT")
    assert str(entry2["uid"]) == str(entry["uid"])


async def test_venue_is_a_map_pin_when_coordinates_are_known(bot, add_events):
    await add_events(
        make_event("pin", days=7), make_event("nopin", days=8, latitude=None, longitude=None)
    )
    user = bot.user(1)
    await user.send("/start ev_pin")
    [pin] = await user.press("Veranstaltungsort")
    assert pin.venue is not None
    assert (pin.venue.latitude, pin.venue.longitude) == (48.7707, 9.1866)
    assert pin.venue.title == "Haus der Architektinnen und Architekten"
    await user.send("/start ev_nopin")
    [text] = await user.press("Veranstaltungsort")
    assert text.venue is None
    assert "Danneckerstraße 54" in text.text


async def test_speakers_command_lists_upcoming_speakers_with_bios(bot, add_events):
    await add_events(
        make_event(
            "a",
            days=3,
            title="Abend A",
            speakers=(
                Speaker("Irene Armbruster", "Bürgerstiftung Stuttgart", "Hörendes Handeln."),
            ),
        ),
        make_event("old", days=-3, title="Alt", speakers=(Speaker("Niemand Mehr"),)),
    )
    [answer] = await bot.user(1).send("/referenten")
    assert "Irene Armbruster – Bürgerstiftung Stuttgart" in answer.text
    assert "Hörendes Handeln." in answer.text
    assert "Niemand Mehr" not in answer.text
    [english] = await bot.user(2, language_code="en").send("/speakers")
    assert english.text.startswith("Speakers of the next events")


async def test_long_speaker_overview_is_split_into_valid_messages(bot, add_events):
    bio = "Sehr lange Biografie & mehr. " * 60
    await add_events(
        *(
            make_event(f"e{i}", days=i + 1, speakers=(Speaker(f"Person {i}", "Rolle", bio),))
            for i in range(8)
        )
    )
    answers = await bot.user(1).send("/referenten")
    assert len(answers) > 1
    assert all(len(a.text) <= 4096 for a in answers)
    assert sum(a.text.count("Person ") for a in answers) == 8


async def test_language_choice_is_stored_and_used(bot, add_events):
    user = bot.user(1, language_code="de")
    [question] = await user.send("/sprache")
    assert question.button_labels == ["✓ Deutsch", "English"]
    [confirmation] = await user.press("English")
    assert confirmation.text == "I will write to you in English from now on."
    [answer] = await user.send("/termine")
    assert "No events are planned" in answer.text
    row = await bot.data.db.fetch_one("SELECT language, language_chosen FROM users WHERE id = 1")
    assert tuple(row) == ("en", 1)


async def test_unknown_text_and_commands_point_to_help(bot):
    user = bot.user(1)
    [answer] = await user.send("Wann ist der nächste Termin?")
    assert "/hilfe" in answer.text
    [answer] = await user.send("/gibtsnicht")
    assert "/hilfe" in answer.text
    [answer] = await bot.user(2, language_code="en").send("hello")
    assert "/help" in answer.text


async def test_help_in_both_languages_and_organiser_part(bot):
    [german] = await bot.user(1).send("/hilfe")
    assert "/termine" in german.text and "Veranstaltende" not in german.text
    [english] = await bot.user(2, language_code="en").send("/help")
    assert "/events" in english.text
    [organiser] = await bot.user(1000).send("/hilfe")
    assert "Für Veranstaltende" in organiser.text


async def test_forged_or_stale_buttons_are_answered(bot, add_events):
    await add_events(make_event("e", days=3))
    user = bot.user(1)
    await user.send("/termine")
    for data in [
        "garbage",
        "0:ev:e",
        "1:ev:gibtsnicht",
        "1:ics:nope",
        "1:map:",
        "1:ls:abc",
        "1:lang:fr",
    ]:
        await user.press_data(data)
    answered = {a.query_id for a in bot.api.callback_answers}
    assert len(answered) == 7


async def test_group_gets_list_and_card_with_deep_link_only(bot, add_events):
    await add_events(make_event("umbau", days=7))
    group = bot.group()
    member = bot.user(5)
    [listing] = await group.send(member, "/termine")
    assert "Umbau statt Neubau" in listing.text
    [card] = await group.press(member, 1)
    [signup] = card.buttons[0]
    assert signup.url == "https://t.me/KraftDerRegionBot?start=ev_umbau"
    assert all(button.url for row in card.buttons for button in row)
    assert await group.send(member, "Hallo zusammen") == []


async def test_commands_are_registered_in_both_languages(bot):
    german = dict(bot.api.commands(language_code="de"))
    english = dict(bot.api.commands(language_code="en"))
    assert {
        "termine",
        "referenten",
        "meine",
        "abo",
        "datenschutz",
        "sprache",
        "hilfe",
        "abbrechen",
    } <= set(german)
    assert {
        "events",
        "speakers",
        "mine",
        "subscribe",
        "privacy",
        "language",
        "help",
        "cancel",
    } <= set(english)
    assert "admin" not in german


def test_every_sent_text_is_valid_telegram_html():
    text, entities = parse_html("<b>A &amp; B</b>")
    assert text == "A & B" and entities[0].type == "bold"
