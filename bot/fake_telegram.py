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

import asyncio
import bisect
import dataclasses
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

JSONDict = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64

#: The methods :meth:`FakeBotApi.enforce_rate` counts and throttles.
RATE_LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "sendPhoto",
        "sendDocument",
        "sendVenue",
        "sendLocation",
        "editMessageText",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"


# --------------------------------------------------------------------------------------------
# Entities and Telegram's HTML dialect
# --------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Raised by :func:`parse_html` with the text Telegram puts after "can't parse entities: "."""


@dataclass(frozen=True)
class Entity:
    """A message entity; ``offset`` and ``length`` count UTF-16 code units like Telegram."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> JSONDict:
        """Return the Bot API JSON form (without empty optional fields)."""
        data: JSONDict = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_dict(cls, data: JSONDict) -> Entity:
        """Build an entity from Bot API JSON (as sent in an ``entities`` parameter)."""
        return cls(
            type=data["type"],
            offset=int(data["offset"]),
            length=int(data["length"]),
            url=data.get("url"),
            language=data.get("language"),
            custom_emoji_id=data.get("custom_emoji_id"),
        )


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_KNOWN_TAGS = {*_SIMPLE_TAGS, "a", "code", "pre", "span", "blockquote", "tg-emoji"}
_SPACES = " \t\n\r\v\f"
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    argument: str | None
    start: int  # UTF-16 offset in the output
    text_start: int  # index into the output pieces


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str | None, int]:
    """Decode the character reference starting at ``source[index] == "&"`` as Telegram does.

    Returns the character (or None if this is no valid reference) and the index after it.
    """
    end = index + 1
    if source.startswith("#", end):
        end += 1
        is_hex = source.startswith("x", end)
        end += is_hex
        digits = "0123456789abcdefABCDEF" if is_hex else "0123456789"
        start = end
        while end < len(source) and source[end] in digits:
            end += 1
        if end == start:
            return None, index
        code = int(source[start:end], 16 if is_hex else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, index
        char = chr(code)
    else:
        while end < len(source) and source[end].isascii() and source[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(source[index + 1 : end])
        if named is None:
            return None, index
        char = named
    if source.startswith(";", end):
        end += 1
    return char, end


def _decode_attribute(value: str) -> str:
    out, index = [], 0
    while index < len(value):
        char, end = _decode_entity(value, index) if value[index] == "&" else (None, index)
        if char is None:
            out.append(value[index])
            index += 1
        else:
            out.append(char)
            index = end
    return "".join(out)


def _read_attributes(source: str, index: int, tag: str, begin: int) -> tuple[JSONDict, int]:
    """Read the attributes of a start tag; returns them and the index after the closing '>'."""
    attributes: JSONDict = {}
    size = len(source)
    while True:
        while index < size and source[index] in _SPACES:
            index += 1
        if index >= size:
            raise HtmlParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        if source[index] == ">":
            return attributes, index + 1
        name_start = index
        while index < size and source[index] not in _SPACES and source[index] not in "=>":
            index += 1
        name = source[name_start:index]
        while index < size and source[index] in _SPACES:
            index += 1
        if index >= size or source[index] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
                f" at byte offset {_byte_offset(source, begin)}"
            )
        index += 1
        while index < size and source[index] in _SPACES:
            index += 1
        if index < size and source[index] in "'\"":
            closing = source.find(source[index], index + 1)
            if closing < 0:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                )
            attributes[name] = _decode_attribute(source[index + 1 : closing])
            index = closing + 1
        else:
            token_start = index
            while index < size and (source[index].isalnum() or source[index] in ".-"):
                index += 1
            if index >= size or source[index] not in _SPACES + ">":
                raise HtmlParseError(
                    "Unexpected end of name token at byte offset"
                    f" {_byte_offset(source, token_start)}"
                )
            attributes[name] = source[token_start:index].lower()


def _start_tag_argument(tag: str, attributes: JSONDict, source: str, begin: int) -> str | None:
    """Validate a start tag's attributes and return its argument (url, language, ...)."""
    where = f"at byte offset {_byte_offset(source, begin)}"
    if tag == "a":
        if "href" not in attributes:
            # Telegram would fall back to the link text; we insist, a missing href is a bug.
            raise HtmlParseError(f'Tag "a" must have an "href" attribute {where}')
        return attributes["href"]
    if tag == "code":
        css = attributes.get("class", "")
        return css.removeprefix("language-") if css.startswith("language-") else None
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    if tag == "tg-emoji":
        if not attributes.get("emoji-id"):
            raise HtmlParseError(f'Tag "tg-emoji" must have an "emoji-id" attribute {where}')
        return attributes["emoji-id"]
    if tag == "blockquote":
        return "expandable" if "expandable" in attributes else None
    return None


def _close_entity(opened: _OpenTag, end: int, pieces: list[str], entities: list[Entity]) -> None:
    """Append the entity for a closed tag (Telegram drops empty ones)."""
    length = end - opened.start
    if length <= 0:
        return
    offset, tag, argument = opened.start, opened.name, opened.argument
    if tag in _SIMPLE_TAGS:
        entities.append(Entity(_SIMPLE_TAGS[tag], offset, length))
    elif tag == "span":
        entities.append(Entity("spoiler", offset, length))
    elif tag == "a":
        url = argument or "".join(pieces[opened.text_start :])
        entities.append(Entity("text_link", offset, length, url=url))
    elif tag == "code":
        entities.append(Entity("code", offset, length, language=argument))
    elif tag == "pre":
        last = entities[-1] if entities else None
        if last and last.type == "code" and (last.offset, last.length) == (offset, length):
            entities[-1] = Entity("pre", offset, length, language=last.language)
        else:
            entities.append(Entity("pre", offset, length))
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append(Entity(kind, offset, length))
    elif tag == "tg-emoji":
        entities.append(Entity("custom_emoji", offset, length, custom_emoji_id=argument))


def parse_html(source: str, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram's HTML dialect into plain text and entities, raising like Telegram.

    Follows tdlib's parser: only Telegram's tags, properly nested and closed. With ``strict``
    (the default) a bare ``&`` or ``>`` is rejected too; Telegram tolerates those, but they
    always mean a missing ``html.escape`` somewhere, so tests should hear about them.
    """
    pieces: list[str] = []
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    position = 0  # UTF-16 offset of the end of the output so far
    index, size = 0, len(source)
    while index < size:
        char = source[index]
        if char == "&":
            decoded, end = _decode_entity(source, index)
            if decoded is not None:
                pieces.append(decoded)
                position += utf16_len(decoded)
                index = end
                continue
            if strict:
                raise HtmlParseError(
                    f"unescaped '&' at byte offset {_byte_offset(source, index)} (Telegram"
                    " would show it verbatim; the fake insists on &amp;)"
                )
        if char == ">" and strict:
            raise HtmlParseError(
                f"unescaped '>' at byte offset {_byte_offset(source, index)} (Telegram would"
                " show it verbatim; the fake insists on &gt;)"
            )
        if char != "<":
            pieces.append(char)
            position += 2 if ord(char) > 0xFFFF else 1
            index += 1
            continue

        begin = index
        index += 1
        if source.startswith("/", index):
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            index += 1
            name_start = index
            while index < size and source[index] not in _SPACES + ">":
                index += 1
            end_name = source[name_start:index].lower()
            while index < size and source[index] in _SPACES:
                index += 1
            if index >= size or source[index] != ">":
                raise HtmlParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, begin)}"
                )
            index += 1
            opened = stack.pop()
            if end_name and end_name != opened.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, expected"
                    f' "</{opened.name}>", found "</{end_name}>"'
                )
            _close_entity(opened, position, pieces, entities)
            continue

        name_start = index
        while index < size and source[index] not in _SPACES + ">":
            index += 1
        if index >= size:
            raise HtmlParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        tag = source[name_start:index].lower()
        if tag not in _KNOWN_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        attributes, index = _read_attributes(source, index, tag, begin)
        argument = _start_tag_argument(tag, attributes, source, begin)
        stack.append(_OpenTag(tag, argument, position, len(pieces)))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    # A language on <code> only counts inside <pre>.
    entities = [
        dataclasses.replace(e, language=None) if e.type == "code" and e.language else e
        for e in entities
    ]
    entities.sort(key=lambda e: (e.offset, -e.length))
    return "".join(pieces), entities


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity.offset - lead, 0)
        end = min(entity.offset + entity.length - lead, size)
        if end > start:
            kept.append(dataclasses.replace(entity, offset=start, length=end - start))
    return stripped, kept


# --------------------------------------------------------------------------------------------
# What the fake records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """An inline keyboard button; ``kind`` names its action field (callback_data, url, ...)."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    kind: str = "callback_data"


@dataclass(frozen=True)
class SentDocument:
    """A document as the recipient sees it."""

    filename: str
    content: bytes | None = field(repr=False)
    caption: str | None
    file_id: str
    mime_type: str | None = None


@dataclass(frozen=True)
class Venue:
    """A venue message's place."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class Location:
    """A location message's point."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class SentMessage:
    """One message in a chat in its current (post-edit) state; replaced, never mutated.

    ``text`` is the plain text or, for media, the plain caption; ``html`` is the raw string
    the bot sent. ``seq`` orders changes for :meth:`FakeBotApi.sent_since`.
    """

    chat_id: int
    message_id: int
    method: str
    html: str | None = None
    text: str = ""
    entities: list[Entity] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    document: SentDocument | None = None
    photo: bytes | None = field(default=None, repr=False)
    photo_file_id: str | None = None
    venue: Venue | None = None
    location: Location | None = None
    edits: int = 0
    deleted: bool = False
    from_bot: bool = True
    from_user_id: int | None = None
    reply_markup: JSONDict | None = field(default=None, repr=False)
    reply_keyboard: list[list[str]] | None = None
    parse_mode: str | None = None
    date: int = field(default=0, repr=False)
    edit_date: int | None = field(default=None, repr=False)
    seq: int = field(default=0, repr=False)

    @property
    def is_media(self) -> bool:
        """Whether the text is a caption (document or photo message)."""
        return self.document is not None or self.photo_file_id is not None

    @property
    def caption(self) -> str | None:
        """The plain caption of a media message, None for text messages."""
        return self.text if self.is_media else None

    @property
    def button_labels(self) -> list[str]:
        """All inline button texts in reading order."""
        return [button.text for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        """All callback data of the inline buttons in reading order."""
        return [b.callback_data for row in self.buttons for b in row if b.callback_data]


@dataclass(frozen=True)
class ApiCall:
    """One call the bot made; ``status`` is the HTTP status or "timeout"/"down"."""

    method: str
    params: JSONDict
    at: float
    status: int | str


@dataclass(frozen=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` call that Telegram accepted."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


class Rejection(tuple[str, str]):
    """A 400 answer as (method, description); compares equal to a plain 2-tuple."""

    __slots__ = ()

    def __new__(cls, method: str, description: str) -> Rejection:
        """Build the pair."""
        return super().__new__(cls, (method, description))

    @property
    def method(self) -> str:
        """The Bot API method."""
        return self[0]

    @property
    def description(self) -> str:
        """Telegram's description, e.g. "Bad Request: message is too long"."""
        return self[1]


@dataclass
class _Fault:
    remaining: int
    status: int | str
    method: str | None
    retry_after: int | None


@dataclass(frozen=True)
class _StoredFile:
    kind: str
    filename: str
    content: bytes | None
    mime_type: str | None


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class MessageCursor:
    """Remembers where a reader stopped; :meth:`new` returns what changed since then."""

    def __init__(self, api: FakeBotApi, chat_id: int | None = None) -> None:
        self._api = api
        self._chat_id = chat_id
        self._marker = api.marker()

    def new(self) -> list[SentMessage]:
        """Messages sent, edited or deleted since the last call (current state, in order)."""
        marker, self._marker = self._marker, self._api.marker()
        return self._api.sent_since(marker, self._chat_id)


# --------------------------------------------------------------------------------------------
# The fake API
# --------------------------------------------------------------------------------------------

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_URL_PATTERN = re.compile(r"^(?:(?:https?|tg)://\S+|[\w.-]+\.[A-Za-z]{2,}(?:[/?#]\S*)?)$")


def _as_json(value: Any) -> Any:
    """Parameters arrive as Python values or, from some callers, as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise _ApiError(400, "Bad Request: can't parse JSON object") from exc
    return value


def _parse_buttons(markup: JSONDict) -> list[list[Button]]:
    """Validate an inline keyboard like Telegram and return its buttons."""
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _ApiError(400, "Bad Request: can't parse inline keyboard: expected an Array")
    parsed = []
    for row in rows:
        parsed_row = []
        for raw in row:
            text = raw.get("text") if isinstance(raw, dict) else None
            if not isinstance(text, str):
                raise _ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
                )
            if not text.strip():
                raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID (empty button text)")
            actions = [key for key in _BUTTON_ACTIONS if key in raw]
            if not actions:
                raise _ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if len(actions) > 1:
                raise _ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: exactly one of the optional"
                    f" fields must be used, got {', '.join(actions)}",
                )
            kind = actions[0]
            data = raw.get("callback_data")
            if kind == "callback_data" and (
                not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT
            ):
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = raw.get("url")
            if kind == "url" and not (isinstance(url, str) and _URL_PATTERN.match(url)):
                raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            parsed_row.append(Button(text, data, url, kind))
        parsed.append(parsed_row)
    return parsed


@dataclass(frozen=True)
class _Markup:
    raw: JSONDict | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None


def _parse_markup(value: Any) -> _Markup:
    """Parse a reply_markup parameter (dict or JSON string) of any of the four kinds."""
    if value is None:
        return _Markup()
    markup = _as_json(value)
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _Markup(markup, _parse_buttons(markup))
    if "keyboard" in markup:
        labels = [
            [b["text"] if isinstance(b, dict) else str(b) for b in row]
            for row in markup["keyboard"]
        ]
        return _Markup(reply_keyboard=labels)
    return _Markup()


def _markup_key(markup: JSONDict | None) -> str:
    return json.dumps(markup, sort_keys=True)


def _read_content(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    data = content.read()
    return data.encode() if isinstance(data, str) else data


class FakeBotApi(BaseRequest):
    """A ``BaseRequest`` that answers Bot API calls in memory, the way Telegram would.

    Pass one instance as both ``request`` and ``get_updates_request`` to the
    ``ApplicationBuilder``. Injected faults (:meth:`fail_next`, :meth:`set_down`,
    :meth:`enforce_rate`, :meth:`block`) are not counted in :attr:`rejections`, which holds only
    the 400s the bot earned by sending something Telegram refuses.
    """

    def __init__(
        self,
        bot_username: str = "KraftDerRegionBot",
        bot_id: int = 999000,
        bot_name: str = "Kraft der Region",
        latency: float = 0.0,
        strict_html: bool = True,
        get_updates_wait: float = 1.0,
    ) -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.latency = latency
        self.strict_html = strict_html
        self.get_updates_wait = get_updates_wait

        self.calls: list[ApiCall] = []
        self.rejections: list[Rejection] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.pending_callback_queries: set[str] = set()
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.settings: JSONDict = {}
        self.webhook_url = ""
        self.rate_429s = 0

        self._messages: dict[int, dict[int, SentMessage]] = {}
        self._incoming: dict[int, dict[int, SentMessage]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._changes: list[tuple[int, int]] = []  # (chat_id, message_id); index + 1 == seq
        self._chat_changes: dict[int, list[int]] = {}  # chat_id -> seqs
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._updates: list[JSONDict] = []
        self._update_waiters: list[asyncio.Future[None]] = []
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._down = False
        self._max_rate: float | None = None
        self._window: deque[float] = deque()
        self._handlers: dict[str, Callable[[JSONDict, JSONDict], Any]] = {
            "getMe": self._get_me,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendVenue": self._send_venue,
            "sendLocation": self._send_location,
            "copyMessage": self._copy_message,
            "sendChatAction": self._chat_action,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": lambda p, f: [],
            "close": lambda p, f: True,
            "logOut": lambda p, f: True,
            "setMyDescription": self._store_setting,
            "setMyShortDescription": self._store_setting,
            "setMyName": self._store_setting,
            "setChatMenuButton": self._store_setting,
        }

    # -- BaseRequest -------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout PTB adds to long-polling timeouts."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open; the fake has no connections."""

    async def shutdown(self) -> None:
        """Nothing to close; recorded state stays readable after shutdown."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API call: the method is the last path segment of ``url``."""
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = {
            name: (filename, _read_content(content), mime)
            for name, (filename, content, mime) in (
                request_data.multipart_data if request_data else {}
            ).items()
        }
        if api_method == "getUpdates":
            return await self._get_updates(params)
        if self.latency:
            await asyncio.sleep(self.latency)
        status, payload = self._handle(api_method, params, files)
        return status, json.dumps(payload).encode()

    # -- dispatch, faults and rate -----------------------------------------------------------

    def _handle(self, method: str, params: JSONDict, files: JSONDict) -> tuple[int, JSONDict]:
        """Run one call synchronously (no awaits, so concurrent calls cannot interleave)."""
        now = time.monotonic()

        def log(status: int | str) -> None:
            self.calls.append(ApiCall(method, params, now, status))

        if self._down:
            log("down")
            raise NetworkError("fake Telegram: network is down")
        try:
            self._apply_fault(method, log)
            self._check_rate(method, now)
            if method != "deleteMessage" and self._is_blocked(params.get("chat_id")):
                raise _ApiError(403, BLOCKED)
            try:
                handler = self._handlers.get(method)
                if handler is None:
                    raise _ApiError(
                        400,
                        f"Bad Request: method {method} is not supported by the fake Telegram API",
                    )
                result = handler(params, files)
            except _ApiError as exc:
                if exc.status == 400:
                    self.rejections.append(Rejection(method, exc.description))
                raise
        except _ApiError as exc:
            log(exc.status)
            error: JSONDict = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                error["parameters"] = {"retry_after": exc.retry_after}
            return exc.status, error
        log(200)
        return 200, {"ok": True, "result": result}

    def _apply_fault(self, method: str, log: Callable[[int | str], None]) -> None:
        for fault in self._faults:
            if fault.method == method or (fault.method is None and method != "getUpdates"):
                break
        else:
            return
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.remove(fault)
        if fault.status == "timeout":
            log("timeout")
            raise TimedOut("fake Telegram: injected timeout")
        if fault.status == "down":
            log("down")
            raise NetworkError("fake Telegram: injected network error")
        status = int(fault.status)
        if status == 429:
            retry_after = fault.retry_after or 1
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        descriptions = {400: "Bad Request: injected failure", 403: BLOCKED}
        raise _ApiError(status, descriptions.get(status, f"fake Telegram: injected {status}"))

    def _check_rate(self, method: str, now: float) -> None:
        if self._max_rate is None or method not in RATE_LIMITED_METHODS:
            return
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self._max_rate:
            self.rate_429s += 1
            raise _ApiError(429, "Too Many Requests: retry after 1", 1)
        self._window.append(now)

    def _is_blocked(self, chat_id: Any) -> bool:
        try:
            return int(chat_id) in self._blocked
        except (TypeError, ValueError):
            return False

    # -- fault injection ---------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """Act as if the user blocked the bot: calls for this chat get 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        self._blocked.discard(chat_id)

    def fail_next(
        self,
        n: int = 1,
        status: int | str = 429,
        method: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``n`` calls (of ``method``, or of any method but getUpdates) fail.

        ``status`` is an HTTP status (429 answers with ``retry_after``, default 1),
        ``"timeout"`` (raises ``TimedOut``) or ``"down"`` (raises ``NetworkError``).
        """
        self._faults.append(_Fault(n, status, method, retry_after))

    def set_down(self, down: bool = True) -> None:
        """While down, every call (getUpdates included) raises ``NetworkError``."""
        self._down = down

    def enforce_rate(self, max_per_second: float | None) -> None:
        """Answer 429 (retry_after=1) to rate-limited methods beyond this many per second."""
        self._max_rate = max_per_second
        self._window.clear()

    # -- reading what happened ---------------------------------------------------------------

    def messages(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, in their current state."""
        chat = self._messages.get(chat_id, {})
        return [m for m in chat.values() if include_deleted or not m.deleted]

    def incoming(self, chat_id: int) -> list[SentMessage]:
        """The messages users sent in a chat (``from_bot`` False), oldest first."""
        return list(self._incoming.get(chat_id, {}).values())

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """One of the bot's messages by id (current state)."""
        try:
            return self._messages[chat_id][message_id]
        except KeyError:
            raise AssertionError(f"the bot sent no message {message_id} to {chat_id}") from None

    def last(self, chat_id: int) -> SentMessage:
        """The bot's latest (not deleted) message in a chat; AssertionError if there is none."""
        sent = self.messages(chat_id)
        if not sent:
            raise AssertionError(f"the bot has not sent anything to chat {chat_id}")
        return sent[-1]

    def marker(self) -> int:
        """A position in the change history, for :meth:`sent_since`."""
        return len(self._changes)

    def sent_since(self, marker: int, chat_id: int | None = None) -> list[SentMessage]:
        """Bot messages sent, edited or deleted after ``marker``, each once, in change order."""
        if chat_id is None:
            keys = self._changes[marker:]
        else:
            seqs = self._chat_changes.get(chat_id, [])
            keys = [self._changes[s - 1] for s in seqs[bisect.bisect_right(seqs, marker) :]]
        latest = {key: self._messages[key[0]][key[1]] for key in keys}
        return sorted(latest.values(), key=lambda m: m.seq)

    def cursor(self, chat_id: int | None = None) -> MessageCursor:
        """A cursor starting now; ``cursor.new()`` gives what changed since the last look."""
        return MessageCursor(self, chat_id)

    def calls_to(self, *methods: str) -> list[ApiCall]:
        """The recorded calls of these methods, in order."""
        return [call for call in self.calls if call.method in methods]

    def commands(self, scope: Any = None, language_code: str = "") -> list[tuple[str, str]]:
        """The (command, description) pairs set for a scope (dict or BotCommandScope)."""
        if scope is not None and hasattr(scope, "to_dict"):
            scope = scope.to_dict()
        stored = self.my_commands.get((self._scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    # -- chats, users and updates (used by FakeUser / FakeGroup) -----------------------------

    def register_user(self, user: JSONDict) -> None:
        """Remember a user and their private chat, so messages show realistic chat data."""
        self._users[user["id"]] = user
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if user.get(key):
                chat[key] = user[key]
        self._chats[user["id"]] = chat

    def register_chat(self, chat: JSONDict) -> None:
        """Remember a (group) chat's JSON."""
        self._chats[chat["id"]] = chat

    def next_update_id(self) -> int:
        """A fresh update id; they increase globally per fake API."""
        return next(self._update_ids)

    def next_callback_query_id(self) -> str:
        """A fresh callback query id that answerCallbackQuery will accept once."""
        query_id = f"{next(self._query_ids)}{self.bot_id}"
        self.pending_callback_queries.add(query_id)
        return query_id

    def queue_update(self, update: JSONDict) -> None:
        """Hand an update to the next getUpdates call (for polling-based runs)."""
        update.setdefault("update_id", self.next_update_id())
        self._updates.append(update)
        for waiter in self._update_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._update_waiters.clear()

    def record_incoming(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        entities: list[Entity] | None = None,
        photo: bytes | None = None,
        document: tuple[str, bytes, str | None] | None = None,
    ) -> JSONDict:
        """Store a message a user sent (so the bot may copy it) and return its JSON."""
        photo_file_id = (
            self._store_file("photo", "photo.jpg", photo, "image/jpeg") if photo else None
        )
        sent_document = None
        if document is not None:
            filename, content, mime = document
            file_id = self._store_file("document", filename, content, mime)
            sent_document = SentDocument(filename, content, text, file_id, mime)
        message = SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            method="incoming",
            text=text or "",
            entities=entities or [],
            document=sent_document,
            photo=photo,
            photo_file_id=photo_file_id,
            from_bot=False,
            from_user_id=user_id,
            date=int(time.time()),
        )
        self._incoming.setdefault(chat_id, {})[message.message_id] = message
        return self.message_json(message)

    def message_json(self, message: SentMessage) -> JSONDict:
        """The Bot API JSON of a message, as Telegram would return or deliver it."""
        sender = (
            self._bot_user()
            if message.from_bot
            else self._users.get(
                message.from_user_id or 0,
                {"id": message.from_user_id, "is_bot": False, "first_name": "User"},
            )
        )
        data: JSONDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": sender,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        text_key, entities_key = (
            ("caption", "caption_entities") if message.is_media else ("text", "entities")
        )
        if message.text or not (message.is_media or message.venue or message.location):
            data[text_key] = message.text
        if message.entities:
            data[entities_key] = [e.to_dict() for e in message.entities]
        if message.reply_markup is not None:
            data["reply_markup"] = message.reply_markup
        if message.document is not None:
            data["document"] = {
                "file_id": message.document.file_id,
                "file_unique_id": f"u{message.document.file_id}",
                "file_name": message.document.filename,
                "file_size": len(message.document.content or b""),
            }
            if message.document.mime_type:
                data["document"]["mime_type"] = message.document.mime_type
        if message.photo_file_id is not None:
            size = len(message.photo or b"")
            data["photo"] = [
                {
                    "file_id": f"{message.photo_file_id}{suffix}",
                    "file_unique_id": f"u{message.photo_file_id}{suffix}",
                    "width": side,
                    "height": side,
                    "file_size": size,
                }
                for suffix, side in (("s", 90), ("", 800))
            ]
        point = message.venue or message.location
        if point is not None:
            data["location"] = {"latitude": point.latitude, "longitude": point.longitude}
        if message.venue is not None:
            data["venue"] = {
                "location": data["location"],
                "title": message.venue.title,
                "address": message.venue.address,
            }
        return data

    # -- internal bookkeeping ----------------------------------------------------------------

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _chat_json(self, chat_id: int) -> JSONDict:
        if chat_id in self._chats:
            return self._chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _store_file(
        self, kind: str, filename: str, content: bytes | None, mime: str | None
    ) -> str:
        file_id = f"fake-{kind}-{next(self._file_counter)}"
        self._files[file_id] = _StoredFile(kind, filename, content, mime)
        return file_id

    def _save(self, message: SentMessage) -> SentMessage:
        """Store a new or changed bot message and record the change for cursors."""
        self._changes.append((message.chat_id, message.message_id))
        seq = len(self._changes)
        self._chat_changes.setdefault(message.chat_id, []).append(seq)
        message = dataclasses.replace(message, seq=seq)
        self._messages.setdefault(message.chat_id, {})[message.message_id] = message
        return message

    def _new_message(self, method: str, chat_id: int, **fields: Any) -> SentMessage:
        message = SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            method=method,
            date=int(time.time()),
            **fields,
        )
        return self._save(message)

    @staticmethod
    def _chat_id(params: JSONDict, key: str = "chat_id") -> int:
        raw = params.get(key)
        if raw is None or raw == "":
            raise _ApiError(400, f"Bad Request: {key} is empty")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: chat not found") from None

    @staticmethod
    def _scope_key(scope: Any) -> str:
        return json.dumps(_as_json(scope) if scope else {"type": "default"}, sort_keys=True)

    def _formatted(
        self, params: JSONDict, text_key: str, entities_key: str, limit: int
    ) -> tuple[str, str, list[Entity]]:
        """Parse text or caption per parse_mode; returns (raw, plain, entities)."""
        raw = str(params.get(text_key) or "")
        mode = params.get("parse_mode")
        if params.get(entities_key):
            plain, entities = raw, [Entity.from_dict(e) for e in _as_json(params[entities_key])]
        elif not mode:
            plain, entities = raw, []
        elif str(mode).upper() == "HTML":
            try:
                plain, entities = parse_html(raw, strict=self.strict_html)
            except HtmlParseError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        else:
            raise _ApiError(
                400, f"Bad Request: the fake Telegram API does not support parse_mode {mode}"
            )
        plain, entities = strip_text(plain, entities)
        if len(plain) > limit:
            what = "message caption" if text_key == "caption" else "message"
            raise _ApiError(400, f"Bad Request: {what} is too long")
        return raw, plain, entities

    def _file_param(
        self, params: JSONDict, files: JSONDict, name: str, kind: str
    ) -> tuple[str, str, bytes | None, str | None]:
        """Resolve an uploaded, attached or referenced file; returns id, name, bytes, mime."""
        value = params.get(name)
        upload = files.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            filename, content, mime = upload
            return self._store_file(kind, filename, content, mime), filename, content, mime
        if isinstance(value, str) and value in self._files:
            stored = self._files[value]
            return value, stored.filename, stored.content, stored.mime_type
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            filename = value.rsplit("/", 1)[-1] or "file"
            return self._store_file(kind, filename, None, None), filename, None, None
        raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _stored_message(self, chat_id: int, message_id: Any) -> SentMessage | None:
        try:
            key = int(message_id)
        except (TypeError, ValueError):
            return None
        message = self._messages.get(chat_id, {}).get(key) or self._incoming.get(chat_id, {}).get(
            key
        )
        return None if message is None or message.deleted else message

    # -- Bot API methods ---------------------------------------------------------------------

    def _get_me(self, params: JSONDict, files: JSONDict) -> JSONDict:
        return self._bot_user()

    def _set_my_commands(self, params: JSONDict, files: JSONDict) -> bool:
        commands = _as_json(params.get("commands", []))
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _ApiError(400, "Bad Request: command description must be 1-256 characters")
        key = (self._scope_key(params.get("scope")), params.get("language_code", ""))
        self.my_commands[key] = [dict(c) for c in commands]
        return True

    def _delete_my_commands(self, params: JSONDict, files: JSONDict) -> bool:
        key = (self._scope_key(params.get("scope")), params.get("language_code", ""))
        self.my_commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict, files: JSONDict) -> list[JSONDict]:
        key = (self._scope_key(params.get("scope")), params.get("language_code", ""))
        return self.my_commands.get(key, [])

    def _send_message(self, params: JSONDict, files: JSONDict) -> JSONDict:
        chat_id = self._chat_id(params)
        raw, plain, entities = self._formatted(params, "text", "entities", TEXT_LIMIT)
        if not plain:
            raise _ApiError(400, "Bad Request: message text is empty")
        markup = _parse_markup(params.get("reply_markup"))
        message = self._new_message(
            "sendMessage",
            chat_id,
            html=raw,
            text=plain,
            entities=entities,
            buttons=markup.buttons,
            reply_markup=markup.raw,
            reply_keyboard=markup.reply_keyboard,
            parse_mode=params.get("parse_mode"),
        )
        return self.message_json(message)

    def _editable(self, params: JSONDict) -> SentMessage:
        if "inline_message_id" in params:
            raise _ApiError(400, "Bad Request: the fake Telegram API has no inline messages")
        chat_id = self._chat_id(params)
        message = self._stored_message(chat_id, params.get("message_id"))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(self, old: SentMessage, **changes: Any) -> JSONDict:
        new = dataclasses.replace(old, **changes)
        same = (new.text, new.entities, _markup_key(new.reply_markup)) == (
            old.text,
            old.entities,
            _markup_key(old.reply_markup),
        )
        if same:
            raise _ApiError(400, NOT_MODIFIED)
        new = dataclasses.replace(new, edits=old.edits + 1, edit_date=int(time.time()))
        return self.message_json(self._save(new))

    def _edit_message_text(self, params: JSONDict, files: JSONDict) -> JSONDict:
        message = self._editable(params)
        raw, plain, entities = self._formatted(params, "text", "entities", TEXT_LIMIT)
        if not plain:
            raise _ApiError(400, "Bad Request: message text is empty")
        if message.is_media or message.venue or message.location:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = _parse_markup(params.get("reply_markup"))
        return self._apply_edit(
            message,
            html=raw,
            text=plain,
            entities=entities,
            buttons=markup.buttons,
            reply_markup=markup.raw,
            parse_mode=params.get("parse_mode"),
        )

    def _edit_message_caption(self, params: JSONDict, files: JSONDict) -> JSONDict:
        message = self._editable(params)
        if not message.is_media:
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        raw, plain, entities = self._formatted(
            params, "caption", "caption_entities", CAPTION_LIMIT
        )
        markup = _parse_markup(params.get("reply_markup"))
        document = message.document and dataclasses.replace(message.document, caption=plain)
        return self._apply_edit(
            message,
            html=raw,
            text=plain,
            entities=entities,
            document=document,
            buttons=markup.buttons,
            reply_markup=markup.raw,
        )

    def _edit_message_reply_markup(self, params: JSONDict, files: JSONDict) -> JSONDict:
        message = self._editable(params)
        markup = _parse_markup(params.get("reply_markup"))
        return self._apply_edit(message, buttons=markup.buttons, reply_markup=markup.raw)

    def _delete_message(self, params: JSONDict, files: JSONDict) -> bool:
        chat_id = self._chat_id(params)
        message = self._stored_message(chat_id, params.get("message_id"))
        if message is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        if message.from_bot:
            self._save(dataclasses.replace(message, deleted=True))
        else:
            self._incoming[chat_id][message.message_id] = dataclasses.replace(
                message, deleted=True
            )
        return True

    def _answer_callback_query(self, params: JSONDict, files: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.pending_callback_queries:
            raise _ApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_LIMIT:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.pending_callback_queries.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(query_id, text, bool(params.get("show_alert")), params.get("url"))
        )
        return True

    def _send_media(self, method: str, params: JSONDict, files: JSONDict, kind: str) -> JSONDict:
        chat_id = self._chat_id(params)
        raw, plain, entities = self._formatted(
            params, "caption", "caption_entities", CAPTION_LIMIT
        )
        file_id, filename, content, mime = self._file_param(params, files, kind, kind)
        markup = _parse_markup(params.get("reply_markup"))
        media: JSONDict
        if kind == "photo":
            media = {"photo": content, "photo_file_id": file_id}
        else:
            media = {"document": SentDocument(filename, content, plain or None, file_id, mime)}
        message = self._new_message(
            method,
            chat_id,
            html=raw or None,
            text=plain,
            entities=entities,
            buttons=markup.buttons,
            reply_markup=markup.raw,
            parse_mode=params.get("parse_mode"),
            **media,
        )
        return self.message_json(message)

    def _send_document(self, params: JSONDict, files: JSONDict) -> JSONDict:
        return self._send_media("sendDocument", params, files, "document")

    def _send_photo(self, params: JSONDict, files: JSONDict) -> JSONDict:
        return self._send_media("sendPhoto", params, files, "photo")

    @staticmethod
    def _point(params: JSONDict) -> tuple[float, float]:
        try:
            latitude, longitude = float(params["latitude"]), float(params["longitude"])
        except (KeyError, TypeError, ValueError):
            raise _ApiError(400, "Bad Request: wrong latitude or longitude") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _ApiError(400, "Bad Request: wrong latitude or longitude")
        return latitude, longitude

    def _send_venue(self, params: JSONDict, files: JSONDict) -> JSONDict:
        chat_id = self._chat_id(params)
        latitude, longitude = self._point(params)
        title, address = str(params.get("title", "")), str(params.get("address", ""))
        if not title.strip() or not address.strip():
            raise _ApiError(400, "Bad Request: venue title and address must be non-empty")
        markup = _parse_markup(params.get("reply_markup"))
        message = self._new_message(
            "sendVenue",
            chat_id,
            venue=Venue(latitude, longitude, title, address),
            buttons=markup.buttons,
            reply_markup=markup.raw,
        )
        return self.message_json(message)

    def _send_location(self, params: JSONDict, files: JSONDict) -> JSONDict:
        chat_id = self._chat_id(params)
        latitude, longitude = self._point(params)
        markup = _parse_markup(params.get("reply_markup"))
        message = self._new_message(
            "sendLocation",
            chat_id,
            location=Location(latitude, longitude),
            buttons=markup.buttons,
            reply_markup=markup.raw,
        )
        return self.message_json(message)

    def _copy_message(self, params: JSONDict, files: JSONDict) -> JSONDict:
        chat_id = self._chat_id(params)
        source = self._stored_message(
            self._chat_id(params, "from_chat_id"), params.get("message_id")
        )
        if source is None:
            raise _ApiError(400, "Bad Request: message to copy not found")
        html, text, entities = source.html, source.text, source.entities
        if "caption" in params and source.is_media:
            html, text, entities = self._formatted(
                params, "caption", "caption_entities", CAPTION_LIMIT
            )
        document = source.document and dataclasses.replace(source.document, caption=text or None)
        markup = _parse_markup(params.get("reply_markup"))
        message = self._new_message(
            "copyMessage",
            chat_id,
            html=html,
            text=text,
            entities=list(entities),
            document=document,
            photo=source.photo,
            photo_file_id=source.photo_file_id,
            venue=source.venue,
            location=source.location,
            buttons=markup.buttons,
            reply_markup=markup.raw,
            reply_keyboard=markup.reply_keyboard,
        )
        return {"message_id": message.message_id}

    def _chat_action(self, params: JSONDict, files: JSONDict) -> bool:
        self._chat_id(params)
        return True

    def _set_webhook(self, params: JSONDict, files: JSONDict) -> bool:
        self.webhook_url = str(params.get("url", ""))
        return True

    def _delete_webhook(self, params: JSONDict, files: JSONDict) -> bool:
        self.webhook_url = ""
        return True

    def _get_webhook_info(self, params: JSONDict, files: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _store_setting(self, params: JSONDict, files: JSONDict) -> bool:
        self.settings.update(params)
        return True

    async def _get_updates(self, params: JSONDict) -> tuple[int, bytes]:
        """Long-poll briefly: return queued updates, or [] after a short wait."""
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and not self._down:
            waiter = asyncio.get_running_loop().create_future()
            self._update_waiters.append(waiter)
            timeout = float(params.get("timeout") or 0)
            wait = max(0.05, min(timeout, self.get_updates_wait))
            try:
                await asyncio.wait_for(waiter, wait)
            except TimeoutError:
                pass
            finally:
                if waiter in self._update_waiters:
                    self._update_waiters.remove(waiter)
        status, payload = self._handle("getUpdates", params, {})
        if status == 200:
            limit = int(params.get("limit") or 100)
            payload["result"] = self._updates[:limit]
        return status, json.dumps(payload).encode()


# --------------------------------------------------------------------------------------------
# Driving the bot as a user
# --------------------------------------------------------------------------------------------

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def _command_entities(text: str) -> list[Entity]:
    """The bot_command entity Telegram adds when a message starts with a command."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [Entity("bot_command", 0, utf16_len(match.group()))]


def _find_button(message: SentMessage, label_or_index: str | int) -> Button:
    """Find a button by exact text, unique substring or 1-based number in reading order."""
    buttons = [button for row in message.buttons for button in row]
    listing = ", ".join(f"[{n}] {b.text!r}" for n, b in enumerate(buttons, 1)) or "none"
    if isinstance(label_or_index, int):
        if not 1 <= label_or_index <= len(buttons):
            raise AssertionError(
                f"no button number {label_or_index} (numbers start at 1, as in the console)"
                f" in message {message.message_id}; buttons: {listing}"
            )
        return buttons[label_or_index - 1]
    exact = [b for b in buttons if b.text == label_or_index]
    partial = [b for b in buttons if label_or_index.casefold() in b.text.casefold()]
    found = exact or partial
    if len(found) != 1:
        problem = "several buttons match" if found else "no button matches"
        raise AssertionError(
            f"{problem} {label_or_index!r} in message {message.message_id}; buttons: {listing}"
        )
    return found[0]


class _ChatDriver:
    """Shared plumbing of FakeUser and FakeGroup: feed an update, collect the answers."""

    def __init__(self, app: Application, api: FakeBotApi, chat_id: int) -> None:
        self.app = app
        self.api = api
        self.chat_id = chat_id

    async def _feed(self, update: JSONDict) -> list[SentMessage]:
        """Let the application process one update; return what changed in this chat."""
        marker = self.api.marker()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.sent_since(marker, self.chat_id)

    async def _send(self, sender: FakeUser, text: str | None, **media: Any) -> list[SentMessage]:
        entities = _command_entities(text) if text and not media else []
        message = self.api.record_incoming(
            self.chat_id, sender.user_id, text=text, entities=entities, **media
        )
        return await self._feed({"update_id": self.api.next_update_id(), "message": message})

    async def _press(
        self,
        sender: FakeUser,
        label_or_index: str | int,
        message: SentMessage | None,
    ) -> list[SentMessage]:
        target = self._current(message, with_buttons=True)
        button = _find_button(target, label_or_index)
        if button.callback_data is None:
            where = f" (opens {button.url})" if button.url else ""
            raise AssertionError(
                f"button {button.text!r} is a {button.kind} button{where} and can't be pressed"
            )
        return await self._press_data(sender, button.callback_data, target)

    async def _press_data(
        self, sender: FakeUser, data: str, message: SentMessage | None
    ) -> list[SentMessage]:
        target = self._current(message, with_buttons=message is None and self._any_buttons())
        query = {
            "id": self.api.next_callback_query_id(),
            "from": sender.user_json,
            "message": self.api.message_json(target),
            "chat_instance": f"fake-{self.chat_id}",
            "data": data,
        }
        return await self._feed({"update_id": self.api.next_update_id(), "callback_query": query})

    def _any_buttons(self) -> bool:
        return any(m.buttons for m in self.api.messages(self.chat_id))

    def _current(self, message: SentMessage | None, with_buttons: bool) -> SentMessage:
        """The pressed message in its current state (default: latest one with buttons)."""
        if message is not None:
            current = self.api.message(message.chat_id, message.message_id)
            if current.deleted:
                raise AssertionError(f"message {message.message_id} was deleted")
            return current
        candidates = [m for m in self.api.messages(self.chat_id) if m.buttons or not with_buttons]
        if not candidates:
            raise AssertionError(f"no bot message with buttons in chat {self.chat_id}")
        return candidates[-1]

    @property
    def messages(self) -> list[SentMessage]:
        """The bot's messages in this chat, oldest first."""
        return self.api.messages(self.chat_id)

    @property
    def last(self) -> SentMessage:
        """The bot's latest message in this chat."""
        return self.api.last(self.chat_id)

    @property
    def last_text(self) -> str:
        """The plain text (or caption) of the bot's latest message in this chat."""
        return self.last.text


class FakeUser(_ChatDriver):
    """A Telegram user chatting privately with the bot."""

    def __init__(
        self,
        app: Application,
        api: FakeBotApi,
        user_id: int,
        first_name: str = "Erika",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "de",
    ) -> None:
        super().__init__(app, api, user_id)
        self.user_id = user_id
        self.user_json: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                self.user_json[key] = value
        api.register_user(self.user_json)

    async def send(self, text: str) -> list[SentMessage]:
        """Type a message (commands get their bot_command entity); return the bot's answers."""
        return await self._send(self, text)

    async def send_photo(
        self, caption: str | None = None, photo: bytes = b"\x89PNG fake photo"
    ) -> list[SentMessage]:
        """Send a photo (the bot may copy it later); return the bot's answers."""
        return await self._send(self, caption, photo=photo)

    async def send_document(
        self,
        content: bytes = b"%PDF-1.4 fake",
        filename: str = "document.pdf",
        caption: str | None = None,
        mime_type: str | None = "application/pdf",
    ) -> list[SentMessage]:
        """Send a file; return the bot's answers."""
        return await self._send(self, caption, document=(filename, content, mime_type))

    async def press(
        self, label_or_index: str | int, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Press an inline button: exact label, unique substring or number counted from 1.

        ``message`` defaults to the latest bot message with buttons. Returns the messages sent
        or edited in this chat while the bot handled the press.
        """
        return await self._press(self, label_or_index, message)

    async def press_data(self, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Send a callback query with arbitrary (possibly forged) data."""
        return await self._press_data(self, data, message)


class FakeGroup(_ChatDriver):
    """A supergroup the bot is a member of; users speak in it via :meth:`send`."""

    def __init__(self, app: Application, api: FakeBotApi, chat_id: int, title: str) -> None:
        super().__init__(app, api, chat_id)
        self.title = title
        api.register_chat({"id": chat_id, "type": "supergroup", "title": title})

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        """``user`` writes ``text`` in the group; return the bot's answers in the group."""
        return await self._send(user, text)

    async def press(
        self, user: FakeUser, label_or_index: str | int, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """``user`` presses a button of a bot message in the group."""
        return await self._press(user, label_or_index, message)


# --------------------------------------------------------------------------------------------
# Terminal rendering
# --------------------------------------------------------------------------------------------

_ANSI = {
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "strikethrough": ("\x1b[9m", "\x1b[29m"),
    "code": ("\x1b[36m", "\x1b[39m"),
    "pre": ("\x1b[36m", "\x1b[39m"),
    "spoiler": ("\x1b[7m", "\x1b[27m"),
}


def _utf16_to_index(text: str) -> dict[int, int]:
    """Map every UTF-16 offset that starts a character (and the end) to a str index."""
    mapping, position = {}, 0
    for index, char in enumerate(text):
        mapping[position] = index
        position += 2 if ord(char) > 0xFFFF else 1
    mapping[position] = len(text)
    return mapping


def _styled_text(message: SentMessage, color: bool) -> str:
    """The text with ANSI styles (if ``color``) and links written as ``text (url)``."""
    text = message.text
    index = _utf16_to_index(text)
    inserts: list[tuple[int, int, str]] = []  # (position, order, string)
    for order, entity in enumerate(message.entities):
        start = index.get(entity.offset, 0)
        end = index.get(entity.offset + entity.length, len(text))
        if entity.type == "text_link" and entity.url:
            inserts.append((end, -order, f" ({entity.url})"))
        elif color and entity.type in _ANSI:
            on, off = _ANSI[entity.type]
            inserts.append((start, order, on))
            inserts.append((end, -order, off))
    out, cursor = [], 0
    for position, _, string in sorted(inserts, key=lambda item: (item[0], item[1])):
        out.append(text[cursor:position])
        out.append(string)
        cursor = position
    out.append(text[cursor:])
    return "".join(out)


def render_for_terminal(message: SentMessage, color: bool) -> str:
    """Show a bot message in a terminal: styled text, media notes and numbered buttons.

    Buttons are numbered from 1 across all rows, the numbers :meth:`FakeUser.press` accepts.
    """
    if message.deleted:
        return "🗑 (message deleted)"
    lines = []
    if message.document is not None:
        size = len(message.document.content or b"")
        lines.append(f"📎 {message.document.filename} ({size} bytes)")
    if message.photo_file_id is not None:
        lines.append(f"🖼 photo ({len(message.photo or b'')} bytes)")
    if message.venue is not None:
        venue = message.venue
        lines.append(f"📍 {venue.title}, {venue.address} ({venue.latitude}, {venue.longitude})")
    elif message.location is not None:
        lines.append(f"📍 ({message.location.latitude}, {message.location.longitude})")
    if message.text:
        lines.append(_styled_text(message, color))
    number = itertools.count(1)
    for row in message.buttons:
        cells = []
        for button in row:
            suffix = f" ↗ {button.url}" if button.url else ""
            cells.append(f"[{next(number)}] {button.text}{suffix}")
        lines.append("  ".join(cells))
    if message.reply_keyboard:
        lines.extend("⌨ " + " | ".join(row) for row in message.reply_keyboard)
    if message.edits:
        lines.append("\x1b[2m(edited)\x1b[22m" if color else "(edited)")
    return "\n".join(lines)
