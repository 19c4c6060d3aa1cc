"""Tests of the fake Telegram Bot API: it must behave like Telegram where our bot can tell."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from testing.fake_telegram import (
    QUERY_TOO_OLD,
    Entity,
    FakeBotApi,
    FakeGroup,
    FakeUser,
    Rejection,
    parse_html,
    render_for_terminal,
)

USER_ID = 4711
# RetryAfter.retry_after warns about its future timedelta type; irrelevant here.
IGNORE_RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with two choices and a link."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja, gerne", callback_data="choice:yes"),
                InlineKeyboardButton("Nein", callback_data="choice:no"),
            ],
            [InlineKeyboardButton("Programm", url="https://example.org/programm")],
        ]
    )
    await update.effective_message.reply_text("<b>Willkommen</b> 👋", reply_markup=keyboard)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and replace the question by the choice."""
    query = update.callback_query
    await query.answer("Gespeichert")
    await query.edit_message_text(f"Gewählt: <i>{query.data}</i>")


@pytest.fixture
def api() -> FakeBotApi:
    """A fresh fake API."""
    return FakeBotApi()


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:
    """A real, initialized Application talking to the fake."""
    application = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(api)
        .get_updates_request(api)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choose))
    async with application:
        yield application


@pytest.fixture
def user(app: Application, api: FakeBotApi) -> FakeUser:
    """Erika, chatting privately with the bot."""
    return FakeUser(app, api, USER_ID, username="erika")


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


# -- entities --------------------------------------------------------------------------------


def test_entity_offsets_count_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>Fest 🎉</b> &amp; <a href='https://x.org'>Link</a>")

    assert text == "😀 Fest 🎉 & Link"
    assert entities == [
        Entity("bold", 3, 7),
        Entity("text_link", 13, 4, url="https://x.org"),
    ]


def test_pre_with_language_and_nested_tags() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">a &lt; b</code></pre>'
        '<blockquote expandable><span class="tg-spoiler">s</span></blockquote>'
    )

    assert text == "a < bs"
    assert sorted(entities, key=lambda e: e.type) == [
        Entity("expandable_blockquote", 5, 1),
        Entity("pre", 0, 5, language="python"),
        Entity("spoiler", 5, 1),
    ]


# -- fault injection -------------------------------------------------------------------------


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_injected_faults_raise_what_ptb_raises(app: Application, api: FakeBotApi) -> None:
    api.fail_next(1, status=429, retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await app.bot.send_message(USER_ID, "a")
    assert flood.value.retry_after == 3

    api.fail_next(1, status="timeout", method="sendMessage")
    with pytest.raises(TimedOut):
        await app.bot.send_message(USER_ID, "b")
    api.fail_next(1, status=502)
    with pytest.raises(NetworkError):
        await app.bot.send_message(USER_ID, "c")

    api.block(USER_ID)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(USER_ID, "d")
    api.unblock(USER_ID)

    api.set_down(True)
    with pytest.raises(NetworkError):
        await app.bot.send_message(USER_ID, "e")
    api.set_down(False)
    await app.bot.send_message(USER_ID, "f")

    assert [m.text for m in api.messages(USER_ID)] == ["f"]
    assert [c.status for c in api.calls_to("sendMessage")] == [
        429,
        "timeout",
        502,
        403,
        "down",
        200,
    ]
    assert api.rejections == []


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_enforce_rate_counts_429s(app: Application, api: FakeBotApi) -> None:
    api.enforce_rate(5)

    results = await asyncio.gather(
        *(app.bot.send_message(USER_ID, f"n{i}") for i in range(8)), return_exceptions=True
    )

    assert sum(isinstance(r, RetryAfter) for r in results) == 3
    assert api.rate_429s == 3
    assert len(api.messages(USER_ID)) == 5
    await app.bot.send_chat_action(USER_ID, "typing")  # not rate-limited


# -- media, commands, cursors, rendering -----------------------------------------------------


async def test_copy_message_of_a_user_photo(
    app: Application, api: FakeBotApi, user: FakeUser
) -> None:
    await user.send_photo(caption="Unser Hof", photo=b"JPEG bytes")
    photo = api.incoming(USER_ID)[-1]

    copied = await app.bot.copy_message(-100555, USER_ID, photo.message_id)

    target = api.last(-100555)
    assert target.message_id == copied.message_id
    assert (target.photo, target.caption, target.method) == (
        b"JPEG bytes",
        "Unser Hof",
        "copyMessage",
    )


async def test_documents_venues_and_terminal_rendering(app: Application, api: FakeBotApi) -> None:
    await app.bot.send_document(
        USER_ID, b"BEGIN:VCALENDAR", filename="termin.ics", caption="<b>Termin</b>"
    )
    await app.bot.send_venue(USER_ID, 48.77, 9.18, "Haus der Architekten", "Danneckerstr. 54")
    await app.bot.send_message(
        USER_ID,
        '<b>Fett</b> <a href="https://akbw.de">AKBW</a>',
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Anmelden", callback_data="a")],
                [InlineKeyboardButton("Info", callback_data="i")],
            ]
        ),
    )
    document, venue, text = api.messages(USER_ID)

    assert (document.document.filename, document.document.content) == (
        "termin.ics",
        b"BEGIN:VCALENDAR",
    )
    assert render_for_terminal(document, color=False) == "📎 termin.ics (15 bytes)\nTermin"
    assert render_for_terminal(venue, color=False) == (
        "📍 Haus der Architekten, Danneckerstr. 54 (48.77, 9.18)"
    )
    assert (
        render_for_terminal(text, color=False)
        == "Fett AKBW (https://akbw.de)\n[1] Anmelden\n[2] Info"
    )
    assert "\x1b[1mFett\x1b[22m" in render_for_terminal(text, color=True)


async def test_commands_are_stored_per_scope_and_language(
    app: Application, api: FakeBotApi
) -> None:
    await app.bot.set_my_commands([BotCommand("start", "Start")])
    await app.bot.set_my_commands(
        [BotCommand("termine", "Termine")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="en",
    )

    assert api.commands() == [("start", "Start")]
    assert api.commands(BotCommandScopeAllPrivateChats(), "en") == [("termine", "Termine")]
    assert [c.command for c in await app.bot.get_my_commands()] == ["start"]
    with pytest.raises(BadRequest):
        await app.bot.set_my_commands([BotCommand("Start", "Großbuchstaben")])


async def test_cursor_reports_new_and_edited_messages_once(
    app: Application, api: FakeBotApi, user: FakeUser
) -> None:
    cursor = api.cursor(USER_ID)
    first = await app.bot.send_message(USER_ID, "eins")
    await app.bot.send_message(-1, "anderer Chat")
    assert [m.text for m in cursor.new()] == ["eins"]

    await app.bot.send_message(USER_ID, "zwei")
    await app.bot.edit_message_text("eins!", USER_ID, first.message_id)
    await app.bot.edit_message_text("eins!!", USER_ID, first.message_id)

    assert [m.text for m in cursor.new()] == ["zwei", "eins!!"]
    assert cursor.new() == []


async def test_polling_delivers_queued_updates(app: Application, api: FakeBotApi) -> None:
    user = FakeUser(app, api, USER_ID)
    await app.start()
    await app.updater.start_polling(poll_interval=0)
    message = api.record_incoming(USER_ID, user.user_id, "/start", [Entity("bot_command", 0, 6)])
    api.queue_update({"message": message})
    for _ in range(50):
        if api.messages(USER_ID):
            break
        await asyncio.sleep(0.01)
    await app.updater.stop()
    await app.stop()

    assert user.last_text == "Willkommen 👋"
