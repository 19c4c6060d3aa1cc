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
from .drivers import _COMMAND as _COMMAND
from .drivers import FakeGroup, FakeUser
from .drivers import _ChatDriver as _ChatDriver
from .drivers import _command_entities as _command_entities
from .drivers import _find_button as _find_button
from .html import _KNOWN_TAGS as _KNOWN_TAGS
from .html import _NAMED_ENTITIES as _NAMED_ENTITIES
from .html import _SIMPLE_TAGS as _SIMPLE_TAGS
from .html import _SPACES as _SPACES
from .html import Entity, HtmlParseError, parse_html, strip_text, utf16_len
from .html import _byte_offset as _byte_offset
from .html import _close_entity as _close_entity
from .html import _decode_attribute as _decode_attribute
from .html import _decode_entity as _decode_entity
from .html import _OpenTag as _OpenTag
from .html import _read_attributes as _read_attributes
from .html import _start_tag_argument as _start_tag_argument
from .markup import _BUTTON_ACTIONS as _BUTTON_ACTIONS
from .markup import _URL_PATTERN as _URL_PATTERN
from .markup import _as_json as _as_json
from .markup import _Markup as _Markup
from .markup import _markup_key as _markup_key
from .markup import _parse_buttons as _parse_buttons
from .markup import _parse_markup as _parse_markup
from .markup import _read_content as _read_content
from .records import (
    ApiCall,
    Button,
    CallbackAnswer,
    Location,
    MessageCursor,
    Rejection,
    SentDocument,
    SentMessage,
    Venue,
)
from .records import _ApiError as _ApiError
from .records import _Fault as _Fault
from .records import _StoredFile as _StoredFile
from .terminal import _ANSI as _ANSI
from .terminal import _styled_text as _styled_text
from .terminal import _utf16_to_index as _utf16_to_index
from .terminal import render_for_terminal

# The underscore names above are re-exported (``name as name``) so that code which imported
# them from the former single module ``bot/fake_telegram.py`` keeps working.
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
