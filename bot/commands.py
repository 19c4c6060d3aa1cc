"""The command menus registered with Telegram (setMyCommands), per language and scope.

Attendee commands go to the default scope in German and English; organisers additionally get
their commands in their own chat scope (``BotCommandScopeChat``), in their language.
"""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.ext import ExtBot

from bot.i18n import LANGUAGES, Translator

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
