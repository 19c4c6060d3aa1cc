"""(b) Bulk sending: outbox rows drained by the paced sender against a fake that enforces the
configured rate (it answers 429 to every call beyond ``BROADCAST_RATE`` in any one second)."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import NOW, bench_settings, clock
from bot import sender
from bot.context import BotData
from storage.db import to_db_time
from testing.offline import offline_bot

BENCH_KIND = "bench_bulk"


async def _render(data: BotData, lang: str, payload: dict[str, Any]) -> sender.OutgoingMessage:
    """A short announcement, as a broadcast or reminder would be."""
    return sender.OutgoingMessage.html(f"<b>Ankündigung</b> Nr. {payload['n']}")


async def run_bulk(messages: int = 10_000, rate: float = 500.0) -> dict:
    """Queue ``messages`` rows, drain them at ``rate``/s, report the achieved rate and 429s."""
    sender.register_renderer(BENCH_KIND, _render)
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(Path(folder), broadcast_rate=rate)
        async with offline_bot(settings, clock=clock()) as bot:
            stamp = to_db_time(NOW)

            def write(conn):
                conn.executemany(
                    "INSERT INTO users (id, language, created_at) VALUES (?, 'de', ?)",
                    [(10_000 + n, stamp) for n in range(messages)],
                )
                conn.executemany(
                    "INSERT INTO outbox (user_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
                    [
                        (10_000 + n, BENCH_KIND, json.dumps({"n": n}), stamp)
                        for n in range(messages)
                    ],
                )

            await bot.data.db.write(write)
            bot.api.enforce_rate(rate)
            sent = 0
            started = time.perf_counter()
            for _ in range(10):  # a drain ends early only after a transient failure
                report = await sender.drain_outbox(bot.app)
                sent += report.sent
                if sent >= messages or report.attempted == 0:
                    break
            elapsed = time.perf_counter() - started
            delivered = len(bot.api.calls_to("sendMessage"))
            http_429 = bot.api.rate_429s
            states = dict(
                await bot.data.db.fetch_all("SELECT state, count(*) FROM outbox GROUP BY state")
            )
    achieved = sent / elapsed
    return {
        "messages": messages,
        "configured_rate": rate,
        "achieved_rate": round(achieved, 1),
        "ratio": round(achieved / rate, 3),
        "http_429": http_429,
        "sent": sent,
        "send_calls": delivered,
        "seconds": round(elapsed, 2),
        "outbox_states": states,
    }
