"""Runs before every other handler: knows who is writing and in which language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.i18n import resolve_language
from storage import users as user_store


async def remember_user(update: Update, context: BotContext) -> None:
    """Store the user on first contact and cache their language in ``user_data``.

    The database is touched once per user and process (and when Telegram's language changes
    for someone who never chose one), not on every message.
    """
    user = update.effective_user
    if user is None or context.user_data is None:
        return
    if user.is_bot:
        raise ApplicationHandlerStop  # other bots get no answer (no loops between bots)
    settings = context.settings
    detected = resolve_language(None, user.language_code, settings.default_language)
    if context.user_data.known == detected:
        return
    stored = await user_store.ensure_user(context.db, user.id, detected, context.now())
    context.user_data.language = stored.language
    context.user_data.known = detected


def forget_user(application: Application, user_id: int) -> None:
    """Drop the cached state of a user (after data deletion or a 403 from them), so that their
    next update reads (and repairs) the stored row again."""
    data = application.user_data.get(user_id)
    if data is not None:
        data.known = None


def build_handlers() -> list:
    """The middleware handler (registered in group -1, before every feature)."""
    return [TypeHandler(Update, remember_user)]
