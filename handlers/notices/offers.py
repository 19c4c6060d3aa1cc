"""Waitlist offers near the evening (PRODUCT §4, Waitlist): the offer message the paced sender
sends (outbox kind ``seat_offer``), the texts of its answers, and the planner that lets offers
expire on time and passes their seats on (also the ones that fell due while the bot was down).

``storage.offers`` queues the rows and decides every press inside the write transaction; this
module only renders, and asks ``domain.offers.offer_still_applies`` before each message.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, pack
from bot.context import BotData
from bot.i18n import Translator
from bot.jobs import Planner
from bot.outgoing import OutgoingMessage
from bot.render import Renderer
from domain.models import Event
from domain.offers import SeatOffer, offer_still_applies
from storage import events as event_store
from storage import offer_rows
from storage import offers as offer_store
from storage import registrations as registration_store
from storage.outbox import OutboxItem

OFFERS_JOB = "waitlist_offers"
CHECK_SECONDS = 30.0  # an offer expires at most this late; its seat passes on then


def offer_content(
    translator: Translator, lang: str, tz: ZoneInfo, event: Event, offer: SeatOffer
) -> tuple[Markup, InlineKeyboardMarkup]:
    """ "Ein Platz ist frei geworden – möchten Sie ihn?" with until when it stands, and
    "Platz nehmen" / "Nein danke"."""
    render = Renderer(translator, lang, tz)
    key = "offer.text_everyone" if offer.everyone else "offer.text"
    text = render.text(
        key,
        title=event.title,
        when=render.event_time(event),
        venue=event.venue,
        until=render.short_when(offer.expires_at),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    translator.plain(lang, "offer.button_take"),
                    callback_data=pack(Action.OFFER_TAKE, offer.id),
                ),
                InlineKeyboardButton(
                    translator.plain(lang, "offer.button_decline"),
                    callback_data=pack(Action.OFFER_DECLINE, offer.id),
                ),
            ]
        ]
    )
    return text, markup


async def render_offer(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``seat_offer``: sent only while a press on it would still count (the offer
    stands, its hold is not over, the person still waits, the evening is to come)."""
    offer_id = payload.get("offer_id")
    if not isinstance(offer_id, int):
        return None
    offer = await offer_rows.get_offer(data.db, offer_id)
    if offer is None:
        return None
    event = await event_store.get_event(data.db, offer.event_id)
    registration = await registration_store.get_registration(data.db, offer.registration_id)
    if not offer_still_applies(offer, event, registration, data.clock.now()):
        return None
    assert event is not None
    text, markup = offer_content(data.translator, lang, data.settings.tz, event, offer)
    return OutgoingMessage.html(text, markup)


async def remember_offer_message(data: BotData, item: OutboxItem, message_id: int) -> None:
    """After an offer was sent: keep its message id, so that it can be edited once somebody
    else takes the seat (everyone was offered it)."""
    offer_id = item.payload.get("offer_id")
    if isinstance(offer_id, int):
        await offer_rows.record_message(data.db, offer_id, message_id)


async def plan_offers(data: BotData) -> int:
    """Record the offer settings for every process that frees seats, then let the offers whose
    hold is over expire and pass their seats on; returns how many expired."""
    await offer_rows.record_rules(data.db, data.settings.offer_rules)
    return await offer_store.expire_due(data.db, data.clock.now())


PLANNER = Planner(name=OFFERS_JOB, every=CHECK_SECONDS, plan=plan_offers)
