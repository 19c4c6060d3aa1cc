"""(a) Mixed workload through the real bot versus a bare PTB echo bot on the same fake.

Each simulated person repeats: ``/termine`` → open a card → sign up → cancel → confirm, five
updates per round. Updates go straight into ``Application.process_update`` (as PTB's update
fetcher hands them over); an update's latency is the time until the bot finished handling it,
its API calls included.

- **Throughput** (saturation): all people at once (``asyncio.gather``), as fast as they go;
  the echo bot gets the same number of text messages from the same number of people.
- **Latency**: measured open-loop at a steady offered load (:data:`LATENCY_LOAD` × the
  saturation throughput of the same run, arrivals evenly spaced, spread over many people);
  the median over the repeats is reported, so one run disturbed by a neighbour does not
  decide. At saturation a closed loop of N people only measures the queue (latency ≈ N ×
  service time), so those figures are reported separately as ``*_saturated``.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import (
    add_events,
    add_returning_users,
    bench_settings,
    clock,
    median,
    percentile,
)
from bot.callbacks import Action
from testing.fake_telegram import FakeBotApi, FakeUser
from testing.offline import offline_bot, press_action

EVENTS = 12  # more than one page of the list
LATENCY_LOAD = 0.3  # offered load of the latency phase, as a fraction of measured capacity


class Timer:
    """Collects the duration of every update."""

    def __init__(self) -> None:
        self.latencies: list[float] = []

    async def __call__(self, step) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        await step
        self.latencies.append(time.perf_counter() - started)


async def _person(user: FakeUser, rounds: int, timer: Timer, page_button: int) -> None:
    for _ in range(rounds):
        await timer(user.send("/termine"))
        await timer(user.press(page_button))
        await timer(press_action(user, Action.SIGN_UP))
        await timer(press_action(user, Action.CANCEL))
        await timer(press_action(user, Action.CANCEL_CONFIRM))


def _steps(user: FakeUser, page_button: int) -> list:
    """One round of a person, as callables (each makes one update)."""
    return [
        lambda: user.send("/termine"),
        lambda: user.press(page_button),
        lambda: press_action(user, Action.SIGN_UP),
        lambda: press_action(user, Action.CANCEL),
        lambda: press_action(user, Action.CANCEL_CONFIRM),
    ]


async def _open_loop(users: list[FakeUser], rate: float, updates: int) -> list[float]:
    """Offer ``updates`` updates at ``rate`` per second, each from an idle person, and return
    their latencies (from the moment each was due, so a late start counts against the bot)."""
    loop = asyncio.get_running_loop()
    idle: collections.deque[tuple[FakeUser, int]] = collections.deque(
        (user, n) for n, user in enumerate(users)
    )
    progress = dict.fromkeys(range(len(users)), 0)
    latencies: list[float] = []
    returned = asyncio.Event()
    tasks = set()

    async def one(user: FakeUser, n: int, due: float) -> None:
        steps = _steps(user, 1 + n % 5)
        await steps[progress[n] % len(steps)]()
        latencies.append(loop.time() - due)
        progress[n] += 1
        idle.append((user, n))
        returned.set()

    start = loop.time() + 0.01
    for i in range(updates):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        while not idle:  # everyone busy: the bot cannot keep up with the offered load
            returned.clear()
            await returned.wait()
        user, n = idle.popleft()
        task = asyncio.create_task(one(user, n, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return latencies


async def measure_bot(
    folder: Path, people: int, rounds: int, latency_load: float = LATENCY_LOAD
) -> tuple[float, list[float], list[float], float]:
    """The real bot: saturation throughput and latencies, then open-loop latencies at
    ``latency_load`` × that throughput. Returns (updates/s, saturated latencies, open-loop
    latencies, offered rate)."""
    async with offline_bot(bench_settings(folder), clock=clock()) as bot:
        await add_events(bot.data.db, EVENTS, capacity=None)
        crowd = max(people * 4, 40)
        await add_returning_users(bot.data.db, range(1, crowd + 2))
        warm = bot.user(crowd + 1)  # one round first: imports, caches, prepared statements
        await _person(warm, 1, Timer(), 1)
        users = [bot.user(n + 1) for n in range(people)]
        timer = Timer()
        started = time.perf_counter()
        await asyncio.gather(*(_person(u, rounds, timer, 1 + n % 5) for n, u in enumerate(users)))
        elapsed = time.perf_counter() - started
        rate = len(timer.latencies) / elapsed
        offered = rate * latency_load
        others = [bot.user(n + 1) for n in range(people, crowd)]
        # The fake keeps every message and call of the run in memory (a production bot keeps
        # none of it); freeze that heap so that a full collection of the harness's records,
        # ~50 ms here, does not land in the latency figures.
        gc.collect()
        gc.freeze()
        open_loop = await _open_loop(others, offered, len(timer.latencies)) if latency_load else []
        assert not bot.api.rejections, bot.api.rejections[:3]
    gc.unfreeze()
    return rate, timer.latencies, open_loop, offered


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The echo bot's only handler."""
    await update.message.reply_text(update.message.text)


def echo_application(api: FakeBotApi) -> Application:
    """A bare python-telegram-bot echo bot: no rate limiter, no database, one handler."""
    application = (
        ApplicationBuilder()
        .token("0:echo")
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return application


async def measure_echo(people: int, updates_each: int) -> tuple[float, list[float]]:
    """Updates per second and latencies of the echo bot."""
    api = FakeBotApi()
    application = echo_application(api)
    await application.initialize()
    try:
        warm = FakeUser(application, api, people + 1)
        for _ in range(5):
            await warm.send("warm up")
        users = [FakeUser(application, api, n + 1) for n in range(people)]
        timer = Timer()

        async def person(user: FakeUser) -> None:
            for n in range(updates_each):
                await timer(user.send(f"Hallo {n}"))

        started = time.perf_counter()
        await asyncio.gather(*(person(u) for u in users))
        elapsed = time.perf_counter() - started
        assert not api.rejections
    finally:
        await application.shutdown()
    return len(timer.latencies) / elapsed, timer.latencies


async def run_throughput(people: int = 50, rounds: int = 4, repeats: int = 2) -> dict:
    """Both bots, interleaved ``repeats`` times; the best run of each counts (least noise)."""
    bot_runs, echo_runs = [], []
    for _ in range(repeats):
        echo_runs.append(await measure_echo(people, rounds * 5))
        with tempfile.TemporaryDirectory() as folder:
            bot_runs.append(await measure_bot(Path(folder), people, rounds))
    bot_rate, saturated, _, _ = max(bot_runs, key=lambda run: run[0])
    echo_rate, echo_latencies = max(echo_runs, key=lambda run: run[0])
    # Latency: the run with the median p99 (one disturbed run does not decide either way).
    by_p99 = sorted(bot_runs, key=lambda run: percentile(run[2], 0.99))
    _, _, open_loop, offered = by_p99[len(by_p99) // 2]
    ms = 1000
    return {
        "bot_updates_per_s": round(bot_rate, 1),
        "echo_updates_per_s": round(echo_rate, 1),
        "ratio": round(bot_rate / echo_rate, 3),
        "p50_ms": round(median(open_loop) * ms, 2),
        "p99_ms": round(percentile(open_loop, 0.99) * ms, 2),
        "latency_offered_updates_per_s": round(offered, 1),
        "latency_load": LATENCY_LOAD,
        "p50_ms_saturated": round(median(saturated) * ms, 2),
        "p99_ms_saturated": round(percentile(saturated, 0.99) * ms, 2),
        "echo_p50_ms": round(median(echo_latencies) * ms, 2),
        "echo_p99_ms": round(percentile(echo_latencies, 0.99) * ms, 2),
        "concurrent_users": people,
        "updates": len(saturated),
    }
