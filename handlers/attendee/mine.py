"""/meine, /mine: the reader's sign-ups of upcoming evenings with date, status, waitlist
position, ticket and cancel buttons and withdrawing a question to the speakers; then the past
evenings whose certificate of attendance they can fetch again; then their Fortbildungsstunden
per calendar year, each year's Fortbildungsnachweis one press away (PRODUCT §4)."""

from __future__ import annotations

import asyncio

from babel.numbers import format_decimal
from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.files.certificate import certificate_data
from bot.files.cpd_record import cpd_record_pdf
from bot.render import MESSAGE_LIMIT, visible_length
from domain.cpd_hours import CertifiedEvening, YearOfHours, hours_by_year, plural_count
from domain.models import RegistrationStatus
from domain.offers import holder_sees
from domain.standing import Offer, StandingKind, offers, standing
from handlers.attendee.name import name_button, name_line
from handlers.ui import editing
from handlers.ui.reader import is_group, renderer
from storage import certificates as certificate_store
from storage import events as event_store
from storage import offer_rows
from storage import questions as question_store
from storage import registrations as registration_store
from storage import users as user_store

MAX_LISTED = 20  # keeps the message and its keyboard well inside Telegram's limits
MAX_YEARS = 5  # the audit looks back one year; retention keeps CPD_RETENTION_YEARS (3) more
MORE_ROOM = 400  # for the line "… und N weitere Anmeldungen" and the name line
ORIGIN_MINE = "m"  # cancellation origin (see handlers.attendee.cancellation)
_STATUS_KEYS = {
    StandingKind.CONFIRMED: "mine.status_confirmed",
    StandingKind.CHECKED_IN: "mine.status_confirmed",
    StandingKind.VOID: "mine.status_event_cancelled",
}


def _too_long(lines: list[Markup], line: Markup) -> bool:
    """Whether ``line`` would push the list past one message (leaving room for "… und N
    weitere")."""
    return visible_length(Markup("\n\n").join([*lines, line])) > MESSAGE_LIMIT - MORE_ROOM


def _button(
    context: BotContext, key: str, index: int, action: str, *args: object
) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.plain(key, index=index), callback_data=pack(action, *args))


async def years_of_hours(context: BotContext, user_id: int) -> list[YearOfHours]:
    """The reader's Fortbildungsstunden per calendar year, latest first, from their valid
    certificates (``domain.cpd_hours``)."""
    held = await certificate_store.held_certificates(context.db, user_id)
    return hours_by_year((_certified(item) for item in held), context.settings.tz)


def _certified(item: certificate_store.HeldCertificate) -> CertifiedEvening:
    record = item.record
    return CertifiedEvening(record.number, item.event.starts_at, item.event.title, record.hours)


def _hours_values(context: BotContext, year: YearOfHours) -> dict[str, object]:
    """The plural count and the values of a text about ``year``'s total ("1,5")."""
    total = year.total
    return {
        "count": plural_count(total),
        "hours": format_decimal(total, locale=context.lang),
        "year": year.year,
    }


def _year_line(context: BotContext, year: YearOfHours) -> Markup:
    """ "2027: 6 Fortbildungsstunden bei Kraft der Region"."""
    return context.text("mine.hours_year", **_hours_values(context, year))


def _hours_block(context: BotContext, years: list[YearOfHours]) -> list[Markup]:
    """The Fortbildungsstunden of each year under their heading (nothing without any)."""
    if not years:
        return []
    lines = [context.text("mine.hours_heading"), *(_year_line(context, year) for year in years)]
    return [Markup("\n").join(lines)]


def _record_button(context: BotContext, year: int) -> InlineKeyboardButton:
    label = context.plain("mine.button_cpd_record", year=year)
    return InlineKeyboardButton(label, callback_data=pack(Action.CPD_RECORD, year))


async def mine_content(context: BotContext, user_id: int) -> tuple[Markup, InlineKeyboardMarkup]:
    """Text and buttons of the /meine list as ``user_id`` sees it right now: each entry opens
    its evening and offers what ``domain.standing.offers`` allows (ticket, cancel, withdraw
    the question, and for past evenings the certificate)."""
    now = context.now()
    db = context.db
    entries = await registration_store.upcoming_registrations_with_events(db, user_id, now)
    certificates = await registration_store.certificate_registrations_with_events(
        db, user_id, now, MAX_LISTED
    )
    asked = await question_store.asked_events(db, user_id)
    waiting = [r.id for r, _ in entries if r.status is RegistrationStatus.WAITLISTED]
    seat_offers = await offer_rows.open_offers_of(db, waiting)
    years = (await years_of_hours(context, user_id))[:MAX_YEARS]
    hours = _hours_block(context, years)  # shown near the end: the lists above leave it room
    events_button = context.button("mine.button_events", Action.LIST, 0)
    user = await user_store.get_user(db, user_id)
    name = user.display_name if user is not None else None
    if not entries and not certificates and not years:
        if name is None:
            return context.text("mine.empty"), InlineKeyboardMarkup([[events_button]])
        text = Markup("\n\n").join([context.text("mine.empty"), name_line(context, name)])
        return text, InlineKeyboardMarkup([[name_button(context)], [events_button]])
    render = renderer(context)
    lines = [
        context.text("mine.heading", count=len(entries)) if entries else context.text("mine.empty")
    ]
    rows: list[list[InlineKeyboardButton]] = []
    listed = 0
    for index, (registration, event) in enumerate(entries[:MAX_LISTED], 1):
        mine = standing(event, registration)
        seat_offer = seat_offers.get(registration.id)
        if seat_offer is not None and not holder_sees(seat_offer, event, registration, now):
            seat_offer = None
        if seat_offer is not None:
            status = context.text(
                "mine.status_offered", until=renderer(context).short_when(seat_offer.expires_at)
            )
        elif mine.kind is StandingKind.WAITLISTED:
            status = context.text("mine.status_waitlisted", position=mine.waitlist_position or 1)
        else:
            status = context.text(_STATUS_KEYS.get(mine.kind, "mine.status_confirmed"))
        if event.id in asked:
            status = Markup("\n    ").join([status, context.text("mine.status_asked")])
        line = context.text(
            "mine.line",
            index=index,
            title=event.title,
            when=render.short_when(event.starts_at),
            status=status,
        )
        if _too_long([*lines, *hours], line):
            break  # long titles: the rest is counted in the last line
        lines.append(line)
        listed = index
        offered = offers(event, registration, now, event.id in asked)
        row = [
            InlineKeyboardButton(
                context.plain("mine.button_open", index=index),
                callback_data=pack(Action.CARD, event.id),
            )
        ]
        if Offer.TICKET in offered:
            row.append(
                InlineKeyboardButton(
                    context.plain("mine.button_ticket", index=index),
                    callback_data=pack(Action.TICKET, registration.id),
                )
            )
        if Offer.CANCEL in offered:
            row.append(
                InlineKeyboardButton(
                    context.plain("mine.button_cancel", index=index),
                    callback_data=pack(Action.CANCEL, registration.id, ORIGIN_MINE),
                )
            )
        rows.append(row)
        if seat_offer is not None:
            rows.append(
                [
                    _button(
                        context, "mine.button_take_seat", index, Action.OFFER_TAKE, seat_offer.id
                    )
                ]
            )
        if Offer.WITHDRAW_QUESTION in offered:
            rows.append(
                [
                    _button(
                        context,
                        "mine.button_withdraw_question",
                        index,
                        Action.QUESTION_WITHDRAW,
                        event.id,
                        ORIGIN_MINE,
                    )
                ]
            )
    if len(entries) > listed:
        lines.append(context.text("mine.more", count=len(entries) - listed))
    if certificates:
        lines.append(context.text("mine.certificates_heading", count=len(certificates)))
    for index, (registration, event) in enumerate(certificates, listed + 1):
        line = context.text(
            "mine.certificate_line",
            index=index,
            title=event.title,
            when=render.short_when(event.starts_at),
        )
        if _too_long([*lines, *hours], line):
            break  # the most recent certificates are listed first
        lines.append(line)
        rows.append(
            [
                _button(context, "mine.button_open", index, Action.CARD, event.id),
                _button(
                    context, "mine.button_certificate", index, Action.CERTIFICATE, registration.id
                ),
            ]
        )
    if years:
        lines.extend(hours)
        rows.extend([_record_button(context, year.year)] for year in years)
    if name is not None:  # the name the sign-ups above are under, and the way to correct it
        lines.append(name_line(context, name))
        rows.append([name_button(context)])
    rows.append([events_button])
    return Markup("\n\n").join(lines), InlineKeyboardMarkup(rows)


async def show_mine(update: Update, context: BotContext) -> None:
    """/meine, /mine: my sign-ups."""
    text, markup = await mine_content(context, update.effective_user.id)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def press_mine(update: Update, context: BotContext) -> None:
    """🎟 Meine Anmeldungen in the main menu: the message becomes the list."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    await query.answer()
    text, markup = await mine_content(context, update.effective_user.id)
    if not await editing.edit_pressed(query, text, markup):
        await update.effective_chat.send_message(text, reply_markup=markup)


async def send_cpd_record(update: Update, context: BotContext) -> None:
    """📑 Fortbildungsnachweis <year>: one PDF, the year's list and then each certificate's
    page, of the presser's own certificates (the year in the button is only a wish)."""
    query = update.callback_query
    if is_group(update):  # a forged press: the record is the person's, never a group's
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    callback = unpack(query.data)
    wanted = callback.int_arg(0) if callback else None
    user_id = update.effective_user.id
    held = await certificate_store.held_certificates(context.db, user_id)
    years = hours_by_year((_certified(item) for item in held), context.settings.tz)
    year = next((found for found in years if found.year == wanted), None)
    if year is None:
        await query.answer(context.plain("cpd_record.none", year=wanted or "–"), show_alert=True)
        return
    await query.answer()
    settings = context.settings
    by_number = {item.record.number: item for item in held}
    pages = []
    for evening in year.evenings:
        item = by_number[evening.number]
        event = await event_store.get_event(context.db, item.event.id) or item.event
        record = item.record
        pages.append(
            certificate_data(
                event,
                item.name,
                record.number,
                record.hours,
                record.issued_at,
                settings.certificate_issuer,
                settings.public_base_url,
            )
        )
    translator = context.bot_data.translator
    pdf = await asyncio.to_thread(
        cpd_record_pdf, translator, year, pages, context.lang, settings.tz
    )
    filename = context.plain("cpd_record.filename", year=year.year)
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(pdf, filename=filename),
        filename=filename,
        caption=context.text("cpd_record.caption", **_hours_values(context, year)),
    )


def build_handlers() -> list:
    """/meine, /mine, the menu button and the yearly Fortbildungsnachweis."""
    return [
        CommandHandler(["meine", "mine"], show_mine, filters.ChatType.PRIVATE),
        CallbackQueryHandler(press_mine, pattern(Action.MINE)),
        CallbackQueryHandler(send_cpd_record, pattern(Action.CPD_RECORD)),
    ]
