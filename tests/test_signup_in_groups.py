"""The bot in a group (issue 3, PRODUCT §4): only the list and the card, with a deep link to
sign up in the private chat."""

from __future__ import annotations

from bot.callbacks import Action, pack
from tests.conftest import make_event
from tests.signup_support import BOT_USERNAME, last_answer, registrations, returning_user


async def test_in_a_group_only_list_and_card_with_a_deep_link_to_sign_up(bot, add_events):
    await add_events(make_event())
    group = bot.group()
    member = await returning_user(bot, 140)
    [listing] = await group.send(member, "/termine")
    assert "Umbau statt Neubau" in listing.text
    [card] = await group.press(member, "Umbau statt Neubau")
    [button] = [b for row in card.buttons for b in row]
    assert button.url == f"https://t.me/{BOT_USERNAME}?start=ev_umbau-2026"
    assert button.callback_data is None
    for command in ("/meine", "/abo", "/datenschutz", "/abbrechen", "/mine"):
        assert await group.send(member, command) == []
    # A forged sign-up press in the group signs nobody up and points to the private chat.
    await group.press_data(member, pack(Action.SIGN_UP, "umbau-2026"))
    assert "privaten Chat" in last_answer(bot).text
    assert await registrations(bot) == []
    # The deep link opens the card in the private chat, where sign-up works.
    [private_card] = await member.send("/start ev_umbau-2026")
    assert "✍️ Anmelden" in private_card.button_labels
