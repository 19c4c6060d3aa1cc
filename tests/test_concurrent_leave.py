"""Issue 21, point 2 under load: 20 confirmed and 20 waitlisted people leave one evening at
once, while 160 others on the waitlist press their cards and the paced sender keeps draining,
all through the real Application (a real SQLite file). A waitlisted
person may be moved up by an earlier cancellation a moment before their own "leave" press is
handled: the state ends right, and nobody is told "Ein Platz ist frei geworden" for a seat
they no longer hold: the promotion is told PROMOTION_SETTLE later, when
domain.notices.still_applies finds who holds the seat then."""

from __future__ import annotations

import asyncio

from bot.callbacks import Action
from bot.sending.sender import drain_outbox
from domain.notices import PROMOTION_SETTLE
from testing.offline import press_action
from tests.conftest import make_event
from tests.invariants import assert_consistent
from tests.signup_support import returning_user

SEATS = 20
LEAVING_WAITLISTED = 20
STAYING = 160
PROMOTED = "Ein Platz ist frei geworden"


async def test_simultaneous_leaves_tell_nobody_of_a_seat_they_no_longer_hold(
    bot, add_events, clock
):
    await add_events(make_event(capacity=SEATS))
    people = []
    for n in range(SEATS + LEAVING_WAITLISTED + STAYING):  # in this order: seats, then waitlist
        user = await returning_user(bot, 20_000 + n, f"Person {n}")
        [card] = await user.send("/start ev_umbau-2026")
        await user.press(1, card)  # "Anmelden", then "Auf die Warteliste"
        people.append(user)
    leaving = people[: SEATS + LEAVING_WAITLISTED]
    staying = people[SEATS + LEAVING_WAITLISTED :]
    await asyncio.gather(*(press_action(user, Action.CANCEL) for user in leaving))  # "wirklich?"

    # Twenty waves of presses arrive, each handled concurrently with a run of the sender: the
    # k-th confirmed person leaves while the person moved up one wave earlier leaves the seat
    # they pressed "leave the waitlist" for, and eight others press their cards.
    confirmed, waitlisted = leaving[:SEATS], leaving[SEATS:]
    for wave in range(SEATS + 1):
        presses = [press_action(user, Action.ICS) for user in staying[wave * 8 : wave * 8 + 8]]
        if wave < SEATS:
            presses.append(press_action(confirmed[wave], Action.CANCEL_CONFIRM))
        if wave > 0:
            presses.append(press_action(waitlisted[wave - 1], Action.CANCEL_CONFIRM))
        await asyncio.gather(*presses, drain_outbox(bot.app))
    clock.advance(PROMOTION_SETTLE)
    await drain_outbox(bot.app)

    rows = await bot.data.db.fetch_all(
        "SELECT user_id, status FROM registrations WHERE event_id = 'umbau-2026' ORDER BY id"
    )
    status = {row["user_id"]: row["status"] for row in rows}
    assert all(status[user.user_id] == "cancelled" for user in leaving)
    seated = [user.user_id for user in staying[:SEATS]]
    assert [status[user_id] for user_id in seated] == ["confirmed"] * SEATS
    assert all(status[user.user_id] == "waitlisted" for user in staying[SEATS:])
    told = {
        user.user_id
        for user in people
        if any(PROMOTED in message.text for message in bot.api.messages(user.user_id))
    }
    assert told == set(seated)
    assert_consistent(bot.data.settings.database_path)
