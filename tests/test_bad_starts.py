"""Issue 15, start-up: a wrong ``BOT_TOKEN`` and a full disk each end ``python run.py`` with
exit 2 and one line naming the cause, as a real process against the fake Bot API served on
loopback (``testing.fake_telegram.http``), which answers 401 Unauthorized to any other token.

The full disk is simulated with the kernel's file-size limit (``RLIMIT_FSIZE``, what
``ulimit -f`` sets) in the child process: a write past the limit is refused by the kernel
(``EFBIG``; Python ignores ``SIGXFSZ``) or cut short, which is how SQLite meets a full disk
too (``SQLITE_IOERR_*`` or ``SQLITE_FULL``). Mounting a really full filesystem needs root.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from testing.fake_telegram import FakeBotApi
from testing.fake_telegram.http import LoopbackBotApi
from tests.process_support import RUN, clean_env, one_line

TOKEN = "123456:the-right-token"


def run_bot(tmp_path: Path, base_url: str, token: str, file_limit: int | None = None):
    """``python run.py`` with ``BOT_TOKEN``; ``file_limit`` bytes is the largest file the
    process may write (no bytecode files are written, so that none of them is cut short)."""

    def limit_files() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    env = clean_env(
        tmp_path, BOT_TOKEN=token, BOT_API_BASE_URL=base_url, PYTHONDONTWRITEBYTECODE="1"
    )
    return subprocess.run(
        [sys.executable, RUN],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        preexec_fn=limit_files,  # only setrlimit in the child: nothing that could deadlock
    )


def test_a_wrong_token_is_one_line(tmp_path):
    """Telegram answers getMe with 401 Unauthorized: one line, and the token is not printed."""
    with LoopbackBotApi(FakeBotApi(token=TOKEN)).in_thread() as server:
        result = run_bot(tmp_path, server.base_url, "123456:a-wrong-token")
        statuses = server.read(lambda api: [call.status for call in api.calls_to("getMe")])
    line = one_line(result, "BOT_TOKEN", "rejected", "@BotFather")
    assert "a-wrong-token" not in result.stderr and "Traceback" not in line
    assert statuses and set(statuses) == {401}  # it was Telegram's answer, not a lost connection


@pytest.mark.parametrize(
    ("file_limit", "twice"),
    [
        (0, False),  # not even the lock file can be written
        (8 * 1024, False),  # the database file starts, its shared-memory index cannot grow
        (40_000, True),  # the first migration runs out of room
    ],
)
def test_a_full_disk_is_one_line(tmp_path, file_limit, twice):
    with LoopbackBotApi(FakeBotApi(token=TOKEN)).in_thread() as server:
        first = run_bot(tmp_path, server.base_url, TOKEN, file_limit)
        one_line(first, "DATABASE_PATH", str(tmp_path / "bot.sqlite3"), "free some space")
        if twice:  # what the failed start left behind does not make the next a traceback
            one_line(run_bot(tmp_path, server.base_url, TOKEN, file_limit), "DATABASE_PATH")
