"""Webhook mode (issues 6.1, 15): the real Application behind the bot's own webhook endpoint
(bot.web.webhook), over HTTP on loopback, with the fake Bot API.

Telegram proves a POST is genuine with the ``X-Telegram-Bot-Api-Secret-Token`` header. A
request without it, or with a wrong one, is refused (403) on its headers alone, before a byte
of the body is read; an authenticated body above 1 MiB is refused (413); what is not an update
gets 400 and never a traceback. A real ``python run.py`` process under big POSTs:
tests/test_webhook_process.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.web.server import attach, bind_socket
from bot.web.webhook import MAX_UPDATE_BYTES, WebhookRefused, serve_webhook
from testing.fake_telegram import Entity, FakeBotApi
from testing.offline import OfflineBot, unthrottled
from tests.conftest import make_settings

SECRET = "s3cret-Token_for-tests"
URL_PATH = "telegram/hook"
USER_ID = 4711
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Hook:
    """A running webhook bot: the application, the fake, the endpoint's address."""

    def __init__(self, running: OfflineBot, port: int):
        self.running = running
        self.api = running.api
        self.port = port
        self.url = f"http://127.0.0.1:{port}/{URL_PATH}"
        self.public_address: str | None = None


async def until(condition, seconds: float = 5.0, what: str = "condition") -> None:
    """Poll ``condition`` (the fake has no events to wait on) for at most ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def webhook_running(
    tmp_path: Path, api: FakeBotApi | None = None, **overrides: object
) -> AsyncIterator[tuple[Hook, asyncio.Task[None]]]:
    """``serve_webhook`` as ``python run.py`` runs it, on a free loopback port; the block's
    end stops it like SIGTERM would."""
    values: dict[str, object] = {
        "webhook_url": f"https://bot.example.org/{URL_PATH}",
        "webhook_secret": SECRET,
    }
    public = overrides.pop("public_site", False)
    values.update(overrides)
    settings = make_settings(tmp_path, **values)
    api = api or FakeBotApi()
    application = build_application(settings, request=api, rate_limiter=unthrottled(), polls=False)
    # The public program on its own port, started in post_init as in production.
    site = attach(application, bind_socket("127.0.0.1", 0)) if public else None
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    stop = asyncio.Event()
    task = asyncio.create_task(serve_webhook(application, settings, sock, ALLOWED_UPDATES, stop))
    try:
        running = Hook(OfflineBot(application, api), port)
        running.public_address = site.address if site else None
        yield running, task
    finally:
        stop.set()
        done, _ = await asyncio.wait([task], timeout=30)
        assert done, "the webhook bot did not stop"


@pytest.fixture
async def hook(tmp_path: Path) -> AsyncIterator[Hook]:
    """A webhook bot that is up: registered with Telegram and started."""
    async with webhook_running(tmp_path) as (running, task):
        await until(lambda: running.running.app.running or task.done(), what="the start")
        assert not task.done(), task.exception()
        yield running
    assert task.exception() is None
    assert not running.api.rejections


def start_update(hook: Hook, text: str = "/start") -> bytes:
    """The JSON Telegram would POST for a user typing ``text``."""
    hook.api.register_user(
        {"id": USER_ID, "is_bot": False, "first_name": "Erika", "language_code": "de"}
    )
    message = hook.api.record_incoming(
        USER_ID, USER_ID, text=text, entities=[Entity("bot_command", 0, len(text))]
    )
    return json.dumps({"update_id": hook.api.next_update_id(), "message": message}).encode()


def raw_exchange(port: int, head: str, body: bytes = b"") -> bytes:
    """Send a request head (and ``body``) on a plain socket; return all the server answers
    until it closes the connection. Nothing more than ``body`` is ever sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head.encode() + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


def head(secret: str | None, length: int | None = None, *extra: str) -> str:
    """The head of a POST to the webhook path."""
    lines = [f"POST /{URL_PATH} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.extend(extra)
    return "\r\n".join(lines) + "\r\n\r\n"


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


async def exchange(hook: Hook, request_head: str, body: bytes = b"") -> bytes:
    return await asyncio.to_thread(raw_exchange, hook.port, request_head, body)


# --- start-up -------------------------------------------------------------------------------


async def test_webhook_is_registered_with_secret_and_update_types(hook):
    assert hook.api.webhook_url == f"https://bot.example.org/{URL_PATH}"
    (call,) = hook.api.calls_to("setWebhook")
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert hook.running.app.updater is None  # no PTB web server, no polling


async def test_without_configured_secret_a_random_one_is_registered(tmp_path):
    secrets = []
    for run in range(2):
        async with webhook_running(tmp_path / str(run), webhook_secret=None) as (running, _):
            await until(lambda: running.api.calls_to("setWebhook"), what="setWebhook")
            secrets.append(running.api.calls_to("setWebhook")[0].params["secret_token"])
    assert all(len(secret) >= 32 for secret in secrets) and secrets[0] != secrets[1]


async def test_a_refused_set_webhook_is_one_clear_error_and_a_clean_stop(tmp_path):
    api = FakeBotApi()
    api.fail_next(1, status=400, method="setWebhook")
    async with webhook_running(tmp_path, api=api) as (running, task):
        await until(task.done, what="the refusal")
        with pytest.raises(WebhookRefused, match=r"WEBHOOK_URL https://bot\.example\.org/"):
            task.result()
        assert not running.running.app.running
        with pytest.raises(OSError):  # the endpoint's socket is closed again
            socket.create_connection(("127.0.0.1", running.port), timeout=1).close()


# --- what gets in ---------------------------------------------------------------------------


async def test_post_with_right_secret_reaches_the_bot_and_the_user_sees_the_answer(hook):
    async with httpx.AsyncClient() as client:
        response = await client.post(
            hook.url,
            content=start_update(hook),
            headers={"Content-Type": "application/json", SECRET_HEADER: SECRET},
        )
    assert response.status_code == 200
    await until(lambda: hook.api.messages(USER_ID), what="the answer")
    assert "Willkommen" in hook.api.last(USER_ID).text


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET.lower(), SECRET + "x"])
async def test_post_without_right_secret_is_refused(hook, secret):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with httpx.AsyncClient() as client:
        response = await client.post(hook.url, content=start_update(hook), headers=headers)
    assert response.status_code == 403
    await asyncio.sleep(0.2)  # give a wrongly accepted update the time to be handled
    assert hook.api.messages(USER_ID) == []
    assert hook.running.app.update_queue.empty()


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
async def test_refused_on_the_headers_before_any_body_is_sent(hook, secret):
    """The head announces 100 MB and not one byte follows: the 403 still arrives, and the
    server closes the connection instead of waiting for (or reading) the body."""
    answer = await exchange(hook, head(secret, 100_000_000))
    assert status_of(answer) == 403
    assert b"connection: close" in answer.lower()


async def test_expect_continue_without_secret_is_refused_before_the_body(hook):
    answer = await exchange(hook, head("wrong", 100_000_000, "Expect: 100-continue"))
    assert status_of(answer) == 403
    assert b"100 Continue" not in answer


async def test_expect_continue_with_secret_gets_continue_then_the_update_is_handled(hook):
    body = start_update(hook)
    with socket.create_connection(("127.0.0.1", hook.port), timeout=5) as conn:
        request_head = head(SECRET, len(body), "Expect: 100-continue", "Connection: close")
        await asyncio.to_thread(conn.sendall, request_head.encode())
        assert (await asyncio.to_thread(conn.recv, 100)).startswith(b"HTTP/1.1 100 Continue")
        await asyncio.to_thread(conn.sendall, body)
        assert status_of(await asyncio.to_thread(conn.recv, 1000)) == 200
    await until(lambda: hook.api.messages(USER_ID), what="the answer")


async def test_an_announced_oversized_body_is_refused_unread(hook):
    answer = await exchange(hook, head(SECRET, MAX_UPDATE_BYTES + 1))
    assert status_of(answer) == 413
    assert hook.running.app.update_queue.empty()


async def test_a_chunked_body_is_read_only_up_to_the_cap(hook):
    """Without Content-Length the body is read until it passes 1 MiB, then refused; the
    client has not even finished (no final chunk is ever sent)."""
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(17))  # 1.06 MiB
    answer = await exchange(hook, head(SECRET, None, "Transfer-Encoding: chunked"), body)
    assert status_of(answer) == 413
    assert hook.running.app.update_queue.empty()


async def test_a_body_just_under_the_cap_is_read(hook):
    update = json.loads(start_update(hook))
    update["padding"] = " " * (MAX_UPDATE_BYTES - 2000)  # unknown fields are ignored
    async with httpx.AsyncClient() as client:
        response = await client.post(
            hook.url, content=json.dumps(update).encode(), headers={SECRET_HEADER: SECRET}
        )
    assert response.status_code == 200
    await until(lambda: hook.api.messages(USER_ID), what="the answer")


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[]",
        b'"text"',
        b"{}",
        b'{"update_id": "1"}',
        b'{"update_id": 1, "message": "no message"}',
        b'{"update_id": 1, "message": {"message_id": 1}}',
        b'{"update_id": 1, "callback_query": {"id": "1"}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"update_id": 1, "x": "\xff"}',  # not UTF-8
    ],
)
async def test_what_is_not_an_update_gets_400_without_a_traceback(hook, body, caplog):
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient() as client:
        response = await client.post(hook.url, content=body, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 400
        # ... and the endpoint keeps working.
        good = await client.post(
            hook.url, content=start_update(hook), headers={SECRET_HEADER: SECRET}
        )
    assert good.status_code == 200
    await until(lambda: hook.api.messages(USER_ID), what="the answer")
    assert not [record for record in caplog.records if record.exc_info]
    assert len(hook.api.messages(USER_ID)) == 1


async def test_other_paths_and_methods_are_refused(hook):
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    async with httpx.AsyncClient() as client:
        wrong_path = await client.post(
            hook.url.replace(URL_PATH, "other"), content=start_update(hook), headers=headers
        )
        public_page = await client.get(f"http://127.0.0.1:{hook.port}/")
        get = await client.get(hook.url, headers=headers)
    assert wrong_path.status_code == 404
    assert public_page.status_code == 404  # the public program is on WEB_PORT, not here
    assert get.status_code == 405
    await asyncio.sleep(0.1)
    assert hook.api.messages(USER_ID) == []


async def test_health_reports_the_webhook_bot_on_the_public_port(tmp_path):
    async with webhook_running(tmp_path, public_site=True) as (running, _):
        await until(lambda: running.running.app.running, what="the start")
        address = running.public_address
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{address}/healthz")
            hook_on_public = await client.post(f"{address}/{URL_PATH}")
    assert health.status_code == 200
    assert health.json()["bot"] == "webhook"
    assert hook_on_public.status_code in (404, 405)  # the webhook is only on WEBHOOK_PORT


# --- stopping -------------------------------------------------------------------------------


async def test_stop_closes_the_endpoint_and_the_database(tmp_path):
    async with webhook_running(tmp_path) as (running, task):
        await until(lambda: running.running.app.running, what="the start")
        data = running.running.data
    assert task.done() and task.exception() is None
    assert not running.running.app.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=1).close()
    with pytest.raises(sqlite3.ProgrammingError):
        await data.db.fetch_value("SELECT 1")
