"""Check-in at the door: /checkin offers a tap-to-check-in list of an event, searchable by
typing a name; a check-in can be undone, and outside the evening's window the list warns just as
scanning does (the scan itself and the result texts: :mod:`handlers.door.checkin_scan`).
"""

from __future__ import annotations

from enum import IntEnum

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.files.door_list import door_list_pdf
from bot.paging import Page, page_line, paging_row
from domain.evening import check_in_window
from domain.models import Event, Registration
from domain.names import name_matches
from handlers.door.checkin_scan import (
    SCAN_VIEW,
    SEARCH_VIEW,
    list_button,
    name_of,
    plain_result,
    result_markup,
    result_text,
    scan,
    view_of,
)
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import door_staff_only, is_organiser
from handlers.ui.picker import show_picker
from handlers.ui.reader import renderer
from storage import attendees as attendee_store
from storage import events as event_store
from storage.attendees import CheckInOutcome, CheckInResult

PAGE_SIZE = 20  # names per page: an 80-seat evening is four pages, and a name can be searched
LABEL_LIMIT = 40


class CheckInState(IntEnum):
    """Conversation state of the door (30–39: the organiser dialogues share a handler)."""

    SEARCH = 30  # the organiser looks at a list; typing a name searches it


SEARCH = CheckInState.SEARCH


@door_staff_only
async def check_in_anyway(update: Update, context: BotContext) -> None:
    """ "Trotzdem einchecken" under a ticket of another day (or a tap outside the window)."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    result = await attendee_store.check_in(
        context.db, registration_id or 0, context.now(), anyway=True
    )
    await query.answer()
    await _answer_in_view(update, context, result, view_of(callback))


@door_staff_only
async def undo(update: Update, context: BotContext) -> None:
    """ "Check-in zurücknehmen": a mis-tap at the door is taken back."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    result = await attendee_store.undo_check_in(context.db, registration_id or 0)
    registration = result.registration
    if registration is None:
        await query.answer(context.plain("checkin.unknown_plain"), show_alert=True)
        return
    await query.answer(context.plain("checkin.undone_short", name=name_of(context, registration)))
    view = view_of(callback)
    if view == SCAN_VIEW:
        await _answer_in_view(update, context, result, view)
        return
    await _show_view(update, context, registration.event_id, view)


async def _answer_in_view(
    update: Update, context: BotContext, result: CheckInResult, view: str
) -> None:
    """A result: under a scan, the result message; in the list, the list again."""
    registration = result.registration
    if (
        view != SCAN_VIEW
        and registration is not None
        and result.outcome
        in (
            CheckInOutcome.CHECKED_IN,
            CheckInOutcome.UNDONE,
        )
    ):
        await _show_view(update, context, registration.event_id, view)
        return
    event = registration and await event_store.get_event(context.db, registration.event_id)
    text = result_text(context, result, event)
    if view != SCAN_VIEW and event and result.outcome is CheckInOutcome.OUTSIDE_WINDOW:
        text = context.text(  # a tap in the list: no ticket was scanned
            "checkin.tap_outside",
            name=name_of(context, registration),
            title=event.title,
            when=renderer(context).when(event.starts_at),
        )
    await reply_or_edit(update, context, text, result_markup(context, result, view))


# --- the tap list --------------------------------------------------------------------------


def _label(context: BotContext, registration: Registration) -> str:
    name = name_of(context, registration)
    name = name if len(name) <= LABEL_LIMIT else name[: LABEL_LIMIT - 1] + "…"
    key = "checkin.button_done" if registration.checked_in_at else "checkin.button_open"
    return context.plain(key, name=name)


def _name_rows(
    context: BotContext, registrations: list[Registration], view: str
) -> list[list[InlineKeyboardButton]]:
    return [
        [
            InlineKeyboardButton(
                _label(context, registration),
                callback_data=pack(Action.CHECKIN_TAP, registration.id, view),
            )
        ]
        for registration in registrations
    ]


def _heading(context: BotContext, event: Event, checked_in: int, confirmed: int) -> list[Markup]:
    lines = [
        context.text(
            "checkin.list_heading",
            title=event.title,
            when=renderer(context).short_when(event.starts_at),
        ),
        context.text("checkin.list_counts", checked_in=checked_in, confirmed=confirmed),
    ]
    window, now = check_in_window(event), context.now()
    if not window.contains(now):  # warned before any tap, as a scan would be
        key = "checkin.list_early" if now < window.opens else "checkin.list_late"
        render = renderer(context)
        lines.append(
            context.text(
                key, opens=render.short_when(window.opens), closes=render.short_when(window.closes)
            )
        )
    return lines


def _menu_rows(context: BotContext, organiser: bool) -> list[list[InlineKeyboardButton]]:
    """Back to the organiser menu; door staff have none (it would only refuse them)."""
    return [[context.button("admin.back", Action.ADMIN_MENU)]] if organiser else []


async def list_content(
    context: BotContext, event: Event, offset: int, organiser: bool = True
) -> tuple[Markup, InlineKeyboardMarkup]:
    """One page of the tap-to-check-in list of ``event``."""
    figures = await attendee_store.figures_of(context.db, event.id)
    page, total = await attendee_store.check_in_page(
        context.db, event.id, PAGE_SIZE, max(offset, 0)
    )
    window = Page.at(offset, PAGE_SIZE, total)
    if window.offset != max(offset, 0):  # the list shrank since the button was sent
        page, total = await attendee_store.check_in_page(
            context.db, event.id, PAGE_SIZE, window.offset
        )
    lines = _heading(context, event, figures.checked_in if figures else 0, total)
    if total == 0:
        lines.append(context.text("checkin.list_empty"))
    else:
        lines.append(context.text("checkin.list_hint"))
        if (line := page_line(context, window)) is not None:
            lines.append(line)
    rows = _name_rows(context, page, str(window.offset))
    paging = paging_row(context, window, lambda at: pack(Action.CHECKIN_EVENT, event.id, at))
    if paging:
        rows.append(paging)
    rows.append([context.button("checkin.door_list", Action.CHECKIN_PDF, event.id)])
    rows.extend(_menu_rows(context, organiser))
    return Markup("\n").join(lines), InlineKeyboardMarkup(rows)


async def search_content(
    context: BotContext, event: Event, query: str, organiser: bool = True
) -> tuple[Markup, InlineKeyboardMarkup]:
    """The confirmed attendees of ``event`` whose name matches what the organiser typed."""
    everyone = await attendee_store.confirmed_attendees(context.db, event.id)
    found = [r for r in everyone if r.name is not None and name_matches(r.name, query)]
    checked_in = sum(1 for registration in everyone if registration.checked_in_at is not None)
    lines = _heading(context, event, checked_in, len(everyone))
    if not found:
        lines.append(context.text("checkin.search_none", query=query))
    else:
        lines.append(context.text("checkin.search_found", count=len(found), query=query))
        if len(found) > PAGE_SIZE:
            lines.append(context.text("checkin.search_more", count=PAGE_SIZE))
    rows = _name_rows(context, found[:PAGE_SIZE], SEARCH_VIEW)
    rows.append([list_button(context, event.id)])
    rows.extend(_menu_rows(context, organiser))
    return Markup("\n").join(lines), InlineKeyboardMarkup(rows)


async def _show_view(update: Update, context: BotContext, event_id: str, view: str) -> None:
    event = await event_store.get_event(context.db, event_id)
    if event is None:
        await reply_or_edit(update, context, context.text("card.unknown_event"))
        return
    search = context.user_data.checkin_search
    organiser = is_organiser(update, context)
    if view == SEARCH_VIEW and search is not None and search[0] == event_id:
        text, markup = await search_content(context, event, search[1], organiser)
    else:
        offset = int(view) if view.isdigit() else 0
        text, markup = await list_content(context, event, offset, organiser)
    await reply_or_edit(update, context, text, markup)


@door_staff_only
async def checkin_command(update: Update, context: BotContext) -> object:
    """/checkin [EVENT_ID]: the tap list of that event, or the events to choose from."""
    event_id = context.args[0] if context.args else None
    if event_id and await event_store.get_event(context.db, event_id) is not None:
        context.user_data.checkin_search = (event_id, "")
        await _show_view(update, context, event_id, "0")
        return SEARCH
    await show_picker(update, context, "ci")
    return None


@door_staff_only
async def checkin_picker(update: Update, context: BotContext) -> None:
    """ "Einlass" in the organiser menu, or ◀ / ▶ in a door person's picker: the events to
    choose from for the check-in (the offset as the argument)."""
    callback = unpack(update.callback_query.data)
    await update.callback_query.answer()
    await show_picker(update, context, "ci", (callback.int_arg() if callback else None) or 0)


@door_staff_only
async def checkin_page(update: Update, context: BotContext) -> object:
    """An event chosen in the check-in picker, ◀ / ▶ in the list, or back from a search."""
    callback = unpack(update.callback_query.data)
    await update.callback_query.answer()
    event_id = (callback.arg() if callback else None) or ""
    view = view_of(callback)
    search = context.user_data.checkin_search
    context.user_data.checkin_search = (
        search if search and search[0] == event_id else (event_id, "")
    )
    await _show_view(update, context, event_id, "0" if view == SCAN_VIEW else view)
    return SEARCH


@door_staff_only
async def search(update: Update, context: BotContext) -> object:
    """A name typed while a check-in list is open: the matching attendees, to tap."""
    remembered = context.user_data.checkin_search
    event = await event_store.get_event(context.db, remembered[0]) if remembered else None
    if event is None:
        await update.effective_message.reply_text(context.text("common.fallback"))
        return None
    query = " ".join(update.effective_message.text.split())[:LABEL_LIMIT]
    context.user_data.checkin_search = (event.id, query)
    text, markup = await search_content(context, event, query, is_organiser(update, context))
    await update.effective_message.reply_text(text, reply_markup=markup)
    return SEARCH


@door_staff_only
async def tap(update: Update, context: BotContext) -> None:
    """A name in the list: check that person in; a name already ✅ offers to take it back."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    view = view_of(callback)
    result = await attendee_store.check_in(context.db, registration_id or 0, context.now())
    registration = result.registration
    if registration is None:
        await query.answer(context.plain("checkin.unknown_plain"), show_alert=True)
        return
    if result.outcome is CheckInOutcome.CHECKED_IN:
        await query.answer(
            context.plain("checkin.done_short", name=name_of(context, registration))
        )
        await _show_view(update, context, registration.event_id, view)
        return
    if result.outcome in (CheckInOutcome.ALREADY, CheckInOutcome.OUTSIDE_WINDOW):
        # Not an alert: the answer carries buttons (take back / check in anyway / the list).
        await query.answer()
        await _answer_in_view(update, context, result, view)
        return
    await query.answer(plain_result(context, result), show_alert=True)


@door_staff_only
async def door_list(update: Update, context: BotContext) -> None:
    """ "Einlassliste drucken": the evening's door list as a PDF, for when the network fails."""
    query = update.callback_query
    callback = unpack(query.data)
    event = await event_store.get_event(context.db, (callback.arg() if callback else None) or "")
    if event is None:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return
    await query.answer()
    registrations = await attendee_store.attendee_list(context.db, event.id)
    content = door_list_pdf(
        context.services.translator,
        event.title,
        event.starts_at,
        registrations,
        context.lang,
        context.settings.tz,
    )
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(content, filename=context.plain("checkin.door_list_file", id=event.id)),
        caption=context.text("checkin.door_list_caption", title=event.title),
        reply_markup=InlineKeyboardMarkup(
            [[context.button("checkin.back_to_list", Action.CHECKIN_EVENT, event.id, 0)]]
        ),
    )


def build_deep_link_handlers() -> list[BaseHandler]:
    """``/start ci_…``: registered before /start itself."""
    only_scans = filters.ChatType.PRIVATE & filters.Regex(r"^/start(@\w+)? ci_")
    return [CommandHandler("start", scan, only_scans)]


def dialogue_parts() -> tuple[list[BaseHandler], dict[object, list[BaseHandler]]]:
    """Opening a check-in list enters the search state: what the organiser types next is a
    name to find (joined with the other organiser dialogues in ``admin.build_dialogues``)."""
    entry_points: list[BaseHandler] = [
        CommandHandler("checkin", checkin_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(checkin_page, pattern(Action.CHECKIN_EVENT)),
    ]
    states: dict[object, list[BaseHandler]] = {
        # The list's buttons belong to the search: a tap does not end it (handlers.dialogues).
        SEARCH: [MessageHandler(filters.TEXT & ~filters.COMMAND, search), *build_handlers()],
    }
    return entry_points, states


def build_handlers() -> list[BaseHandler]:
    """The list's buttons (the list itself opens through :func:`dialogue_parts`); their
    callbacks return ``None``, so inside the search dialogue they keep its step."""
    return [
        CallbackQueryHandler(tap, pattern(Action.CHECKIN_TAP)),
        CallbackQueryHandler(check_in_anyway, pattern(Action.CHECKIN_FORCE)),
        CallbackQueryHandler(undo, pattern(Action.CHECKIN_UNDO)),
        CallbackQueryHandler(door_list, pattern(Action.CHECKIN_PDF)),
        CallbackQueryHandler(checkin_picker, pattern(Action.CHECKIN_LIST)),
    ]
