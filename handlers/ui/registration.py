"""One sign-up as both the attendee's answers and the bot's own notices show it: the buttons
under a message about it, and the reminder with its attendance question (shown again after
"Ich komme" or a kept sign-up). The cancel buttons carry where they sit (their origin).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, pack
from bot.i18n import Translator
from bot.render import Renderer
from domain.models import Event, Registration, RegistrationStatus
from domain.standing import Offer, offers

# Where a cancel button sits (see handlers.attendee.cancellation, which asks accordingly):
ORIGIN_MESSAGE = "n"  # under a message about one sign-up
ORIGIN_REMINDER = "r"  # "Ich kann nicht kommen" under a reminder


def registration_buttons(
    label: Callable[[str], str], event: Event, registration: Registration, now: datetime
) -> InlineKeyboardMarkup:
    """The buttons under a message about one sign-up: what ``domain.standing.offers`` allows
    (ticket, cancel, calendar file) and the evening's card; ``label`` turns a message id into a
    button label in the reader's language."""
    offered = offers(event, registration, now)
    row = []
    if Offer.TICKET in offered:
        row.append(
            InlineKeyboardButton(
                label("signup.button_ticket"), callback_data=pack(Action.TICKET, registration.id)
            )
        )
    if Offer.CANCEL in offered:
        waiting = registration.status is RegistrationStatus.WAITLISTED
        row.append(
            InlineKeyboardButton(
                label("signup.button_leave_waitlist" if waiting else "signup.button_cancel"),
                callback_data=pack(Action.CANCEL, registration.id, ORIGIN_MESSAGE),
            )
        )
    more = [
        InlineKeyboardButton(
            label("signup.button_card"), callback_data=pack(Action.CARD, event.id)
        )
    ]
    if Offer.CALENDAR in offered:
        more.insert(
            0,
            InlineKeyboardButton(
                label("signup.button_calendar"), callback_data=pack(Action.ICS, event.id)
            ),
        )
    return InlineKeyboardMarkup([row, more] if row else [more])


def reminder_content(
    translator: Translator,
    lang: str,
    tz: ZoneInfo,
    event: Event,
    registration: Registration,
    *,
    coming: bool = False,
) -> tuple[Markup, InlineKeyboardMarkup]:
    """Text and buttons of a reminder: title, date and time, venue and address; venue and
    ticket buttons and the attendance question "Ich komme" / "Ich kann nicht kommen" (once
    "Ich komme" is recorded, a note says so and only "Ich kann nicht kommen" is left)."""
    render = Renderer(translator, lang, tz)
    if event.address:
        where = render.text("reminders.where_address", venue=event.venue, address=event.address)
    else:
        where = render.text("reminders.where", venue=event.venue)
    text = render.text(
        "reminders.text", title=event.title, when=render.event_time(event), where=where
    )
    if coming:
        text = Markup() + text + "\n\n" + render.text("reminders.coming_recorded")
    answers = [
        InlineKeyboardButton(
            translator.plain(lang, "reminders.button_cant_come"),
            callback_data=pack(Action.CANCEL, registration.id, ORIGIN_REMINDER),
        )
    ]
    if not coming:
        coming_button = InlineKeyboardButton(
            translator.plain(lang, "reminders.button_coming"),
            callback_data=pack(Action.ATTEND, registration.id),
        )
        answers.insert(0, coming_button)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    translator.plain(lang, "reminders.button_venue"),
                    callback_data=pack(Action.VENUE, event.id),
                ),
                InlineKeyboardButton(
                    translator.plain(lang, "reminders.button_ticket"),
                    callback_data=pack(Action.TICKET, registration.id),
                ),
            ],
            answers,
        ]
    )
    return text, markup
