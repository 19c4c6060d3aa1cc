"""A cancelled evening that takes place after all: everyone still signed up hears it."""

from __future__ import annotations

from bot.sending.sender import drain_outbox
from domain.models import EventStatus
from storage import registrations
from tests.conftest import make_event


async def test_reinstated_event_is_announced_to_those_signed_up(bot, add_events, clock):
    await add_events(make_event("wieder", days=5, title="Allianzen & Co"))
    await registrations.sign_up(bot.data.db, "wieder", 7, "Erika", clock.now())
    await registrations.sign_up(bot.data.db, "wieder", 8, "Jane", clock.now())
    german, english = bot.user(7), bot.user(8, language_code="en")
    await german.send("/start")
    await english.send("/start")
    await add_events(
        make_event("wieder", days=5, title="Allianzen & Co", status=EventStatus.CANCELLED)
    )
    await drain_outbox(bot.app)
    assert german.last_text.startswith("❌ Abgesagt: Allianzen & Co")
    await add_events(make_event("wieder", days=5, title="Allianzen & Co", venue="Theater Rampe"))
    await drain_outbox(bot.app)
    notice = german.last
    assert notice.text.startswith("✅ Findet doch statt: Allianzen & Co")
    assert "Theater Rampe" in notice.text  # what changed meanwhile is said too
    assert notice.button_labels == ["Zum Termin", "📅 Neuer Kalendereintrag"]
    assert english.last_text.startswith("✅ Back on: Allianzen & Co")
    [card] = await german.press("Zum Termin")
    assert "Sie sind angemeldet" in card.text


async def test_reinstating_twice_in_a_row_sends_nothing_more(bot, add_events, clock):
    await add_events(make_event("x", days=5, status=EventStatus.CANCELLED))
    await registrations.sign_up(bot.data.db, "x", 7, "Erika", clock.now())  # refused: cancelled
    await add_events(make_event("x", days=5))
    await add_events(make_event("x", days=5))
    assert await bot.data.db.fetch_value("SELECT count(*) FROM outbox") == 0
