"""Sign-ups that get no seat (issue 3, PRODUCT §4): a full event puts people on the waitlist
with their position, a closed sign-up and an unknown event each have their own answer."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.callbacks import Action, pack
from domain.models import EventStatus
from tests.conftest import NOW, make_event
from tests.signup_support import last_answer, open_card, registrations, returning_user


async def test_full_event_puts_people_on_the_waitlist_with_their_position(bot, add_events):
    await add_events(make_event(capacity=1))
    first, second, third = [await returning_user(bot, uid) for uid in (30, 31, 32)]
    await first.press("Anmelden", await open_card(first))
    [refreshed] = await second.press("Auf die Warteliste", await open_card(second))
    toast = last_answer(bot).text
    assert toast.startswith("⏳ Ausgebucht – Sie stehen auf der Warteliste, Platz 1.")
    assert "Sie stehen auf der Warteliste (Platz 1)" in refreshed.text
    assert {"Abmelden", "📅 In den Kalender"} <= set(refreshed.button_labels)
    card = await open_card(third)
    assert "ausgebucht – Warteliste (1 Person wartet)" in card.text
    [refreshed] = await third.press("Auf die Warteliste", card)
    assert "Warteliste, Platz 2" in last_answer(bot).text
    assert "Sie stehen auf der Warteliste (Platz 2)" in refreshed.text
    await third.press_data(pack(Action.SIGN_UP, "umbau-2026"), card)
    assert last_answer(bot).text == "Sie stehen bereits auf der Warteliste (Platz 2)."
    assert [r["status"] for r in await registrations(bot)] == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ({"status": EventStatus.CANCELLED}, "Dieser Termin wurde abgesagt"),
        ({"capacity": 0}, "Für diesen Termin ist keine Anmeldung möglich."),
        ({"registration_closes_at": NOW + timedelta(hours=1)}, "Anmeldeschluss"),
        ({"starts_at": NOW + timedelta(hours=1)}, "hat bereits begonnen"),
        ({"starts_at": NOW - timedelta(hours=1)}, "hat bereits stattgefunden"),
    ],
    ids=["cancelled", "capacity-0", "deadline", "under-way", "over"],
)
async def test_closed_sign_up_has_its_own_answer(bot, add_events, clock, change, answer):
    event = make_event()
    await add_events(event)
    user = await returning_user(bot, 40)
    newcomer = bot.user(41)
    card = await open_card(user)
    newcomer_card = await open_card(newcomer)
    fields = dict(change)
    if "starts_at" in fields:
        fields["ends_at"] = None
    await add_events(dataclasses.replace(event, **fields))
    clock.advance(timedelta(hours=2))
    answers = await user.press("Anmelden", card)  # the button of the card shown earlier
    assert answer in last_answer(bot).text and last_answer(bot).show_alert
    refreshed = next(m for m in answers if m.message_id == card.message_id)
    assert "Anmelden" not in refreshed.button_labels  # the card now shows the current state
    await newcomer.press("Anmelden", newcomer_card)  # no name asked for a closed event
    assert answer in last_answer(bot).text
    assert "Unter welchem Namen" not in newcomer.last_text
    assert await registrations(bot) == []


async def test_distinct_answers_for_each_closed_reason(bot):
    answers = {
        bot.data.translator.plain("de", key)
        for key in (
            "signup.closed_cancelled",
            "signup.closed_past",
            "signup.closed_deadline",
            "signup.closed_no_registration",
        )
    }
    assert len(answers) == 4


async def test_unknown_event_is_answered(bot):
    user = await returning_user(bot, 42)
    await user.send("/start")
    await user.press_data(pack(Action.SIGN_UP, "gibt-es-nicht"))
    assert "Diesen Termin gibt es nicht" in last_answer(bot).text
