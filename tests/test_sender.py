"""The paced sender against the fake Telegram: the rate ceiling counted per second at the fake,
429 bursts, 5xx and timeouts, users who blocked the bot, copies, and the JobQueue wiring."""

from __future__ import annotations

import asyncio
import bisect
import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.context import BotData, OutboxKindEntry
from bot.sending.budget import TelegramBudget
from bot.sending.sender import (
    OutgoingMessage,
    backoff,
    drain_outbox,
)
from handlers.ui import way_on
from storage import outbox
from storage import users as user_store
from storage.db import Database
from testing.fake_telegram import RATE_LIMITED_METHODS, FakeBotApi
from testing.offline import OfflineBot
from tests.conftest import make_settings
from tests.outbox_support import FloodWaitApi, outbox_rows, running_bot

ECHO = "test_echo"  # an outbox kind only these tests use
COPY = "test_copy"


async def render_echo(data: BotData, lang: str, payload: dict[str, Any]) -> OutgoingMessage | None:
    """Test kind: the payload's text, or nothing when the payload says it is obsolete."""
    if payload.get("obsolete"):
        return None
    text = data.translator.text(lang, "card.title", title=payload["text"])
    return OutgoingMessage.html(text, way_on.to_events_in(data.translator, lang))  # no dead end


async def render_copy(data: BotData, lang: str, payload: dict[str, Any]) -> OutgoingMessage | None:
    """Test kind: a copy of a message, like the organisers' broadcasts."""
    return OutgoingMessage.copy(payload["from_chat_id"], payload["message_id"])


def add_test_kinds(bot: OfflineBot) -> None:
    """Give this bot's table of outbox kinds the test kinds (bot.app builds the real ones)."""
    bot.data.outbox_kinds[ECHO] = OutboxKindEntry(render_echo)
    bot.data.outbox_kinds[COPY] = OutboxKindEntry(render_copy)


async def queue(bot: OfflineBot, user_ids: list[int], kind: str = ECHO, **payload: Any) -> None:
    """One row per user, as a feature would write them (the commit wakes the sender)."""
    add_test_kinds(bot)
    now = bot.data.clock.now()

    def write(conn):
        for user_id in user_ids:
            outbox.enqueue(conn, user_id, kind, {"text": f"Hallo {user_id}", **payload}, now)

    await bot.data.db.write(write)


def send_times(bot: OfflineBot) -> list[float]:
    """When the fake received each successful bulk send (its monotonic clock)."""
    return [
        call.at
        for call in bot.api.calls
        if call.method in RATE_LIMITED_METHODS and call.status == 200
    ]


def busiest_second(times: list[float]) -> int:
    """The most sends in any window of one second (half-open, as the fake counts)."""
    return max(bisect.bisect_left(times, start + 1.0) - i for i, start in enumerate(times))


def quick_limiter() -> TelegramBudget:
    """The budget without ceilings or retries of answers (bulk 429s always reach the sender)."""
    return TelegramBudget(limit=0, group_limit=0, max_retries=0)


# --- pacing ----------------------------------------------------------------------------------


async def test_rate_ceiling_is_never_exceeded(tmp_path, clock):
    """The ceiling, counted by the fake Telegram. That the pace nearly reaches it is checked on
    the pacer's own clock (tests/test_pacer.py): in real seconds it depends on the machine."""
    rate = 100
    settings = make_settings(tmp_path, broadcast_rate=rate)
    async with running_bot(settings, clock) as bot:
        bot.api.enforce_rate(rate)  # the fake answers 429 to anything beyond the rate
        users = list(range(1, 151))
        await queue(bot, users)
        report = await drain_outbox(bot.app)
        times = send_times(bot)
        assert report.sent == len(users) and len(times) == len(users)
        assert bot.api.rate_429s == 0
        assert busiest_second(times) <= rate
        assert all(len(bot.api.messages(u)) == 1 for u in users)


async def test_pacing_spans_several_drains(tmp_path, clock):
    rate = 50
    settings = make_settings(tmp_path, broadcast_rate=rate)
    async with running_bot(settings, clock) as bot:
        bot.api.enforce_rate(rate)
        for batch in range(3):
            await queue(bot, list(range(batch * 20, batch * 20 + 20)))
            await drain_outbox(bot.app)
        assert bot.api.rate_429s == 0
        assert busiest_second(send_times(bot)) <= rate


# --- 429 --------------------------------------------------------------------------------------

# PTB's RetryAfter warns about its own int-or-timedelta attribute when it is constructed.
ignore_ptb_retry_after_warning = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


@ignore_ptb_retry_after_warning
async def test_a_burst_of_429s_pauses_all_bulk_sending_and_provokes_no_more(tmp_path, clock):
    settings = make_settings(tmp_path, broadcast_rate=200)
    api = FloodWaitApi()
    async with running_bot(settings, clock, api=api, rate_limiter=quick_limiter()) as bot:
        users = list(range(1, 9))
        await queue(bot, users)
        api.fail_next(3, 429, method="sendMessage", retry_after=1)
        report = await drain_outbox(bot.app)
        assert report.sent == len(users) and report.rate_limited == 3
        assert api.provoked == 0  # nothing was sent while Telegram said "wait"
        floods = [c.at for c in api.calls if c.status == 429]
        sends = [c.at for c in api.calls if c.method == "sendMessage"]
        assert len(floods) == 3
        for flood in floods:
            assert not [t for t in sends if flood < t < flood + 1.0]
        assert all(len(api.messages(u)) == 1 for u in users)
        rows = await outbox_rows(bot.data.db)
        assert [row["attempts"] for row in rows] == [1] * len(users)  # a 429 is no failure


# --- 5xx, timeouts, failures -----------------------------------------------------------------


@pytest.mark.parametrize("fault", [502, "timeout", "down"])
async def test_transient_failures_are_retried_with_backoff(bot, clock, fault):
    await queue(bot, [1])
    bot.api.fail_next(2, fault, method="sendMessage")
    first = await drain_outbox(bot.app)
    assert first.retried == 1 and bot.api.messages(1) == []
    [row] = await outbox_rows(bot.data.db)
    assert row["state"] == "pending" and row["attempts"] == 1

    assert (await drain_outbox(bot.app)).attempted == 0  # not due before the backoff
    clock.advance(backoff(1))
    assert (await drain_outbox(bot.app)).retried == 1
    clock.advance(backoff(2) - timedelta(seconds=1))
    assert (await drain_outbox(bot.app)).attempted == 0
    clock.advance(timedelta(seconds=1))
    assert (await drain_outbox(bot.app)).sent == 1
    assert len(bot.api.messages(1)) == 1
    [row] = await outbox_rows(bot.data.db)
    assert (row["state"], row["attempts"]) == ("sent", 3)


async def test_backoff_is_exponential_and_bounded():
    delays = [backoff(n) for n in range(1, 10)]
    assert delays[:3] == [timedelta(seconds=5), timedelta(seconds=15), timedelta(seconds=45)]
    assert max(delays) == timedelta(minutes=5)


async def test_a_transient_failure_ends_the_run_so_an_outage_is_not_hammered(bot, clock):
    await queue(bot, [1, 2, 3])
    bot.api.set_down()
    report = await drain_outbox(bot.app)
    assert report.attempted == 1
    assert len(bot.api.calls_to("sendMessage")) == 1
    bot.api.set_down(False)
    # The first success shows Telegram is back: the row waiting out its backoff goes too.
    assert (await drain_outbox(bot.app)).sent == 3


async def test_bad_request_fails_the_row_and_the_queue_goes_on(bot):
    await queue(bot, [1, 2])
    bot.api.fail_next(1, 400, method="sendMessage")
    report = await drain_outbox(bot.app)
    assert (report.failed, report.sent) == (1, 1)
    assert [row["state"] for row in await outbox_rows(bot.data.db)] == ["failed", "sent"]


async def test_obsolete_and_unknown_rows_are_closed_without_sending(bot, caplog):
    await queue(bot, [1], obsolete=True)
    await queue(bot, [2], kind="no_such_kind")
    await queue(bot, [3])
    caplog.set_level(logging.ERROR, logger="bot.sending.sender")
    report = await drain_outbox(bot.app)
    assert (report.obsolete, report.failed, report.sent) == (1, 1, 1)
    rows = await outbox_rows(bot.data.db)
    assert [(row["state"], row["error"]) for row in rows[:1]] == [("failed", "obsolete")]
    assert "not in the table of kinds" in rows[1]["error"]
    assert bot.api.messages(1) == [] and bot.api.messages(2) == []
    assert "could not be rendered" in caplog.text


# --- blocked users ---------------------------------------------------------------------------


async def test_blocked_user_is_marked_skipped_and_welcome_again_after_writing(bot, clock):
    user = bot.user(5)
    await user.send("/start")
    bot.api.block(5)
    await queue(bot, [5, 6])
    report = await drain_outbox(bot.app)
    assert (report.blocked, report.sent) == (1, 1)
    stored = await user_store.get_user(bot.data.db, 5)
    assert stored.blocked_at == clock.now()

    calls_before = len(bot.api.calls_to("sendMessage"))
    await queue(bot, [5])
    report = await drain_outbox(bot.app)
    assert report.attempted == 0  # skipped without asking Telegram
    assert len(bot.api.calls_to("sendMessage")) == calls_before
    assert [row["state"] for row in await outbox_rows(bot.data.db)] == [
        "blocked",
        "sent",
        "blocked",
    ]

    bot.api.unblock(5)
    await user.send("/start")  # they write again
    assert (await user_store.get_user(bot.data.db, 5)).blocked_at is None
    await queue(bot, [5])
    assert (await drain_outbox(bot.app)).sent == 1
    assert user.last_text == "Hallo 5"


# --- copies, concurrency, other processes, the JobQueue --------------------------------------


# A bare copy row (no audience in its payload): what broadcast rows queued before their label row
# (issue 23) still send; the broadcast tests check the row under today's copies.
@pytest.mark.dead_ends_expected
async def test_copies_a_message_as_written(bot):
    organiser = bot.user(1000)
    await organiser.send_photo(caption="Neue Termine <2027>")
    [photo] = bot.api.incoming(1000)
    await queue(bot, [7, 8], kind=COPY, from_chat_id=1000, message_id=photo.message_id)
    assert (await drain_outbox(bot.app)).sent == 2
    for chat in (7, 8):
        [copy] = bot.api.messages(chat)
        assert copy.method == "copyMessage"
        assert copy.photo_file_id is not None and copy.text == "Neue Termine <2027>"


async def test_only_one_drain_runs_at_a_time(bot):
    users = list(range(1, 11))
    await queue(bot, users)
    reports = await asyncio.gather(*(drain_outbox(bot.app) for _ in range(3)))
    assert sum(report.sent for report in reports) == len(users)
    assert all(len(bot.api.messages(u)) == 1 for u in users)


async def test_rows_written_by_another_process_are_sent(bot, clock, settings):
    add_test_kinds(bot)
    other = await Database.open(settings.database_path)  # e.g. run.py import
    try:

        def write(conn):
            outbox.enqueue(conn, 9, ECHO, {"text": "von nebenan"}, clock.now())

        await other.write(write)
    finally:
        await other.close()
    assert (await drain_outbox(bot.app)).sent == 1
    assert bot.api.last(9).text == "von nebenan"


async def test_running_bot_drains_on_its_own_and_after_a_commit(settings, clock):
    async with running_bot(settings, clock, start=True) as bot:
        add_test_kinds(bot)
        other = await Database.open(settings.database_path)
        try:

            def write(conn):
                outbox.enqueue(conn, 11, ECHO, {"text": "Heartbeat"}, clock.now())

            await other.write(write)
        finally:
            await other.close()
        for _ in range(100):  # the heartbeat runs every 2 s
            if bot.api.messages(11):
                break
            await asyncio.sleep(0.05)
        assert bot.api.last(11).text == "Heartbeat"

        await queue(bot, [12])  # the commit wakes the sender: no heartbeat needed
        for _ in range(40):
            if bot.api.messages(12):
                break
            await asyncio.sleep(0.05)
        assert bot.api.last(12).text == "Hallo 12"


class HeldApi(FakeBotApi):
    """Holds the bulk send to ``held`` until :attr:`release` is set: a drain stuck mid-way."""

    def __init__(self, held: int) -> None:
        super().__init__()
        self.held = held
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def answer_call(
        self, api_method: str, params: Any, files: Any, token: str | None = None
    ) -> tuple[int, bytes]:
        if api_method == "sendMessage" and int(params.get("chat_id", 0)) == self.held:
            self.holding.set()
            await self.release.wait()
        return await super().answer_call(api_method, params, files, token)


async def test_updates_are_answered_while_a_long_drain_runs(tmp_path, clock):
    """No timing: the drain is held in the middle of a send while the update is answered."""
    settings = make_settings(tmp_path, broadcast_rate=50)
    api = HeldApi(held=20)
    async with running_bot(settings, clock, api=api) as bot:
        await queue(bot, list(range(1, 41)))
        drain = asyncio.create_task(drain_outbox(bot.app))
        await asyncio.wait_for(api.holding.wait(), 30)  # a deadline, not a measurement
        [answer] = await asyncio.wait_for(bot.user(500).send("/termine"), 30)
        assert "Termine" in answer.text
        assert not drain.done() and len(api.messages(21)) == 0
        api.release.set()
        assert (await drain).sent == 40
