"""The public program's routes (PRODUCT §8) over one running ``Application``'s services.

Pages are rendered from the whole program read once off the event loop (``bot.web.cache``) and
kept until the next write or the next phase change of an evening on them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from telegram.ext import Application
from telegram.helpers import create_deep_linked_url

from bot.callbacks import EVENT_DEEP_LINK_PREFIX
from bot.context import BotData
from bot.files.calendar_file import CalendarEntry, entry_ics, event_url, feed_ics
from bot.i18n import LANGUAGES
from bot.web import certificate_page
from bot.web.cache import PageCache, Rendered
from bot.web.pages import Evening, PageTexts, Publication, description_html, evening
from bot.web.responses import (
    STATIC_FILES,
    calendar_response,
    compressed,
    html_response,
    static_file,
)
from domain.evening import end_of, is_over, next_phase_change
from domain.models import EVENT_ID_PATTERN, Event
from storage import calendar
from storage.program import Program

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


def _next_change(shown: Sequence[Event], now: datetime) -> datetime | None:
    """When the first of these evenings changes phase (a page showing them is stale then)."""
    changes = [next_phase_change(e, e.registration_deadline, now) for e in shown]
    return min((moment for moment in changes if moment is not None), default=None)


def _find(program: Program, event_id: str) -> Event:
    for event in program.events:
        if event.id == event_id:
            return event
    raise web.HTTPNotFound()


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
        self.templates.filters["paragraphs"] = description_html  # a bio's lines kept too
        self._cache: PageCache | None = None
        self.home_loop: asyncio.AbstractEventLoop | None = None  # the bot's, noted by build()

    @property
    def cache(self) -> PageCache:
        """The pages' cache over the bot's database (opened by then)."""
        if self._cache is None or self._cache.db is not self.data.db:
            self._cache = PageCache(self.data.db)
        return self._cache

    @property
    def data(self) -> BotData:
        """The bot's services: database, settings, translator, clock."""
        return self.application.bot_data

    def build(self) -> web.Application:
        """The aiohttp application with every route and the 404 page (call it on the bot's
        loop: ``/healthz`` asks the bot's services there)."""
        self.home_loop = asyncio.get_running_loop()
        app = web.Application(middlewares=[self._headers_and_404])
        app.router.add_get("/", self.program)
        app.router.add_get("/vergangen", self.past)
        app.router.add_get("/kalender.ics", self.feed)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/style.css", self.stylesheet)
        for path in STATIC_FILES:
            app.router.add_get(path, static_file)
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

    def _render(self, request: web.Request, template: str, **values: Any) -> tuple[str, str]:
        """A page's HTML and its language."""
        texts = self._texts(request)
        base = self.data.settings.public_base_url
        feed_url = f"{base}/kalender.ics"
        # The language switch stays on the same year of the past (the one other parameter).
        year = request.query.get("jahr", "")
        html = self.templates.get_template(template).render(
            t=texts,
            lang=texts.lang,
            other_lang="en" if texts.lang == "de" else "de",
            keep_query=f"jahr={year}&" if year.isdigit() else "",
            lang_query=f"?lang={texts.lang}" if "lang" in request.query else "",
            feed_url=feed_url,
            webcal_url="webcal://" + feed_url.split("://", 1)[1],
            **values,
        )
        return html, texts.lang

    def _page(
        self, request: web.Request, template: str, status: int = 200, **values: Any
    ) -> web.Response:
        html, lang = self._render(request, template, **values)
        page = compressed(Rendered(html.encode(), "text/html", None, lang))
        return html_response(request, page, status)

    page, texts = _page, _texts  # for the page modules on this site (bot.web.certificate_page)

    async def _cached(
        self,
        request: web.Request,
        key: Hashable,
        build: Callable[[Program, datetime, PageTexts], Rendered],
    ) -> Rendered:
        """The page under ``key`` from the cache, else built from the program and kept.

        ``build`` raises ``HTTPNotFound`` for what does not exist (not kept)."""
        texts, now = self._texts(request), self.data.clock.now()
        full_key = (key, texts.lang, "lang" in request.query)
        page = self.cache.get(full_key, now)
        if page is None:
            generation, program = await self.cache.program()
            page = compressed(build(program, now, texts))
            self.cache.put(full_key, generation, page)
        return page

    def _shown(self, event: Event, program: Program, now: datetime, texts: PageTexts) -> Evening:
        return evening(
            event,
            program.seats(event.id),
            now,
            texts,
            Publication(
                self.data.settings.public_base_url,
                published=program.published.get(event.id),
                previous_start=program.previous_starts.get(event.id),
            ),
            self._telegram_url(event.id),
        )

    def _html(self, request: web.Request, template: str, until: datetime | None, **values: Any):
        html, lang = self._render(request, template, **values)
        return Rendered(html.encode(), "text/html", until, lang)

    async def program(self, request: web.Request) -> web.Response:
        """``/``: the evenings that are not over yet, soonest first."""

        def build(program: Program, now: datetime, texts: PageTexts) -> Rendered:
            shown = [e for e in program.events if not is_over(e, now)]
            evenings = [self._shown(e, program, now, texts) for e in shown]
            return self._html(request, "index.html", _next_change(shown, now), evenings=evenings)

        page = await self._cached(request, "/", build)
        return html_response(request, page)

    async def past(self, request: web.Request) -> web.Response:
        """``/vergangen``: the evenings of the latest year that took place (or were
        cancelled), latest first; ``?jahr=2026`` those of another year, with links between."""
        asked = request.query.get("jahr")
        if asked is not None and not (asked.isdigit() and len(asked) == 4):
            raise web.HTTPNotFound()
        tz = self.data.settings.tz

        def build(program: Program, now: datetime, texts: PageTexts) -> Rendered:
            over = [e for e in reversed(program.events) if is_over(e, now)]
            by_year: dict[int, list[Event]] = {}
            for event in over:
                by_year.setdefault(event.starts_at.astimezone(tz).year, []).append(event)
            years = sorted(by_year, reverse=True)
            year = int(asked) if asked is not None else (years[0] if years else None)
            if asked is not None and year not in by_year:
                raise web.HTTPNotFound()
            evenings = [self._shown(e, program, now, texts) for e in by_year.get(year or 0, [])]
            # Not over yet: each one's end moves it onto one of these pages.
            coming = [e for e in program.events if not is_over(e, now)]
            return self._html(
                request,
                "past.html",
                _next_change(coming, now),
                evenings=evenings,
                year=year,
                years=years,
            )

        page = await self._cached(request, ("/vergangen", asked), build)
        return html_response(request, page)

    async def event_page(self, request: web.Request) -> web.Response:
        """``/termine/<id>``: one evening with everything on its card; 404 page if unknown."""
        event_id = request.match_info["event_id"]

        def build(program: Program, now: datetime, texts: PageTexts) -> Rendered:
            event = _find(program, event_id)
            return self._html(
                request,
                "event.html",
                _next_change([event], now),
                e=self._shown(event, program, now, texts),
            )

        page = await self._cached(request, ("/termine", event_id), build)
        return html_response(request, page)

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
        settings, event_id = self.data.settings, request.match_info["event_id"]

        def build(program: Program, now: datetime, texts: PageTexts) -> Rendered:
            event = _find(program, event_id)
            found = program.revisions.get(event_id)
            entry = CalendarEntry(
                event,
                sequence=found.sequence if found else 0,
                stamp=found.updated_at if found else None,
                url=event_url(settings, event_id, self._telegram_url(event_id)),
            )
            return Rendered(entry_ics(entry, now), "text/calendar", None)

        page = await self._cached(request, ("/termine.ics", event_id), build)
        return calendar_response(request, page, f"{event_id}.ics")

    async def feed(self, request: web.Request) -> web.Response:
        """``/kalender.ics``: upcoming and recent evenings, cancelled ones marked as such."""
        data = self.data

        def build(program: Program, now: datetime, texts: PageTexts) -> Rendered:
            horizon = now - FEED_KEEPS_PAST
            kept = [
                e for e in program.events if end_of(e) >= horizon and e.id in program.revisions
            ]
            entries = [
                CalendarEntry(
                    event,
                    sequence=program.revisions[event.id].sequence,
                    stamp=program.revisions[event.id].updated_at,
                    url=event_url(data.settings, event.id, self._telegram_url(event.id)),
                )
                for event in kept
            ]
            name = data.translator.plain(data.settings.default_language, "web.site_title")
            # An evening leaves the feed FEED_KEEPS_PAST after its end.
            until = min((end_of(e) + FEED_KEEPS_PAST for e in kept), default=None)
            return Rendered(feed_ics(entries, now, name), "text/calendar", until)

        page = await self._cached(request, "/kalender.ics", build)
        return calendar_response(request, page, "kalender.ics")

    # -- health ----------------------------------------------------------------------------

    async def health(self, request: web.Request) -> web.Response:
        """``/healthz``: 200 when the database answers and the bot fetches updates (in the
        console: takes them from the terminal), else 503."""
        home = self.home_loop
        if home is None or home is asyncio.get_running_loop():
            status = await self._health()
        else:  # the web server's own thread: ask on the bot's loop, which owns the reader
            status = await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(self._health(), home)
            )
        return web.json_response(
            status,
            status=200 if status["status"] == "ok" else 503,
            headers={"Cache-Control": "no-store"},
        )

    async def _health(self) -> dict[str, Any]:
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
        return status
