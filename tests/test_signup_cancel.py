"""Cancelling a sign-up (issue 3, PRODUCT §4 and §6): from the card or an older message, the
waitlist moving up in each person's language, no cancelling after the start."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.callbacks import Action, pack
from bot.sending.sender import drain_outbox
from domain.notices import PROMOTION_SETTLE
from storage import registrations as registration_store
from tests.conftest import make_event
from tests.invariants import assert_consistent
from tests.signup_support import last_answer, open_card, registrations, returning_user


async def test_cancel_from_the_card_after_a_confirmation(bot, add_events):
    await add_events(make_event(capacity=5))
    user = await returning_user(bot, 50)
    card = await open_card(user)
    await user.press("Anmelden", card)
    [question] = await user.press("Abmelden", card)
    assert question.message_id == card.message_id
    assert "wirklich abmelden" in question.text
    [kept] = await user.press("Nein, angemeldet bleiben", card)
    assert kept.text.startswith("Gut – Ihre Anmeldung bleibt bestehen.")
    assert "Sie sind angemeldet" in kept.text
    await user.press("Abmelden", card)
    [done] = await user.press("Ja, abmelden", card)
    assert done.text.startswith("✅ Sie sind von „Umbau statt Neubau“ abgemeldet.")
    assert "noch 5 Plätze frei" in done.text
    assert "✍️ Anmelden" in done.button_labels
    [row] = await registrations(bot)
    assert row["status"] == "cancelled"
    # The same question pressed again (e.g. a second tap) changes nothing and says so.
    [again] = await user.press_data(pack(Action.CANCEL_CONFIRM, row["id"], "c"), card)
    assert again.text.startswith("Von diesem Termin sind Sie bereits abgemeldet.")
    assert [r["status"] for r in await registrations(bot)] == ["cancelled"]


async def test_cancellation_moves_the_first_waitlisted_up_and_tells_them_in_english(
    bot, add_events, clock
):
    await add_events(make_event(capacity=1))
    erika = await returning_user(bot, 60)
    jane = await returning_user(bot, 61, name="Jane Doe", language_code="en")
    max_ = await returning_user(bot, 62, name="Max Muster")
    erika_card = await open_card(erika)
    await erika.press("Anmelden", erika_card)
    await jane.press("Join the waitlist", await open_card(jane))
    await max_.press("Auf die Warteliste", await open_card(max_))
    await erika.press("Abmelden", erika_card)
    await erika.press("Ja, abmelden", erika_card)
    statuses = {r["user_id"]: r["status"] for r in await registrations(bot)}
    assert statuses == {60: "cancelled", 61: "confirmed", 62: "waitlisted"}
    queued = await bot.data.db.fetch_all("SELECT user_id, kind, state FROM outbox")
    assert [tuple(row) for row in queued] == [(61, "promoted", "pending")]
    clock.advance(PROMOTION_SETTLE)  # a promotion is told once it has settled
    report = await drain_outbox(bot.app)
    assert report.sent == 1
    told = jane.last
    assert told.text.startswith("🎉 A seat has become free")
    assert "Umbau statt Neubau" in told.text
    assert told.button_labels == [
        "🎟 Ticket",
        "Cancel my sign-up",
        "📅 Add to calendar",
        "Open the event",
    ]
    [photo] = await jane.press("Ticket", told)
    assert photo.photo is not None
    registration = await registration_store.active_registration(bot.data.db, "umbau-2026", 62)
    assert registration.waitlist_position == 1
    assert_consistent(bot.data.db.path)


async def test_more_capacity_moves_up_as_many_as_fit(bot, add_events, clock):
    event = make_event(capacity=1)
    await add_events(event)
    users = [await returning_user(bot, 70 + i) for i in range(5)]
    for user in users:
        await user.press(1, await open_card(user))  # "Anmelden", then "Auf die Warteliste"
    await add_events(dataclasses.replace(event, capacity=3))
    statuses = [r["status"] for r in await registrations(bot)]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted", "waitlisted"]
    queued = await bot.data.db.fetch_all("SELECT user_id FROM outbox WHERE kind = 'promoted'")
    assert [row[0] for row in queued] == [71, 72]
    clock.advance(PROMOTION_SETTLE)  # a promotion is told once it has settled
    await drain_outbox(bot.app)
    assert users[1].last_text.startswith("🎉 Ein Platz ist frei geworden")
    assert_consistent(bot.data.db.path)


async def test_cancel_from_an_older_message_asks_in_a_new_message(bot, add_events):
    await add_events(make_event())
    user = bot.user(80)  # the first sign-up ends with a confirmation message of its own
    await user.press("Anmelden", await open_card(user))
    await user.press("Als")
    [confirmation] = await user.press("Einverstanden")
    assert confirmation.text.startswith("✅ Sie sind angemeldet.")
    [question] = await user.press("Abmelden", confirmation)
    assert question.message_id != confirmation.message_id
    [done] = await user.press("Ja, abmelden", question)
    assert done.message_id == question.message_id
    assert done.text == "✅ Sie sind von „Umbau statt Neubau“ abgemeldet."
    assert done.button_labels == ["« Zum Termin"]  # the way on (issue 23)
    [row] = await registrations(bot)
    assert row["status"] == "cancelled"


async def test_cancel_after_the_start_is_refused(bot, add_events, clock):
    await add_events(make_event(days=1))
    user = await returning_user(bot, 81)
    card = await open_card(user)
    await user.press("Anmelden", card)
    clock.advance(timedelta(days=2))
    await user.press("Abmelden", card)
    assert "bereits begonnen" in last_answer(bot).text
    [row] = await registrations(bot)
    assert row["status"] == "confirmed"
