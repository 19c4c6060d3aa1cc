"""Change notices (PRODUCT §4, Changes): what the paced sender says when an event is moved,
changes its venue, address or sign-up deadline, or is cancelled, and to people moved up from
the waitlist. Each is worded for the recipient's standing (a waitlisted person has no seat to
keep or free: ``domain.notices.notice_standing``); a new time or place comes with the updated
calendar file, a cancellation with the file that removes the entry.

``storage.events.save_events`` queues the rows (``event_changed`` with ``{field: [old, new]}``,
``event_cancelled``) for everyone confirmed or waitlisted, one per sign-up, in the transaction
that changes the event, whether an organiser edits it in the chat or ``run.py import`` runs in
another process. The texts are rendered when they are sent, in each recipient's stored
language, with times in the configured zone, and only if :func:`concerned` (that is
``domain.notices.still_applies``) says the message still concerns its recipient then.
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
from domain.models import Event, Registration
from domain.notices import (
    NOTIFIED_FIELDS,
    NoticeKind,
    NoticeStanding,
    notice_standing,
    still_applies,
    updates_calendar,
)
from domain.standing import may_remove_from_calendar
from handlers.ui.registration import registration_buttons
from storage import events as event_store
from storage import registrations as registration_store
from storage.db import from_db_time

TIME_FIELDS = frozenset({"starts_at", "ends_at", "registration_closes_at"})
# An empty sign-up deadline is not "no information": sign-up then closes at the start.
_UNSET_KEYS = {"registration_closes_at": "notifications.deadline_at_start"}


def change_lines(render: Renderer, changes: dict[str, list[str | None]]) -> list[Markup]:
    """One "old → new" line per changed field, in a fixed order; times in the reader's zone."""
    lines = []
    for field in NOTIFIED_FIELDS:
        if field not in changes:
            continue
        values = []
        for value in changes[field][:2]:
            if value is None or value == "":
                values.append(render.text(_UNSET_KEYS.get(field, "notifications.unset")))
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


async def concerned(
    data: BotData,
    kind: NoticeKind,
    payload: dict[str, Any],
    reminded_start: datetime | None = None,
) -> tuple[Event, Registration | None] | None:
    """The evening and the sign-up a queued row of ``kind`` is about, if the message still
    concerns its recipient now (``domain.notices.still_applies``); else ``None``: it has
    become pointless and is not sent."""
    event = await event_store.get_event(data.db, str(payload.get("event_id")))
    registration = None
    if "registration_id" in payload:  # every row queued by this version names its sign-up
        registration_id = payload["registration_id"]
        if isinstance(registration_id, int):
            registration = await registration_store.get_registration(data.db, registration_id)
        if registration is None:
            return None
    if not still_applies(kind, event, registration, data.clock.now(), reminded_start):
        return None
    assert event is not None
    return event, registration


def _worded(
    render: Renderer, key: str, registration: Registration | None, **values: object
) -> Markup:
    """Message ``key`` in the wording for the recipient's standing (``<key>_seat``,
    ``<key>_waitlist`` or ``<key>_unnamed``; domain.notices.notice_standing): a waitlisted
    person has no seat to keep or to free."""
    standing = notice_standing(registration)
    if standing is NoticeStanding.WAITLIST:
        assert registration is not None
        values["position"] = registration.waitlist_position or 1
    return render.text(f"{key}_{standing.value}", **values)


async def render_event_changed(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``event_changed``: old → new for start, end, venue, address and sign-up
    deadline, worded for the recipient's standing, with the updated calendar file when the
    calendar entry changed.

    ``None`` if it no longer concerns the recipient (see :func:`concerned`; a cancellation
    since says enough).
    """
    about = await concerned(data, NoticeKind.CHANGED, payload)
    changes = payload.get("changes") or {}
    if about is None or not any(field in changes for field in NOTIFIED_FIELDS):
        return None
    event, registration = about
    render = Renderer(data.translator, lang, data.settings.tz)
    parts = [render.text("notifications.changed", title=event.title), ""]
    parts.extend(change_lines(render, changes))
    parts.extend(["", _worded(render, "notifications.changed_footer", registration)])
    buttons = []
    if updates_calendar(changes):
        buttons.append(_button(data, lang, "notifications.button_calendar", Action.ICS, event.id))
    if {"venue", "address"} & changes.keys():
        buttons.append(_button(data, lang, "notifications.button_venue", Action.VENUE, event.id))
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    return OutgoingMessage.html(Markup("\n").join(parts), markup)


async def render_event_cancelled(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``event_cancelled``, worded for the recipient's standing, with "Aus dem
    Kalender entfernen" (the calendar file with ``STATUS:CANCELLED``) while
    ``domain.standing.may_remove_from_calendar`` allows it; ``None`` if it no longer concerns
    the recipient (the evening is scheduled again or has passed, they had left it)."""
    about = await concerned(data, NoticeKind.CANCELLED, payload)
    if about is None:
        return None
    event, registration = about
    render = Renderer(data.translator, lang, data.settings.tz)
    when = render.event_time(event)
    text = _worded(render, "notifications.cancelled", registration, title=event.title, when=when)
    markup = None
    if may_remove_from_calendar(event, data.clock.now()) is None:
        button = _button(
            data, lang, "notifications.button_calendar_remove", Action.ICS_REMOVE, event.id
        )
        markup = InlineKeyboardMarkup([[button]])
    return OutgoingMessage.html(text, markup)


async def render_event_reinstated(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``event_reinstated``: a cancelled event takes place after all (with what
    changed meanwhile), worded for the recipient's standing, with its card and the calendar
    file that puts the entry back; ``None`` if it no longer concerns the recipient."""
    about = await concerned(data, NoticeKind.REINSTATED, payload)
    if about is None:
        return None
    event, registration = about
    render = Renderer(data.translator, lang, data.settings.tz)
    parts = [
        render.text("notifications.reinstated", title=event.title, when=render.event_time(event))
    ]
    changes = change_lines(render, payload.get("changes") or {})
    if changes:
        parts.extend(["", *changes])
    parts.extend(["", _worded(render, "notifications.reinstated_footer", registration)])
    # The cancellation took the entry out of calendars: the file brings it back (STATUS:CONFIRMED).
    markup = InlineKeyboardMarkup(
        [
            [
                _button(data, lang, "notifications.button_card", Action.CARD, event.id),
                _button(data, lang, "notifications.button_calendar", Action.ICS, event.id),
            ]
        ]
    )
    return OutgoingMessage.html(Markup("\n").join(parts), markup)


def promoted_content(
    translator: Translator,
    lang: str,
    tz: ZoneInfo,
    event: Event,
    registration: Registration,
    now: datetime,
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """The outbox message of kind ``promoted``: moved up from the waitlist, in the recipient's
    language (whether it still applies is asked before: domain.notices.still_applies)."""
    render = Renderer(translator, lang, tz)
    text = render.text(
        "signup.promoted", title=event.title, when=render.event_time(event), venue=event.venue
    )
    return text, registration_buttons(partial(translator.plain, lang), event, registration, now)


async def render_promoted(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``promoted``: the sign-up feature's text, sent by the paced sender only while
    the recipient holds the seat it announces."""
    about = await concerned(data, NoticeKind.PROMOTED, payload)
    if about is None:
        return None
    event, registration = about
    assert registration is not None  # still_applies: a promotion names its seat
    text, markup = promoted_content(
        data.translator, lang, data.settings.tz, event, registration, data.clock.now()
    )
    return OutgoingMessage.html(text, markup)
