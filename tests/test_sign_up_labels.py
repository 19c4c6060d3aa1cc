"""Issue 23.1: a sign-up button says what the press will do (domain.evening.sign_up_action).

On a full evening it reads "Auf die Warteliste" (card, group card, announcement, shared card),
and the press does put the person on the waitlist; an evening without registration is
announced and shared with "Ansehen". Each test fails on 61def71, where every such button read
"Anmelden" / "Ansehen und anmelden".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sending.sender import drain_outbox
from domain.evening import Phase, SignUpAction, phase, sign_up_action
from domain.models import EventStatus, SeatCounts
from tests.conftest import NOW, make_event
from tests.signup_support import open_card, registrations, returning_user

WAITLIST = "⏳ Auf die Warteliste"


@pytest.mark.parametrize(
    ("event", "counts", "expected"),
    [
        (make_event(capacity=2), SeatCounts(confirmed=1), SignUpAction.SIGN_UP),
        (make_event(capacity=None), SeatCounts(confirmed=500), SignUpAction.SIGN_UP),
        (make_event(capacity=2), SeatCounts(confirmed=2), SignUpAction.WAITLIST),
        (make_event(capacity=0), SeatCounts(), SignUpAction.VIEW),
        (make_event(capacity=2, status=EventStatus.CANCELLED), SeatCounts(), SignUpAction.VIEW),
        (
            make_event(capacity=2, registration_closes_at=NOW - timedelta(hours=1)),
            SeatCounts(),
            SignUpAction.VIEW,
        ),
        (make_event(capacity=2, days=-1), SeatCounts(), SignUpAction.VIEW),
    ],
)
def test_the_domain_decides_the_sign_up_action_by_the_phase(event, counts, expected):
    assert sign_up_action(event, counts, NOW) is expected
    if expected is SignUpAction.WAITLIST:
        assert phase(event, counts, NOW) is Phase.FULL


async def test_a_full_evenings_card_says_waitlist_and_the_press_waitlists(bot, add_events):
    await add_events(make_event("voll", capacity=1))
    first, second = await returning_user(bot, 1), await returning_user(bot, 2)
    open_evening = await open_card(first, "voll")
    assert "✍️ Anmelden" in open_evening.button_labels
    assert WAITLIST not in open_evening.button_labels
    await first.press("✍️ Anmelden", open_evening)
    card = await open_card(second, "voll")
    assert WAITLIST in card.button_labels and "✍️ Anmelden" not in card.button_labels
    await second.press(WAITLIST, card)
    assert [row["status"] for row in await registrations(bot, "voll")] == [
        "confirmed",
        "waitlisted",
    ]
    english = await returning_user(bot, 3, language_code="en")
    assert "⏳ Join the waitlist" in (await open_card(english, "voll")).button_labels


async def test_a_full_evenings_group_card_says_waitlist(bot, add_events):
    await add_events(make_event(capacity=1))
    first = await returning_user(bot, 1)
    await first.press("✍️ Anmelden", await open_card(first))
    group = bot.group()
    await group.send(first, "/termine")
    [card] = await group.press(first, "Umbau statt Neubau")
    assert card.button_labels == ["⏳ Auf die Warteliste (im privaten Chat)"]


async def test_announcements_say_view_for_no_registration_and_waitlist_when_full(bot, add_events):
    fan = bot.user(1)
    await fan.send("/start")
    await fan.press(3)  # "Ja, gern" under the welcome
    # full before the announcement goes out: a seat taken by someone else meanwhile
    await add_events(
        make_event("offen", days=10, title="Offen", capacity=10),
        make_event("ohne", days=11, title="Ohne Anmeldung", capacity=0),
        make_event("voll", days=12, title="Voll", capacity=1),
    )
    taker = await returning_user(bot, 2)
    await taker.press("✍️ Anmelden", await open_card(taker, "voll"))
    await drain_outbox(bot.app)
    assert fan.last.button_labels == [
        "Ansehen und anmelden: Offen",
        "Ansehen: Ohne Anmeldung",
        "Ansehen und auf die Warteliste: Voll",
        "🔕 Keine Ankündigungen mehr",
    ]


async def test_shared_cards_say_what_the_bot_will_offer(bot, add_events):
    await add_events(
        make_event("ohne", days=11, title="Ohne Anmeldung", capacity=0),
        make_event("voll", days=12, title="Voll", capacity=1),
    )
    taker = await returning_user(bot, 2)
    await taker.press("✍️ Anmelden", await open_card(taker, "voll"))
    answer = await bot.user(50, first_name="Eva").inline("")
    labels = {
        result["title"]: result["reply_markup"]["inline_keyboard"][0][0]["text"]
        for result in answer.results
    }
    assert labels == {
        "Ohne Anmeldung": "Im Bot ansehen",
        "Voll": "Im Bot öffnen und auf die Warteliste",
    }
