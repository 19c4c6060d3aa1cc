"""What the production bot sends on its own, over loopback HTTP with the production limiter:
broadcasts created through the organiser's dialogue, and reminders planned at start-up.

Shared by ``fairness`` and ``bulk``: the database set-up, the organiser's four steps, the
victims who read ``/termine`` meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from datetime import timedelta
from pathlib import Path

from bench.common import ADMIN_ID, add_events, add_returning_users, bot_now
from bench.loopback import Loopback, Person
from bot.callbacks import Action, pack
from storage.broadcasts import Audience
from storage.db import Database, to_db_time

TELEGRAM_RATE = 30  # what the fake allows, like Telegram: messages a second overall
RECIPIENTS = 2_000_000  # user ids of the people who receive bulk messages start here
VICTIMS = 100  # user ids of the people reading /termine meanwhile start here


async def prepare(folder: Path, recipients: int, name: str = "sending") -> Path:
    """A database with evenings, ``recipients`` subscribers, the victims and the organiser."""
    path = folder / f"{name}.sqlite3"
    now = bot_now()
    db = await Database.open(path)
    await add_events(db, 12, capacity=None, now=now)
    await add_returning_users(db, range(RECIPIENTS, RECIPIENTS + recipients), now, subscribed=True)
    await add_returning_users(db, [*range(VICTIMS, VICTIMS + 20), ADMIN_ID], now)
    await db.close()
    return path


async def start_broadcast(bot: Loopback) -> Person:
    """The organiser sends an announcement to every subscriber, as in the chat."""
    admin = bot.person(ADMIN_ID)
    await admin.learn(admin.text("/rundschreiben"))
    await admin.learn(admin.text("Neuer Termin: Allianzen am 22. Oktober!"))
    await admin.learn(admin.press_data(pack(Action.BROADCAST_AUDIENCE, Audience.SUBSCRIBERS)))
    first = len(bot.tracker.by_chat[admin.chat_id])
    admin.api.queue_update(admin.press(Action.BROADCAST_SEND))
    await bot.tracker.until(admin.chat_id, first + 1)  # sending has begun: do not wait quietly
    return admin


async def read_termine(bot: Loopback, until: asyncio.Event, interval: float) -> list[float]:
    """Victims read ``/termine`` one after the other, one every ``interval`` seconds, until
    ``until`` is set; returns their latencies (queued → answered)."""
    people = [bot.person(VICTIMS + n) for n in range(10)]
    expected = await people[0].learn(people[0].text("/termine"))
    latencies: list[float] = []
    tasks = []

    async def one(person: Person) -> None:
        latencies.append(await person.step(person.text("/termine"), expected))

    n = 0
    while not until.is_set():
        person = people[n % len(people)]
        if not any(t.get_name() == str(person.chat_id) and not t.done() for t in tasks):
            tasks.append(asyncio.create_task(one(person), name=str(person.chat_id)))
        n += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), interval)
    await asyncio.gather(*tasks)
    return latencies


def deliveries(bot: Loopback, method: str, first_id: int) -> list[float]:
    """Answer times of successful ``method`` calls to bulk recipients."""
    return [c.at for c in bot.tracker.sent(method) if int(c.params.get("chat_id", 0)) >= first_id]


async def wait_for(count: int, method: str, bot: Loopback, within: float) -> list[float]:
    """Wait until ``count`` bulk deliveries arrived (or ``within`` s); returns their times."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        got = deliveries(bot, method, RECIPIENTS)
        if len(got) >= count:
            return got
        await asyncio.sleep(0.2)
    return deliveries(bot, method, RECIPIENTS)


async def prepare_reminders(folder: Path, attendees: int) -> Path:
    """An evening starting in one day minus a minute, ``attendees`` confirmed: with
    ``REMINDER_OFFSETS=1d`` their reminder fell due a minute ago and start-up catches up."""
    path = folder / "reminders.sqlite3"
    now = bot_now()
    db = await Database.open(path)
    await add_returning_users(db, range(RECIPIENTS, RECIPIENTS + attendees), now)
    (event_id,) = await add_events(
        db, 1, capacity=None, now=now + timedelta(days=-7 + 1, minutes=-1)
    )
    stamp = to_db_time(now - timedelta(days=3))

    def write(conn):  # type: ignore[no-untyped-def]
        conn.executemany(
            "INSERT INTO registrations (event_id, user_id, name, status, ticket, created_at,"
            " confirmed_at) VALUES (?, ?, ?, 'confirmed', ?, ?, ?)",
            [
                (event_id, uid, f"Gast {uid}", secrets.token_urlsafe(24), stamp, stamp)
                for uid in range(RECIPIENTS, RECIPIENTS + attendees)
            ],
        )

    await db.write(write)
    await db.close()
    return path
