"""The sign-up buttons' callback data (issue 3, PRODUCT §6): forged and malformed data reveal
and change nothing, every button fits 64 bytes, buttons of a deleted event answer clearly."""

from __future__ import annotations

import pytest

from bot.callbacks import MAX_BYTES, Action, pack
from tests.conftest import make_event
from tests.signup_support import last_answer, open_card, registrations, returning_user


async def test_forged_callbacks_for_someone_elses_sign_up_reveal_and_change_nothing(
    bot, add_events
):
    await add_events(make_event())
    owner = await returning_user(bot, 90, name="Geheime Person")
    await owner.press("Anmelden", await open_card(owner))
    [row] = await registrations(bot)
    intruder = await returning_user(bot, 91)
    await intruder.send("/start")
    before = len(intruder.messages)
    for data in (
        pack(Action.CANCEL, row["id"]),
        pack(Action.CANCEL, row["id"], "m"),
        pack(Action.CANCEL_CONFIRM, row["id"], "c"),
        pack(Action.TICKET, row["id"]),
    ):
        await intruder.press_data(data)
        answer = last_answer(bot)
        assert answer.show_alert
        assert "gibt es nicht" in answer.text
        assert "Geheime" not in answer.text and "Umbau" not in answer.text
    # A registration id that does not exist gets the very same answers.
    await intruder.press_data(pack(Action.CANCEL_CONFIRM, 999_999, "c"))
    assert last_answer(bot).text == bot.data.translator.plain("de", "cancel.not_found")
    assert len(intruder.messages) == before  # nothing was sent or edited
    [after] = await registrations(bot)
    assert after["status"] == "confirmed" and after["user_id"] == 90
    assert bot.api.messages(90)[-1].photo is None  # no ticket went anywhere


@pytest.mark.parametrize(
    "data",
    [
        "1:cx:abc",
        "1:cx",
        "1:cxy:-5:c",
        "1:cxn",
        "1:tk:99999999999999999999999",
        "1:su",
        "1:nm",
        "1:ok:",
        "1:pv:hack",
        "1:sub:7",
        "1:my:extra",
        "9:su:umbau-2026",
        "garbage",
        "",
    ],
)
async def test_malformed_callbacks_are_answered_never_an_error(bot, add_events, data):
    await add_events(make_event())
    user = await returning_user(bot, 95)
    await user.send("/start")
    answered = len(bot.api.callback_answers)
    await user.press_data(data)
    assert len(bot.api.callback_answers) == answered + 1
    assert not any("Entschuldigung" in m.text for m in user.messages)
    assert await registrations(bot) == []


async def test_callback_data_fits_64_bytes_with_the_longest_ids():
    longest_event = "e" * 40
    for data in (
        pack(Action.SIGN_UP, longest_event),
        pack(Action.USE_NAME, longest_event),
        pack(Action.CONSENT_DECLINE, longest_event),
        pack(Action.CANCEL_CONFIRM, 10**18, "m"),
        pack(Action.CANCEL_KEEP, 10**18, "m"),
        pack(Action.TICKET, 10**18),
    ):
        assert len(data.encode()) <= MAX_BYTES and data.startswith("1:")


async def test_buttons_of_a_deleted_event_answer_clearly(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 96)
    card = await open_card(user)
    await user.press("Anmelden", card)
    [row] = await registrations(bot)

    def write(conn):
        conn.execute("DELETE FROM events WHERE id = 'umbau-2026'")

    await bot.data.db.write(write)
    await user.press_data(pack(Action.SIGN_UP, "umbau-2026"), card)
    assert "Diesen Termin gibt es nicht" in last_answer(bot).text
    await user.press_data(pack(Action.CANCEL, row["id"]), card)
    assert "gibt es nicht" in last_answer(bot).text
    await user.press_data(pack(Action.TICKET, row["id"]), card)
    assert "gibt es nicht" in last_answer(bot).text
