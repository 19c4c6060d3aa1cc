"""A fake Telegram Bot API for tests, the terminal console mode and benchmarks.

The real ``telegram.ext.Application`` runs against :class:`FakeBotApi`; only the network is
replaced. The fake answers like Telegram (same JSON shapes, status codes and, where known, the
same error wording), rejects what Telegram rejects (malformed HTML, over-long texts, invalid
buttons, no-op edits, stale callback queries), records what every chat would see and lets tests
inject faults (flood control, outages, blocked users). :class:`FakeUser` and :class:`FakeGroup`
drive the bot the way a person would: they type, press buttons and send photos.

Everything that changes state runs synchronously inside one ``do_request`` call without an
``await`` in between, so hundreds of concurrent asyncio calls cannot interleave half-way.
"""

from __future__ import annotations

from .api import FakeBotApi
from .constants import (
    BLOCKED,
    CALLBACK_ANSWER_LIMIT,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    RATE_LIMITED_METHODS,
    TEXT_LIMIT,
    JSONDict,
)
from .drivers import FakeGroup, FakeUser
from .html import Entity, HtmlParseError, parse_html, strip_text, utf16_len
from .records import (
    ApiCall,
    Button,
    CallbackAnswer,
    InlineAnswer,
    Location,
    MessageCursor,
    Rejection,
    SentDocument,
    SentMessage,
    Venue,
)
from .terminal import render_for_terminal

__all__ = [
    "BLOCKED",
    "CALLBACK_ANSWER_LIMIT",
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "RATE_LIMITED_METHODS",
    "TEXT_LIMIT",
    "ApiCall",
    "Button",
    "CallbackAnswer",
    "Entity",
    "FakeBotApi",
    "FakeGroup",
    "FakeUser",
    "HtmlParseError",
    "InlineAnswer",
    "JSONDict",
    "Location",
    "MessageCursor",
    "Rejection",
    "SentDocument",
    "SentMessage",
    "Venue",
    "parse_html",
    "render_for_terminal",
    "strip_text",
    "utf16_len",
]
