"""/fragen, /questions: the attendees' questions to the speakers, per evening, for the
organisers: pick an evening, read its questions (newest last, with the count) and get them as a
CSV file for Excel. Every handler re-checks ADMIN_IDS."""

from __future__ import annotations

from markupsafe import Markup
from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from bot.files.question_csv import questions_csv
from bot.render import split_message
from handlers.ui.guard import organisers_only
from handlers.ui.picker import show_picker
from handlers.ui.reader import renderer
from storage import events as event_store
from storage import questions as question_store

PICKER = "qs"  # handlers.ui.picker.PICKERS key


def _ways_on(context: BotContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                context.button("questions.review_other", Action.QUESTIONS_LIST),
                context.button("admin.back", Action.ADMIN_MENU),
            ]
        ]
    )


async def send_questions(update: Update, context: BotContext, event_id: str) -> None:
    """The questions of one evening as messages, then the CSV file."""
    chat_id = update.effective_chat.id
    event = await event_store.get_event(context.db, event_id)
    if event is None:
        await context.bot.send_message(
            chat_id, context.text("card.unknown_event"), reply_markup=_ways_on(context)
        )
        return
    render = renderer(context)
    questions = await question_store.questions_of_event(context.db, event_id)
    parts = [
        context.text(
            "questions.review_heading",
            title=event.title,
            when=render.short_when(event.starts_at),
        ),
        context.text("questions.review_count", count=len(questions)),
    ]
    anonymous = context.plain("attendees.anonymous")
    parts.extend(
        context.text(
            "questions.review_line",
            index=index,
            name=question.name or anonymous,
            at=render.short_when(question.asked_at),
            question=question.text,
        )
        for index, question in enumerate(questions, 1)
    )
    chunks = split_message(Markup("\n\n").join(parts))
    if not questions:
        chunks[-1] = Markup("\n\n").join([chunks[-1], context.text("questions.review_none")])
    for index, chunk in enumerate(chunks, 1):
        last = index == len(chunks) and not questions
        await context.bot.send_message(
            chat_id, chunk, reply_markup=_ways_on(context) if last else None
        )
    if not questions:
        return
    content = questions_csv(
        context.bot_data.translator, context.lang, questions, context.settings.tz
    )
    await context.bot.send_document(
        chat_id,
        InputFile(content, filename=context.plain("questions.filename", id=event_id)),
        caption=context.text("questions.csv_caption", title=event.title),
        reply_markup=_ways_on(context),
    )


@organisers_only
async def questions_command(update: Update, context: BotContext) -> None:
    """/fragen [EVENT_ID]: that evening's questions, or the evenings to choose from."""
    event_id = context.args[0] if context.args else None
    if event_id and await event_store.get_event(context.db, event_id) is not None:
        await send_questions(update, context, event_id)
        return
    await show_picker(update, context, PICKER)


@organisers_only
async def questions_button(update: Update, context: BotContext) -> None:
    """An evening chosen in the questions picker."""
    callback = unpack(update.callback_query.data)
    await update.callback_query.answer()
    await send_questions(update, context, (callback.arg() if callback else None) or "")


def build_handlers() -> list[BaseHandler]:
    """/fragen, /questions and the picker's event buttons."""
    return [
        CommandHandler(["fragen", "questions"], questions_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(questions_button, pattern(Action.QUESTIONS_EVENT)),
    ]
