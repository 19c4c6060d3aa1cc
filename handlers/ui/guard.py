"""The guards every organiser and door handler runs behind, and the ✖ button of a dialogue.

Organisers are the users in ``ADMIN_IDS``; :func:`organisers_only` re-checks that on every
update and every button press (a hidden button is no protection), answers everyone else "nur
für Veranstaltende" and changes nothing. Door staff (``DOOR_IDS``) may check people in and
nothing else: :func:`door_staff_only` lets them (and organisers) through to the check-in
handlers, every other organiser handler refuses them like anyone else.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import ConversationHandler

from bot.callbacks import Action
from bot.context import BotContext
from handlers.ui import way_on

END = ConversationHandler.END

Callback = Callable[[Update, BotContext], Awaitable[Any]]


async def refuse(update: Update, context: BotContext) -> None:
    """Tell a non-organiser that this is only for organisers (alert for a button press)."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.plain("common.organisers_only"), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(
            context.text("common.organisers_only"), reply_markup=way_on.to_events(context)
        )


def is_organiser(update: Update, context: BotContext) -> bool:
    """Whether the sender of this update is an organiser right now."""
    user = update.effective_user
    return user is not None and context.is_organiser(user.id)


def is_door_staff(update: Update, context: BotContext) -> bool:
    """Whether the sender may check people in right now: door staff or an organiser."""
    user = update.effective_user
    if user is None:
        return False
    return context.is_organiser(user.id) or user.id in context.bot_data.settings.door_ids


def _only(allowed: Callable[[Update, BotContext], bool], callback: Callback) -> Callback:
    """Run ``callback`` when ``allowed``; anyone else is refused and nothing changes.

    Returns ``ConversationHandler.END`` on refusal, so that a dialogue whose person lost the
    role ends, and an entry point does not start one.
    """

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> Any:
        if allowed(update, context):
            return await callback(update, context)
        await refuse(update, context)
        return END

    return guarded


def organisers_only(callback: Callback) -> Callback:
    """Run ``callback`` for organisers only (see :func:`_only`)."""
    return _only(is_organiser, callback)


def door_staff_only(callback: Callback) -> Callback:
    """Run ``callback`` for door staff and organisers only (the check-in handlers)."""
    return _only(is_door_staff, callback)


def abort_button(context: BotContext) -> InlineKeyboardButton:
    """The ✖ button every dialogue step offers."""
    return context.button("admin.abort", Action.DIALOGUE_ABORT)
