"""Issue 22, bullet 2: the registered name is shown (sign-up confirmation, /meine,
/datenschutz) with "Name ändern", checked as at sign-up, and a change applies to the person's
sign-ups of evenings that are not over yet. Through the real Application."""

from __future__ import annotations

from datetime import timedelta

from storage import users as user_store
from tests.conftest import make_event
from tests.signup_support import open_card, registrations, returning_user


async def names(bot):
    rows = await bot.data.db.fetch_all(
        "SELECT event_id, name FROM registrations WHERE user_id = 7 ORDER BY event_id"
    )
    return {row["event_id"]: row["name"] for row in rows}


async def test_the_name_is_shown_and_changed_for_upcoming_sign_ups(bot, add_events, clock):
    await add_events(
        make_event("past", days=1, title="Vorbei"), make_event("soon", days=5, title="Bald")
    )
    user = bot.user(7, first_name="Erika")
    [prompt] = await user.press("Anmelden", await open_card(user, "past"))
    assert "Teilnahmebescheinigungen" in prompt.text
    await user.press("Als")
    [done] = await user.press("Einverstanden")
    assert "Teilnahmebescheinigungen: Erika" in done.text
    assert done.button_labels[-1] == "✏️ Name ändern"
    await user.press("Anmelden", await open_card(user, "soon"))
    clock.advance(timedelta(days=2))  # "Vorbei" is over

    [mine] = await user.send("/meine")
    assert "Teilnahmebescheinigungen: Erika" in mine.text
    [ask] = await user.press("Name ändern", mine)
    assert "Derzeit melden Sie sich als Erika an" in ask.text
    assert "Teilnehmendenlisten und Teilnahmebescheinigungen" in ask.text
    [hint] = await user.send("\u200b")
    assert "mindestens ein sichtbares Zeichen" in hint.text  # the sign-up's checks
    [hint] = await user.send("Erika\u202eNeumann")
    assert "Steuerzeichen" in hint.text
    [hint] = await user.send("x" * 101)
    assert "höchstens 100 Zeichen" in hint.text
    assert await names(bot) == {"past": "Erika", "soon": "Erika"}
    [changed] = await user.send("  Dr. Erika   Neumann ")
    assert "Ihr Name lautet jetzt Dr. Erika Neumann" in changed.text
    assert changed.button_labels == ["🎟 Meine Anmeldungen"]
    assert await names(bot) == {"past": "Erika", "soon": "Dr. Erika Neumann"}
    assert (await user_store.get_user(bot.data.db, 7)).display_name == "Dr. Erika Neumann"
    [answer] = await user.send("Noch ein Name")  # the question is over
    assert "nicht verstanden" in answer.text
    [mine] = await user.send("/meine")
    assert "Teilnahmebescheinigungen: Dr. Erika Neumann" in mine.text


async def test_datenschutz_shows_the_name_and_cancel_keeps_it(bot, add_events):
    user = await returning_user(bot, 7, "Erika Muster")
    [*_, screen] = await user.send("/datenschutz")
    assert "Teilnahmebescheinigungen: Erika Muster" in screen.text
    assert screen.button_labels[0] == "✏️ Name ändern"
    await user.press("Name ändern", screen)
    [answer] = await user.send("/abbrechen")
    assert "bleibt, wie er ist" in answer.text
    [answer] = await user.send("Max")
    assert "nicht verstanden" in answer.text
    assert (await user_store.get_user(bot.data.db, 7)).display_name == "Erika Muster"
    [*_, screen] = await bot.user(8).send("/datenschutz")  # no name yet: nothing to change
    assert "Name ändern" not in screen.button_labels


async def test_a_command_ends_the_name_change(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 7, "Erika Muster")
    await user.press("Anmelden", await open_card(user))
    [mine] = await user.send("/meine")
    await user.press("Name ändern", mine)
    await user.send("/termine")
    [answer] = await user.send("Wo kann man parken?")
    assert "nicht verstanden" in answer.text
    [row] = await registrations(bot)
    assert row["name"] == "Erika Muster"


async def test_the_english_prompts_name_certificates(bot, add_events):
    await add_events(make_event())
    user = bot.user(9, first_name="Ann", language_code="en")
    [prompt] = await user.press("Sign up", await open_card(user))
    assert "attendee list and on certificates of attendance" in prompt.text
    await user.press("Ann")
    [done] = await user.press("I agree")
    assert "certificates of attendance: Ann" in done.text
    [ask] = await user.press("Change name", done)
    assert "attendee lists and certificates of attendance" in ask.text
