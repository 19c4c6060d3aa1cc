"""The global error handler (issue 6.2): log with traceback and ids, apologise in the user's
language, alert the organisers escaped and throttled, never leave a dialogue stuck."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from telegram import Update
from telegram.error import Forbidden, TimedOut
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import Action
from bot.context import BotContext
from handlers.dialogues import leavable
from testing.offline import press_action
from tests.conftest import ADMIN_ID, make_event

ASKING = 1
SECRET_TICKET = "tK7_secretTicketValue_9zQ"


async def explode(update: Update, context: BotContext) -> None:
    """A handler with a bug; its message has HTML in it."""
    raise ValueError("kaputt <b>& </b> value")


async def blocked(update: Update, context: BotContext) -> None:
    raise Forbidden("Forbidden: bot was blocked by the user")


async def timed_out(update: Update, context: BotContext) -> None:
    raise TimedOut("fake timeout")


async def ask(update: Update, context: BotContext) -> int:
    await update.effective_message.reply_text("Wie heißen Sie? (/abbrechen)")  # no dead end
    return ASKING


async def cancel_dialog(update: Update, context: BotContext) -> int:
    await update.effective_message.reply_text("abgebrochen, weiter mit /hilfe")
    return ConversationHandler.END


def test_dialog() -> ConversationHandler:
    """A dialogue whose answer step always fails."""
    return ConversationHandler(
        entry_points=[CommandHandler("dialog", ask)],
        states=leavable({ASKING: [MessageHandler(filters.TEXT & ~filters.COMMAND, explode)]}),
        fallbacks=[CommandHandler("abbrechen", cancel_dialog)],
    )


test_dialog.__test__ = False  # a factory, not a test


@pytest.fixture
def broken(bot):
    """The real bot with extra, failing handlers placed first in the feature group."""
    bot.app.handlers[0][0:0] = [
        CommandHandler("kaputt", explode),
        CommandHandler("gesperrt", blocked),
        CommandHandler("langsam", timed_out),
        CallbackQueryHandler(explode, pattern="^boom"),
        test_dialog(),
    ]
    return bot


def alerts(bot) -> list[str]:
    return [m.text for m in bot.api.messages(ADMIN_ID) if "Fehler im Bot" in m.text]


async def test_user_gets_a_short_apology_in_their_language(broken):
    german = broken.user(1, language_code="de")
    english = broken.user(2, language_code="en")
    await german.send("/kaputt")
    await english.send("/kaputt")
    assert german.last_text.startswith("Entschuldigung, da ist etwas schiefgelaufen")
    assert english.last_text.startswith("Sorry, something went wrong")
    assert "/start" in german.last_text


async def test_failed_button_gets_an_apology_too(broken):
    user = broken.user(3)
    await user.send("/start")
    await user.press_data("boom")
    assert user.last_text.startswith("Entschuldigung")


async def test_organisers_get_the_error_escaped(broken):
    user = broken.user(4)
    await user.send("/kaputt")
    (alert,) = alerts(broken)
    assert "ValueError: kaputt <b>& </b> value" in alert  # arrived intact, not as markup
    assert "update " in alert and "user 4" in alert
    message = broken.api.last(ADMIN_ID)
    assert [e.type for e in message.entities if e.type == "code"] == ["code"]


async def test_an_error_storm_is_one_alert_a_minute(broken, clock):
    users = [broken.user(100 + n) for n in range(10)]
    for user in users:
        await user.send("/kaputt")
    assert len(alerts(broken)) == 1
    assert all(u.last_text.startswith("Entschuldigung") for u in users)  # everyone answered
    clock.advance(timedelta(seconds=59))
    await users[0].send("/kaputt")
    assert len(alerts(broken)) == 1
    clock.advance(timedelta(seconds=2))
    await users[1].send("/kaputt")
    assert len(alerts(broken)) == 2
    assert "Außerdem 10 weitere Fehler seit der letzten Meldung" in alerts(broken)[-1]


async def test_transport_errors_are_not_alerted(broken):
    user = broken.user(5)
    await user.send("/langsam")
    assert alerts(broken) == []
    assert user.last_text.startswith("Entschuldigung")


async def test_blocked_user_is_marked_not_alerted(broken, clock):
    user = broken.user(6)
    await user.send("/start")
    await user.send("/gesperrt")
    assert alerts(broken) == []
    blocked_at = await broken.data.db.fetch_value("SELECT blocked_at FROM users WHERE id = 6")
    assert blocked_at is not None


async def test_logs_carry_ids_and_traceback_not_names_or_tickets(broken, caplog):
    user = broken.user(7, first_name="Mustermann-Vorname", username="geheimer_name")
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await user.send(f"/kaputt ci_{SECRET_TICKET}")
    (record,) = [r for r in caplog.records if r.name == "handlers.errors"]
    line = record.getMessage()
    assert "user 7" in line and "chat 7" in line and "command /kaputt" in line
    assert record.exc_info is not None and record.exc_info[0] is ValueError
    logged = caplog.text
    assert "Traceback" in logged
    for secret in ("Mustermann", "geheimer_name", SECRET_TICKET):
        assert secret not in logged


async def test_a_failure_never_leaves_a_dialogue_stuck(broken):
    user = broken.user(8)
    await user.send("/dialog")
    assert user.last_text == "Wie heißen Sie? (/abbrechen)"
    await user.send("Erika <Mustermann>")  # the answer step fails
    assert user.last_text.startswith("Entschuldigung")
    await user.send("/start")
    assert "Willkommen" in user.last_text
    # The dialogue was ended: typed text is no longer taken as the (failing) answer.
    await user.send("noch ein Text")
    assert "nicht verstanden" in user.last_text
    assert len(alerts(broken)) == 1


async def test_errors_outside_updates_alert_the_organisers(bot):
    """A failing job (no update) is logged and reported like any other error."""
    try:
        raise RuntimeError("job <failed>")
    except RuntimeError as exc:
        await bot.app.process_error(None, exc)
    (alert,) = [m.text for m in bot.api.messages(ADMIN_ID)]
    assert "RuntimeError: job <failed>" in alert
    assert "no update" in alert


async def test_alert_in_the_organisers_language(broken, settings):
    admin = broken.user(ADMIN_ID, language_code="en")
    await admin.send("/sprache")
    await admin.press("English")
    await broken.user(9).send("/kaputt")
    assert "Error in the bot" in broken.api.last(ADMIN_ID).text


# --- the real dialogues -----------------------------------------------------------------------


async def registrations_of(bot, user_id: int) -> int:  # type: ignore[no-untyped-def]
    return await bot.data.db.fetch_value(
        "SELECT count(*) FROM registrations WHERE user_id = ?", (user_id,)
    )


async def test_start_leaves_the_sign_up_name_step(bot, add_events):
    await add_events(make_event("a-1"))
    user = bot.user(50)
    await user.send("/start ev_a-1")
    await press_action(user, Action.SIGN_UP)  # the bot now waits for a name
    assert await bot.data.db.fetch_value("SELECT display_name FROM users WHERE id = 50") is None
    assert "Willkommen" in (await user.send("/start"))[-1].text
    answers = await user.send("Hallo, ich hätte eine Frage")
    assert "nicht verstanden" in answers[-1].text  # not taken as the name
    assert await bot.data.db.fetch_value("SELECT display_name FROM users WHERE id = 50") is None
    assert await registrations_of(bot, 50) == 0


async def test_a_failure_in_the_name_step_ends_the_dialogue(bot, add_events):
    await add_events(make_event("a-1"))
    user = bot.user(51)
    await user.send("/start ev_a-1")
    await press_action(user, Action.SIGN_UP)
    bot.api.fail_next(1, 500, method="sendMessage")  # the name step's answer fails
    await user.send("Erika Mustermann")
    assert user.last_text.startswith("Entschuldigung")
    assert "Willkommen" in (await user.send("/start"))[-1].text
    answers = await user.send("Noch ein Text")
    assert "nicht verstanden" in answers[-1].text


async def test_start_leaves_an_organiser_dialogue(bot, add_events):
    await add_events(make_event("a-1"))
    organiser = bot.user(ADMIN_ID)
    await organiser.send("/admin")
    await press_action(organiser, Action.EVENT_NEW)  # the editor asks for the title
    asked = organiser.last_text
    assert "Willkommen" in (await organiser.send("/start"))[-1].text
    answers = await organiser.send("Ein neuer Abend")
    assert answers[-1].text != asked and "nicht verstanden" in answers[-1].text
    assert await bot.data.db.fetch_value("SELECT count(*) FROM events") == 1
