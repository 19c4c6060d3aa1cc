"""The typed context every callback receives (see PTB's contexttypesbot example)."""

from __future__ import annotations

from datetime import datetime

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.i18n import Html, Translator
from bot.settings import Settings
from storage.db import Database

LANGUAGE_KEY = "lang"  # user_data cache of the stored language, filled by bot.users_middleware


class BotData:
    """Application-wide services, created in ``post_init`` (nothing is built at import time)."""

    settings: Settings
    db: Database
    translator: Translator
    clock: Clock


class BotContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """Callback context with typed services and the reader's language."""

    @property
    def services(self) -> BotData:
        return self.bot_data

    @property
    def db(self) -> Database:
        return self.bot_data.db

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def lang(self) -> str:
        """The language of the user this update comes from (default when unknown)."""
        user_data = self.user_data
        if user_data is not None and LANGUAGE_KEY in user_data:
            return user_data[LANGUAGE_KEY]
        return self.bot_data.settings.default_language

    def now(self) -> datetime:
        """The current moment from the application's clock."""
        return self.bot_data.clock.now()

    def text(self, key: str, count: int | None = None, **values: object) -> Html:
        """Message ``key`` in the reader's language, values escaped."""
        return self.bot_data.translator.text(self.lang, key, count, **values)

    def plain(self, key: str, count: int | None = None, **values: object) -> str:
        """Message ``key`` as plain text (button labels, alerts): values not escaped."""
        return self.bot_data.translator.plain(self.lang, key, count, **values)

    def is_organiser(self, user_id: int | None) -> bool:
        """Re-checked on every update: is this user in ``ADMIN_IDS``?"""
        return user_id is not None and user_id in self.bot_data.settings.admin_ids


BotApplication = Application[ExtBot, BotContext, dict, dict, BotData, object]
