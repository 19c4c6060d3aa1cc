"""No dead ends (issue 23.2): the check every test ends with (tests/conftest.py ``no_dead_ends``)
finds a message without a way on, and accepts the ways on it is meant to accept; the messages
the issue found are walked once here with the way on each now offers."""

from __future__ import annotations

import json

import pytest

from bot.callbacks import Action, pack
from testing.fake_telegram import FakeBotApi
from testing.fake_telegram.dead_ends import dead_ends, watching
from tests.conftest import WAY_ON_COMMANDS, assert_no_dead_ends, make_event
from tests.signup_support import open_card

USER = 5


async def _send(api: FakeBotApi, chat_id: int, text: str, buttons: bool = False) -> None:
    params: dict[str, object] = {"chat_id": chat_id, "text": text}
    if buttons:
        keyboard = [[{"text": "« Alle Termine", "callback_data": pack(Action.LIST, 0)}]]
        params["reply_markup"] = json.dumps({"inline_keyboard": keyboard})
    status, _ = await api.answer_call("sendMessage", params, {})
    assert status == 200


def _found(api: FakeBotApi) -> list[str]:
    return [d.message.text for d in dead_ends(api, WAY_ON_COMMANDS)]


@pytest.mark.dead_ends_expected
async def test_a_message_without_button_or_command_is_a_dead_end():
    api = FakeBotApi()
    await _send(api, USER, "Fertig.")
    assert _found(api) == ["Fertig."]
    with pytest.raises(AssertionError, match=r"(?s)dead ends.*Fertig"):
        assert_no_dead_ends([api])


@pytest.mark.dead_ends_expected
async def test_a_button_a_known_command_or_a_group_is_no_dead_end():
    api = FakeBotApi()
    await _send(api, USER, "Fertig.", buttons=True)
    await _send(api, USER + 1, "Alle Termine finden Sie unter /termine.")
    await _send(api, USER + 2, "Mehr unter /events@KraftDerRegionBot")
    await _send(api, -100123, "In der Gruppe.")
    assert _found(api) == []
    await api.answer_call("sendMessage", {"chat_id": USER + 3, "text": "Siehe /nirgendwo"}, {})
    assert _found(api) == ["Siehe /nirgendwo"]  # not a command the bot answers


@pytest.mark.dead_ends_expected
async def test_a_way_on_beside_it_counts_only_in_the_same_update():
    api = FakeBotApi()
    api.next_update_id()  # a person writes
    await _send(api, USER, "Die Datei folgt.")
    await _send(api, USER, "Hier ist sie.", buttons=True)
    assert _found(api) == []
    api.next_update_id()  # the next update: what came before it is judged on its own
    await _send(api, USER, "Gespeichert.")
    api.next_update_id()
    await _send(api, USER, "Noch etwas?", buttons=True)
    assert _found(api) == ["Gespeichert."]


@pytest.mark.dead_ends_expected
async def test_an_edit_that_takes_the_buttons_away_is_a_dead_end(bot, add_events):
    await add_events(make_event())
    user = bot.user(USER)
    card = await open_card(user)
    await bot.app.bot.edit_message_text("Erledigt.", chat_id=USER, message_id=card.message_id)
    assert _found(bot.api) == ["Erledigt."]


async def test_every_fake_built_in_a_test_is_watched():
    with watching() as apis:
        api = FakeBotApi()
    assert apis == [api]
    assert FakeBotApi() not in apis


async def test_the_issues_dead_ends_now_have_a_way_on(bot, add_events):
    """Declining consent, cancelling from a message, the language, the organiser refusal, the
    .ics and venue messages: each answer offers a button (the autouse check covers the rest of
    the suite; this test names them)."""
    event = make_event(latitude=48.77, longitude=9.18)
    await add_events(event)
    user = bot.user(USER)
    await open_card(user)
    await user.press("Anmelden")
    await user.press(1)  # under the Telegram name
    [declined] = await user.press("Nein, danke")
    assert declined.text.startswith("In Ordnung.") and declined.button_labels == ["« Zum Termin"]
    await open_card(user)
    [calendar] = await user.press("📅 In den Kalender")
    assert calendar.document is not None and calendar.button_labels == ["« Zum Termin"]
    await open_card(user)
    [venue] = await user.press("📍 Veranstaltungsort")
    assert venue.venue is not None and venue.button_labels == ["« Zum Termin"]
    [refused] = await user.send("/admin")
    assert "nur für Veranstaltende" in refused.text and refused.button_labels == ["« Alle Termine"]
    await user.send("/sprache")
    [switched] = await user.press("English")
    assert "English" in switched.text and switched.button_labels == ["« All events"]
