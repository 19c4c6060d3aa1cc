"""The fake Bot API itself: dispatch, fault injection, rate limits and recorded state.

The per-method handlers live in :mod:`.methods`; :class:`FakeBotApi` mixes them in.
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from .constants import BLOCKED, RATE_LIMITED_METHODS, JSONDict
from .html import Entity, HtmlParseError, parse_html, strip_text
from .markup import _as_json, _read_content
from .methods import BotApiMethods
from .records import (
    ApiCall,
    CallbackAnswer,
    Location,
    MessageCursor,
    Rejection,
    SentDocument,
    SentMessage,
    _ApiError,
    _Fault,
    _StoredFile,
)


class FakeBotApi(BotApiMethods, BaseRequest):
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
        return await self.answer_call(api_method, params, files)

    async def answer_call(
        self, api_method: str, params: JSONDict, files: JSONDict
    ) -> tuple[int, bytes]:
        """Answer one Bot API call given as plain values: the method name, its parameters and
        its uploads (``{name: (filename, bytes, mime)}``). :meth:`do_request` (in process) and
        :mod:`.http` (over loopback HTTP) both come here."""
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

    def _apply_fault(self, method: str, log: Callable[[int | str], None]) -> bool:
        """Raise the next injected fault for ``method``; ``True``: answer late (see below)."""
        for fault in self._faults:
            if fault.method == method or (fault.method is None and method != "getUpdates"):
                break
        else:
            return False
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.remove(fault)
        if fault.status == "late":
            return True
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
        ``"timeout"`` (raises ``TimedOut``, nothing delivered), ``"late"`` (the call takes
        effect, then ``TimedOut`` as if the answer came after the read timeout) or ``"down"``
        (raises ``NetworkError``).
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
        location: tuple[float, float] | None = None,
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
            location=Location(*location) if location is not None else None,
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
