"""Certificate of attendance (PRODUCT §4): after an evening with ``cpd_hours`` each checked-in
attendee gets the PDF itself, queued by the planner within a minute of the end (and of a later
check-in); /meine's button sends it again, as often as pressed. The button's id is only a hint:
the PDF goes only to the owner of a sign-up that ``domain.standing.may_get_certificate``
allows. An evening that ends with nobody checked in is told to the organisers at once, with the
check-in list; people signed up under a name no certificate font can print (``cpd_hours``
added to the evening later) are asked for a spelling that can be printed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext, BotData
from bot.files.certificate import certificate_data, certificate_pdf
from bot.files.certificate_fonts import printable_name
from bot.jobs import Planner
from bot.outgoing import OutgoingMessage
from domain.cpd_hours import exact_hours, plural_count
from domain.models import Event
from handlers.ui import way_on
from storage import certificates as certificate_store
from storage import events as event_store
from storage import registrations as registration_store
from storage.certificates import CertificateRecord

CERTIFICATES_JOB = "certificates"
CHECK_SECONDS = 30  # a certificate is queued at most this long (well under 60 s) after its due


def _pdf(data: BotData, lang: str, event: Event, name: str, record: CertificateRecord) -> bytes:
    settings = data.settings
    content = certificate_data(
        event,
        name,
        record.number,
        record.hours,
        record.issued_at,
        settings.certificate_issuer,
        settings.public_base_url,
    )
    return certificate_pdf(data.translator, content, lang, settings.tz)


async def _pdf_in_thread(
    data: BotData, lang: str, event: Event, name: str, record: CertificateRecord
) -> bytes:
    """The PDF, written off the event loop (embedding a font takes a moment)."""
    return await asyncio.to_thread(_pdf, data, lang, event, name, record)


def _filename(data: BotData, lang: str, event: Event) -> str:
    return data.translator.plain(lang, "certificates.filename", event_id=event.id)


async def render_certificate(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``certificate``: the PDF itself, while its number is valid."""
    record = await certificate_store.valid_certificate(data.db, str(payload.get("number")))
    if record is None:
        return None  # withdrawn or replaced meanwhile (the replacement has its own row)
    registration = await registration_store.get_registration(data.db, record.registration_id)
    event = await event_store.get_event(data.db, record.event_id)
    if registration is None or registration.name is None or event is None:
        return None
    key = "certificates.reissued" if payload.get("replaces") else "certificates.ready"
    count = plural_count(exact_hours(record.hours))
    caption = data.translator.text(
        lang, key, count, title=event.title, hours=_hours(record.hours, lang)
    )
    pdf = await _pdf_in_thread(data, lang, event, registration.name, record)
    return OutgoingMessage.file(pdf, _filename(data, lang, event), caption)


def _hours(hours: float, lang: str) -> str:
    return format_decimal(hours, locale=lang)


async def render_nobody_checked_in(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``certificate_nobody``: to organisers, with the evening's check-in list."""
    event = await event_store.get_event(data.db, str(payload["event_id"]))
    if event is None:
        return None
    text = data.translator.text(lang, "certificates.nobody", title=event.title)
    label = data.translator.plain(lang, "certificates.nobody_button")
    button = InlineKeyboardButton(label, callback_data=pack(Action.CHECKIN_EVENT, event.id, 0))
    return OutgoingMessage.html(text, InlineKeyboardMarkup([[button]]))


async def render_name_request(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``certificate_name``: the evening counts for a certificate, but the name
    signed up under cannot be printed on it: please give a spelling that can."""
    registration = await registration_store.get_registration(
        data.db, int(payload["registration_id"])
    )
    event = await event_store.get_event(data.db, str(payload["event_id"]))
    if registration is None or registration.name is None or event is None:
        return None
    if printable_name(registration.name) is not None:
        return None  # corrected meanwhile
    text = data.translator.text(
        lang, "certificates.name_unprintable", title=event.title, name=registration.name
    )
    return OutgoingMessage.html(text)


async def send_certificate(update: Update, context: BotContext) -> None:
    """📄 Teilnahmebescheinigung: send the PDF to the owner of the sign-up."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg(0) if callback else None
    registration = (
        await registration_store.get_registration(context.db, registration_id)
        if registration_id is not None
        else None
    )
    owner = registration is not None and registration.user_id == update.effective_user.id
    record = (
        await certificate_store.certificate_for(context.db, registration.id, context.now())
        if owner and registration is not None
        else None
    )
    event = await event_store.get_event(context.db, record.event_id) if record else None
    if record is None or event is None or registration is None or registration.name is None:
        await query.answer(context.plain("certificates.none"), show_alert=True)
        return
    await query.answer()
    pdf = await _pdf_in_thread(context.bot_data, context.lang, event, registration.name, record)
    filename = context.plain("certificates.filename", event_id=event.id)
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(pdf, filename=filename),
        filename=filename,
        reply_markup=way_on.to_card(context, event.id),
    )


def build_handlers() -> list[BaseHandler]:
    """The download button."""
    return [CallbackQueryHandler(send_certificate, pattern(Action.CERTIFICATE))]


async def plan_certificates(data: BotData) -> int:
    """Withdraw, issue and queue what is due now (storage.certificates); returns how many
    certificates were queued."""
    now = data.clock.now()
    await certificate_store.ask_for_printable_names(data.db, now, _printable)
    report = await certificate_store.plan_due_certificates(
        data.db, now, organisers=sorted(data.settings.admin_ids)
    )
    return report.issued


def _printable(name: str) -> bool:
    return printable_name(name) is not None


PLANNER = Planner(name=CERTIFICATES_JOB, every=CHECK_SECONDS, plan=plan_certificates)
