"""``web``: the public pages under load, against a bare aiohttp app, while a person uses the bot.

One production bot process (``python run.py``: its web server on a free port), a database with
``events`` evenings of which 95 % are past (one a week), as PRODUCT §7 asks. A load process
(:mod:`bench.web_procs`) keeps :data:`CONNECTIONS` connections busy on ``/``, ``/vergangen``,
one evening and ``/kalender.ics`` for ``seconds``: ``pages_per_s``. The same load against a bare
aiohttp app serving the very bytes the bot served, from memory, in a process of its own:
``bare_pages_per_s``; ``ratio`` = bot ÷ bare. Meanwhile people read ``/termine`` in Telegram,
one every :data:`INTERVAL`: ``bot_p99_ms`` (and, without visitors, ``bot_p99_ms_idle``).

``reads``: the whole program read by ``Database.read`` (one job on the reader thread) against the
same four statements through aiosqlite (each one handed over), reads per second, when aiosqlite
is installed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import add_returning_users, bot_now, event, percentile
from bench.loopback import ROOT, loopback_bot
from bench.sending import VICTIMS, read_termine
from storage.db import Database
from storage.events import save_events
from storage.program import STATEMENTS, Program, program_from_rows, read_program

CONNECTIONS = 16
INTERVAL = 0.1
PATHS = ("/", "/vergangen", "/termine/{evening}", "/kalender.ics")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(folder: Path, events: int) -> tuple[Path, str]:
    """The database: ``events`` evenings a week apart, 95 % of them past; an upcoming id."""
    path, now = folder / "web.sqlite3", bot_now()
    past = events * 95 // 100
    db = await Database.open(path)
    program = [event(f"abend-{n:04d}", 7 * (n - past) + 3, 80, now) for n in range(events)]
    await save_events(db, program, now)
    await add_returning_users(db, range(VICTIMS, VICTIMS + 20), now)
    await db.close()
    return path, program[past].id


async def _load(base_url: str, seconds: float, paths: list[str]) -> dict:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.web_procs", "load", base_url, str(seconds),
        str(CONNECTIONS), *paths, cwd=ROOT, stdout=subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    return json.loads(out)


def _fetch(url: str) -> tuple[str, bytes]:
    """The page as the load's clients get it (they accept gzip, as browsers do): its type and
    its bytes as sent (``gzip:`` before the type when they were compressed)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        kind = response.headers.get_content_type()
        if response.headers.get("Content-Encoding") == "gzip":
            kind = "gzip:" + kind
        return kind, response.read()


async def _bare(
    folder: Path, pages: dict[str, tuple[str, bytes]]
) -> tuple[subprocess.Popen[bytes], str]:
    pages_file = folder / "web-pages.json"
    pages_file.write_text(
        json.dumps({p: [k, base64.b64encode(b).decode()] for p, (k, b) in pages.items()})
    )
    port = _free_port()
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", "bench.web_procs", "bare", str(pages_file), str(port)], cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            await asyncio.to_thread(_fetch, base + "/")
            return process, base
        except OSError:
            await asyncio.sleep(0.05)
    process.kill()
    raise RuntimeError("the bare aiohttp app did not start")


async def _termine_while(bot, work) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    done = asyncio.Event()
    victims = asyncio.create_task(read_termine(bot, done, INTERVAL))
    try:
        result = await work
    finally:
        done.set()
    return await victims, result


async def run_web(
    folder: Path, events: int = 1_000, seconds: float = 10.0, log_level: str = "ERROR"
) -> dict:
    """The figures of PRODUCT §7 ``web`` (see the module docstring)."""
    database, evening = await prepare(folder, events)
    paths = [p.format(evening=evening) for p in PATHS]
    port = _free_port()
    settings = {"web_port": port, "web_listen": "127.0.0.1", "log_level": log_level}
    async with loopback_bot(
        folder, "production", database=str(database), settings=settings
    ) as bot:
        base = f"http://127.0.0.1:{port}"
        pages = {p: await asyncio.to_thread(_fetch, base + p) for p in paths}
        idle, _ = await _termine_while(bot, asyncio.sleep(min(seconds, 3.0)))
        bare, bare_base = await _bare(folder, pages)
        try:
            bare_load = await _load(bare_base, seconds, paths)
        finally:
            bare.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bare.wait)
        busy, bot_load = await _termine_while(bot, _load(base, seconds, paths))
    bot_rate = bot_load["pages"] / bot_load["seconds"]
    bare_rate = bare_load["pages"] / bare_load["seconds"]
    ms = 1000
    return {
        "pages_per_s": round(bot_rate, 1),
        "bare_pages_per_s": round(bare_rate, 1),
        "ratio": round(bot_rate / bare_rate, 3),
        "bot_p99_ms": round(percentile(busy, 0.99) * ms, 1),
        "bot_p50_ms": round(percentile(busy, 0.5) * ms, 1),
        "bot_p99_ms_idle": round(percentile(idle, 0.99) * ms, 1),
        "bot_samples": len(busy),
        "errors": bot_load["errors"] + bare_load["errors"],
        "events": events,
        "past_events": events * 95 // 100,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "page_bytes": {p: len(body) for p, (_, body) in pages.items()},
        "reads": await compare_reads(database, 20 if seconds < 5 else 100),
    }


async def compare_reads(database: Path, rounds: int) -> dict:
    """Whole-program reads per second: ``Database.read`` vs aiosqlite, same statements."""
    db = await Database.open(database)
    try:
        await db.read(read_program)
        started = time.perf_counter()
        for _ in range(rounds):
            await db.read(read_program)
        ours = rounds / (time.perf_counter() - started)
    finally:
        await db.close()
    result: dict = {"database_read_per_s": round(ours, 1)}
    try:
        import aiosqlite
    except ImportError:
        result["aiosqlite"] = "not installed"
        return result
    async with aiosqlite.connect(database) as conn:
        conn.row_factory = aiosqlite.Row
        await _read_with_aiosqlite(conn)
        started = time.perf_counter()
        for _ in range(rounds):
            await _read_with_aiosqlite(conn)
        theirs = rounds / (time.perf_counter() - started)
    result["aiosqlite_per_s"] = round(theirs, 1)
    result["ratio_database_read_to_aiosqlite"] = round(ours / theirs, 2)
    return result


async def _read_with_aiosqlite(conn) -> Program:  # type: ignore[no-untyped-def]
    """What ``storage.program.read_program`` does, with aiosqlite handing each statement over."""
    await conn.execute("BEGIN")
    rows = []
    for sql in STATEMENTS:
        async with conn.execute(sql) as cursor:
            rows.append(await cursor.fetchall())
    await conn.execute("COMMIT")
    return program_from_rows(*rows)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as name:
        size = os.environ.get("WEB_BENCH", "1000,10").split(",")
        print(json.dumps(asyncio.run(run_web(Path(name), int(size[0]), float(size[1]))), indent=2))
