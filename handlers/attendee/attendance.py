""" "Ich komme" under a reminder (PRODUCT §4): record the answer and show the reminder again
with a note. "Ich kann nicht kommen" is a cancellation (``handlers.attendee.cancellation``, origin
r); after it the sign-up is marked 'declined' there. The button's id is only a hint: the sign-up is
re-read and must be the presser's own, confirmed, for an evening that has not begun.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, pattern, unpack
from bot.context import BotContext
from handlers.ui import editing
from handlers.ui.reader import is_group
from handlers.ui.registration import reminder_content
from storage import attendance as attendance_store
from storage import events as event_store
from storage import registrations as registration_store
from storage.attendance import AttendOutcome

_REFUSALS = {
    AttendOutcome.NOT_FOUND: "reminders.gone",
    AttendOutcome.NOT_CONFIRMED: "reminders.already_cancelled",
    AttendOutcome.TOO_LATE: "reminders.coming_too_late",
}


async def confirm_coming(update: Update, context: BotContext) -> None:
    """Ich komme: record it (pressing again changes nothing) and show the reminder with a
    note; "Ich kann nicht kommen" stays for changing one's mind."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    callback = unpack(query.data)
    registration_id = callback.int_arg(0) if callback else None
    user_id = update.effective_user.id
    if registration_id is None:
        await query.answer(context.plain("reminders.gone"), show_alert=True)
        return
    outcome = await attendance_store.record_coming(
        context.db, registration_id, user_id, context.now()
    )
    if outcome is not AttendOutcome.RECORDED:
        await query.answer(context.plain(_REFUSALS[outcome]), show_alert=True)
        return
    await query.answer(context.plain("reminders.coming_thanks"))
    registration = await registration_store.get_registration(context.db, registration_id)
    event = await event_store.get_event(context.db, registration.event_id)
    text, markup = reminder_content(
        context.services.translator,
        context.lang,
        context.settings.tz,
        event,
        registration,
        coming=True,
    )
    if not await editing.edit_pressed(query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


def build_handlers() -> list[BaseHandler]:
    """The "Ich komme" button of reminders."""
    return [CallbackQueryHandler(confirm_coming, pattern(Action.ATTEND))]
