"""/teilnehmer, /attendees: per event the counts, the list and the CSV file for Excel; for an
evening with ``cpd_hours`` a "Meldeliste" button under the files sends the checked-in attendees
with hours and certificate numbers (CSV and .xlsx) for the chamber's Fortbildung department."""

from __future__ import annotations

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from bot.files.attendee_csv import attendees_file, meldeliste_sheet, sheet_csv
from bot.files.attendee_xlsx import attendees_workbook, sheet_xlsx
from bot.render import split_message
from domain.models import Event, Registration, RegistrationStatus
from domain.offers import SeatOffer
from domain.retention import offers_meldeliste
from handlers.ui import way_on
from handlers.ui.guard import organisers_only
from handlers.ui.picker import show_picker
from handlers.ui.reader import renderer
from storage import attendees as attendee_store
from storage import events as event_store
from storage import offer_rows
from storage.attendees import EventFigures

SECTIONS = (
    (RegistrationStatus.CONFIRMED, "attendees.section_confirmed"),
    (RegistrationStatus.WAITLISTED, "attendees.section_waitlisted"),
    (RegistrationStatus.CANCELLED, "attendees.section_cancelled"),
)
# Up to this many sign-ups the names are listed in the chat; beyond, a list would take dozens
# of messages (and seconds of the organiser chat's send budget), so the counts and the CSV file
# say it all.
INLINE_LIST_MAX = 50
# The second argument of an Action.ATTENDEES button: the Meldeliste instead of the list.
MELDELISTE = "m"


def counts_text(context: BotContext, figures: EventFigures) -> Markup:
    """Seats taken, waitlist, cancellations and check-ins of one event."""
    if figures.capacity is None:
        seats = context.text("attendees.seats_unlimited", confirmed=figures.confirmed)
    else:
        seats = context.text(
            "attendees.seats", confirmed=figures.confirmed, capacity=figures.capacity
        )
    return context.text(
        "attendees.counts",
        seats=seats,
        waitlisted=figures.waitlisted,
        cancelled=figures.cancelled,
        checked_in=figures.checked_in,
    )


def _line(context: BotContext, index: int, registration: Registration) -> Markup:
    render = renderer(context)
    name = (
        registration.name
        if registration.name is not None
        else context.plain("attendees.anonymous")
    )
    if registration.status is RegistrationStatus.WAITLISTED:
        return context.text(
            "attendees.line_waitlisted",
            position=registration.waitlist_position,
            name=name,
            at=render.short_when(registration.created_at),
        )
    if registration.status is RegistrationStatus.CANCELLED:
        return context.text(
            "attendees.line_cancelled",
            name=name,
            at=render.short_when(registration.cancelled_at or registration.created_at),
        )
    line = context.text(
        "attendees.line_confirmed",
        index=index,
        name=name,
        at=render.short_when(registration.created_at),
    )
    if registration.checked_in_at is not None:
        checked = context.text(
            "attendees.checked_in", at=render.time_only(registration.checked_in_at)
        )
        line = Markup(" ").join([line, checked])
    return line


def _offered(context: BotContext, line: Markup, offer: SeatOffer | None) -> Markup:
    """A waitlisted line with the seat offered to them and until when (issue 25)."""
    if offer is None:
        return line
    until = renderer(context).short_when(offer.expires_at)
    return Markup(" ").join([line, context.text("attendees.offer_open", until=until)])


async def send_attendees(update: Update, context: BotContext, event_id: str) -> None:
    """The counts and list of one event, then the CSV file and the .xlsx workbook."""
    chat_id = update.effective_chat.id
    figures = await attendee_store.figures_of(context.db, event_id)
    if figures is None:
        await context.bot.send_message(chat_id, context.text("card.unknown_event"))
        return
    total = figures.confirmed + figures.waitlisted + figures.cancelled
    registrations = (
        await attendee_store.attendee_list(context.db, event_id)
        if total <= INLINE_LIST_MAX
        else []
    )
    offered = await offer_rows.open_offers_of(context.db, [r.id for r in registrations])
    parts = [
        context.text(
            "attendees.heading",
            title=figures.title,
            when=renderer(context).short_when(figures.starts_at),
        ),
        counts_text(context, figures),
    ]
    for status, heading in SECTIONS:
        group = [r for r in registrations if r.status is status]
        if not group:
            continue
        lines = [context.text(heading, count=len(group))]
        lines.extend(
            _offered(context, _line(context, i, r), offered.get(r.id))
            for i, r in enumerate(group, 1)
        )
        parts.append(Markup("\n").join(lines))
    if total > INLINE_LIST_MAX:
        parts.append(context.text("attendees.list_in_file", count=total))
    elif not registrations:
        parts.append(context.text("attendees.none"))
    for chunk in split_message(Markup("\n\n").join(parts)):
        await context.bot.send_message(chat_id, chunk)
    content = await attendees_file(
        context.db, event_id, context.bot_data.translator, context.lang, context.settings.tz
    )
    if content is None:  # deleted in the meantime
        return
    await context.bot.send_document(
        chat_id,
        InputFile(
            content,
            filename=context.plain("attendees.filename", id=event_id),
        ),
        caption=context.text("attendees.csv_caption", title=figures.title),
    )
    workbook = await attendees_workbook(
        context.db, event_id, context.bot_data.translator, context.lang, context.settings.tz
    )
    if workbook is None:
        return
    await context.bot.send_document(
        chat_id,
        InputFile(workbook, filename=context.plain("attendees.filename_xlsx", id=event_id)),
        caption=context.text("attendees.xlsx_caption"),
        reply_markup=_last_buttons(context, await event_store.get_event(context.db, event_id)),
    )


def _last_buttons(context: BotContext, event: Event | None) -> InlineKeyboardMarkup:
    """Under the list's last file: "Meldeliste" for an evening with ``cpd_hours``, and the way
    on to the organiser menu (issue 23: no dead ends)."""
    rows = list(way_on.to_admin_menu(context).inline_keyboard)
    if event is not None and offers_meldeliste(event):
        meldeliste = context.button(
            "attendees.button_meldeliste", Action.ATTENDEES, event.id, MELDELISTE
        )
        rows.insert(0, (meldeliste,))
    return InlineKeyboardMarkup(rows)


async def send_meldeliste(update: Update, context: BotContext, event_id: str) -> None:
    """The Meldeliste of one evening as CSV and .xlsx, in the organiser's language; an evening
    without ``cpd_hours`` (or one deleted since) is refused in a pop-up."""
    query = update.callback_query
    event = await event_store.get_event(context.db, event_id)
    if event is None or not offers_meldeliste(event):
        await query.answer(context.plain("attendees.no_meldeliste"), show_alert=True)
        return
    await query.answer()
    attendees = await attendee_store.meldeliste(context.db, event.id)
    sheet = meldeliste_sheet(event, attendees)
    translator, lang, tz = context.bot_data.translator, context.lang, context.settings.tz
    caption = context.text("attendees.meldeliste_caption", count=len(attendees), title=event.title)
    if any(attendee.number is None for attendee in attendees):
        later = context.text("attendees.meldeliste_numbers_later")
        caption = Markup("\n\n").join([caption, later])
    chat_id = update.effective_chat.id
    await context.bot.send_document(
        chat_id,
        InputFile(
            sheet_csv(translator, lang, sheet, tz),
            filename=context.plain("attendees.meldeliste_filename", id=event.id),
        ),
        caption=caption,
    )
    await context.bot.send_document(
        chat_id,
        InputFile(
            sheet_xlsx(translator, lang, sheet, tz),
            filename=context.plain("attendees.meldeliste_filename_xlsx", id=event.id),
        ),
        caption=context.text("attendees.meldeliste_xlsx_caption"),
        reply_markup=way_on.to_admin_menu(context),  # the way on (issue 23: no dead ends)
    )


@organisers_only
async def attendees_command(update: Update, context: BotContext) -> None:
    """/teilnehmer [EVENT_ID]: that event's list, or the events to choose from."""
    event_id = context.args[0] if context.args else None
    if event_id and await event_store.get_event(context.db, event_id) is not None:
        await send_attendees(update, context, event_id)
        return
    await show_picker(update, context, "at")


@organisers_only
async def attendees_button(update: Update, context: BotContext) -> None:
    """An event chosen in the attendees picker, or the "Meldeliste" button under its files."""
    callback = unpack(update.callback_query.data)
    event_id = (callback.arg() if callback else None) or ""
    if callback is not None and callback.arg(1) == MELDELISTE:
        await send_meldeliste(update, context, event_id)
        return
    await update.callback_query.answer()
    await send_attendees(update, context, event_id)


def build_handlers() -> list[BaseHandler]:
    """/teilnehmer, /attendees and the picker's event buttons."""
    return [
        CommandHandler(["teilnehmer", "attendees"], attendees_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(attendees_button, pattern(Action.ATTENDEES)),
    ]
