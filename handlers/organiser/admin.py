"""The organiser menu (/admin), the guard every organiser handler runs behind, the event picker
the organiser tools share, and the one dialogue handler for the organiser dialogues.

Organisers are the users in ``ADMIN_IDS``; :func:`organisers_only` re-checks that on every
update and every button press (a hidden button is no protection), answers everyone else "nur
für Veranstaltende" and changes nothing.
"""

from __future__ import annotations

import warnings

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from handlers.dialogues import leavable
from handlers.organiser.drafts import DRAFTS
from handlers.ui import way_on
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import END, is_organiser, organisers_only, refuse
from handlers.ui.picker import PICKERS, show_picker

# Every organiser action: a press that no feature claimed is refused or called stale.
ORGANISER_ACTIONS = (
    Action.ADMIN_MENU,
    Action.ADMIN_PAGE,
    Action.EVENT_NEW,
    Action.EVENT_EDIT_LIST,
    Action.EVENT_EDIT,
    Action.EVENT_FIELD,
    Action.EVENT_SKIP,
    Action.EVENT_SAVE,
    Action.EVENT_MORE,
    Action.EVENT_DEADLINE,
    Action.EVENT_SPEAKERS,
    Action.EVENT_SPEAKER,
    Action.EVENT_SPEAKER_ADD,
    Action.EVENT_SPEAKER_PART,
    Action.EVENT_SPEAKER_CLEAR,
    Action.EVENT_SPEAKER_UP,
    Action.EVENT_SPEAKER_REMOVE,
    Action.EVENT_SPEAKERS_DONE,
    Action.EVENT_CANCEL_LIST,
    Action.EVENT_CANCEL,
    Action.EVENT_CANCEL_YES,
    Action.EVENT_REVIVE_LIST,
    Action.EVENT_REVIVE,
    Action.EVENT_REVIVE_YES,
    Action.EVENT_DELETE_LIST,
    Action.EVENT_DELETE,
    Action.EVENT_DELETE_YES,
    Action.DIALOGUE_ABORT,
    Action.DRAFT_RESUME,
    Action.ATTENDEES_LIST,
    Action.ATTENDEES,
    Action.CHECKIN_LIST,
    Action.CHECKIN_EVENT,
    Action.CHECKIN_TAP,
    Action.CHECKIN_FORCE,
    Action.CHECKIN_UNDO,
    Action.CHECKIN_PDF,
    Action.STATS,
    Action.QUESTIONS_LIST,
    Action.QUESTIONS_EVENT,
    Action.BROADCAST,
    Action.BROADCAST_AUDIENCE,
    Action.BROADCAST_EVENT,
    Action.BROADCAST_SEND,
)


# --- the guard -----------------------------------------------------------------------------


async def refuse_or_stale(update: Update, context: BotContext) -> None:
    """An organiser button no handler claimed: refused for non-organisers, stale otherwise."""
    if not is_organiser(update, context):
        await refuse(update, context)
        return
    await update.callback_query.answer(context.plain("common.stale_button"), show_alert=True)


# --- the menu ------------------------------------------------------------------------------


def menu_markup(context: BotContext) -> InlineKeyboardMarkup:
    """The organiser menu's buttons (first "Entwurf fortsetzen" for each draft left open)."""
    resume = [
        [context.button(draft.label, Action.DRAFT_RESUME, kind)]
        for kind, draft in DRAFTS.items()
        if context.user_data is not None and draft.present(context)
    ]
    return InlineKeyboardMarkup(
        [
            *resume,
            [
                context.button("admin.new_event", Action.EVENT_NEW),
                context.button("admin.edit_event", Action.EVENT_EDIT_LIST),
            ],
            [context.button("admin.cancel_event", Action.EVENT_CANCEL_LIST)],
            [
                context.button("admin.revive_event", Action.EVENT_REVIVE_LIST),
                context.button("admin.delete_event", Action.EVENT_DELETE_LIST),
            ],
            [
                context.button("admin.attendees", Action.ATTENDEES_LIST),
                context.button("admin.checkin", Action.CHECKIN_LIST),
            ],
            [
                context.button("admin.stats", Action.STATS, 0),
                context.button("admin.questions", Action.QUESTIONS_LIST),
            ],
            [context.button("admin.broadcast", Action.BROADCAST)],
        ]
    )


@organisers_only
async def show_menu(update: Update, context: BotContext) -> None:
    """/admin (or "back to the menu"): the organiser menu."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await reply_or_edit(update, context, context.text("admin.menu"), menu_markup(context))


# --- the event picker ----------------------------------------------------------------------


_LIST_ACTIONS = {
    Action.EVENT_EDIT_LIST: "ed",
    Action.EVENT_CANCEL_LIST: "cx",
    Action.ATTENDEES_LIST: "at",
    Action.QUESTIONS_LIST: "qs",
}


@organisers_only
async def open_picker(update: Update, context: BotContext) -> None:
    """A menu button that leads to choosing an event (edit, cancel, attendees, check-in)."""
    callback = unpack(update.callback_query.data)
    await update.callback_query.answer()
    await show_picker(update, context, _LIST_ACTIONS[callback.action])


@organisers_only
async def page_picker(update: Update, context: BotContext) -> None:
    """◀ / ▶ in an event picker."""
    callback = unpack(update.callback_query.data)
    purpose = callback.arg() if callback else None
    if purpose not in PICKERS:
        await update.callback_query.answer(context.plain("common.stale_button"), show_alert=True)
        return
    await update.callback_query.answer()
    await show_picker(update, context, purpose, callback.int_arg(1) or 0)


# --- the organiser dialogues ---------------------------------------------------------------


def clear_dialogues(context: BotContext) -> None:
    """Forget every organiser dialogue's draft of this user."""
    if context.user_data is not None:
        context.user_data.event_draft = None
        context.user_data.broadcast_draft = None


async def abort_dialogue(update: Update, context: BotContext) -> int:
    """/abbrechen, /cancel or the ✖ button inside a dialogue: leave it, nothing is written."""
    clear_dialogues(context)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await reply_or_edit(
            update, context, context.text("admin.aborted"), way_on.to_admin_menu(context)
        )
    else:
        await update.effective_message.reply_text(
            context.text("admin.aborted"), reply_markup=way_on.to_admin_menu(context)
        )
    return END


@organisers_only
async def abort_outside(update: Update, context: BotContext) -> None:
    """The ✖ button of a dialogue that is already over: just close the message."""
    await update.callback_query.answer()
    await reply_or_edit(
        update, context, context.text("admin.aborted"), way_on.to_admin_menu(context)
    )


@organisers_only
async def resume_draft(update: Update, context: BotContext) -> object:
    """ "Entwurf fortsetzen": back to the step a half-written event or broadcast was left at."""
    query = update.callback_query
    callback = unpack(query.data)
    kind = callback.arg() if callback else None
    draft = DRAFTS.get(kind or "")
    if draft is None or not draft.present(context):
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    await query.answer()
    return await draft.resume(update, context)


def build_dialogues(
    entry_points: list[BaseHandler], states: dict[object, list[BaseHandler]]
) -> ConversationHandler:
    """One conversation for all organiser dialogues (event editor, broadcast): a person is in
    at most one of them, and starting another one replaces it."""
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user on purpose (each step checks its own state).
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(resume_draft, pattern(Action.DRAFT_RESUME)),
                *entry_points,
            ],
            states=leavable(states),
            fallbacks=[
                CommandHandler(["abbrechen", "cancel"], abort_dialogue),
                CallbackQueryHandler(abort_dialogue, pattern(Action.DIALOGUE_ABORT)),
                # Paging an event picker (the broadcast's evening) keeps the step.
                CallbackQueryHandler(page_picker, pattern(Action.ADMIN_PAGE)),
            ],
            allow_reentry=True,
            name="organiser-dialogues",
            persistent=True,  # survives a restart (bot.persistence)
        )


def build_handlers() -> list[BaseHandler]:
    """/admin, the menu's picker buttons, picker pages."""
    return [
        CommandHandler("admin", show_menu, filters.ChatType.PRIVATE),
        CallbackQueryHandler(show_menu, pattern(Action.ADMIN_MENU)),
        CallbackQueryHandler(open_picker, pattern(*_LIST_ACTIONS)),
        CallbackQueryHandler(page_picker, pattern(Action.ADMIN_PAGE)),
        CallbackQueryHandler(abort_outside, pattern(Action.DIALOGUE_ABORT)),
    ]


def build_guard() -> list[BaseHandler]:
    """Registered after every organiser feature: refuses forged or stale organiser buttons."""
    return [CallbackQueryHandler(refuse_or_stale, pattern(*ORGANISER_ACTIONS))]
