"""``python run.py`` in webhook mode as its own process (issue 15), against the fake Bot API
served over real HTTP (``testing.fake_telegram.http``).

The red team took PTB's webhook server from 64 MB to 671 MB with six unauthenticated 95 MB
POSTs. Here the same POSTs (and oversized authenticated ones, with and without
Content-Length) leave the process's peak memory (``VmHWM``) flat, because a refusal is decided
on the headers and the connection is closed without reading the body; afterwards the bot
still answers a genuine update, and SIGTERM stops it cleanly.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.fake_telegram import FakeBotApi
from testing.fake_telegram.http import LoopbackBotApi
from tests.process_support import RUN, clean_env, closed_port, lines, one_line, run

SECRET = "process-Secret_0123456789"
USER_ID = 4711
HOOK_PATH = "/tg/hook"
BIG = 95 * 1024 * 1024  # what the red team sent
TOKEN = "123456:TEST-token-for-the-fake"


def hook_env(tmp_path: Path, server: LoopbackBotApi | None, port: int) -> dict[str, str]:
    """The environment of a webhook bot on ``port`` that talks to ``server``."""
    return {
        "BOT_TOKEN": TOKEN,
        "WEBHOOK_URL": f"https://bot.example.org{HOOK_PATH}",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        **({"BOT_API_BASE_URL": server.base_url} if server else {}),
    }


def memory_kb(pid: int) -> dict[str, int]:
    """``VmRSS`` (now) and ``VmHWM`` (peak so far) of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def post_big(port: int, head: str, total: int, chunked: bool = False) -> tuple[int, int | None]:
    """Send ``head`` and then try to send ``total`` bytes of body in 1 MiB pieces (chunked
    encoded if asked); return how many body bytes the socket took and the answer's status."""
    piece = b"x" * (1024 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head.encode())
        try:
            while sent < total:
                conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
        except OSError:
            pass  # the server closed the connection: what we wanted
        try:
            answer = conn.recv(4096)
        except OSError:
            return sent, None
    return sent, int(answer.split(b" ", 2)[1]) if answer else None


def head(secret: str | None, length: int | None) -> str:
    lines = [f"POST {HOOK_PATH} HTTP/1.1", "Host: bot.example.org"]
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    return "\r\n".join(lines) + "\r\n\r\n"


def post_json(port: int, body: bytes, secret: str = SECRET) -> int:
    """A well-formed POST; the answer's status."""
    request = head(secret, len(body)).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode() + body)
        return int(conn.recv(4096).split(b" ", 2)[1])


def start_update() -> bytes:
    text = "/start"
    user = {"id": USER_ID, "is_bot": False, "first_name": "Erika", "language_code": "de"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": USER_ID, "type": "private", "first_name": "Erika"},
        "from": user,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return json.dumps({"update_id": 1, "message": message}).encode()


def wait_for(condition, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"the bot exited ({process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def served_bot_api() -> LoopbackBotApi:
    """The fake Bot API, to be served with ``.in_thread()``; it accepts only :data:`TOKEN`."""
    return LoopbackBotApi(FakeBotApi(token=TOKEN))


def webhook_registrations(server: LoopbackBotApi) -> list[dict]:
    """The parameters of each setWebhook call Telegram accepted."""
    return server.read(
        lambda api: [call.params for call in api.calls_to("setWebhook") if call.status == 200]
    )


def sent_to(server: LoopbackBotApi, chat_id: int) -> list[str]:
    """The texts of the bot's messages to ``chat_id`` (as the user sees them), in order."""
    return server.read(lambda api: [message.text for message in api.messages(chat_id)])


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def webhook_process(
    tmp_path: Path,
) -> Iterator[tuple[subprocess.Popen, LoopbackBotApi, int, Path]]:
    """``python run.py`` in webhook mode, registered and listening."""
    port = closed_port()
    stderr = tmp_path / "stderr.txt"
    with served_bot_api().in_thread() as server, stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, RUN],
            cwd=tmp_path,
            env=clean_env(tmp_path, **hook_env(tmp_path, server, port)),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            wait_for(
                lambda: bool(webhook_registrations(server)) and accepts(port), process, "the start"
            )
            yield process, server, port, stderr
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


def test_big_posts_leave_memory_flat_and_the_bot_keeps_working(webhook_process, capsys):
    process, server, port, stderr = webhook_process
    (params,) = webhook_registrations(server)
    assert params["url"] == f"https://bot.example.org{HOOK_PATH}"
    assert params["secret_token"] == SECRET
    before = memory_kb(process.pid)

    refused = [post_big(port, head(None, BIG), BIG) for _ in range(3)]
    refused += [post_big(port, head("wrong", BIG), BIG) for _ in range(3)]
    too_big = [post_big(port, head(SECRET, BIG), BIG) for _ in range(3)]
    too_big += [post_big(port, head(SECRET, None), BIG, chunked=True) for _ in range(3)]
    after = memory_kb(process.pid)

    sent = sum(bytes_sent for bytes_sent, _ in refused + too_big)
    with capsys.disabled():
        print(
            f"\n  webhook under 12 x 95 MB POSTs: VmRSS {before['VmRSS']} -> {after['VmRSS']} kB,"
            f" peak VmHWM {before['VmHWM']} -> {after['VmHWM']} kB;"
            f" the sockets took {sent // 1024 // 1024} MB of the {12 * 95} MB offered"
        )
    assert {status for _, status in refused} <= {403, None}
    assert 403 in {status for _, status in refused}
    assert {status for _, status in too_big} <= {413, None}
    assert 413 in {status for _, status in too_big}
    assert after["VmHWM"] - before["VmHWM"] < 20 * 1024  # PTB's server: +600 MB
    assert sent < 12 * BIG / 4  # the bot stopped the clients long before they were done

    assert post_json(port, b"{not json") == 400
    assert post_json(port, start_update()) == 200
    wait_for(lambda: sent_to(server, USER_ID), process, "the answer")
    assert "Willkommen" in sent_to(server, USER_ID)[0]

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert "Traceback" not in stderr.read_text()
    assert not accepts(port)


def test_a_refused_webhook_url_is_one_line_and_exit_2(tmp_path):
    refusal = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    server = served_bot_api()
    server.api.fail_next(1, 400, method="setWebhook", description=refusal)
    with server.in_thread():
        result = run(tmp_path, **hook_env(tmp_path, server, closed_port()))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    # The last line says it all. (Lines before it: PTB's warning about
    # handlers/attendee/feedback.py's ConversationHandler, printed by every start that builds
    # the application; not ours.)
    line = lines(result.stderr)[-1]
    assert line.startswith("Telegram refused WEBHOOK_URL https://bot.example.org/tg/hook: ")
    assert "resolve host" in line


def test_a_taken_webhook_port_is_one_line_and_exit_2(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run(tmp_path, **hook_env(tmp_path, None, port))
    one_line(result, f"127.0.0.1:{port}", "WEBHOOK_PORT")
