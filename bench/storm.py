"""(c) A sign-up storm: many people press "Anmelden" on the same card at the same moment."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import add_events, add_returning_users, frozen_clock, make_settings
from bot.callbacks import Action
from testing.offline import offline_bot, press_action


async def run_storm(users: int = 1000, seats: int = 100) -> dict:
    """``users`` returning people open the card (not timed), then all press at once."""
    with tempfile.TemporaryDirectory() as folder:
        async with offline_bot(make_settings(Path(folder)), clock=frozen_clock()) as bot:
            (event_id,) = await add_events(bot.data.db, 1, capacity=seats)
            await add_returning_users(bot.data.db, range(1, users + 1))
            people = [bot.user(n) for n in range(1, users + 1)]
            await asyncio.gather(*(p.send(f"/start ev_{event_id}") for p in people))
            started = time.perf_counter()
            await asyncio.gather(*(press_action(p, Action.SIGN_UP) for p in people))
            elapsed = time.perf_counter() - started
            counts = dict(
                await bot.data.db.fetch_all(
                    "SELECT status, count(*) FROM registrations WHERE event_id = ?"
                    " GROUP BY status",
                    (event_id,),
                )
            )
            # Told on the card itself: it is refreshed in place (plus a pop-up), no extra message.
            answered = sum(1 for p in people if p.messages and p.messages[-1].edits >= 1)
            rejections = list(bot.api.rejections)
    return {
        "users": users,
        "seats": seats,
        "confirmed": counts.get("confirmed", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "seconds": round(elapsed, 2),
        "answered": answered,
        "rejected_requests": len(rejections),
    }
