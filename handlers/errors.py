"""The one error handler: log with traceback, apologise to the user, tell the organisers."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.context import LANGUAGE_KEY, BotContext

log = logging.getLogger(__name__)

ORGANISER_ALERT_INTERVAL = 60.0  # seconds; an error storm becomes one message a minute
_LAST_ALERT_KEY = "last_error_alert"


async def handle_error(update: object, context: BotContext) -> None:
    """Log the exception; answer the user briefly; alert organisers at most once a minute."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    # A message rather than a callback answer: the failed handler may already have answered
    # the button press, and a second answer is refused by Telegram.
    try:
        if update.effective_chat is not None and update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, context.text("common.error"))
    except TelegramError:
        log.warning("Could not apologise for update %s", update_id)
    if isinstance(error, (NetworkError, Forbidden)):
        return  # transport trouble is not news for the organisers
    await _alert_organisers(context, error)


async def _alert_organisers(context: BotContext, error: BaseException | None) -> None:
    now = time.monotonic()
    last = context.application.bot_data.__dict__.get(_LAST_ALERT_KEY, float("-inf"))
    if now - last < ORGANISER_ALERT_INTERVAL:
        return
    context.application.bot_data.__dict__[_LAST_ALERT_KEY] = now
    summary = f"{type(error).__name__}: {error}"[:500]
    translator = context.services.translator
    for admin_id in context.settings.admin_ids:
        lang = context.application.user_data.get(admin_id, {}).get(LANGUAGE_KEY, "de")
        try:
            await context.bot.send_message(
                admin_id, translator.text(lang, "error.organiser_alert", error=summary)
            )
        except TelegramError:
            log.warning("Could not alert organiser %s", admin_id)
