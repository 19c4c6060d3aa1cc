"""Helpers of the program-file tests: the minimal file, parsing in Berlin time, its errors."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.models import Event
from domain.reading.program import ProgramError, parse_program

BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "program.yaml"

MINIMAL = """\
events:
  - id: test-evening
    title: Test
    starts: 2027-03-10 18:30
    venue: Haus der Architektinnen und Architekten
"""


def parse(text: str) -> list[Event]:
    """The events of a program file, its times read in Berlin."""
    return parse_program(text, BERLIN)


def errors_of(text: str) -> list[str]:
    """The errors of a program file that must not parse (each one line)."""
    with pytest.raises(ProgramError) as caught:
        parse(text)
    assert all("\n" not in error for error in caught.value.errors)
    return caught.value.errors


def with_lines(*lines: str, base: str = MINIMAL) -> str:
    """The minimal program with extra lines in its one event."""
    return base + "".join(f"    {line}\n" for line in lines)
