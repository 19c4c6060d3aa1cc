"""What the event dialogues share: their states, the draft they fill in, and small helpers
(the modules :mod:`handlers.organiser.event_editor`, :mod:`handlers.organiser.event_summary`,
:mod:`handlers.organiser.event_speakers` and :mod:`handlers.organiser.event_cancel` build on
it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler
from typing_extensions import TypedDict  # pydantic reads it on Python 3.11 (bot.persistence)

from bot.context import BotContext
from domain.models import Speaker
from domain.reading.event_input import values_of
from domain.standing import Refusal
from storage import events as event_store

END = ConversationHandler.END


class EditorState(IntEnum):
    """Conversation states of the event dialogues (10–19: they share a ConversationHandler
    with the broadcast's states)."""

    ASK = 10
    FIELD_MENU = 11
    CONFIRM = 12
    CANCEL_CONFIRM = 13
    SPEAKERS = 14  # the speakers screen and one speaker's screen (buttons)
    SPEAKER_ASK = 15  # a typed answer about one speaker (or new ones)


ASK, FIELD_MENU, CONFIRM, CANCEL_CONFIRM, SPEAKERS, SPEAKER_ASK = EditorState


class EventValues(TypedDict, total=False):
    """The dialogue's answers by field (domain.reading.event_input.FIELDS); ``None``: left
    empty."""

    title: str | None
    series: str | None
    starts: datetime | None
    ends: datetime | None
    venue: str | None
    address: str | None
    coordinates: tuple[float, float] | None
    capacity: int | None
    registration_closes: datetime | None
    cpd_hours: float | None
    description: str | None
    speakers: tuple[Speaker, ...] | None


@dataclass
class EventDraft:
    """The dialogue so far: for a new event all answers, for an edit only the changes."""

    mode: str  # "create" | "edit" | "cancel"
    event_id: str | None = None
    values: EventValues = field(default_factory=EventValues)
    asking: str | None = None
    reviewing: bool = False  # a new event's summary was shown: an answer returns to it
    # The speakers screen: the list being changed, which speaker and part a typed answer is
    # for, and a version every change raises (buttons of an older list are stale).
    speakers: tuple[Speaker, ...] | None = None
    speaker_index: int | None = None
    speaker_part: str | None = None
    speakers_version: int = 0


def draft_of(context: BotContext) -> EventDraft | None:
    """This organiser's event dialogue so far (``None`` outside one)."""
    return context.user_data.event_draft if context.user_data is not None else None


async def current_values(context: BotContext, draft: EventDraft) -> dict[str, Any]:
    """The saved values of the event an edit dialogue is about (empty when it is gone)."""
    event = await event_store.get_event(context.db, draft.event_id or "")
    return values_of(event) if event is not None else {}


async def gone(update: Update, context: BotContext) -> int:
    """The event of the dialogue no longer exists: say so and end the dialogue."""
    if context.user_data is not None:
        context.user_data.event_draft = None
    if update.callback_query is not None:
        await update.callback_query.answer(context.plain("card.unknown_event"), show_alert=True)
    else:
        await update.effective_message.reply_text(context.text("card.unknown_event"))
    return END


# Why an organiser's press changed nothing (a rule of domain.lifecycle), as its answer.
REFUSAL_KEYS = {
    Refusal.UNKNOWN_EVENT: "card.unknown_event",
    Refusal.EVENT_BEGUN: "lifecycle.refused_begun",
    Refusal.EVENT_OVER: "lifecycle.refused_over",
    Refusal.EVENT_CANCELLED: "editor.already_cancelled",
    Refusal.NOT_CANCELLED: "lifecycle.revive_not_possible",
    Refusal.HAS_REGISTRATIONS: "lifecycle.delete_not_possible",
}


async def refuse(update: Update, context: BotContext, refusal: Refusal) -> int:
    """A press the rule refused (at the press or in the transaction): nothing changed; the
    pop-up says why and the dialogue ends."""
    if context.user_data is not None:
        context.user_data.event_draft = None
    key = REFUSAL_KEYS[refusal]
    if update.callback_query is not None:
        await update.callback_query.answer(context.plain(key), show_alert=True)
    else:
        await update.effective_message.reply_text(context.text(key))
    return END
