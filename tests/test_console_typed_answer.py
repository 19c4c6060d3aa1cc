"""The console asks the bot's dialogues whether they wait for a typed answer with an update from
the person as Telegram would send it: a human (``is_bot`` false) with their first name."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.console.terminal import waits_for_text


class RecordingConversation(ConversationHandler[Any]):
    """Only asked ``check_update``; remembers what it was asked with."""

    def __init__(self) -> None:  # no dialogue behind it: nothing else is asked of it
        self.asked: list[Update] = []

    def check_update(self, update: object) -> None:
        assert isinstance(update, Update)
        self.asked.append(update)


def test_the_update_comes_from_a_human_with_their_first_name() -> None:
    conversation = RecordingConversation()
    application: Any = SimpleNamespace(handlers={0: [conversation]})
    person: Any = SimpleNamespace(
        user_id=7, chat_id=7, user_json={"id": 7, "is_bot": False, "first_name": "Lea"}
    )
    assert waits_for_text(application, person) is False
    [update] = conversation.asked
    assert update.effective_user is not None
    assert update.effective_user.id == 7
    assert update.effective_user.is_bot is False
    assert update.effective_user.first_name == "Lea"
