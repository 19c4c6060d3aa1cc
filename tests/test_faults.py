"""Fault tolerance against the fake Bot API (issue 6.3): flood control, server errors,
timeouts, an outage, blocked users. The bot keeps serving, answers everything once Telegram is
back, and loses nothing that was already decided (the database is the record, messages are
only the report)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.callbacks import Action
from bot.sending.sender import drain_outbox
from domain.notices import PROMOTION_SETTLE
from storage import registrations as registration_store
from storage import users as user_store
from testing.fake_telegram import Entity, FakeBotApi
from testing.offline import OfflineBot, offline_bot, press_action
from tests.conftest import ADMIN_ID, NOW, frozen_clock, make_event, make_settings

IGNORE_RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


def sent_ok(api: FakeBotApi, method: str = "sendMessage") -> list[int]:
    """Chat ids of successful calls of ``method``."""
    return [int(c.params["chat_id"]) for c in api.calls_to(method) if c.status == 200]


def statuses(api: FakeBotApi, method: str = "sendMessage") -> list[int | str]:
    return [c.status for c in api.calls_to(method)]


def alerts(api: FakeBotApi) -> list[str]:
    return [m.text for m in api.messages(ADMIN_ID)]


# --- one update at a time (process_update directly) -------------------------------------------


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_429_is_waited_out_and_the_answer_arrives(bot, add_events):
    await add_events(make_event("a-1"))
    user = bot.user(1)
    bot.api.fail_next(1, 429, method="sendMessage", retry_after=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    answers = await user.send("/termine")
    assert loop.time() - started >= 1.0  # retry_after honoured, not hammered
    assert statuses(bot.api) == [429, 200]
    assert "Umbau statt Neubau" in answers[-1].text
    assert alerts(bot.api) == []


@pytest.mark.parametrize("fault", [500, 502, "timeout", "down"])
async def test_a_failed_reply_gets_an_apology_and_the_bot_keeps_serving(bot, add_events, fault):
    await add_events(make_event("a-1"))
    user = bot.user(2)
    bot.api.fail_next(1, fault, method="sendMessage")
    await user.send("/termine")
    assert user.last_text.startswith("Entschuldigung")  # the next call (the apology) went out
    assert alerts(bot.api) == []  # transport trouble is not an organiser alert
    answers = await user.send("/termine")
    assert "Umbau statt Neubau" in answers[-1].text
    other = bot.user(3)
    assert "Umbau statt Neubau" in (await other.send("/termine"))[-1].text


async def test_failed_button_answer_does_not_break_the_card(bot, add_events):
    await add_events(make_event("a-1"))
    user = bot.user(4)
    await user.send("/termine")
    bot.api.fail_next(1, 502, method="answerCallbackQuery")
    await user.press("Umbau")
    await user.send("/termine")
    answers = await user.press("Umbau")
    assert "noch 80 Plätze frei" in answers[-1].text


async def test_blocked_user_is_marked_and_unmarked_when_writing_again(bot):
    user = bot.user(5)
    await user.send("/start")
    bot.api.block(5)
    await user.send("/hilfe")
    db = bot.data.db
    assert await db.fetch_value("SELECT blocked_at FROM users WHERE id = 5") is not None
    assert alerts(bot.api) == []
    # Others are served meanwhile.
    assert "Willkommen" in (await bot.user(6).send("/start"))[-1].text
    bot.api.unblock(5)
    await user.send("/hilfe")
    assert await db.fetch_value("SELECT blocked_at FROM users WHERE id = 5") is None
    assert "/termine" in user.last_text


async def test_errors_during_an_outage_are_not_an_alert_storm(bot, clock):
    users = [bot.user(10 + n) for n in range(5)]
    bot.api.set_down(True)
    for user in users:
        await user.send("/start")  # answers and apologies fail: nothing reaches anyone
    bot.api.set_down(False)
    assert alerts(bot.api) == []
    for user in users:
        assert "Willkommen" in (await user.send("/start"))[-1].text


# --- polling: what a real outage looks like -----------------------------------------------------


@pytest.fixture
async def polling_bot(tmp_path: Path) -> AsyncIterator[OfflineBot]:
    """The started bot, fetching updates from the fake by long polling as in production."""
    clock = frozen_clock()
    async with offline_bot(make_settings(tmp_path), clock=clock, start=True) as running:
        running.clock = clock  # type: ignore[attr-defined]
        await running.app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield running
        finally:
            await running.app.updater.stop()


def queue_command(api: FakeBotApi, user_id: int, text: str) -> None:
    """A user types ``text``; Telegram keeps it until the bot fetches it."""
    api.register_user(
        {"id": user_id, "is_bot": False, "first_name": "Gast", "language_code": "de"}
    )
    message = api.record_incoming(
        user_id, user_id, text=text, entities=[Entity("bot_command", 0, len(text.split()[0]))]
    )
    api.queue_update({"message": message})


async def eventually(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait (really) until ``condition()`` holds."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (polls the fake, which has no events)
            await asyncio.sleep(0.05)


async def test_thirty_seconds_unreachable_then_everything_is_answered(polling_bot):
    api = polling_bot.api
    queue_command(api, 1, "/start")
    await eventually(lambda: bool(api.messages(1)))

    api.set_down(True)  # Telegram unreachable: getUpdates and every send fail
    polling_bot.clock.advance(timedelta(seconds=30))  # the outage, on the bot's clock
    users = range(100, 140)
    for user_id in users:  # people keep writing; Telegram holds their updates
        queue_command(api, user_id, "/start")
    await eventually(lambda: any(c.status == "down" for c in api.calls_to("getUpdates")))
    await asyncio.sleep(1.5)  # a few failed polls (PTB backs off 1 s, 1.5 s, …)
    assert all(not api.messages(user_id) for user_id in users)

    api.set_down(False)
    await eventually(lambda: all(api.messages(user_id) for user_id in users))
    for user_id in users:
        (answer,) = api.messages(user_id)  # exactly one answer each: nothing twice
        assert "Willkommen" in answer.text
    assert api.rejections == []
    assert alerts(api) == []


async def test_server_errors_on_get_updates_lose_nothing(polling_bot):
    api = polling_bot.api
    api.fail_next(1, 502, method="getUpdates")
    api.fail_next(1, "timeout", method="getUpdates")
    api.fail_next(1, 500, method="getUpdates")
    for user_id in range(200, 210):
        queue_command(api, user_id, "/hilfe")
    await eventually(lambda: all(api.messages(u) for u in range(200, 210)))
    assert [len(api.messages(u)) for u in range(200, 210)] == [1] * 10
    assert {502, "timeout", 500} <= set(statuses(api, "getUpdates"))


# --- nothing decided is lost: the database is the record, the outbox retries ------------------


async def sign_up_directly(bot: OfflineBot, user_id: int, event_id: str) -> None:
    """A returning person (name and consent given) signs up through the real handlers."""
    db, now = bot.data.db, bot.data.clock.now()
    await user_store.ensure_user(db, user_id, "de", now)
    await user_store.set_display_name(db, user_id, f"Gast {user_id}")
    await user_store.give_consent(db, user_id, now)
    user = bot.user(user_id)
    await user.send(f"/start ev_{event_id}")
    await press_action(user, Action.SIGN_UP)


@pytest.mark.parametrize("fault", [500, 502, "timeout", "down"])
async def test_sign_up_is_kept_when_the_confirmation_cannot_be_sent(bot, add_events, fault):
    await add_events(make_event("a-1", capacity=5))
    db = bot.data.db
    await user_store.ensure_user(db, 20, "de", NOW)
    await user_store.set_display_name(db, 20, "Erika")
    await user_store.give_consent(db, 20, NOW)
    user = bot.user(20)
    await user.send("/start ev_a-1")
    bot.api.fail_next(10, fault)  # everything the bot tries now fails, apology included
    await press_action(user, Action.SIGN_UP)
    status = await db.fetch_value(
        "SELECT status FROM registrations WHERE user_id = 20 AND event_id = 'a-1'"
    )
    assert status == "confirmed"
    bot.api._faults.clear()  # end the outage (the fake has no public call for it)
    answers = await user.send("/meine")
    assert "Umbau statt Neubau" in answers[-1].text
    await user.send("/start ev_a-1")
    await press_action(user, Action.SIGN_UP)  # pressing again is harmless
    assert await db.fetch_value("SELECT count(*) FROM registrations WHERE user_id = 20") == 1


async def test_outbox_rows_survive_a_thirty_second_outage(bot, add_events, clock):
    """A seat freed while Telegram is unreachable: the promotion is queued in the same
    transaction, retried with backoff on the bot's clock, and delivered exactly once."""
    await add_events(make_event("a-1", capacity=1))
    await sign_up_directly(bot, 30, "a-1")
    await sign_up_directly(bot, 31, "a-1")  # waitlisted
    db = bot.data.db
    holder = bot.user(30)

    before_outage = bot.api.marker()
    bot.api.set_down(True)
    outage_ends = clock.now() + timedelta(seconds=30)
    await holder.send("/meine")  # nothing arrives: Telegram is down
    registration_id = await db.fetch_value(
        "SELECT id FROM registrations WHERE user_id = 30 AND status = 'confirmed'"
    )
    cancelled = await registration_store.cancel(db, registration_id, 30, clock.now())
    assert cancelled.promoted_user_ids == (31,)
    reports = []
    while clock.now() < outage_ends:  # the heartbeat keeps trying during the outage
        reports.append(await drain_outbox(bot.app))
        clock.advance(timedelta(seconds=2))
    assert sum(r.retried for r in reports) >= 2 and sum(r.sent for r in reports) == 0
    assert await db.fetch_value("SELECT state FROM outbox WHERE user_id = 31") == "pending"

    bot.api.set_down(False)
    for _ in range(120):  # at most two minutes of heartbeats after the outage
        if (await drain_outbox(bot.app)).sent:
            break
        clock.advance(timedelta(seconds=2))
    assert await db.fetch_value("SELECT state FROM outbox WHERE user_id = 31") == "sent"
    (promotion,) = bot.api.sent_since(before_outage, 31)  # exactly once
    assert "Umbau statt Neubau" in promotion.text
    assert (await drain_outbox(bot.app)).attempted == 0  # nothing left, nothing sent again


async def test_blocked_recipient_is_skipped_and_others_still_get_theirs(bot, add_events, clock):
    await add_events(make_event("a-1", capacity=1))
    await sign_up_directly(bot, 40, "a-1")
    await sign_up_directly(bot, 41, "a-1")  # waitlisted, then blocks the bot
    bot.api.block(41)
    registration_id = await bot.data.db.fetch_value(
        "SELECT id FROM registrations WHERE user_id = 40"
    )
    await registration_store.cancel(bot.data.db, registration_id, 40, NOW)
    clock.advance(PROMOTION_SETTLE)  # a promotion is told once it has settled
    report = await drain_outbox(bot.app)
    assert report.blocked == 1
    assert await bot.data.db.fetch_value("SELECT blocked_at FROM users WHERE id = 41")
    assert "Willkommen" in (await bot.user(42).send("/start"))[-1].text
