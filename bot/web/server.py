"""The web server of the public program (PRODUCT §8), run by aiohttp in the bot's event loop.

aiohttp's ``AppRunner``/``SockSite`` start and stop inside an event loop someone else owns and
install no signal handlers, so PTB's ``run_polling``/``run_webhook`` keep theirs; the socket is
bound before the bot starts, so a taken port stops ``python run.py`` at once (exit 2).
It only reads: the same database, the same domain rules and catalogues as the bot.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from telegram.ext import Application
from telegram.helpers import create_deep_linked_url

from bot.context import BotData
from bot.files.calendar_file import CalendarEntry, evening_ics, event_url, feed_ics
from bot.i18n import LANGUAGES
from bot.web import certificate_page
from bot.web.pages import Evening, PageTexts, evening
from domain.evening import end_of, is_over
from domain.models import EVENT_ID_PATTERN
from handlers.ui.card import EVENT_DEEP_LINK_PREFIX
from storage import calendar, events

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
# Evenings that ended longer ago than this drop out of the feed (the page keeps them).
FEED_KEEPS_PAST = timedelta(days=90)
SECURITY_HEADERS = {
    # Nothing is loaded from elsewhere and nothing runs: the policy says so to the browser.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self';"
    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


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


def choose_language(request: web.Request, default: str) -> str:
    """``?lang=`` first, then the best supported ``Accept-Language``, else ``default``."""
    asked = request.query.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("Accept-Language", "").split(",")):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        base = code.split("-")[0].strip().lower()
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, index, base))
    return min(ranked)[2] if ranked else default


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request: web.Request, tag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    candidates = {value.strip().removeprefix("W/") for value in header.split(",")}
    return "*" in candidates or tag in candidates


def calendar_response(request: web.Request, body: bytes, filename: str) -> web.Response:
    """A calendar with its ``ETag``; 304 without a body when the client has this version."""
    tag = _etag(body)
    headers = {
        "ETag": tag,
        "Cache-Control": "no-cache",  # may be kept, but asked again (cheap: 304)
        "Content-Disposition": f'inline; filename="{filename}"',
    }
    if _not_modified(request, tag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)


class PublicSite:
    """The routes of PRODUCT §8 over one running ``Application``'s services.

    ``console``: the console feeds the updates itself (typed in the terminal, no updater runs),
    so ``/healthz`` counts the bot as running while the application runs.
    """

    def __init__(self, application: Application, console: bool = False):
        self.application = application
        self.console = console
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,  # user text is escaped here, once, and nowhere else
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @property
    def data(self) -> BotData:
        """The bot's services: database, settings, translator, clock."""
        return self.application.bot_data

    def build(self) -> web.Application:
        """The aiohttp application with every route and the 404 page."""
        app = web.Application(middlewares=[self._headers_and_404])
        app.router.add_get("/", self.program)
        app.router.add_get("/vergangen", self.past)
        app.router.add_get("/kalender.ics", self.feed)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/style.css", self.stylesheet)
        app.router.add_get(
            f"/termine/{{event_id:{EVENT_ID_PATTERN.pattern}}}.ics", self.event_calendar
        )
        app.router.add_get(f"/termine/{{event_id:{EVENT_ID_PATTERN.pattern}}}", self.event_page)
        certificate_page.add_routes(app, self)
        return app

    @web.middleware
    async def _headers_and_404(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = self._page(request, "not_found.html", status=404)
        response.headers.update(SECURITY_HEADERS)
        return response

    # -- pages -----------------------------------------------------------------------------

    def _texts(self, request: web.Request) -> PageTexts:
        lang = choose_language(request, self.data.settings.default_language)
        return PageTexts(self.data.translator, lang, self.data.settings.tz)

    def _telegram_url(self, event_id: str) -> str:
        return create_deep_linked_url(
            self.application.bot.username, EVENT_DEEP_LINK_PREFIX + event_id
        )

    def _page(
        self, request: web.Request, template: str, status: int = 200, **values: Any
    ) -> web.Response:
        texts = self._texts(request)
        base = self.data.settings.public_base_url
        feed_url = f"{base}/kalender.ics"
        html = self.templates.get_template(template).render(
            t=texts,
            lang=texts.lang,
            other_lang="en" if texts.lang == "de" else "de",
            lang_query=f"?lang={texts.lang}" if "lang" in request.query else "",
            feed_url=feed_url,
            webcal_url="webcal://" + feed_url.split("://", 1)[1],
            **values,
        )
        response = web.Response(
            text=html, content_type="text/html", charset="utf-8", status=status
        )
        response.headers["Content-Language"] = texts.lang
        response.headers["Vary"] = "Accept-Language"
        return response

    page, texts = _page, _texts  # for the page modules on this site (bot.web.certificate_page)

    async def _evenings(self, request: web.Request, past: bool) -> list[Evening]:
        db, now = self.data.db, self.data.clock.now()
        texts, base = self._texts(request), self.data.settings.public_base_url
        chosen = [e for e in await events.list_all(db) if is_over(e, now) == past]
        if past:
            chosen.reverse()  # the most recent first
        return [
            evening(
                event,
                await events.seat_counts(db, event.id),
                now,
                texts,
                base,
                self._telegram_url(event.id),
            )
            for event in chosen
        ]

    async def program(self, request: web.Request) -> web.Response:
        """``/``: the evenings that are not over yet, soonest first."""
        return self._page(request, "index.html", evenings=await self._evenings(request, False))

    async def past(self, request: web.Request) -> web.Response:
        """``/vergangen``: the evenings that took place (or were cancelled), latest first."""
        return self._page(request, "past.html", evenings=await self._evenings(request, True))

    async def event_page(self, request: web.Request) -> web.Response:
        """``/termine/<id>``: one evening with everything on its card; 404 page if unknown."""
        db, event_id = self.data.db, request.match_info["event_id"]
        event = await events.get_event(db, event_id)
        if event is None:
            raise web.HTTPNotFound()
        shown = evening(
            event,
            await events.seat_counts(db, event_id),
            self.data.clock.now(),
            self._texts(request),
            self.data.settings.public_base_url,
            self._telegram_url(event_id),
        )
        return self._page(request, "event.html", e=shown)

    async def stylesheet(self, request: web.Request) -> web.Response:
        """The one stylesheet, served from here (no third-party requests)."""
        response = web.Response(
            text=(TEMPLATES / "style.css").read_text(encoding="utf-8"), content_type="text/css"
        )
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    # -- calendars -------------------------------------------------------------------------

    async def event_calendar(self, request: web.Request) -> web.Response:
        """``/termine/<id>.ics``: the same bytes the bot's calendar button sends."""
        data, event_id = self.data, request.match_info["event_id"]
        event = await events.get_event(data.db, event_id)
        if event is None:
            raise web.HTTPNotFound()
        body = await evening_ics(
            data.db, data.settings, event, self._telegram_url(event_id), data.clock.now()
        )
        return calendar_response(request, body, f"{event_id}.ics")

    async def feed(self, request: web.Request) -> web.Response:
        """``/kalender.ics``: upcoming and recent evenings, cancelled ones marked as such."""
        data, now = self.data, self.data.clock.now()
        revisions = await calendar.revisions(data.db)
        horizon = now - FEED_KEEPS_PAST
        entries = [
            CalendarEntry(
                event,
                sequence=revisions[event.id].sequence,
                stamp=revisions[event.id].updated_at,
                url=event_url(data.settings, event.id, self._telegram_url(event.id)),
            )
            for event in await events.list_all(data.db)
            if end_of(event) >= horizon and event.id in revisions
        ]
        name = data.translator.plain(data.settings.default_language, "web.site_title")
        return calendar_response(request, feed_ics(entries, now, name), "kalender.ics")

    # -- health ----------------------------------------------------------------------------

    async def health(self, request: web.Request) -> web.Response:
        """``/healthz``: 200 when the database answers and the bot fetches updates (in the
        console: takes them from the terminal), else 503."""
        data, application = self.data, self.application
        database_ok = await calendar.database_answers(data.db)
        updater = application.updater
        fetching = application.running and (self.console or updater is None or updater.running)
        webhook = data.settings.webhook_url is not None
        mode = "console" if self.console else "webhook" if webhook else "polling"
        status = {
            "status": "ok" if database_ok and fetching else "unavailable",
            "database": "ok" if database_ok else "unavailable",
            "bot": mode if fetching else "stopped",
            "outbox_backlog": await calendar.outbox_backlog(data.db, data.clock.now())
            if database_ok
            else None,
        }
        return web.json_response(
            status,
            status=200 if status["status"] == "ok" else 503,
            headers={"Cache-Control": "no-store"},
        )


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
    ):
        self.application = application
        self.sock = sock
        self.routes = routes or PublicSite(application).build
        self.label = label
        # aiohttp's default: after answering a request whose body was not read, read and
        # discard the rest for up to 10 s before closing; 0 closes at once.
        self.lingering_time = lingering_time
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """``http://host:port`` the socket actually listens on (port 0 picks a free one)."""
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    async def start(self) -> None:
        """Serve requests from now on (the database must be open)."""
        # No access log: visitors' IP addresses are personal data the service does not need.
        self._runner = web.AppRunner(
            self.routes(), access_log=None, lingering_time=self.lingering_time
        )
        await self._runner.setup()
        await web.SockSite(self._runner, self.sock).start()
        log.info("%s at %s", self.label, self.address)

    async def stop(self) -> None:
        """Stop serving and close the socket (before the database closes)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
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
    server = WebServer(application, sock, routes=PublicSite(application, console=True).build)
    await server.start()
    try:
        yield ConsolePage(address=server.address)
    finally:
        await server.stop()


def attach(application: Application, sock: socket.socket) -> WebServer:
    """Run the web server with the bot: started after ``post_init`` has opened the database,
    stopped before ``post_shutdown`` closes it (PTB's public ``post_init``/``post_shutdown``)."""
    server = WebServer(application, sock)
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
