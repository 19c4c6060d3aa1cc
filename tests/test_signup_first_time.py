"""Signing up for the first time from an event's card (issue 3, PRODUCT §4): the name step,
consent, leaving the dialogue; what the user sees and what is in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callbacks import Action, pack
from storage import users as user_store
from tests.conftest import NOW, make_event
from tests.signup_support import last_answer, open_card, registrations


async def test_first_sign_up_with_telegram_name_and_consent(bot, add_events):
    await add_events(make_event())
    user = bot.user(7, first_name="Erika", last_name="Mustermann")
    card = await open_card(user)
    [prompt] = await user.press("Anmelden", card)
    assert "Unter welchem Namen" in prompt.text
    assert "Teilnehmendenliste und auf Teilnahmebescheinigungen" in prompt.text  # issue 22
    assert prompt.button_labels == ["👤 Als „Erika Mustermann“ anmelden"]
    answers = await user.press("Erika Mustermann")
    assert answers[0].text == "Sie melden sich als Erika Mustermann an."
    consent = answers[-1]
    assert "Sind Sie einverstanden?" in consent.text and "180 Tage" in consent.text
    assert consent.button_labels == ["✅ Einverstanden", "Nein, danke"]
    [done] = await user.press("Einverstanden")
    assert done.message_id == consent.message_id  # the question becomes the answer
    assert done.text.startswith("✅ Sie sind angemeldet.")
    assert "Umbau statt Neubau" in done.text and "18:30 Uhr" in done.text
    assert done.button_labels == [
        "🎟 Ticket",
        "Abmelden",
        "📅 In den Kalender",
        "Zum Termin",
        "✏️ Name ändern",
    ]
    assert "Teilnahmebescheinigungen: Erika Mustermann" in done.text  # issue 22
    [row] = await registrations(bot)
    assert (row["user_id"], row["name"], row["status"]) == (7, "Erika Mustermann", "confirmed")
    stored = await user_store.get_user(bot.data.db, 7)
    assert stored.display_name == "Erika Mustermann" and stored.consent_at == NOW


async def test_typed_name_is_checked_and_trimmed(bot, add_events):
    await add_events(make_event())
    user = bot.user(8)
    await user.press("Anmelden", await open_card(user))
    [hint] = await user.send("   ")
    assert "mindestens ein sichtbares Zeichen" in hint.text
    # Issue 15: nothing visible (zero-width space, Hangul filler, BOM, a lone combining mark,
    # Braille blank) would give a blank line in lists, CSV and check-in buttons.
    for invisible in ("\u200b", "\u3164\u3164", "\ufeff", "\u0301", "\u2800", "\u200b \u200d"):
        [hint] = await user.send(invisible)
        assert "mindestens ein sichtbares Zeichen" in hint.text, repr(invisible)
    [hint] = await user.send("Erika\u0007Bell")
    assert "Steuerzeichen" in hint.text
    [hint] = await user.send("Erika\u202eakirE")  # a bidirectional override
    assert "Steuerzeichen" in hint.text
    [hint] = await user.send("x" * 101)
    assert "höchstens 100 Zeichen" in hint.text
    assert await registrations(bot) == []
    answers = await user.send("  Dr. Erika   <Muster> & Co  ")
    assert answers[0].text == "Sie melden sich als Dr. Erika <Muster> & Co an."
    assert "Sind Sie einverstanden?" in answers[-1].text
    assert (await user_store.get_user(bot.data.db, 8)).display_name == "Dr. Erika <Muster> & Co"
    await user.press("Einverstanden")
    [row] = await registrations(bot)
    assert row["name"] == "Dr. Erika <Muster> & Co"


async def test_a_name_of_exactly_100_characters_is_accepted(bot, add_events):
    await add_events(make_event())
    user = bot.user(9)
    await user.press("Anmelden", await open_card(user))
    answers = await user.send("ä" * 100)
    assert answers[0].text == f"Sie melden sich als {'ä' * 100} an."


async def test_a_command_during_the_name_step_ends_the_wait(bot, add_events):
    """Issue 22: a command is answered as usual and ends the wait; a photo does not."""
    await add_events(make_event())
    user = bot.user(10)
    await user.press("Anmelden", await open_card(user))
    [photo_hint] = await user._send(user, None, photo=b"\x89PNG")
    assert "als Text" in photo_hint.text  # still the current question
    [listing] = await user.send("/termine")  # a known command simply works
    assert "Der nächste Termin" in listing.text
    [answer] = await user.send("Erika")  # and is no longer taken as a name
    assert "nicht verstanden" in answer.text
    assert (await user_store.get_user(bot.data.db, 10)).display_name is None


async def test_cancel_leaves_the_name_step_and_nothing_is_stored(bot, add_events):
    await add_events(make_event())
    user = bot.user(11)
    await user.press("Anmelden", await open_card(user))
    [answer] = await user.send("/abbrechen")
    assert answer.text == "Die Anmeldung wurde abgebrochen."
    [answer] = await user.send("Erika")  # no longer taken as a name
    assert "nicht verstanden" in answer.text
    assert (await user_store.get_user(bot.data.db, 11)).display_name is None
    [answer] = await user.send("/abbrechen")
    assert "nichts, was ich abbrechen könnte" in answer.text
    [answer] = await bot.user(12, language_code="en").send("/cancel")
    assert answer.text.startswith("There is nothing to cancel")


async def test_a_name_typed_hours_later_is_not_taken(bot, add_events, clock):
    await add_events(make_event())
    user = bot.user(13)
    await user.press("Anmelden", await open_card(user))
    clock.advance(timedelta(hours=2))
    [answer] = await user.send("Erika")
    assert "abgelaufen" in answer.text
    assert (await user_store.get_user(bot.data.db, 13)).display_name is None


async def test_name_dialogues_are_per_user(bot, add_events):
    await add_events(make_event(), make_event("zwei", days=20, title="Zweiter Abend"))
    anna, ben = bot.user(15, first_name="Anna"), bot.user(16, first_name="Ben")
    await anna.press("Anmelden", await open_card(anna))
    await ben.press("Anmelden", await open_card(ben, "zwei"))
    [answer] = await bot.user(17).send("Carla")  # a third person is in no dialogue
    assert "nicht verstanden" in answer.text
    await ben.send("Ben B.")
    await anna.send("Anna A.")
    await anna.press("Einverstanden")
    await ben.press("Einverstanden")
    rows = await bot.data.db.fetch_all(
        "SELECT user_id, event_id, name FROM registrations ORDER BY user_id"
    )
    assert [tuple(r) for r in rows] == [
        (15, "umbau-2026", "Anna A."),
        (16, "zwei", "Ben B."),
    ]


async def test_declining_consent_signs_nobody_up(bot, add_events):
    await add_events(make_event())
    user = bot.user(14)
    await user.press("Anmelden", await open_card(user))
    await user.press("Als")
    [answer] = await user.press("Nein, danke")
    assert "Ohne Ihre Zustimmung" in answer.text
    assert await registrations(bot) == []
    assert (await user_store.get_user(bot.data.db, 14)).consent_at is None


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("\u200b", None), ("\u3164", "\u3164"), ("\ufeff", "\u200d"), ("\u2800", None)],
)
async def test_an_invisible_telegram_name_is_not_offered(bot, add_events, first_name, last_name):
    """Issue 15: a Telegram name with nothing visible is no name for the attendee list: no
    "use my Telegram name" button, the question asks to type one, a forged press is refused."""
    await add_events(make_event())
    user = bot.user(9, first_name=first_name, last_name=last_name)
    [prompt] = await user.press("Anmelden", await open_card(user))
    assert "Unter welchem Namen" in prompt.text
    assert prompt.button_labels == []
    assert "mindestens ein sichtbares Zeichen" in prompt.text
    assert "Schaltfläche" not in prompt.text
    await user.press_data(pack(Action.USE_NAME, "umbau-2026"))
    assert "nicht mehr gültig" in last_answer(bot).text
    assert (await user_store.get_user(bot.data.db, 9)).display_name is None
    answers = await user.send("Erika")
    assert answers[0].text == "Sie melden sich als Erika an."
