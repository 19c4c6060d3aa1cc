"""Running ``python run.py`` as its own process, the way an operator does (PRODUCT §2).

No run may reach the real Telegram: ``BOT_API_BASE_URL`` points at a loopback port nobody
listens on unless a test passes the fake Bot API's address (``LoopbackBotApi.base_url``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = str(ROOT / "run.py")


def closed_port() -> int:
    """A loopback port with nothing listening (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def faketime_env() -> dict[str, str]:
    """Under libfaketime (the suite run at other hours: ``make test-at``), what a process
    started here needs to keep the same faked time as the test; else nothing."""
    if "FAKETIME" not in os.environ:
        return {}
    return {
        key: value
        for key, value in os.environ.items()
        if key.startswith("FAKETIME") or key in {"LD_PRELOAD", "TZ"}
    }


def clean_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """A minimal environment: none of the caller's BOT_*/DATABASE_* settings leak in."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "BOT_API_BASE_URL": f"http://127.0.0.1:{closed_port()}/bot",
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "WEB_PORT": "0",  # the web server's own tests pick free ports
    }
    env.update(faketime_env())
    env.update(variables)
    return env


def run(
    tmp_path: Path, *args: str, stdin: str | None = None, timeout: float = 60, **variables: str
) -> subprocess.CompletedProcess[str]:
    """``python run.py ARGS`` in ``tmp_path`` with :func:`clean_env` plus ``variables``."""
    return subprocess.run(
        [sys.executable, RUN, *args],
        cwd=tmp_path,
        env=clean_env(tmp_path, **variables),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def lines(text: str) -> list[str]:
    """The lines of ``text`` that are not blank."""
    return [line for line in text.splitlines() if line.strip()]


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 with exactly one line on stderr containing ``words``."""
    assert result.returncode == 2, result.stderr
    (line,) = lines(result.stderr)
    for word in words:
        assert word in line, line
    return line
