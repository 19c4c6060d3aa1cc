""" "Platz nehmen" / "Nein danke" under a waitlist offer (PRODUCT §4, Waitlist).

The offer id on the button is only a hint: ``storage.offers`` re-reads the offer inside the write
transaction and asks ``domain.offers.may_answer`` (the presser's own, still standing, hold not
over, still waiting). When everyone waiting was offered the seat, the first tap wins and the
others' offer messages are edited to say it is taken. "Nein danke" leaves this evening's waitlist;
the edited message offers "Wieder auf die Warteliste" (the ordinary sign-up: at the end).
"""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.i18n import Translator
from bot.render import Renderer
from domain.offers import OfferRefusal
from handlers.ui import editing
from handlers.ui.reader import is_group
from handlers.ui.registration import registration_buttons
from storage import offers as offer_store
from storage import registrations as registration_store
from storage import users as user_store
from storage.offers import AnswerResult

REFUSAL_TEXTS = {
    OfferRefusal.TAKEN: "offer.refused_taken",
    OfferRefusal.EXPIRED: "offer.refused_expired",
    OfferRefusal.ANSWERED: "offer.refused_answered",
    OfferRefusal.GONE: "offer.refused_gone",
}


def card_button(translator: Translator, lang: str, event_id: str) -> InlineKeyboardMarkup:
    """The way on under an offer that no longer stands: the evening's card."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    translator.plain(lang, "signup.button_card"),
                    callback_data=pack(Action.CARD, event_id),
                )
            ]
        ]
    )


def _offer_id(update: Update) -> int | None:
    callback = unpack(update.callback_query.data)
    return callback.int_arg(0) if callback else None


async def _refused(update: Update, context: BotContext, result: AnswerResult) -> None:
    """Say why the press changed nothing; an offer that is over says so in its message too."""
    query = update.callback_query
    key = REFUSAL_TEXTS[result.refusal or OfferRefusal.GONE]
    await query.answer(context.plain(key), show_alert=True)
    if result.refusal in (OfferRefusal.TAKEN, OfferRefusal.EXPIRED) and result.event is not None:
        markup = card_button(context.services.translator, context.lang, result.event.id)
        await editing.edit_pressed(query, context.text(key), markup)


async def take_seat(update: Update, context: BotContext) -> None:
    """Platz nehmen: the seat is theirs if the offer still stands; others offered it are told."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    offer_id = _offer_id(update)
    if offer_id is None:
        await query.answer(context.plain("offer.refused_gone"), show_alert=True)
        return
    now = context.now()
    result = await offer_store.accept(context.db, offer_id, update.effective_user.id, now)
    if result.refusal is not None or result.offer is None or result.event is None:
        await _refused(update, context, result)
        return
    await query.answer(context.plain("offer.toast_taken"))
    event = result.event
    registration = await registration_store.get_registration(
        context.db, result.offer.registration_id
    )
    assert registration is not None  # just confirmed in the transaction
    render = Renderer(context.services.translator, context.lang, context.settings.tz)
    text = render.text(
        "offer.taken", title=event.title, when=render.event_time(event), venue=event.venue
    )
    label = partial(context.services.translator.plain, context.lang)
    markup = registration_buttons(label, event, registration, now)
    if not await editing.edit_pressed(query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    await _tell_the_others(context, result)


async def _tell_the_others(context: BotContext, result: AnswerResult) -> None:
    """Edit the offer messages of everyone else offered the same seat: it is taken."""
    assert result.event is not None
    translator = context.services.translator
    default = context.settings.default_language
    for user_id, message_id in result.taken:
        lang = await user_store.language_of(context.db, user_id, default)
        try:
            await context.bot.edit_message_text(
                translator.text(lang, "offer.gone_to_another", title=result.event.title),
                chat_id=user_id,
                message_id=message_id,
                reply_markup=card_button(translator, lang, result.event.id),
            )
        except TelegramError:  # deleted, blocked: the button answers them anyway
            continue


async def decline_seat(update: Update, context: BotContext) -> None:
    """Nein danke: off this evening's waitlist; the seat goes on; a way back is offered."""
    query = update.callback_query
    if is_group(update):
        await query.answer(context.plain("signup.private_only"), show_alert=True)
        return
    offer_id = _offer_id(update)
    if offer_id is None:
        await query.answer(context.plain("offer.refused_gone"), show_alert=True)
        return
    result = await offer_store.decline(
        context.db, offer_id, update.effective_user.id, context.now()
    )
    if result.refusal is not None or result.event is None:
        await _refused(update, context, result)
        return
    await query.answer()
    event = result.event
    markup = InlineKeyboardMarkup(
        [
            [context.button("offer.button_rejoin", Action.SIGN_UP, event.id)],
            [context.button("signup.button_card", Action.CARD, event.id)],
        ]
    )
    text = context.text("offer.declined", title=event.title)
    if not await editing.edit_pressed(query, text, markup):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


def build_handlers() -> list[BaseHandler]:
    """The two buttons of a waitlist offer."""
    return [
        CallbackQueryHandler(take_seat, pattern(Action.OFFER_TAKE)),
        CallbackQueryHandler(decline_seat, pattern(Action.OFFER_DECLINE)),
    ]
