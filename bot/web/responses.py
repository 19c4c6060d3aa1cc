"""How the public site answers: the bytes of a page or calendar, gzip-compressed for clients
that accept it (compressed once per kept page), calendars with an ``ETag`` answered by 304, and
the site's own files (favicon, the series' picture) served from ``bot/web/static``."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
from pathlib import Path

from aiohttp import web

from bot.web.cache import Rendered

STATIC = Path(__file__).parent / "static"
# Files served as they are, by path: (file in STATIC, content type).
STATIC_FILES = {
    "/favicon.ico": ("favicon.ico", "image/vnd.microsoft.icon"),
    "/kraft-der-region.png": ("kraft-der-region.png", "image/png"),
}


def compressed(page: Rendered) -> Rendered:
    """``page`` with its gzip form made once, for every client that accepts it (``mtime=0``:
    the same bytes each time, so the ETag of the compressed form is stable too)."""
    return dataclasses.replace(page, gzipped=gzip.compress(page.body, 6, mtime=0))


def accepts_gzip(request: web.Request) -> bool:
    """Whether the client's ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*``
    without ``q=0``)."""
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        params = params.strip().lower()
        if params.startswith("q="):
            try:
                return float(params[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def _body(request: web.Request, page: Rendered, headers: dict[str, str]) -> bytes:
    """The bytes to send: gzip when the client accepts it; the headers say which."""
    headers["Vary"] = ", ".join(part for part in (headers.get("Vary"), "Accept-Encoding") if part)
    if page.gzipped is not None and accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return page.gzipped
    return page.body


def html_response(request: web.Request, page: Rendered, status: int = 200) -> web.Response:
    """A page in its language (``Vary``: the language and the encoding were chosen by the
    request's headers)."""
    headers = {"Content-Language": page.lang or "", "Vary": "Accept-Language"}
    body = _body(request, page, headers)
    return web.Response(
        body=body, content_type="text/html", charset="utf-8", status=status, headers=headers
    )


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request: web.Request, tag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    candidates = {value.strip().removeprefix("W/") for value in header.split(",")}
    return "*" in candidates or tag in candidates


def calendar_response(request: web.Request, page: Rendered, filename: str) -> web.Response:
    """A calendar with its ``ETag``; 304 without a body when the client has this version.

    The tag is that of the bytes sent: the gzip form is another representation, with a tag
    of its own (a client keeps whichever it got and sends it back)."""
    headers = {
        "Cache-Control": "no-cache",  # may be kept, but asked again (cheap: 304)
        "Content-Disposition": f'inline; filename="{filename}"',
    }
    body = _body(request, page, headers)
    tag = headers["ETag"] = _etag(body)
    if _not_modified(request, tag):
        headers.pop("Content-Encoding", None)
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)


async def static_file(request: web.Request) -> web.Response:
    """``/favicon.ico`` and the series' picture: files shipped with the site, kept a day."""
    name, content_type = STATIC_FILES[request.path]
    return web.Response(
        body=(STATIC / name).read_bytes(),
        content_type=content_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )
