"""The command menus registered with Telegram (setMyCommands), per language and scope.

Attendee commands go to the default scope in German and English; organisers additionally get
their commands in their own chat scope (``BotCommandScopeChat``), in their language: at
start-up, when they first write to this process, and when they change language; a chat that
had the organiser menu loses it when its id leaves ADMIN_IDS (``storage.organiser_menus``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.i18n import LANGUAGES, Translator
from storage import organiser_menus
from storage.db import Database
from storage.users import language_of

log = logging.getLogger(__name__)

# (command in German, command in English); both spellings work in either language, the menu
# shows the one of the reader's language. Descriptions are catalogue ids.
ATTENDEE_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("termine", "events", "command.events"),
    ("referenten", "speakers", "command.speakers"),
    ("meine", "mine", "command.mine"),
    ("abo", "subscribe", "command.subscribe"),
    ("datenschutz", "privacy", "command.privacy"),
    ("sprache", "language", "command.language"),
    ("hilfe", "help", "command.help"),
    ("abbrechen", "cancel", "command.cancel"),
)
ORGANISER_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "command.admin"),
    ("teilnehmer", "attendees", "command.attendees"),
    ("rundschreiben", "broadcast", "command.broadcast"),
    ("checkin", "checkin", "command.checkin"),
    ("statistik", "stats", "command.stats"),
    ("fragen", "questions", "command.questions"),
)


def _menu(
    translator: Translator, lang: str, entries: tuple[tuple[str, str, str], ...]
) -> list[BotCommand]:
    return [
        BotCommand(german if lang == "de" else english, translator.raw(lang, description))
        for german, english, description in entries
    ]


async def set_default_commands(bot: ExtBot, translator: Translator, default_lang: str) -> None:
    """Attendee commands for German, English and everyone else (``default_lang``)."""
    for lang in LANGUAGES:
        await bot.set_my_commands(
            _menu(translator, lang, ATTENDEE_COMMANDS),
            scope=BotCommandScopeDefault(),
            language_code=lang,
        )
    await bot.set_my_commands(
        _menu(translator, default_lang, ATTENDEE_COMMANDS), scope=BotCommandScopeDefault()
    )


async def set_organiser_commands(
    bot: ExtBot, translator: Translator, user_id: int, lang: str
) -> None:
    """Attendee plus organiser commands in the organiser's own chat, in their language.

    A chat scope has no per-language variants worth keeping (one person), so the menu is
    written in the language we know for them.
    """
    menu = _menu(translator, lang, ATTENDEE_COMMANDS + ORGANISER_COMMANDS)
    await bot.set_my_commands(menu, scope=BotCommandScopeChat(user_id))


async def give_organiser_menu(
    bot: ExtBot, translator: Translator, db: Database, user_id: int, lang: str, now: datetime
) -> None:
    """Set the organiser menu in ``lang`` for one organiser and remember that it is there."""
    await set_organiser_commands(bot, translator, user_id, lang)
    await organiser_menus.remember(db, user_id, lang, now)


async def sync_organiser_menus(
    bot: ExtBot,
    translator: Translator,
    db: Database,
    admin_ids: Iterable[int],
    default_lang: str,
    now: datetime,
) -> None:
    """At start-up: every organiser gets the menu in their stored language (the default for
    one who never wrote); a chat that had it but is no longer in ADMIN_IDS loses it."""
    admin_ids = set(admin_ids)
    for admin_id in sorted(admin_ids):
        lang = await language_of(db, admin_id, default_lang)
        try:
            await give_organiser_menu(bot, translator, db, admin_id, lang, now)
        except TelegramError as exc:  # e.g. the organiser never opened the bot yet
            log.warning("Organiser commands for %s not set: %s", admin_id, exc)
    for user_id in sorted(set(await organiser_menus.menus(db)) - admin_ids):
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:  # blocked or gone: nothing to show a menu in either
            log.warning("Organiser commands of %s not removed: %s", user_id, exc)
        await organiser_menus.forget(db, user_id)
