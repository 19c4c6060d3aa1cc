"""Reminders (PRODUCT §4): the message, its "Ich kann nicht kommen" button, and the jobs.

The database decides what is due (``storage.reminders``); the JobQueue only asks it every
:data:`CHECK_SECONDS` and once at start-up (the catch-up after downtime), and the paced sender
(``bot.sender``) delivers the queued rows. The reminder is rendered when it is sent, in the
recipient's stored language, and not at all if it no longer applies (sign-up cancelled, event
moved, cancelled or begun).

"Ich kann nicht kommen" asks once more, then cancels through ``storage.registrations.cancel``,
which moves the waitlist up in the same transaction; the people moved up are told through the
outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext, BotData
from bot.i18n import Html, Translator
from bot.render import Renderer
from bot.sender import OutgoingMessage, kick_outbox, register_renderer
from handlers.browsing import reply_or_edit
from storage import events as event_store
from storage import registrations as registration_store
from storage.db import to_db_time
from storage.models import Event, EventStatus, Registration, RegistrationStatus
from storage.outbox import OutboxKind
from storage.registrations import CancelOutcome
from storage.reminders import plan_due_reminders

REMINDERS_JOB = "reminders"
CHECK_SECONDS = 30  # how late a reminder may go out at most (plus the sender's heartbeat)


# --- the message -----------------------------------------------------------------------------


def reminder_content(
    translator: Translator, lang: str, tz: ZoneInfo, event: Event, registration: Registration
) -> tuple[Html, InlineKeyboardMarkup]:
    """Text and buttons of a reminder: title, date and time, venue and address; a venue button
    and "Ich kann nicht kommen"."""
    render = Renderer(translator, lang, tz)
    if event.address:
        where = render.text("reminders.where_address", venue=event.venue, address=event.address)
    else:
        where = render.text("reminders.where", venue=event.venue)
    text = render.text(
        "reminders.text", title=event.title, when=render.event_time(event), where=where
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    translator.plain(lang, "reminders.button_venue"),
                    callback_data=pack(Action.VENUE, event.id),
                )
            ],
            [
                InlineKeyboardButton(
                    translator.plain(lang, "reminders.button_cant_come"),
                    callback_data=pack(Action.REMINDER_CANT_COME, registration.id),
                )
            ],
        ]
    )
    return text, markup


def _applies(event: Event | None, registration: Registration | None, now: datetime) -> bool:
    """Whether a reminder still makes sense: confirmed for a scheduled event not yet begun."""
    return (
        event is not None
        and registration is not None
        and registration.status is RegistrationStatus.CONFIRMED
        and event.status is EventStatus.SCHEDULED
        and event.starts_at > now
    )


async def render_reminder(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``reminder``; ``None`` when it no longer applies (sign-up cancelled, event
    cancelled, begun, or moved: the new time has reminders of its own)."""
    registration = await registration_store.get_registration(
        data.db, int(payload["registration_id"])
    )
    event = await event_store.get_event(data.db, str(payload["event_id"]))
    if not _applies(event, registration, data.clock.now()):
        return None
    assert event is not None and registration is not None
    if to_db_time(event.starts_at) != payload.get("starts_at"):
        return None
    text, markup = reminder_content(data.translator, lang, data.settings.tz, event, registration)
    return OutgoingMessage.html(text, markup)


# --- "Ich kann nicht kommen" -------------------------------------------------------------------


async def _own_registration(
    update: Update, context: BotContext
) -> tuple[Registration, Event] | None:
    """The pressed button's registration if it belongs to the presser; else answers the press
    with a neutral alert (a forged id reveals nothing) and returns ``None``."""
    query = update.callback_query
    callback = unpack(query.data)
    registration_id = callback.int_arg() if callback else None
    registration = (
        await registration_store.get_registration(context.db, registration_id)
        if registration_id is not None
        else None
    )
    event = (
        await event_store.get_event(context.db, registration.event_id) if registration else None
    )
    if registration is None or event is None or registration.user_id != update.effective_user.id:
        await query.answer(context.plain("reminders.gone"), show_alert=True)
        return None
    return registration, event


async def press_cant_come(update: Update, context: BotContext) -> None:
    """ "Ich kann nicht kommen": ask once more before the seat is given away."""
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    query = update.callback_query
    if registration.status is RegistrationStatus.CANCELLED:
        await query.answer()
        await reply_or_edit(update, context, context.text("reminders.already_cancelled"))
        return
    if event.starts_at <= context.now():
        await query.answer(context.plain("reminders.too_late"), show_alert=True)
        return
    await query.answer()
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.plain("reminders.button_confirm"),
                    callback_data=pack(Action.REMINDER_CANT_COME_CONFIRM, registration.id),
                ),
                InlineKeyboardButton(
                    context.plain("reminders.button_keep"),
                    callback_data=pack(Action.REMINDER_KEEP, registration.id),
                ),
            ]
        ]
    )
    text = context.text("reminders.confirm", title=event.title)
    await reply_or_edit(update, context, text, markup)


async def press_confirm_cancel(update: Update, context: BotContext) -> None:
    """ "Ja, Platz freigeben": cancel; the waitlist moves up in the same transaction."""
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    query = update.callback_query
    result = await registration_store.cancel(
        context.db, registration.id, update.effective_user.id, context.now()
    )
    if result.outcome is CancelOutcome.EVENT_PAST:
        await query.answer(context.plain("reminders.too_late"), show_alert=True)
        return
    if result.outcome is CancelOutcome.NOT_FOUND:
        await query.answer(context.plain("reminders.gone"), show_alert=True)
        return
    await query.answer()
    if result.outcome is CancelOutcome.ALREADY_CANCELLED:
        await reply_or_edit(update, context, context.text("reminders.already_cancelled"))
        return
    await reply_or_edit(update, context, context.text("reminders.cancelled", title=event.title))
    if result.promoted_user_ids:
        kick_outbox(context.application)


async def press_keep(update: Update, context: BotContext) -> None:
    """ "Nein, ich komme": the reminder as it was."""
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    await update.callback_query.answer()
    if registration.status is RegistrationStatus.CANCELLED:
        await reply_or_edit(update, context, context.text("reminders.already_cancelled"))
        return
    text, markup = reminder_content(
        context.services.translator, context.lang, context.settings.tz, event, registration
    )
    await reply_or_edit(update, context, text, markup)


# --- jobs --------------------------------------------------------------------------------------


async def check_reminders(context: BotContext) -> None:
    """The repeating job: queue whatever the database says is due, then start sending."""
    await plan_and_kick(context.application)


async def plan_and_kick(application: Application) -> int:
    """Plan due reminders now; kick the sender if any were queued. Returns how many."""
    data: BotData = application.bot_data
    queued = await plan_due_reminders(data.db, data.clock.now(), data.settings.reminder_offsets)
    if queued:
        kick_outbox(application)
    return queued


async def start_reminders(application: Application) -> None:
    """At start-up (``post_init``): catch up on reminders that fell due while the bot was down
    (only the latest missed one per person), then check every :data:`CHECK_SECONDS`.

    ``misfire_grace_time=None``: APScheduler's default of one second would silently skip a run
    that starts late (a busy loop, a suspended machine). The interval is given in seconds, so
    no naive datetime is ever read in ``Defaults.tzinfo``.
    """
    await plan_and_kick(application)
    job_queue = application.job_queue
    if job_queue is None:
        return
    for job in job_queue.get_jobs_by_name(REMINDERS_JOB):
        job.schedule_removal()
    job_queue.run_repeating(
        check_reminders,
        interval=CHECK_SECONDS,
        first=CHECK_SECONDS,
        name=REMINDERS_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )


def build_handlers() -> list:
    """The reminder's buttons (the venue button is the card's, handled by browsing)."""
    return [
        CallbackQueryHandler(press_cant_come, pattern(Action.REMINDER_CANT_COME)),
        CallbackQueryHandler(press_confirm_cancel, pattern(Action.REMINDER_CANT_COME_CONFIRM)),
        CallbackQueryHandler(press_keep, pattern(Action.REMINDER_KEEP)),
    ]


def register_renderers() -> None:
    """Let the paced sender send reminders."""
    register_renderer(OutboxKind.REMINDER, render_reminder)
