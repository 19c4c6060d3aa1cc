"""Issue 15, start-up: a wrong ``BOT_TOKEN`` and a full disk each end ``python run.py`` with
exit 2 and one line naming the cause, as a real process against a loopback Bot API.

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

from tests.stub_bot_api import stub_bot_api
from tests.test_cli import RUN, clean_env, lines

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


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, result.stderr
    (line,) = lines(result.stderr)
    for word in words:
        assert word in line, line
    return line


def test_a_wrong_token_is_one_line(tmp_path):
    """Telegram answers getMe with 401 Unauthorized: one line, and the token is not printed."""
    with stub_bot_api(TOKEN) as url:
        result = run_bot(tmp_path, url, "123456:a-wrong-token")
    line = one_line(result, "BOT_TOKEN", "rejected", "@BotFather")
    assert "a-wrong-token" not in result.stderr and "Traceback" not in line


@pytest.mark.parametrize(
    ("file_limit", "twice"),
    [
        (0, False),  # not even the lock file can be written
        (8 * 1024, False),  # the database file starts, its shared-memory index cannot grow
        (40_000, True),  # the first migration runs out of room
    ],
)
def test_a_full_disk_is_one_line(tmp_path, file_limit, twice):
    with stub_bot_api(TOKEN) as url:
        first = run_bot(tmp_path, url, TOKEN, file_limit)
        one_line(first, "DATABASE_PATH", str(tmp_path / "bot.sqlite3"), "free some space")
        if twice:  # what the failed start left behind does not make the next a traceback
            one_line(run_bot(tmp_path, url, TOKEN, file_limit), "DATABASE_PATH")
