"""The fake Bot API over real HTTP on 127.0.0.1, for the benchmark and for tests that run
``python run.py`` as its own process.

Production spends most of its CPU in python-telegram-bot's HTTP client (``HTTPXRequest``:
httpx, httpcore, the connection pool). In process, :class:`FakeBotApi` replaces that path;
served by :class:`LoopbackBotApi`, a bot in another process talks to it exactly as to
api.telegram.org: ``BOT_API_BASE_URL=http://127.0.0.1:<port>/bot`` and nothing else changed.

Every answered call is also reported to the listeners (method, parameters, status, the
``time.monotonic()`` it was answered at), so that a load generator in this process can tell
when the bot has answered an update.

A benchmark awaits :meth:`LoopbackBotApi.start` in its own loop; a synchronous test (one that
waits for a subprocess) uses :meth:`LoopbackBotApi.in_thread`, which serves it from a loop of
its own, and reads the fake's state through :meth:`LoopbackBotApi.read`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from aiohttp import web

from .api import FakeBotApi
from .constants import JSONDict

CallListener = Callable[[str, JSONDict, int, float], None]
T = TypeVar("T")

# Form values arrive as strings; these are JSON where PTB sent a non-string value. Texts stay
# text even when they look like JSON.
_TEXT_PARAMETERS = frozenset(
    {"text", "caption", "callback_data", "description", "short_description"}
)


def _form_value(name: str, value: str) -> Any:
    if name in _TEXT_PARAMETERS or not value or value[0] not in "[{tfn":
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class LoopbackBotApi:
    """Serves one :class:`FakeBotApi` at ``http://127.0.0.1:<port>/bot<token>/<method>``."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.listeners: list[CallListener] = []
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._holds: dict[str, threading.Event] = {}
        self._released: asyncio.Event | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """The value for ``BOT_API_BASE_URL`` (the token is appended by PTB)."""
        return f"http://127.0.0.1:{self.port}/bot"

    def hold_next(self, method: str) -> threading.Event:
        """Hold the next call of ``method``: it is never answered nor recorded (the bot waits
        with the request in flight, e.g. to be killed); the returned event is set once the
        call has arrived. Held calls get a 502 when the server stops."""
        arrived = threading.Event()
        self._holds[method] = arrived
        return arrived

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._released = asyncio.Event()
        app = web.Application(client_max_size=60 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._answer)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close the listening socket and every connection."""
        if self._released is not None:
            self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def in_thread(self) -> Iterator[LoopbackBotApi]:
        """Serve from an event loop in a background thread while the block runs (for tests that
        wait synchronously for another process); read the fake through :meth:`read`."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="loopback-bot-api", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=30)
            self._loop = loop
            yield self
        finally:
            self._loop = None
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            loop.close()

    def read(self, reader: Callable[[FakeBotApi], T]) -> T:
        """``reader(api)``, run on the serving loop while :meth:`in_thread` serves, so that it
        never sees the fake half-way through answering a call."""
        if self._loop is None:
            return reader(self.api)

        async def on_loop() -> T:
            return reader(self.api)

        return asyncio.run_coroutine_threadsafe(on_loop(), self._loop).result(timeout=30)

    async def _answer(self, request: web.Request) -> web.Response:
        params: JSONDict = {}
        files: JSONDict = {}
        if request.can_read_body:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = (value.filename, value.file.read(), value.content_type)
                else:
                    params[name] = _form_value(name, str(value))
        method = request.match_info["method"]
        token = request.match_info["token"]
        arrived = self._holds.pop(method, None)
        if arrived is not None and self._released is not None:
            arrived.set()
            await self._released.wait()
            return web.Response(status=502, text="held until the fake stopped")
        status, body = await self.api.answer_call(method, params, files, token)
        answered = time.monotonic()
        for listener in self.listeners:
            listener(method, params, status, answered)
        return web.Response(status=status, body=body, content_type="application/json")
