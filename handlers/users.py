"""Runs before every other handler: knows who is writing and in which language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot import commands
from bot.context import BotContext
from bot.i18n import resolve_language
from storage import organiser_menus
from storage import users as user_store

log = logging.getLogger(__name__)


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
    if context.is_organiser(user.id) or user.id in context.bot_data.settings.door_ids:
        await _organiser_menu(context, user.id, stored.language)


async def _organiser_menu(context: BotContext, user_id: int, lang: str) -> None:
    """An organiser writing for the first time (or in a new language) gets the organiser
    command menu in their language, unless it is already there."""
    if (await organiser_menus.menus(context.db)).get(user_id) == lang:
        return
    try:
        settings = context.bot_data.settings
        await commands.give_organiser_menu(
            context.bot,
            context.bot_data.translator,
            context.db,
            user_id,
            lang,
            context.now(),
            commands.is_door_only(settings.admin_ids, settings.door_ids, user_id),
        )
    except TelegramError as exc:  # the menu is a convenience: never fail the update for it
        log.warning("Organiser commands for %s not set: %s", user_id, exc)


def forget_user(application: Application, user_id: int) -> None:
    """Drop the cached state of a user (after data deletion or a 403 from them), so that their
    next update reads (and repairs) the stored row again."""
    data = application.user_data.get(user_id)
    if data is not None:
        data.known = None


def build_handlers() -> list:
    """The middleware handler (registered in group -1, before every feature)."""
    return [TypeHandler(Update, remember_user)]
