"""The console's screen and keyboard: bot messages for its people, pop-ups, saved files, button
presses, and the typed entries.

What Telegram would show on the phones of the console's people is printed in the order it
happens, labelled with who receives it when the console has several people. Every message with
buttons gets a tag (``(A)``, ``(B)`` …) so that a button of an earlier message can be pressed
(``B2``), as on a phone one scrolls up. Files the bot sends are saved under
``data/console-files/`` and their path printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import string
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from telegram import Chat, Message, Update, User
from telegram.ext import Application, ConversationHandler

from testing.fake_telegram import FakeBotApi, FakeUser, SentMessage, render_for_terminal

CONSOLE_FILES = Path("data/console-files")
RULE = "─" * 40
TYPED_ANSWER_HINT = (
    "(The bot waits for a typed answer: a number is sent as text; #{n} presses button {n}, "
    "#{tag}{n} button {n} of message {tag}.)"
)
CONTINUE = "\\"  # a line ending in a backslash continues on the next line
DISCARDED = "(Ctrl-C: the unfinished entry was discarded; Ctrl-C at the prompt ends the console.)"


class Key(enum.Enum):
    """What the keyboard gives besides lines: the end of input, and Ctrl-C."""

    END = enum.auto()
    CTRL_C = enum.auto()


Keyboard = asyncio.Queue[str | Key]


def start_reader(loop: asyncio.AbstractEventLoop, queue: Keyboard) -> None:
    """Read stdin in a daemon thread (it never holds up the exit); ``Key.END`` marks its end."""

    def read() -> None:
        for line in iter(sys.stdin.readline, ""):
            with contextlib.suppress(RuntimeError):  # the loop has closed: stop reading
                loop.call_soon_threadsafe(queue.put_nowait, line)
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, Key.END)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()


async def read_entry(queue: Keyboard, prompt: bool, note: Callable[[str], None]) -> str | None:
    """One entry: a line, or several joined when each but the last ends in a backslash;
    ``None`` at the end of input or on Ctrl-C at the prompt. Ctrl-C inside a continued entry
    discards it (and says so) instead of sending half of it."""
    parts: list[str] = []
    while True:
        if prompt:
            print("> " if not parts else ". ", end="", flush=True)
        line = await queue.get()
        if line is Key.CTRL_C and parts:
            parts.clear()
            note(DISCARDED)
            continue
        if isinstance(line, Key):
            return "\n".join(parts) if parts and line is Key.END else None
        line = line.rstrip("\r\n")
        if line.endswith(CONTINUE):
            parts.append(line[: -len(CONTINUE)])
            continue
        parts.append(line)
        return "\n".join(parts)


def tag_names() -> Iterator[str]:
    """``A`` … ``Z``, then ``AA``, ``AB`` …: the tags of messages with buttons."""
    for length in itertools.count(1):
        for letters in itertools.product(string.ascii_uppercase, repeat=length):
            yield "".join(letters)


def waits_for_text(application: Application, user: FakeUser) -> bool:
    """Whether a dialogue of the bot is waiting for ``user`` to type an answer: some
    conversation would take a typed text from them now (PTB's public ``check_update``)."""
    chat = Chat(user.chat_id, Chat.PRIVATE)
    sender = User(
        id=user.user_id, first_name=str(user.user_json.get("first_name", "")), is_bot=False
    )
    message = Message(0, datetime.now(UTC), chat, from_user=sender, text="1")
    update = Update(0, message=message)
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.check_update(update):
                return True
    return False


class ConsoleScreen:
    """Prints what changed in the chats of the console's people, and presses buttons."""

    def __init__(self, api: FakeBotApi, people: set[int], color: bool) -> None:
        self.api = api
        self.ids = people  # shared with the outbox sender: only their rows are sent
        self.people: dict[int, FakeUser] = {}
        self.current: int | None = None
        self.color = color
        self.cursor = api.cursor()
        self.answers_shown = len(api.callback_answers)
        self.saved: dict[tuple[int, int], Path] = {}
        self.tags: dict[tuple[int, int], str] = {}  # (chat, message) -> tag, once given
        self.tagged: dict[str, tuple[int, int]] = {}
        self.next_tags = tag_names()

    def add(self, user: FakeUser) -> None:
        """A new person of this console (the first one is the current one)."""
        self.people[user.user_id] = user
        self.ids.add(user.user_id)
        if self.current is None:
            self.current = user.user_id

    def label(self, user_id: int) -> str:
        """``Erika (4242)``: how the screen names a person."""
        user = self.people[user_id]
        return f"{user.user_json.get('first_name', '')} ({user_id})"

    def note(self, text: str) -> None:
        """A line of the console itself (not from the bot)."""
        print(text, flush=True)

    def latest_with_buttons(self, user: FakeUser) -> SentMessage | None:
        """The person's latest bot message with inline buttons."""
        for message in reversed(user.messages):
            if message.buttons and not message.deleted:
                return message
        return None

    def waits_for_text(self, user: FakeUser) -> bool:
        """Whether the bot waits for a typed answer from ``user`` (see :func:`waits_for_text`)."""
        return waits_for_text(user.app, user)

    def tag(self, message: SentMessage) -> str | None:
        """The message's tag, given when it is first shown with buttons (kept through edits)."""
        key = (message.chat_id, message.message_id)
        if key not in self.tags and message.buttons and not message.deleted:
            self.tags[key] = next(self.next_tags)
            self.tagged[self.tags[key]] = key
        return self.tags.get(key)

    def is_tag(self, text: str) -> bool:
        """Whether ``text`` names a message shown with buttons (``b`` or ``B``)."""
        return text.upper() in self.tagged

    def tagged_message(self, user: FakeUser, tag: str) -> SentMessage | None:
        """Message ``tag`` in its current state, if it is in ``user``'s chat (else says why)."""
        chat_id, message_id = self.tagged[tag.upper()]
        if chat_id != user.user_id:
            self.note(f"(message {tag.upper()} is {self.label(chat_id)}'s: /als {chat_id} first)")
            return None
        message = self.api.message(chat_id, message_id)
        if message.deleted:
            self.note(f"(message {tag.upper()} was deleted)")
            return None
        return message

    async def press(self, user: FakeUser, number: int, tag: str | None = None) -> None:
        """Press button ``number`` of message ``tag`` (default: the latest message with buttons);
        a link into this bot is followed as ``/start``, another link is only named."""
        if tag is None:
            message, which = self.latest_with_buttons(user), "the last message"
        else:
            message, which = self.tagged_message(user, tag), f"message {tag.upper()}"
            if message is None:
                return
        buttons = [button for row in message.buttons for button in row] if message else []
        if not 1 <= number <= len(buttons):
            self.note(f"(no button {number}; {which} has {len(buttons)})")
            return
        button = buttons[number - 1]
        if button.callback_data is not None:
            await user.press(number, message)
            return
        start = parse_qs(urlparse(button.url or "").query).get("start")
        if start:
            await user.send(f"/start {start[0]}")
        else:
            self.note(f"(opens {button.url} in the browser)")

    def flush(self) -> None:
        """Print pop-ups and messages that appeared or changed since the last look."""
        for answer in self.api.callback_answers[self.answers_shown :]:
            if answer.text:
                kind = "Pop-up (alert)" if answer.show_alert else "Pop-up"
                print(f"💬 {kind}: {answer.text}")
        self.answers_shown = len(self.api.callback_answers)
        for message in self.cursor.new():
            if message.chat_id not in self.people:
                continue  # the console is only these people's phones
            if len(self.people) > 1:
                print(f"→ to {self.label(message.chat_id)}")
            tag = self.tag(message)
            shown = render_for_terminal(message, self.color)
            print(f"({tag}) {shown}" if tag and message.buttons and not message.deleted else shown)
            path = self.save_file(message)
            if path is not None:
                print(f"   saved: {path}")
            if message.chat_id == self.current and tag and self.hint_needed(message):
                print(TYPED_ANSWER_HINT.format(n=1, tag=tag))
            print(RULE)
        sys.stdout.flush()

    def hint_needed(self, message: SentMessage) -> bool:
        """The shown message has buttons, but the bot waits for a typed answer."""
        user = self.people[message.chat_id]
        return bool(message.buttons) and not message.deleted and self.waits_for_text(user)

    def save_file(self, message: SentMessage) -> Path | None:
        """Save a document or photo the bot sent under ``data/console-files/``, once."""
        key = (message.chat_id, message.message_id)
        if key in self.saved or message.deleted:
            return self.saved.get(key)
        if message.document is not None and message.document.content is not None:
            name, content = Path(message.document.filename).name, message.document.content
        elif message.photo is not None:
            name, content = f"photo-{message.chat_id}-{message.message_id}.png", message.photo
        else:
            return None
        CONSOLE_FILES.mkdir(parents=True, exist_ok=True)
        path = CONSOLE_FILES / name
        number = 1
        while path.exists() and path.read_bytes() != content:
            number += 1
            path = CONSOLE_FILES / f"{Path(name).stem}-{number}{Path(name).suffix}"
        path.write_bytes(content)
        self.saved[key] = path
        return path
