"""The pacer on its own clock (issue 19): the rate ceiling is kept and nearly reached, counted in
the pacer's seconds, so the check holds whatever the speed or load of the machine. Sends, their
durations and stalls are played on a virtual clock; nothing here waits for real time."""

from __future__ import annotations

import asyncio
import bisect
import itertools

import pytest

from bot.pacer import CATCH_UP, Pacer


class VirtualClock:
    """Seconds that pass only when the pacer sleeps or a simulated call takes time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is


async def send_paced(pacer: Pacer, clock: VirtualClock, durations: list[float]) -> list[float]:
    """One drain as bot.sending.sender runs it: a turn, the call (taking ``durations[i]`` seconds),
    finished. Returns when each call reached Telegram, on the pacer's clock."""
    arrivals = []
    pacer.start_run()
    for duration in durations:
        await pacer.turn()
        arrivals.append(clock.time())
        clock.now += duration
        pacer.finished()
    return arrivals


def busiest_second(times: list[float]) -> int:
    """The most sends in any window of one second (half-open, as Telegram counts)."""
    return max(bisect.bisect_left(times, start + 1.0) - i for i, start in enumerate(times))


def overall_rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0])


@pytest.mark.parametrize("duration", [0.0, 0.004, 0.009])  # a call within its slot
async def test_rate_ceiling_is_never_exceeded_and_nearly_reached(duration):
    rate = 100
    clock = VirtualClock()
    times = await send_paced(Pacer(rate, clock), clock, [duration] * 350)
    assert busiest_second(times) <= rate
    assert overall_rate(times) >= 0.95 * rate, overall_rate(times)


async def test_a_stalled_machine_is_made_up_for_without_breaking_the_ceiling():
    """Calls that take far longer now and then (a slow disk, a busy machine): the lost time is
    made up by sending sooner, never more than ``rate`` in a second."""
    rate = 50
    clock = VirtualClock()
    durations = [0.4 if n % 25 == 7 else 0.002 for n in range(300)]
    times = await send_paced(Pacer(rate, clock), clock, durations)
    assert busiest_second(times) <= rate
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) < 1 / rate  # it did catch up after a stall …
    assert busiest_second(times) >= rate * (1 - CATCH_UP)  # … by sending sooner, for a while


async def test_spacing_is_even_and_idle_time_is_no_credit_for_a_burst():
    rate = 20
    clock = VirtualClock()
    pacer = Pacer(rate, clock)
    first = await send_paced(pacer, clock, [0.0] * 10)
    assert [round(b - a, 9) for a, b in itertools.pairwise(first)] == [0.05] * 9
    clock.now += 3600  # an hour without sending
    second = await send_paced(pacer, clock, [0.0] * 10)
    assert busiest_second(second) == rate / 2 and overall_rate(second) == pytest.approx(rate)


async def test_a_429_pause_holds_every_send_and_allows_no_burst_after_it():
    rate = 100
    clock = VirtualClock()
    pacer = Pacer(rate, clock)
    before = await send_paced(pacer, clock, [0.001] * 5)
    pacer.pause(2.0)
    paused_at = clock.time()
    after = await send_paced(pacer, clock, [0.001] * 50)
    assert after[0] >= paused_at + 2.0 > before[-1] + 2.0
    assert busiest_second(after) <= rate and overall_rate(after) == pytest.approx(rate)


async def test_the_default_clock_is_the_event_loops():
    pacer = Pacer(1000)
    loop = asyncio.get_running_loop()
    pacer.start_run()
    await pacer.turn()
    assert pacer.clock.time() == pytest.approx(loop.time(), abs=0.05)
