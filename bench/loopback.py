"""The loopback harness: the fake Bot API over HTTP in this process, the bot in another one.

This process plays Telegram: it serves the fake Bot API on 127.0.0.1 and queues the updates
simulated people make for the bot's getUpdates. The bot under test (:mod:`bench.botproc`) runs
in a child process, built and polling exactly as ``python run.py``, so its CPU and the fake's
are separate and the bot pays for PTB's real HTTP client path.

An update is answered when the fake has received the calls that answer it. How many those are
is learnt once per kind of step (:meth:`Person.learn`: until the chat has been quiet for a
moment); measured steps then wait for exactly that many calls, so the latency of an update is
the time from queueing it to the fake receiving its last answering call, getUpdates included.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.callbacks import unpack
from testing.fake_telegram import FakeBotApi, FakeUser, SentMessage
from testing.fake_telegram.http import LoopbackBotApi

ROOT = Path(__file__).resolve().parent.parent
QUIET = 0.25  # seconds without a call that end a step whose answer is not known yet
PRESS_QUIET = 2.0  # the same after a button press answered only by its pop-up so far
STEP_TIMEOUT = 120.0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float


class Tracker:
    """Calls per chat as the fake answers them, and waiters for a number of them."""

    def __init__(self) -> None:
        self.by_chat: defaultdict[int, list[Call]] = defaultdict(list)
        self.all: list[Call] = []
        self.query_chat: dict[str, int] = {}
        self._waiters: defaultdict[int, list[tuple[int, asyncio.Future[float]]]] = defaultdict(
            list
        )

    def __call__(self, method: str, params: dict[str, Any], status: int, at: float) -> None:
        call = Call(method, params, status, at)
        self.all.append(call)
        chat = self.chat_of(method, params)
        if chat is None:
            return
        calls = self.by_chat[chat]
        calls.append(call)
        waiting = self._waiters.get(chat)
        if waiting:
            for entry in list(waiting):
                count, future = entry
                if len(calls) >= count and not future.done():
                    future.set_result(at)
                    waiting.remove(entry)

    def chat_of(self, method: str, params: dict[str, Any]) -> int | None:
        if method == "answerCallbackQuery":
            return self.query_chat.get(str(params.get("callback_query_id")))
        try:
            return int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return None

    def until(self, chat: int, count: int) -> asyncio.Future[float]:
        """A future set to the answer time of the chat's ``count``-th call."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        calls = self.by_chat[chat]
        if len(calls) >= count:
            future.set_result(calls[count - 1].at)
        else:
            self._waiters[chat].append((count, future))
        return future

    def sent(self, method: str = "sendMessage") -> list[Call]:
        """Successful calls of ``method``, in order."""
        return [c for c in self.all if c.method == method and c.status == 200]

    def count_429(self) -> int:
        return sum(1 for c in self.all if c.status == 429)


@dataclass
class Person:
    """A Telegram user typing and pressing, the updates queued for the bot's getUpdates."""

    user: FakeUser
    tracker: Tracker
    api: FakeBotApi
    steps: list[tuple[int, int]] = field(default_factory=list)  # (first call, last call) index

    @property
    def chat_id(self) -> int:
        return self.user.chat_id

    def text(self, text: str) -> dict[str, Any]:
        return self.user.message_update(self.user, text)

    def press(self, action: str) -> dict[str, Any]:
        """The update of pressing the newest button of callback ``action``."""
        message, data = self.button(action)
        update = self.user.callback_update(self.user, data, message)
        self.tracker.query_chat[update["callback_query"]["id"]] = self.chat_id
        return update

    def button(self, action: str, nth: int = 1) -> tuple[SentMessage, str]:
        """The ``nth`` button of ``action`` on the newest message that has one."""
        for message in reversed(self.user.messages):
            found = [
                b.callback_data
                for row in message.buttons
                for b in row
                if b.callback_data and (c := unpack(b.callback_data)) and c.action == action
            ]
            if len(found) >= nth:
                return message, found[nth - 1]
        raise AssertionError(f"no {action!r} button in chat {self.chat_id}")

    def press_data(self, data: str) -> dict[str, Any]:
        """The update of pressing the newest button whose callback data is ``data``."""
        for message in reversed(self.user.messages):
            if any(b.callback_data == data for row in message.buttons for b in row):
                update = self.user.callback_update(self.user, data, message)
                self.tracker.query_chat[update["callback_query"]["id"]] = self.chat_id
                return update
        raise AssertionError(f"no button {data!r} in chat {self.chat_id}")

    def press_nth(self, action: str, nth: int) -> dict[str, Any]:
        message, data = self.button(action, nth)
        update = self.user.callback_update(self.user, data, message)
        self.tracker.query_chat[update["callback_query"]["id"]] = self.chat_id
        return update

    async def step(self, update: dict[str, Any], expected: int) -> float:
        """Queue ``update``, wait for its ``expected`` answering calls; returns the latency."""
        first = len(self.tracker.by_chat[self.chat_id])
        done = self.tracker.until(self.chat_id, first + expected)
        queued = time.monotonic()
        self.api.queue_update(update)
        answered = await asyncio.wait_for(done, STEP_TIMEOUT)
        self.steps.append((first, first + expected))
        return answered - queued

    async def learn(self, update: dict[str, Any]) -> int:
        """Queue ``update`` and wait until the chat is quiet; returns how many calls came."""
        calls = self.tracker.by_chat[self.chat_id]
        first = len(calls)
        self.api.queue_update(update)
        await asyncio.wait_for(self.tracker.until(self.chat_id, first + 1), STEP_TIMEOUT)

        # Quiet means no event at all, so there is nothing to wait on but the clock. A pressed
        # button answered only by its pop-up so far is still being answered (the card's edit
        # follows): on a loaded machine it came later than QUIET, so it waits PRESS_QUIET.
        def quiet() -> float:
            only_popup = all(c.method == "answerCallbackQuery" for c in calls[first:])
            return PRESS_QUIET if "callback_query" in update and only_popup else QUIET

        while time.monotonic() - calls[-1].at < quiet():  # noqa: ASYNC110
            await asyncio.sleep(QUIET / 4)
        self.steps.append((first, len(calls)))
        return len(calls) - first

    def recorded_steps(self) -> list[list[dict[str, Any]]]:
        """The calls answering each step so far, for the same-calls bot."""
        calls = self.tracker.by_chat[self.chat_id]
        return [
            [{"method": c.method, "params": c.params} for c in calls[a:b]] for a, b in self.steps
        ]


@dataclass
class Loopback:
    """A running fake (served on loopback) and the bot process using it."""

    api: FakeBotApi
    server: LoopbackBotApi
    tracker: Tracker
    process: subprocess.Popen[bytes]
    first_call_at: float

    def cpu_seconds(self) -> float | None:
        """CPU seconds the bot process has used so far (user + system; Linux ``/proc``, else
        ``None``): a figure other load on a shared machine disturbs far less than wall time."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def person(self, user_id: int, language: str = "de") -> Person:
        user = FakeUser(
            None, self.api, user_id, first_name=f"Gast{user_id}", language_code=language
        )
        return Person(user, self.tracker, self.api)


@contextlib.asynccontextmanager
async def loopback_bot(
    folder: Path, kind: str, *, rate: float | None = None, **config: Any
) -> AsyncIterator[Loopback]:
    """Serve a fresh fake, start the bot process of ``kind`` on it, and yield once it polls.

    ``rate``: the fake answers 429 beyond this many messages a second (Telegram's ~30/s).
    ``config``: passed to :mod:`bench.botproc` (database, settings, replay, admin_ids).
    """
    api = FakeBotApi()
    api.enforce_rate(rate)
    server = LoopbackBotApi(api)
    tracker = Tracker()
    server.listeners.append(tracker)
    polling = asyncio.get_running_loop().create_future()

    def on_poll(method: str, params: dict[str, Any], status: int, at: float) -> None:
        if method == "getUpdates" and not polling.done():
            polling.set_result(at)

    server.listeners.append(on_poll)
    await server.start()
    config_path = folder / f"botproc-{kind}-{server.port}.json"
    config_path.write_text(
        json.dumps({"kind": kind, "base_url": server.base_url, **config}), encoding="utf-8"
    )
    log = (folder / f"botproc-{kind}-{server.port}.log").open("wb")
    process = subprocess.Popen(  # noqa: ASYNC220 (starting it does not block; waits are threads)
        [sys.executable, "-m", "bench.botproc", str(config_path)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        started = time.monotonic()
        while not polling.done():
            if process.poll() is not None:
                log.flush()
                output = Path(log.name).read_text(errors="replace")[-3000:]  # noqa: ASYNC240
                raise RuntimeError(f"bot process {kind} ended: {output}")
            if time.monotonic() - started > 60:
                raise RuntimeError(f"bot process {kind} did not start polling within 60 s")
            await asyncio.sleep(0.05)
        first = tracker.all[0].at if tracker.all else time.monotonic()
        yield Loopback(api, server, tracker, process, first)
    finally:
        if process.poll() is None:
            api.end_long_polls()  # else the stopping bot first sits out its long poll (1 s)
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 30)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
        log.close()
        await server.stop()
