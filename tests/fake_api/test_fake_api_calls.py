"""The fake Bot API answers calls like Telegram: round trips of messages and presses, and the
rejections Telegram gives (malformed HTML, over-long texts, invalid buttons, no-op edits,
stale callback queries, unknown methods)."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import Application

from testing.fake_telegram import QUERY_TOO_OLD, Entity, FakeBotApi, FakeGroup, FakeUser, Rejection
from tests.fake_api.conftest import USER_ID

# -- round trips -----------------------------------------------------------------------------


async def test_message_round_trip(app: Application, api: FakeBotApi, user: FakeUser) -> None:
    answers = await user.send("/start")

    assert [m.text for m in answers] == ["Willkommen 👋"]
    greeting = user.last
    assert greeting.html == "<b>Willkommen</b> 👋"
    assert greeting.entities == [Entity("bold", 0, 10)]
    assert greeting.button_labels == ["Ja, gerne", "Nein", "Programm"]
    assert greeting.buttons[1][0].url == "https://example.org/programm"
    assert app.bot.username == "KraftDerRegionBot"
    assert api.rejections == []
    assert [c.method for c in api.calls] == ["getMe", "sendMessage"]


async def test_command_addressed_to_bot_in_group(app: Application, api: FakeBotApi) -> None:
    group = FakeGroup(app, api, -100123, "Kammergruppe")
    erika = FakeUser(app, api, USER_ID)

    await group.send(erika, "/start@KraftDerRegionBot")

    assert group.last_text == "Willkommen 👋"
    assert api.messages(USER_ID) == []


async def test_press_edits_message_and_answers_query(api: FakeBotApi, user: FakeUser) -> None:
    await user.send("/start")

    changed = await user.press("Ja")  # unique substring of "Ja, gerne"

    assert len(changed) == 1
    assert changed[0].text == "Gewählt: choice:yes"
    assert changed[0].edits == 1
    assert changed[0].buttons == []  # an edit without reply_markup drops the keyboard
    assert [(a.text, a.show_alert) for a in api.callback_answers] == [("Gespeichert", False)]
    assert api.pending_callback_queries == set()
    assert len(user.messages) == 1


async def test_press_by_number_and_clear_errors(user: FakeUser) -> None:
    await user.send("/start")
    with pytest.raises(AssertionError, match=r"\[1\] 'Ja, gerne', \[2\] 'Nein'"):
        await user.press("Vielleicht")
    with pytest.raises(AssertionError, match="url button"):
        await user.press("Programm")

    changed = await user.press(2)

    assert changed[0].text == "Gewählt: choice:no"


async def test_forged_callback_data_reaches_the_bot(user: FakeUser) -> None:
    await user.send("/start")

    changed = await user.press_data("choice:forged")

    assert changed[0].text == "Gewählt: choice:forged"


# -- rejections ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a & b", "unescaped '&'"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("x" * 4097, "message is too long"),
        ("  <b> </b> ", "message text is empty"),
    ],
)
async def test_send_message_rejections(
    app: Application, api: FakeBotApi, text: str, description: str
) -> None:
    with pytest.raises(BadRequest):
        await app.bot.send_message(USER_ID, text)

    assert len(api.rejections) == 1
    assert api.rejections[0].method == "sendMessage"
    assert description in api.rejections[0].description
    assert api.messages(USER_ID) == []


async def test_length_counts_text_after_entity_parsing(app: Application, api: FakeBotApi) -> None:
    await app.bot.send_message(USER_ID, "<b>" + "x" * 4096 + "</b>")
    with pytest.raises(BadRequest, match="caption is too long"):
        await app.bot.send_document(USER_ID, b"x", filename="a.txt", caption="y" * 1025)


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (InlineKeyboardButton("A", callback_data="x" * 65), "Bad Request: BUTTON_DATA_INVALID"),
        (InlineKeyboardButton("A", callback_data="ä" * 33), "Bad Request: BUTTON_DATA_INVALID"),
        (InlineKeyboardButton("", callback_data="x"), "BUTTON_TEXT_INVALID"),
        (InlineKeyboardButton("A"), "text buttons are unallowed in the inline keyboard"),
    ],
)
async def test_invalid_buttons_are_rejected(
    app: Application, api: FakeBotApi, button: InlineKeyboardButton, description: str
) -> None:
    with pytest.raises(BadRequest):
        await app.bot.send_message(USER_ID, "Hi", reply_markup=InlineKeyboardMarkup([[button]]))

    assert description in api.rejections[0].description


async def test_callback_data_of_64_bytes_is_fine(app: Application, api: FakeBotApi) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="ä" * 32)]])
    await app.bot.send_message(USER_ID, "Hi", reply_markup=markup)
    assert api.last(USER_ID).callback_data == ["ä" * 32]


async def test_identical_and_missing_edits(app: Application, api: FakeBotApi) -> None:
    sent = await app.bot.send_message(USER_ID, "<b>Hallo</b>")

    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_text("<b>Hallo</b>", USER_ID, sent.message_id)
    await app.bot.edit_message_text("<i>Hallo</i>", USER_ID, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("Neu", USER_ID, sent.message_id + 1)

    assert api.last(USER_ID).entities == [Entity("italic", 0, 5)]
    assert api.last(USER_ID).edits == 1
    assert [r.description.split(":")[1] for r in api.rejections] == [
        " message is not modified",
        " message to edit not found",
    ]


async def test_callback_query_answered_twice_or_unknown(
    app: Application, api: FakeBotApi, user: FakeUser
) -> None:
    await user.send("/start")
    await user.press("Nein")
    answered = api.callback_answers[0].query_id

    with pytest.raises(BadRequest, match=r"[Qq]uery is too old"):
        await app.bot.answer_callback_query(answered)
    with pytest.raises(BadRequest):
        await app.bot.answer_callback_query("nonsense")
    query_id = api.next_callback_query_id()
    with pytest.raises(BadRequest):
        await app.bot.answer_callback_query(query_id, text="x" * 201)

    assert api.rejections[:2] == [("answerCallbackQuery", QUERY_TOO_OLD)] * 2


async def test_unknown_method_is_reported(app: Application, api: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match="not supported by the fake"):
        await app.bot.send_dice(USER_ID)
    assert api.rejections == [Rejection("sendDice", api.rejections[0].description)]
