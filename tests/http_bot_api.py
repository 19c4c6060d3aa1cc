"""A minimal Bot API over real HTTP, for tests that run ``python run.py`` as its own process.

The in-process fake (testing.fake_telegram) is a PTB request object and cannot serve another
process; this stub answers the few calls a webhook bot makes at start and when it replies
(getMe, the command menus, setWebhook, sendMessage …) and records each call with its form
parameters, so a test can see what the user was sent.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_USER = {
    "id": 999000,
    "is_bot": True,
    "first_name": "Kraft der Region",
    "username": "KraftDerRegionBot",
}


@dataclass
class StubBotApi:
    """What the stub was asked; ``refuse_webhook`` makes setWebhook answer 400."""

    refuse_webhook: str | None = None
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def answer(self, method: str, params: dict[str, str]) -> tuple[int, dict]:
        """The JSON Telegram would answer to ``method``."""
        self.calls.append((method, params))
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "setWebhook" and self.refuse_webhook:
            return 400, {"ok": False, "error_code": 400, "description": self.refuse_webhook}
        if method.startswith("send"):
            chat = {"id": int(params.get("chat_id", 0)), "type": "private", "first_name": "E"}
            message = {"message_id": next(self._ids), "date": int(time.time()), "chat": chat}
            return 200, {"ok": True, "result": {**message, "text": params.get("text", "")}}
        if method.startswith("get"):
            return 200, {"ok": True, "result": []}
        return 200, {"ok": True, "result": True}

    def sent_to(self, chat_id: int) -> list[str]:
        """Texts of the messages sent to ``chat_id``, in order."""
        return [
            params.get("text", "")
            for method, params in list(self.calls)
            if method == "sendMessage" and params.get("chat_id") == str(chat_id)
        ]

    def called(self, method: str) -> bool:
        return any(name == method for name, _ in list(self.calls))


@contextlib.contextmanager
def stub_bot_api(refuse_webhook: str | None = None) -> Iterator[StubBotApi]:
    """The stub on a free loopback port (in a thread) while the block runs."""
    stub = StubBotApi(refuse_webhook=refuse_webhook)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            params = {key: values[0] for key, values in form.items()}
            status, payload = stub.answer(self.path.rstrip("/").rsplit("/", 1)[-1], params)
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/bot"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
