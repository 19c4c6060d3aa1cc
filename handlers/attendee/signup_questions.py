"""The first sign-up's two questions (PRODUCT §4): the name to register under, and consent to
the privacy notice. The rules for a typed name live here too: what the attendee list, the CSV
and the check-in buttons can show.

The dialogue that asks them (and what it does with the answers) is :mod:`handlers.attendee.signup`.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User

from bot.callbacks import Action, pack
from bot.context import BotContext
from bot.files.certificate_fonts import printable_name
from domain.models import Event
from domain.names import has_visible_character

MAX_NAME_LENGTH = 100

# Line breaks, control characters and bidirectional overrides have no place in a name on the
# attendee list (the overrides can make a name read differently from what it is).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class NameProblem(StrEnum):
    """Why a typed name was refused; the value is the hint's message id."""

    EMPTY = "signup.name_empty"
    CONTROL = "signup.name_control"
    TOO_LONG = "signup.name_too_long"
    UNPRINTABLE = "signup.name_unprintable"  # a certificate could not print it (issue 24)


def _forbidden(char: str) -> bool:
    return unicodedata.category(char) in _FORBIDDEN_CATEGORIES or char in _BIDI_CONTROLS


def check_name(raw: str | None) -> str | NameProblem:
    """The name to register under (trimmed, inner spaces collapsed), or why it is refused."""
    name = (raw or "").strip()
    if not name:
        return NameProblem.EMPTY
    if any(_forbidden(char) for char in name):
        return NameProblem.CONTROL
    name = " ".join(name.split())
    if len(name) > MAX_NAME_LENGTH:
        return NameProblem.TOO_LONG
    if not has_visible_character(name):
        return NameProblem.EMPTY
    if printable_name(name) is None:
        return NameProblem.UNPRINTABLE
    return name


def telegram_name(user: User | None) -> str | None:
    """The user's Telegram name made fit for the attendee list (control characters dropped,
    cut to the longest name allowed), or ``None`` when that is no name :func:`check_name`
    accepts, e.g. nothing visible: then no "use my Telegram name" button is offered."""
    if user is None:
        return None
    cleaned = "".join(char for char in user.full_name if not _forbidden(char))
    name = check_name(" ".join(cleaned.split())[:MAX_NAME_LENGTH])
    return None if isinstance(name, NameProblem) else name


async def ask_name(update: Update, context: BotContext, event: Event) -> None:
    """First sign-up: ask the name to register under (typed, or the Telegram name), and
    remember for which evening (the typed answer has no button to carry it)."""
    context.user_data.signup_dialogue = {"event": event.id, "since": context.now()}
    name = telegram_name(update.effective_user)
    markup, question = None, "signup.ask_name_typed"  # nothing usable to offer: type it
    if name is not None:
        label = context.plain("signup.button_use_name", name=name)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=pack(Action.USE_NAME, event.id))]]
        )
        question = "signup.ask_name"
    await context.bot.send_message(
        update.effective_chat.id, context.text(question, title=event.title), reply_markup=markup
    )


async def ask_consent(update: Update, context: BotContext, event: Event) -> None:
    """First sign-up: ask consent to the privacy notice."""
    markup = InlineKeyboardMarkup(
        [
            [
                context.button("signup.button_consent", Action.CONSENT, event.id),
                context.button("signup.button_decline", Action.CONSENT_DECLINE, event.id),
            ]
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        context.text("signup.ask_consent", days=context.settings.data_retention_days),
        reply_markup=markup,
    )
