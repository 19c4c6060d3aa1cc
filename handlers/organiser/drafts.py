"""Half-written organiser dialogues, resumed (issue 22): a command or a press elsewhere ends an
organiser's step (handlers.dialogues) but keeps the draft in ``user_data``; /admin then offers
"Entwurf fortsetzen", which asks the step the dialogue was left at again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from handlers.organiser import broadcast
from handlers.organiser.event_draft import FIELD_MENU, draft_of, gone
from handlers.organiser.event_editor import ask
from handlers.organiser.event_speakers import open_speakers
from handlers.organiser.event_summary import field_menu, show_summary
from handlers.ui.guard import END, abort_button
from handlers.ui.picker import show_picker
from storage import events as event_store
from storage.broadcasts import Audience


def event_resumable(context: BotContext) -> bool:
    """A new or changed event left half-written (a cancellation's confirmation is not kept:
    it is asked again from the menu)."""
    draft = draft_of(context)
    return draft is not None and draft.mode in ("create", "edit")


async def resume_event(update: Update, context: BotContext) -> object:
    """The step the event dialogue was left at: the field asked, the speakers screen, the
    summary or (an edit with no change yet) the field menu."""
    draft = draft_of(context)
    if draft is None or draft.mode not in ("create", "edit"):
        return END
    if draft.asking is not None:
        return await ask(update, context, draft, draft.asking)
    if draft.speakers is not None:
        return await open_speakers(update, context, draft)
    if draft.mode == "create" or draft.values:
        return await show_summary(update, context, draft)
    event = await event_store.get_event(context.db, draft.event_id or "")
    if event is None:
        return await gone(update, context)
    text = context.text("editor.which_field", title=event.title)
    await context.bot.send_message(
        update.effective_chat.id, text, reply_markup=field_menu(context)
    )
    return FIELD_MENU


def broadcast_resumable(context: BotContext) -> bool:
    """A broadcast left before "Senden"."""
    return broadcast.draft_of(context) is not None


async def resume_broadcast(update: Update, context: BotContext) -> object:
    """The step the broadcast was left at: the message, the audience, the evening, the
    preview."""
    draft = broadcast.draft_of(context)
    if draft is None:
        return END
    chat_id = update.effective_chat.id
    if draft.message_id is None:
        markup = InlineKeyboardMarkup([[abort_button(context)]])
        await context.bot.send_message(
            chat_id, context.text("broadcast.ask_message"), reply_markup=markup
        )
        return broadcast.MESSAGE
    if draft.audience is None:
        markup = await broadcast.audience_markup(context)
        await context.bot.send_message(
            chat_id, context.text("broadcast.ask_audience"), reply_markup=markup
        )
        return broadcast.AUDIENCE
    if draft.audience is not Audience.SUBSCRIBERS and draft.event_id is None:
        await show_picker(update, context, "bc")
        return broadcast.EVENT
    return await broadcast.preview(update, context, draft)


class Resumable(NamedTuple):
    """One kind of draft: the menu button's label, whether there is one, how it goes on."""

    label: str
    present: Callable[[BotContext], bool]
    resume: Callable[[Update, BotContext], Awaitable[object]]


# Button arg -> the kind of draft; /admin offers one "Entwurf fortsetzen" per draft left open.
DRAFTS = {
    "ev": Resumable("admin.resume_event", event_resumable, resume_event),
    "bc": Resumable("admin.resume_broadcast", broadcast_resumable, resume_broadcast),
}
