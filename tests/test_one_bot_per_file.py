"""Issue 22.4, PRODUCT §6: one bot per database file, whatever path names it. A real process
holds the file (as a running bot does) and a second ``python run.py`` naming the same file by
a symlink, a relative path or a hard link is refused with one line and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.process_support import ROOT, one_line, run

HOLD = (
    "import sys; from pathlib import Path;"
    " from storage.preflight import take_instance_lock;"
    " lock, problem = take_instance_lock(Path(sys.argv[1])); assert problem is None, problem;"
    " print('held', flush=True); sys.stdin.read()"  # holds it until stopped
)


def holder(database: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def other_name(tmp_path: Path, database: Path, how: str) -> str:
    """Another name of ``database``, as the second bot's DATABASE_PATH."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if how == "symlink":
        (elsewhere / "link.sqlite3").symlink_to(database)
        return str(elsewhere / "link.sqlite3")
    if how == "relative":  # run() starts the bot in tmp_path
        return os.path.join("elsewhere", "..", database.name)
    os.link(database, elsewhere / "hard.sqlite3")
    return str(elsewhere / "hard.sqlite3")


@pytest.mark.parametrize("how", ["symlink", "relative", "hard link"])
def test_a_second_bot_naming_the_same_file_otherwise_is_refused(tmp_path, how):
    database = tmp_path / "bot.sqlite3"
    first = holder(database)
    try:
        name = other_name(tmp_path, database, how)
        result = run(tmp_path, BOT_TOKEN="1:x", DATABASE_PATH=name)
        line = one_line(result, "DATABASE_PATH", "another bot process", "stop it first")
        if how != "hard link":  # the pid file sits next to the real file
            assert f"pid {first.pid}" in line
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_the_first_bot_holding_a_symlink_keeps_out_one_naming_the_file(tmp_path):
    database = tmp_path / "bot.sqlite3"
    database.touch()
    link = tmp_path / "link.sqlite3"
    link.symlink_to(database)
    first = holder(link)
    try:
        result = run(tmp_path, BOT_TOKEN="1:x", DATABASE_PATH=str(database))
        one_line(result, "DATABASE_PATH", f"pid {first.pid}", "another bot process")
    finally:
        first.terminate()
        first.wait(timeout=30)
