"""Certificate of attendance (PRODUCT §4): after an evening with ``cpd_hours`` each checked-in
attendee is told that the certificate is ready; its button sends the PDF, as often as pressed
(old messages stay in the chat, and /meine offers it too). The button's id is only a hint: the
PDF goes only to the owner of a sign-up that ``domain.standing.may_get_certificate`` allows.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext, BotData
from bot.files.certificate import CertificateData, certificate_pdf
from bot.jobs import Planner
from bot.outgoing import OutgoingMessage
from domain.standing import may_get_certificate
from storage import certificates as certificate_store
from storage import events as event_store
from storage import registrations as registration_store

CERTIFICATES_JOB = "certificates"
CHECK_SECONDS = 300


def certificate_button(label: str, registration_id: int) -> InlineKeyboardMarkup:
    """The one button that sends the PDF."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=pack(Action.CERTIFICATE, registration_id))]]
    )


async def render_certificate(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``certificate``: the note with the download button."""
    event = await event_store.get_event(data.db, str(payload["event_id"]))
    if event is None:
        return None
    text = data.translator.text(lang, "certificates.ready", title=event.title)
    label = data.translator.plain(lang, "certificates.button")
    return OutgoingMessage.html(text, certificate_button(label, int(payload["registration_id"])))


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
    event = (
        await event_store.get_event(context.db, registration.event_id)
        if registration is not None and registration.user_id == update.effective_user.id
        else None
    )
    if event is None or may_get_certificate(event, registration, context.now()) is not None:
        await query.answer(context.plain("certificates.none"), show_alert=True)
        return
    assert registration is not None
    await query.answer()
    data = CertificateData(
        name=registration.name or "",
        title=event.title,
        series=event.series,
        starts_at=event.starts_at,
        venue=", ".join(part for part in (event.venue, event.address) if part),
        hours=event.cpd_hours or 0,
    )
    pdf = certificate_pdf(context.services.translator, data, context.lang, context.settings.tz)
    filename = context.plain("certificates.filename", event_id=event.id)
    await context.bot.send_document(
        update.effective_chat.id, InputFile(pdf, filename=filename), filename=filename
    )


def build_handlers() -> list[BaseHandler]:
    """The download button."""
    return [CallbackQueryHandler(send_certificate, pattern(Action.CERTIFICATE))]


async def plan_certificates(data: BotData) -> int:
    """Queue the certificate notes that are due now; returns how many."""
    return await certificate_store.plan_due_certificates(data.db, data.clock.now())


PLANNER = Planner(name=CERTIFICATES_JOB, every=CHECK_SECONDS, plan=plan_certificates)
