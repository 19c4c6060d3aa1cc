"""Issue 22, bullet 5: every dialogue survives a restart. The application's ConversationHandlers
are walked (every group, nested ones too): each is named and persistent, and each has a scenario
here that enters it, stops the real Application and goes on in a new one on the same file (so a
dialogue added later without persistence, or without a scenario, fails this test). One of them
goes on after a real ``kill -9`` of a real ``python run.py`` process, polling the fake Bot API
over loopback HTTP."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import BaseHandler, ConversationHandler

from bot.app import build_application
from bot.sending.sender import drain_outbox
from domain.evening import end_of
from handlers.attendee.feedback import plan_feedback
from storage import attendees as attendee_store
from storage import events as event_store
from testing.fake_telegram import FakeBotApi
from testing.fake_telegram.html import Entity
from testing.fake_telegram.http import LoopbackBotApi
from testing.offline import offline_bot
from tests.conftest import ADMIN_ID, fast_bulk_settings, make_event
from tests.outbox_support import sign_up
from tests.process_support import RUN, clean_env
from tests.signup_support import returning_user

EVENT = make_event()


def conversations(handlers: list[BaseHandler]) -> Iterator[ConversationHandler]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield handler
            for state_handlers in handler.states.values():
                yield from conversations(state_handlers)


def registered(application) -> list[ConversationHandler]:
    return [c for group in application.handlers.values() for c in conversations(group)]


# --- one scenario per dialogue: enter it in one Application, go on in the next -----------------


async def enter_signup(bot, clock):
    await event_store.save_events(bot.data.db, [EVENT], clock.now())
    user = bot.user(7, first_name="Erika")
    [card] = await user.send(f"/start ev_{EVENT.id}")
    [prompt] = await user.press("Anmelden", card)
    assert "Unter welchem Namen" in prompt.text


async def go_on_signup(bot, clock):
    answers = await bot.user(7, first_name="Erika").send("Erika Neumann")
    assert answers[0].text == "Sie melden sich als Erika Neumann an."


async def enter_questions(bot, clock):
    await event_store.save_events(bot.data.db, [EVENT], clock.now())
    user = await returning_user(bot, 5)
    [card] = await user.send(f"/start ev_{EVENT.id}")
    await user.press("Anmelden", card)
    [card] = await user.send(f"/start ev_{EVENT.id}")
    [prompt] = await user.press("❓ Frage an die Referent:innen", card)
    assert "höchstens 500 Zeichen" in prompt.text


async def go_on_questions(bot, clock):
    [thanks] = await bot.user(5).send("Wo kann man parken?")
    assert "Vielen Dank" in thanks.text and "Wo kann man parken?" in thanks.text


async def enter_feedback(bot, clock):
    await event_store.save_events(bot.data.db, [EVENT], clock.now())
    there = (await sign_up(bot, clock, 1)).registration
    clock.set(EVENT.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, there.id, clock.now())
    clock.set(end_of(EVENT) + timedelta(hours=2))
    await plan_feedback(bot.app.bot_data)
    await drain_outbox(bot.app)
    user = bot.user(1)
    await user.press("4")
    [ask] = await user.press("💬 Kommentar schreiben")
    assert "Kommentar" in ask.text


async def go_on_feedback(bot, clock):
    [done] = await bot.user(1).send("Gute Runde")
    assert "Vielen Dank für Ihren Kommentar" in done.text


async def enter_organiser(bot, clock):
    [ask] = await bot.user(ADMIN_ID, first_name="Orga").send("/rundschreiben")
    assert "Rundschreiben" in ask.text


async def go_on_organiser(bot, clock):
    [ask] = await bot.user(ADMIN_ID, first_name="Orga").send("Hallo zusammen")
    assert ask.text == "An wen soll die Nachricht gehen?"


async def enter_name(bot, clock):
    user = await returning_user(bot, 7, "Erika Muster")
    [*_, screen] = await user.send("/datenschutz")
    [ask] = await user.press("Name ändern", screen)
    assert "Derzeit melden Sie sich als Erika Muster an" in ask.text


async def go_on_name(bot, clock):
    [changed] = await bot.user(7).send("Erika Neumann")
    assert "Ihr Name lautet jetzt Erika Neumann" in changed.text


SCENARIOS: dict[str, tuple[Callable, Callable]] = {
    "signup": (enter_signup, go_on_signup),
    "questions": (enter_questions, go_on_questions),
    "feedback": (enter_feedback, go_on_feedback),
    "organiser-dialogues": (enter_organiser, go_on_organiser),
    "name": (enter_name, go_on_name),
}


def test_every_conversation_is_named_persistent_and_has_a_restart_scenario(tmp_path):
    found = registered(build_application(fast_bulk_settings(tmp_path)))
    assert found
    for conversation in found:
        assert conversation.name, conversation
        assert conversation.persistent, conversation.name
    assert sorted(c.name for c in found) == sorted(SCENARIOS)  # each is walked below


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_each_dialogue_goes_on_in_a_new_application_on_the_same_file(tmp_path, clock, name):
    settings = fast_bulk_settings(tmp_path)
    api = FakeBotApi()  # one Telegram for both runs: the chats and their buttons carry over
    enter, go_on = SCENARIOS[name]
    async with offline_bot(settings, clock=clock, api=api) as first:
        await enter(first, clock)
    steps = sqlite3.connect(settings.database_path).execute("SELECT handler FROM dialogue_states")
    assert [row[0] for row in steps] == [name]  # written by the real shutdown
    async with offline_bot(settings, clock=clock, api=api) as second:
        await go_on(second, clock)
        assert second.api.rejections == []


# --- a real process, killed -------------------------------------------------------------------

TOKEN = "123456:dialogue-restart-token"
ORGANISER = 4242


def _queue_text(server: LoopbackBotApi, text: str) -> None:
    def queue(api: FakeBotApi) -> None:
        api.register_user({"id": ORGANISER, "is_bot": False, "first_name": "Orga"})
        entities = [Entity("bot_command", 0, len(text))] if text.startswith("/") else None
        message = api.record_incoming(ORGANISER, ORGANISER, text, entities)
        api.queue_update({"message": message})

    server.read(queue)


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll ``condition`` until it holds (a condition, not a length of time, is awaited)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _said(server: LoopbackBotApi, words: str) -> bool:
    return server.read(lambda api: any(words in m.text for m in api.messages(ORGANISER)))


def _start(tmp_path: Path, server: LoopbackBotApi) -> subprocess.Popen:
    env = clean_env(
        tmp_path,
        BOT_TOKEN=TOKEN,
        BOT_API_BASE_URL=server.base_url,
        ADMIN_IDS=str(ORGANISER),
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, RUN],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored_step(database: Path) -> bool:
    if not database.exists():
        return False
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        try:
            rows = conn.execute("SELECT handler FROM dialogue_states").fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return False
    return rows == [("organiser-dialogues",)]


def test_a_dialogue_goes_on_after_kill_9_of_the_real_process(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with LoopbackBotApi(FakeBotApi(token=TOKEN)).in_thread() as server:
        first = _start(tmp_path, server)
        try:
            _queue_text(server, "/rundschreiben")
            _wait_for(lambda: _said(server, "Senden Sie mir jetzt die Nachricht"), "the prompt")
            # PTB hands the step to the persistence every UPDATE_INTERVAL seconds
            _wait_for(lambda: _stored_step(database), "the stored step")
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL

        second = _start(tmp_path, server)
        try:
            _queue_text(server, "Hallo zusammen")
            _wait_for(lambda: _said(server, "An wen soll die Nachricht gehen?"), "the audience")
        finally:
            second.send_signal(signal.SIGTERM)
            _, errors = second.communicate(timeout=60)
        assert second.returncode == 0, errors
