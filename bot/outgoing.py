"""What the paced sender sends, and how, per outbox kind: the one table of kinds.

Every kind of message the bot sends on its own (an ``outbox`` row's ``kind``) has one entry in
a table built where the application is built (:func:`bot.app.outbox_kinds`, kept in
:attr:`bot.context.BotData.outbox_kinds`, whose types :class:`bot.context.OutboxKindEntry` are
declared there): its renderer and its delivery policy (:mod:`bot.sending.delivery`). Nothing is
registered at import time. Here: the message, the policy and the sender's state, which BotData
declares (so this module sits below bot.context, beside bot.pacer).
"""

from __future__ import annotations

import asyncio
import dataclasses

from telegram import InlineKeyboardMarkup

from bot.pacer import Pacer


@dataclasses.dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What to send for one outbox row: an HTML text, a copy of an existing message, or a file
    (``document`` with its ``filename``; ``text`` is then its caption)."""

    text: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None
    from_chat_id: int | None = None
    message_id: int | None = None
    document: bytes | None = None
    filename: str | None = None

    def __post_init__(self) -> None:
        is_copy = self.from_chat_id is not None and self.message_id is not None
        if self.document is not None:
            if is_copy or not self.filename:
                raise ValueError("a document is sent with its file name, never as a copy")
        elif is_copy == (self.text is not None):
            raise ValueError("an OutgoingMessage is either a text or a copy of a message")

    @classmethod
    def html(cls, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> OutgoingMessage:
        """A text message (Telegram HTML, the application's default parse mode)."""
        return cls(text=text, reply_markup=reply_markup)

    @classmethod
    def copy(
        cls,
        from_chat_id: int,
        message_id: int,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> OutgoingMessage:
        """A copy of any message (text, photo, document…) as written (``copyMessage``)."""
        return cls(from_chat_id=from_chat_id, message_id=message_id, reply_markup=reply_markup)

    @classmethod
    def file(
        cls,
        content: bytes,
        filename: str,
        caption: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> OutgoingMessage:
        """A document (a PDF…) with an HTML caption."""
        return cls(text=caption, reply_markup=reply_markup, document=content, filename=filename)

    @property
    def is_copy(self) -> bool:
        return self.from_chat_id is not None


@dataclasses.dataclass(frozen=True, slots=True)
class Policy:
    """A kind's delivery rule: never repeat an uncertain send; expire after the retry window."""

    at_most_once: bool = False
    window: bool = False  # give up after BROADCAST_RETRY_HOURS (kinds with no evening to ask)


class SenderState:
    """The sender's state in one application: the drain lock, the pacer, whether the last call
    failed transiently (Telegram may be unreachable)."""

    def __init__(self, rate: float) -> None:
        self.lock = asyncio.Lock()
        self.pacer = Pacer(rate)
        self.failing = False
