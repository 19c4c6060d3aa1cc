"""Running the public program: settings, the port, /healthz, and times no calendar may guess."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.app import build_application
from bot.web.server import attach, bind_socket
from domain.reading.program import ProgramError, parse_program
from storage.events import save_events
from storage.outbox import OutboxKind, enqueue
from testing.fake_telegram import FakeBotApi
from testing.offline import offline_bot, unthrottled
from tests.conftest import NOW, make_event, make_settings
from tests.web_support import served

ROOT = Path(__file__).resolve().parent.parent
BERLIN = ZoneInfo("Europe/Berlin")
PROGRAM = """\
events:
  - id: zeitumstellung
    title: Die lange Nacht
    starts: {starts}
    venue: Haus der Architektinnen und Architekten
"""


def test_the_repeated_autumn_hour_is_refused_at_import_naming_event_and_field():
    with pytest.raises(ProgramError) as caught:
        parse_program(PROGRAM.format(starts="2026-10-25 02:30"), BERLIN)
    [error] = caught.value.errors
    assert "event 'zeitumstellung', field 'starts'" in error
    assert "2026-10-25 02:30 occurs twice in Europe/Berlin" in error
    assert "2026-10-25 02:30+02:00" in error and "2026-10-25 02:30+01:00" in error


def test_the_repeated_hour_with_its_offset_is_exact():
    [first] = parse_program(PROGRAM.format(starts="2026-10-25 02:30+02:00"), BERLIN)
    [second] = parse_program(PROGRAM.format(starts="2026-10-25 02:30+01:00"), BERLIN)
    assert first.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    [plain] = parse_program(PROGRAM.format(starts="2026-10-25 03:30"), BERLIN)
    assert plain.starts_at == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_web_settings_defaults():
    settings = make_settings(Path("/tmp"), web_port=8080)
    assert (settings.web_listen, settings.web_port) == ("127.0.0.1", 8080)
    assert settings.public_base_url == "http://localhost:8080"


def _run(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    closed = bind_socket("127.0.0.1", 0)
    api_port = closed.getsockname()[1]
    closed.close()
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py")],
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "BOT_TOKEN": "123456:TEST-not-a-real-token",
            "BOT_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
            "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_taken_port_stops_the_bot_with_exit_2_and_one_line(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = _run({"WEB_PORT": str(port)}, tmp_path)
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert f"127.0.0.1:{port}" in line and "WEB_PORT" in line
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("WEB_PORT", "x"), ("WEB_PORT", "-1"), ("WEB_PORT", "70000"), ("PUBLIC_URL", "no url")],
)
def test_invalid_web_setting_is_one_line_naming_it(tmp_path, variable, value):
    result = _run({variable: value}, tmp_path)
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith(f"Invalid {variable}: ")


async def test_health_is_503_while_the_bot_does_not_fetch_updates(bot):
    async with served(bot) as web:
        response = await web.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "bot": "stopped",
        "outbox_backlog": 0,
    }
    assert response.headers["cache-control"] == "no-store"


async def test_health_is_200_while_polling_and_reports_the_backlog(tmp_path, clock):
    async with offline_bot(make_settings(tmp_path), clock=clock, start=True) as bot:
        await bot.app.updater.start_polling()
        try:
            # The sender is busy (its lock held), so the queued row stays a backlog: otherwise
            # the commit wakes the sender and the row is gone before the check.
            async with bot.data.sender.lock:
                await bot.data.db.write(
                    enqueue, 7, OutboxKind.ANNOUNCEMENT, {"event_ids": []}, NOW
                )
                async with served(bot) as web:
                    healthy = await web.get("/healthz")
                    await bot.data.db.close()
                    broken = await web.get("/healthz")
        finally:
            await bot.app.updater.stop()
    assert healthy.status_code == 200
    assert healthy.json() == {
        "status": "ok",
        "database": "ok",
        "bot": "polling",
        "outbox_backlog": 1,
    }
    assert broken.status_code == 503
    assert broken.json()["database"] == "unavailable"


async def test_the_server_starts_and_stops_with_the_bot(tmp_path, clock):
    application = build_application(
        make_settings(tmp_path), request=FakeBotApi(), clock=clock, rate_limiter=unthrottled()
    )
    server = attach(application, bind_socket("127.0.0.1", 0))
    address = server.address
    await application.initialize()
    await application.post_init(application)
    try:
        await save_events(application.bot_data.db, [make_event("bald")], NOW)
        async with httpx.AsyncClient(base_url=server.address) as web:
            page = await web.get("/")
            health = await web.get("/healthz")
    finally:
        await application.shutdown()
        await application.post_shutdown(application)
    assert page.status_code == 200 and "Umbau statt Neubau" in page.text
    assert json.loads(health.text)["database"] == "ok"
    assert server.sock.fileno() == -1  # the port is free again
    async with httpx.AsyncClient(base_url=address) as web:
        with pytest.raises(httpx.ConnectError):
            await web.get("/healthz", timeout=2)


async def _docker_health(port: int) -> int:
    """Run the Dockerfile's HEALTHCHECK command as Docker would, against ``port``."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    after = dockerfile.split("HEALTHCHECK", 1)[1].split("CMD", 1)[1]
    command = json.loads(after.splitlines()[0])
    assert command[:2] == ["python", "-c"]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        command[2],
        env={**os.environ, "WEB_PORT": str(port)},
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await process.wait()


async def test_dockerfile_healthcheck_asks_healthz(tmp_path, clock):
    settings = make_settings(tmp_path)
    async with offline_bot(settings, clock=clock, start=True) as bot, served(bot) as web:
        port = web.base_url.port
        stopped = await _docker_health(port)  # the updater does not run: 503
        await bot.app.updater.start_polling()
        try:
            running = await _docker_health(port)
        finally:
            await bot.app.updater.stop()
    assert (stopped, running) == (1, 0)
    assert await _docker_health(0) == 0  # WEB_PORT=0: nothing to ask


def test_console_serves_the_page_when_the_port_is_free_and_prints_its_address(tmp_path):
    probe = bind_socket("127.0.0.1", 0)
    port = probe.getsockname()[1]
    probe.close()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "DATABASE_PATH": str(tmp_path / "console.sqlite3"),
        "WEB_PORT": str(port),
    }
    with subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "console"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    ) as console:
        assert console.stdout is not None and console.stdin is not None
        banner = [console.stdout.readline(), console.stdout.readline()]
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        console.stdin.close()
        assert console.wait(timeout=60) == 0
    assert f"Public program page: http://127.0.0.1:{port}/" in [line.strip() for line in banner]
    assert page.status_code == 200 and "Kraft der Region" in page.text
