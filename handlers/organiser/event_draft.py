"""What the event dialogues share: their states, the draft they fill in, and small helpers
(the modules :mod:`handlers.organiser.event_editor`, :mod:`handlers.organiser.event_summary`,
:mod:`handlers.organiser.event_speakers` and :mod:`handlers.organiser.event_cancel` build on
it)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.state import EventDraft
from domain.reading.event_input import values_of
from domain.standing import Refusal
from handlers.ui import way_on
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
        await update.effective_message.reply_text(
            context.text("card.unknown_event"), reply_markup=way_on.to_admin_menu(context)
        )
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
        await update.effective_message.reply_text(
            context.text(key), reply_markup=way_on.to_admin_menu(context)
        )
    return END
