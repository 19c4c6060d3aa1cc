"""🎟 Ticket: the QR code of a confirmed sign-up (PRODUCT §4), opening
``https://t.me/<bot>?start=ci_<ticket>`` for the check-in at the door, with the code written
under it for reading aloud.

A ticket is a bearer credential: it is shown only to the person it belongs to, and it never
reaches the logs (PTB logs every API call's parameters at DEBUG, aiosqlite every statement's;
:class:`TicketRedaction` removes ticket codes from those records).
"""

from __future__ import annotations

import io
import logging
import re

import segno
from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler
from telegram.helpers import create_deep_linked_url

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from domain.standing import Refusal, may_show_ticket
from handlers.ui.card import back_to_card
from handlers.ui.reader import is_group, renderer
from storage import events as event_store
from storage import registrations as registration_store

CHECK_IN_PREFIX = "ci_"  # /start ci_<ticket> checks the holder in (organisers only)
QR_SCALE = 8
REDACTED = "[ticket]"
# What PTB writes into DEBUG records: the deep link (ci_<ticket>) and the code in the caption,
# as sent and as returned. Tickets are 32 URL-safe characters (storage.registrations) and,
# being random, mix upper and lower case; a lone word like that is redacted wherever it is.
_TICKET_IN_LOGS = re.compile(
    r"(?P<prefix>ci_)[A-Za-z0-9_-]+"
    r"|(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))"  # a word of its own, also right after a repr's \n
    r"(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])[A-Za-z0-9_-]{32}"
    r"(?![A-Za-z0-9_-])"
)
# The loggers that print API parameters and results (updates included) and SQL parameters.
_LEAKY_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater", "aiosqlite")


class TicketRedaction(logging.Filter):
    """Replaces ticket codes in log records by a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TICKET_IN_LOGS.sub(_redact, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _redact(match: re.Match[str]) -> str:
    return (match.group("prefix") or "") + REDACTED


def protect_logs() -> None:
    """Install :class:`TicketRedaction` on the loggers that print API traffic or SQL parameters
    at DEBUG (idempotent)."""
    for name in _LEAKY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, TicketRedaction) for existing in logger.filters):
            logger.addFilter(TicketRedaction())


def check_in_url(bot_username: str, ticket: str) -> str:
    """What the QR code opens: the bot with ``/start ci_<ticket>``."""
    return create_deep_linked_url(bot_username, CHECK_IN_PREFIX + ticket)


def qr_png(content: str) -> bytes:
    """``content`` as a QR code PNG, large enough to scan from a phone screen."""
    buffer = io.BytesIO()
    segno.make(content, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


# Why there is no ticket to show (domain.standing.may_show_ticket), as the pop-up's text.
_REFUSAL_KEYS = {
    Refusal.NOT_SIGNED_UP: "ticket.not_found",
    Refusal.ALREADY_CANCELLED: "ticket.cancelled",
    Refusal.WAITLISTED: "ticket.waitlisted",
    Refusal.EVENT_CANCELLED: "ticket.event_cancelled",
    Refusal.EVENT_OVER: "ticket.event_over",
}


async def show_ticket(update: Update, context: BotContext) -> None:
    """🎟 Ticket: the presser's own confirmed sign-up as a QR code, or why there is none."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    registration = (
        await registration_store.get_registration(context.db, registration_id)
        if registration_id is not None
        else None
    )
    # Someone else's ticket and a ticket that does not exist get the same answer.
    if registration is None or registration.user_id != update.effective_user.id:
        await query.answer(context.plain("ticket.not_found"), show_alert=True)
        return
    event = await event_store.get_event(context.db, registration.event_id)
    problem = None
    if event is None:
        problem = context.plain("card.unknown_event")
    else:
        refusal = may_show_ticket(event, registration, context.now())
        if refusal is not None:
            position = registration.waitlist_position or 1
            problem = context.plain(_REFUSAL_KEYS[refusal], position=position)
    if problem is not None or event is None or registration.ticket is None:
        await query.answer(problem or context.plain("ticket.not_found"), show_alert=True)
        return
    await query.answer()
    png = qr_png(check_in_url(context.bot.username, registration.ticket))
    caption = context.text(
        "ticket.caption",
        title=event.title,
        when=renderer(context).event_time(event),
        name=registration.name or "",
        code=registration.ticket,
    )
    await context.bot.send_photo(
        update.effective_chat.id,
        InputFile(png, filename="ticket.png"),
        caption=caption,
        reply_markup=back_to_card(context, event),
    )


def build_handlers() -> list:
    """The ticket button."""
    return [CallbackQueryHandler(show_ticket, pattern(Action.TICKET))]
