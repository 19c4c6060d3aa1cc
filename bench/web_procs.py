"""The two helper processes of the ``web`` figure, each in a process of its own so that
neither competes with the bench's fake Telegram for a core:

- ``python -m bench.web_procs bare PAGES.json PORT``: a bare aiohttp app serving the pages'
  recorded bytes from memory (the yardstick; compressed as the bot sent them), until SIGTERM;
- ``python -m bench.web_procs load BASE_URL SECONDS CONNECTIONS PATH…``: that many clients,
  each keeping one connection busy on the paths in turn; prints ``{"pages": n, "seconds": s,
  "errors": e}``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web


def bare(pages_file: str, port: int) -> None:
    """Serve ``{path: [content_type, base64 body]}`` from memory on ``127.0.0.1:port``."""
    pages = {
        path: (kind, base64.b64decode(body))
        for path, (kind, body) in json.loads(Path(pages_file).read_text()).items()
    }

    async def handler(request: web.Request) -> web.Response:
        kind, body = pages[request.path_qs]
        gzipped = kind.startswith("gzip:")
        return web.Response(
            body=body,
            content_type=kind.removeprefix("gzip:"),
            charset="utf-8",
            headers={"Content-Encoding": "gzip"} if gzipped else None,
        )

    app = web.Application()
    for path in pages:
        app.router.add_get(path.split("?")[0], handler)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


async def load(base_url: str, seconds: float, connections: int, paths: list[str]) -> dict:
    """``connections`` clients for ``seconds``, each asking for the next path when answered."""
    pages = errors = 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(base_url, connector=connector) as session:
        deadline = time.monotonic() + seconds

        async def client(n: int) -> None:
            nonlocal pages, errors
            while time.monotonic() < deadline:
                async with session.get(paths[n % len(paths)]) as response:
                    await response.read()
                    if response.status == 200:
                        pages += 1
                    else:
                        errors += 1
                n += 1

        started = time.monotonic()
        await asyncio.gather(*(client(n) for n in range(connections)))
        took = time.monotonic() - started
    return {"pages": pages, "seconds": took, "errors": errors}


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare(sys.argv[2], int(sys.argv[3]))
    else:
        base, seconds, connections, *paths = sys.argv[2:]
        result = asyncio.run(load(base, float(seconds), int(connections), paths))
        print(json.dumps(result))
