"""A bot process for the crash tests (tests/test_crash.py): a sign-up storm through the real
handlers while the paced sender drains an organiser's broadcast, against a fake Telegram that
appends every delivered message to a log file (one unbuffered write per message, so the log
survives ``kill -9``).

``python -m tests.crash_driver DATABASE LOG storm``: set up (once), then storm and drain until
done, then write ``done``. Killed at any moment and started again, it carries on.

``python -m tests.crash_driver DATABASE LOG serve``: the production life cycle
(``run_polling`` with its signal handling and the JobQueue draining the outbox) until SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram.request import RequestData

from bot.app import build_application
from bot.callbacks import Action, pack
from bot.sending.sender import drain_outbox
from bot.settings import Settings
from domain.models import Event
from storage import events as event_store
from storage.broadcasts import Audience, create_broadcast
from storage.db import Database, to_db_time
from testing.factories import NOW, frozen_clock, make_settings
from testing.fake_telegram import FakeBotApi
from testing.offline import offline_bot, unthrottled

ORGANISER = 1000
EVENT_ID = "sturm-2026"
SEATS = 40
SUBSCRIBERS = range(500_000, 500_300)  # the broadcast's audience
STORM = range(600_000, 600_200)  # people signing up
SOURCE_TEXT = "Einladung zum nächsten Macher:innengespräch"
DELIVERED = "delivered"  # log line: delivered <method> <chat id>


def append(path: Path, line: str) -> None:
    """One unbuffered append: what is written survives a SIGKILL right after."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def deliveries(path: Path, method: str) -> list[int]:
    """Chat ids of the messages delivered with ``method``, across all runs, in order."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == DELIVERED and parts[1] == method:
            found.append(int(parts[2]))
    return found


class RecordingApi(FakeBotApi):
    """The fake Bot API, logging every delivered message to a file."""

    def __init__(self, log: Path) -> None:
        super().__init__()
        self.log = log

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        status, body = await super().do_request(url, method, request_data, **kwargs)
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        if status == 200 and api_method in ("sendMessage", "copyMessage") and request_data:
            append(self.log, f"{DELIVERED} {api_method} {request_data.parameters['chat_id']}")
        return status, body


def settings_for(database: Path, rate: float = 150) -> Settings:
    return make_settings(
        database.parent,
        database_path=database,
        admin_ids=frozenset({ORGANISER}),
        broadcast_rate=rate,
    )


def organiser_message(api: FakeBotApi) -> int:
    """The organiser's message the broadcast copies; each process's fake needs it again (the
    first message of a fresh fake's chat always gets id 1)."""
    api.register_user({"id": ORGANISER, "is_bot": False, "first_name": "Orga"})
    message = api.record_incoming(ORGANISER, ORGANISER, text=SOURCE_TEXT)
    return message["message_id"]


async def set_up(db: Database, source_message_id: int) -> None:
    """Idempotent: the event, the people, the broadcast (all skipped when already there)."""
    if await event_store.get_event(db, EVENT_ID) is None:
        start = NOW + timedelta(days=10)
        event = Event(id=EVENT_ID, title="Sturm", starts_at=start, venue="Kammer", capacity=SEATS)
        await event_store.save_events(db, [event], NOW)
    stamp = to_db_time(NOW)

    def write(conn):
        conn.executemany(
            "INSERT INTO users (id, language, subscribed, created_at) VALUES (?, 'de', 1, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [(uid, stamp) for uid in SUBSCRIBERS],
        )
        conn.executemany(
            "INSERT INTO users (id, language, display_name, consent_at, created_at)"
            " VALUES (?, 'de', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [(uid, f"Gast {uid}", stamp, stamp) for uid in STORM],
        )

    await db.write(write)
    await create_broadcast(
        db,
        created_by=ORGANISER,
        source_chat_id=ORGANISER,
        source_message_id=source_message_id,
        audience=Audience.SUBSCRIBERS,
        event_id=None,
        progress_chat_id=ORGANISER,
        progress_message_id=1,
        now=NOW,
    )


async def storm(database: Path, log: Path) -> None:
    """Everyone presses "Anmelden" (in waves of 50) while the broadcast drains."""
    api = RecordingApi(log)
    async with offline_bot(settings_for(database), clock=frozen_clock(), api=api) as bot:
        await set_up(bot.data.db, organiser_message(api))
        append(log, "ready")

        async def sign_up_everyone() -> None:
            people = [bot.user(uid) for uid in STORM]
            for wave in range(0, len(people), 50):
                batch = people[wave : wave + 50]
                await asyncio.gather(*(p.send(f"/start ev_{EVENT_ID}") for p in batch))
                await asyncio.gather(
                    *(p.press_data(pack(Action.SIGN_UP, EVENT_ID)) for p in batch)
                )

        async def drain() -> None:
            while (await drain_outbox(bot.app)).attempted:
                pass

        await asyncio.gather(sign_up_everyone(), drain())
        await drain()  # promotions or stragglers queued by the storm
        append(log, "done")


def serve(database: Path, log: Path) -> None:
    """Like ``python run.py``: run_polling until SIGTERM, the JobQueue draining the outbox."""
    api = RecordingApi(log)
    application = build_application(
        settings_for(database, rate=100),  # slow enough to be caught mid-broadcast
        request=api,
        clock=frozen_clock(),
        rate_limiter=unthrottled(),
    )
    source = organiser_message(api)
    original_post_init = application.post_init

    async def post_init(app: Any) -> None:
        await original_post_init(app)  # type: ignore[misc]
        await set_up(app.bot_data.db, source)
        append(log, "ready")

    application.post_init = post_init  # type: ignore[method-assign]
    application.run_polling(close_loop=True)
    append(log, "stopped")


if __name__ == "__main__":
    database_arg, log_arg, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    if mode == "storm":
        asyncio.run(storm(database_arg, log_arg))
    else:
        serve(database_arg, log_arg)
