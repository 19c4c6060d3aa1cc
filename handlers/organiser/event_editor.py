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
from bot.state import EventDraft
from domain.lifecycle import may_edit
from domain.reading.event_input import (
    CREATE_STEPS,
    FIELDS,
    REQUIRED,
    InputError,
    apply_changes,
    check_point,
    deadline_choices,
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
    current_values,
    draft_of,
    gone,
    refuse,
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
from handlers.ui.reader import renderer
from storage import events as event_store

__all__ = ["EditorState", "EventDraft", "dialogue_parts"]

DATE_FIELDS = frozenset({"starts", "ends", "registration_closes"})


def _ask_markup(context: BotContext, draft: EventDraft, name: str) -> InlineKeyboardMarkup:
    row = []
    if name not in REQUIRED:
        key = "editor.skip" if draft.mode == "create" else "editor.clear"
        row.append(context.button(key, Action.EVENT_SKIP, name))
    row.append(abort_button(context))
    return InlineKeyboardMarkup([row])


async def ask(
    update: Update, context: BotContext, draft: EventDraft, name: str, lead: Markup | None = None
) -> int:
    """Ask for ``name`` in a new message (after ``lead``: the echo of the last answer); the
    dialogue waits for the answer."""
    draft.asking = name
    parts = [lead] if lead is not None else []
    if draft.mode == "create" and not draft.reviewing and name in CREATE_STEPS:
        step = CREATE_STEPS.index(name) + 1
        parts.append(context.text("editor.step", step=step, steps=len(CREATE_STEPS)))
    examples = example_values(context.now(), context.settings.tz, context.lang)
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
    values = error.values
    if "example" in values:  # the examples in the organiser's language
        values = {**values, **example_values(context.now(), context.settings.tz, context.lang)}
    hint = context.text(error.key, **values)
    await update.effective_message.reply_text(
        context.text("editor.invalid", hint=hint),
        reply_markup=_ask_markup(context, draft, draft.asking or ""),
    )
    return ASK


def _echo(context: BotContext, name: str, value: Any) -> Markup | None:
    """A date answer as understood ("Verstanden. Beginn: Freitag, 15. Januar 2027, 19:00
    Uhr"), shown at once with whatever comes next."""
    if name not in DATE_FIELDS or value is None:
        return None
    label = context.text(f"editor.field_{name}")
    return context.text("editor.understood", label=label, value=show_value(context, name, value))


async def accept(update: Update, context: BotContext, draft: EventDraft, value: Any) -> int:
    """Store a checked answer and go on: the next question, or the summary."""
    name = draft.asking or ""
    echo = _echo(context, name, value)
    if draft.mode == "edit":
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await gone(update, context)
        try:
            apply_changes(event, {**draft.values, name: value})
        except InputError as error:
            return await _reask(update, context, draft, error)
        draft.values[name] = value
        if name == "starts" and "registration_closes" not in draft.values:
            choices = deadline_choices(event, value)
            if choices is not None:
                return await _ask_deadline(update, context, draft, choices, echo)
        return await show_summary(update, context, draft, lead=echo)
    draft.values[name] = value
    index = CREATE_STEPS.index(name) if name in CREATE_STEPS else len(CREATE_STEPS)
    if not draft.reviewing and index + 1 < len(CREATE_STEPS):
        return await ask(update, context, draft, CREATE_STEPS[index + 1], lead=echo)
    return await show_summary(update, context, draft, lead=echo)


async def _ask_deadline(
    update: Update,
    context: BotContext,
    draft: EventDraft,
    choices: tuple[Any, Any],
    echo: Markup | None,
) -> int:
    """A new start and an explicit deadline: move it along, keep it, or type another one."""
    moved, kept = choices
    render = renderer(context)
    event = await event_store.get_event(context.db, draft.event_id or "")
    old = event.registration_closes_at if event else kept
    draft.asking = "registration_closes"  # a typed answer is a new deadline
    question = context.text(
        "editor.deadline_question", old=render.when(old), moved=render.when(moved)
    )
    rows = [[context.button("editor.deadline_move", Action.EVENT_DEADLINE, "move")]]
    if kept is not None:
        rows.append([context.button("editor.deadline_keep", Action.EVENT_DEADLINE, "keep")])
    rows.append([abort_button(context)])
    parts = [echo, question] if echo is not None else [question]
    await context.bot.send_message(
        update.effective_chat.id,
        Markup("\n\n").join(parts),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return ASK


@organisers_only
async def choose_deadline(update: Update, context: BotContext) -> int:
    """ "Mitverschieben" / "Beibehalten" after a new start: the deadline, then the summary."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = draft_of(context)
    choice = callback.arg() if callback else None
    event = draft and await event_store.get_event(context.db, draft.event_id or "")
    new_start = draft.values.get("starts") if draft else None
    choices = deadline_choices(event, new_start) if event and new_start else None
    if draft is None or choices is None or choice not in ("move", "keep"):
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return ASK if draft is not None else END
    value = choices[0] if choice == "move" else choices[1]
    if value is None:  # kept, but the new start is before it
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return ASK
    await query.answer()
    draft.values["registration_closes"] = value
    draft.asking = None
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
    refusal = may_edit(event, context.now())
    if refusal is not None:
        return await refuse(update, context, refusal)
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
            CallbackQueryHandler(choose_deadline, pattern(Action.EVENT_DEADLINE)),
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
