"""No dead ends: every message the bot leaves in a private chat offers a way on.

A way on is a button (inline keyboard or reply keyboard) or a command named in the text or
caption ("/termine", "/hilfe", ...). Each state a message had counts (the first send and every
edit), because a person may be looking at any of them. A state without a way on is still fine
when the person sees one beside it: the same message got a button later, or another message in
the same chat has one, both while the bot answered the same update (or, without updates, in
the same stretch between two updates: a job's run).

:func:`watching` collects every :class:`~.api.FakeBotApi` built while it is open (tests build
them in fixtures, in the console, over HTTP); :func:`dead_ends` lists the states without a way
on. The commands that count are passed in: the fake does not know the bot's command table.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from .records import SentMessage


class Recording(Protocol):
    """What the check reads of :class:`~.api.FakeBotApi` (its recorded states and updates)."""

    states: list[SentMessage]
    update_starts: list[int]

    def message(self, chat_id: int, message_id: int) -> SentMessage: ...


_COMMAND = re.compile(r"(?<![\w/])/([a-z0-9_]{1,32})\b", re.IGNORECASE)
_watchers: list[list[Recording]] = []


def watch_api(api: Recording) -> bool:
    """Called by every new FakeBotApi: remember it for the open :func:`watching` blocks;
    whether any is open (only then does the fake keep every state for the check)."""
    for watched in _watchers:
        watched.append(api)
    return bool(_watchers)


@contextlib.contextmanager
def watching() -> Iterator[list[Recording]]:
    """Collect every FakeBotApi built inside the block (into the yielded list)."""
    watched: list[Recording] = []
    _watchers.append(watched)
    try:
        yield watched
    finally:  # by identity: lists of the same fakes compare equal
        _watchers[:] = [other for other in _watchers if other is not watched]


def named_commands(text: str) -> set[str]:
    """The "/word" commands a text names (lower case, without the slash)."""
    return {match.group(1).lower() for match in _COMMAND.finditer(text)}


def has_way_on(message: SentMessage, commands: Iterable[str]) -> bool:
    """Whether this state of a message offers a way on: a button, or a known command."""
    if any(row for row in message.buttons) or any(row for row in message.reply_keyboard or []):
        return True
    return bool(named_commands(message.text) & {c.lower() for c in commands})


@dataclass(frozen=True)
class Allowed:
    """A message allowed without a way on: what it is (``matches``) and why it may stay so."""

    matches: Callable[[SentMessage], bool]
    reason: str


@dataclass(frozen=True)
class DeadEnd:
    """A state of a bot message in a private chat that offered no way on."""

    message: SentMessage

    def __str__(self) -> str:
        m = self.message
        what = m.document.filename if m.document else "venue" if m.venue else ""
        text = m.text if len(m.text) <= 160 else m.text[:157] + "..."
        state = f"edit {m.edits}" if m.edits else "sent"
        return f"chat {m.chat_id}, {m.method} ({state}) {what} {text!r}"


def _stretches(api: Recording) -> list[list[SentMessage]]:
    """The recorded states cut where an update was built."""
    cuts = sorted({0, *api.update_starts, len(api.states)})
    return [api.states[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def dead_ends(
    api: Recording, commands: Iterable[str], allowed: Iterable[Allowed] = ()
) -> list[DeadEnd]:
    """Every state of a bot message in a private chat that offered no way on, with none in
    sight either (see the module docstring); messages deleted in the end do not count."""
    commands, allowed = {c.lower() for c in commands}, list(allowed)
    found: list[DeadEnd] = []
    for stretch in _stretches(api):
        by_chat: dict[int, list[SentMessage]] = {}
        for state in stretch:
            if state.chat_id > 0 and not state.deleted:
                by_chat.setdefault(state.chat_id, []).append(state)
        for states in by_chat.values():
            way_on = [has_way_on(state, commands) for state in states]
            for index, state in enumerate(states):
                if way_on[index] or api.message(state.chat_id, state.message_id).deleted:
                    continue
                if any(entry.matches(state) for entry in allowed):
                    continue
                in_sight = any(
                    way_on[i] and (other.message_id != state.message_id or i > index)
                    for i, other in enumerate(states)
                )
                if not in_sight:
                    found.append(DeadEnd(state))
    return found
