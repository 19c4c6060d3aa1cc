"""Changing an evening's speakers one at a time (issue 12): add, change a name, role or bio,
move up, remove — pure functions over the tuple of :class:`Speaker`, each answer checked like
the program file checks it, a wrong one explained by a catalogue hint."""

from __future__ import annotations

import dataclasses

from domain.models import Speaker
from domain.reading.event_input import SKIP_WORDS, InputError, parse_speakers
from domain.reading.plain_text import multi_line, one_line
from domain.reading.program import MAX_SPEAKERS, SPEAKER_LIMITS

PARTS = ("name", "role", "bio")  # what of a speaker can be changed on its own


def parse_part(part: str, text: str) -> str | None:
    """A speaker's new ``part`` from what the organiser typed; ``None`` clears a role or bio."""
    if part not in PARTS:
        raise KeyError(part)
    if text.strip() in SKIP_WORDS:
        if part == "name":
            raise InputError("editor.hint_required")
        return None
    value = multi_line(text) if part == "bio" else one_line(text)
    if not value:
        raise InputError("editor.hint_empty")
    if len(value) > SPEAKER_LIMITS[part]:
        raise InputError("editor.hint_too_long", limit=SPEAKER_LIMITS[part])
    return value


def with_part(
    speakers: tuple[Speaker, ...], index: int, part: str, value: str | None
) -> tuple[Speaker, ...]:
    """``speakers`` with ``part`` of the one at ``index`` set to ``value``."""
    speaker = speakers[index]
    if part == "name":
        if not value:
            raise InputError("editor.hint_required")
        changed = dataclasses.replace(speaker, name=value)
    elif part == "role":
        changed = dataclasses.replace(speaker, role=value)
    elif part == "bio":
        changed = dataclasses.replace(speaker, bio=value)
    else:
        raise KeyError(part)
    return (*speakers[:index], changed, *speakers[index + 1 :])


def added(speakers: tuple[Speaker, ...], text: str) -> tuple[Speaker, ...]:
    """``speakers`` and, at the end, the ones typed in ``text`` (one per line, as in the
    dialogue's speakers step: ``Name | Rolle | Kurzbiografie``)."""
    new = parse_speakers(text)
    if len(speakers) + len(new) > MAX_SPEAKERS:
        raise InputError("editor.hint_speakers_count", limit=MAX_SPEAKERS)
    return (*speakers, *new)


def moved_up(speakers: tuple[Speaker, ...], index: int) -> tuple[Speaker, ...]:
    """The speaker at ``index`` one place earlier (the first stays first)."""
    if index <= 0:
        return speakers
    order = list(speakers)
    order[index - 1], order[index] = order[index], order[index - 1]
    return tuple(order)


def without(speakers: tuple[Speaker, ...], index: int) -> tuple[Speaker, ...]:
    """``speakers`` without the one at ``index``."""
    return (*speakers[:index], *speakers[index + 1 :])
