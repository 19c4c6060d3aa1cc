"""``/bescheinigung/<number>`` (PRODUCT §8): anyone holding a certificate's number (the QR
code, the link printed on it) can check it: valid (the holder's name, the evening, its date,
the hours, the provider), "ersetzt", "zurückgezogen", "nicht mehr gespeichert (gelöscht)" or
unknown. Any case is accepted. The holder's name is the one exception to "no names" on the
public site, so the page is never indexed (``X-Robots-Tag``, ``robots.txt``) nor cached.
"""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web
from babel.numbers import format_decimal

from bot.context import BotData
from bot.web.pages import PageTexts
from domain.certificate_number import Verification
from domain.cpd_hours import exact_hours, plural_count
from storage import certificates as certificate_store


class PublicSite(Protocol):
    """What this page needs of the public site (bot.web.site.PublicSite)."""

    @property
    def data(self) -> BotData: ...

    def page(
        self, request: web.Request, template: str, status: int = 200, **values: Any
    ) -> web.Response: ...

    def texts(self, request: web.Request) -> PageTexts: ...


PATH = "/bescheinigung/"
ROBOTS_LINE = f"Disallow: {PATH}"  # the public site's robots.txt must carry this line
PRIVATE = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


def add_routes(app: web.Application, site: PublicSite) -> None:
    """Register the verification page on the public site's application."""

    async def verify(request: web.Request) -> web.Response:
        """``/bescheinigung/<number>``: what the number stands for, never cached or indexed."""
        data = site.data
        result = await certificate_store.check_number(data.db, request.match_info["number"])
        texts = site.texts(request)
        facts: list[tuple[str, str]] = []
        if result.verdict is Verification.VALID:
            assert result.event is not None and result.hours is not None
            event = result.event
            facts = [
                (texts("verify.name"), result.name or ""),
                (texts("verify.evening"), event.title),
                (texts("verify.date"), texts.event_time(event)),
                (
                    texts("verify.hours"),
                    texts(
                        "verify.hours_value",
                        plural_count(exact_hours(result.hours)),
                        hours=format_decimal(result.hours, locale=texts.lang),
                    ),
                ),
                (texts("verify.issuer"), data.settings.certificate_issuer),
            ]
        status = 404 if result.verdict is Verification.UNKNOWN else 200
        response = site.page(
            request,
            "certificate.html",
            status=status,
            number=result.number or request.match_info["number"].upper(),
            verdict=result.verdict.value,
            facts=facts,
        )
        response.headers.update(PRIVATE)
        return response

    async def robots(request: web.Request) -> web.Response:
        """``/robots.txt`` (where the site serves none of its own): keep verification pages,
        which show a name, out of every index."""
        return web.Response(text=f"User-agent: *\n{ROBOTS_LINE}\n", content_type="text/plain")

    app.router.add_get(PATH + "{number}", verify)
    if not any(resource.canonical == "/robots.txt" for resource in app.router.resources()):
        app.router.add_get("/robots.txt", robots)
