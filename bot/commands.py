"""The command menus registered with Telegram (setMyCommands), per language and scope.

Attendee commands go to the default scope in German and English; organisers additionally get
their commands in their own chat scope (``BotCommandScopeChat``), in their language: at
start-up, when they first write to this process, and when they change language; a chat that
had the organiser menu loses it when its id leaves ADMIN_IDS (``storage.organiser_menus``).
Door staff (``DOOR_IDS``, not also in ADMIN_IDS) get the attendee commands plus /checkin the
same way.
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

DOOR_COMMANDS = tuple(entry for entry in ORGANISER_COMMANDS if entry[0] == "checkin")


def is_door_only(admin_ids: Iterable[int], door_ids: Iterable[int], user_id: int) -> bool:
    """Door staff who are not also organisers (someone in both lists is an organiser)."""
    return user_id in set(door_ids) and user_id not in set(admin_ids)


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
    bot: ExtBot, translator: Translator, user_id: int, lang: str, door_only: bool = False
) -> None:
    """Attendee plus organiser commands (door staff: plus /checkin) in the person's own chat,
    in their language.

    A chat scope has no per-language variants worth keeping (one person), so the menu is
    written in the language we know for them.
    """
    extra = DOOR_COMMANDS if door_only else ORGANISER_COMMANDS
    menu = _menu(translator, lang, ATTENDEE_COMMANDS + extra)
    await bot.set_my_commands(menu, scope=BotCommandScopeChat(user_id))


async def give_organiser_menu(
    bot: ExtBot,
    translator: Translator,
    db: Database,
    user_id: int,
    lang: str,
    now: datetime,
    door_only: bool = False,
) -> None:
    """Set the organiser (or door) menu in ``lang`` for one person and remember it is there."""
    await set_organiser_commands(bot, translator, user_id, lang, door_only)
    await organiser_menus.remember(db, user_id, lang, now)


async def sync_organiser_menus(
    bot: ExtBot,
    translator: Translator,
    db: Database,
    admin_ids: Iterable[int],
    default_lang: str,
    now: datetime,
    door_ids: Iterable[int] = (),
) -> None:
    """At start-up: every organiser and door person gets the menu in their stored language
    (the default for one who never wrote); a chat that had it but is in neither list loses
    it."""
    admin_ids, door_ids = set(admin_ids), set(door_ids)
    for staff_id in sorted(admin_ids | door_ids):
        lang = await language_of(db, staff_id, default_lang)
        door_only = is_door_only(admin_ids, door_ids, staff_id)
        try:
            await give_organiser_menu(bot, translator, db, staff_id, lang, now, door_only)
        except TelegramError as exc:  # e.g. the organiser never opened the bot yet
            log.warning("Organiser commands for %s not set: %s", staff_id, exc)
    for user_id in sorted(set(await organiser_menus.menus(db)) - admin_ids - door_ids):
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:  # blocked or gone: nothing to show a menu in either
            log.warning("Organiser commands of %s not removed: %s", user_id, exc)
        await organiser_menus.forget(db, user_id)
