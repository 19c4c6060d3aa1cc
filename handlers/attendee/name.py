"""The registered name, seen and corrected (PRODUCT §4 "The name is the person's to see and
correct"): "Name ändern" under the sign-up confirmation, /meine and /datenschutz asks for the new
name in a short dialogue, with the same checks as at sign-up
(:func:`handlers.attendee.signup_questions.check_name`), and applies it to the person's sign-ups
of evenings that are not over yet and to their certificates: an issued one is re-issued under a
new number and sent again, the old number then verifies as "ersetzt" (issue 24). A command or a
press elsewhere ends the question (handlers.dialogues); the dialogue is persistent like every
other one.
"""

from __future__ import annotations

import warnings
from enum import IntEnum

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

from bot.callbacks import Action, pattern
from bot.context import BotContext
from handlers.attendee.signup_questions import MAX_NAME_LENGTH, NameProblem, check_name
from handlers.dialogues import leavable
from handlers.ui.reader import is_group
from storage import registrations as registration_store
from storage import users as user_store

CANCEL_COMMANDS = ("abbrechen", "cancel")
END = ConversationHandler.END


class NameState(IntEnum):
    """Conversation state of the name dialogue."""

    TYPING = 1  # waiting for the new name


TYPING = NameState.TYPING


def name_button(context: BotContext) -> InlineKeyboardButton:
    """ "✏️ Name ändern": opens the name dialogue."""
    return context.button("name.button_change", Action.NAME_CHANGE)


def name_line(context: BotContext, name: str) -> Markup:
    """ "👤 Ihr Name auf Teilnehmendenlisten und Bescheinigungen: …" for a screen."""
    return context.text("name.current", name=name)


async def change_name(context: BotContext, user_id: int, name: str) -> list[str]:
    """Store the corrected name, also on the sign-ups of evenings not over yet and on the
    certificates issued, which are re-issued under new numbers and sent again (in the same
    transaction); return the new numbers."""
    now = context.now()
    db = context.db
    upcoming = await registration_store.upcoming_registrations_with_events(db, user_id, now)
    ids = [registration.id for registration, _ in upcoming]
    return await user_store.change_display_name(db, user_id, name, ids, now)


async def ask_new_name(update: Update, context: BotContext) -> int:
    """ "Name ändern": show the current name and ask for the new one."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    user = await user_store.get_user(context.db, update.effective_user.id)
    if user is None or user.display_name is None:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    await query.answer()
    text = context.text("name.ask", name=user.display_name, limit=MAX_NAME_LENGTH)
    await context.bot.send_message(update.effective_chat.id, text)
    return TYPING


async def receive_name(update: Update, context: BotContext) -> int:
    """The new name: refused with the sign-up's hint, or stored and confirmed."""
    checked = check_name(update.effective_message.text)
    if isinstance(checked, NameProblem):
        await update.effective_message.reply_text(
            context.text(checked.value, limit=MAX_NAME_LENGTH)
        )
        return TYPING
    reissued = await change_name(context, update.effective_user.id, checked)
    text = context.text("name.changed", name=checked)
    if reissued:
        more = context.text("name.certificates_reissued", count=len(reissued))
        text = Markup("\n\n").join([text, more])
    markup = InlineKeyboardMarkup([[context.button("name.button_mine", Action.MINE)]])
    await update.effective_message.reply_text(text, reply_markup=markup)
    return END


async def not_text(update: Update, context: BotContext) -> int:
    """A photo, sticker … while the name is awaited: ask for text, keep waiting."""
    await update.effective_message.reply_text(context.text("signup.name_text_only"))
    return TYPING


async def cancel(update: Update, context: BotContext) -> int:
    """/abbrechen, /cancel: the name stays as it was."""
    await update.effective_message.reply_text(context.text("name.unchanged"))
    return END


def build_handlers() -> list[BaseHandler]:
    """The name dialogue (register before the sign-up dialogue)."""
    private = filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        # One name per person: tracked per chat and user on purpose.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        dialogue = ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_new_name, pattern(Action.NAME_CHANGE))],
            states=leavable(
                {
                    TYPING: [
                        MessageHandler(private & filters.TEXT & ~filters.COMMAND, receive_name),
                        MessageHandler(
                            private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, not_text
                        ),
                    ]
                }
            ),
            fallbacks=[CommandHandler(list(CANCEL_COMMANDS), cancel, private)],
            allow_reentry=True,
            name="name",
            persistent=True,  # survives a restart (bot.persistence)
        )
    return [dialogue]
