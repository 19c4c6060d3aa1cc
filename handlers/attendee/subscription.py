"""Announcements of new dates (PRODUCT §4): /abo, /subscribe switch them on and off; the first
/start asks once, with yes/no buttons under the welcome. The choice is stored with the user."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext, BotData
from bot.outgoing import OutgoingMessage
from bot.render import Renderer
from domain.evening import SignUpAction, is_upcoming, sign_up_action
from handlers.ui import editing
from handlers.ui.reader import is_group
from storage import events as event_store
from storage import users as user_store

QUESTION_PREFIX = pack(Action.SUBSCRIBE)  # the yes/no buttons' data starts with this
ANNOUNCED_BUTTONS = 5  # buttons under an announcement; the rest are in /termine
# An announced evening's button says what its card will offer (domain.evening.sign_up_action).
_OPEN_LABELS = {
    SignUpAction.SIGN_UP: "subscription.announcement_open",
    SignUpAction.WAITLIST: "subscription.announcement_waitlist",
    SignUpAction.VIEW: "subscription.announcement_view",
}


SETTING_VIEW = "s"  # second argument of the buttons under the /abo view: edit it in place


def _change_button(context: BotContext, subscribed: bool) -> InlineKeyboardButton:
    """The one button that changes the setting ``subscribed``."""
    key = "subscription.button_stop" if subscribed else "subscription.button_start"
    return InlineKeyboardButton(
        context.plain(key), callback_data=pack(Action.SUBSCRIBE, int(not subscribed), SETTING_VIEW)
    )


def _setting_view(
    context: BotContext, subscribed: bool, before: bool | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The setting and the one button that changes it. Without ``before`` (``/abo``) the text
    states the setting as it is; after a press it says what the press did: switched on "from
    now on", switched off "no more", or, for someone who never had them, that none come."""
    if before is None or before is subscribed:
        key = "subscription.state_on" if subscribed else "subscription.state_off"
    else:
        key = "subscription.on" if subscribed else "subscription.off"
    return context.text(key), InlineKeyboardMarkup([[_change_button(context, subscribed)]])


async def show_subscription(update: Update, context: BotContext) -> None:
    """/abo, /subscribe: whether announcements of new dates are on, with a button to change it
    (typing the command twice never flips the setting blindly)."""
    user = await user_store.get_user(context.db, update.effective_user.id)
    text, markup = _setting_view(context, user is not None and user.subscribed)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def reply_with_offer(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Send the /start welcome; the first time, with the question whether to announce new dates
    (and yes/no buttons) added to it. Asked once: the flag is set after a successful send."""
    user = update.effective_user
    stored = await user_store.get_user(context.db, user.id) if user else None
    offer = stored is not None and not stored.subscription_asked and not is_group(update)
    if offer:
        text = Markup("\n\n").join([text, context.text("subscription.question")])
        rows = [
            *markup.inline_keyboard,
            [
                context.button("subscription.button_yes", Action.SUBSCRIBE, 1),
                context.button("subscription.button_no", Action.SUBSCRIBE, 0),
            ],
        ]
        markup = InlineKeyboardMarkup(rows)
    await update.effective_message.reply_text(text, reply_markup=markup)
    if offer:
        await user_store.mark_subscription_asked(context.db, user.id)


def _without_question(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The pressed message's keyboard minus the yes/no row."""
    if markup is None:
        return None
    rows = [
        row
        for row in markup.inline_keyboard
        if not any((button.callback_data or "").startswith(QUESTION_PREFIX) for button in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def answer_question(update: Update, context: BotContext) -> None:
    """Yes / no under the question: store the choice, drop the buttons, confirm."""
    query = update.callback_query
    callback = unpack(query.data)
    choice = callback.arg() if callback else None
    if choice not in ("0", "1") or is_group(update):
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return
    subscribed = choice == "1"
    stored = await user_store.get_user(context.db, update.effective_user.id)
    before = stored is not None and stored.subscribed
    await user_store.set_subscribed(context.db, update.effective_user.id, subscribed)
    await query.answer()
    message = query.message
    text, markup = _setting_view(context, subscribed, before)
    if callback is not None and callback.arg(1) == SETTING_VIEW:
        if not await editing.edit_pressed(query, text, markup):
            await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
        return
    if isinstance(message, Message):
        remaining = _without_question(message.reply_markup)
        if remaining != message.reply_markup:  # a forged press elsewhere: nothing to remove
            with editing.tolerating_unchanged():
                await query.edit_message_reply_markup(remaining)
    # The confirmation carries the way back (an announcement's or broadcast's "no more").
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def render_announcement(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``announcement``: the new dates with a button each, and a way to stop.

    Dates that were cancelled or have begun by the time it is sent are left out (``None``
    when none is left)."""
    now = data.clock.now()
    events = []
    for event_id in payload.get("event_ids") or []:
        event = await event_store.get_event(data.db, str(event_id))
        if event is not None and is_upcoming(event, now):
            events.append(event)
    if not events:
        return None
    render = Renderer(data.translator, lang, data.settings.tz)
    parts = [render.text("subscription.announcement", count=len(events)), ""]
    parts.extend(
        render.text("subscription.announcement_line", title=e.title, when=render.when(e.starts_at))
        for e in events
    )
    rows = []
    for e in events[:ANNOUNCED_BUTTONS]:
        action = sign_up_action(e, await event_store.seat_counts(data.db, e.id), now)
        label = data.translator.plain(lang, _OPEN_LABELS[action], title=e.title)
        rows.append([InlineKeyboardButton(label, callback_data=pack(Action.CARD, e.id))])
    rows.append(
        [
            InlineKeyboardButton(
                data.translator.plain(lang, "subscription.announcement_stop"),
                callback_data=pack(Action.SUBSCRIBE, 0),
            )
        ]
    )
    return OutgoingMessage.html(Markup("\n").join(parts), InlineKeyboardMarkup(rows))


def build_handlers() -> list:
    """/abo, /subscribe and the answer buttons."""
    return [
        CommandHandler(["abo", "subscribe"], show_subscription, filters.ChatType.PRIVATE),
        CallbackQueryHandler(answer_question, pattern(Action.SUBSCRIBE)),
    ]
