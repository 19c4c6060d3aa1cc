"""Issue 15, point 11: a cancellation that was written is reported as done even when
answering the button press fails."""

from __future__ import annotations

from tests.conftest import make_event
from tests.signup_support import open_card, registrations, returning_user


async def test_a_cancellation_is_confirmed_even_if_the_press_answer_fails(bot, add_events):
    await add_events(make_event(capacity=5))
    user = await returning_user(bot, 50)
    card = await open_card(user)
    await user.press("Anmelden", card)
    await user.press("Abmelden", card)
    bot.api.fail_next(1, "timeout", method="answerCallbackQuery")
    answers = await user.press("Ja, abmelden", card)
    [row] = await registrations(bot)
    assert row["status"] == "cancelled"
    assert answers[-1].text.startswith("✅ Sie sind von „Umbau statt Neubau“ abgemeldet.")
    assert not any("schiefgegangen" in a.text or "Fehler" in a.text for a in answers)
