"""The typed context every callback receives (see PTB's contexttypesbot example)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton
from telegram.ext import Application, CallbackContext, ExtBot

from bot.callbacks import pack
from bot.clock import Clock
from bot.i18n import Translator
from bot.settings import Settings
from storage.db import Database


@dataclass
class UserData:
    """What the bot keeps in memory per person (PTB's ``user_data``). The dialogue fields
    (:data:`DIALOGUE_FIELDS`) survive a restart (bot.persistence); the language cache does not,
    it is read from the users row again on the first update."""

    language: str | None = None  # cache of the stored language (handlers.users)
    known: str | None = None  # Telegram language the stored row is in step with (handlers.users)
    # The sign-up name dialogue (handlers.signup): {"event": event id, "since": datetime}.
    signup_dialogue: dict[str, Any] | None = None
    event_draft: Any = None  # handlers.event_draft.EventDraft of an organiser dialogue
    broadcast_draft: Any = None  # handlers.broadcast.BroadcastDraft of an organiser dialogue
    checkin_search: tuple[str, str] | None = None  # handlers.checkin: (event id, typed name)
    feedback_registration: int | None = None  # handlers.feedback: whose comment is awaited
    question_event: str | None = None  # handlers.questions: the evening a question is for

    def dialogue_values(self) -> dict[str, Any]:
        """The dialogue fields that hold something (what bot.persistence keeps)."""
        values = {name: getattr(self, name) for name in DIALOGUE_FIELDS}
        return {name: value for name, value in values.items() if value is not None}

    def clear(self) -> None:
        """Forget everything (after the person deleted their data)."""
        for field in fields(self):
            setattr(self, field.name, field.default)


DIALOGUE_FIELDS = (
    "signup_dialogue",
    "event_draft",
    "broadcast_draft",
    "checkin_search",
    "feedback_registration",
)


class BotData:
    """Application-wide services, created in ``post_init`` (nothing is built at import time)."""

    settings: Settings
    db: Database  # opened by open_database (persistence or post_init), before the first update
    translator: Translator
    clock: Clock

    def configure(self, settings: Settings, clock: Clock, translator: Translator) -> None:
        """Set the services at application build: PTB creates ``bot_data`` without arguments
        (``ContextTypes``), so this is the one place that fills it."""
        self.settings = settings
        self.clock = clock
        self.translator = translator
        self._opening = asyncio.Lock()

    async def open_database(self) -> Database:
        """Open and migrate the database once: the persistence needs it in ``initialize()``,
        before ``post_init``, and whichever asks first opens it."""
        async with self._opening:
            if getattr(self, "db", None) is None:
                self.db = await Database.open(self.settings.database_path)
        return self.db


class BotContext(CallbackContext[ExtBot, UserData, dict, BotData]):
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
        if user_data is not None and user_data.language is not None:
            return user_data.language
        return self.bot_data.settings.default_language

    def now(self) -> datetime:
        """The current moment from the application's clock."""
        return self.bot_data.clock.now()

    def text(self, key: str, count: int | None = None, **values: object) -> Markup:
        """Message ``key`` in the reader's language, values escaped."""
        return self.bot_data.translator.text(self.lang, key, count, **values)

    def plain(self, key: str, count: int | None = None, **values: object) -> str:
        """Message ``key`` as plain text (button labels, alerts): values not escaped."""
        return self.bot_data.translator.plain(self.lang, key, count, **values)

    def button(self, key: str, action: str, *args: object) -> InlineKeyboardButton:
        """An inline button labelled with message ``key`` that presses ``action`` with
        ``args`` (see bot.callbacks)."""
        return InlineKeyboardButton(self.plain(key), callback_data=pack(action, *args))

    def is_organiser(self, user_id: int | None) -> bool:
        """Re-checked on every update: is this user in ``ADMIN_IDS``?"""
        return user_id is not None and user_id in self.bot_data.settings.admin_ids


BotApplication = Application[ExtBot, BotContext, UserData, dict, BotData, object]
