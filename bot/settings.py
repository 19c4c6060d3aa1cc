"""Configuration from environment variables and ``.env`` (PRODUCT §2), validated once."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.offers import OfferRules

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """``"2h"`` → two hours. Units: s, m, h, d."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text.strip()!r} is not a duration like 30m, 2h or 1d")
    amount, unit = match.groups()
    if int(amount) == 0:
        raise ValueError("a reminder offset must be longer than zero")
    return timedelta(seconds=int(amount) * _UNIT_SECONDS[unit])


class Settings(BaseSettings):
    """Everything the bot reads from its environment; field names are the variable names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    bot_api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("data/bot.sqlite3")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # door staff: check-in only (PRODUCT §2); someone in both lists is an organiser
    door_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Europe/Berlin"
    reminder_offsets: Annotated[tuple[timedelta, ...], NoDecode] = (
        timedelta(days=1),
        timedelta(hours=2),
    )
    feedback_delay: Annotated[timedelta, NoDecode] = timedelta(hours=2)
    # Waitlist offers near the evening (PRODUCT §4): a seat freed less than the window before
    # the start is offered for the hold instead of given; a zero window gives every seat.
    waitlist_offer_window: Annotated[timedelta, NoDecode] = timedelta(hours=48)
    waitlist_offer_hold: Annotated[timedelta, NoDecode] = timedelta(hours=3)
    broadcast_rate: float = Field(default=25, gt=0, le=1000)
    # Telegram's ceiling for everything the bot sends (answers and bulk together): 30 a second,
    # more only for a bot with paid broadcasts. Not in PRODUCT §2's table: an operator's knob.
    telegram_rate: float = Field(default=30, gt=0, le=1000)
    broadcast_retry_hours: float = Field(default=24, gt=0, le=24 * 30)  # then given up
    default_language: Literal["de", "en"] = "de"
    webhook_url: AnyHttpUrl | None = None
    webhook_listen: str = "127.0.0.1"  # loopback unless configured: a proxy in front
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    privacy_notice_file: Path | None = None
    data_retention_days: int = Field(default=180, ge=1)
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_listen: str = "127.0.0.1"
    public_url: AnyHttpUrl | None = None
    certificate_issuer: str = Field(default="Architektenkammer Baden-Württemberg", min_length=1)
    # the records behind certificates stay to 31 Dec of the evening's year + this (PRODUCT §2)
    cpd_retention_years: int = Field(default=3, ge=0, le=100)
    # the controller's name, postal and e-mail address, for the built-in privacy notice
    privacy_contact: str | None = None

    @field_validator(
        "bot_token",
        "webhook_url",
        "webhook_secret",
        "privacy_notice_file",
        "public_url",
        "privacy_contact",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_ids", "door_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            for part in parts:
                if not re.fullmatch(r"-?\d+", part):
                    raise ValueError(f"{part!r} is not a numeric Telegram user id")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _parse_offsets(cls, value: object) -> object:
        if isinstance(value, str):
            offsets = {parse_duration(part) for part in value.split(",") if part.strip()}
            if not offsets:  # "" would silently switch every reminder off
                raise ValueError("give at least one offset like 1d,2h")
            return tuple(sorted(offsets, reverse=True))
        return value

    @field_validator("bot_api_base_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not a URL like https://api.telegram.org/bot")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_only(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and value.scheme != "https":
            raise ValueError("Telegram sends webhooks only to https:// URLs")
        return value

    @field_validator("privacy_notice_file")
    @classmethod
    def _readable_notice(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{str(value)!r} does not exist or is not a file")
        return value

    @field_validator("feedback_delay", mode="before")
    @classmethod
    def _parse_feedback_delay(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("waitlist_offer_window", mode="before")
    @classmethod
    def _parse_offer_window(cls, value: object) -> object:
        if isinstance(value, str) and value.strip() == "0":
            return timedelta(0)
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("waitlist_offer_hold", mode="before")
    @classmethod
    def _parse_offer_hold(cls, value: object) -> object:
        if isinstance(value, str) and value.strip() == "0":
            raise ValueError("an offer must stand for some time, e.g. 3h")
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as secret_token.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("use 1-256 characters from A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from exc
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_path")
    @classmethod
    def _creatable(cls, value: Path) -> Path:
        folder = value.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"folder {str(folder)!r} cannot be created ({exc.strerror})") from exc
        if value.is_dir():
            raise ValueError(f"{str(value)!r} is a folder, not a file")
        return value

    @property
    def public_base_url(self) -> str:
        """``PUBLIC_URL`` without a trailing slash, else ``http://localhost:<WEB_PORT>``."""
        if self.public_url is not None:
            return str(self.public_url).rstrip("/")
        return f"http://localhost:{self.web_port}"

    @cached_property
    def offer_rules(self) -> OfferRules:
        """``WAITLIST_OFFER_WINDOW``, ``WAITLIST_OFFER_HOLD`` and the zone, for domain.offers."""
        return OfferRules(self.waitlist_offer_window, self.waitlist_offer_hold, self.tz)

    @cached_property
    def tz(self) -> ZoneInfo:
        """The configured time zone as an object."""
        return ZoneInfo(self.timezone)


class ConfigError(Exception):
    """Invalid configuration; ``str()`` is the one line shown to the operator."""


def load_settings(**overrides: object) -> Settings:
    """Read and validate the configuration; raise :class:`ConfigError` with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        variable = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Invalid {variable}: {message}") from None
