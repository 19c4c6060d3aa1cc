"""Events in the chat: create, edit any field, cancel — dialogues with a summary to confirm.

This module asks the questions and reads the answers: each answer is checked at once (an
invalid one is asked again with a hint), and /abbrechen leaves at any step. The summary and
saving are :mod:`handlers.organiser.event_summary`'s, cancelling is
:mod:`handlers.organiser.event_cancel`'s; nothing is written before the organiser confirms.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from domain.reading.event_input import (
    CREATE_STEPS,
    FIELDS,
    REQUIRED,
    InputError,
    apply_changes,
    check_point,
    example_values,
    parse_field,
)
from handlers.organiser.event_cancel import confirm_cancel, start_cancel
from handlers.organiser.event_draft import (
    ASK,
    CANCEL_CONFIRM,
    CONFIRM,
    END,
    FIELD_MENU,
    EditorState,
    EventDraft,
    current_values,
    draft_of,
    gone,
)
from handlers.organiser.event_speakers import open_speakers
from handlers.organiser.event_speakers import states as speaker_states
from handlers.organiser.event_summary import (
    field_menu,
    more_fields,
    save,
    show_summary,
    show_value,
)
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import abort_button, organisers_only
from storage import events as event_store

__all__ = ["EditorState", "EventDraft", "dialogue_parts"]


def _ask_markup(context: BotContext, draft: EventDraft, name: str) -> InlineKeyboardMarkup:
    row = []
    if name not in REQUIRED:
        key = "editor.skip" if draft.mode == "create" else "editor.clear"
        row.append(context.button(key, Action.EVENT_SKIP, name))
    row.append(abort_button(context))
    return InlineKeyboardMarkup([row])


async def ask(update: Update, context: BotContext, draft: EventDraft, name: str) -> int:
    """Ask for ``name`` in a new message; the dialogue waits for the answer."""
    draft.asking = name
    parts = []
    if draft.mode == "create" and not draft.reviewing and name in CREATE_STEPS:
        step = CREATE_STEPS.index(name) + 1
        parts.append(context.text("editor.step", step=step, steps=len(CREATE_STEPS)))
    examples = example_values(context.now(), context.settings.tz)
    parts.append(context.text(f"editor.ask_{name}", **examples))
    if draft.mode == "edit":
        current = await current_values(context, draft)
        parts.append(
            context.text("editor.current", value=show_value(context, name, current.get(name)))
        )
    await context.bot.send_message(
        update.effective_chat.id,
        Markup("\n\n").join(parts),
        reply_markup=_ask_markup(context, draft, name),
    )
    return ASK


async def _reask(update: Update, context: BotContext, draft: EventDraft, error: InputError) -> int:
    hint = context.text(error.key, **error.values)
    await update.effective_message.reply_text(
        context.text("editor.invalid", hint=hint),
        reply_markup=_ask_markup(context, draft, draft.asking or ""),
    )
    return ASK


async def accept(update: Update, context: BotContext, draft: EventDraft, value: Any) -> int:
    """Store a checked answer and go on: the next question, or the summary."""
    name = draft.asking or ""
    if draft.mode == "edit":
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await gone(update, context)
        try:
            apply_changes(event, {**draft.values, name: value})
        except InputError as error:
            return await _reask(update, context, draft, error)
        draft.values[name] = value
        return await show_summary(update, context, draft)
    draft.values[name] = value
    index = CREATE_STEPS.index(name) if name in CREATE_STEPS else len(CREATE_STEPS)
    if not draft.reviewing and index + 1 < len(CREATE_STEPS):
        return await ask(update, context, draft, CREATE_STEPS[index + 1])
    return await show_summary(update, context, draft)


@organisers_only
async def receive_text(update: Update, context: BotContext) -> int:
    """A typed answer to the current question."""
    draft = draft_of(context)
    if draft is None or draft.asking is None:
        return END
    current = dict(draft.values)
    if draft.mode == "edit":
        current = {**await current_values(context, draft), **draft.values}
    try:
        value = parse_field(
            draft.asking,
            update.effective_message.text,
            context.settings.tz,
            context.now(),
            current,
        )
    except InputError as error:
        return await _reask(update, context, draft, error)
    return await accept(update, context, draft, value)


@organisers_only
async def receive_location(update: Update, context: BotContext) -> int:
    """A shared location as the answer (the venue's coordinates)."""
    draft = draft_of(context)
    if draft is None or draft.asking is None:
        return END
    if draft.asking != "coordinates":
        return await _reask(update, context, draft, InputError("editor.hint_text"))
    location = update.effective_message.location
    return await accept(update, context, draft, check_point(location.latitude, location.longitude))


@organisers_only
async def receive_other(update: Update, context: BotContext) -> int:
    """A photo, sticker … where a typed answer is expected."""
    draft = draft_of(context)
    if draft is None:
        return END
    return await _reask(update, context, draft, InputError("editor.hint_text"))


@organisers_only
async def skip_field(update: Update, context: BotContext) -> int:
    """ "Überspringen" / "Leeren": an optional field stays empty."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = draft_of(context)
    name = callback.arg() if callback else None
    if draft is None or name != draft.asking or name in REQUIRED:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return ASK if draft is not None else END
    await query.answer()
    return await accept(update, context, draft, None)


@organisers_only
async def start_create(update: Update, context: BotContext) -> int:
    """ "Neuer Termin": the dialogue asks every field a card shows, one after the other."""
    await update.callback_query.answer()
    draft = EventDraft(mode="create")
    context.user_data.event_draft = draft
    return await ask(update, context, draft, CREATE_STEPS[0])


@organisers_only
async def start_edit(update: Update, context: BotContext) -> int:
    """An event chosen in the edit picker: which field?"""
    callback = unpack(update.callback_query.data)
    event = await event_store.get_event(context.db, (callback.arg() if callback else None) or "")
    if event is None:
        return await gone(update, context)
    await update.callback_query.answer()
    context.user_data.event_draft = EventDraft(mode="edit", event_id=event.id)
    text = context.text("editor.which_field", title=event.title)
    await reply_or_edit(update, context, text, field_menu(context))
    return FIELD_MENU


@organisers_only
async def choose_field(update: Update, context: BotContext) -> int:
    """A field button: ask its new value."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = draft_of(context)
    name = callback.arg() if callback else None
    if draft is None or draft.mode not in ("edit", "create") or name not in FIELDS:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END if draft is None else FIELD_MENU
    await query.answer()
    if name == "speakers":  # each speaker on their own, on a screen of their own
        return await open_speakers(update, context, draft)
    return await ask(update, context, draft, name)


def dialogue_parts() -> tuple[list[BaseHandler], dict[object, list[BaseHandler]]]:
    """Entry points and states of the event dialogues (joined in ``admin.build_dialogues``)."""
    entry_points: list[BaseHandler] = [
        CallbackQueryHandler(start_create, pattern(Action.EVENT_NEW)),
        CallbackQueryHandler(start_edit, pattern(Action.EVENT_EDIT)),
        CallbackQueryHandler(start_cancel, pattern(Action.EVENT_CANCEL)),
    ]
    states: dict[object, list[BaseHandler]] = {
        ASK: [
            MessageHandler(filters.TEXT & ~filters.COMMAND, receive_text),
            MessageHandler(filters.LOCATION, receive_location),
            CallbackQueryHandler(skip_field, pattern(Action.EVENT_SKIP)),
            MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, receive_other),
        ],
        FIELD_MENU: [CallbackQueryHandler(choose_field, pattern(Action.EVENT_FIELD))],
        CONFIRM: [
            CallbackQueryHandler(save, pattern(Action.EVENT_SAVE)),
            CallbackQueryHandler(more_fields, pattern(Action.EVENT_MORE)),
        ],
        CANCEL_CONFIRM: [CallbackQueryHandler(confirm_cancel, pattern(Action.EVENT_CANCEL_YES))],
        **speaker_states(),
    }
    return entry_points, states
