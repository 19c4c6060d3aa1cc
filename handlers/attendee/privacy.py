"""/datenschutz, /privacy (PRODUCT §4, §6): the privacy notice, "Meine Daten" (everything stored
about the reader as a JSON file), "Alles löschen" after a confirmation, and the daily job that
removes personal data of evenings past the retention period.

The notice is a catalogue text in both languages; ``PRIVACY_NOTICE_FILE`` replaces it with the
operator's own text (plain text, shown as written).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import timedelta

from markupsafe import Markup
from telegram import (
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.jobs import RETENTION_JOB, replace_repeating_job
from bot.render import split_message
from bot.settings import Settings
from domain.retention import certificate_record_kept_until
from handlers import users
from handlers.attendee.name import name_button, name_line
from handlers.dialogues import end_dialogues
from handlers.ui import editing, way_on
from handlers.ui.reader import is_group
from storage import organiser_menus
from storage import privacy as privacy_store
from storage import users as user_store
from storage.db import to_db_time

log = logging.getLogger(__name__)

RETENTION_INTERVAL = timedelta(days=1)
RETENTION_FIRST_RUN = timedelta(minutes=1)  # soon after start-up, then daily
EXPORT = "export"
DELETE = "delete"
DELETE_YES = "delete_yes"
KEEP = "keep"


def notice(context: BotContext) -> Markup:
    """The privacy notice: the operator's file if configured and readable, else the default."""
    path = context.settings.privacy_notice_file
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("PRIVACY_NOTICE_FILE %s not readable, default notice shown: %s", path, exc)
        else:
            if text:
                return Markup.escape(text)  # the operator's file is plain text
    return built_in_notice(context)


def built_in_notice(context: BotContext) -> Markup:
    """The catalogue's notice (Art. 13 DSGVO): the controller with ``PRIVACY_CONTACT`` (unset:
    the chamber, without contact details), purposes, the periods with their configured values
    (an example year for ``CPD_RETENTION_YEARS``, from ``domain.retention``), the rights and the
    supervisory authority."""
    settings = context.settings
    contact = settings.privacy_contact
    controller = (
        context.text("privacy.controller", contact=contact)
        if contact is not None
        else context.text("privacy.controller_unset")
    )
    now = context.now()
    kept_until = certificate_record_kept_until(now, settings.tz, settings.cpd_retention_years)
    return context.text(
        "privacy.notice",
        count=settings.cpd_retention_years,
        controller=controller,
        days=settings.data_retention_days,
        year=now.astimezone(settings.tz).year,
        until=kept_until.year - 1,  # kept through 31 December of the year before
    )


def _button(context: BotContext, key: str, arg: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.plain(key), callback_data=pack(Action.PRIVACY, arg))


async def show_privacy(update: Update, context: BotContext) -> None:
    """/datenschutz, /privacy: the notice with "Meine Daten" and "Alles löschen", and the
    registered name with "Name ändern"."""
    rows = [
        [_button(context, "privacy.button_export", EXPORT)],
        [_button(context, "privacy.button_delete", DELETE)],
    ]
    text = notice(context)
    user = await user_store.get_user(context.db, update.effective_user.id)
    if user is not None and user.display_name is not None:
        text = Markup("\n\n").join([text, name_line(context, user.display_name)])
        rows.insert(0, [name_button(context)])
    markup = InlineKeyboardMarkup(rows)
    chunks = split_message(text)
    for chunk in chunks[:-1]:
        await update.effective_message.reply_text(chunk)
    await update.effective_message.reply_text(chunks[-1], reply_markup=markup)


async def _export(update: Update, context: BotContext) -> None:
    await context.application.update_persistence()  # open dialogues' latest steps are in it
    data = await privacy_store.export_person(context.db, update.effective_user.id)
    document = {"exported_at": to_db_time(context.now()), **data}
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(
            content,
            filename=context.plain("privacy.export_filename"),
        ),
        caption=context.text("privacy.export_caption"),
        reply_markup=way_on.to_events(context),
    )


async def _delete(update: Update, context: BotContext) -> None:
    user_id = update.effective_user.id
    report = await privacy_store.delete_person(context.db, user_id, context.now())
    text = context.text("privacy.deleted", count=report.cancelled)
    if report.withdrawn:  # their broadcast could only be copied from their chat: it stopped
        withdrawn = context.text("privacy.broadcast_withdrawn", count=report.withdrawn)
        text = Markup("\n\n").join([text, withdrawn])
    # Nothing of the person stays in memory either (no open dialogue to be stored again);
    # their next update starts afresh.
    await end_dialogues(context.application, update, context)
    users.forget_user(context.application, user_id)
    context.user_data.clear()
    await _remove_command_menu(context, user_id)
    await editing.edit_pressed(update.callback_query, text, way_on.to_events(context))


async def _remove_command_menu(context: BotContext, user_id: int) -> None:
    """The command menu set in the person's own chat (organisers, door staff) goes, and then
    the record that it was there. Should Telegram refuse, the record stays, so that the start-up
    sync (bot.commands) can still take the menu away."""
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError as exc:
        log.warning("Command menu of %s not removed after deletion: %s", user_id, exc)
        return
    await organiser_menus.forget(context.db, user_id)


async def _delete_question(update: Update, context: BotContext) -> Markup:
    """ "Really delete everything?", and what it costs a holder of certificates: their numbers
    will then verify as "nicht mehr gespeichert (gelöscht)"."""
    question = context.text("privacy.delete_question")
    held = await privacy_store.valid_certificates(context.db, update.effective_user.id)
    if not held:
        return question
    return Markup("\n\n").join([question, context.text("privacy.delete_costs", count=held)])


async def privacy_button(update: Update, context: BotContext) -> None:
    """The buttons under the notice and under the deletion question."""
    query = update.callback_query
    callback = unpack(query.data)
    choice = callback.arg() if callback else None
    if is_group(update) or choice not in (EXPORT, DELETE, DELETE_YES, KEEP):
        await query.answer(context.plain("common.stale_button"), show_alert=True)
        return
    await query.answer()
    if choice == EXPORT:
        await _export(update, context)
    elif choice == DELETE:
        markup = InlineKeyboardMarkup(
            [
                [_button(context, "privacy.button_delete_yes", DELETE_YES)],
                [_button(context, "privacy.button_keep", KEEP)],
            ]
        )
        await context.bot.send_message(
            update.effective_chat.id, await _delete_question(update, context), reply_markup=markup
        )
    elif choice == DELETE_YES:
        await _delete(update, context)
    else:
        await editing.edit_pressed(query, context.text("privacy.kept"), way_on.to_events(context))


def retention_periods(settings: Settings) -> privacy_store.RetentionPeriods:
    """DATA_RETENTION_DAYS, CPD_RETENTION_YEARS and the time zone their dates are read in."""
    return privacy_store.RetentionPeriods(
        settings.data_retention_days, settings.cpd_retention_years, settings.tz
    )


async def remove_expired_data(context: BotContext) -> None:
    """Daily job: anonymise sign-ups of evenings that ended more than DATA_RETENTION_DAYS ago,
    keeping the records behind certificates for CPD_RETENTION_YEARS."""
    report = await privacy_store.remove_expired_personal_data(
        context.db, context.now(), retention_periods(context.settings)
    )
    if any(dataclasses.astuple(report)):
        log.info(
            "Retention: %d sign-ups anonymised, %d old messages, %d stale dialogue rows,"
            " %d people, %d questions and %d feedback comments removed;"
            " %d certificate records kept",
            report.registrations,
            report.messages,
            report.dialogues,
            report.people,
            report.questions,
            report.comments,
            report.kept,
        )


def schedule_retention(application: Application) -> None:
    """Arm the daily retention job (replacing one of the same name); called from post_init."""
    replace_repeating_job(
        application,
        remove_expired_data,
        name=RETENTION_JOB,
        interval=RETENTION_INTERVAL,
        first=RETENTION_FIRST_RUN,
    )


def build_handlers() -> list:
    """/datenschutz, /privacy and its buttons."""
    return [
        CommandHandler(["datenschutz", "privacy"], show_privacy, filters.ChatType.PRIVATE),
        CallbackQueryHandler(privacy_button, pattern(Action.PRIVACY)),
    ]
