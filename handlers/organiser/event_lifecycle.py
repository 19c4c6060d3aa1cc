"""Undoing a decision about a whole evening from the organiser menu: a cancelled evening is
reactivated (the people signed up are told and hold their places again), and an evening
nobody signed up for is deleted. Each shows a summary to confirm first; every answer leads on.
"""

from __future__ import annotations

import dataclasses

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from domain.lifecycle import may_delete, may_reactivate
from domain.models import Event, EventStatus
from domain.standing import Refusal
from handlers.organiser.event_draft import REFUSAL_KEYS
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import organisers_only
from handlers.ui.reader import renderer
from storage import events as event_store

PICK_LIMIT = 20  # evenings a picker offers; cancelled or unused evenings are few
LABEL_LIMIT = 48


def _menu(context: BotContext) -> list[InlineKeyboardButton]:
    return [context.button("admin.back", Action.ADMIN_MENU)]


def _event_button(context: BotContext, event: Event, action: str) -> InlineKeyboardButton:
    title = event.title if len(event.title) <= LABEL_LIMIT else event.title[:47] + "…"
    label = context.plain(
        "admin.pick_button", title=title, when=renderer(context).short_when(event.starts_at)
    )
    return InlineKeyboardButton(label, callback_data=pack(action, event.id))


async def _candidates(context: BotContext, reviving: bool) -> list[Event]:
    now = context.now()
    chosen = []
    for event in await event_store.list_all(context.db):
        if reviving:
            refusal = may_reactivate(event, now)
        else:
            refusal = may_delete(await event_store.registration_count(context.db, event.id))
        if refusal is None:
            chosen.append(event)
    return sorted(chosen, key=lambda event: event.starts_at)[:PICK_LIMIT]


@organisers_only
async def show_picker(update: Update, context: BotContext) -> None:
    """The menu's "reactivate" or "delete": the evenings that allow it."""
    query = update.callback_query
    callback = unpack(query.data)
    reviving = callback is not None and callback.action == Action.EVENT_REVIVE_LIST
    await query.answer()
    events = await _candidates(context, reviving)
    action = Action.EVENT_REVIVE if reviving else Action.EVENT_DELETE
    rows = [[_event_button(context, event, action)] for event in events]
    rows.append(_menu(context))
    if not events:
        key = "lifecycle.revive_none" if reviving else "lifecycle.delete_none"
    else:
        key = "lifecycle.revive_pick" if reviving else "lifecycle.delete_pick"
    await reply_or_edit(update, context, context.text(key), InlineKeyboardMarkup(rows))


def _event_id(update: Update) -> str:
    callback = unpack(update.callback_query.data)
    return (callback.arg() if callback else None) or ""


async def _event(update: Update, context: BotContext) -> Event | None:
    return await event_store.get_event(context.db, _event_id(update))


async def _refuse(update: Update, context: BotContext, refusal: Refusal) -> None:
    """Nothing changed, and the screen says why (with the way back to the menu)."""
    await update.callback_query.answer()
    markup = InlineKeyboardMarkup([_menu(context)])
    await reply_or_edit(update, context, context.text(REFUSAL_KEYS[refusal]), markup)


def _scheduled(event: Event) -> Event:
    return dataclasses.replace(event, status=EventStatus.SCHEDULED)


@organisers_only
async def confirm_revive(update: Update, context: BotContext) -> None:
    """An evening chosen to reactivate: the summary, and who will be told."""
    event = await _event(update, context)
    refusal = Refusal.UNKNOWN_EVENT if event is None else may_reactivate(event, context.now())
    if refusal is not None:
        await _refuse(update, context, refusal)
        return
    assert event is not None
    await update.callback_query.answer()
    counts = await event_store.seat_counts(context.db, event.id)
    text = context.text(
        "lifecycle.revive_confirm",
        title=event.title,
        when=renderer(context).when(event.starts_at),
        confirmed=counts.confirmed,
        waitlisted=counts.waitlisted,
    )
    markup = InlineKeyboardMarkup(
        [
            [context.button("lifecycle.revive_yes", Action.EVENT_REVIVE_YES, event.id)],
            _menu(context),
        ]
    )
    await reply_or_edit(update, context, text, markup)


@organisers_only
async def revive(update: Update, context: BotContext) -> None:
    """ "Ja, wieder ansetzen": scheduled again; the people signed up are told."""
    done = await event_store.change_event(
        context.db, _event_id(update), may_reactivate, _scheduled, context.now()
    )
    if done.refusal is not None:
        await _refuse(update, context, done.refusal)
        return
    assert done.before is not None and done.report is not None
    await update.callback_query.answer()
    title = done.before.title
    text = context.text("lifecycle.revived", count=done.report.notified, title=title)
    await reply_or_edit(update, context, text, InlineKeyboardMarkup([_menu(context)]))


@organisers_only
async def confirm_delete(update: Update, context: BotContext) -> None:
    """An evening chosen to delete: the summary first."""
    event = await _event(update, context)
    if event is None:
        refusal: Refusal | None = Refusal.UNKNOWN_EVENT
    else:
        refusal = may_delete(await event_store.registration_count(context.db, event.id))
    if refusal is not None:
        await _refuse(update, context, refusal)
        return
    assert event is not None
    await update.callback_query.answer()
    text = context.text(
        "lifecycle.delete_confirm", title=event.title, when=renderer(context).when(event.starts_at)
    )
    markup = InlineKeyboardMarkup(
        [
            [context.button("lifecycle.delete_yes", Action.EVENT_DELETE_YES, event.id)],
            _menu(context),
        ]
    )
    await reply_or_edit(update, context, text, markup)


@organisers_only
async def delete(update: Update, context: BotContext) -> None:
    """ "Ja, löschen": gone, if still nobody signed up (checked in the transaction)."""
    event = await _event(update, context)
    refusal = Refusal.UNKNOWN_EVENT if event is None else None
    if event is not None:
        refusal = await event_store.delete_event(context.db, event.id)
    if refusal is not None:
        await _refuse(update, context, refusal)
        return
    assert event is not None
    await update.callback_query.answer()
    text = context.text("lifecycle.deleted", title=event.title)
    await reply_or_edit(update, context, text, InlineKeyboardMarkup([_menu(context)]))


def build_handlers() -> list[BaseHandler]:
    """The pickers, summaries and confirmations of reactivating and deleting."""
    return [
        CallbackQueryHandler(
            show_picker, pattern(Action.EVENT_REVIVE_LIST, Action.EVENT_DELETE_LIST)
        ),
        CallbackQueryHandler(confirm_revive, pattern(Action.EVENT_REVIVE)),
        CallbackQueryHandler(revive, pattern(Action.EVENT_REVIVE_YES)),
        CallbackQueryHandler(confirm_delete, pattern(Action.EVENT_DELETE)),
        CallbackQueryHandler(delete, pattern(Action.EVENT_DELETE_YES)),
    ]
