"""Issue 22, bullet 1: a question for a typed answer (the name, a question to the speakers, a
comment, an organiser's field) takes only text typed while it is the current question. A command
or a press elsewhere ends the wait, is answered as usual, and the next text is treated as what
it is. End to end through the real Application against the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from bot.sending.sender import drain_outbox
from domain.evening import end_of
from handlers.attendee.feedback import plan_feedback
from storage import attendees as attendee_store
from storage import feedback as feedback_store
from storage import questions as question_store
from storage import users as user_store
from tests.conftest import ADMIN_ID, make_event
from tests.outbox_support import sign_up
from tests.signup_support import open_card, registrations, signed_up

EVENT = make_event()


async def test_the_issues_repro_a_question_after_help_is_no_name(bot, add_events):
    await add_events(EVENT)
    user = bot.user(7, first_name="Erika")
    [prompt] = await user.press("Anmelden", await open_card(user))
    assert "Unter welchem Namen" in prompt.text
    [help_text] = await user.send("/hilfe")
    assert "/termine" in help_text.text
    answers = await user.send("Wo kann man parken?")
    [answer] = answers
    assert "nicht verstanden" in answer.text  # the friendly pointer, not a sign-up
    assert "Sie melden sich als" not in answer.text
    assert await registrations(bot) == []
    assert (await user_store.get_user(bot.data.db, 7)).display_name is None


async def test_termine_in_the_middle_ends_the_name_question(bot, add_events):
    await add_events(EVENT)
    user = bot.user(8)
    await user.press("Anmelden", await open_card(user))
    [listing] = await user.send("/termine")
    assert "Umbau statt Neubau" in listing.text
    [answer] = await user.send("Max Muster")
    assert "nicht verstanden" in answer.text
    assert (await user_store.get_user(bot.data.db, 8)).display_name is None
    # pressing "Anmelden" again simply asks again, and then the name is taken
    [prompt] = await user.press("Anmelden", await open_card(user))
    assert "Unter welchem Namen" in prompt.text
    answers = await user.send("Max Muster")
    assert answers[0].text == "Sie melden sich als Max Muster an."


async def test_a_press_elsewhere_ends_the_name_question(bot, add_events):
    await add_events(EVENT)
    user = bot.user(9)
    card = await open_card(user)
    await user.press("Anmelden", card)
    await user.send("/meine")  # a command …
    [answer] = await user.send("Erika")
    assert "nicht verstanden" in answer.text
    await user.press("Anmelden", card)
    [listing] = await user.send("/termine")
    await user.press(listing.button_labels[0], listing)  # … or a press on another message
    [answer] = await user.send("Erika")
    assert "nicht verstanden" in answer.text
    assert (await user_store.get_user(bot.data.db, 9)).display_name is None


async def test_a_command_ends_the_question_to_the_speakers(bot, add_events):
    await add_events(EVENT)
    user = await signed_up(bot, 5)
    [card] = await user.send(f"/start ev_{EVENT.id}")
    [prompt] = await user.press("❓ Frage an die Referent:innen", card)
    assert "höchstens 500 Zeichen" in prompt.text
    await user.send("/hilfe")
    [answer] = await user.send("Wo kann man parken?")
    assert "nicht verstanden" in answer.text
    assert await question_store.question_of(bot.data.db, EVENT.id, 5) is None


async def test_a_press_elsewhere_ends_the_feedback_comment(bot, add_events, clock):
    await add_events(EVENT)
    there = (await sign_up(bot, clock, 1)).registration
    clock.set(EVENT.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, there.id, clock.now())
    clock.set(end_of(EVENT) + timedelta(hours=2))
    await plan_feedback(bot.app.bot_data)
    await drain_outbox(bot.app)
    user = bot.user(1)
    [question] = bot.api.messages(1)
    await user.press("4", question)
    [ask] = await user.press("💬 Kommentar schreiben")
    assert "Kommentar" in ask.text
    await user.press_data(
        question.callback_data[4], question
    )  # a press elsewhere: the rating changed, no comment awaited
    answers = await user.send("Wo kann man parken?")
    assert "nicht verstanden" in answers[-1].text
    assert "Vielen Dank für Ihren Kommentar" not in answers[-1].text
    row = await bot.data.db.fetch_one(
        "SELECT * FROM feedback WHERE registration_id = ?", (there.id,)
    )
    assert row is None or not row["comment"]
    assert await feedback_store.rating_of(bot.data.db, there.id) == 5


async def test_an_organisers_half_written_event_is_kept_and_resumed_from_admin(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    [menu] = await admin.send("/admin")
    assert not any("Entwurf" in label for label in menu.button_labels)
    await admin.press("Neuer Termin")
    answers = await admin.send("Allianzen & Bestand")
    assert "Schritt 2 von 11" in answers[-1].text
    await admin.send("/termine")
    [answer] = await admin.send("22.10.2030 18:30")
    assert "nicht verstanden" in answer.text  # not typed into the draft by accident
    [menu] = await admin.send("/admin")
    assert menu.button_labels[0] == "📝 Entwurf fortsetzen: Termin"
    answers = await admin.press("Entwurf fortsetzen", menu)
    assert "Schritt 2 von 11" in answers[-1].text  # where it was left
    answers = await admin.send("22.10.2030 18:30")
    assert "Schritt 3 von 11" in answers[-1].text
    assert bot.app.user_data[ADMIN_ID].event_draft.values["title"] == "Allianzen & Bestand"


async def test_a_half_written_broadcast_is_kept_and_resumed_from_admin(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/rundschreiben")
    await admin.send("Hallo zusammen")
    await admin.send("/hilfe")
    [answer] = await admin.send("Noch ein Text")
    assert "nicht verstanden" in answer.text
    [menu] = await admin.send("/admin")
    assert menu.button_labels[0] == "📝 Entwurf fortsetzen: Rundschreiben"
    [ask] = await admin.press("Entwurf fortsetzen", menu)
    assert ask.text == "An wen soll die Nachricht gehen?"  # the message was kept


async def test_paging_the_broadcasts_event_picker_keeps_the_step(bot, add_events):
    """The picker's own ◀ ▶ belong to the broadcast: paging does not end it."""
    await add_events(
        *(make_event(f"abend-{n}", days=10 + n, title=f"Abend {n}") for n in range(8))
    )
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/rundschreiben")
    await admin.send("Hallo zusammen")
    [picker] = await admin.press("Angemeldete eines Termins")
    assert "Für welchen Termin" in picker.text
    [picker] = await admin.press("Spätere", picker)
    await admin.press("Abend 7", picker)
    assert "nicht mehr gültig" not in (bot.api.callback_answers[-1].text or "")
    assert "Abend 7" in admin.last.text  # the evening was taken: the broadcast goes on
