"""Driving the bot as a user: :class:`FakeUser` and :class:`FakeGroup` type and press buttons."""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.ext import Application

from .api import FakeBotApi
from .constants import JSONDict
from .html import Entity, utf16_len
from .records import Button, InlineAnswer, SentMessage

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def _command_entities(text: str) -> list[Entity]:
    """The bot_command entity Telegram adds when a message starts with a command."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [Entity("bot_command", 0, utf16_len(match.group()))]


def _find_button(message: SentMessage, label_or_index: str | int) -> Button:
    """Find a button by exact text, unique substring or 1-based number in reading order."""
    buttons = [button for row in message.buttons for button in row]
    listing = ", ".join(f"[{n}] {b.text!r}" for n, b in enumerate(buttons, 1)) or "none"
    if isinstance(label_or_index, int):
        if not 1 <= label_or_index <= len(buttons):
            raise AssertionError(
                f"no button number {label_or_index} (numbers start at 1, as in the console)"
                f" in message {message.message_id}; buttons: {listing}"
            )
        return buttons[label_or_index - 1]
    exact = [b for b in buttons if b.text == label_or_index]
    partial = [b for b in buttons if label_or_index.casefold() in b.text.casefold()]
    found = exact or partial
    if len(found) != 1:
        problem = "several buttons match" if found else "no button matches"
        raise AssertionError(
            f"{problem} {label_or_index!r} in message {message.message_id}; buttons: {listing}"
        )
    return found[0]


class _ChatDriver:
    """Shared plumbing of FakeUser and FakeGroup: feed an update, collect the answers."""

    def __init__(self, app: Application | None, api: FakeBotApi, chat_id: int) -> None:
        # ``app`` None: the bot runs elsewhere (another process, over loopback HTTP) and gets
        # its updates from getUpdates; only the update builders below are used then.
        self.app = app
        self.api = api
        self.chat_id = chat_id

    async def _feed(self, update: JSONDict) -> list[SentMessage]:
        """Let the application process one update; return what changed in this chat."""
        if self.app is None:
            raise RuntimeError("this driver has no application; queue its updates instead")
        marker = self.api.marker()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.sent_since(marker, self.chat_id)

    def message_update(self, sender: FakeUser, text: str | None, **media: Any) -> JSONDict:
        """Record that ``sender`` wrote ``text`` here and return the update Telegram would
        deliver (``_feed`` hands it to the application; the benchmark queues it for
        getUpdates instead)."""
        entities = _command_entities(text) if text and not media else []
        message = self.api.record_incoming(
            self.chat_id, sender.user_id, text=text, entities=entities, **media
        )
        return {"update_id": self.api.next_update_id(), "message": message}

    def callback_update(
        self, sender: FakeUser, data: str, message: SentMessage | None = None
    ) -> JSONDict:
        """The update of ``sender`` pressing a button with ``data`` on ``message`` (default:
        the latest bot message with buttons)."""
        target = self._current(message, with_buttons=message is None and self._any_buttons())
        query = {
            "id": self.api.next_callback_query_id(),
            "from": sender.user_json,
            "message": self.api.message_json(target),
            "chat_instance": f"fake-{self.chat_id}",
            "data": data,
        }
        return {"update_id": self.api.next_update_id(), "callback_query": query}

    async def _send(self, sender: FakeUser, text: str | None, **media: Any) -> list[SentMessage]:
        return await self._feed(self.message_update(sender, text, **media))

    async def _press(
        self,
        sender: FakeUser,
        label_or_index: str | int,
        message: SentMessage | None,
    ) -> list[SentMessage]:
        target = self._current(message, with_buttons=True)
        button = _find_button(target, label_or_index)
        if button.callback_data is None:
            where = f" (opens {button.url})" if button.url else ""
            raise AssertionError(
                f"button {button.text!r} is a {button.kind} button{where} and can't be pressed"
            )
        return await self._press_data(sender, button.callback_data, target)

    async def _press_data(
        self, sender: FakeUser, data: str, message: SentMessage | None
    ) -> list[SentMessage]:
        return await self._feed(self.callback_update(sender, data, message))

    def _any_buttons(self) -> bool:
        return any(m.buttons for m in self.api.messages(self.chat_id))

    def _current(self, message: SentMessage | None, with_buttons: bool) -> SentMessage:
        """The pressed message in its current state (default: latest one with buttons)."""
        if message is not None:
            current = self.api.message(message.chat_id, message.message_id)
            if current.deleted:
                raise AssertionError(f"message {message.message_id} was deleted")
            return current
        candidates = [m for m in self.api.messages(self.chat_id) if m.buttons or not with_buttons]
        if not candidates:
            raise AssertionError(f"no bot message with buttons in chat {self.chat_id}")
        return candidates[-1]

    @property
    def messages(self) -> list[SentMessage]:
        """The bot's messages in this chat, oldest first."""
        return self.api.messages(self.chat_id)

    @property
    def last(self) -> SentMessage:
        """The bot's latest message in this chat."""
        return self.api.last(self.chat_id)

    @property
    def last_text(self) -> str:
        """The plain text (or caption) of the bot's latest message in this chat."""
        return self.last.text


class FakeUser(_ChatDriver):
    """A Telegram user chatting privately with the bot."""

    def __init__(
        self,
        app: Application | None,
        api: FakeBotApi,
        user_id: int,
        first_name: str = "Erika",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "de",
    ) -> None:
        super().__init__(app, api, user_id)
        self.user_id = user_id
        self.user_json: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                self.user_json[key] = value
        api.register_user(self.user_json)

    async def send(self, text: str) -> list[SentMessage]:
        """Type a message (commands get their bot_command entity); return the bot's answers."""
        return await self._send(self, text)

    async def inline(self, query: str, chat_type: str = "supergroup") -> InlineAnswer:
        """Type ``@<bot> query`` in a chat of ``chat_type``; return the bot's answer."""
        update = {
            "update_id": self.api.next_update_id(),
            "inline_query": {
                "id": self.api.next_inline_query_id(),
                "from": self.user_json,
                "query": query,
                "offset": "",
                "chat_type": chat_type,
            },
        }
        answered = len(self.api.inline_answers)
        await self._feed(update)
        answers = self.api.inline_answers[answered:]
        if len(answers) != 1:
            raise AssertionError(f"{len(answers)} answers to the inline query {query!r}")
        return answers[0]

    async def send_photo(
        self, caption: str | None = None, photo: bytes = b"\x89PNG fake photo"
    ) -> list[SentMessage]:
        """Send a photo (the bot may copy it later); return the bot's answers."""
        return await self._send(self, caption, photo=photo)

    async def send_document(
        self,
        content: bytes = b"%PDF-1.4 fake",
        filename: str = "document.pdf",
        caption: str | None = None,
        mime_type: str | None = "application/pdf",
    ) -> list[SentMessage]:
        """Send a file; return the bot's answers."""
        return await self._send(self, caption, document=(filename, content, mime_type))

    async def send_location(self, latitude: float, longitude: float) -> list[SentMessage]:
        """Share a location (the paper-clip menu's "Standort"); return the bot's answers."""
        return await self._send(self, None, location=(latitude, longitude))

    async def press(
        self, label_or_index: str | int, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Press an inline button: exact label, unique substring or number counted from 1.

        ``message`` defaults to the latest bot message with buttons. Returns the messages sent
        or edited in this chat while the bot handled the press.
        """
        return await self._press(self, label_or_index, message)

    async def press_data(self, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Send a callback query with arbitrary (possibly forged) data."""
        return await self._press_data(self, data, message)


class FakeGroup(_ChatDriver):
    """A supergroup the bot is a member of; users speak in it via :meth:`send`."""

    def __init__(self, app: Application, api: FakeBotApi, chat_id: int, title: str) -> None:
        super().__init__(app, api, chat_id)
        self.title = title
        api.register_chat({"id": chat_id, "type": "supergroup", "title": title})

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        """``user`` writes ``text`` in the group; return the bot's answers in the group."""
        return await self._send(user, text)

    async def press(
        self, user: FakeUser, label_or_index: str | int, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """``user`` presses a button of a bot message in the group."""
        return await self._press(user, label_or_index, message)

    async def press_data(
        self, user: FakeUser, data: str, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """``user`` sends a callback query with arbitrary (possibly forged) data in the group."""
        return await self._press_data(user, data, message)
