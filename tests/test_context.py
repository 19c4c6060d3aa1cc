"""Typed per-person memory (issue 9): PTB's ``user_data`` is a :class:`UserData`, not a dict."""

from __future__ import annotations

from enum import IntEnum

from telegram.ext import ConversationHandler

from bot.callbacks import Action
from bot.context import UserData
from handlers.door.checkin import CheckInState
from handlers.organiser.broadcast import BroadcastState
from handlers.organiser.event_editor import EditorState
from testing.offline import press_action
from tests.conftest import make_event


async def test_user_data_is_typed_and_holds_language_and_dialogue(bot, add_events):
    user = bot.user(1, language_code="de")
    await user.send("/sprache")
    await user.press("English")
    data = bot.app.user_data[1]
    assert isinstance(data, UserData)
    assert (data.language, data.known) == ("en", "de")
    await add_events(make_event("umbau-2026", days=10))
    await user.send("/termine")
    await press_action(user, Action.CARD)
    await press_action(user, Action.SIGN_UP)
    assert data.signup_dialogue is not None  # the name step is open
    data.clear()
    assert data == UserData()


def test_dialogue_states_are_named_constants_not_message_ids(bot):
    """Every ConversationHandler state is an IntEnum member; the organiser dialogues share one
    handler, so their states must not collide."""
    conversations = [h for h in bot.app.handlers[0] if isinstance(h, ConversationHandler)]
    assert {c.name for c in conversations} == {
        "signup",
        "organiser-dialogues",
        "feedback",
        "questions",
        "name",
    }
    for conversation in conversations:
        states = list(conversation.states)
        assert states and all(isinstance(state, IntEnum) for state in states)
    organiser = next(c for c in conversations if c.name == "organiser-dialogues")
    assert len(organiser.states) == len(EditorState) + len(BroadcastState) + len(CheckInState)
