"""Telegram's webhook: our own aiohttp endpoint in the bot's event loop (issue 15).

PTB's built-in webhook server (tornado) reads a request's whole body before it checks
Telegram's secret header and has no public cap on the body size: a red team took the process
from 64 MB to 671 MB with six unauthenticated 95 MB POSTs. This endpoint decides on the headers
alone first: a request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and one
that announces more than :data:`MAX_UPDATE_BYTES` gets 413, both without a byte of the body
being read, and the connection is closed so the rest is never read either. An accepted body is
read in chunks up to the cap (also when it is sent without ``Content-Length``), parsed, and put
on the Application's update queue; Telegram gets its 200 at once.

It listens on its own socket, ``WEBHOOK_LISTEN:WEBHOOK_PORT`` (default ``127.0.0.1:8443``),
beside the public program on ``WEB_LISTEN:WEB_PORT``: the proxy forwards Telegram to the one and
visitors to the other, and neither port serves the other's routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import signal
import socket
from collections.abc import Sequence

from aiohttp import hdrs, web
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from bot.settings import Settings
from bot.web.server import WebServer, bind_socket

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes (a message of 4096 characters with its entities and
# a reply is well under 64 KB); 1 MiB leaves ample room and bounds what one request may cost.
MAX_UPDATE_BYTES = 1024 * 1024
# Malformed update JSON makes PTB's de_json raise one of these (missing or wrong fields).
_MALFORMED = (TypeError, KeyError, AttributeError, ValueError, RecursionError)


def webhook_secret(settings: Settings) -> str:
    """``WEBHOOK_SECRET``, or a random secret for this run (registered anew at every start),
    so that a webhook is never open to forged updates."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)


def webhook_path(settings: Settings) -> str:
    """The path of ``WEBHOOK_URL`` (``/`` when it has none): the only path that is served."""
    assert settings.webhook_url is not None
    return "/" + (settings.webhook_url.path or "").lstrip("/")


def bind_webhook_socket(settings: Settings) -> socket.socket:
    """Bind ``WEBHOOK_LISTEN:WEBHOOK_PORT`` now; :class:`~bot.web.server.PortTaken` if taken."""
    return bind_socket(
        settings.webhook_listen,
        settings.webhook_port,
        "Telegram's webhook",
        "set WEBHOOK_PORT to a free port (another than WEB_PORT)",
    )


def _refused(status: int, reason: str) -> web.Response:
    """A short refusal that closes the connection, so an unread body is never read."""
    response = web.Response(status=status, text=reason)
    response.force_close()
    return response


class WebhookEndpoint:
    """POST ``path``: Telegram's updates into ``application.update_queue``."""

    def __init__(self, application: Application, path: str, secret: str):
        self.application = application
        self.path = path
        self._secret = secret.encode()

    def build(self) -> web.Application:
        """The aiohttp application with the one route (404 elsewhere, 405 for other methods)."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self.receive, expect_handler=self.expect)
        return app

    def refusal(self, request: web.Request) -> web.Response | None:
        """403 or 413 decided on the headers alone, else ``None``."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            log.debug("Webhook request without the right secret refused")
            return _refused(403, "forbidden")
        if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
            return _refused(413, "too large")
        return None

    async def expect(self, request: web.Request) -> web.Response | None:
        """``Expect: 100-continue``: refuse before the client sends the body at all."""
        refusal = self.refusal(request)
        if refusal is not None:
            return refusal
        if request.headers.get(hdrs.EXPECT, "").lower() != "100-continue":
            return _refused(417, "unknown expectation")
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return None

    async def receive(self, request: web.Request) -> web.Response:
        """Check, read at most the cap, parse, queue; 200 as soon as the update is queued."""
        refusal = self.refusal(request)
        if refusal is not None:
            return refusal
        body = bytearray()
        async for chunk in request.content.iter_any():
            body += chunk
            if len(body) > MAX_UPDATE_BYTES:
                return _refused(413, "too large")
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.application.bot)
        except _MALFORMED as exc:
            log.warning("Webhook body is not a Telegram update (%s)", type(exc).__name__)
            return web.Response(status=400, text="not an update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")


class WebhookRefused(Exception):
    """Telegram refused ``setWebhook``; ``str()`` is the one line for the operator."""


async def _register(
    application: Application, url: str, secret: str, allowed_updates: Sequence[str]
) -> None:
    """``setWebhook`` with the secret and the update types the bot handles."""
    try:
        await application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=list(allowed_updates)
        )
    except BadRequest as exc:
        raise WebhookRefused(f"Telegram refused WEBHOOK_URL {url}: {exc.message}") from None


async def serve_webhook(
    application: Application,
    settings: Settings,
    sock: socket.socket,
    allowed_updates: Sequence[str],
    stop: asyncio.Event | None = None,
) -> None:
    """The bot's life in webhook mode, until a stop signal: the same steps PTB's
    ``run_webhook`` takes, with this endpoint instead of PTB's web server.

    ``initialize`` → ``post_init`` → the endpoint listens → ``setWebhook`` (URL, secret,
    update types) → ``start``; on SIGINT/SIGTERM the endpoint closes first (an update answered
    with 200 is one the bot will handle; Telegram keeps the others and sends them again), then
    ``stop`` lets the running handlers finish, ``shutdown`` → ``post_shutdown``. Errors of
    ``initialize`` propagate to the caller after the same clean-up, a ``setWebhook`` that
    Telegram refuses as :class:`WebhookRefused`. ``stop``: an event that ends the run instead
    of the signals (tests).
    """
    secret = webhook_secret(settings)
    endpoint = WebhookEndpoint(application, webhook_path(settings), secret)
    # A refused request's body is not read, not even to be thrown away: no lingering close.
    server = WebServer(application, sock, endpoint.build, "Webhook endpoint", lingering_time=0)
    loop = asyncio.get_running_loop()
    stop_signals = (signal.SIGINT, signal.SIGTERM) if stop is None else ()
    stopping = stop or asyncio.Event()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stopping.set)
    try:
        await application.initialize()
        try:
            try:
                if application.post_init is not None:
                    await application.post_init(application)
                await server.start()
                await _register(application, str(settings.webhook_url), secret, allowed_updates)
                await application.start()
                await stopping.wait()
            finally:
                await server.stop()
                if application.running:
                    await application.stop()
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
    finally:
        sock.close()
        for sig in stop_signals:
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(sig)
