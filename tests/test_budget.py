"""One shared Telegram budget (issue 14): answers to people first, bulk takes what is left, a
429 pauses bulk only, per-group limits kept. End to end through the real Application with the
production budget against a fake Telegram that enforces 30 messages a second; the budget's
priorities also on their own, with calls held open by the test (order, never durations)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.app import production_rate_limiter
from bot.sending.budget import BULK, TelegramBudget
from bot.sending.sender import drain_outbox
from testing.fake_telegram import RATE_LIMITED_METHODS
from tests.conftest import make_event, make_settings
from tests.outbox_support import FloodWaitApi, running_bot
from tests.test_sender import busiest_second, queue

IGNORE_RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)
TELEGRAM_LIMIT = 30


async def eventually(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait (really) until ``condition()`` holds."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (polls the fake, which has no events)
            await asyncio.sleep(0.01)


# --- end to end -------------------------------------------------------------------------------


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_broadcast_rate_30_and_people_chatting_get_no_429(tmp_path, clock):
    """BROADCAST_RATE=30 is Telegram's whole budget: before, bulk filled it and every answer to a
    person pushed the bot over (429s); now bulk leaves room and yields to answers."""
    settings = make_settings(tmp_path, broadcast_rate=TELEGRAM_LIMIT)
    api = FloodWaitApi()  # like Telegram: a 429 means a flood wait for everything
    limiter = production_rate_limiter(settings)
    async with running_bot(settings, clock, api=api, rate_limiter=limiter) as bot:
        bot.api.enforce_rate(TELEGRAM_LIMIT)
        recipients = list(range(1, 61))  # two seconds of bulk at full budget
        await queue(bot, recipients)
        people = [bot.user(900 + n) for n in range(6)]

        async def chatter() -> list:
            answers = []
            for _ in range(5):
                answers += await asyncio.gather(*(person.send("/termine") for person in people))
                await asyncio.sleep(0.1)
            return answers

        report, answers = await asyncio.gather(drain_outbox(bot.app), chatter())
        assert api.rate_429s == 0 and api.provoked == 0
        assert report.sent == len(recipients) and report.rate_limited == 0
        assert all(len(api.messages(u)) == 1 for u in recipients)
        assert all(len(answer) == 1 and "Termine" in answer[0].text for answer in answers)
        sends = [c.at for c in api.calls if c.method in RATE_LIMITED_METHODS and c.status == 200]
        assert len(sends) == len(recipients) + len(answers)
        assert busiest_second(sends) <= TELEGRAM_LIMIT


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_a_bulk_429_pauses_bulk_only_and_answers_keep_going(tmp_path, clock, add_events):
    """Before, PTB's limiter halted every request for retry_after after a bulk 429, so a
    person's /termine waited for the flood wait to end; now it is answered meanwhile."""
    settings = make_settings(tmp_path, broadcast_rate=TELEGRAM_LIMIT)
    limiter = production_rate_limiter(settings)
    async with running_bot(settings, clock, rate_limiter=limiter) as bot:
        api = bot.api
        await queue(bot, [1, 2, 3])
        api.fail_next(1, 429, method="sendMessage", retry_after=3)
        drain = asyncio.create_task(drain_outbox(bot.app))
        await eventually(lambda: any(call.status == 429 for call in api.calls))
        [answer] = await bot.user(500).send("/termine")
        assert "Termine" in answer.text
        assert not drain.done()  # bulk is still waiting out its flood wait
        report = await drain
        assert report.sent == 3 and report.rate_limited == 1
        order = [
            (int(call.params["chat_id"]), call.status) for call in api.calls_to("sendMessage")
        ]
        flood, reply = order.index((1, 429)), order.index((500, 200))
        next_bulk = order.index((1, 200))
        assert flood < reply < next_bulk  # the answer went out during the bulk pause
        assert [len(api.messages(u)) for u in (1, 2, 3)] == [1, 1, 1]


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_an_answers_own_429_is_retried_and_holds_no_other_answer(bot, add_events):
    await add_events(make_event())
    api = bot.api
    api.fail_next(1, 429, method="sendMessage", retry_after=2)
    first = asyncio.create_task(bot.user(1).send("/termine"))
    await eventually(lambda: any(call.status == 429 for call in api.calls))
    [other] = await bot.user(2).send("/hilfe")  # another person, meanwhile
    assert not first.done()
    [answer] = await first
    assert "Umbau statt Neubau" in answer.text and other.text
    chats = [(int(c.params["chat_id"]), c.status) for c in api.calls_to("sendMessage")]
    assert chats == [(1, 429), (2, 200), (1, 200)]


# --- the budget's priorities, calls held open by the test --------------------------------------


class HeldCalls:
    """Bot API calls that start when the budget lets them and end when the test says so."""

    def __init__(self, budget: TelegramBudget) -> None:
        self.budget = budget
        self.started: list[str] = []
        self._release: dict[str, asyncio.Event] = {}
        self.tasks: list[asyncio.Task] = []

    def call(self, name: str, chat_id: int, rate_limit_args: str | None = None) -> None:
        release = self._release[name] = asyncio.Event()

        async def callback() -> bool:
            self.started.append(name)
            await release.wait()
            return True

        self.tasks.append(
            asyncio.create_task(
                self.budget.process_request(
                    callback, (), {}, "sendMessage", {"chat_id": chat_id}, rate_limit_args
                )
            )
        )

    def finish(self, name: str) -> None:
        self._release[name].set()

    async def settle(self) -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    async def finish_all(self) -> None:
        for release in self._release.values():
            release.set()
        await asyncio.gather(*self.tasks)


async def test_bulk_leaves_headroom_and_answers_go_first():
    # Held calls fill the window by being in flight; the clock plays no part until they end.
    calls = HeldCalls(TelegramBudget(limit=4, period=0.05, bulk_headroom=1))
    for n in range(4):
        calls.call(f"bulk-{n}", n + 1, BULK)
    await calls.settle()
    assert calls.started == ["bulk-0", "bulk-1", "bulk-2"]  # one slot kept for answers
    calls.call("answer-a", 100)
    await calls.settle()
    assert calls.started[-1] == "answer-a"  # at once, no bulk in front of it
    calls.call("answer-b", 101)  # the window is full now: it waits, and so does bulk-3
    await calls.settle()
    assert "answer-b" not in calls.started
    await calls.finish_all()  # slots free one by one: the waiting answer before waiting bulk
    assert calls.started.index("answer-b") < calls.started.index("bulk-3")


async def test_a_429_pauses_bulk_but_not_answers():
    budget = TelegramBudget(limit=0, group_limit=0)
    budget.pause_bulk(3600)
    calls = HeldCalls(budget)
    calls.call("bulk", 1, BULK)
    calls.call("answer", 2)
    await calls.settle()
    assert calls.started == ["answer"]
    budget.bulk_paused_until = 0.0
    calls.call("answer-2", 3)  # any release looks again
    calls.finish("answer")
    await calls.settle()
    assert "bulk" in calls.started
    await calls.finish_all()


async def test_twenty_a_minute_per_group_and_other_chats_unaffected():
    calls = HeldCalls(TelegramBudget(limit=0, group_limit=2, group_period=60))
    for n in range(3):
        calls.call(f"group-{n}", -100123)
    calls.call("other-group", -100456)
    calls.call("private", 7)
    await calls.settle()
    assert sorted(calls.started) == ["group-0", "group-1", "other-group", "private"]
    calls.finish("group-0")  # finished, but still counted for a minute
    await calls.settle()
    assert "group-2" not in calls.started
    calls.tasks[2].cancel()  # it would start a minute after group-0 ended
    for name in ("group-1", "other-group", "private"):
        calls.finish(name)
    await asyncio.gather(*(calls.tasks[i] for i in (0, 1, 3, 4)))
