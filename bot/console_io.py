"""The console's screen: bot messages for its people, pop-ups, saved files, button presses.

What Telegram would show on the phones of the console's people is printed in the order it
happens, labelled with who receives it when the console has several people. Files the bot sends
are saved under ``data/console-files/`` and their path printed.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from telegram import Chat, Message, Update, User
from telegram.ext import Application, ConversationHandler

from testing.fake_telegram import FakeBotApi, FakeUser, SentMessage, render_for_terminal

CONSOLE_FILES = Path("data/console-files")
RULE = "─" * 40
TYPED_ANSWER_HINT = (
    "(The bot waits for a typed answer: a number is sent as text; #{n} presses button {n}.)"
)


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

    async def press(self, user: FakeUser, number: int) -> None:
        """Press button ``number`` of the latest message with buttons; a link into this bot is
        followed as ``/start``, another link is only named."""
        latest = self.latest_with_buttons(user)
        buttons = [button for row in latest.buttons for button in row] if latest else []
        if not 1 <= number <= len(buttons):
            self.note(f"(no button {number}; the last message has {len(buttons)})")
            return
        button = buttons[number - 1]
        if button.callback_data is not None:
            await user.press(number, latest)
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
            print(render_for_terminal(message, self.color))
            path = self.save_file(message)
            if path is not None:
                print(f"   saved: {path}")
            if message.chat_id == self.current and self.hint_needed(message):
                print(TYPED_ANSWER_HINT.format(n=1))
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
