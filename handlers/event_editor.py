"""Events in the chat: create, edit any field, cancel — dialogues with a summary to confirm.

Each answer is checked at once (an invalid one is asked again with a hint); nothing is written
before the organiser confirms the summary, and /abbrechen leaves at any step. Saving goes
through ``storage.events``, which queues change notices for everyone signed up and moves the
waitlist up when seats were added; the paced sender then delivers them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from domain.event_input import (
    CREATE_STEPS,
    FIELDS,
    REQUIRED,
    InputError,
    apply_changes,
    build_event,
    check_point,
    example_values,
    parse_field,
    slug,
    values_of,
    with_suffix,
)
from domain.models import Event, EventStatus
from domain.notices import changed_fields
from handlers.admin import END, abort_button, kick_sender, organisers_only
from handlers.browsing import (
    EVENT_DEEP_LINK_PREFIX,
    renderer,
    reply_or_edit,
    send_card,
    send_split,
)
from storage import events as event_store

CREATE_SUMMARY = ("title", "series", *CREATE_STEPS[1:])
MULTI_LINE = frozenset({"description", "speakers"})  # shown below their label


class EditorState(IntEnum):
    """Conversation states of the event dialogues (10–19: they share a ConversationHandler
    with the broadcast's states)."""

    ASK = 10
    FIELD_MENU = 11
    CONFIRM = 12
    CANCEL_CONFIRM = 13


ASK, FIELD_MENU, CONFIRM, CANCEL_CONFIRM = EditorState


@dataclass
class EventDraft:
    """The dialogue so far: for a new event all answers, for an edit only the changes."""

    mode: str  # "create" | "edit" | "cancel"
    event_id: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    asking: str | None = None
    reviewing: bool = False  # a new event's summary was shown: an answer returns to it


def _draft(context: BotContext) -> EventDraft | None:
    return context.user_data.event_draft if context.user_data is not None else None


def _button(context: BotContext, key: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.plain(key), callback_data=pack(action, *args))


# --- showing values ------------------------------------------------------------------------


def show_value(context: BotContext, name: str, value: Any) -> Markup | str:
    """A field's value as the summary shows it (plain text is escaped where it is put)."""
    if name == "capacity" and value is None:
        return context.text("editor.unlimited")
    if value is None or value == () or value == "":
        return context.text("editor.empty")
    render = renderer(context)
    if name in ("starts", "ends", "registration_closes"):
        return render.when(value)
    if name == "coordinates":
        return f"{value[0]:.5f}, {value[1]:.5f}"
    if name == "speakers":
        return Markup("\n").join(render.speaker_line(speaker, with_bio=True) for speaker in value)
    return str(value)


def _summary(context: BotContext, values: dict[str, Any], old: dict[str, Any] | None) -> Markup:
    lines = [context.text("editor.summary_heading")]
    shown = FIELDS if old is not None else CREATE_SUMMARY
    for name in shown:
        label = context.text(f"editor.field_{name}")
        value = show_value(context, name, values.get(name))
        if name in MULTI_LINE and values.get(name):
            value = Markup("\n") + value
        if old is not None and values.get(name) != old.get(name):
            before = show_value(context, name, old.get(name))
            lines.append(
                context.text("editor.summary_changed", label=label, value=value, old=before)
            )
        else:
            lines.append(context.text("editor.summary_line", label=label, value=value))
    return Markup("\n").join(lines)


# --- asking --------------------------------------------------------------------------------


def _ask_markup(context: BotContext, draft: EventDraft, name: str) -> InlineKeyboardMarkup:
    row = []
    if name not in REQUIRED:
        key = "editor.skip" if draft.mode == "create" else "editor.clear"
        row.append(_button(context, key, Action.EVENT_SKIP, name))
    row.append(abort_button(context))
    return InlineKeyboardMarkup([row])


async def _ask(update: Update, context: BotContext, draft: EventDraft, name: str) -> str:
    """Ask for ``name`` in a new message; the dialogue waits for the answer."""
    draft.asking = name
    parts = []
    if draft.mode == "create" and not draft.reviewing and name in CREATE_STEPS:
        step = CREATE_STEPS.index(name) + 1
        parts.append(context.text("editor.step", step=step, steps=len(CREATE_STEPS)))
    examples = example_values(context.now(), context.settings.tz)
    parts.append(context.text(f"editor.ask_{name}", **examples))
    if draft.mode == "edit":
        current = await _current_values(context, draft)
        parts.append(
            context.text("editor.current", value=show_value(context, name, current.get(name)))
        )
    await context.bot.send_message(
        update.effective_chat.id,
        Markup("\n\n").join(parts),
        reply_markup=_ask_markup(context, draft, name),
    )
    return ASK


async def _current_values(context: BotContext, draft: EventDraft) -> dict[str, Any]:
    event = await event_store.get_event(context.db, draft.event_id or "")
    return values_of(event) if event is not None else {}


async def _reask(update: Update, context: BotContext, draft: EventDraft, error: InputError) -> str:
    hint = context.text(error.key, **error.values)
    await update.effective_message.reply_text(
        context.text("editor.invalid", hint=hint),
        reply_markup=_ask_markup(context, draft, draft.asking or ""),
    )
    return ASK


async def _accept(update: Update, context: BotContext, draft: EventDraft, value: Any) -> str:
    """Store a checked answer and go on: the next question, or the summary."""
    name = draft.asking or ""
    if draft.mode == "edit":
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await _gone(update, context)
        try:
            apply_changes(event, {**draft.values, name: value})
        except InputError as error:
            return await _reask(update, context, draft, error)
        draft.values[name] = value
        return await _show_summary(update, context, draft)
    draft.values[name] = value
    index = CREATE_STEPS.index(name) if name in CREATE_STEPS else len(CREATE_STEPS)
    if not draft.reviewing and index + 1 < len(CREATE_STEPS):
        return await _ask(update, context, draft, CREATE_STEPS[index + 1])
    return await _show_summary(update, context, draft)


@organisers_only
async def receive_text(update: Update, context: BotContext) -> str:
    """A typed answer to the current question."""
    draft = _draft(context)
    if draft is None or draft.asking is None:
        return END
    current = dict(draft.values)
    if draft.mode == "edit":
        current = {**await _current_values(context, draft), **draft.values}
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
    return await _accept(update, context, draft, value)


@organisers_only
async def receive_location(update: Update, context: BotContext) -> str:
    """A shared location as the answer (the venue's coordinates)."""
    draft = _draft(context)
    if draft is None or draft.asking is None:
        return END
    if draft.asking != "coordinates":
        return await _reask(update, context, draft, InputError("editor.hint_text"))
    location = update.effective_message.location
    return await _accept(
        update, context, draft, check_point(location.latitude, location.longitude)
    )


@organisers_only
async def receive_other(update: Update, context: BotContext) -> str:
    """A photo, sticker … where a typed answer is expected."""
    draft = _draft(context)
    if draft is None:
        return END
    return await _reask(update, context, draft, InputError("editor.hint_text"))


@organisers_only
async def skip_field(update: Update, context: BotContext) -> str:
    """ "Überspringen" / "Leeren": an optional field stays empty."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = _draft(context)
    name = callback.arg() if callback else None
    if draft is None or name != draft.asking or name in REQUIRED:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return ASK if draft is not None else END
    await query.answer()
    return await _accept(update, context, draft, None)


# --- create --------------------------------------------------------------------------------


@organisers_only
async def start_create(update: Update, context: BotContext) -> str:
    """ "Neuer Termin": the dialogue asks title, start, end, venue, address, capacity,
    description and speakers."""
    await update.callback_query.answer()
    draft = EventDraft(mode="create")
    context.user_data.event_draft = draft
    return await _ask(update, context, draft, CREATE_STEPS[0])


async def _show_summary(update: Update, context: BotContext, draft: EventDraft) -> str:
    buttons = [_button(context, "editor.save", Action.EVENT_SAVE)]
    old = None
    notes = []
    if draft.mode == "edit":
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await _gone(update, context)
        old = values_of(event)
        values = values_of(apply_changes(event, draft.values))
        notes = await _edit_notes(context, event, apply_changes(event, draft.values))
        buttons.append(_button(context, "editor.more", Action.EVENT_MORE))
    else:
        values = draft.values
        if values.get("series") is None:
            values["series"] = await _usual_series(context)
        draft.reviewing = True
        buttons.append(_button(context, "editor.change_field", Action.EVENT_MORE))
    buttons.append(abort_button(context))
    text = Markup("\n\n").join([_summary(context, values, old), *notes])
    # Values at their limits (a long description before and after, 20 speakers with bios)
    # make a summary longer than one message: it comes in parts, the buttons under the last.
    await send_split(context, update.effective_chat.id, text, InlineKeyboardMarkup([buttons]))
    return CONFIRM


async def _usual_series(context: BotContext) -> str | None:
    """A new evening belongs to the series of the latest one (editable afterwards)."""
    events = await event_store.list_all(context.db)
    series = [event.series for event in events if event.series]
    return series[-1] if series else None


async def _edit_notes(context: BotContext, old: Event, new: Event) -> list[Markup]:
    counts = await event_store.seat_counts(context.db, old.id)
    notes = []
    people = counts.confirmed + counts.waitlisted
    if changed_fields(old, new) and people:
        notes.append(context.text("editor.will_notify", count=people))
    if new.capacity is not None and new.capacity < counts.confirmed:
        notes.append(context.text("editor.capacity_below", count=counts.confirmed))
    return notes


@organisers_only
async def save(update: Update, context: BotContext) -> int:
    """ "Speichern" under the summary: write the event (a new one gets its id now)."""
    query = update.callback_query
    draft = _draft(context)
    if draft is None or draft.mode not in ("create", "edit"):
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    await query.answer()
    now = context.now()
    if draft.mode == "create":
        tz = context.settings.tz
        try:
            event = build_event("new", draft.values, EventStatus.SCHEDULED)
        except InputError as error:
            await reply_or_edit(update, context, context.text(error.key, **error.values))
            return END
        base = slug(event.title, event.starts_at, tz)
        event = await event_store.create_event(
            context.db, event, now, lambda number: with_suffix(base, number)
        )
        context.user_data.event_draft = None
        link = create_deep_linked_url(context.bot.username, EVENT_DEEP_LINK_PREFIX + event.id)
        await reply_or_edit(
            update,
            context,
            context.text("editor.created", title=event.title, id=event.id, link=link),
        )
        await send_card(update, context, event.id, edit=False)
        return END
    event = await event_store.get_event(context.db, draft.event_id or "")
    context.user_data.event_draft = None
    if event is None:
        return await _gone(update, context)
    try:
        changed = apply_changes(event, draft.values)
    except InputError as error:
        await reply_or_edit(update, context, context.text(error.key, **error.values))
        return END
    report = await event_store.save_events(context.db, [changed], now)
    kick_sender(context)
    if report.notified:
        text = context.text("editor.saved", count=report.notified, title=changed.title)
    else:
        text = context.text("editor.saved_quiet", title=changed.title)
    await reply_or_edit(update, context, text)
    return END


# --- edit ----------------------------------------------------------------------------------


def _field_menu(context: BotContext) -> InlineKeyboardMarkup:
    buttons = [
        _button(context, f"editor.field_{name}", Action.EVENT_FIELD, name) for name in FIELDS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([abort_button(context)])
    return InlineKeyboardMarkup(rows)


async def _gone(update: Update, context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.event_draft = None
    if update.callback_query is not None:
        await update.callback_query.answer(context.plain("card.unknown_event"), show_alert=True)
    else:
        await update.effective_message.reply_text(context.text("card.unknown_event"))
    return END


@organisers_only
async def start_edit(update: Update, context: BotContext) -> str | int:
    """An event chosen in the edit picker: which field?"""
    callback = unpack(update.callback_query.data)
    event = await event_store.get_event(context.db, (callback.arg() if callback else None) or "")
    if event is None:
        return await _gone(update, context)
    await update.callback_query.answer()
    context.user_data.event_draft = EventDraft(mode="edit", event_id=event.id)
    text = context.text("editor.which_field", title=event.title)
    await reply_or_edit(update, context, text, _field_menu(context))
    return FIELD_MENU


@organisers_only
async def choose_field(update: Update, context: BotContext) -> str | int:
    """A field button: ask its new value."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = _draft(context)
    name = callback.arg() if callback else None
    if draft is None or draft.mode not in ("edit", "create") or name not in FIELDS:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END if draft is None else FIELD_MENU
    await query.answer()
    return await _ask(update, context, draft, name)


@organisers_only
async def more_fields(update: Update, context: BotContext) -> str | int:
    """ "Weiteres Feld ändern" under an edit summary, "Feld ändern" under a new event's."""
    draft = _draft(context)
    if draft is None or draft.mode not in ("edit", "create"):
        await update.callback_query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    await update.callback_query.answer()
    if draft.mode == "create":
        title = draft.values.get("title") or ""
    else:
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await _gone(update, context)
        title = event.title
    text = context.text("editor.which_field", title=title)
    await context.bot.send_message(
        update.effective_chat.id, text, reply_markup=_field_menu(context)
    )
    return FIELD_MENU


# --- cancel --------------------------------------------------------------------------------


@organisers_only
async def start_cancel(update: Update, context: BotContext) -> str | int:
    """An event chosen in the cancel picker: confirm, saying who will be told."""
    query = update.callback_query
    callback = unpack(query.data)
    event = await event_store.get_event(context.db, (callback.arg() if callback else None) or "")
    if event is None:
        return await _gone(update, context)
    if event.status is EventStatus.CANCELLED or event.starts_at <= context.now():
        key = (
            "editor.already_cancelled"
            if event.status is EventStatus.CANCELLED
            else "editor.started"
        )
        await query.answer(context.plain(key), show_alert=True)
        return END
    await query.answer()
    counts = await event_store.seat_counts(context.db, event.id)
    context.user_data.event_draft = EventDraft(mode="cancel", event_id=event.id)
    text = context.text(
        "editor.cancel_confirm",
        title=event.title,
        when=renderer(context).when(event.starts_at),
        confirmed=counts.confirmed,
        waitlisted=counts.waitlisted,
    )
    markup = InlineKeyboardMarkup(
        [[_button(context, "editor.cancel_yes", Action.EVENT_CANCEL_YES), abort_button(context)]]
    )
    await reply_or_edit(update, context, text, markup)
    return CANCEL_CONFIRM


@organisers_only
async def confirm_cancel(update: Update, context: BotContext) -> int:
    """ "Ja, absagen": the event is cancelled; everyone signed up is told."""
    query = update.callback_query
    draft = _draft(context)
    if draft is None or draft.mode != "cancel":
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    context.user_data.event_draft = None
    event = await event_store.get_event(context.db, draft.event_id or "")
    if event is None:
        return await _gone(update, context)
    if event.status is EventStatus.CANCELLED:
        await query.answer(context.plain("editor.already_cancelled"), show_alert=True)
        return END
    await query.answer()
    cancelled = dataclasses.replace(event, status=EventStatus.CANCELLED)
    report = await event_store.save_events(context.db, [cancelled], context.now())
    kick_sender(context)
    if report.notified:
        text = context.text("editor.cancelled", title=event.title, count=report.notified)
    else:
        text = context.text("editor.cancelled_quiet", title=event.title)
    await reply_or_edit(update, context, text)
    return END


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
    }
    return entry_points, states
