"""``fairness``: how long a person waits for ``/termine`` while the bot is busy sending.

One production bot process (``python run.py`` exactly: production ``AIORateLimiter``, PTB's
``HTTPXRequest``), the loopback fake answering 429 beyond Telegram's 30 messages a second.

1. **Flood**: another account sends ``flood`` messages at once; meanwhile victims read
   ``/termine``, one every :data:`INTERVAL`, until the bot has dealt with the flood: its
   answers to the flooder (the short pointer to /hilfe for what it processes, one "Bitte etwas
   langsamer" for what bot.fairness drops) have stopped for :data:`QUIET` seconds, or
   :data:`FLOOD_WINDOW` seconds passed.
2. **Broadcast**: the organiser sends an announcement to ``recipients`` subscribers through
   the dialogue; victims read ``/termine`` for ``window`` seconds of its sending (the whole
   broadcast would take recipients / BROADCAST_RATE; its first ``window`` seconds are as busy
   as any later ones).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.common import ADMIN_ID, percentile
from bench.loopback import Loopback, loopback_bot
from bench.sending import (
    RECIPIENTS,
    TELEGRAM_RATE,
    deliveries,
    prepare,
    read_termine,
    start_broadcast,
)

INTERVAL = 0.25
FLOOD_WINDOW = 60.0
QUIET = 2.0
FLOODER = 77


async def settled(bot: Loopback, chat_id: int, expected: int) -> None:
    """Until ``expected`` answers reached ``chat_id``, or none came for :data:`QUIET` seconds
    (the rest was dropped), at most :data:`FLOOD_WINDOW` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FLOOD_WINDOW
    seen, quiet_since = -1, loop.time()
    while loop.time() < deadline:
        count = len(bot.tracker.by_chat[chat_id])
        if count >= expected:
            return
        if count != seen:
            seen, quiet_since = count, loop.time()
        elif seen > 0 and loop.time() - quiet_since >= QUIET:
            return
        await asyncio.sleep(INTERVAL)


async def run_fairness(
    folder: Path, recipients: int = 10_000, flood: int = 1_000, window: float = 20.0
) -> dict:
    """Both phases in one bot process (flood first, then the broadcast)."""
    database = await prepare(folder, recipients, "fairness")
    async with loopback_bot(
        folder, "production", rate=TELEGRAM_RATE, database=str(database), admin_ids=[ADMIN_ID]
    ) as bot:
        flooder = bot.person(FLOODER)
        done = asyncio.Event()
        victims = asyncio.create_task(read_termine(bot, done, INTERVAL))
        await asyncio.sleep(INTERVAL * 2)
        for n in range(flood):
            bot.api.queue_update(flooder.text(f"Hallo {n}"))
        await settled(bot, flooder.chat_id, flood)
        flood_answered = len(bot.tracker.by_chat[flooder.chat_id])
        done.set()
        during_flood = await victims
        flood_429 = bot.tracker.count_429()

        await start_broadcast(bot)
        sending_from = len(deliveries(bot, "copyMessage", RECIPIENTS))
        done = asyncio.Event()
        victims = asyncio.create_task(read_termine(bot, done, INTERVAL))
        await asyncio.sleep(window)
        done.set()
        during_broadcast = await victims
        sent_meanwhile = len(deliveries(bot, "copyMessage", RECIPIENTS)) - sending_from
        broadcast_429 = bot.tracker.count_429() - flood_429
    ms = 1000
    return {
        "p99_ms_during_broadcast": round(percentile(during_broadcast, 0.99) * ms, 1),
        "p99_ms_during_flood": round(percentile(during_flood, 0.99) * ms, 1),
        "p50_ms_during_broadcast": round(percentile(during_broadcast, 0.5) * ms, 1),
        "p50_ms_during_flood": round(percentile(during_flood, 0.5) * ms, 1),
        "samples_during_broadcast": len(during_broadcast),
        "samples_during_flood": len(during_flood),
        "broadcast_recipients": recipients,
        "broadcast_sent_in_window": sent_meanwhile,
        "broadcast_window_s": window,
        "flood_messages": flood,
        "flood_answered_in_window": flood_answered,
        "http_429_during_flood": flood_429,
        "http_429_during_broadcast": broadcast_429,
        "telegram_rate": TELEGRAM_RATE,
    }
