"""Cleaning typed or loaded text, one way for the program file, the event editor and the dump
(so that whatever is written reads back the same)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any


def one_line(text: str) -> str:
    """Titles, names, venues are single lines: every run of white space (line breaks
    included) becomes one space, and the ends are stripped."""
    return " ".join(text.split())


def multi_line(text: str) -> str:
    """Strip the whole and the end of every line; keep the line breaks (description, bio)."""
    return "\n".join(line.rstrip() for line in split_lines(text.strip()))


_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")  # what YAML also reads as line breaks


def split_lines(text: str) -> list[str]:
    """``text`` split at every kind of line break YAML knows."""
    return _LINE_BREAKS.sub("\n", text).split("\n")


def as_text(value: Any) -> Any:
    """Numbers and dates given by a YAML loader that resolves them become the text they were."""
    if isinstance(value, bool):
        return value  # left to pydantic: "must be text"
    if isinstance(value, int | float | date):
        return str(value)
    return value
