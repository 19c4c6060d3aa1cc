"""Per-person fairness (issue 15): one flooding account cannot delay anybody else, its excess is
dropped with one short notice, and each person's updates keep their order. Updates go through
the started Application's update queue, as long polling and the webhook hand them over, so the
real update processor decides; what is asserted is the order of the fake's record, never time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Update

from bot.fairness import PER_PERSON, FairUpdateProcessor
from testing.fake_telegram import Entity, FakeUser
from testing.offline import OfflineBot, offline_bot
from tests.conftest import make_event
from tests.signup_support import returning_user

FLOOD = 300


@pytest.fixture
async def started(settings, clock) -> AsyncIterator[OfflineBot]:
    async with offline_bot(settings, clock=clock, start=True) as running:
        yield running


def enqueue(bot: OfflineBot, user: FakeUser, text: str) -> None:
    """``user`` types ``text``; the update waits in the application's queue like a fetched one."""
    entities = [Entity("bot_command", 0, len(text.split()[0]))] if text.startswith("/") else []
    message = bot.api.record_incoming(user.chat_id, user.user_id, text=text, entities=entities)
    update = {"update_id": bot.api.next_update_id(), "message": message}
    bot.app.update_queue.put_nowait(Update.de_json(update, bot.app.bot))


def replies(bot: OfflineBot) -> list[int]:
    """Chats of the bot's successful sendMessage calls, in the order the fake received them."""
    return [int(c.params["chat_id"]) for c in bot.api.calls_to("sendMessage") if c.status == 200]


async def test_a_flood_from_one_account_does_not_delay_another(started, add_events):
    await add_events(make_event())
    flooder, other = started.user(1), started.user(2)
    for n in range(FLOOD):
        enqueue(started, flooder, f"Hallo {n}")
    enqueue(started, other, "/termine")  # behind all of them in the queue
    await started.app.update_queue.join()

    order = replies(started)
    # Before: one slot queue for everybody, so /termine came after the 300 (position 301).
    # Now at worst after what the flooder is allowed to hold (its answers and the notice);
    # how many of those go first depends on the event loop's scheduling, not on the flood.
    assert order.index(other.user_id) <= PER_PERSON + 1
    assert "Umbau statt Neubau" in other.last_text
    # The flooder: at most PER_PERSON answers and one "slow down", the rest dropped.
    flooder_texts = [m.text for m in flooder.messages]
    notices = [t for t in flooder_texts if t.startswith("Bitte schreiben Sie etwas langsamer")]
    assert len(notices) == 1
    assert len(flooder_texts) <= PER_PERSON + 1
    processor = started.app.update_processor
    assert isinstance(processor, FairUpdateProcessor)
    assert processor.dropped == FLOOD - PER_PERSON


async def test_one_persons_updates_are_answered_in_the_order_sent(started, add_events):
    await add_events(make_event())
    user = await returning_user(started, 3)
    commands = ["/termine", "/hilfe", "/abo", "/sprache", "/meine"]
    for command in commands:
        enqueue(started, user, command)
    await started.app.update_queue.join()
    texts = [m.text for m in user.messages]
    assert len(texts) == len(commands)
    assert "Umbau statt Neubau" in texts[0]
    assert "Deutsch" in " ".join(user.messages[3].button_labels)
    assert not any(t.startswith("Bitte schreiben Sie etwas langsamer") for t in texts)


async def test_the_slow_down_notice_is_sent_once_in_the_persons_language(started):
    jane = started.user(4, language_code="en")
    for n in range(PER_PERSON + 5):
        enqueue(started, jane, f"hello {n}")
    await started.app.update_queue.join()
    notices = [m.text for m in jane.messages if m.text.startswith("Please slow down")]
    assert len(notices) == 1
    assert "/help" in notices[0]
