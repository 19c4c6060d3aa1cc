"""/meine and the ticket (issue 3, PRODUCT §4): the list of one's upcoming sign-ups in each
language, the ticket as a unique QR code of the check-in link, none without a seat."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from bot.callbacks import Action, pack
from domain.models import EventStatus
from handlers.attendee.tickets import check_in_url, qr_png
from tests.conftest import make_event
from tests.signup_support import (
    BOT_USERNAME,
    last_answer,
    open_card,
    registrations,
    returning_user,
)

# --- /meine ---------------------------------------------------------------------------------


async def test_mine_lists_confirmed_and_waitlisted_upcoming_sign_ups(bot, add_events, clock):
    await add_events(
        make_event("soon", days=2, title="Bald", capacity=5),
        make_event("full", days=5, title="Voll", capacity=1),
        make_event("gone", days=7, title="Abgemeldet"),
        make_event("past", days=1, title="Vorbei"),
    )
    other = await returning_user(bot, 99)
    await other.press("Anmelden", await open_card(other, "full"))
    user = await returning_user(bot, 100)
    for event_id in ("soon", "full", "gone", "past"):
        await user.press(1, await open_card(user, event_id))  # "Anmelden" or "Auf die Warteliste"
    gone_card = await open_card(user, "gone")
    await user.press("Abmelden", gone_card)
    await user.press("Ja, abmelden", gone_card)
    clock.advance(timedelta(days=1, hours=12))  # "Vorbei" has started
    [mine] = await user.send("/meine")
    assert "Ihre 2 Anmeldungen" in mine.text
    assert "Bald" in mine.text and "Voll" in mine.text
    assert "Abgemeldet" not in mine.text and "Vorbei" not in mine.text
    assert mine.text.index("Bald") < mine.text.index("Voll")
    assert "✅ angemeldet" in mine.text and "⏳ Warteliste, Platz 1" in mine.text
    assert "Fr., 27. Nov. 2026, 18:30" in mine.text
    assert mine.button_labels == [
        "1. Öffnen",
        "1. 🎟 Ticket",
        "1. Abmelden",
        "2. Öffnen",
        "2. Abmelden",
        "✏️ Name ändern",
        "📅 Alle Termine",
    ]
    assert "Teilnahmebescheinigungen: Erika Muster" in mine.text  # issue 22: the name is shown
    [card] = await user.press("2. Öffnen", mine)  # each entry opens its evening
    assert card.text.startswith("Voll") or "Voll" in card.text.split("\n")[0]
    mine = (await user.send("/meine"))[0]
    [question] = await user.press("2. Abmelden", mine)
    assert "von der Warteliste abmelden" in question.text
    [after] = await user.press("Ja, abmelden", mine)
    assert after.text.startswith("✅ Sie sind von „Voll“ abgemeldet.")
    assert "Ihre Anmeldung</b>" in after.html and "Voll" not in after.text.split("\n", 1)[1]


async def test_mine_in_english_and_when_empty(bot, add_events):
    [empty] = await bot.user(101, language_code="en").send("/mine")
    assert empty.text.startswith("You are not signed up")
    assert empty.button_labels == ["📅 All events"]
    await add_events(make_event())
    user = await returning_user(bot, 102, language_code="en")
    await user.press("Sign up", await open_card(user))
    [mine] = await user.send("/mine")
    assert "Your sign-up" in mine.text and "✅ signed up" in mine.text


async def test_mine_from_the_main_menu(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 103)
    await user.press("Anmelden", await open_card(user))
    answers = await user.send("/start")
    [mine] = await user.press("Meine Anmeldungen", answers[0])
    assert "Ihre Anmeldung" in mine.text and "Umbau statt Neubau" in mine.text


# --- ticket ---------------------------------------------------------------------------------


async def test_ticket_is_a_qr_code_of_the_check_in_link_with_the_code_under_it(
    bot, add_events, caplog
):
    caplog.set_level(logging.DEBUG)
    await add_events(make_event())
    user = await returning_user(bot, 110)
    card = await open_card(user)
    await user.press("Anmelden", card)
    [row] = await registrations(bot)
    ticket = row["ticket"]
    assert len(ticket) >= 22  # ≥ 128 bits in URL-safe base64 (here 192 bits)
    [photo] = await user.press("Ticket")
    assert photo.method == "sendPhoto"
    url = f"https://t.me/{BOT_USERNAME}?start=ci_{ticket}"
    assert check_in_url(BOT_USERNAME, ticket) == url
    assert photo.photo == qr_png(url)  # the PNG encodes exactly this link
    assert photo.photo.startswith(b"\x89PNG")
    assert ticket in photo.caption and "Erika Muster" in photo.caption
    assert "Umbau statt Neubau" in photo.caption
    # PTB logged the sendPhoto call at DEBUG, but without the ticket.
    assert "sendPhoto" in caplog.text
    assert ticket not in caplog.text
    assert all(ticket not in record.getMessage() for record in caplog.records)


async def test_tickets_are_unique_and_unguessable(bot, add_events):
    await add_events(make_event(capacity=None))
    for uid in range(120, 130):
        user = await returning_user(bot, uid)
        await user.press("Anmelden", await open_card(user))
    tickets = [r["ticket"] for r in await registrations(bot)]
    assert len(set(tickets)) == 10
    assert all(len(t) >= 22 and t.replace("-", "").replace("_", "").isalnum() for t in tickets)


async def test_no_ticket_on_the_waitlist_or_for_a_cancelled_event(bot, add_events):
    event = make_event(capacity=1)
    await add_events(event)
    first = await returning_user(bot, 130)
    second = await returning_user(bot, 131)
    await first.press("Anmelden", await open_card(first))
    await second.press("Auf die Warteliste", await open_card(second))
    [_, waiting] = await registrations(bot)
    await second.press_data(pack(Action.TICKET, waiting["id"]))
    assert "Warteliste (Platz 1)" in last_answer(bot).text
    await add_events(dataclasses.replace(event, status=EventStatus.CANCELLED))
    await first.press("Ticket")
    assert "abgesagt" in last_answer(bot).text
    assert all(m.photo is None for m in first.messages + second.messages)
