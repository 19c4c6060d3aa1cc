"""Change notices (PRODUCT §4, Changes): what the paced sender says when an event is moved,
changes its venue or address, or is cancelled, and to people moved up from the waitlist.

``storage.events.save_events`` queues the rows (``event_changed`` with ``{field: [old, new]}``,
``event_cancelled``) for everyone confirmed or waitlisted, in the transaction that changes the
event, whether an organiser edits it in the chat or ``run.py import`` runs in another process.
The texts are rendered when they are sent, in each recipient's stored language, with times in
the configured zone.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, pack
from bot.context import BotData
from bot.i18n import Translator
from bot.outgoing import OutgoingMessage
from bot.render import Renderer
from domain.evening import is_upcoming
from domain.models import Event, EventStatus, RegistrationStatus
from domain.notices import NOTIFIED_FIELDS
from handlers.ui.registration import registration_buttons
from storage import events as event_store
from storage import registrations as registration_store
from storage.db import Database, from_db_time

TIME_FIELDS = frozenset({"starts_at", "ends_at"})


def change_lines(render: Renderer, changes: dict[str, list[str | None]]) -> list[Markup]:
    """One "old → new" line per changed field, in a fixed order; times in the reader's zone."""
    lines = []
    for field in NOTIFIED_FIELDS:
        if field not in changes:
            continue
        values = []
        for value in changes[field][:2]:
            if value is None or value == "":
                values.append(render.text("notifications.unset"))
            elif field in TIME_FIELDS:
                moment = from_db_time(value)
                values.append(render.when(moment) if moment else value)
            else:
                values.append(value)
        old, new = values
        lines.append(render.text(f"notifications.change_{field}", old=old, new=new))
    return lines


def _button(
    data: BotData, lang: str, key: str, action: str, event_id: str
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        data.translator.plain(lang, key), callback_data=pack(action, event_id)
    )


async def _upcoming_event(data: BotData, payload: dict[str, Any]) -> Event | None:
    """The payload's event if it is still scheduled and has not begun; else ``None`` (the
    notice has become pointless and is not sent)."""
    event = await event_store.get_event(data.db, str(payload.get("event_id")))
    if event is None or event.status is not EventStatus.SCHEDULED:
        return None
    return event if event.starts_at > data.clock.now() else None


async def render_event_changed(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``event_changed``: old → new for start, end, venue and address.

    ``None`` if the event is gone, cancelled since (the cancellation notice says enough) or over.
    """
    event = await _upcoming_event(data, payload)
    changes = payload.get("changes") or {}
    if event is None or not any(field in changes for field in NOTIFIED_FIELDS):
        return None
    render = Renderer(data.translator, lang, data.settings.tz)
    parts = [render.text("notifications.changed", title=event.title), ""]
    parts.extend(change_lines(render, changes))
    parts.extend(["", render.text("notifications.changed_footer")])
    buttons = []
    if TIME_FIELDS & changes.keys():
        buttons.append(_button(data, lang, "notifications.button_calendar", Action.ICS, event.id))
    if {"venue", "address"} & changes.keys():
        buttons.append(_button(data, lang, "notifications.button_venue", Action.VENUE, event.id))
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    return OutgoingMessage.html(Markup("\n").join(parts), markup)


async def render_event_cancelled(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``event_cancelled``; ``None`` if the event is gone or scheduled again."""
    event = await event_store.get_event(data.db, str(payload.get("event_id")))
    if event is None or event.status is not EventStatus.CANCELLED:
        return None
    render = Renderer(data.translator, lang, data.settings.tz)
    text = render.text("notifications.cancelled", title=event.title, when=render.event_time(event))
    return OutgoingMessage.html(text)


async def render_event_reinstated(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``event_reinstated``: a cancelled event takes place after all (with what
    changed meanwhile); ``None`` if it is gone, cancelled again or over."""
    event = await _upcoming_event(data, payload)
    if event is None:
        return None
    render = Renderer(data.translator, lang, data.settings.tz)
    parts = [
        render.text("notifications.reinstated", title=event.title, when=render.event_time(event))
    ]
    changes = change_lines(render, payload.get("changes") or {})
    if changes:
        parts.extend(["", *changes])
    parts.extend(["", render.text("notifications.reinstated_footer")])
    markup = InlineKeyboardMarkup(
        [[_button(data, lang, "notifications.button_card", Action.CARD, event.id)]]
    )
    return OutgoingMessage.html(Markup("\n").join(parts), markup)


async def _promoted_content(
    translator: Translator,
    lang: str,
    tz: ZoneInfo,
    payload: dict[str, Any],
    db: Database,
    now: datetime,
) -> tuple[Markup, InlineKeyboardMarkup | None] | None:
    """The outbox message of kind ``promoted``: moved up from the waitlist, in the recipient's
    language. ``None`` when it no longer applies (cancelled since, event gone)."""
    registration_id = payload.get("registration_id")
    registration = (
        await registration_store.get_registration(db, int(registration_id))
        if isinstance(registration_id, int)
        else None
    )
    if registration is None or registration.status is not RegistrationStatus.CONFIRMED:
        return None
    event = await event_store.get_event(db, registration.event_id)
    if event is None or not is_upcoming(event, now):
        return None
    render = Renderer(translator, lang, tz)
    text = render.text(
        "signup.promoted", title=event.title, when=render.event_time(event), venue=event.venue
    )
    return text, registration_buttons(partial(translator.plain, lang), event, registration, now)


async def render_promoted(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``promoted``: the sign-up feature's text, sent by the paced sender."""
    event = await _upcoming_event(data, payload)
    if event is None:
        return None
    rendered = await _promoted_content(
        data.translator, lang, data.settings.tz, payload, data.db, data.clock.now()
    )
    if rendered is None:
        return None
    text, markup = rendered
    return OutgoingMessage.html(text, markup)
