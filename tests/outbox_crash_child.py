"""A bot process for the ``kill -9`` test: it drains the outbox against a fake Telegram that
writes every delivered message to a log file, and hangs with one message in flight so that the
test can SIGKILL it at exactly that point.

``python -m tests.outbox_crash_child DB LOG before_delivery|after_delivery N NOW_ISO``: the
first N messages are delivered; the next one hangs before reaching "Telegram" (in flight, never
delivered) or after it was delivered (but before the bot hears back). The line ``hang`` tells
the test the moment has come.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram.request import RequestData

from bot.sending.sender import drain_outbox
from testing.factories import frozen_clock, make_settings
from testing.fake_telegram import FakeBotApi
from testing.offline import offline_bot

SENT_PREFIX = "sent "


def _append(path: Path, line: str) -> None:
    """One unbuffered append per line: what is written survives the SIGKILL."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def sent_chats(path: Path) -> list[int]:
    """Chat ids of all messages delivered so far, in order (from every run)."""
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [int(line.removeprefix(SENT_PREFIX)) for line in lines if line.startswith(SENT_PREFIX)]


class RecordingApi(FakeBotApi):
    """The fake Bot API, logging each delivered ``sendMessage`` to a file; optionally hanging
    on the message after the first ``hang_after`` ones."""

    def __init__(self, log: Path, dies: str | None = None, hang_after: int = 0) -> None:
        super().__init__()
        self.log = log
        self.dies = dies
        self.hang_after = hang_after
        self.sends = 0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        if not url.endswith("/sendMessage") or request_data is None:
            return await super().do_request(url, method, request_data, **kwargs)
        self.sends += 1
        hang = self.dies is not None and self.sends > self.hang_after
        if hang and self.dies == "before_delivery":
            _append(self.log, "hang")
            await asyncio.sleep(3600)
        status, body = await super().do_request(url, method, request_data, **kwargs)
        if status == 200:
            _append(self.log, f"{SENT_PREFIX}{request_data.parameters['chat_id']}")
        if hang:
            _append(self.log, "hang")
            await asyncio.sleep(3600)
        return status, body


async def _main(database: str, log: str, dies: str, hang_after: int, now: str) -> None:
    settings = make_settings(
        Path(database).parent,
        database_path=Path(database),
        admin_ids=frozenset(),
        broadcast_rate=200,
    )
    clock = frozen_clock(datetime.fromisoformat(now))
    api = RecordingApi(Path(log), dies, hang_after)
    async with offline_bot(settings, clock=clock, api=api) as bot:  # post_init plans the reminders
        await drain_outbox(bot.app)


if __name__ == "__main__":
    database_arg, log_arg, dies_arg, hang_arg, now_arg = sys.argv[1:6]
    asyncio.run(_main(database_arg, log_arg, dies_arg, int(hang_arg), now_arg))
