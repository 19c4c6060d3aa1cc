"""Reading what happened in :class:`~.api.FakeBotApi`: the messages of each chat, the change
history behind cursors, the recorded calls and the command menus."""

from __future__ import annotations

import bisect
from typing import Any

from .records import ApiCall, MessageCursor, SentMessage


class RecordedHistory:
    """Mixin of :class:`~.api.FakeBotApi` with what tests and the console read back; the state
    (``_messages``, ``_incoming``, ``_changes``, ``calls`` ...) is FakeBotApi's."""

    # -- reading what happened ---------------------------------------------------------------

    def messages(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, in their current state."""
        chat = self._messages.get(chat_id, {})
        return [m for m in chat.values() if include_deleted or not m.deleted]

    def incoming(self, chat_id: int) -> list[SentMessage]:
        """The messages users sent in a chat (``from_bot`` False), oldest first."""
        return list(self._incoming.get(chat_id, {}).values())

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """One of the bot's messages by id (current state)."""
        try:
            return self._messages[chat_id][message_id]
        except KeyError:
            raise AssertionError(f"the bot sent no message {message_id} to {chat_id}") from None

    def last(self, chat_id: int) -> SentMessage:
        """The bot's latest (not deleted) message in a chat; AssertionError if there is none."""
        sent = self.messages(chat_id)
        if not sent:
            raise AssertionError(f"the bot has not sent anything to chat {chat_id}")
        return sent[-1]

    def marker(self) -> int:
        """A position in the change history, for :meth:`sent_since`."""
        return len(self._changes)

    def sent_since(self, marker: int, chat_id: int | None = None) -> list[SentMessage]:
        """Bot messages sent, edited or deleted after ``marker``, each once, in change order."""
        if chat_id is None:
            keys = self._changes[marker:]
        else:
            seqs = self._chat_changes.get(chat_id, [])
            keys = [self._changes[s - 1] for s in seqs[bisect.bisect_right(seqs, marker) :]]
        latest = {key: self._messages[key[0]][key[1]] for key in keys}
        return sorted(latest.values(), key=lambda m: m.seq)

    def cursor(self, chat_id: int | None = None) -> MessageCursor:
        """A cursor starting now; ``cursor.new()`` gives what changed since the last look."""
        return MessageCursor(self, chat_id)

    def calls_to(self, *methods: str) -> list[ApiCall]:
        """The recorded calls of these methods, in order."""
        return [call for call in self.calls if call.method in methods]

    def commands(self, scope: Any = None, language_code: str = "") -> list[tuple[str, str]]:
        """The (command, description) pairs set for a scope (dict or BotCommandScope)."""
        if scope is not None and hasattr(scope, "to_dict"):
            scope = scope.to_dict()
        stored = self.my_commands.get((self._scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]
