"""Issue 23.1 (and the change-notice part of 23.4): change and cancellation notices worded for
each standing, naming every changed field including the sign-up deadline; time and venue
notices offer the updated calendar file; a cancellation notice offers "Aus dem Kalender
entfernen", the file with STATUS:CANCELLED and the raised SEQUENCE (read with icalendar).

Each test fails on 61def71: there the waitlisted were told of a seat to keep or free, a moved
deadline was not news, a venue change had no calendar file and a cancellation no button.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import icalendar

from bot.callbacks import Action, pack
from bot.sending.sender import drain_outbox
from domain.models import EventStatus, Registration, RegistrationStatus
from domain.notices import NoticeStanding, notice_standing
from domain.standing import Refusal, may_remove_from_calendar
from tests.conftest import NOW, START, make_event
from tests.outbox_support import sign_up

REMOVE = "🗑 Aus dem Kalender entfernen"


def _vevent(document) -> icalendar.Event:
    """The one VEVENT of a sent .ics file, read by the icalendar parser."""
    assert document is not None and document.filename.endswith(".ics")
    [vevent] = icalendar.Calendar.from_ical(document.content).walk("VEVENT")
    return vevent


async def _three_standings(bot, clock, add_events, **fields):
    """One seat: 1 confirmed (German), 2 and 3 waitlisted (German, English)."""
    event = make_event(capacity=1, **fields)
    await add_events(event)
    await sign_up(bot, clock, 1)
    assert (await sign_up(bot, clock, 2)).outcome == "waitlisted"
    assert (await sign_up(bot, clock, 3, lang="en")).outcome == "waitlisted"
    return event


async def test_a_change_is_worded_for_each_standing(bot, clock, add_events):
    event = await _three_standings(bot, clock, add_events)
    await add_events(dataclasses.replace(event, venue="Theater Rampe"))
    await drain_outbox(bot.app)
    [seat] = bot.api.messages(1)
    assert "Ihre Anmeldung bleibt bestehen" in seat.text
    assert "damit Ihr Platz frei wird" in seat.text
    [waiting] = bot.api.messages(2)
    assert "Sie bleiben auf der Warteliste (Platz 1)" in waiting.text
    assert "Ihre Anmeldung bleibt bestehen" not in waiting.text
    assert "Platz frei wird" not in waiting.text and "rückt jemand nach" not in waiting.text
    [english] = bot.api.messages(3)
    assert "You stay on the waitlist (position 2)" in english.text
    assert "your seat" not in english.text and "stays valid" not in english.text


async def test_a_moved_deadline_is_named_but_is_no_new_calendar_version(bot, clock, add_events):
    event = await _three_standings(bot, clock, add_events)
    deadline = START - timedelta(days=2)
    await add_events(dataclasses.replace(event, registration_closes_at=deadline))
    await drain_outbox(bot.app)
    [notice] = bot.api.messages(1)
    assert ("Anmeldung bis: bis zum Beginn → Montag, 7. Dezember 2026, 18:30 Uhr") in notice.text
    assert notice.button_labels == []  # the text names /meine
    assert "/meine" in notice.text
    [english] = bot.api.messages(3)
    assert "Sign-up until: until the start → Monday, 7 December 2026, 6:30 PM" in english.text
    sequence = await bot.data.db.fetch_value(
        "SELECT calendar_sequence FROM events WHERE id = ?", (event.id,)
    )
    assert sequence == 0  # a calendar entry does not show the deadline

    # the start moves and the deadline with it: both lines in one notice
    moved = START + timedelta(days=1)
    await add_events(
        dataclasses.replace(
            event,
            starts_at=moved,
            ends_at=moved + timedelta(hours=2),
            registration_closes_at=deadline + timedelta(days=1),
        )
    )
    await drain_outbox(bot.app)
    notice = bot.api.last(1)
    assert "Beginn: Mittwoch, 9. Dezember 2026, 18:30 Uhr → Donnerstag" in notice.text
    assert "Anmeldung bis: Montag, 7. Dezember 2026, 18:30 Uhr → Dienstag" in notice.text


async def test_a_venue_change_offers_the_updated_calendar_file(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    await add_events(dataclasses.replace(event, venue="Theater Rampe", address="Am Feld 1"))
    await drain_outbox(bot.app)
    notice = bot.api.last(1)
    assert notice.button_labels == ["📅 Neuer Kalendereintrag", "📍 Veranstaltungsort"]
    [calendar] = await bot.user(1).press("Neuer Kalendereintrag", notice)
    vevent = _vevent(calendar.document)
    assert str(vevent["LOCATION"]) == "Theater Rampe, Am Feld 1"
    assert int(vevent["SEQUENCE"]) == 1 and str(vevent["STATUS"]) == "CONFIRMED"


async def test_a_cancellation_removes_the_entry_from_the_calendar(bot, clock, add_events):
    event = await _three_standings(bot, clock, add_events)
    user = bot.user(1)
    [card] = await user.send(f"/start ev_{event.id}")
    [before] = await user.press("In den Kalender", card)
    earlier = _vevent(before.document)
    await add_events(dataclasses.replace(event, status=EventStatus.CANCELLED))
    await drain_outbox(bot.app)

    [seat] = bot.api.messages(1)[-1:]
    assert "Ihre Anmeldung ist damit hinfällig" in seat.text
    assert seat.button_labels == [REMOVE]
    [waiting] = bot.api.messages(2)
    assert "Ihr Platz auf der Warteliste ist damit hinfällig" in waiting.text
    assert "Ihre Anmeldung" not in waiting.text and waiting.button_labels == [REMOVE]
    [english] = bot.api.messages(3)
    assert "Your place on the waitlist no longer applies" in english.text
    assert english.button_labels == ["🗑 Remove from calendar"]

    [removal] = await user.press(REMOVE, seat)
    vevent = _vevent(removal.document)
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["UID"]) == str(earlier["UID"])
    assert int(vevent["SEQUENCE"]) > int(earlier["SEQUENCE"])
    assert "abgesagt" in removal.text and removal.button_labels == ["« Zum Termin"]

    # the card itself still offers no calendar, and its old button is refused
    [card] = await user.send(f"/start ev_{event.id}")
    assert not any("Kalender" in label for label in card.button_labels)
    [refused] = await user.press_data(pack(Action.ICS, event.id))
    assert refused.document is None and "abgesagt" in refused.text


async def test_the_removal_file_only_while_cancelled_and_not_over(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    cancelled = dataclasses.replace(event, status=EventStatus.CANCELLED)
    await add_events(cancelled)
    await drain_outbox(bot.app)
    notice = bot.api.last(1)
    await add_events(event)  # takes place after all: the calendar gets the entry back
    await drain_outbox(bot.app)
    reinstated = bot.api.last(1)
    assert "Ihre Anmeldung gilt weiter" in reinstated.text
    [back] = await bot.user(1).press("Neuer Kalendereintrag", reinstated)
    vevent = _vevent(back.document)
    assert str(vevent["STATUS"]) == "CONFIRMED" and int(vevent["SEQUENCE"]) == 2
    [answer] = await bot.user(1).press(REMOVE, notice)
    assert answer.document is None and "findet statt" in answer.text
    await add_events(cancelled)
    clock.set(START + timedelta(hours=3))  # over
    [answer] = await bot.user(1).press(REMOVE, notice)
    assert answer.document is None and "liegt schon zurück" in answer.text


def test_the_wording_follows_the_sign_up_as_it_is_when_sent():
    seat = Registration(
        1, "umbau-2026", 1, "Erika", RegistrationStatus.CONFIRMED, "t" * 32, NOW, NOW, None, None
    )
    waiting = dataclasses.replace(seat, status=RegistrationStatus.WAITLISTED)
    assert notice_standing(seat) is NoticeStanding.SEAT
    assert notice_standing(waiting) is NoticeStanding.WAITLIST
    assert notice_standing(None) is NoticeStanding.UNNAMED


def test_the_domain_rule_for_the_removal_file():
    cancelled = make_event(status=EventStatus.CANCELLED)
    assert may_remove_from_calendar(cancelled, NOW) is None
    assert may_remove_from_calendar(make_event(), NOW) is Refusal.NOT_CANCELLED
    assert may_remove_from_calendar(cancelled, NOW + timedelta(days=30)) is Refusal.EVENT_OVER
