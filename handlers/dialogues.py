"""Leaving dialogues: a typed answer is taken only while it is the current question.

A dialogue is a ``ConversationHandler`` waiting for this person's next input (a name to register
under, a question to the speakers, a comment, an event field, a broadcast message). Before any
feature sees an update (group :data:`bot.app.GROUP_START_AFRESH`), this module ends every
dialogue the person has left behind: ``/start`` ends them all; any other command, and any button
press, ends each dialogue whose current step does not take it (PRODUCT §4 "The name is the
person's to see and correct"). The command or press is then answered by its own feature, and the
next text typed is treated as what it is, never as a name by accident. Organisers' drafts stay
in ``user_data`` and can be resumed from /admin. The error handler ends dialogues the same way
after a failure.

Only public PTB API: every dialogue is built with :func:`leavable` states, whose first handler
ends the dialogue on ``/start``. :func:`end_dialogues` offers each ConversationHandler a
``/start`` of this person (``check_update``/``handle_update``); a dialogue the person is in
answers it by ending, every other one ignores it. :func:`end_dialogues_elsewhere` does so only
for the dialogues whose ``check_update`` does not take the command or press itself: buttons
that belong to a step but are answered elsewhere too (the door's tap list, the picker's paging)
are therefore also listed in that step, with callbacks that return ``None`` (the step stays).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping

from telegram import Message, MessageEntity, Update
from telegram.constants import MessageEntityType
from telegram.ext import (
    Application,
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    TypeHandler,
    filters,
)

from bot.context import BotContext

END_COMMAND = "start"


async def _end(update: Update, context: BotContext) -> int:
    return ConversationHandler.END


Forget = Callable[[BotContext], None]


def leavable(
    states: Mapping[object, list[BaseHandler]], forget: Forget | None = None
) -> dict[object, list[BaseHandler]]:
    """``states`` with a first handler in each that ends the dialogue on ``/start`` (so that
    :func:`end_dialogues` can end it); every ConversationHandler is built with these.
    ``forget(context)`` drops what the dialogue kept for the answer it no longer waits for
    (the organiser's drafts pass none: they are kept, to be resumed from /admin)."""

    async def end(update: Update, context: BotContext) -> int:
        if forget is not None and context.user_data is not None:
            forget(context)
        return ConversationHandler.END

    handler = CommandHandler(END_COMMAND, end)
    return {state: [handler, *handlers] for state, handlers in states.items()}


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


def _nested(handlers: list[BaseHandler]) -> list[ConversationHandler]:
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            found.append(handler)
            for state_handlers in handler.states.values():
                found += _nested(state_handlers)
    return found


# Every update asks the dialogues, so each application's are found once (its handlers are all
# registered before the first update: bot.app.register_handlers).
_FOUND: weakref.WeakKeyDictionary[Application, tuple[ConversationHandler, ...]] = (
    weakref.WeakKeyDictionary()
)


def _conversations(application: Application) -> tuple[ConversationHandler, ...]:
    found = _FOUND.get(application)
    if found is None:
        found = _FOUND[application] = tuple(
            conversation
            for group in application.handlers.values()
            for conversation in _nested(group)
        )
    return found


def _takes(handler: BaseHandler, update: Update) -> object | None:
    """What ``handler.check_update`` returned if it takes ``update``, else ``None``."""
    check = handler.check_update(update)
    return None if check is False else check


async def end_dialogues(application: Application, update: Update, context: BotContext) -> int:
    """End every dialogue the sender of ``update`` is in (in this chat); return how many."""
    start = _start_of(update, application)
    if start is None:
        return 0
    ended = 0
    for handler in _conversations(application):
        check = _takes(handler, start)
        if check is not None:
            await handler.handle_update(start, application, check, context)
            ended += 1
    return ended


async def end_dialogues_elsewhere(
    application: Application, update: Update, context: BotContext
) -> int:
    """End each dialogue of the sender whose current step does not take ``update`` (a command
    or a press meant for something else); return how many.

    Each dialogue is first asked whether the person is in it (most people are in none), and
    only then whether its current step takes ``update`` (or its entry, which restarts it)."""
    start = _start_of(update, application)
    if start is None:
        return 0
    ended = 0
    for handler in _conversations(application):
        check = _takes(handler, start)
        if check is not None and _takes(handler, update) is None:
            await handler.handle_update(start, application, check, context)
            ended += 1
    return ended


_START = CommandHandler(END_COMMAND, _end)  # only asked whether an update is a /start


async def start_afresh(update: Update, context: BotContext) -> None:
    """Before a command or a press is answered: ``/start`` leaves every dialogue, anything else
    the dialogues it does not belong to (the answer itself is the feature's)."""
    check = _START.check_update(update)
    if check is not None and check is not False:
        await end_dialogues(context.application, update, context)
        return
    if update.callback_query is not None or filters.COMMAND.check_update(update):
        await end_dialogues_elsewhere(context.application, update, context)


def build_handlers() -> list[BaseHandler]:
    """For a group of its own that runs before the features (it answers nothing itself)."""
    return [TypeHandler(Update, start_afresh)]
