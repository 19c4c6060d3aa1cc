"""The fake Bot API's media, command menus, cursors, terminal rendering and polling."""

from __future__ import annotations

import asyncio
import json

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest
from telegram.ext import Application

from testing.fake_telegram import Entity, FakeBotApi, FakeUser, render_for_terminal
from tests.fake_api.conftest import USER_ID

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


async def test_ending_long_polls_answers_a_waiting_get_updates_at_once(api: FakeBotApi) -> None:
    api.get_updates_wait = 3600.0  # a poll that would outlast the test
    poll = asyncio.create_task(api.answer_call("getUpdates", {"timeout": 3600}, {}))
    await asyncio.sleep(0)  # the poll is waiting now
    assert not poll.done()
    api.end_long_polls()
    status, body = await asyncio.wait_for(poll, 5)  # a deadline, not a measurement
    assert status == 200 and json.loads(body)["result"] == []
    assert api.get_updates_wait == 0.05  # and later polls are short
