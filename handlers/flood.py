"""The answer to a flood (issue 15): when one person sends more at once than the bot takes from
one person (bot.fairness), the excess is dropped and they are asked, once, to slow down."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.context import BotData
from bot.i18n import resolve_language


async def slow_down(application: Application, update: Update) -> None:
    """Ask to slow down ("Bitte etwas langsamer …"): a pop-up on a pressed button, a message
    in a private chat, nothing in a group (the group would only see more noise)."""
    data: BotData = application.bot_data
    user = update.effective_user
    cached = application.user_data.get(user.id) if user is not None else None
    lang = resolve_language(
        getattr(cached, "language", None),
        user.language_code if user is not None else None,
        data.settings.default_language,
    )
    query = update.callback_query
    if query is not None:
        await query.answer(data.translator.plain(lang, "common.slow_down_popup"))
        return
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await application.bot.send_message(chat.id, data.translator.text(lang, "common.slow_down"))
