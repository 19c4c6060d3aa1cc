"""The typed context every callback receives (see PTB's contexttypesbot example)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton
from telegram.ext import CallbackContext, ExtBot
from typing_extensions import TypedDict  # pydantic reads it on Python 3.11 (bot.persistence)

from bot.callbacks import pack
from bot.clock import Clock
from bot.i18n import Count, Translator
from bot.outgoing import OutgoingMessage, Policy, SenderState
from bot.settings import Settings
from bot.state import AlertThrottle, BroadcastDraft, EventDraft, ProgressTracker
from storage.db import Database
from storage.outbox import OutboxItem


class SignupDialogue(TypedDict):
    """The sign-up name dialogue (handlers.attendee.signup): which evening, since when it waits."""

    event: str
    since: datetime


@dataclass
class UserData:
    """What the bot keeps in memory per person (PTB's ``user_data``). The dialogue fields
    (:class:`bot.persistence.Dialogues`) survive a restart; the language cache does not, it is
    read from the users row again on the first update."""

    language: str | None = None  # cache of the stored language (handlers.users)
    known: str | None = None  # Telegram language the stored row is in step with (handlers.users)
    signup_dialogue: SignupDialogue | None = None  # handlers.attendee.signup: waiting for a name
    event_draft: EventDraft | None = None  # organiser's event dialogue (handlers.organiser)
    broadcast_draft: BroadcastDraft | None = None  # organiser's broadcast (handlers.organiser)
    checkin_search: tuple[str, str] | None = None  # handlers.door.checkin: (event id, typed name)
    feedback_registration: int | None = None  # handlers.attendee.feedback: comment awaited
    question_event: str | None = None  # handlers.attendee.questions: the evening a question is for

    def clear(self) -> None:
        """Forget everything (after the person deleted their data)."""
        for declared in fields(self):
            setattr(self, declared.name, declared.default)


class BotData:
    """Everything the application holds at run time, declared here and filled in one place:
    :meth:`configure`, called by ``bot.app.build_application`` (PTB creates ``bot_data``
    without arguments through ``ContextTypes``, so the services cannot be constructor
    arguments). The database is opened later, in :meth:`open_database`. ``__slots__``: an
    attribute nobody declared here cannot be attached."""

    __slots__ = (
        "_db",
        "_opening",
        "broadcast_progress",
        "clock",
        "error_alerts",
        "on_blocked",
        "outbox_kinds",
        "outbox_recipients",
        "sender",
        "settings",
        "translator",
        "wake_sender",
    )

    settings: Settings
    translator: Translator
    clock: Clock
    outbox_kinds: OutboxKinds  # kind -> renderer and delivery policy (bot.outgoing)
    sender: SenderState  # the paced sender's lock and pacer (bot.sending.sender)
    on_blocked: Callable[[int], None]  # a person blocked the bot (the sender tells the features)
    wake_sender: Callable[[], None]  # the database's after-commit hook for new outbox rows
    error_alerts: AlertThrottle  # at most one error alert a minute (handlers.errors)
    broadcast_progress: ProgressTracker  # what progress messages show (handlers.organiser)

    def __init__(self) -> None:
        self._db: Database | None = None
        self._opening = asyncio.Lock()
        # Rows the sender claims: for these people only (the console), or everyone (None).
        self.outbox_recipients: set[int] | None = None

    def configure(
        self,
        settings: Settings,
        clock: Clock,
        translator: Translator,
        *,
        outbox_kinds: OutboxKinds,
        on_blocked: Callable[[int], None],
        wake_sender: Callable[[], None],
        error_alerts: AlertThrottle,
        broadcast_progress: ProgressTracker,
    ) -> None:
        """Set the services and the run-time state at application build (the one place)."""
        self.settings = settings
        self.clock = clock
        self.translator = translator
        self.outbox_kinds = outbox_kinds
        self.sender = SenderState(settings.broadcast_rate)
        self.on_blocked = on_blocked
        self.wake_sender = wake_sender
        self.error_alerts = error_alerts
        self.broadcast_progress = broadcast_progress

    @property
    def db(self) -> Database:
        """The open database (open_database runs before the first update)."""
        if self._db is None:
            raise RuntimeError("the database is not open yet (BotData.open_database)")
        return self._db

    @property
    def database_open(self) -> bool:
        """Whether :meth:`open_database` has opened the database."""
        return self._db is not None

    async def open_database(self) -> Database:
        """Open and migrate the database once: the persistence needs it in ``initialize()``,
        before ``post_init``, and whichever asks first opens it. Every transaction that queues
        outbox rows wakes the sender when it commits (no feature has to remember to)."""
        async with self._opening:
            if self._db is None:
                self._db = await Database.open(
                    self.settings.database_path, after_enqueue=self.wake_sender
                )
        return self._db


# --- the table of outbox kinds (bot.app.outbox_kinds; the sender reads it) ---------------

RenderRow = Callable[[BotData, str, dict[str, Any]], Awaitable[OutgoingMessage | None]]
"""Renders one outbox row for its recipient in their stored language: ``(bot_data, lang,
payload)``. ``None`` means the message has become pointless (the event was moved, cancelled or
deleted, the sign-up was cancelled…): the row is closed as 'failed' with the error ``obsolete``."""


SentHook = Callable[[BotData, OutboxItem, int], Awaitable[None]]
"""What a kind does after its message was sent: ``(bot_data, row, message_id)``."""


@dataclass(frozen=True, slots=True)
class OutboxKindEntry:
    """One row of the table of outbox kinds: how a row is rendered, how hard it is tried."""

    render: RenderRow
    policy: Policy = field(default_factory=Policy)
    # Called after a successful send with the row and the sent message's id (a waitlist offer
    # keeps it, to be edited once someone else takes the seat).
    sent: SentHook | None = None


OutboxKinds = dict[str, OutboxKindEntry]


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

    def text(self, key: str, count: Count | None = None, **values: object) -> Markup:
        """Message ``key`` in the reader's language, values escaped."""
        return self.bot_data.translator.text(self.lang, key, count, **values)

    def plain(self, key: str, count: Count | None = None, **values: object) -> str:
        """Message ``key`` as plain text (button labels, alerts): values not escaped."""
        return self.bot_data.translator.plain(self.lang, key, count, **values)

    def button(self, key: str, action: str, *args: object) -> InlineKeyboardButton:
        """An inline button labelled with message ``key`` that presses ``action`` with
        ``args`` (see bot.callbacks)."""
        return InlineKeyboardButton(self.plain(key), callback_data=pack(action, *args))

    def is_organiser(self, user_id: int | None) -> bool:
        """Re-checked on every update: is this user in ``ADMIN_IDS``?"""
        return user_id is not None and user_id in self.bot_data.settings.admin_ids
