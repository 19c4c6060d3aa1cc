"""What the fake records: messages as chats see them, API calls, answers and rejections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .constants import JSONDict
from .html import Entity


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


@dataclass(frozen=True)
class InlineAnswer:
    """An ``answerInlineQuery`` call that Telegram accepted: the results as sent (JSON)."""

    query_id: str
    results: list[JSONDict]
    cache_time: int | None = None
    is_personal: bool = False


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
    description: str | None = None


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


class History(Protocol):
    """What a cursor reads: the fake's change history (``FakeBotApi``, see .history)."""

    def marker(self) -> int: ...

    def sent_since(self, marker: int, chat_id: int | None = None) -> list[SentMessage]: ...


class MessageCursor:
    """Remembers where a reader stopped; :meth:`new` returns what changed since then."""

    def __init__(self, api: History, chat_id: int | None = None) -> None:
        self._api = api
        self._chat_id = chat_id
        self._marker = api.marker()

    def new(self) -> list[SentMessage]:
        """Messages sent, edited or deleted since the last call (current state, in order)."""
        marker, self._marker = self._marker, self._api.marker()
        return self._api.sent_since(marker, self._chat_id)
