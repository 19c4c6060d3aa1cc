"""A minimal Bot API on a loopback port, for tests that run ``python run.py`` as a process and
need Telegram to answer the first calls: ``getMe`` with a bot (or 401 for a wrong token),
``getUpdates`` with nothing new, every other method with ``true``."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Kraft", "username": "kraft_test_bot"}


def _handler(valid_token: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            token, _, method = self.path.removeprefix("/bot").partition("/")
            if token != valid_token:
                self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            elif method == "getMe":
                self._answer(200, {"ok": True, "result": BOT_USER})
            elif method == "getUpdates":
                time.sleep(0.2)  # a short long poll
                self._answer(200, {"ok": True, "result": []})
            else:
                self._answer(200, {"ok": True, "result": True})

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextlib.contextmanager
def stub_bot_api(valid_token: str) -> Iterator[str]:
    """Serve the stub while the block runs; yields the ``BOT_API_BASE_URL`` to use."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(valid_token))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
        server.server_close()
