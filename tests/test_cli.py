"""The command line as an operator meets it (PRODUCT §2), each run in its own process
(tests/process_support.py).

No run may reach the real Telegram: ``BOT_API_BASE_URL`` points at a loopback port nobody
listens on, and a token is only passed where the process must fail before or at the first call.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tests.process_support import ROOT, RUN, clean_env, lines, run

EXAMPLES = ROOT / "examples" / "program.yaml"


def test_without_token_exits_2_naming_the_console(tmp_path):
    result = run(tmp_path)
    assert result.returncode == 2
    (line,) = lines(result.stderr)
    assert "BOT_TOKEN" in line and "python run.py console" in line
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("TIMEZONE", "Mars/Olympus"),
        ("REMINDER_OFFSETS", "soon"),
        ("REMINDER_OFFSETS", "1d,0h"),
        ("DATABASE_PATH", "/proc/nonexistent/data/bot.sqlite3"),
        ("BROADCAST_RATE", "0"),
        ("BROADCAST_RATE", "fast"),
        ("WEBHOOK_PORT", "x"),
        ("WEBHOOK_PORT", "70000"),
        ("WEBHOOK_URL", "not a url"),
        ("WEBHOOK_SECRET", "has spaces"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("LOG_LEVEL", "chatty"),
    ],
)
def test_invalid_value_is_one_line_naming_the_variable(tmp_path, variable, value):
    check_one_line_error(run(tmp_path, **{variable: value}), variable)


@pytest.mark.parametrize("verb", [["console"], ["backup", "copy.sqlite3"], ["attendees", "x"]])
def test_other_verbs_check_the_configuration_too(tmp_path, verb):
    check_one_line_error(run(tmp_path, *verb, stdin="", TIMEZONE="Mars/Olympus"), "TIMEZONE")


def check_one_line_error(result: subprocess.CompletedProcess[str], variable: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = lines(result.stderr)
    assert variable in line
    assert result.stdout == ""


def test_dotenv_in_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=fr\n", encoding="utf-8")
    result = run(tmp_path)
    assert result.returncode == 2
    (line,) = lines(result.stderr)
    assert "DEFAULT_LANGUAGE" in line


def test_dotenv_values_are_used(tmp_path):
    """DATABASE_PATH from .env: the backup verb copies that file, not the default one."""
    database = tmp_path / "from-dotenv.sqlite3"
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.execute("CREATE TABLE marker (x)")  # the bot's database, with one table more
    conn.execute("INSERT INTO marker VALUES (42)")
    conn.commit()
    conn.close()
    (tmp_path / ".env").write_text(f"DATABASE_PATH={database}\n", encoding="utf-8")
    env = clean_env(tmp_path)
    del env["DATABASE_PATH"]
    result = subprocess.run(
        [sys.executable, RUN, "backup", "copy.sqlite3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT x FROM marker").fetchall() == [(42,)]
    copy.close()


def test_environment_beats_dotenv(tmp_path):
    (tmp_path / ".env").write_text("DEFAULT_LANGUAGE=fr\n", encoding="utf-8")
    result = run(tmp_path, DEFAULT_LANGUAGE="en")
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr and "DEFAULT_LANGUAGE" not in result.stderr


def test_unreachable_bot_api_is_one_clear_line(tmp_path):
    """A (fake) token but no Bot API: exit 1 with the reason, no traceback."""
    result = run(tmp_path, BOT_TOKEN="123456:TEST-token-never-sent-anywhere")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Cannot reach the Bot API at http://127.0.0.1:" in result.stderr


# --- python run.py console --------------------------------------------------------------------


def test_console_session(tmp_path):
    result = run(tmp_path, "console", stdin="/start\n/termine\n1\n/quit\nnever read\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Willkommen, Erika!" in out
    assert "<b>" not in out and "</" not in out and "&amp;" not in out
    assert out.rstrip().endswith("Bye.")
    assert "[1]" in out  # buttons are numbered
    assert "Traceback" not in result.stderr


def test_console_takes_unicode_digits_as_text_not_a_button_number(tmp_path):
    """'²' passes str.isdigit() but is no button number: it is sent as text, no crash."""
    result = run(tmp_path, "console", stdin="/start\n/termine\n²\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.rstrip().endswith("Bye.")


def test_console_ends_on_end_of_input(tmp_path):
    result = run(tmp_path, "console", stdin="/hilfe\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("Bye.")
    assert "/termine" in result.stdout


@pytest.mark.skipif(not EXAMPLES.exists(), reason="examples/program.yaml not written yet")
def test_console_loads_the_demo_program_into_an_empty_database(tmp_path):
    first = run(tmp_path, "console", stdin="/termine\n1\n")
    assert first.returncode == 0, first.stderr
    assert "demo events loaded" in first.stdout
    assert "Anmelden" in first.stdout  # the card of the first example event was opened
    conn = sqlite3.connect(tmp_path / "data" / "console.sqlite3")
    loaded = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.close()
    assert loaded > 0
    again = run(tmp_path, "console", stdin="")
    assert "demo events loaded" not in again.stdout  # only into an empty database


def test_console_uses_its_own_database_by_default(tmp_path):
    env = clean_env(tmp_path)
    del env["DATABASE_PATH"]
    result = subprocess.run(
        [sys.executable, RUN, "console"],
        cwd=tmp_path,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "console.sqlite3").exists()
    assert not (tmp_path / "data" / "bot.sqlite3").exists()
