"""``bulk``: the paced sender of the production bot against a fake enforcing Telegram's 30/s.

- **Broadcasts** at ``BROADCAST_RATE`` 25 (the default) and 30 (a value the settings accept):
  the organiser sends an announcement to ``messages`` subscribers through the dialogue; the
  achieved rate is (deliveries − 1) ÷ (last − first delivery). ``ratio`` is that ÷ 25;
  ``http_429`` counts every 429 of both runs; ``at_rate_30`` has the second run's figures.
- **Reminders** (``reminders_10k_ratio``): ``attendees`` confirmed sign-ups of an evening
  whose ``REMINDER_OFFSETS=1d`` reminder fell due a minute before start-up: time from the
  bot's first call (start-up) to the last reminder delivered ÷ (attendees ÷ rate). 10,000 at
  25/s would take 400 s, too long for ``make bench``; the rate is scaled instead, with the
  fake's limit scaled by the same factor (:data:`REMINDER_SCALE` ×4: 100/s against 120/s),
  so the bot sends the full 10,000 in ~100 s under the same proportions.
"""

from __future__ import annotations

from pathlib import Path

from bench.common import ADMIN_ID
from bench.loopback import loopback_bot
from bench.sending import (
    TELEGRAM_RATE,
    prepare,
    prepare_reminders,
    start_broadcast,
    wait_for,
)

DEFAULT_RATE = 25.0
REMINDER_SCALE = 4.0  # reminders: BROADCAST_RATE and the fake's limit both × this


def _achieved(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def broadcast_at(folder: Path, rate: float, messages: int) -> dict:
    """One broadcast to ``messages`` subscribers at ``BROADCAST_RATE=rate``."""
    here = folder / f"bulk-{rate:g}"
    here.mkdir()
    database = await prepare(here, messages, "bulk")
    async with loopback_bot(
        here,
        "production",
        rate=TELEGRAM_RATE,
        database=str(database),
        admin_ids=[ADMIN_ID],
        settings={"broadcast_rate": rate},
    ) as bot:
        await start_broadcast(bot)
        times = await wait_for(messages, "copyMessage", bot, messages / rate * 3 + 30)
        http_429 = bot.tracker.count_429()
    achieved = _achieved(times)
    return {
        "configured_rate": rate,
        "messages": messages,
        "delivered": len(times),
        "achieved_rate": round(achieved, 2),
        "ratio": round(achieved / rate, 3),
        "http_429": http_429,
        "seconds": round(times[-1] - times[0], 2) if times else 0.0,
    }


async def reminders(folder: Path, attendees: int, scale: float = REMINDER_SCALE) -> dict:
    """Reminders for ``attendees`` confirmed sign-ups, planned at start-up."""
    here = folder / "reminders"
    here.mkdir()
    database = await prepare_reminders(here, attendees)
    rate = DEFAULT_RATE * scale
    async with loopback_bot(
        here,
        "production",
        rate=TELEGRAM_RATE * scale,
        database=str(database),
        # Telegram's ceiling scaled like the fake's, as for a bot with paid broadcasts
        settings={
            "broadcast_rate": rate,
            "telegram_rate": TELEGRAM_RATE * scale,
            "reminder_offsets": "1d",
        },
    ) as bot:
        times = await wait_for(attendees, "sendMessage", bot, attendees / rate * 3 + 60)
        started = bot.first_call_at
        http_429 = bot.tracker.count_429()
    total = times[-1] - started if times else float("inf")
    return {
        "reminders_10k_ratio": round(total / (attendees / rate), 3),
        "reminders": {
            "attendees": attendees,
            "delivered": len(times),
            "configured_rate": rate,
            "fake_limit": TELEGRAM_RATE * scale,
            "scale": scale,
            "seconds": round(total, 2),
            "ideal_seconds": round(attendees / rate, 2),
            "first_after_start_s": round(times[0] - started, 2) if times else None,
            "http_429": http_429,
        },
    }


async def run_bulk(folder: Path, messages: int = 1_000, attendees: int = 10_000) -> dict:
    """Broadcasts at 25/s and 30/s, then the reminders; the ``bulk`` entry of results.json."""
    default = await broadcast_at(folder, DEFAULT_RATE, messages)
    at_30 = await broadcast_at(folder, 30.0, messages)
    reminder = await reminders(folder, attendees)
    return {
        "ratio": default["ratio"],
        "http_429": default["http_429"] + at_30["http_429"] + reminder["reminders"]["http_429"],
        "reminders_10k_ratio": reminder["reminders_10k_ratio"],
        "at_rate_25": default,
        "at_rate_30": at_30,
        "reminders": reminder["reminders"],
    }
