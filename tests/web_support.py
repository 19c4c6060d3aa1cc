"""Helpers for the web tests: the real server on a free port, and reading what it serves."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator

import httpx

from bot.web.server import WebServer, bind_socket
from testing.offline import OfflineBot

_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@contextlib.asynccontextmanager
async def served(bot: OfflineBot) -> AsyncIterator[httpx.AsyncClient]:
    """The public site of ``bot`` on a free loopback port, and an HTTP client for it."""
    server = WebServer(bot.app, bind_socket("127.0.0.1", 0), own_thread=True)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.address, timeout=10) as client:
            yield client
    finally:
        await server.stop()


def json_ld(html: str) -> list[dict]:
    """Every JSON-LD block of a page, parsed as JSON."""
    return [json.loads(block) for block in _JSON_LD.findall(html)]
