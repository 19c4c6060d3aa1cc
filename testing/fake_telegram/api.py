"""The fake Bot API itself: its state, the ``BaseRequest`` entry point and the dispatch.

:class:`FakeBotApi` mixes in the rest, one module per concern: the per-method handlers
(:mod:`.methods`), fault injection and flood control (:mod:`.faults`), reading what happened
(:mod:`.history`) and the chats, users and updates the drivers use (:mod:`.chats`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from . import dead_ends
from .chats import ChatRegistry
from .constants import BLOCKED, UNAUTHORIZED, JSONDict
from .faults import FaultInjection
from .history import RecordedHistory
from .html import Entity, HtmlParseError, parse_html, strip_text
from .markup import _as_json, _read_content
from .methods import BotApiMethods
from .records import (
    ApiCall,
    CallbackAnswer,
    InlineAnswer,
    Rejection,
    SentMessage,
    _ApiError,
    _Fault,
    _StoredFile,
)


class FakeBotApi(BotApiMethods, FaultInjection, RecordedHistory, ChatRegistry, BaseRequest):
    """A ``BaseRequest`` that answers Bot API calls in memory, the way Telegram would.

    Pass one instance as both ``request`` and ``get_updates_request`` to the
    ``ApplicationBuilder``. Injected faults (:meth:`fail_next`, :meth:`set_down`,
    :meth:`enforce_rate`, :meth:`block`) are not counted in :attr:`rejections`, which holds only
    the 400s the bot earned by sending something Telegram refuses.

    ``token``: the one bot token accepted where the caller names one (over HTTP, see
    :mod:`.http`); any other gets 401 Unauthorized, as from Telegram. ``None`` accepts any.
    """

    def __init__(
        self,
        bot_username: str = "KraftDerRegionBot",
        bot_id: int = 999000,
        bot_name: str = "Kraft der Region",
        latency: float = 0.0,
        strict_html: bool = True,
        get_updates_wait: float = 1.0,
        token: str | None = None,
        supports_inline_queries: bool = False,
    ) -> None:
        self.token = token
        self.supports_inline_queries = supports_inline_queries  # what getMe reports
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.latency = latency
        self.strict_html = strict_html
        self.get_updates_wait = get_updates_wait

        self.calls: list[ApiCall] = []
        self.rejections: list[Rejection] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self.pending_inline_queries: set[str] = set()
        self.pending_callback_queries: set[str] = set()
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.settings: JSONDict = {}
        self.webhook_url = ""
        self.rate_429s = 0

        # Every state a bot message had (sent, each edit, deletion), in order, and where each
        # incoming update began in that list: the dead-end check (.dead_ends) reads them. Kept
        # only while a check watches (tests), not in the console's or the benchmark's fakes.
        self.keeps_states = False
        self.states: list[SentMessage] = []
        self.update_starts: list[int] = []
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
            "answerInlineQuery": self._answer_inline_query,
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
        self.keeps_states = dead_ends.watch_api(self)

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
        return await self.answer_call(api_method, params, files)

    async def answer_call(
        self, api_method: str, params: JSONDict, files: JSONDict, token: str | None = None
    ) -> tuple[int, bytes]:
        """Answer one Bot API call given as plain values: the method name, its parameters, its
        uploads (``{name: (filename, bytes, mime)}``) and the token it was sent with, if known.
        :meth:`do_request` (in process) and :mod:`.http` (over loopback HTTP) both come here."""
        if self.token is not None and token is not None and token != self.token:
            self.calls.append(ApiCall(api_method, params, time.monotonic(), 401))
            error = {"ok": False, "error_code": 401, "description": UNAUTHORIZED}
            return 401, json.dumps(error).encode()
        if api_method == "getUpdates":
            return await self._get_updates(params)
        if self.latency:
            await asyncio.sleep(self.latency)
        status, payload = self._handle(api_method, params, files)
        return status, json.dumps(payload).encode()

    # -- dispatch -----------------------------------------------------------------------------

    def _handle(self, method: str, params: JSONDict, files: JSONDict) -> tuple[int, JSONDict]:
        """Run one call synchronously (no awaits, so concurrent calls cannot interleave)."""
        now = time.monotonic()

        def log(status: int | str) -> None:
            self.calls.append(ApiCall(method, params, now, status))

        if self._down:
            log("down")
            raise NetworkError("fake Telegram: network is down")
        try:
            late = self._apply_fault(method, log)
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
        if late:  # delivered, but the answer comes after the client stopped waiting
            raise TimedOut("fake Telegram: injected late answer (delivered)")
        return 200, {"ok": True, "result": result}

    # -- internal bookkeeping ----------------------------------------------------------------

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.supports_inline_queries,
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
        if self.keeps_states:
            self.states.append(message)
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
