"""Webhook mode (issue 6.1): the real Application behind PTB's webhook server on loopback.

Telegram proves a POST is genuine with the ``X-Telegram-Bot-Api-Secret-Token`` header; a
request without it or with a wrong one must be refused (403) and never reach a handler.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from telegram.ext import Application

from bot import cli
from testing.fake_telegram import Entity
from testing.offline import OfflineBot, offline_bot
from tests.conftest import make_settings

SECRET = "s3cret-Token_for-tests"
URL_PATH = "telegram/hook"
USER_ID = 4711


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[tuple[OfflineBot, str]]:
    """The started bot with PTB's webhook server on a free loopback port; yields its URL."""
    port = free_port()
    async with offline_bot(make_settings(tmp_path), start=True) as running:
        await running.app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path=URL_PATH,
            webhook_url=f"https://bot.example.org/{URL_PATH}",
            secret_token=SECRET,
        )
        try:
            yield running, f"http://127.0.0.1:{port}/{URL_PATH}"
        finally:
            await running.app.updater.stop()


def start_update(running: OfflineBot, text: str = "/start") -> bytes:
    """The JSON Telegram would POST for a user typing ``text``."""
    running.api.register_user(
        {"id": USER_ID, "is_bot": False, "first_name": "Erika", "language_code": "de"}
    )
    message = running.api.record_incoming(
        USER_ID, USER_ID, text=text, entities=[Entity("bot_command", 0, len(text))]
    )
    return json.dumps({"update_id": running.api.next_update_id(), "message": message}).encode()


async def wait_for_answer(running: OfflineBot, seconds: float = 5.0) -> None:
    """Poll the fake until the bot answered in the user's chat."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not running.api.messages(USER_ID):
        assert loop.time() < deadline, "the bot did not answer the webhook update"
        await asyncio.sleep(0.02)


async def test_webhook_is_registered_with_secret(webhook_bot):
    running, _ = webhook_bot
    assert running.api.webhook_url == f"https://bot.example.org/{URL_PATH}"
    (call,) = running.api.calls_to("setWebhook")
    assert call.params["secret_token"] == SECRET


async def test_post_with_right_secret_is_processed(webhook_bot):
    running, url = webhook_bot
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url,
            content=start_update(running),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
            },
        )
    assert response.status_code == 200
    await wait_for_answer(running)
    assert "Willkommen" in running.api.last(USER_ID).text


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET.lower()])
async def test_post_without_right_secret_is_rejected(webhook_bot, secret):
    running, url = webhook_bot
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with httpx.AsyncClient() as client:
        response = await client.post(url, content=start_update(running), headers=headers)
    assert response.status_code == 403
    await asyncio.sleep(0.2)  # give a wrongly accepted update the time to be handled
    assert running.api.messages(USER_ID) == []
    assert running.app.update_queue.empty()


async def test_other_paths_and_garbage_are_refused(webhook_bot):
    running, url = webhook_bot
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient() as client:
        wrong_path = await client.post(
            url.replace(URL_PATH, "other"), content=start_update(running), headers=headers
        )
        garbage = await client.post(url, content=b"{not json", headers=headers)
    assert wrong_path.status_code == 404
    assert garbage.status_code >= 400  # PTB answers 500 to a body that is not JSON
    await asyncio.sleep(0.1)
    assert running.api.messages(USER_ID) == []


# --- python run.py: polling by default, webhook when WEBHOOK_URL is set ---------------------


@pytest.fixture
def serve_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """Replace run_polling/run_webhook by recorders, so run_bot returns at once."""
    calls: list[tuple[str, dict]] = []

    def recorder(name: str):
        def record(self: Application, *args: object, **kwargs: object) -> None:
            assert not args
            calls.append((name, kwargs))

        return record

    monkeypatch.setattr(Application, "run_polling", recorder("polling"))
    monkeypatch.setattr(Application, "run_webhook", recorder("webhook"))
    return calls


def test_polling_is_the_default(tmp_path, serve_calls):
    settings = make_settings(tmp_path, bot_token="123456:TEST-not-a-real-token")
    assert cli.run_bot(settings) == 0
    ((mode, kwargs),) = serve_calls
    assert mode == "polling"
    assert kwargs["allowed_updates"] == ["message", "callback_query"]


def test_webhook_when_url_is_set(tmp_path, serve_calls):
    settings = make_settings(
        tmp_path,
        bot_token="123456:TEST-not-a-real-token",
        webhook_url="https://bot.example.org/tg/hook",
        webhook_listen="127.0.0.1",
        webhook_port=8081,
        webhook_secret=SECRET,
    )
    assert cli.run_bot(settings) == 0
    ((mode, kwargs),) = serve_calls
    assert mode == "webhook"
    assert kwargs["listen"] == "127.0.0.1"
    assert kwargs["port"] == 8081
    assert kwargs["url_path"] == "tg/hook"
    assert kwargs["webhook_url"] == "https://bot.example.org/tg/hook"
    assert kwargs["secret_token"] == SECRET


def test_webhook_without_configured_secret_gets_a_random_one(tmp_path):
    settings = make_settings(tmp_path, webhook_url="https://bot.example.org/")
    first = cli.webhook_options(settings)["secret_token"]
    second = cli.webhook_options(settings)["secret_token"]
    assert isinstance(first, str) and len(first) >= 32 and first != second
    assert cli.webhook_options(settings)["url_path"] == ""
