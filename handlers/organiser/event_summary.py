"""The event dialogue's summary and saving: every field with its value (an edit shows what
changes and who will be told), "Speichern", and "Feld ändern" to go back to any field.

Nothing is written before "Speichern"; saving goes through ``storage.events``, which queues
change notices for everyone signed up and moves the waitlist up when seats were added.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.helpers import create_deep_linked_url

from bot.callbacks import EVENT_DEEP_LINK_PREFIX, Action, unpack
from bot.context import BotContext
from bot.state import EventDraft
from domain.lifecycle import may_edit
from domain.models import Event, EventStatus
from domain.notices import is_announced, notice_for_change
from domain.reading.event_input import (
    CREATE_STEPS,
    FIELDS,
    InputError,
    apply_changes,
    build_event,
    slug,
    values_of,
    with_suffix,
)
from handlers.organiser.event_draft import CONFIRM, END, FIELD_MENU, draft_of, gone, refuse
from handlers.ui import way_on
from handlers.ui.card import send_card
from handlers.ui.editing import reply_or_edit, send_split
from handlers.ui.guard import abort_button, organisers_only
from handlers.ui.reader import renderer
from storage import events as event_store

CREATE_SUMMARY = ("title", "series", *CREATE_STEPS[1:])
QUIET = "quiet"  # the argument of "Speichern ohne Ankündigung"
MULTI_LINE = frozenset({"description", "speakers"})  # shown below their label


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
    if name == "cpd_hours":
        return context.text("editor.hours", hours=format_decimal(value, locale=context.lang))
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


async def show_summary(
    update: Update, context: BotContext, draft: EventDraft, lead: Markup | None = None
) -> int:
    """The summary in a new message (after ``lead``: the echo of the last answer), with
    "Speichern", "Feld ändern" and ✖. A new evening's summary says whether and to how many
    subscribers it will be announced, and then offers to save it without announcing."""
    buttons = [context.button("editor.save", Action.EVENT_SAVE)]
    old = None
    notes = []
    if draft.mode == "edit":
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await gone(update, context)
        old = values_of(event)
        values = values_of(apply_changes(event, draft.values))
        notes = await _edit_notes(context, event, apply_changes(event, draft.values))
        buttons.append(context.button("editor.more", Action.EVENT_MORE))
    else:
        values = draft.values
        if values.get("series") is None:
            values["series"] = await _usual_series(context)
        draft.reviewing = True
        note, save_buttons = await _announcement_choice(context, draft)
        notes, buttons = ([note] if note else []), [*save_buttons]
        buttons.append(context.button("editor.change_field", Action.EVENT_MORE))
    buttons.append(abort_button(context))
    leads = [lead] if lead is not None else []
    text = Markup("\n\n").join([*leads, _summary(context, values, old), *notes])
    # Values at their limits (a long description before and after, 20 speakers with bios)
    # make a summary longer than one message: it comes in parts, the buttons under the last.
    rows = [buttons] if len(buttons) <= 3 else [buttons[:2], buttons[2:]]
    await send_split(context, update.effective_chat.id, text, InlineKeyboardMarkup(rows))
    return CONFIRM


async def _announcement_choice(
    context: BotContext, draft: EventDraft
) -> tuple[Markup, list[InlineKeyboardButton]]:
    """Whether saving the new evening announces it (``domain.notices.is_announced``) and to how
    many subscribers (counted now), with the save buttons that follow: "Speichern und
    ankündigen" and "Speichern ohne Ankündigung" when there is someone to tell."""
    try:
        event = build_event("new", draft.values, EventStatus.SCHEDULED)
    except InputError:  # the save says what is wrong
        return Markup(""), [context.button("editor.save", Action.EVENT_SAVE)]
    if not is_announced(event, context.now()):
        note = context.text("editor.announce_past")
    elif (count := await event_store.count_subscribers(context.db)) == 0:
        note = context.text("editor.announce_nobody")
    else:
        return context.text("editor.announce_count", count=count), [
            context.button("editor.save_announce", Action.EVENT_SAVE),
            context.button("editor.save_quiet", Action.EVENT_SAVE, QUIET),
        ]
    return note, [context.button("editor.save", Action.EVENT_SAVE)]


async def _usual_series(context: BotContext) -> str | None:
    """A new evening belongs to the series of the latest one (editable afterwards)."""
    events = await event_store.list_all(context.db)
    series = [event.series for event in events if event.series]
    return series[-1] if series else None


async def _edit_notes(context: BotContext, old: Event, new: Event) -> list[Markup]:
    """Who will be told (the notice the save will queue, by the same rule) and a capacity
    below the seats already taken."""
    counts = await event_store.seat_counts(context.db, old.id)
    notes = []
    people = counts.confirmed + counts.waitlisted
    if notice_for_change(old, new, context.now()) is not None and people:
        notes.append(context.text("editor.will_notify", count=people))
    if new.capacity is not None and new.capacity < counts.confirmed:
        notes.append(context.text("editor.capacity_below", count=counts.confirmed))
    return notes


@organisers_only
async def save(update: Update, context: BotContext) -> int:
    """ "Speichern" under the summary: write the event (a new one gets its id now)."""
    query = update.callback_query
    draft = draft_of(context)
    if draft is None or draft.mode not in ("create", "edit"):
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    if draft.mode == "create":
        await query.answer()
        callback = unpack(query.data)
        quiet = callback is not None and callback.arg() == QUIET
        return await _save_new(update, context, draft, announce_new=not quiet)
    context.user_data.event_draft = None
    values = draft.values
    try:
        done = await event_store.change_event(
            context.db,
            draft.event_id or "",
            may_edit,
            lambda event: apply_changes(event, values),
            context.now(),
        )
    except InputError as error:
        await reply_or_edit(update, context, context.text(error.key, **error.values))
        return END
    if done.refusal is not None:
        return await refuse(update, context, done.refusal)
    await query.answer()
    assert done.before is not None and done.report is not None
    changed, report = apply_changes(done.before, values), done.report
    if report.notified:
        text = context.text("editor.saved", count=report.notified, title=changed.title)
    else:
        text = context.text("editor.saved_quiet", title=changed.title)
    await reply_or_edit(update, context, text, way_on.to_admin_menu(context))
    return END


async def _save_new(
    update: Update, context: BotContext, draft: EventDraft, announce_new: bool
) -> int:
    try:
        event = build_event("new", draft.values, EventStatus.SCHEDULED)
    except InputError as error:
        await reply_or_edit(update, context, context.text(error.key, **error.values))
        return END
    base = slug(event.title, event.starts_at, context.settings.tz)
    event, report = await event_store.create_event(
        context.db, event, context.now(), lambda number: with_suffix(base, number), announce_new
    )
    context.user_data.event_draft = None
    link = create_deep_linked_url(context.bot.username, EVENT_DEEP_LINK_PREFIX + event.id)
    text = context.text("editor.created", title=event.title, id=event.id, link=link)
    announced = (
        context.text("editor.announced", count=report.announced)
        if report.announced
        else context.text("editor.not_announced")
    )
    await reply_or_edit(update, context, Markup("\n").join([text, announced]))
    await send_card(update, context, event.id, edit=False)
    return END


def field_menu(context: BotContext) -> InlineKeyboardMarkup:
    """A button per field, to choose which one to change."""
    buttons = [context.button(f"editor.field_{name}", Action.EVENT_FIELD, name) for name in FIELDS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([abort_button(context)])
    return InlineKeyboardMarkup(rows)


@organisers_only
async def more_fields(update: Update, context: BotContext) -> int:
    """ "Weiteres Feld ändern" under an edit summary, "Feld ändern" under a new event's."""
    draft = draft_of(context)
    if draft is None or draft.mode not in ("edit", "create"):
        await update.callback_query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    await update.callback_query.answer()
    if draft.mode == "create":
        title = draft.values.get("title") or ""
    else:
        event = await event_store.get_event(context.db, draft.event_id or "")
        if event is None:
            return await gone(update, context)
        title = event.title
    text = context.text("editor.which_field", title=title)
    await context.bot.send_message(
        update.effective_chat.id, text, reply_markup=field_menu(context)
    )
    return FIELD_MENU
