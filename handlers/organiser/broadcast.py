"""/rundschreiben, /broadcast: an organiser's message, copied as written to an audience.

The dialogue: the organiser sends any message (formatted text, photo, document), picks the
audience (subscribers; confirmed attendees of an event; its waitlist), sees the message copied
back as a preview with the number of recipients, and confirms. Confirming writes the broadcast
and one outbox row per recipient in one transaction; the paced sender copies the message to
each (``copyMessage``, so formatting and media stay as written). The repeating job
:data:`PROGRESS_JOB` edits the organiser's progress message at most every few seconds and, when
nothing is left to send, sends the final report. After a restart the job finds unfinished
broadcasts in the database and shows their progress again; the sender drains their rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext, BotData
from bot.jobs import replace_repeating_job
from bot.outgoing import OutgoingMessage
from bot.state import BroadcastDraft, ProgressTracker, ShownProgress
from handlers.organiser.broadcast_buttons import broadcast_markup, markup_of_row
from handlers.ui import way_on
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import END, abort_button, organisers_only
from handlers.ui.picker import show_picker
from storage import broadcasts as broadcast_store
from storage import events as event_store
from storage.broadcasts import Audience, Progress
from storage.users import language_of

log = logging.getLogger(__name__)


class BroadcastState(IntEnum):
    """Conversation states of the broadcast dialogue (20–29: they share a ConversationHandler
    with the event editor's states)."""

    MESSAGE = 20
    AUDIENCE = 21
    EVENT = 22
    CONFIRM = 23


MESSAGE, AUDIENCE, EVENT, CONFIRM = BroadcastState
PROGRESS_JOB = "broadcast-progress"
PROGRESS_INTERVAL = 3.0  # seconds between runs of the progress job
PROGRESS_EDIT_INTERVAL = timedelta(seconds=3)  # at most one edit of a progress message per …


def draft_of(context: BotContext) -> BroadcastDraft | None:
    """This organiser's broadcast so far (``None`` outside one)."""
    return context.user_data.broadcast_draft if context.user_data is not None else None


# --- the dialogue --------------------------------------------------------------------------


@organisers_only
async def start(update: Update, context: BotContext) -> str:
    """/rundschreiben, /broadcast or the menu button: ask for the message."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    context.user_data.broadcast_draft = BroadcastDraft()
    await context.bot.send_message(
        update.effective_chat.id,
        context.text("broadcast.ask_message"),
        reply_markup=InlineKeyboardMarkup([[abort_button(context)]]),
    )
    return MESSAGE


async def audience_markup(context: BotContext) -> InlineKeyboardMarkup:
    """The audience buttons (subscribers with their count, an evening's people, ✖)."""
    subscribers = await broadcast_store.count_recipients(context.db, Audience.SUBSCRIBERS, None)
    labels = (
        (Audience.SUBSCRIBERS, context.plain("broadcast.to_subscribers", count=subscribers)),
        (Audience.CONFIRMED, context.plain("broadcast.to_confirmed")),
        (Audience.WAITLIST, context.plain("broadcast.to_waitlist")),
    )
    rows = [
        [InlineKeyboardButton(label, callback_data=pack(Action.BROADCAST_AUDIENCE, audience))]
        for audience, label in labels
    ]
    rows.append([abort_button(context)])
    return InlineKeyboardMarkup(rows)


@organisers_only
async def receive_message(update: Update, context: BotContext) -> str | int:
    """The message to send (any kind): who should get it?"""
    draft = draft_of(context)
    if draft is None:
        return END
    message = update.effective_message
    draft.chat_id, draft.message_id = message.chat_id, message.message_id
    await message.reply_text(
        context.text("broadcast.ask_audience"), reply_markup=await audience_markup(context)
    )
    return AUDIENCE


@organisers_only
async def choose_audience(update: Update, context: BotContext) -> str | int:
    """Subscribers go straight to the preview; an event's people need the event first."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = draft_of(context)
    try:
        audience = Audience(callback.arg() if callback else "")
    except ValueError:
        audience = None
    if draft is None or draft.message_id is None or audience is None:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END if draft is None else AUDIENCE
    await query.answer()
    draft.audience, draft.event_id = audience, None
    if audience is Audience.SUBSCRIBERS:
        return await preview(update, context, draft)
    await show_picker(update, context, "bc")
    return EVENT


@organisers_only
async def choose_event(update: Update, context: BotContext) -> str | int:
    """The event whose attendees (or waitlist) should get the message."""
    query = update.callback_query
    callback = unpack(query.data)
    draft = draft_of(context)
    event = await event_store.get_event(context.db, (callback.arg() if callback else None) or "")
    if draft is None or draft.audience in (None, Audience.SUBSCRIBERS) or event is None:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END if draft is None else EVENT
    await query.answer()
    draft.event_id = event.id
    return await preview(update, context, draft)


async def _audience_text(context: BotContext, draft: BroadcastDraft) -> Markup:
    if draft.audience is Audience.SUBSCRIBERS:
        return context.text("broadcast.audience_subscribers")
    event = await event_store.get_event(context.db, draft.event_id or "")
    title = event.title if event else draft.event_id
    key = (
        "broadcast.audience_confirmed"
        if draft.audience is Audience.CONFIRMED
        else "broadcast.audience_waitlist"
    )
    return context.text(key, title=title)


async def preview(update: Update, context: BotContext, draft: BroadcastDraft) -> str:
    """Copy the message back to the organiser and say how many would get it."""
    chat_id = update.effective_chat.id
    assert draft.audience is not None and draft.chat_id is not None
    count = await broadcast_store.count_recipients(context.db, draft.audience, draft.event_id)
    audience = await _audience_text(context, draft)
    if count == 0:
        await context.bot.send_message(
            chat_id,
            context.text("broadcast.nobody", audience=audience),
            reply_markup=await audience_markup(context),
        )
        return AUDIENCE
    try:
        event = await event_store.get_event(context.db, draft.event_id or "")
        buttons = broadcast_markup(
            context.services.translator, context.lang, draft.audience, event
        )
        await context.bot.copy_message(
            chat_id, draft.chat_id, draft.message_id, reply_markup=buttons
        )
    except BadRequest:  # e.g. a kind of message that cannot be copied
        await context.bot.send_message(chat_id, context.text("broadcast.cannot_copy"))
        return MESSAGE
    send = InlineKeyboardButton(
        context.plain("broadcast.send", count=count), callback_data=pack(Action.BROADCAST_SEND)
    )
    await context.bot.send_message(
        chat_id,
        context.text("broadcast.preview", count=count, audience=audience),
        reply_markup=InlineKeyboardMarkup([[send], [abort_button(context)]]),
    )
    return CONFIRM


@organisers_only
async def send(update: Update, context: BotContext) -> int:
    """The "Senden" button: write the broadcast and its outbox rows (the pressed message then
    shows the progress)."""
    query = update.callback_query
    draft = draft_of(context)
    if draft is None or draft.audience is None or draft.chat_id is None:
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return END
    await query.answer()
    context.user_data.broadcast_draft = None
    progress_message = query.message
    now = context.now()
    created = await broadcast_store.create_broadcast(
        context.db,
        created_by=update.effective_user.id,
        source_chat_id=draft.chat_id,
        source_message_id=draft.message_id or 0,
        audience=draft.audience,
        event_id=draft.event_id,
        progress_chat_id=progress_message.chat_id,
        progress_message_id=progress_message.message_id,
        now=now,
    )
    if created.duplicate:
        await reply_or_edit(update, context, context.text("broadcast.duplicate"))
        return END
    if created.broadcast_id is None:
        await reply_or_edit(update, context, context.text("broadcast.nobody_now"))
        return END
    text = context.text("broadcast.progress", done=0, total=created.recipients)
    await reply_or_edit(update, context, text)
    _tracker(context.application).shown[created.broadcast_id] = ShownProgress(text, now)
    return END


def dialogue_parts() -> tuple[list[BaseHandler], dict[object, list[BaseHandler]]]:
    """Entry points and states of the broadcast dialogue (joined in ``admin.build_dialogues``)."""
    entry_points: list[BaseHandler] = [
        CommandHandler(["rundschreiben", "broadcast"], start, filters.ChatType.PRIVATE),
        CallbackQueryHandler(start, pattern(Action.BROADCAST)),
    ]
    states: dict[object, list[BaseHandler]] = {
        MESSAGE: [MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, receive_message)],
        AUDIENCE: [CallbackQueryHandler(choose_audience, pattern(Action.BROADCAST_AUDIENCE))],
        EVENT: [CallbackQueryHandler(choose_event, pattern(Action.BROADCAST_EVENT))],
        CONFIRM: [CallbackQueryHandler(send, pattern(Action.BROADCAST_SEND))],
    }
    return entry_points, states


# --- delivery: the sender's renderer -------------------------------------------------------


async def render_broadcast(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """An outbox row of a broadcast: a copy of the organiser's message, as written, with the
    button row that names the series or the evening (:mod:`.broadcast_buttons`)."""
    try:
        source = int(payload["from_chat_id"]), int(payload["message_id"])
    except (KeyError, TypeError, ValueError):
        return None
    return OutgoingMessage.copy(*source, await markup_of_row(data, lang, payload))


# --- progress and the report ---------------------------------------------------------------


def _tracker(application: Application) -> ProgressTracker:
    """This process's progress messages (a field of ``bot_data``, made in bot.app)."""
    return application.bot_data.broadcast_progress


async def report_progress(application: Application) -> None:
    """Update every unfinished broadcast's progress message (at most every few seconds); close
    finished ones and send their report. Broadcasts this process has not shown yet (after a
    restart) get a new progress message."""
    data: BotData = application.bot_data
    tracker = _tracker(application)
    now = data.clock.now()
    for progress in await broadcast_store.unfinished(data.db):
        lang = await language_of(data.db, progress.created_by, data.settings.default_language)
        if progress.open == 0:
            if await broadcast_store.mark_done(data.db, progress.id, now):
                await _finish(application, progress, lang)
                tracker.shown.pop(progress.id, None)
            continue
        shown = tracker.shown.get(progress.id)
        if shown is None:
            await _resume(application, progress, lang, now)
            continue
        if now - shown.at < PROGRESS_EDIT_INTERVAL:
            continue
        text = data.translator.text(
            lang, "broadcast.progress", done=progress.processed, total=progress.total
        )
        if text != shown.text and await _edit(application, progress, text):
            tracker.shown[progress.id] = ShownProgress(text, now)


async def _edit(application: Application, progress: Progress, text: str) -> bool:
    if progress.progress_chat_id is None or progress.progress_message_id is None:
        return False
    try:
        await application.bot.edit_message_text(
            text, chat_id=progress.progress_chat_id, message_id=progress.progress_message_id
        )
    except TelegramError as exc:  # deleted by the organiser, bot blocked …: progress is optional
        log.warning("Progress of broadcast %s not shown: %s", progress.id, exc)
        return False
    return True


async def _resume(application: Application, progress: Progress, lang: str, now: datetime) -> None:
    data: BotData = application.bot_data
    chat_id = progress.progress_chat_id or progress.created_by
    # The old progress message froze when the process stopped: say so, the new one follows.
    await _edit(application, progress, data.translator.text(lang, "broadcast.interrupted"))
    text = data.translator.text(
        lang, "broadcast.progress_resumed", done=progress.processed, total=progress.total
    )
    try:
        message = await application.bot.send_message(chat_id, text)
    except TelegramError as exc:
        log.warning("Progress of broadcast %s not shown: %s", progress.id, exc)
    else:
        await broadcast_store.set_progress_message(
            data.db, progress.id, message.chat_id, message.message_id
        )
    # Shown (or not showable): either way the next edit waits the usual interval.
    _tracker(application).shown[progress.id] = ShownProgress(text, now)


async def _finish(application: Application, progress: Progress, lang: str) -> None:
    data: BotData = application.bot_data
    translator = data.translator
    await _edit(
        application, progress, translator.text(lang, "broadcast.finished", count=progress.total)
    )
    report = translator.text(
        lang,
        "broadcast.report",
        count=progress.total,
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed - progress.interrupted,
    )
    if progress.interrupted:
        line = translator.text(lang, "broadcast.report_interrupted", count=progress.interrupted)
        report = Markup("\n").join([report, line])
    try:
        await application.bot.send_message(
            progress.progress_chat_id or progress.created_by,
            report,
            reply_markup=way_on.admin_menu_in(translator, lang),
        )
    except TelegramError as exc:
        log.warning("Report of broadcast %s not sent: %s", progress.id, exc)


async def progress_job(context: BotContext) -> None:
    """The repeating job :data:`PROGRESS_JOB`."""
    await report_progress(context.application)


def start_progress(application: Application) -> None:
    """At start-up: (re)start the progress job; it also picks up broadcasts a crash
    interrupted (their rows still pending are drained by the sender)."""
    replace_repeating_job(
        application,
        progress_job,
        name=PROGRESS_JOB,
        interval=PROGRESS_INTERVAL,
        first=PROGRESS_INTERVAL,
    )
