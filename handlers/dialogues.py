"""Leaving dialogues: ``/start`` always starts afresh, and a failure never leaves anyone stuck.

A dialogue is a ``ConversationHandler`` waiting for this person's next input (a name to register
under, an event field, a broadcast message). ``/start`` is registered before every dialogue, so
it always answers; this module makes it also end whatever dialogue the person was in, so the
next thing they type is not taken as the answer to a question they have left behind. The error
handler ends dialogues the same way after a failure.

Only public PTB API: every dialogue is built with :func:`leavable` states, whose first handler
ends the dialogue on ``/start``. :func:`end_dialogues` offers each ConversationHandler a
``/start`` of this person (``check_update``/``handle_update``); a dialogue the person is in
answers it by ending, every other one ignores it.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Message, MessageEntity, Update
from telegram.constants import MessageEntityType
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

from bot.context import BotContext

END_COMMAND = "start"


async def _end(update: Update, context: BotContext) -> int:
    return ConversationHandler.END


def leavable(states: Mapping[object, list[BaseHandler]]) -> dict[object, list[BaseHandler]]:
    """``states`` with a first handler in each that ends the dialogue on ``/start`` (so that
    :func:`end_dialogues` can end it); every ConversationHandler is built with these."""
    end = CommandHandler(END_COMMAND, _end)
    return {state: [end, *handlers] for state, handlers in states.items()}


def _start_of(update: Update, application: Application) -> Update | None:
    """A ``/start`` from the sender of ``update`` in its chat (``None`` without user or chat)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    message = Message(
        message_id=0,
        date=application.bot_data.clock.now(),
        chat=chat,
        from_user=user,
        text=f"/{END_COMMAND}",
        entities=[MessageEntity(MessageEntityType.BOT_COMMAND, 0, len(END_COMMAND) + 1)],
    )
    message.set_bot(application.bot)
    return Update(update_id=update.update_id, message=message)


def _conversations(handlers: list[BaseHandler]) -> list[ConversationHandler]:
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            found.append(handler)
            for state_handlers in handler.states.values():
                found += _conversations(state_handlers)
    return found


async def end_dialogues(application: Application, update: Update, context: BotContext) -> int:
    """End every dialogue the sender of ``update`` is in (in this chat); return how many."""
    start = _start_of(update, application)
    if start is None:
        return 0
    ended = 0
    for group in application.handlers.values():
        for handler in _conversations(group):
            check = handler.check_update(start)
            if check is not None and check is not False:
                await handler.handle_update(start, application, check, context)
                ended += 1
    return ended


async def start_afresh(update: Update, context: BotContext) -> None:
    """Before ``/start`` is answered: leave any dialogue (the answer itself is start's)."""
    await end_dialogues(context.application, update, context)


def build_handlers() -> list[BaseHandler]:
    """For a group of its own that runs before the features (it answers nothing itself)."""
    return [CommandHandler("start", start_afresh)]
