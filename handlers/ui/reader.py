"""Who reads a view: a renderer in their language and zone, and whether they read it in a group."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.render import Renderer


def renderer(context: BotContext) -> Renderer:
    """A renderer for the reader's language and the configured time zone."""
    return Renderer(context.services.translator, context.lang, context.settings.tz)


def is_group(update: Update) -> bool:
    """Group and supergroup chats get a reduced bot: list and cards, sign-up via deep link."""
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
