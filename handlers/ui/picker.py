"""The event picker the organiser tools share: a page of events to choose from, per purpose."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import Action, pack
from bot.context import BotContext
from bot.paging import Page, page_line, paging_row
from domain.models import EventStatus
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import is_organiser
from handlers.ui.reader import renderer
from storage import attendees as attendee_store

PICKER_PAGE_SIZE = 6
LABEL_LIMIT = 48  # characters of an event title on a button


@dataclass(frozen=True, slots=True)
class Picker:
    """Which events a picker offers and what pressing one does."""

    action: str  # callback action of an event button (arg: event id)
    heading: str  # catalogue id
    upcoming_only: bool = False
    scheduled_only: bool = False


PICKERS: dict[str, Picker] = {
    "ed": Picker(Action.EVENT_EDIT, "admin.pick_edit", upcoming_only=True),
    "cx": Picker(
        Action.EVENT_CANCEL, "admin.pick_cancel", upcoming_only=True, scheduled_only=True
    ),
    "at": Picker(Action.ATTENDEES, "admin.pick_attendees"),
    "ci": Picker(Action.CHECKIN_EVENT, "admin.pick_checkin"),
    "bc": Picker(Action.BROADCAST_EVENT, "admin.pick_broadcast"),
    "qs": Picker(Action.QUESTIONS_EVENT, "admin.pick_questions"),
}


def _label(title: str) -> str:
    return title if len(title) <= LABEL_LIMIT else title[: LABEL_LIMIT - 1].rstrip() + "…"


async def picker_content(
    context: BotContext, purpose: str, offset: int, organiser: bool = True
) -> tuple[Markup, InlineKeyboardMarkup]:
    """A page of events to choose from for ``purpose`` (a key of :data:`PICKERS`). Door staff
    (not ``organiser``) only ever choose for the check-in: their pages turn with the check-in
    list's own button, and they get no way back into the organiser menu."""
    picker = PICKERS[purpose]
    db, now = context.db, context.now()
    total = await attendee_store.count_events(db, now, picker.upcoming_only, picker.scheduled_only)
    back = [[context.button("admin.back", Action.ADMIN_MENU)]] if organiser else []
    if total == 0:
        return context.text("admin.pick_none"), InlineKeyboardMarkup(back)
    window = Page.at(offset, PICKER_PAGE_SIZE, total)
    page = await attendee_store.event_figures(
        db, now, PICKER_PAGE_SIZE, window.offset, picker.upcoming_only, picker.scheduled_only
    )
    render = renderer(context)
    rows = []
    for event in page:
        key = "admin.pick_button"
        if event.status is EventStatus.CANCELLED:
            key = "admin.pick_button_cancelled"
        label = context.plain(
            key, title=_label(event.title), when=render.short_when(event.starts_at)
        )
        rows.append([InlineKeyboardButton(label, callback_data=pack(picker.action, event.id))])
    if organiser:
        paging = paging_row(context, window, lambda at: pack(Action.ADMIN_PAGE, purpose, at))
    else:
        paging = paging_row(context, window, lambda at: pack(Action.CHECKIN_LIST, at))
    if paging:
        rows.append(paging)
    rows.extend(back)
    text = context.text(picker.heading)
    if (line := page_line(context, window)) is not None:
        text = Markup("\n").join([text, line])
    return text, InlineKeyboardMarkup(rows)


async def show_picker(update: Update, context: BotContext, purpose: str, offset: int = 0) -> None:
    """Show (or, for a button press, turn the pressed message into) an event picker."""
    text, markup = await picker_content(context, purpose, offset, is_organiser(update, context))
    await reply_or_edit(update, context, text, markup)
