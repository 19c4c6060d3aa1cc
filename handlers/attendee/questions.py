"""Questions to the speakers (PRODUCT §4): from the card, a signed-up attendee writes one
question for the evening in a short dialogue; it is acknowledged and can be withdrawn (from the
acknowledgement, the card and /meine) until the evening starts.

What may be asked or withdrawn is decided by ``domain.standing`` (the card offers exactly that),
and again inside the writing transaction (``storage.questions``): a stale button or a text typed
after the start gets the reason instead.
"""

from __future__ import annotations

import warnings
from enum import IntEnum

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

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from domain.models import Event
from domain.standing import Refusal, may_ask_question
from handlers.attendee.mine import mine_content
from handlers.dialogues import leavable
from handlers.ui import editing
from handlers.ui.card import card_content
from handlers.ui.editing import reply_or_edit
from handlers.ui.reader import is_group
from storage import events as event_store
from storage import questions as question_store
from storage import registrations as registration_store

MAX_QUESTION = 500  # characters
CANCEL_COMMANDS = ("abbrechen", "cancel")
# Where a withdraw button lives, so the answer lands there: the card, /meine, the acknowledgement.
ORIGIN_CARD, ORIGIN_MINE, ORIGIN_ACK = "c", "m", "a"


class QuestionState(IntEnum):
    """The dialogue's one state (50–59: apart from the other dialogues' numbers)."""

    WRITING = 50  # waiting for the question


WRITING = QuestionState.WRITING
REFUSAL_KEYS = {
    Refusal.UNKNOWN_EVENT: "card.unknown_event",
    Refusal.EVENT_CANCELLED: "questions.refused_cancelled",
    Refusal.QUESTIONS_CLOSED: "questions.refused_closed",
    Refusal.NOT_SIGNED_UP: "questions.refused_not_signed_up",
    Refusal.ALREADY_ASKED: "questions.refused_already_asked",
    Refusal.NO_QUESTION: "questions.refused_no_question",
}


def ways_on(context: BotContext, event_id: str) -> list[list[InlineKeyboardButton]]:
    """Back to the evening's card and to /meine."""
    return [
        [
            context.button("questions.button_card", Action.CARD, event_id),
            context.button("questions.button_mine", Action.MINE),
        ]
    ]


async def _event_of_press(update: Update, context: BotContext) -> Event | None:
    """The event a question button names, or ``None`` (the press answered with the reason)."""
    query = update.callback_query
    callback = unpack(query.data)
    event_id = callback.arg() if callback else None
    event = await event_store.get_event(context.db, event_id) if event_id else None
    if event is None:
        await query.answer(context.plain("card.unknown_event"), show_alert=True)
    elif is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return None
    return event


async def start_question(update: Update, context: BotContext) -> int:
    """❓ Frage an die Referent:innen: ask for the question (the dialogue's entry)."""
    query = update.callback_query
    event = await _event_of_press(update, context)
    if event is None:
        return ConversationHandler.END
    user_id = update.effective_user.id
    registration = await registration_store.active_registration(context.db, event.id, user_id)
    asked = await question_store.question_of(context.db, event.id, user_id) is not None
    refusal = may_ask_question(event, registration, asked, context.now())
    if refusal is not None:  # a button from before the start, the cancellation, or a question
        await query.answer(context.plain(REFUSAL_KEYS[refusal]), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data.question_event = event.id
    await context.bot.send_message(
        update.effective_chat.id,
        context.text("questions.ask", title=event.title, limit=MAX_QUESTION),
    )
    return WRITING


async def receive_question(update: Update, context: BotContext) -> int:
    """The typed question: too long → say so and keep waiting; else store and acknowledge."""
    message = update.message
    event_id = context.user_data.question_event
    text = message.text.strip()
    if event_id is None:  # the draft is gone (it should not be): start again from the card
        await message.reply_text(context.text("questions.lost"))
        return ConversationHandler.END
    if not text:  # only blanks: nothing to ask yet
        await message.reply_text(context.text("questions.text_only"))
        return WRITING
    if len(text) > MAX_QUESTION:
        await message.reply_text(
            context.text("questions.too_long", length=len(text), limit=MAX_QUESTION)
        )
        return WRITING
    context.user_data.question_event = None
    refusal = await question_store.ask(
        context.db, event_id, update.effective_user.id, text, context.now()
    )
    if refusal is not None:  # typed after the start, or the evening was cancelled meanwhile
        await message.reply_text(
            context.text(REFUSAL_KEYS[refusal]),
            reply_markup=InlineKeyboardMarkup(ways_on(context, event_id)),
        )
        return ConversationHandler.END
    rows = [
        [
            context.button(
                "questions.button_withdraw",
                Action.QUESTION_WITHDRAW,
                event_id,
                ORIGIN_ACK,
            )
        ],
        *ways_on(context, event_id),
    ]
    await message.reply_text(
        context.text("questions.thanks", question=text), reply_markup=InlineKeyboardMarkup(rows)
    )
    return ConversationHandler.END


async def not_text(update: Update, context: BotContext) -> int:
    """A photo, sticker or file while the question is awaited: ask for text, keep waiting."""
    await update.message.reply_text(context.text("questions.text_only"))
    return WRITING


async def abort_question(update: Update, context: BotContext) -> int:
    """/abbrechen while the question is awaited: nothing is stored."""
    event_id = context.user_data.question_event
    context.user_data.question_event = None
    markup = InlineKeyboardMarkup(ways_on(context, event_id)) if event_id else None
    await update.message.reply_text(context.text("questions.aborted"), reply_markup=markup)
    return ConversationHandler.END


async def withdraw_question(update: Update, context: BotContext) -> None:
    """Frage zurückziehen: delete the question, then show where the button was, updated."""
    query = update.callback_query
    event = await _event_of_press(update, context)
    if event is None:
        return
    user_id = update.effective_user.id
    refusal = await question_store.withdraw(context.db, event.id, user_id, context.now())
    if refusal is not None:
        await query.answer(context.plain(REFUSAL_KEYS[refusal]), show_alert=True)
        return
    await query.answer(context.plain("questions.withdrawn_short"))
    origin = unpack(query.data).arg(1)
    if origin == ORIGIN_MINE:
        text, markup = await mine_content(context, user_id)
    elif origin == ORIGIN_CARD:
        text, markup = await card_content(context, event, user_id)
    else:
        text = context.text("questions.withdrawn", title=event.title)
        markup = InlineKeyboardMarkup(ways_on(context, event.id))
    if not await editing.edit_pressed(query, text, markup):
        await reply_or_edit(update, context, text, markup)


def _forget_question(context: BotContext) -> None:
    """Left for a command or a press elsewhere (handlers.dialogues): no answer is awaited."""
    context.user_data.question_event = None


def build_handlers() -> list[BaseHandler]:
    """The question dialogue and the withdraw button (before the sign-up dialogue)."""
    private = filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        # The dialogue is tracked per chat and user on purpose: one question at a time.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        dialogue = ConversationHandler(
            entry_points=[CallbackQueryHandler(start_question, pattern(Action.QUESTION_ASK))],
            states=leavable(
                forget=_forget_question,
                states={
                    WRITING: [
                        MessageHandler(
                            private & filters.TEXT & ~filters.COMMAND, receive_question
                        ),
                        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, not_text),
                    ]
                },
            ),
            fallbacks=[CommandHandler(list(CANCEL_COMMANDS), abort_question, private)],
            allow_reentry=True,
            name="questions",
            persistent=True,  # survives a restart (bot.persistence)
        )
    return [
        dialogue,
        CallbackQueryHandler(withdraw_question, pattern(Action.QUESTION_WITHDRAW)),
    ]
