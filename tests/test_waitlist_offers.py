"""Waitlist offers near the evening (issue 25, PRODUCT §4 Waitlist), through the real Application
against the fake Bot API with the injectable clock: offer, accept, decline and rejoin, silence
and pass on, N seats, the last-hold offer to everyone (first tap wins, the others edited), the
night rule, and expiry across a restart."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bot.callbacks import Action, pack
from bot.sending.sender import drain_outbox
from bot.settings import ConfigError, load_settings
from domain.notices import PROMOTION_SETTLE
from handlers.notices.offers import plan_offers
from storage import events as event_store
from storage import privacy
from testing.factories import ADMIN_ID, NOW, make_event, make_settings
from testing.fake_telegram import FakeBotApi
from testing.offline import offline_bot
from tests.signup_support import open_card, registrations, returning_user

OFFER = "Ein Platz ist frei geworden – möchten Sie ihn?"
EVENING = make_event(days=1, capacity=1)  # 18:30 Berlin tomorrow: 32.5 h away, in the window


async def _full_evening(bot, add_events, event=EVENING, waiting=(2, 3)):
    """``event`` with its one seat taken by person 1 and ``waiting`` on the waitlist."""
    await add_events(event)
    holder = await returning_user(bot, 1)
    card = await open_card(holder, event.id)
    await holder.press("Anmelden", card)
    people = []
    for user_id in waiting:
        person = await returning_user(bot, user_id, name=f"Person {user_id}")
        await person.press("Auf die Warteliste", await open_card(person, event.id))
        people.append(person)
    return holder, card, people


async def _free_the_seat(holder, card):
    await holder.press("Abmelden", card)
    await holder.press("Ja, abmelden", card)


async def _statuses(bot, event_id="umbau-2026"):
    return {row["user_id"]: row["status"] for row in await registrations(bot, event_id)}


async def _offers(bot):
    rows = await bot.data.db.fetch_all(
        "SELECT r.user_id, o.status FROM seat_offers o JOIN registrations r"
        " ON r.id = o.registration_id ORDER BY o.id"
    )
    return [(row[0], row[1]) for row in rows]


async def test_a_freed_seat_is_offered_reserved_and_taken(bot, add_events):
    holder, card, (first, second) = await _full_evening(bot, add_events)
    await _free_the_seat(holder, card)
    assert (await _statuses(bot))[2] == "waitlisted"  # not theirs until they take it
    await drain_outbox(bot.app)
    offer = first.last
    assert OFFER in offer.text and "reserviert" in offer.text
    assert offer.button_labels == ["✅ Platz nehmen", "Nein danke"]
    assert OFFER not in second.last.text  # only the next person
    # The seat is reserved meanwhile: a newcomer joins the waitlist, the card says "ausgebucht".
    newcomer = await returning_user(bot, 4, name="Neu Ling")
    newcomer_card = await open_card(newcomer)
    assert "ausgebucht" in newcomer_card.text
    await newcomer.press("Auf die Warteliste", newcomer_card)
    assert (await _statuses(bot))[4] == "waitlisted"
    [taken] = await first.press("Platz nehmen", offer)
    assert taken.message_id == offer.message_id
    assert "Der Platz gehört Ihnen" in taken.text
    assert "🎟 Ticket" in taken.button_labels
    assert (await _statuses(bot))[2] == "confirmed"
    assert await _offers(bot) == [(2, "accepted")]
    await first.press_data(offer.buttons[0][0].callback_data, taken)  # a second tap
    assert bot.api.callback_answers[-1].text == "Auf dieses Angebot haben Sie schon geantwortet."


async def test_no_thanks_leaves_the_waitlist_passes_on_and_one_can_rejoin(bot, add_events):
    holder, card, (first, second) = await _full_evening(bot, add_events)
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    [declined] = await first.press("Nein danke", first.last)
    assert "nicht mehr auf der Warteliste" in declined.text
    assert "Wieder auf die Warteliste" in declined.button_labels
    assert (await _statuses(bot))[2] == "cancelled"
    await drain_outbox(bot.app)
    assert OFFER in second.last.text  # the seat went on
    await first.press("Wieder auf die Warteliste", declined)
    rows = [r for r in await registrations(bot) if r["user_id"] == 2]
    assert [r["status"] for r in rows] == ["cancelled", "waitlisted"]
    assert "Warteliste, Platz 2" in first.last.text  # at the end, behind Person 3


async def test_silence_passes_the_seat_on_and_keeps_the_place(bot, add_events, clock):
    holder, card, (first, second) = await _full_evening(bot, add_events)
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    offer = first.last
    clock.advance(timedelta(hours=2, minutes=59))
    assert await plan_offers(bot.data) == 0
    clock.advance(timedelta(minutes=1))
    assert await plan_offers(bot.data) == 1
    await drain_outbox(bot.app)
    assert OFFER in second.last.text
    assert (await _statuses(bot))[2] == "waitlisted"  # their place is kept
    [told] = await first.press("Platz nehmen", offer)
    assert "abgelaufen" in told.text
    assert (await _statuses(bot))[2] == "waitlisted"
    # The second stays silent too: nobody left who was not offered this seat; it is free.
    clock.advance(timedelta(hours=3))
    await plan_offers(bot.data)
    assert await _offers(bot) == [(2, "expired"), (3, "expired")]
    assert "noch 1 Platz frei" in (await open_card(first)).text


async def test_n_freed_seats_go_to_the_next_n_people_each_with_their_own_hold(
    bot, add_events, clock
):
    _, _, people = await _full_evening(bot, add_events, waiting=(2, 3, 4))
    await add_events(dataclasses.replace(EVENING, capacity=3))  # two more seats
    await drain_outbox(bot.app)
    assert [OFFER in p.last.text for p in people] == [True, True, False]
    await people[0].press("Platz nehmen", people[0].last)
    clock.advance(timedelta(hours=3))
    await plan_offers(bot.data)
    await drain_outbox(bot.app)
    assert OFFER in people[2].last.text  # Person 3's seat went on to Person 4
    assert await _offers(bot) == [(2, "accepted"), (3, "expired"), (4, "open")]


async def test_in_the_last_hold_everyone_is_offered_and_the_first_tap_wins(bot, add_events):
    soon = make_event(starts_at=NOW + timedelta(hours=2), capacity=1)  # 12:00 Berlin
    holder, card, people = await _full_evening(bot, add_events, soon, waiting=(2, 3, 4))
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    offers = [p.last for p in people]
    assert all(OFFER in o.text and "an alle auf der Warteliste" in o.text for o in offers)
    await people[1].press("Platz nehmen", offers[1])
    assert (await _statuses(bot))[3] == "confirmed"
    for person, offer in ((people[0], offers[0]), (people[2], offers[2])):
        edited = bot.api.message(person.chat_id, offer.message_id)
        assert "inzwischen vergeben" in edited.text
        assert edited.button_labels == ["Zum Termin"]
    await people[2].press_data(offers[2].buttons[0][0].callback_data, offers[2])
    assert "vergeben" in bot.api.callback_answers[-1].text
    assert (await _statuses(bot))[4] == "waitlisted"


async def test_no_offer_is_sent_at_night_it_goes_out_at_eight(bot, add_events, clock):
    holder, card, (first, _second) = await _full_evening(bot, add_events)
    clock.set(datetime(2026, 11, 25, 21, 30, tzinfo=UTC))  # 22:30 in Berlin
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    assert OFFER not in first.last.text
    clock.set(datetime(2026, 11, 26, 6, 59, tzinfo=UTC))
    await drain_outbox(bot.app)
    assert OFFER not in first.last.text
    clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=UTC))  # 08:00 in Berlin
    await drain_outbox(bot.app)
    assert OFFER in first.last.text and "11:00" in first.last.text  # its hold from 08:00
    clock.set(datetime(2026, 11, 26, 9, 59, tzinfo=UTC))
    assert await plan_offers(bot.data) == 0  # the hold runs from 08:00, not from the night
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    assert await plan_offers(bot.data) == 1


async def test_an_offer_expires_at_start_up_when_it_fell_due_while_the_bot_was_down(
    settings, clock
):
    api = FakeBotApi()
    async with offline_bot(settings, clock=clock, api=api) as bot:

        async def add_events(*events):
            await event_store.save_events(bot.data.db, events, clock.now())

        holder, card, (first, _) = await _full_evening(bot, add_events)
        await _free_the_seat(holder, card)
        await drain_outbox(bot.app)
        assert OFFER in first.last.text
    clock.advance(timedelta(hours=5))  # the hold ended while the bot was down
    async with offline_bot(settings, clock=clock, api=api) as bot:
        assert await _offers(bot) == [(2, "expired"), (3, "open")]
        await drain_outbox(bot.app)
        assert OFFER in bot.user(3).last.text


async def test_organisers_see_offers_in_the_attendee_list_and_the_statistics(bot, add_events):
    holder, card, (first, _) = await _full_evening(bot, add_events)
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    organiser = await returning_user(bot, ADMIN_ID, name="Orga Nisatorin")
    [menu] = await organiser.send("/admin")
    listed = await organiser.press_data(pack(Action.ATTENDEES, EVENING.id), menu)
    assert any("Platz angeboten bis" in m.text for m in listed)
    await first.press("Nein danke", first.last)
    [stats] = await organiser.send("/statistik")
    assert "Angebotene Wartelistenplätze: 1 offen · 1 weitergegeben · 0 angenommen" in stats.text


def test_the_offer_settings_take_units_and_a_zero_window(tmp_path):
    settings = make_settings(tmp_path, waitlist_offer_window="0", waitlist_offer_hold="90m")
    assert settings.offer_rules.window == timedelta(0)
    assert settings.offer_rules.hold == timedelta(minutes=90)
    assert make_settings(tmp_path).offer_rules.window == timedelta(hours=48)
    for bad in ({"waitlist_offer_hold": "0"}, {"waitlist_offer_window": "2 Tage"}):
        with pytest.raises(ConfigError, match="Invalid WAITLIST_OFFER_"):
            load_settings(_env_file=None, **bad)


async def test_a_zero_window_gives_the_freed_seat_directly_as_before(tmp_path, clock):
    settings = make_settings(tmp_path, waitlist_offer_window="0")
    async with offline_bot(settings, clock=clock) as bot:

        async def add_events(*events):
            await event_store.save_events(bot.data.db, events, clock.now())

        holder, card, (first, _) = await _full_evening(bot, add_events)
        await _free_the_seat(holder, card)
        assert (await _statuses(bot))[2] == "confirmed"
        assert await _offers(bot) == []
        clock.advance(PROMOTION_SETTLE)
        await drain_outbox(bot.app)
        assert "nachgerückt" in first.last.text


async def test_simultaneous_taps_on_an_offer_to_everyone_give_the_seat_once(bot, add_events):
    soon = make_event(starts_at=NOW + timedelta(hours=2), capacity=1)
    holder, card, people = await _full_evening(bot, add_events, soon, waiting=(2, 3, 4, 5))
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    offers = [p.last for p in people]
    taps = (p.press("Platz nehmen", o) for p, o in zip(people, offers, strict=True))
    await asyncio.gather(*taps)
    statuses = await _statuses(bot)
    assert sorted(statuses[u] for u in (2, 3, 4, 5)) == ["confirmed"] + ["waitlisted"] * 3
    counts = await event_store.seat_counts(bot.data.db, soon.id)
    assert (counts.confirmed, counts.offered) == (1, 0)


async def test_the_data_export_lists_the_offers_a_person_had(bot, add_events):
    """An offer is the person's data like their sign-up (PRODUCT §6: export from the chat)."""
    holder, card, (first, _second) = await _full_evening(bot, add_events)
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    await first.press("Nein danke", first.last)
    exported = await privacy.export_person(bot.data.db, 2)
    [offer] = exported["seat_offers"]
    assert offer["event_id"] == EVENING.id and offer["status"] == "declined"
    assert offer["expires_at"] and offer["decided_at"]
    passed_on = (await privacy.export_person(bot.data.db, 3))["seat_offers"]
    assert [o["status"] for o in passed_on] == ["open"]  # the seat went on to Person 3
    assert (await privacy.export_person(bot.data.db, 1))["seat_offers"] == []


async def test_meine_shows_a_standing_offer_and_takes_the_seat_from_there(bot, add_events):
    """Whoever missed the offer message finds it in /meine, with its hold and "Platz nehmen"."""
    holder, card, (first, second) = await _full_evening(bot, add_events)
    await _free_the_seat(holder, card)
    await drain_outbox(bot.app)
    [mine] = await first.send("/meine")
    assert "für Sie reserviert bis" in mine.text
    assert "1. ✅ Platz nehmen" in mine.button_labels
    [others] = await second.send("/meine")
    assert "reserviert" not in others.text and "Platz nehmen" not in " ".join(others.button_labels)
    await first.press("Platz nehmen", mine)
    assert (await _statuses(bot))[2] == "confirmed"
    [after] = await first.send("/meine")
    assert "reserviert" not in after.text and "Platz nehmen" not in " ".join(after.button_labels)
