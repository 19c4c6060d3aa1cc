"""The guard every organiser handler runs behind, and the ✖ button of an organiser dialogue.

Organisers are the users in ``ADMIN_IDS``; :func:`organisers_only` re-checks that on every
update and every button press (a hidden button is no protection), answers everyone else "nur
für Veranstaltende" and changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import ConversationHandler

from bot.callbacks import Action
from bot.context import BotContext

END = ConversationHandler.END

Callback = Callable[[Update, BotContext], Awaitable[Any]]


async def refuse(update: Update, context: BotContext) -> None:
    """Tell a non-organiser that this is only for organisers (alert for a button press)."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.plain("common.organisers_only"), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(context.text("common.organisers_only"))


def is_organiser(update: Update, context: BotContext) -> bool:
    """Whether the sender of this update is an organiser right now."""
    user = update.effective_user
    return user is not None and context.is_organiser(user.id)


def organisers_only(callback: Callback) -> Callback:
    """Run ``callback`` for organisers only; anyone else is refused and nothing changes.

    Returns ``ConversationHandler.END`` on refusal, so that a dialogue whose organiser lost the
    role ends, and an entry point does not start one.
    """

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> Any:
        if is_organiser(update, context):
            return await callback(update, context)
        await refuse(update, context)
        return END

    return guarded


def abort_button(context: BotContext) -> InlineKeyboardButton:
    """The ✖ button every dialogue step offers."""
    return context.button("admin.abort", Action.DIALOGUE_ABORT)
