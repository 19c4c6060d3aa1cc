"""Leaving dialogues: ``/start`` always starts afresh, and a failure never leaves anyone stuck.

A dialogue is a ``ConversationHandler`` waiting for this person's next input (a name to register
under, an event field, a broadcast message). ``/start`` is registered before every dialogue, so
it always answers; this module makes it also end whatever dialogue the person was in, so the
next thing they type is not taken as the answer to a question they have left behind. The error
handler ends dialogues the same way after a failure.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

from bot.context import BotContext


def end_dialogues(application: Application, update: Update) -> int:
    """End every dialogue the sender of ``update`` is in (in this chat); return how many.

    PTB has no public call for this; ``_get_key``/``_update_state`` are the methods the
    ConversationHandler itself uses (stable across PTB 20–22, pinned ``<23`` in pyproject).
    """
    ended = 0

    def visit(handler: BaseHandler) -> None:
        nonlocal ended
        if not isinstance(handler, ConversationHandler):
            return
        with contextlib.suppress(RuntimeError):  # update without the chat/user/message of a key
            key = handler._get_key(update)
            if key in handler._conversations:
                handler._update_state(ConversationHandler.END, key)
                ended += 1
        for state_handlers in handler.states.values():
            for child in state_handlers:
                visit(child)

    for group in application.handlers.values():
        for handler in group:
            visit(handler)
    return ended


async def start_afresh(update: Update, context: BotContext) -> None:
    """Before ``/start`` is answered: leave any dialogue (the answer itself is start's)."""
    end_dialogues(context.application, update)


def build_handlers() -> list[BaseHandler]:
    """For a group of its own that runs before the features (it answers nothing itself)."""
    return [CommandHandler("start", start_afresh)]
