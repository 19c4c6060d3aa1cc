"""The fake Telegram Bot API's own tests: a real, initialized PTB Application with two
handlers (a greeting with buttons, and a press that answers and edits), talking to a fresh
:class:`~testing.fake_telegram.FakeBotApi`; and Erika, chatting privately with it.

The fake must behave like Telegram where our bot can tell."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from testing.fake_telegram import FakeBotApi, FakeUser

USER_ID = 4711
# RetryAfter.retry_after warns about its future timedelta type; irrelevant here.
IGNORE_RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


@pytest.fixture(autouse=True)
def no_dead_ends() -> None:
    """The fake's own tests send bare messages on purpose: tests/conftest.py's dead-end check
    (of the bot's messages) is replaced by nothing here."""


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with two choices and a link."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja, gerne", callback_data="choice:yes"),
                InlineKeyboardButton("Nein", callback_data="choice:no"),
            ],
            [InlineKeyboardButton("Programm", url="https://example.org/programm")],
        ]
    )
    await update.effective_message.reply_text("<b>Willkommen</b> 👋", reply_markup=keyboard)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and replace the question by the choice."""
    query = update.callback_query
    await query.answer("Gespeichert")
    await query.edit_message_text(f"Gewählt: <i>{query.data}</i>")


@pytest.fixture
def api() -> FakeBotApi:
    """A fresh fake API."""
    return FakeBotApi()


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:
    """A real, initialized Application talking to the fake."""
    application = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(api)
        .get_updates_request(api)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choose))
    async with application:
        yield application


@pytest.fixture
def user(app: Application, api: FakeBotApi) -> FakeUser:
    """Erika, chatting privately with the bot."""
    return FakeUser(app, api, USER_ID, username="erika")
