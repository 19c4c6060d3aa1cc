"""Configuration: defaults, parsing, and one clear line for every invalid value."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import ConfigError, load_settings, parse_duration


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in (
        "BOT_TOKEN",
        "ADMIN_IDS",
        "TIMEZONE",
        "REMINDER_OFFSETS",
        "FEEDBACK_DELAY",
        "DATABASE_PATH",
        "BROADCAST_RATE",
        "DEFAULT_LANGUAGE",
        "WEBHOOK_URL",
        "WEBHOOK_PORT",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults():
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.timezone == "Europe/Berlin"
    assert settings.reminder_offsets == (timedelta(days=1), timedelta(hours=2))
    assert settings.broadcast_rate == 25
    assert settings.default_language == "de"
    assert settings.admin_ids == frozenset()
    assert str(settings.database_path) == "data/bot.sqlite3"


def test_values_from_environment_and_env_file(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(
        "ADMIN_IDS=12, 34\nREMINDER_OFFSETS=30m,1d,2h\nBOT_TOKEN=1:abc\nFEEDBACK_DELAY=90m\n"
    )
    monkeypatch.setenv("TIMEZONE", "Europe/London")
    settings = load_settings()
    assert settings.admin_ids == {12, 34}
    assert settings.reminder_offsets == (
        timedelta(days=1),
        timedelta(hours=2),
        timedelta(minutes=30),
    )
    assert settings.tz.key == "Europe/London"
    assert settings.feedback_delay == timedelta(minutes=90)
    assert settings.bot_token.get_secret_value() == "1:abc"
    assert "1:abc" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("TIMEZONE", "Mars/Olympus"),
        ("REMINDER_OFFSETS", "soon"),
        ("REMINDER_OFFSETS", "0h"),
        ("FEEDBACK_DELAY", "later"),
        ("DATABASE_PATH", "/proc/nonexistent/x/bot.sqlite3"),
        ("BROADCAST_RATE", "0"),
        ("TELEGRAM_RATE", "0"),
        ("TELEGRAM_RATE", "5000"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("WEBHOOK_PORT", "x"),
        ("WEBHOOK_URL", "not a url"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_invalid_values_give_one_line_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert name in message
    assert "\n" not in message


def test_empty_token_counts_as_unset(monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "")
    assert load_settings().bot_token is None


@pytest.mark.parametrize(
    ("text", "seconds"), [("1d", 86400), ("2h", 7200), ("30m", 1800), (" 45s ", 45)]
)
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("rate", [25, 30, 100])
def test_the_shared_budget_is_telegrams_whatever_the_broadcast_rate(rate):
    """Issue 14: no BROADCAST_RATE may push the bot over Telegram's 30 messages a second; bulk
    takes what answers to people leave of it (bot.sending.budget)."""
    from bot.app import production_rate_limiter

    limiter = production_rate_limiter(load_settings(broadcast_rate=rate))
    assert (limiter.limit, limiter.group_limit, limiter.group_period) == (30, 20, 60)
    assert limiter.bulk_headroom >= 1


def test_a_bot_with_paid_broadcasts_may_raise_telegrams_ceiling(monkeypatch):
    """TELEGRAM_RATE moves the shared budget's ceiling (bulk still yields to answers)."""
    from bot.app import production_rate_limiter

    monkeypatch.setenv("TELEGRAM_RATE", "120")
    limiter = production_rate_limiter(load_settings(broadcast_rate=100))
    assert limiter.limit == 120 and limiter.bulk_headroom >= 1
