"""``throughput`` and ``termine``: the real bot over loopback HTTP vs bare PTB bots.

Three bot processes per repeat, interleaved (real, same-calls, echo; then again), each against
a fresh loopback fake, all with PTB's real ``HTTPXRequest`` and the flood limiter lifted:

- **real** (:mod:`bench.botproc` ``lifted``): the Application of ``python run.py``.
  Mixed workload: each person repeats ``/termine`` → open a card → sign up → cancel →
  confirm (five updates a round), all people at once, closed loop: ``updates / second``.
  Then open-loop latency: updates offered evenly at :data:`LATENCY_LOAD` × that rate (a
  closed loop at saturation only measures its own queue), ``p99_ms`` of those. Then
  ``/termine`` alone, closed loop.
- **same_calls**: a bare PTB bot replaying, per update, the calls the real bot made for the
  same person's same update in this repeat (same texts and keyboards, nothing else); driven by
  the same people with the same updates. ``throughput.ratio`` = real ÷ same-calls.
- **echo**: a bare PTB echo bot, one reply per ``/termine``. ``termine.ratio`` = real ÷ echo.

Ratios are taken per repeat (the two runs next to each other in time) and the median over the
repeats is reported, with min and max.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from pathlib import Path

from bench.common import add_events, add_returning_users, bot_now, median, percentile, summary
from bench.loopback import Loopback, Person, loopback_bot
from bot.callbacks import Action
from storage.db import Database

EVENTS = 12  # more than one page of the list
VARIANTS = 5  # person n opens the card of the list's (n % 5 + 1)-th evening
LATENCY_LOAD = 0.3
LEARNERS = 900_000  # user ids of the people who learn the answer counts (and warm up)
ROUND = 5


def _round(person: Person, variant: int, step: int) -> dict:
    """The update of ``step`` (0-4) of a round, built from what the person sees now."""
    if step == 0:
        return person.text("/termine")
    if step == 1:
        return person.press_nth(Action.CARD, variant + 1)
    return person.press((Action.SIGN_UP, Action.CANCEL, Action.CANCEL_CONFIRM)[step - 2])


async def _learn(bot: Loopback) -> tuple[list[list[int]], list[Person]]:
    """One round per variant, each step until the chat is quiet: calls per (variant, step),
    and the learners (their rounds warm the bot up, and are replayed too)."""
    learners = [bot.person(LEARNERS + v) for v in range(VARIANTS)]

    async def one(variant: int) -> list[int]:
        person = learners[variant]
        return [await person.learn(_round(person, variant, step)) for step in range(ROUND)]

    return list(await asyncio.gather(*(one(v) for v in range(VARIANTS)))), learners


async def _closed_loop(
    people: list[Person], rounds: int, counts: list[list[int]], latencies: list[float]
) -> float:
    """Everybody at once, each update after the previous one was answered; updates/s."""

    async def one(n: int, person: Person) -> None:
        variant = n % VARIANTS
        for _ in range(rounds):
            for step in range(ROUND):
                update = _round(person, variant, step)
                latencies.append(await person.step(update, counts[variant][step]))

    started = time.monotonic()
    await asyncio.gather(*(one(n, p) for n, p in enumerate(people)))
    return rounds * ROUND * len(people) / (time.monotonic() - started)


async def _open_loop(
    people: list[Person], rate: float, updates: int, counts: list[list[int]]
) -> list[float]:
    """``updates`` updates offered at ``rate``/s, each from an idle person; latencies from the
    moment each was due (a late start counts against the bot)."""
    idle = collections.deque(enumerate(people))
    progress = collections.Counter[int]()
    latencies: list[float] = []
    returned = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()

    async def one(n: int, person: Person, due: float) -> None:
        step = progress[n] % ROUND
        update = _round(person, n % VARIANTS, step)
        await person.step(update, counts[n % VARIANTS][step])
        latencies.append(person.tracker.by_chat[person.chat_id][-1].at - due)
        progress[n] += 1
        idle.append((n, person))
        returned.set()

    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    for i in range(updates):
        due_loop = start + i / rate
        await asyncio.sleep(max(0.0, due_loop - loop.time()))
        while not idle:
            returned.clear()
            await returned.wait()
        n, person = idle.popleft()
        due = time.monotonic() - (loop.time() - due_loop)
        task = asyncio.create_task(one(n, person, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return latencies


async def _termine(people: list[Person], each: int, expected: int) -> float:
    """``/termine`` only, everybody at once, closed loop; updates/s."""

    async def one(person: Person) -> None:
        for _ in range(each):
            await person.step(person.text("/termine"), expected)

    started = time.monotonic()
    await asyncio.gather(*(one(p) for p in people))
    return each * len(people) / (time.monotonic() - started)


def _cpu_ms(bot: Loopback, before: float | None, updates: int) -> float | None:
    """The bot process's CPU milliseconds per update since ``before`` (``None`` off Linux)."""
    after = bot.cpu_seconds()
    if before is None or after is None:
        return None
    return (after - before) * 1000 / updates


async def _check_nothing_more(bot: Loopback, people: list[Person]) -> None:
    """Every answering call was counted: nothing arrives after the last step."""
    await asyncio.sleep(0.5)
    for person in people:
        expected = person.steps[-1][1] if person.steps else 0
        got = len(bot.tracker.by_chat[person.chat_id])
        if got != expected:
            raise AssertionError(f"chat {person.chat_id}: {got} calls, {expected} expected")
    refused = [c for c in bot.tracker.all if c.status >= 400]
    if refused:
        raise AssertionError(f"the fake refused calls: {refused[:3]}")


async def _prepare(folder: Path, crowd: int) -> Path:
    path = folder / "throughput.sqlite3"
    now = bot_now()
    db = await Database.open(path)
    await add_events(db, EVENTS, capacity=None, now=now)
    await add_returning_users(db, [*range(1, crowd + 1), *range(LEARNERS, LEARNERS + 10)], now)
    await db.close()
    return path


async def real_bot(folder: Path, people: int, rounds: int) -> dict:
    """The real bot: mixed closed loop, open-loop latency, /termine closed loop."""
    database = await _prepare(folder, people * 3)
    async with loopback_bot(folder, "lifted", database=str(database)) as bot:
        counts, learners = await _learn(bot)
        crowd = [bot.person(n + 1) for n in range(people)]
        saturated: list[float] = []
        rate = await _closed_loop(crowd, rounds, counts, saturated)
        others = [bot.person(n + 1) for n in range(people, 2 * people)]
        updates = min(len(saturated), 300)
        open_loop = await _open_loop(others, rate * LATENCY_LOAD, updates, counts)
        readers = [bot.person(n + 1) for n in range(2 * people, 3 * people)]
        cpu_before = bot.cpu_seconds()
        termine = await _termine(readers, rounds * ROUND, counts[0][0])
        termine_cpu = _cpu_ms(bot, cpu_before, rounds * ROUND * people)
        await _check_nothing_more(bot, [*learners, *crowd, *others, *readers])
        recorded = {p.chat_id: p.recorded_steps() for p in (*learners, *crowd)}
    return {
        "rate": rate,
        "counts": counts,
        "saturated": saturated,
        "open_loop": open_loop,
        "offered": rate * LATENCY_LOAD,
        "termine_rate": termine,
        "termine_cpu_ms": termine_cpu,
        "recorded": recorded,
    }


async def same_calls_bot(folder: Path, people: int, rounds: int, real: dict) -> float:
    """The bare bot replaying the real bot's calls of this repeat, driven the same way."""
    replay = folder / "replay.json"
    replay.write_text(json.dumps(real["recorded"]), encoding="utf-8")
    async with loopback_bot(folder, "same_calls", replay=str(replay)) as bot:
        counts, learners = await _learn(bot)
        if counts != real["counts"]:
            raise AssertionError(f"same-calls bot answered {counts}, real {real['counts']}")
        crowd = [bot.person(n + 1) for n in range(people)]
        rate = await _closed_loop(crowd, rounds, counts, [])
        await _check_nothing_more(bot, [*learners, *crowd])
        for person in crowd:  # what the people saw is what the real bot showed them
            if _comparable(person.recorded_steps()) != _comparable(
                real["recorded"][person.chat_id]
            ):
                raise AssertionError(f"chat {person.chat_id}: replay differs from the record")
    return rate


def _comparable(steps: list[list[dict]]) -> list[list[tuple]]:
    """Recorded steps without the query ids (a global counter of the fake: timing-dependent)."""
    return [
        [
            (
                c["method"],
                sorted((k, str(v)) for k, v in c["params"].items() if k != "callback_query_id"),
            )
            for c in step
        ]
        for step in steps
    ]


async def echo_bot(folder: Path, people: int, each: int) -> tuple[float, float | None]:
    """The bare echo bot: /termine answered with one message repeating it; updates/s and its
    process's CPU ms per update."""
    async with loopback_bot(folder, "echo") as bot:
        learners = [bot.person(LEARNERS + v) for v in range(VARIANTS)]
        expected = await asyncio.gather(*(p.learn(p.text("/termine")) for p in learners))
        if set(expected) != {1}:
            raise AssertionError(f"the echo bot answered with {expected} calls")
        readers = [bot.person(n + 1) for n in range(people)]
        cpu_before = bot.cpu_seconds()
        rate = await _termine(readers, each, 1)
        cpu = _cpu_ms(bot, cpu_before, each * people)
        await _check_nothing_more(bot, [*learners, *readers])
    return rate, cpu


async def run_throughput(folder: Path, people: int = 30, rounds: int = 4, repeats: int = 3):
    """Interleaved repeats of the three bots; returns the ``throughput`` and ``termine``
    entries of results.json."""
    reals, sames, echoes = [], [], []
    for repeat in range(repeats):
        here = folder / f"throughput-{repeat}"
        here.mkdir()
        real = await real_bot(here, people, rounds)
        reals.append(real)
        sames.append(await same_calls_bot(here, people, rounds, real))
        echoes.append(await echo_bot(here, people, rounds * ROUND))
    ms = 1000
    mixed = [r["rate"] / s for r, s in zip(reals, sames, strict=True)]
    termine = [r["termine_rate"] / e for r, (e, _) in zip(reals, echoes, strict=True)]
    cpus = [(r["termine_cpu_ms"], e) for r, (_, e) in zip(reals, echoes, strict=True)]
    cpu_ratios = [e / r for r, e in cpus if r and e]
    p99s = [percentile(r["open_loop"], 0.99) * ms for r in reals]
    p50s = [median(r["open_loop"]) * ms for r in reals]
    throughput = {
        "ratio": round(median(mixed), 3),
        "p99_ms": round(median(p99s), 1),
        "ratios": summary(mixed),
        "p99_ms_runs": summary(p99s),
        "p50_ms": round(median(p50s), 1),
        "bot_updates_per_s": summary([r["rate"] for r in reals]),
        "same_calls_updates_per_s": summary(sames),
        "latency_offered_updates_per_s": round(median([r["offered"] for r in reals]), 1),
        "latency_load": LATENCY_LOAD,
        "p99_ms_saturated": round(
            median([percentile(r["saturated"], 0.99) for r in reals]) * ms, 1
        ),
        "calls_per_update": round(sum(sum(c) for c in reals[0]["counts"]) / (VARIANTS * ROUND), 2),
        "people": people,
        "updates": people * rounds * ROUND,
        "repeats": repeats,
        "transport": "PTB HTTPXRequest -> loopback HTTP fake in another process",
    }
    termine_entry = {
        "ratio": round(median(termine), 3),
        "ratios": summary(termine),
        "bot_updates_per_s": summary([r["termine_rate"] for r in reals]),
        "echo_updates_per_s": summary([e for e, _ in echoes]),
        # The same comparison in CPU time of the two bot processes (echo ÷ real), which the
        # other load of a shared machine disturbs far less than updates per second.
        "cpu_ratio": round(median(cpu_ratios), 3) if cpu_ratios else None,
        "bot_cpu_ms_per_update": summary([r for r, e in cpus if r and e]) if cpu_ratios else None,
        "echo_cpu_ms_per_update": summary([e for r, e in cpus if r and e]) if cpu_ratios else None,
        "people": people,
        "updates": people * rounds * ROUND,
    }
    return throughput, termine_entry
