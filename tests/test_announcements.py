"""Announcements of new dates to subscribers (/abo), sent through the outbox."""

from __future__ import annotations

from datetime import timedelta

from bot.sending.sender import drain_outbox
from domain.models import EventStatus
from tests.conftest import make_event


async def subscribe(user) -> None:
    await user.send("/start")
    await user.press(3)  # "Ja, gern" / "Yes, please" under the welcome


async def test_new_dates_are_announced_once_to_subscribers_only(bot, add_events):
    fan, other, blocked = bot.user(1), bot.user(2), bot.user(3, language_code="en")
    await subscribe(fan)
    await other.send("/start")
    await other.press("Nein, danke")
    await subscribe(blocked)
    bot.api.block(3)
    await add_events(
        make_event("neu-1", days=10, title="Umbau & <Bestand>"),
        make_event("neu-2", days=20, title="Öffentlicher Raum"),
        make_event("alt", days=-5, title="Vorbei"),
        make_event("abgesagt", days=30, title="Abgesagt", status=EventStatus.CANCELLED),
    )
    await drain_outbox(bot.app)
    announcement = fan.last
    assert announcement.text.startswith("📣 2 neue Termine der Reihe Kraft der Region")
    assert "Umbau & <Bestand>" in announcement.text and "Öffentlicher Raum" in announcement.text
    assert "Vorbei" not in announcement.text and "Abgesagt" not in announcement.text
    assert announcement.button_labels == [
        "Ansehen und anmelden: Umbau & <Bestand>",
        "Ansehen und anmelden: Öffentlicher Raum",
        "🔕 Keine Ankündigungen mehr",
    ]
    assert "neue Termine der Reihe" not in other.last_text
    to_blocked = [
        call
        for call in bot.api.calls_to("sendMessage")
        if call.params.get("chat_id") == 3
        and "of the Kraft der Region series" in str(call.params.get("text"))
    ]
    assert [call.status for call in to_blocked] == [403]  # tried once, then marked blocked
    assert await bot.data.db.fetch_value("SELECT blocked_at IS NOT NULL FROM users WHERE id = 3")
    # saving the same program again (or changing it) announces nothing new
    await add_events(make_event("neu-1", days=10, title="Umbau & <Bestand>", venue="Anderswo"))
    await drain_outbox(bot.app)
    assert sum("neue Termine der Reihe" in m.text for m in fan.messages) == 1
    [card] = await fan.press("Ansehen und anmelden: Umbau")
    assert "Umbau & <Bestand>" in card.text and "Anmelden" in " ".join(card.button_labels)


async def test_announcement_in_english_and_stop_button(bot, add_events):
    user = bot.user(5, language_code="en")
    await user.send("/start")
    await user.press("Yes")
    await add_events(make_event("one", days=3, title="Rurbanismus"))
    await drain_outbox(bot.app)
    assert user.last.text.startswith("📣 A new event of the Kraft der Region series")
    await user.press("No more announcements")
    row = await bot.data.db.fetch_one("SELECT subscribed FROM users WHERE id = 5")
    assert row[0] == 0
    await add_events(make_event("two", days=4, title="Noch einer"))
    await drain_outbox(bot.app)
    assert "Noch einer" not in user.last_text


async def test_dates_cancelled_before_sending_are_left_out(bot, add_events, clock):
    user = bot.user(6)
    await subscribe(user)
    await add_events(make_event("x", days=3, title="Kurzlebig"))
    await add_events(make_event("x", days=3, title="Kurzlebig", status=EventStatus.CANCELLED))
    clock.advance(timedelta(minutes=1))
    report = await drain_outbox(bot.app)
    assert "Kurzlebig" not in user.last_text
    assert report.obsolete == 1
