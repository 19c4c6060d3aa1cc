"""Why the write path is the standard library's sqlite3 on one writer thread (storage/db.py).

A seven-statement sign-up transaction, 2,000 of them concurrently, written twice: with
aiosqlite's public API (one hand-over to its thread per statement) and as one plain function
per transaction on a single-thread executor. Run: ``python -m bench.write_path``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SCHEMA = (
    "CREATE TABLE e (id TEXT PRIMARY KEY, cap INT);"
    "CREATE TABLE r (id INTEGER PRIMARY KEY, e TEXT, u INT, st TEXT);"
    "CREATE INDEX ri ON r (e, st); CREATE TABLE u (id INT PRIMARY KEY);"
)
N = 2000
STATEMENTS = (
    ("SELECT cap FROM e WHERE id = 'x'", ()),
    ("SELECT id FROM r WHERE e = 'x' AND u = ? AND st != 'c'", ("u",)),
    ("SELECT count(*) FROM r WHERE e = 'x' AND st = 'ok'", ()),
    ("INSERT INTO u (id) VALUES (?) ON CONFLICT DO NOTHING", ("u",)),
    ("INSERT INTO r (e, u, st) VALUES ('x', ?, 'ok')", ("u",)),
    ("SELECT * FROM r WHERE u = ?", ("u",)),
)


def _params(names: tuple[str, ...], user: int) -> tuple[int, ...]:
    return tuple(user for _ in names)


def _sign_up(conn: sqlite3.Connection, user: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    for sql, names in STATEMENTS:
        conn.execute(sql, _params(names, user)).fetchall()
    conn.execute("COMMIT")


async def with_aiosqlite(path: Path) -> float:
    """Seconds for N sign-ups through aiosqlite's public API (needs ``pip install aiosqlite``)."""
    import aiosqlite

    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA journal_mode = WAL")
    lock = asyncio.Lock()

    async def one(user: int) -> None:
        async with lock:
            await conn.execute("BEGIN IMMEDIATE")
            for sql, names in STATEMENTS:
                await (await conn.execute(sql, _params(names, user))).fetchall()
            await conn.execute("COMMIT")

    started = time.perf_counter()
    await asyncio.gather(*(one(user) for user in range(N)))
    elapsed = time.perf_counter() - started
    await conn.close()
    return elapsed


async def with_writer_thread(path: Path) -> float:
    """Seconds for N sign-ups as one function per transaction on a single writer thread."""
    executor = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.get_running_loop()

    def open_writer() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    conn = await loop.run_in_executor(executor, open_writer)
    started = time.perf_counter()
    await asyncio.gather(*(loop.run_in_executor(executor, _sign_up, conn, u) for u in range(N)))
    elapsed = time.perf_counter() - started
    await loop.run_in_executor(executor, conn.close)
    executor.shutdown()
    return elapsed


def _fresh(folder: Path, name: str) -> Path:
    path = folder / name
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA)
        conn.execute("INSERT INTO e VALUES ('x', 100)")
    return path


def main() -> None:
    """Three rounds, both ways, side by side; prints transactions per second."""
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(3):
            public = asyncio.run(with_aiosqlite(_fresh(Path(folder), f"a{round_}.db")))
            thread = asyncio.run(with_writer_thread(_fresh(Path(folder), f"t{round_}.db")))
            print(
                f"aiosqlite public API: {N / public:6.0f} tx/s   "
                f"sqlite3 + writer thread: {N / thread:6.0f} tx/s   ratio {public / thread:.2f}"
            )


if __name__ == "__main__":
    main()
