"""The button row under each copy of a broadcast (PRODUCT §5): the copy stays as the organiser
wrote it (``copyMessage`` cannot change a text), and the row under it says where it comes from:
the series, or, for an evening's attendees or waitlist, that evening, opening its card; a
subscriber broadcast also offers "Keine Ankündigungen mehr" (handled by /abo's buttons, whose
confirmation has the way back). The card and the list open as new messages, so the copy stays.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AS_NEW_MESSAGE, Action, pack
from bot.context import BotData
from bot.i18n import Translator
from domain.models import Event
from storage import events as event_store
from storage.broadcasts import Audience

TITLE_LIMIT = 40  # characters of an evening's title on the button


def _short(title: str) -> str:
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1].rstrip() + "…"


def broadcast_markup(
    translator: Translator, lang: str, audience: Audience, event: Event | None
) -> InlineKeyboardMarkup:
    """The rows under a copy for this audience (``event``: the evening of an attendees' or
    waitlist broadcast, ``None`` when it is gone or for subscribers)."""
    if event is not None and audience is not Audience.SUBSCRIBERS:
        label = translator.plain(lang, "broadcast.button_evening", title=_short(event.title))
        data = pack(Action.CARD, event.id, AS_NEW_MESSAGE)
    else:
        label = translator.plain(lang, "broadcast.button_series")
        data = pack(Action.LIST, 0, AS_NEW_MESSAGE)
    rows = [[InlineKeyboardButton(label, callback_data=data)]]
    if audience is Audience.SUBSCRIBERS:
        stop = translator.plain(lang, "subscription.announcement_stop")
        rows.append([InlineKeyboardButton(stop, callback_data=pack(Action.SUBSCRIBE, 0))])
    return InlineKeyboardMarkup(rows)


async def markup_of_row(
    data: BotData, lang: str, payload: dict[str, Any]
) -> InlineKeyboardMarkup | None:
    """The rows under one outbox row's copy; ``None`` for a row queued before broadcasts named
    their audience (it goes out bare, as then)."""
    try:
        audience = Audience(payload["audience"])
    except (KeyError, ValueError):
        return None
    event_id = payload.get("event_id")
    event = await event_store.get_event(data.db, str(event_id)) if event_id else None
    return broadcast_markup(data.translator, lang, audience, event)
