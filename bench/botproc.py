"""One bot under test, in its own process, talking HTTP to the loopback fake.

``python -m bench.botproc CONFIG.json`` — started by :mod:`bench.loopback`, stopped with
SIGTERM (PTB's ``run_polling`` then shuts down cleanly). Kinds:

- ``production``: exactly ``python run.py`` (:func:`bot.cli.main.run_bot`): PTB's ``HTTPXRequest``,
  the production ``AIORateLimiter``, polling.
- ``lifted``: the same Application with the flood limiter lifted
  (:func:`testing.offline.unthrottled`), for throughput figures that are not capped at 30/s.
- ``same_calls``: a bare PTB bot that makes, per update, the Bot API calls the real bot made
  for that update in a recorded run (same texts and keyboards), and nothing else.
- ``echo``: a bare PTB bot answering every text with one message repeating it.

The bare bots get the same HTTP set-up as the real one (bounded concurrent updates, the same
connection pool, the same defaults), so the comparison is the bot's own work and nothing else.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.app import ALLOWED_UPDATES, CONCURRENT_UPDATES, CONNECTION_POOL_SIZE
from bot.settings import Settings

TOKEN = "123456:bench"


def settings_of(config: dict[str, Any]) -> Settings:
    """The real bot's settings: its database, the loopback base URL, no web server."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "bot_api_base_url": config["base_url"],
        "database_path": Path(config["database"]),
        "admin_ids": frozenset(config.get("admin_ids", ())),
        "web_port": 0,
        "log_level": "ERROR",
        **config.get("settings", {}),
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def bare_application(base_url: str) -> Application:
    """A bare PTB bot with the real bot's HTTP set-up and defaults, and no handlers yet."""
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(CONCURRENT_UPDATES)
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .build()
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The echo bot's only handler: one reply repeating the text."""
    await update.effective_message.reply_text(update.effective_message.text)


_DEFAULTED = {"parse_mode", "link_preview_options"}  # the bare bot's Defaults send these


class Replay:
    """Per chat, the recorded calls of each update, in order; made again for each update."""

    def __init__(self, recorded: dict[str, list[list[dict[str, Any]]]]) -> None:
        self.steps = {int(chat): steps for chat, steps in recorded.items()}
        self.done: defaultdict[int, int] = defaultdict(int)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Make the calls the real bot made for this chat's next update."""
        chat_id = update.effective_chat.id
        index = self.done[chat_id]
        self.done[chat_id] += 1
        bot = context.bot
        for call in self.steps[chat_id][index]:
            method, params = call["method"], call["params"]
            markup = params.get("reply_markup")
            keyboard = InlineKeyboardMarkup.de_json(markup, bot) if markup else None
            plain = set(params) - _DEFAULTED
            if method == "answerCallbackQuery" and plain <= {"callback_query_id", "text"}:
                await update.callback_query.answer(text=params.get("text"))
            elif method == "sendMessage" and plain <= {"chat_id", "text", "reply_markup"}:
                await bot.send_message(chat_id, params["text"], reply_markup=keyboard)
            elif method == "editMessageText" and plain <= {
                "chat_id",
                "message_id",
                "text",
                "reply_markup",
            }:
                await bot.edit_message_text(
                    params["text"], chat_id, int(params["message_id"]), reply_markup=keyboard
                )
            else:  # anything else exactly as recorded
                if method == "answerCallbackQuery":
                    params = {**params, "callback_query_id": update.callback_query.id}
                await bot.do_api_request(method, api_kwargs=params)


def run(config: dict[str, Any]) -> int:
    """Build the bot of ``config['kind']`` and poll until SIGTERM."""
    kind = config["kind"]
    if kind == "production":
        from bot.cli.main import run_bot

        return run_bot(settings_of(config))
    if kind == "lifted":
        from bot.app import build_application
        from testing.offline import unthrottled

        application = build_application(settings_of(config), rate_limiter=unthrottled())
    else:
        application = bare_application(config["base_url"])
        if kind == "echo":
            application.add_handler(MessageHandler(filters.TEXT, _echo))
        else:
            recorded = json.loads(Path(config["replay"]).read_text(encoding="utf-8"))
            application.add_handler(TypeHandler(Update, Replay(recorded)))
    gc.collect()
    gc.freeze()  # as bot.cli.main does for the real bot
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


if __name__ == "__main__":
    if os.environ.get("BENCH_LOOP") == "uvloop":  # bench/loop_choice.py: does uvloop pay?
        import uvloop

        uvloop.install()
    sys.exit(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
