"""Issue 5, point 2: cancelling an event in the chat, with confirmation; not once it has
started."""

from __future__ import annotations

from datetime import timedelta

from bot.sending.sender import drain_outbox
from domain.models import EventStatus
from storage import events as event_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import sign_up, snapshot


async def test_cancel_an_event_with_confirmation(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=1))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    await sign_up(bot, clock.now(), "umbau-2026", 12, "Ben")
    for user_id in (11, 12):
        bot.user(user_id)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("absagen")
    answers = await admin.press("Umbau statt Neubau")
    assert "wirklich absagen" in answers[-1].text
    assert "Angemeldet: 1 · Warteliste: 1" in answers[-1].text
    assert snapshot(bot.data.settings.database_path)["outbox"] == []
    answers = await admin.press("Ja, absagen")
    assert "2 Personen werden benachrichtigt" in answers[-1].text
    event = await event_store.get_event(bot.data.db, "umbau-2026")
    assert event.status is EventStatus.CANCELLED
    await drain_outbox(bot.app)
    for user_id in (11, 12):
        assert "Abgesagt: Umbau statt Neubau" in bot.api.last(user_id).text
    # A cancelled event is not offered for cancelling again; a stale button is answered.
    await admin.send("/admin")
    answers = await admin.press("absagen")
    assert "keinen passenden Termin" in answers[-1].text
    answered = len(bot.api.callback_answers)
    await admin.press_data("1:acx:umbau-2026")
    assert "bereits abgesagt" in bot.api.callback_answers[answered].text


async def test_no_keeps_the_event(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("absagen")
    await admin.press("Umbau statt Neubau")
    before = snapshot(bot.data.settings.database_path)
    answers = await admin.press("Abbrechen")
    assert "Abgebrochen" in answers[-1].text
    assert snapshot(bot.data.settings.database_path) == before
    await admin.press_data("1:acxy")  # the confirmation is gone with the dialogue
    assert snapshot(bot.data.settings.database_path) == before


async def test_a_started_event_cannot_be_cancelled(bot, add_events, clock):
    await add_events(make_event("umbau-2026", days=1))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("absagen")
    clock.advance(timedelta(days=1, hours=10))
    answered = len(bot.api.callback_answers)
    await admin.press("Umbau statt Neubau")
    assert "schon begonnen" in bot.api.callback_answers[answered].text
    assert (await event_store.get_event(bot.data.db, "umbau-2026")).status is EventStatus.SCHEDULED
