"""The way on under a message that ends something (issue 23: no dead ends).

A confirmation, a report or a file is the last thing a person sees of what they did; without a
button or a command they would have to remember one. Each message that ends a flow carries one
of these rows: back to the evening it was about, to the list of evenings, or, for organisers,
to their menu. A press under a file sends the view as a new message (``reply_or_edit``).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, pack
from bot.context import BotContext
from bot.i18n import Translator


def to_card(context: BotContext, event_id: str) -> InlineKeyboardMarkup:
    """« Zum Termin: the card of the evening the message was about."""
    return InlineKeyboardMarkup([[context.button("speakers.back", Action.CARD, event_id)]])


def to_events(context: BotContext) -> InlineKeyboardMarkup:
    """« Alle Termine: the list of upcoming evenings, for anyone."""
    return to_events_in(context.bot_data.translator, context.lang)


def to_admin_menu(context: BotContext) -> InlineKeyboardMarkup:
    """◀ Zum Menü: the organiser menu (only under messages organisers get)."""
    return admin_menu_in(context.bot_data.translator, context.lang)


def to_events_in(translator: Translator, lang: str) -> InlineKeyboardMarkup:
    """:func:`to_events` for a message sent without an update (an outbox row, a job)."""
    return _one(translator, lang, "card.back", Action.LIST, 0)


def admin_menu_in(translator: Translator, lang: str) -> InlineKeyboardMarkup:
    """:func:`to_admin_menu` for a message sent without an update (a report, an alert)."""
    return _one(translator, lang, "admin.back", Action.ADMIN_MENU)


def _one(
    translator: Translator, lang: str, key: str, action: str, *args: object
) -> InlineKeyboardMarkup:
    label = translator.plain(lang, key)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=pack(action, *args))]])
