"""Cancelling an evening from the organiser menu: a confirmation saying who will be told, then
the cancellation (``storage.events`` queues the notices for everyone signed up)."""

from __future__ import annotations

import dataclasses

from telegram import InlineKeyboardMarkup, Update

from bot.callbacks import Action, unpack
from bot.context import BotContext
from bot.state import EventDraft
from domain.lifecycle import may_cancel_evening
from domain.models import Event, EventStatus
from handlers.organiser.event_draft import CANCEL_CONFIRM, END, draft_of, gone, refuse
from handlers.ui import way_on
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import abort_button, organisers_only
from handlers.ui.reader import renderer
from storage import events as event_store


def _cancelled(event: Event) -> Event:
    return dataclasses.replace(event, status=EventStatus.CANCELLED)


@organisers_only
async def start_cancel(update: Update, context: BotContext) -> int:
    """An event chosen in the cancel picker: confirm, saying who will be told."""
    query = update.callback_query
    callback = unpack(query.data)
    event = await event_store.get_event(context.db, (callback.arg() if callback else None) or "")
    if event is None:
        return await gone(update, context)
    refusal = may_cancel_evening(event, context.now())
    if refusal is not None:
        return await refuse(update, context, refusal)
    await query.answer()
    counts = await event_store.seat_counts(context.db, event.id)
    context.user_data.event_draft = EventDraft(mode="cancel", event_id=event.id)
    text = context.text(
        "editor.cancel_confirm",
        title=event.title,
        when=renderer(context).when(event.starts_at),
        confirmed=counts.confirmed,
        waitlisted=counts.waitlisted,
    )
    markup = InlineKeyboardMarkup(
        [[context.button("editor.cancel_yes", Action.EVENT_CANCEL_YES), abort_button(context)]]
    )
    await reply_or_edit(update, context, text, markup)
    return CANCEL_CONFIRM


@organisers_only
async def confirm_cancel(update: Update, context: BotContext) -> int:
    """ "Ja, absagen": the event is cancelled; everyone signed up is told."""
    query = update.callback_query
    draft = draft_of(context)
    if draft is None or draft.mode != "cancel":
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    context.user_data.event_draft = None
    done = await event_store.change_event(
        context.db, draft.event_id or "", may_cancel_evening, _cancelled, context.now()
    )
    if done.refusal is not None:
        return await refuse(update, context, done.refusal)
    assert done.before is not None and done.report is not None
    event, report = done.before, done.report
    await query.answer()
    if report.notified:
        text = context.text("editor.cancelled", title=event.title, count=report.notified)
    else:
        text = context.text("editor.cancelled_quiet", title=event.title)
    await reply_or_edit(update, context, text, way_on.to_admin_menu(context))
    return END
