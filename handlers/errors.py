"""The one error handler: log with traceback, apologise to the user, tell the organisers.

Nothing a handler or job raises may leave a person without an answer or stuck in a dialogue:
the user gets a short apology in their language, any dialogue they were in is ended (so the
next ``/start`` or command starts afresh), and the organisers get one escaped alert — at most
one a minute, however many errors a storm produces. The log line carries ids only (update,
user, chat, button action), never names, typed text or tickets, which may be in the update.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import Application

from bot.callbacks import unpack
from bot.context import BotContext
from bot.state import AlertThrottle
from handlers.dialogues import end_dialogues
from handlers.ui import way_on
from handlers.users import forget_user
from storage import users as user_store

log = logging.getLogger(__name__)

ALERT_SUMMARY_LIMIT = 500  # characters of the exception shown to organisers


def alert_throttle(application: Application) -> AlertThrottle:
    """The application's throttle (a field of ``bot_data``, made in bot.app)."""
    return application.bot_data.error_alerts


def describe(update: object) -> str:
    """Ids of an update for the log: never names, texts or tickets."""
    if not isinstance(update, Update):
        return "no update (job or start-up)"
    parts = [f"update {update.update_id}"]
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id} ({update.effective_chat.type})")
    if update.callback_query is not None:
        callback = unpack(update.callback_query.data)
        parts.append(f"button {callback.action if callback else '?'}")
    elif update.effective_message is not None:
        text = update.effective_message.text or ""
        parts.append(f"command {text.split()[0].split('@')[0]}" if text[:1] == "/" else "message")
    return ", ".join(parts)


async def handle_error(update: object, context: BotContext) -> None:
    """Log the exception; end the user's dialogue; apologise; alert organisers (throttled)."""
    error = context.error
    log.error("Error in %s: %s", describe(update), type(error).__name__, exc_info=error)
    try:
        if isinstance(update, Update):
            await end_dialogues(context.application, update, context)
            if isinstance(error, Forbidden) and update.effective_user is not None:
                await _mark_blocked(context, update.effective_user.id)
                return  # they blocked the bot: no apology can reach them, nothing to report
            await _apologise(update, context)
        if isinstance(error, NetworkError):
            return  # Telegram unreachable or slow: not news for the organisers, and retried
        await _alert_organisers(context, error, update)
    except Exception:  # the error handler must never raise itself
        log.exception("The error handler failed for %s", describe(update))


async def _apologise(update: Update, context: BotContext) -> None:
    """A short message in the user's language, in the private chat (or as a reply to a command
    in a group). A message rather than a callback answer: the failed handler may already have
    answered the button press, and Telegram refuses a second answer."""
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type != "private" and (update.message is None or not update.message.text):
        return  # a button in a group: no apology in front of everyone
    try:
        await context.bot.send_message(chat.id, context.text("common.error"))
    except TelegramError as exc:
        log.warning("Could not apologise in %s: %s", describe(update), type(exc).__name__)


async def _mark_blocked(context: BotContext, user_id: int) -> None:
    with contextlib.suppress(Exception):
        await user_store.mark_blocked(context.db, user_id, context.now())
    forget_user(context.application, user_id)


async def _alert_organisers(
    context: BotContext, error: BaseException | None, update: object
) -> None:
    suppressed = alert_throttle(context.application).admit(context.now())
    if suppressed is None:
        return
    summary = f"{type(error).__name__}: {error}"[:ALERT_SUMMARY_LIMIT]
    translator = context.services.translator
    default = context.settings.default_language
    for admin_id in sorted(context.settings.admin_ids):
        try:
            lang = await user_store.language_of(context.db, admin_id, default)
        except Exception:  # the database may be what failed
            lang = default
        text = translator.text(lang, "error.organiser_alert", error=summary)
        text += "\n" + translator.text(lang, "errors.where", where=describe(update))
        if suppressed:
            text += "\n" + translator.text(lang, "errors.suppressed", count=suppressed)
        try:
            await context.bot.send_message(
                admin_id, text, reply_markup=way_on.admin_menu_in(translator, lang)
            )
        except TelegramError as exc:
            log.warning("Could not alert organiser %s: %s", admin_id, type(exc).__name__)
