"""Signing up again with one tap once name and consent are stored (issue 3, PRODUCT §4): the
card updates, the pop-up, a second press is harmless."""

from __future__ import annotations

from bot.callbacks import Action, pack
from tests.conftest import make_event
from tests.signup_support import last_answer, open_card, registrations, returning_user


async def test_returning_user_signs_up_with_one_tap_and_the_card_updates(bot, add_events):
    await add_events(make_event(capacity=3))
    user = await returning_user(bot, 20)
    card = await open_card(user)
    assert "noch 3 Plätze frei" in card.text
    calls_before = len(bot.api.calls)
    [refreshed] = await user.press("Anmelden", card)  # no extra message: the card says it all
    assert refreshed.message_id == card.message_id
    assert "noch 2 Plätze frei" in refreshed.text and "Sie sind angemeldet" in refreshed.text
    # Every PRODUCT §4 element of the confirmation: status above, ticket, cancel, calendar.
    assert refreshed.button_labels[:2] == ["Abmelden", "🎟 Ticket"]
    assert "📅 In den Kalender" in refreshed.button_labels
    assert last_answer(bot).text.startswith("✅ Sie sind angemeldet.")
    assert not last_answer(bot).show_alert
    # Issue 14: one message less per sign-up (before: answer, card edit and a confirmation).
    methods = [call.method for call in bot.api.calls[calls_before:]]
    assert methods == ["answerCallbackQuery", "editMessageText"]
    [row] = await registrations(bot)
    assert (row["name"], row["status"]) == ("Erika Muster", "confirmed")


async def test_a_failed_toast_still_shows_the_sign_up_on_the_card(bot, add_events):
    await add_events(make_event(capacity=3))
    user = await returning_user(bot, 22)
    card = await open_card(user)
    bot.api.fail_next(1, "timeout", method="answerCallbackQuery")
    answers = await user.press("Anmelden", card)
    assert [a.message_id for a in answers] == [card.message_id]
    assert "Sie sind angemeldet" in answers[0].text
    assert not any("schiefgegangen" in a.text for a in user.messages)
    [row] = await registrations(bot)
    assert row["status"] == "confirmed"


async def test_the_sign_up_toast_speaks_english(bot, add_events):
    await add_events(make_event(capacity=1))
    await (await returning_user(bot, 23)).press("Anmelden", await open_card(bot.user(23)))
    jane = await returning_user(bot, 24, name="Jane Doe", language_code="en")
    [refreshed] = await jane.press("Join the waitlist", await open_card(jane))
    toast = last_answer(bot).text
    assert toast.startswith("⏳ Fully booked – you are on the waitlist, position 1.")
    assert "Cancel" in " ".join(refreshed.button_labels)


async def test_signing_up_twice_is_harmless(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 21)
    card = await open_card(user)
    await user.press("Anmelden", card)
    await user.press_data(pack(Action.SIGN_UP, "umbau-2026"), card)  # the old button, again
    assert last_answer(bot).text == "Sie sind bereits angemeldet."
    assert last_answer(bot).show_alert
    assert len(await registrations(bot)) == 1
