"""The Bot API method handlers of :class:`~.api.FakeBotApi`, one per supported method."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from typing import Any

from .constants import (
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    TEXT_LIMIT,
    JSONDict,
)
from .markup import _as_json, _markup_key, _parse_markup
from .records import (
    CallbackAnswer,
    InlineAnswer,
    Location,
    SentDocument,
    SentMessage,
    Venue,
    _ApiError,
)


class BotApiMethods:
    """Mixin of :class:`~.api.FakeBotApi` with its ``_method_name(params, files)`` handlers.

    It holds no state of its own: the handlers use FakeBotApi's attributes and bookkeeping
    helpers (``_chat_id``, ``_formatted``, ``_new_message``, ``_save``, ``message_json``, ...).
    """

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

    def _answer_inline_query(self, params: JSONDict, files: JSONDict) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self.pending_inline_queries:
            raise _ApiError(400, QUERY_TOO_OLD)
        results = _as_json(params.get("results", []))
        if len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if len(set(ids)) != len(ids) or not all(0 < len(i.encode()) <= 64 for i in ids):
            raise _ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            if not result.get("title") or not content.get("message_text"):
                raise _ApiError(400, "Bad Request: MESSAGE_EMPTY")
            if "reply_markup" in result:
                _parse_markup(result["reply_markup"])
        self.pending_inline_queries.discard(query_id)
        cache_time = params.get("cache_time")
        self.inline_answers.append(
            InlineAnswer(
                query_id,
                [dict(r) for r in results],
                None if cache_time is None else int(cache_time),
                bool(params.get("is_personal")),
            )
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
