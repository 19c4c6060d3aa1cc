"""Chats, users and incoming updates of :class:`~.api.FakeBotApi` (used by FakeUser and
FakeGroup), and the Bot API JSON of a message as Telegram returns or delivers it."""

from __future__ import annotations

import time

from .constants import JSONDict
from .html import Entity
from .records import Location, SentDocument, SentMessage


class ChatRegistry:
    """Mixin of :class:`~.api.FakeBotApi`; the state (``_users``, ``_chats``, ``_updates`` ...)
    and bookkeeping helpers (``_store_file``, ``_next_message_id``) are FakeBotApi's."""

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
        """A fresh update id; they increase globally per fake API. Building an update starts
        a new stretch for the dead-end check (what the bot answers to it)."""
        if self.keeps_states:
            self.update_starts.append(len(self.states))
        return next(self._update_ids)

    def next_callback_query_id(self) -> str:
        """A fresh callback query id that answerCallbackQuery will accept once."""
        query_id = f"{next(self._query_ids)}{self.bot_id}"
        self.pending_callback_queries.add(query_id)
        return query_id

    def next_inline_query_id(self) -> str:
        """A fresh inline query id that answerInlineQuery will accept once."""
        query_id = f"i{next(self._query_ids)}{self.bot_id}"
        self.pending_inline_queries.add(query_id)
        return query_id

    def queue_update(self, update: JSONDict) -> None:
        """Hand an update to the next getUpdates call (for polling-based runs)."""
        update.setdefault("update_id", self.next_update_id())
        self._updates.append(update)
        for waiter in self._update_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._update_waiters.clear()

    def end_long_polls(self, wait: float = 0.05) -> None:
        """Answer every waiting getUpdates now and hold later ones only ``wait`` seconds: a
        polling bot that is being stopped need not sit out a long poll first."""
        self.get_updates_wait = wait
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
