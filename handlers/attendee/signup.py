"""Signing up from the event card (PRODUCT §4): the first time the name to register under and
consent to the privacy notice, after that one tap.

This module is the dialogue: it re-checks the evening, asks for what is missing
(:mod:`handlers.attendee.signup_questions`), signs up and lets
:mod:`handlers.attendee.signup_answers` tell the person how it went. Only the typed name needs
conversation state (a ``ConversationHandler`` keyed per chat and user). Every button carries the
event id and re-reads the current state, so the buttons of this dialogue keep working after a
restart and a forged or stale press changes nothing.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from domain.standing import SignUpOutcome, may_sign_up
from handlers.attendee.signup_answers import announce, notice
from handlers.attendee.signup_questions import (
    MAX_NAME_LENGTH,
    NameProblem,
    ask_consent,
    ask_name,
    check_name,
    telegram_name,
)
from handlers.dialogues import leavable
from handlers.ui import editing, way_on
from handlers.ui.reader import is_group
from storage import events as event_store
from storage import registrations as registration_store
from storage import users as user_store
from storage.registrations import SignUpResult


class SignupState(IntEnum):
    """Conversation states of the sign-up dialogue."""

    NAME = 1  # waiting for the typed name


NAME = SignupState.NAME
END = ConversationHandler.END
DIALOGUE_TIMEOUT = timedelta(hours=1)  # a name typed later is not taken as a name any more
CANCEL_COMMANDS = ("abbrechen", "cancel")


def _arg(update: Update) -> str | None:
    callback = unpack(update.callback_query.data)
    return callback.arg() if callback else None


async def _proceed(
    update: Update, context: BotContext, event_id: str | None, edit_pressed: bool
) -> int:
    """Re-check everything, then ask for what is missing or sign up."""
    query = update.callback_query
    if query is not None and is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    db, now, user_id = context.db, context.now(), update.effective_user.id
    event = await event_store.get_event(db, event_id) if event_id else None
    if event is None:
        await notice(update, context, None, edit_pressed, "card.unknown_event")
        return END
    existing = await registration_store.active_registration(db, event.id, user_id)
    refusal = may_sign_up(event, existing, now)
    if refusal is not None:  # the same rule sign_up applies in its transaction
        refused = SignUpResult(SignUpOutcome.REFUSED, existing, refusal)
        await announce(update, context, event, refused, edit_pressed)
        return END
    user = await user_store.get_user(db, user_id)
    if user is None or user.display_name is None:
        if query is not None:
            await query.answer()
        await ask_name(update, context, event)
        return NAME
    if user.consent_at is None:
        if query is not None:
            await query.answer()
        await ask_consent(update, context, event)
        return END
    result = await registration_store.sign_up(db, event.id, user_id, user.display_name, now)
    await announce(update, context, event, result, edit_pressed)
    return END


async def press_sign_up(update: Update, context: BotContext) -> int:
    """✍️ Anmelden: sign up at once, or ask for what is still missing (name, consent)."""
    return await _proceed(update, context, _arg(update), edit_pressed=False)


async def press_use_name(update: Update, context: BotContext) -> int:
    """👤 <Telegram name>: register under it and go on."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    name = telegram_name(update.effective_user)
    event_id = _arg(update)
    known = event_id is not None and await event_store.get_event(context.db, event_id) is not None
    if name is None or not known:  # offered for a usable name and an evening: forged or gone
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return NAME if _open_dialogue(context) is not None else END  # a name may still come
    await user_store.set_display_name(context.db, update.effective_user.id, name)
    context.user_data.signup_dialogue = None
    await editing.edit_pressed(query, context.text("signup.name_set", name=name))
    return await _proceed(update, context, _arg(update), edit_pressed=False)


def _open_dialogue(context: BotContext) -> dict[str, Any] | None:
    """The running name dialogue, or ``None`` when there is none or it has expired."""
    dialogue = context.user_data.signup_dialogue
    if dialogue is None or context.now() - dialogue["since"] > DIALOGUE_TIMEOUT:
        context.user_data.signup_dialogue = None
        return None
    return dialogue


async def receive_name(update: Update, context: BotContext) -> int:
    """The typed name: refused with a hint, or stored and the sign-up goes on."""
    dialogue = _open_dialogue(context)
    if dialogue is None:
        await update.effective_message.reply_text(
            context.text("signup.dialogue_expired"), reply_markup=way_on.to_events(context)
        )
        return END
    checked = check_name(update.effective_message.text)
    if isinstance(checked, NameProblem):
        hint = context.text(checked.value, limit=MAX_NAME_LENGTH)
        await update.effective_message.reply_text(hint)
        return NAME
    await user_store.set_display_name(context.db, update.effective_user.id, checked)
    context.user_data.signup_dialogue = None
    await update.effective_message.reply_text(context.text("signup.name_set", name=checked))
    return await _proceed(update, context, dialogue["event"], edit_pressed=False)


async def name_step_other(update: Update, context: BotContext) -> int:
    """A photo, sticker or the like while the name is awaited."""
    if _open_dialogue(context) is None:
        await update.effective_message.reply_text(context.text("common.fallback"))
        return END
    await update.effective_message.reply_text(context.text("signup.name_text_only"))
    return NAME


async def cancel_dialogue(update: Update, context: BotContext) -> int:
    """/abbrechen, /cancel during the name step: leave it, nothing stored."""
    context.user_data.signup_dialogue = None
    await update.effective_message.reply_text(
        context.text("signup.dialogue_cancelled"), reply_markup=way_on.to_events(context)
    )
    return END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/abbrechen, /cancel with no dialogue running."""
    await update.effective_message.reply_text(
        context.text("signup.nothing_to_cancel"), reply_markup=way_on.to_events(context)
    )


async def press_consent(update: Update, context: BotContext) -> int:
    """✅ Einverstanden: record the consent and sign up."""
    if is_group(update):
        await update.callback_query.answer(context.plain("signup.private_only"), show_alert=True)
        return END
    await user_store.give_consent(context.db, update.effective_user.id, context.now())
    return await _proceed(update, context, _arg(update), edit_pressed=True)


async def press_decline(update: Update, context: BotContext) -> int:
    """Nein, danke: no consent, no sign-up."""
    query = update.callback_query
    await query.answer()
    event_id = _arg(update)
    markup = way_on.to_card(context, event_id) if event_id else way_on.to_events(context)
    await editing.edit_pressed(query, context.text("signup.consent_declined"), markup)
    return END


def _forget_name(context: BotContext) -> None:
    """Left for a command or a press elsewhere (handlers.dialogues): no answer is awaited."""
    context.user_data.signup_dialogue = None


def build_conversation() -> ConversationHandler:
    """The sign-up dialogue; registered after the other features. A command or a press elsewhere
    while the name is awaited ends the wait (handlers.dialogues) and is answered as usual."""
    private = filters.ChatType.PRIVATE
    cancel = CommandHandler(CANCEL_COMMANDS, cancel_dialogue, filters=private)
    with warnings.catch_warnings():
        # Callback buttons here carry their own state (the event id); per-message tracking
        # is not wanted, so PTB's reminder about it is noise.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(press_sign_up, pattern(Action.SIGN_UP)),
                CallbackQueryHandler(press_use_name, pattern(Action.USE_NAME)),
                CallbackQueryHandler(press_consent, pattern(Action.CONSENT)),
                CallbackQueryHandler(press_decline, pattern(Action.CONSENT_DECLINE)),
            ],
            states=leavable(
                forget=_forget_name,
                states={
                    NAME: [
                        cancel,
                        MessageHandler(private & filters.TEXT & ~filters.COMMAND, receive_name),
                        MessageHandler(
                            private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, name_step_other
                        ),
                    ]
                },
            ),
            fallbacks=[cancel],
            allow_reentry=True,
            name="signup",
            persistent=True,  # survives a restart (bot.persistence)
        )


def build_handlers() -> list:
    """The sign-up dialogue (register after the other features, before the fallbacks)."""
    return [build_conversation()]


def build_cancel_fallback() -> list:
    """/abbrechen, /cancel when no dialogue claimed it: register right before the fallbacks."""
    return [CommandHandler(CANCEL_COMMANDS, nothing_to_cancel, filters.ChatType.PRIVATE)]
