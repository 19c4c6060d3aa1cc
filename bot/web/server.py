"""The web servers of the process, run by aiohttp: the public program (PRODUCT §8) on an event
loop of its own in a thread of its own, the webhook endpoint (bot.web.webhook) in the bot's.

aiohttp's ``AppRunner``/``SockSite`` start and stop inside an event loop someone else owns and
install no signal handlers, so PTB's ``run_polling``/``run_webhook`` keep theirs; the socket is
bound before the bot starts, so a taken port stops ``python run.py`` at once (exit 2).
The public site only reads: the same database, the same domain rules and catalogues as the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from telegram.ext import Application

from bot.web.site import PublicSite

log = logging.getLogger(__name__)

# A connection must have sent a whole request head this long after it opened (or after its
# previous answer), else it is closed: half-sent requests hold nothing for long. aiohttp has
# no separate header timeout; its keep-alive timer runs from the connection's start and is not
# reset by incoming bytes, so it is one (idle keep-alive connections close after it, too).
HEADER_TIMEOUT = 10.0
SWITCH_INTERVAL = 0.001  # seconds; see WebServer.start


class ServerLog(logging.LoggerAdapter):
    """aiohttp's server log: a malformed request is one WARNING line without a traceback (and
    without the visitor's address); every other error keeps its traceback."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """``exc_info`` a parse error of aiohttp: one WARNING line; anything else unchanged."""
        exc = kwargs.get("exc_info")
        if isinstance(exc, HttpProcessingError):
            reason = next(
                (line.strip().rstrip(":") for line in exc.message.splitlines() if line.strip()), ""
            )
            self.logger.warning(
                "Malformed HTTP request refused with %s: %s", exc.code, reason[:100] or "?"
            )
            return
        super().log(level, msg, *args, **kwargs)


class PortTaken(Exception):
    """An address cannot be bound; ``str()`` is the one line for the operator."""


def bind_socket(
    listen: str,
    port: int,
    serves: str = "the public program",
    advice: str = "set WEB_PORT to a free port, or WEB_PORT=0 to turn the web server off",
) -> socket.socket:
    """Bind the listening socket now, so that a taken port is known before the bot starts."""
    try:
        sock = socket.create_server((listen, port))
    except OSError as exc:
        raise PortTaken(
            f"Cannot serve {serves} on {listen}:{port} ({exc.strerror or exc}); {advice}."
        ) from None
    sock.setblocking(False)
    return sock


class WebServer:
    """An aiohttp application on an already bound socket, started and stopped with the bot:
    the public site unless ``routes`` builds another (the webhook endpoint, bot.web.webhook)."""

    def __init__(
        self,
        application: Application,
        sock: socket.socket,
        routes: Callable[[], web.Application] | None = None,
        label: str = "Public program",
        lingering_time: float = 10.0,
        header_timeout: float = HEADER_TIMEOUT,
        own_thread: bool = False,
    ):
        self.application = application
        self.sock = sock
        self.routes = routes or PublicSite(application).build
        self.label = label
        # aiohttp's default: after answering a request whose body was not read, read and
        # discard the rest for up to 10 s before closing; 0 closes at once.
        self.lingering_time = lingering_time
        self.header_timeout = header_timeout
        # The public pages run on an event loop of their own in a thread of their own: however
        # busy the visitors keep it, the bot's loop never queues behind their requests.
        self.own_thread = own_thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """``http://host:port`` the socket actually listens on (port 0 picks a free one)."""
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    async def start(self) -> None:
        """Serve requests from now on (the database must be open)."""
        app = self.routes()  # on the bot's loop: a site may note it (PublicSite.home_loop)
        if self.own_thread:
            # Two busy threads share the GIL: the bot's loop, back from a system call, would
            # wait up to the switch interval (5 ms by default) each time for the web thread
            # to hand it over; a /termine makes dozens of such calls.
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="web-server", daemon=True
            )
            self._thread.start()
            await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(self._serve(app), self._loop)
            )
        else:
            await self._serve(app)
        log.info("%s at %s", self.label, self.address)

    async def _serve(self, app: web.Application) -> None:
        # No access log: visitors' IP addresses are personal data the service does not need.
        self._runner = web.AppRunner(
            app,
            access_log=None,
            lingering_time=self.lingering_time,
            keepalive_timeout=self.header_timeout,
            logger=ServerLog(logging.getLogger("aiohttp.server"), {}),
        )
        await self._runner.setup()
        await web.SockSite(self._runner, self.sock).start()

    async def _unserve(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def stop(self) -> None:
        """Stop serving and close the socket (before the database closes)."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._unserve(), loop))
            loop.call_soon_threadsafe(loop.stop)
            await asyncio.to_thread(thread.join)
            loop.close()
            self._loop = self._thread = None
        else:
            await self._unserve()
        self.sock.close()


@dataclass(frozen=True)
class ConsolePage:
    """Whether the console serves the public program: its ``address``, else the one-line
    ``problem`` (a taken port), or neither (``WEB_PORT=0``)."""

    address: str | None = None
    problem: str | None = None


@contextlib.asynccontextmanager
async def serving_if_free(application: Application) -> AsyncIterator[ConsolePage]:
    """For the console: serve the public program while the block runs when ``WEB_PORT`` is
    free; a taken port serves nothing and says so (the console runs on without the page)."""
    settings = application.bot_data.settings
    if not settings.web_port:
        yield ConsolePage()
        return
    try:
        sock = bind_socket(settings.web_listen, settings.web_port)
    except PortTaken as taken:
        yield ConsolePage(problem=str(taken))
        return
    site = PublicSite(application, console=True)
    server = WebServer(application, sock, routes=site.build, own_thread=True)
    await server.start()
    try:
        yield ConsolePage(address=server.address)
    finally:
        await server.stop()


def attach(application: Application, sock: socket.socket) -> WebServer:
    """Run the web server with the bot: started after ``post_init`` has opened the database,
    stopped before ``post_shutdown`` closes it (PTB's public ``post_init``/``post_shutdown``)."""
    server = WebServer(application, sock, own_thread=True)
    opened, closing = application.post_init, application.post_shutdown

    async def post_init(app: Application) -> None:
        if opened is not None:
            await opened(app)
        await server.start()

    async def post_shutdown(app: Application) -> None:
        await server.stop()
        if closing is not None:
            await closing(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
    return server
