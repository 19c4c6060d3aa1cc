"""Welcome, help, language choice, and the friendly answer to anything unexpected."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import commands
from bot.callbacks import EVENT_DEEP_LINK_PREFIX, Action, pack, pattern, unpack
from bot.context import BotContext
from bot.i18n import LANGUAGES
from domain.models import EVENT_ID_PATTERN
from handlers.attendee import subscription
from handlers.ui import way_on
from handlers.ui.card import send_card
from handlers.ui.reader import is_group
from storage import users as user_store


def main_menu(context: BotContext) -> InlineKeyboardMarkup:
    """The buttons under the welcome text."""
    return InlineKeyboardMarkup(
        [
            [context.button("menu.events", Action.LIST, 0)],
            [context.button("menu.mine", Action.MINE)],
        ]
    )


async def start(update: Update, context: BotContext) -> None:
    """/start: welcome and main menu; ``/start ev_<id>`` opens that event's card."""
    payload = context.args[0] if context.args else ""
    if payload.startswith(EVENT_DEEP_LINK_PREFIX):
        event_id = payload.removeprefix(EVENT_DEEP_LINK_PREFIX)
        if EVENT_ID_PATTERN.fullmatch(event_id):
            await send_card(update, context, event_id, edit=False)
            return
        await update.effective_message.reply_text(context.text("card.unknown_event"))
        return
    if payload:
        await update.effective_message.reply_text(context.text("start.unknown_link"))
    if is_group(update):
        await update.effective_message.reply_text(context.text("start.group"))
        return
    await subscription.reply_with_offer(  # the first time with the announcements question
        update,
        context,
        context.text("start.welcome", name=update.effective_user.first_name),
        main_menu(context),
    )


async def show_help(update: Update, context: BotContext) -> None:
    """/hilfe, /help: what the bot can do."""
    text = context.text("help.text")
    if context.is_organiser(update.effective_user.id):
        text += "\n\n" + context.text("help.organiser")
    await update.effective_message.reply_text(text)


async def choose_language(update: Update, context: BotContext) -> None:
    """/sprache, /language: the language in use now, and Deutsch / English (the current one
    ticked)."""
    buttons = [
        InlineKeyboardButton(
            context.plain(
                "language.button_current" if lang == context.lang else "language.button",
                name=context.plain(f"language.name_{lang}"),
            ),
            callback_data=pack(Action.LANGUAGE, lang),
        )
        for lang in LANGUAGES
    ]
    await update.effective_message.reply_text(
        context.text("language.choose"), reply_markup=InlineKeyboardMarkup([buttons])
    )


async def set_language(update: Update, context: BotContext) -> None:
    """A language button: store the choice and confirm in the new language."""
    query = update.callback_query
    callback = unpack(query.data)
    lang = callback.arg() if callback else None
    if lang not in LANGUAGES:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return
    await user_store.set_language(context.db, update.effective_user.id, lang)
    context.user_data.language = lang
    await query.answer()
    await query.edit_message_text(
        context.text("language.set"), reply_markup=way_on.to_events(context)
    )
    user_id = update.effective_user.id
    settings = context.bot_data.settings
    if context.is_organiser(user_id) or user_id in settings.door_ids:
        await commands.give_organiser_menu(
            context.bot,
            context.services.translator,
            context.db,
            user_id,
            lang,
            context.now(),
            commands.is_door_only(settings.admin_ids, settings.door_ids, user_id),
        )


async def fallback_text(update: Update, context: BotContext) -> None:
    """Anything else typed in the private chat: a short pointer to /hilfe."""
    await update.effective_message.reply_text(context.text("common.fallback"))


async def unknown_command(update: Update, context: BotContext) -> None:
    """An unknown command: the same friendly pointer."""
    await update.effective_message.reply_text(context.text("common.unknown_command"))


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button no handler claimed (old format, forged, feature gone): say so."""
    await update.callback_query.answer(context.plain("common.stale_button"), show_alert=True)


def build_handlers() -> list:
    """/start, /hilfe and /sprache."""
    return [
        CommandHandler("start", start),
        CommandHandler(["hilfe", "help"], show_help, filters.ChatType.PRIVATE),
        CommandHandler(["sprache", "language"], choose_language, filters.ChatType.PRIVATE),
        CallbackQueryHandler(set_language, pattern(Action.LANGUAGE)),
    ]


def build_fallbacks() -> list:
    """Registered last: they catch whatever no feature handled."""
    return [
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, fallback_text),
        CallbackQueryHandler(stale_button),
    ]
