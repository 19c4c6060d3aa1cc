"""The speakers of an evening, one at a time (issue 12): a screen listing them as buttons with
"➕ Referent:in hinzufügen"; pressing one offers to change the name, the role or the bio, to move
the person up or to remove them; "Fertig" returns to the summary.

The changes stay in the draft until "Speichern" under the summary (nothing is written here), so
nobody has to retype the others, bios included. Every button carries the draft's speakers
version: a press on a list that has changed since is stale, never applied to the wrong person.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import Action, Callback, pack, pattern, unpack
from bot.context import BotContext
from bot.state import EventDraft
from domain.models import Speaker
from domain.reading.event_input import InputError
from domain.reading.program import MAX_SPEAKERS, SPEAKER_LIMITS
from domain.reading.speaker_list import PARTS, added, moved_up, parse_part, with_part, without
from handlers.organiser.event_draft import END, SPEAKER_ASK, SPEAKERS, current_values, draft_of
from handlers.organiser.event_summary import show_summary
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import abort_button, organisers_only
from handlers.ui.reader import renderer

LABEL_LIMIT = 40  # characters of a name on a button
NEW = "new"  # speaker_part while new speakers are being typed


async def _title(context: BotContext, draft: EventDraft) -> str:
    if "title" in draft.values or draft.mode == "create":
        return draft.values.get("title") or ""
    return (await current_values(context, draft)).get("title") or ""


async def open_speakers(update: Update, context: BotContext, draft: EventDraft) -> int:
    """ "Referent:innen" chosen in the field menu: the speakers screen, with the list as it
    stands in the draft (or as saved, for an edit)."""
    if "speakers" in draft.values:
        speakers = draft.values["speakers"]
    elif draft.mode == "edit":
        speakers = (await current_values(context, draft)).get("speakers")
    else:
        speakers = None
    draft.speakers = tuple(speakers or ())
    draft.speakers_version += 1
    return await _show_list(update, context, draft)


def _label(speaker: Speaker, number: int) -> str:
    name = speaker.name
    name = name if len(name) <= LABEL_LIMIT else name[: LABEL_LIMIT - 1].rstrip() + "…"
    return f"{number}. {name}"


async def _show_list(
    update: Update, context: BotContext, draft: EventDraft, edit: bool = True
) -> int:
    speakers = draft.speakers or ()
    version = draft.speakers_version
    render = renderer(context)
    lines = [context.text("editor.speakers_heading", title=await _title(context, draft))]
    if speakers:
        lines.extend(render.speaker_line(speaker) for speaker in speakers)
        lines.append(context.text("editor.speakers_hint"))
    else:
        lines.append(context.text("editor.speakers_none"))
    rows = [
        [
            InlineKeyboardButton(
                _label(speaker, index + 1),
                callback_data=pack(Action.EVENT_SPEAKER, index, version),
            )
        ]
        for index, speaker in enumerate(speakers)
    ]
    if len(speakers) < MAX_SPEAKERS:
        rows.append([context.button("editor.speaker_add", Action.EVENT_SPEAKER_ADD, version)])
    rows.append(
        [
            context.button("editor.speakers_done", Action.EVENT_SPEAKERS_DONE, version),
            abort_button(context),
        ]
    )
    text = Markup("\n").join(lines)
    await _show(update, context, text, InlineKeyboardMarkup(rows), edit)
    draft.speaker_index = draft.speaker_part = None
    return SPEAKERS


async def _show(
    update: Update, context: BotContext, text: Markup, markup: InlineKeyboardMarkup, edit: bool
) -> None:
    """A pressed button turns its message into the next screen; a typed answer gets a new one."""
    if edit and update.callback_query is not None:
        await reply_or_edit(update, context, text, markup)
    else:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


def _value(context: BotContext, value: str | None) -> Markup | str:
    return value if value else context.text("editor.empty")


async def _show_speaker(
    update: Update, context: BotContext, draft: EventDraft, index: int, edit: bool = True
) -> int:
    speaker = (draft.speakers or ())[index]
    version = draft.speakers_version
    lines = [context.text("editor.speaker_heading", number=index + 1, name=speaker.name)]
    for part in ("role", "bio"):
        label = context.text(f"editor.speaker_{part}")
        value = _value(context, getattr(speaker, part))
        if part == "bio" and speaker.bio:
            value = Markup("\n") + value
        lines.append(context.text("editor.summary_line", label=label, value=value))
    rows = [
        [
            context.button(
                f"editor.speaker_edit_{part}",
                Action.EVENT_SPEAKER_PART,
                index,
                part,
                version,
            )
            for part in PARTS
        ]
    ]
    actions = []
    if index > 0:
        actions.append(
            context.button("editor.speaker_up", Action.EVENT_SPEAKER_UP, index, version)
        )
    actions.append(
        context.button("editor.speaker_remove", Action.EVENT_SPEAKER_REMOVE, index, version)
    )
    rows.append(actions)
    rows.append([context.button("editor.speakers_back", Action.EVENT_SPEAKERS, version)])
    await _show(update, context, Markup("\n").join(lines), InlineKeyboardMarkup(rows), edit)
    draft.speaker_index, draft.speaker_part = index, None
    return SPEAKERS


async def _pressed(
    update: Update, context: BotContext, with_index: bool = True
) -> tuple[EventDraft, Callback, int | None] | None:
    """The draft, the press and the speaker it is about, if the press fits the draft's list as
    it is now; otherwise the press is answered as stale and ``None`` returned."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = draft_of(context)
    if draft is not None and draft.speakers is not None and callback is not None:
        index = callback.int_arg() if with_index else None
        version = callback.int_arg(len(callback.args) - 1)
        in_range = not with_index or (index is not None and index < len(draft.speakers))
        if version == draft.speakers_version and in_range:
            return draft, callback, index
    await query.answer(context.plain("common.stale_button"), show_alert=True)
    return None


@organisers_only
async def show_list(update: Update, context: BotContext) -> int:
    """ "Zur Liste der Referent:innen": back from one speaker (or a question about them)."""
    pressed = await _pressed(update, context, with_index=False)
    if pressed is None:
        return SPEAKERS if draft_of(context) is not None else END
    await update.callback_query.answer()
    return await _show_list(update, context, pressed[0])


@organisers_only
async def show_speaker(update: Update, context: BotContext) -> int:
    """A speaker's button: what can be done with them."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return SPEAKERS if draft_of(context) is not None else END
    draft, _, index = pressed
    await update.callback_query.answer()
    return await _show_speaker(update, context, draft, index or 0)


async def _ask(
    update: Update, context: BotContext, draft: EventDraft, index: int | None, part: str
) -> int:
    version = draft.speakers_version
    row = []
    if part == NEW:
        parts = [context.text("editor.ask_speaker_new")]
        row.append(context.button("editor.speakers_back", Action.EVENT_SPEAKERS, version))
    else:
        speaker = (draft.speakers or ())[index or 0]
        parts = [
            context.text(
                f"editor.ask_speaker_{part}", name=speaker.name, limit=SPEAKER_LIMITS[part]
            ),
            context.text("editor.current", value=_value(context, getattr(speaker, part))),
        ]
        if part != "name":
            row.append(
                context.button("editor.clear", Action.EVENT_SPEAKER_CLEAR, index, part, version)
            )
        row.append(context.button("editor.speaker_back", Action.EVENT_SPEAKER, index, version))
    row.append(abort_button(context))
    await reply_or_edit(update, context, Markup("\n\n").join(parts), InlineKeyboardMarkup([row]))
    draft.speaker_index, draft.speaker_part = index, part
    return SPEAKER_ASK


@organisers_only
async def ask_new(update: Update, context: BotContext) -> int:
    """ "➕ Referent:in hinzufügen": the next typed lines are new speakers."""
    pressed = await _pressed(update, context, with_index=False)
    if pressed is None:
        return SPEAKERS if draft_of(context) is not None else END
    await update.callback_query.answer()
    return await _ask(update, context, pressed[0], None, NEW)


@organisers_only
async def ask_part(update: Update, context: BotContext) -> int:
    """ "Name", "Rolle" or "Kurzbiografie" of one speaker: the next typed text replaces it."""
    pressed = await _pressed(update, context)
    if pressed is None or pressed[1].arg(1) not in PARTS:
        if pressed is not None:
            await update.callback_query.answer(
                context.plain("common.stale_button"), show_alert=True
            )
        return SPEAKERS if draft_of(context) is not None else END
    draft, callback, index = pressed
    await update.callback_query.answer()
    return await _ask(update, context, draft, index, callback.arg(1) or "")


def _changed(draft: EventDraft, speakers: tuple[Speaker, ...]) -> None:
    draft.speakers = speakers
    draft.speakers_version += 1


@organisers_only
async def receive_text(update: Update, context: BotContext) -> int:
    """A typed answer: new speakers, or a speaker's new name, role or bio."""
    draft = draft_of(context)
    if draft is None or draft.speakers is None or draft.speaker_part is None:
        return END
    text = update.effective_message.text
    try:
        if draft.speaker_part == NEW:
            _changed(draft, added(draft.speakers, text))
        else:
            index = draft.speaker_index or 0
            value = parse_part(draft.speaker_part, text)
            _changed(draft, with_part(draft.speakers, index, draft.speaker_part, value))
    except InputError as error:
        hint = context.text(error.key, **error.values)
        await update.effective_message.reply_text(context.text("editor.invalid", hint=hint))
        return SPEAKER_ASK
    if draft.speaker_part == NEW:
        return await _show_list(update, context, draft, edit=False)
    return await _show_speaker(update, context, draft, draft.speaker_index or 0, edit=False)


@organisers_only
async def typed_on_list(update: Update, context: BotContext) -> int:
    """Text while the speakers screen waits for a press: say so and show the screen again."""
    draft = draft_of(context)
    if draft is None or draft.speakers is None:
        return END
    await update.effective_message.reply_text(context.text("editor.speakers_use_buttons"))
    return await _show_list(update, context, draft, edit=False)


@organisers_only
async def receive_other(update: Update, context: BotContext) -> int:
    """A photo, sticker … where a name, role or bio is expected."""
    await update.effective_message.reply_text(
        context.text("editor.invalid", hint=context.text("editor.hint_text"))
    )
    return SPEAKER_ASK


@organisers_only
async def clear_part(update: Update, context: BotContext) -> int:
    """ "Leeren" under the question for a role or bio."""
    pressed = await _pressed(update, context)
    part = pressed[1].arg(1) if pressed is not None else None
    if pressed is None or part not in ("role", "bio"):
        if pressed is not None:
            await update.callback_query.answer(
                context.plain("common.stale_button"), show_alert=True
            )
        return SPEAKERS if draft_of(context) is not None else END
    draft, _, index = pressed
    await update.callback_query.answer()
    _changed(draft, with_part(draft.speakers or (), index or 0, part, None))
    return await _show_speaker(update, context, draft, index or 0)


@organisers_only
async def move_up(update: Update, context: BotContext) -> int:
    """ "Nach oben": the speaker is named one place earlier (on the card too)."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return SPEAKERS if draft_of(context) is not None else END
    draft, _, index = pressed
    await update.callback_query.answer()
    _changed(draft, moved_up(draft.speakers or (), index or 0))
    return await _show_list(update, context, draft)


@organisers_only
async def remove(update: Update, context: BotContext) -> int:
    """ "Entfernen": the speaker is taken off the list (saved with the evening)."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return SPEAKERS if draft_of(context) is not None else END
    draft, _, index = pressed
    speakers = draft.speakers or ()
    name = speakers[index or 0].name
    await update.callback_query.answer(context.plain("editor.speaker_removed", name=name))
    _changed(draft, without(speakers, index or 0))
    return await _show_list(update, context, draft)


@organisers_only
async def done(update: Update, context: BotContext) -> int:
    """ "Fertig": the list goes into the draft; the summary shows what will be saved."""
    pressed = await _pressed(update, context, with_index=False)
    if pressed is None:
        return SPEAKERS if draft_of(context) is not None else END
    draft = pressed[0]
    await update.callback_query.answer()
    speakers: Any = draft.speakers or None
    draft.values["speakers"] = speakers
    draft.speakers = draft.speaker_part = draft.speaker_index = None
    draft.speakers_version += 1
    draft.asking = None
    return await show_summary(update, context, draft)


def states() -> dict[object, list[BaseHandler]]:
    """The speakers screen's states (joined with the event dialogue's)."""
    buttons: list[BaseHandler] = [
        CallbackQueryHandler(show_list, pattern(Action.EVENT_SPEAKERS)),
        CallbackQueryHandler(show_speaker, pattern(Action.EVENT_SPEAKER)),
        CallbackQueryHandler(ask_new, pattern(Action.EVENT_SPEAKER_ADD)),
        CallbackQueryHandler(ask_part, pattern(Action.EVENT_SPEAKER_PART)),
        CallbackQueryHandler(clear_part, pattern(Action.EVENT_SPEAKER_CLEAR)),
        CallbackQueryHandler(move_up, pattern(Action.EVENT_SPEAKER_UP)),
        CallbackQueryHandler(remove, pattern(Action.EVENT_SPEAKER_REMOVE)),
        CallbackQueryHandler(done, pattern(Action.EVENT_SPEAKERS_DONE)),
    ]
    return {
        SPEAKERS: [
            *buttons,
            MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, typed_on_list),
        ],
        SPEAKER_ASK: [
            MessageHandler(filters.TEXT & ~filters.COMMAND, receive_text),
            *buttons,
            MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, receive_other),
        ],
    }
