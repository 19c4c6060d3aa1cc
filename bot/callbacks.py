"""Callback data: ``<version>:<action>[:<arg>…]``, at most 64 bytes, parsed in one place.

Buttons live long (old messages stay in the chat), so the format carries a version: a press of
a button from an older format is answered as stale instead of being misread. An argument that
came from a button is only a hint: every handler re-reads the current state and re-checks who
pressed before acting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64


class Action:
    """Every action name, so that no two features pick the same one."""

    LIST = "ls"  # arg: offset
    CARD = "ev"  # arg: event id
    ICS = "ics"  # arg: event id
    VENUE = "map"  # arg: event id
    SPEAKERS = "spk"  # arg: event id
    LANGUAGE = "lang"  # arg: de | en
    SIGN_UP = "su"  # arg: event id
    USE_NAME = "nm"  # arg: event id (register under the Telegram name)
    CONSENT = "ok"  # arg: event id
    CANCEL = "cx"  # arg: registration id
    CANCEL_CONFIRM = "cxy"  # arg: registration id
    TICKET = "tk"  # arg: registration id
    MINE = "my"
    SUBSCRIBE = "sub"  # arg: 1 | 0
    PRIVACY = "pv"  # arg: export | delete | delete_yes
    NOOP = "nop"


@dataclass(frozen=True, slots=True)
class Callback:
    action: str
    args: tuple[str, ...]

    def arg(self, index: int = 0) -> str | None:
        """Argument ``index`` or ``None`` when missing."""
        return self.args[index] if index < len(self.args) else None

    def int_arg(self, index: int = 0) -> int | None:
        """Argument ``index`` as a non-negative int, or ``None`` when missing or not a number."""
        value = self.arg(index)
        return int(value) if value is not None and value.isdigit() and len(value) < 19 else None


def pack(action: str, *args: object) -> str:
    """Encode a button's data; raises ``ValueError`` when it would not fit Telegram's 64 bytes."""
    data = ":".join((VERSION, action, *(str(arg) for arg in args)))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def unpack(data: str | None) -> Callback | None:
    """Decode button data of the current version; ``None`` for anything else."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION or not parts[1]:
        return None
    return Callback(parts[1], tuple(parts[2:]))


def pattern(*actions: str) -> re.Pattern[str]:
    """The ``CallbackQueryHandler`` pattern matching these actions of the current version."""
    names = "|".join(re.escape(action) for action in actions)
    return re.compile(rf"^{VERSION}:(?:{names})(?::|$)")
