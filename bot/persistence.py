"""Open dialogues survive a restart or deploy: PTB's public persistence API over the project's
SQLite (tables of migration ``m005_i15persist_dialogues``, written through ``db.write``).

What is kept: the step each person is at in every ``ConversationHandler`` (all are persistent:
``organiser-dialogues``, ``signup``, ``feedback``, ``questions``, ``name``) and the dialogue fields
of their :class:`~bot.context.UserData` (:class:`Dialogues`: the sign-up waiting for a name, an
organiser's half-written event or broadcast, a check-in search, an awaited feedback comment, the
evening a question to the speakers is for) as JSON, written and read by a pydantic
``TypeAdapter`` (never pickle): what comes back is what the types declare, or nothing (a draft
that no longer fits is dropped and logged). Drafts written by
the hand-made tagged JSON of f55e3b3 and before still load (:func:`_untagged`). Nothing else:
``bot_data`` holds services, ``chat_data`` is unused, callback data are plain strings, and the
language cache in ``user_data`` is read from the users row again on the first update.

When it is written: PTB collects what changed and hands it over every :data:`UPDATE_INTERVAL`
seconds and once more on a clean stop (``Application.stop``/``shutdown``), so no update waits for
a database write; a dialogue step that did not change is not written again. A process that is
killed loses at most the dialogue steps of the last :data:`UPDATE_INTERVAL` seconds.

Privacy: the rows are the person's data (storage.dialogues): exported with it, deleted with it,
and forgotten after ``storage.dialogues.KEEP_FOR`` without a change (not loaded, and removed by
the daily retention job).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ConfigDict, TypeAdapter, with_config
from telegram.ext import BasePersistence, PersistenceInput
from typing_extensions import TypedDict

from bot.context import BotData, SignupDialogue, UserData
from bot.state import BroadcastDraft, EventDraft
from storage import dialogues
from storage.db import Database
from storage.dialogues import StateKey

log = logging.getLogger(__name__)

UPDATE_INTERVAL = 10.0  # seconds between PTB's hand-overs: the most a killed process loses

# Only user_data (for the dialogue fields) and the conversations; the rest is switched off.
STORED = PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False)


@with_config(ConfigDict(extra="forbid"))  # a field this code does not know: dropped, loudly
class Dialogues(TypedDict, total=False):
    """The dialogue fields of :class:`~bot.context.UserData` that survive a restart (those
    holding something), typed: the stored JSON is read back into exactly these types."""

    signup_dialogue: SignupDialogue
    event_draft: EventDraft
    broadcast_draft: BroadcastDraft
    checkin_search: tuple[str, str]
    feedback_registration: int
    question_event: str


DIALOGUE_FIELDS = tuple(Dialogues.__annotations__)
DIALOGUES = TypeAdapter(Dialogues)


class DialoguePersistence(BasePersistence[UserData, dict, BotData]):
    """Conversation steps and dialogue drafts in SQLite. Call :meth:`attach` with the
    application's ``bot_data`` after ``build()``, before ``initialize()``."""

    def __init__(self, update_interval: float = UPDATE_INTERVAL):
        super().__init__(store_data=STORED, update_interval=update_interval)
        self._services: BotData | None = None
        # What the database holds now, as written: an unchanged value is not written again.
        self._drafts: dict[int, str] = {}
        self._states: dict[tuple[str, StateKey], str] = {}
        self._unreadable: set[int] = set()  # users whose stored draft no longer fits the code

    def attach(self, services: BotData) -> None:
        """The application's services (database, clock); PTB builds ``bot_data`` itself."""
        self._services = services

    async def _db(self) -> tuple[Database, BotData]:
        if self._services is None:
            raise RuntimeError("DialoguePersistence.attach() was not called")
        return await self._services.open_database(), self._services

    # --- loading (Application.initialize) ------------------------------------------------

    async def get_user_data(self) -> dict[int, UserData]:
        db, services = await self._db()
        loaded: dict[int, UserData] = {}
        for user_id, text in (await dialogues.load_drafts(db, services.clock.now())).items():
            try:
                loaded[user_id] = UserData(**load_dialogues(text))
            except ValueError as exc:  # pydantic's ValidationError, or malformed JSON
                log.warning("Open dialogue of user %s dropped (no longer fits): %s", user_id, exc)
                self._unreadable.add(user_id)
                continue
            self._drafts[user_id] = text
        if self._unreadable:  # their steps would ask for a draft that is gone
            await dialogues.forget_users(db, self._unreadable)
        return loaded

    async def get_conversations(self, name: str) -> dict[StateKey, object]:
        db, services = await self._db()
        stored = await dialogues.load_states(db, name, services.clock.now())
        conversations: dict[StateKey, object] = {}
        for key, text in stored.items():
            if key[1] in self._unreadable:
                continue
            conversations[key] = json.loads(text)
            self._states[(name, key)] = text
        return conversations

    async def get_chat_data(self) -> dict[int, dict]:
        return {}  # not stored (STORED); PTB does not ask

    async def get_bot_data(self) -> BotData:
        raise RuntimeError("bot_data holds the services and is never loaded from the database")

    async def get_callback_data(self) -> None:
        return None  # callback data are plain strings (bot.callbacks), nothing to keep

    # --- writing (every UPDATE_INTERVAL, and on stop) --------------------------------------

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        key = _state_key(key)
        text = None if new_state is None else json.dumps(new_state)
        if self._states.get((name, key)) == text:
            return
        db, services = await self._db()
        await dialogues.save_state(db, name, key, text, services.clock.now())
        if text is None:
            self._states.pop((name, key), None)
        else:
            self._states[(name, key)] = text

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        text = dump_dialogues(data)
        if self._drafts.get(user_id) == text:
            return
        db, services = await self._db()
        await dialogues.save_draft(db, user_id, text, services.clock.now())
        if text is None:
            self._drafts.pop(user_id, None)
        else:
            self._drafts[user_id] = text

    async def drop_user_data(self, user_id: int) -> None:
        db, _ = await self._db()
        await dialogues.forget_users(db, [user_id])
        self._drafts.pop(user_id, None)
        for name, key in [k for k in self._states if k[1][1] == user_id]:
            del self._states[(name, key)]

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        """Not stored (STORED); PTB does not call it."""

    async def update_bot_data(self, data: BotData) -> None:
        """Not stored (STORED); PTB does not call it."""

    async def update_callback_data(self, data: Any) -> None:
        """Not stored (STORED); PTB does not call it."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not stored (STORED); nothing to drop."""

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """One process owns the database (single-instance lock): memory is the newest."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Nothing is buffered here: each change PTB hands over is written at once (the database
        itself is closed by ``post_shutdown``)."""


def dump_dialogues(data: UserData) -> str | None:
    """The dialogue fields of ``data`` that hold something as JSON (``None``: nothing open)."""
    values = {name: getattr(data, name) for name in DIALOGUE_FIELDS}
    kept = {name: value for name, value in values.items() if value is not None}
    return DIALOGUES.dump_json(kept).decode() if kept else None  # type: ignore[arg-type]


def load_dialogues(text: str) -> Dialogues:
    """What :func:`dump_dialogues` wrote (or the tagged JSON of f55e3b3 and before, see
    :func:`_untagged`); :class:`ValueError` if it no longer fits the types."""
    return DIALOGUES.validate_python(_untagged(json.loads(text)))


def _untagged(value: Any) -> Any:
    """Drafts written before the ``TypeAdapter`` (f55e3b3) tag their values:
    ``{"$tuple": [...]}``, ``{"$datetime": "…"}``, ``{"$enum": name, "value": …}`` and
    ``{"$obj": name, "fields": {...}}``. The plain value of each tag is what pydantic reads."""
    if isinstance(value, list):
        return [_untagged(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.keys() == {"$tuple"}:
        return _untagged(value["$tuple"])
    if value.keys() == {"$datetime"}:
        return value["$datetime"]
    if value.keys() == {"$enum", "value"}:
        return value["value"]
    if value.keys() == {"$obj", "fields"}:
        return _untagged(value["fields"])
    return {key: _untagged(item) for key, item in value.items()}


def _state_key(key: tuple) -> StateKey:
    """Every persistent dialogue is tracked per chat and user (PTB's default)."""
    if len(key) != 2 or not all(isinstance(part, int) for part in key):
        raise ValueError(f"persistent dialogues are kept per (chat, user), not {key!r}")
    return key[0], key[1]
