"""A bot process for the restart test (tests/test_restart_policy.py): the real start-up path
(``post_init``) and the paced sender, talking HTTP to the fake Bot API of the test process.

``python -m tests.restart_child DATABASE BASE_URL KIND``: start like the bot (which settles the
rows a crash left in flight), queue one message of KIND to :data:`RECIPIENT` if none is queued
yet, drain the outbox, print ``done``. Every kind keeps its policy from the one table of outbox
kinds (bot.app); only the rendering is replaced by a plain text, so that any kind, also one
added later, can be queued without an evening behind it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.context import BotData
from bot.outgoing import OutgoingMessage
from bot.sending.sender import drain_outbox
from storage import outbox
from storage.db import to_db_time
from testing.factories import NOW, frozen_clock, make_settings
from testing.offline import unthrottled

TOKEN = "123456:restart-test"
RECIPIENT = 4242


async def plain(data: BotData, lang: str, payload: dict[str, Any]) -> OutgoingMessage:
    return OutgoingMessage.html(f"{payload['kind']} for you, /termine")  # with a way on


async def main(database: Path, base_url: str, kind: str) -> None:
    settings = make_settings(
        database.parent, database_path=database, bot_token=TOKEN, bot_api_base_url=base_url
    )
    application = build_application(settings, clock=frozen_clock(), rate_limiter=unthrottled())
    data: BotData = application.bot_data
    data.outbox_kinds = {
        name: dataclasses.replace(entry, render=plain) for name, entry in data.outbox_kinds.items()
    }
    async with application:
        assert application.post_init is not None
        await application.post_init(application)  # the start-up path: in-flight rows settled

        def queue_once(conn: Any) -> None:
            if conn.execute("SELECT 1 FROM outbox").fetchone() is None:
                conn.execute(
                    "INSERT INTO users (id, language, created_at) VALUES (?, 'de', ?)",
                    (RECIPIENT, to_db_time(NOW)),
                )
                outbox.enqueue(conn, RECIPIENT, kind, {"kind": kind}, NOW)

        await data.db.write(queue_once)
        while (await drain_outbox(application)).attempted:
            pass
        await application.post_shutdown(application)  # type: ignore[misc]
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
