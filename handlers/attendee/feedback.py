"""Feedback after the evening (PRODUCT §4): "Wie war der Abend?" with 1-5 (one tap) and an
optional comment in a short dialogue.

A repeating job asks ``storage.feedback`` to plan whatever is due (``FEEDBACK_DELAY`` after the
end, see ``domain.feedback``); the paced sender delivers the queued questions. Buttons carry the
sign-up id only as a hint: rating and comment are stored only for the presser's own sign-up that
was asked.
"""

from __future__ import annotations

import warnings
from enum import IntEnum
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext, BotData
from bot.i18n import Translator
from bot.jobs import Planner
from bot.outgoing import OutgoingMessage
from domain.feedback import RATINGS
from handlers.dialogues import leavable
from handlers.ui import editing, way_on
from storage import events as event_store
from storage import feedback as feedback_store
from storage import registrations as registration_store

FEEDBACK_JOB = "feedback"
CHECK_SECONDS = 60
MAX_COMMENT = 1000  # characters kept of a comment


class FeedbackState(IntEnum):
    """The comment dialogue's one state (40–49: apart from the other dialogues' numbers)."""

    COMMENT = 40  # waiting for the comment


COMMENT = FeedbackState.COMMENT
CANCEL_COMMANDS = ("abbrechen", "cancel")


def question_content(
    translator: Translator, lang: str, title: str, registration_id: int
) -> tuple[Markup, InlineKeyboardMarkup]:
    """The question with one button per rating."""
    text = translator.text(lang, "feedback.question", title=title)
    buttons = [
        InlineKeyboardButton(str(n), callback_data=pack(Action.FEEDBACK_RATE, registration_id, n))
        for n in RATINGS
    ]
    return text, InlineKeyboardMarkup([buttons])


async def render_feedback(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``feedback``; ``None`` when the sign-up or event is gone."""
    registration_id = int(payload["registration_id"])
    event = await event_store.get_event(data.db, str(payload["event_id"]))
    registration = await registration_store.get_registration(data.db, registration_id)
    if event is None or registration is None:
        return None
    text, markup = question_content(data.translator, lang, event.title, registration_id)
    return OutgoingMessage.html(text, markup)


async def press_rating(update: Update, context: BotContext) -> None:
    """1-5: store the rating (a second tap changes it) and offer a comment."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg(0) if callback else None
    rating = callback.int_arg(1) if callback else None
    if registration_id is None or rating not in RATINGS:
        await query.answer(context.plain("feedback.gone"), show_alert=True)
        return
    user_id = update.effective_user.id
    if not await feedback_store.rate(context.db, registration_id, user_id, rating, context.now()):
        await query.answer(context.plain("feedback.gone"), show_alert=True)
        return
    await query.answer(context.plain("feedback.thanks_short"))
    text = context.text("feedback.thanks", rating=rating)
    markup = InlineKeyboardMarkup(
        [[context.button("feedback.button_comment", Action.FEEDBACK_COMMENT, registration_id)]]
    )
    if not await editing.edit_pressed(query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def ask_comment(update: Update, context: BotContext) -> int:
    """Kommentar schreiben: ask for one message (the dialogue's entry)."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg(0) if callback else None
    await query.answer()
    if (
        registration_id is None
        or await feedback_store.rating_of(context.db, registration_id) is None
    ):
        await context.bot.send_message(
            update.effective_chat.id,
            context.text("feedback.gone"),
            reply_markup=way_on.to_events(context),
        )
        return ConversationHandler.END
    context.user_data.feedback_registration = registration_id
    await context.bot.send_message(update.effective_chat.id, context.text("feedback.comment_ask"))
    return COMMENT


async def receive_comment(update: Update, context: BotContext) -> int:
    """The comment: stored for the own sign-up, acknowledged; the dialogue ends."""
    registration_id = context.user_data.feedback_registration
    context.user_data.feedback_registration = None
    comment = update.message.text.strip()[:MAX_COMMENT]
    stored = registration_id is not None and await feedback_store.add_comment(
        context.db, registration_id, update.effective_user.id, comment, context.now()
    )
    key = "feedback.comment_thanks" if stored else "feedback.gone"
    await update.message.reply_text(context.text(key), reply_markup=way_on.to_events(context))
    return ConversationHandler.END


async def abort_comment(update: Update, context: BotContext) -> int:
    """/abbrechen while a comment is asked: nothing is stored."""
    context.user_data.feedback_registration = None
    await update.message.reply_text(context.text("feedback.comment_aborted"))
    return ConversationHandler.END


def _forget_comment(context: BotContext) -> None:
    """Left for a command or a press elsewhere (handlers.dialogues): no answer is awaited."""
    context.user_data.feedback_registration = None


def build_handlers() -> list[BaseHandler]:
    """The rating buttons and the comment dialogue (register before the sign-up dialogue)."""
    private = filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        # The comment button carries its own state (the sign-up); per-message tracking is not
        # wanted, so PTB's reminder about it is noise (on the console's screen too).
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        comment = ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_comment, pattern(Action.FEEDBACK_COMMENT))],
            states=leavable(
                forget=_forget_comment,
                states={
                    COMMENT: [
                        MessageHandler(private & filters.TEXT & ~filters.COMMAND, receive_comment)
                    ]
                },
            ),
            fallbacks=[CommandHandler(list(CANCEL_COMMANDS), abort_comment, private)],
            allow_reentry=True,
            name="feedback",
            persistent=True,  # survives a restart (bot.persistence)
        )
    return [CallbackQueryHandler(press_rating, pattern(Action.FEEDBACK_RATE)), comment]


async def plan_feedback(data: BotData) -> int:
    """Queue the feedback questions that are due now; returns how many."""
    return await feedback_store.plan_due_feedback(
        data.db, data.clock.now(), data.settings.feedback_delay
    )


PLANNER = Planner(name=FEEDBACK_JOB, every=CHECK_SECONDS, plan=plan_feedback)
