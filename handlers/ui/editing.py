"""Editing the pressed message in place without no-op edits, or sending when there is none
(the one edit-or-send every view uses: :func:`reply_or_edit`).

Telegram refuses an edit that changes nothing ("message is not modified"). Buttons that
re-render a view (a card after a repeated tap, a list after a stale press) often produce exactly
the shown content, so the edit is skipped when text and buttons are already what is shown.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Iterator

from markupsafe import Markup
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.render import split_message

_TAG = re.compile(r"<[^>]+>")
_log = logging.getLogger(__name__)


@contextlib.contextmanager
def tolerating_unchanged() -> Iterator[None]:
    """Run an edit, ignoring only "message is not modified"; any other refusal is logged."""
    try:
        yield
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            _log.warning("edit refused by Telegram", exc_info=True)


def _plain(text: str) -> str:
    """What a Telegram HTML text shows (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", text)).strip()


def shows(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Whether ``message`` already shows ``text`` (HTML) with ``markup``."""
    current = message.reply_markup
    same_buttons = current == markup or (_empty(current) and _empty(markup))
    return same_buttons and (message.text or message.caption or "").strip() == _plain(text)


def _empty(markup: InlineKeyboardMarkup | None) -> bool:
    return markup is None or not any(markup.inline_keyboard)


async def edit_pressed(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Edit the pressed message to ``text`` and ``markup`` unless it already shows them.

    Returns ``False`` when there is no accessible message to edit (the caller sends instead).
    """
    message = query.message
    if not isinstance(message, Message):
        return False
    if message.text is None:  # a file or photo: its caption cannot become a text view
        return False
    if shows(message, text, markup):
        return True
    with tolerating_unchanged():
        await query.edit_message_text(text, reply_markup=markup)
    return True


async def reply_or_edit(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit the pressed message in place, or send a new message for a typed command (and for
    a button under a file or photo, whose caption cannot become a text view)."""
    query = update.callback_query
    if query is not None and await edit_pressed(query, text, markup):
        return
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def send_split(
    context: BotContext, chat_id: int, text: Markup, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a text of any length as as many messages as it needs (``bot.render.split_message``),
    the buttons under the last one."""
    chunks = split_message(text)
    for index, chunk in enumerate(chunks, 1):
        last = index == len(chunks)
        await context.bot.send_message(chat_id, chunk, reply_markup=markup if last else None)
