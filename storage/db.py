"""The SQLite database: one connection for reads, one write path, versioned migrations.

**The write path.** Every write in the bot is a plain function ``work(conn, *args)`` handed to
:meth:`Database.write`, which runs it between ``BEGIN IMMEDIATE`` and ``COMMIT`` (rolled back if
it raises) as ONE job on a single-thread executor that owns the writer connection. One thread
serialises the writers of this process; ``BEGIN IMMEDIATE`` plus SQLite's busy timeout serialises
them with other processes (``run.py import`` while the bot runs), and a writer of another process
holding the lock stalls that thread, never the event loop. A transaction reads its rows, asks
``domain`` to decide and writes, all inside the lock, so no decision rests on stale data.

Measured (``python -m bench.write_path``: a seven-statement sign-up, 2,000 at once, side by
side): this path runs 3.8-4.2 times as many transactions per second as aiosqlite's public API,
which hands every statement over to its thread and back. aiosqlite has no public call to run
a function on its thread, so the standard library's ``sqlite3`` on a
``ThreadPoolExecutor(max_workers=1)`` is the one public mechanism.

**After commit.** A transaction that queued outbox rows calls the database's ``after_enqueue``
hook once it has committed (on the event loop): the application sets it to wake the paced
sender, so no caller has to remember to. A temporary trigger on the writer connection notes the
insert; writes without outbox rows cost nothing extra.

**Reads** use a second, plain ``sqlite3`` connection on the event-loop thread. The bot's reads
are indexed lookups of 3-40 µs, less than a hand-over to a thread and back costs. In WAL mode a
reader never waits for a writer and sees committed data only; every read fetches all its rows
at once, so no statement keeps an old snapshot open.

**Big reads** (the public pages read the whole program: a thousand evenings take milliseconds)
go through :meth:`Database.read`: a plain function ``work(conn)`` run as one job on a reader
thread of its own with a third connection, so that a visitor never holds up the event loop.
Like the write path it hands one function over, not every statement (aiosqlite's public API
hands over each statement; ``python -m bench.web`` gives both figures). :meth:`Database.generation`
changes with every commit, of this process or another, so that a cache of what was read knows
when it is stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from storage.migrations import migrate

BUSY_TIMEOUT_MS = 10_000

T = TypeVar("T")
Row = sqlite3.Row
Connection = sqlite3.Connection


def to_db_time(moment: datetime) -> str:
    """Store a moment as an ISO-8601 UTC string, which sorts and compares correctly as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes cannot be stored; attach a time zone first")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db_time(value: str | None) -> datetime | None:
    """Read a moment written by :func:`to_db_time` as an aware UTC datetime."""
    if value is None:
        return None
    # The same result as strptime(value, "%Y-%m-%dT%H:%M:%SZ") with tzinfo=UTC, 50 times faster
    # (every event and registration read converts several of these).
    return datetime.fromisoformat(value)


def from_db_time_required(value: str) -> datetime:
    """:func:`from_db_time` for a ``NOT NULL`` column."""
    return datetime.fromisoformat(value)


_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA secure_delete = ON",  # deleted personal data is overwritten, not left in the file
)


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with the bot's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in _PRAGMAS:
        conn.execute(pragma)
    return conn


class _Enqueued:
    """Set by the writer connection's trigger when a transaction inserts outbox rows."""

    def __init__(self) -> None:
        self.flag = False

    def note(self) -> None:
        self.flag = True


def _open_writer(path: Path, enqueued: _Enqueued) -> sqlite3.Connection:
    """The writer connection, opened on the writer thread: WAL mode, schema migrated, and a
    temporary trigger (this connection only) that notes inserted outbox rows."""
    writer = connect(path)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        migrate(writer)
        writer.create_function("note_enqueued", 0, enqueued.note)
        writer.execute(
            "CREATE TEMP TRIGGER IF NOT EXISTS outbox_enqueued AFTER INSERT ON main.outbox"
            " BEGIN SELECT note_enqueued(); END"
        )
    except BaseException:
        writer.close()
        raise
    return writer


def _checkpoint(conn: sqlite3.Connection) -> None:
    """On the writer thread; the result row is read so that no statement stays open."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


class Database:
    """Owns the connections to one SQLite file; open it with :meth:`open`."""

    def __init__(
        self,
        path: Path,
        reader: sqlite3.Connection,
        writer: sqlite3.Connection,
        executor: ThreadPoolExecutor,
        enqueued: _Enqueued | None = None,
        after_enqueue: Callable[[], None] | None = None,
    ):
        self.path = path
        self._reader = reader
        self._writer = writer
        self._executor = executor
        self._enqueued = enqueued or _Enqueued()
        self.after_enqueue = after_enqueue  # called after a commit that queued outbox rows
        self.writes = 0  # commits through write(), for caches of what was read
        self._big_reader: sqlite3.Connection | None = None  # opened on the reader thread
        self._probes = threading.local()  # generation(): a connection per thread that asks
        self._probe_conns: list[sqlite3.Connection] = []
        self._read_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-reader")

    @classmethod
    async def open(
        cls, path: Path | str, *, after_enqueue: Callable[[], None] | None = None
    ) -> Database:
        """Open (creating it and its folder if needed) and migrate the database at ``path``;
        ``after_enqueue`` is called after every commit that queued outbox rows."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        loop = asyncio.get_running_loop()
        enqueued = _Enqueued()
        try:
            writer = await loop.run_in_executor(executor, _open_writer, path, enqueued)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(path, connect(path), writer, executor, enqueued, after_enqueue)

    async def close(self) -> None:
        """Close both connections and stop the writer thread (idempotent)."""
        self._reader.close()
        for probe in self._probe_conns:
            probe.close()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(RuntimeError):  # executor already shut down
            await loop.run_in_executor(self._read_executor, self._close_big_reader)
        self._read_executor.shutdown(wait=True)
        with contextlib.suppress(RuntimeError):  # executor already shut down
            await loop.run_in_executor(self._executor, self._writer.close)
        self._executor.shutdown(wait=True)

    def _close_big_reader(self) -> None:
        if self._big_reader is not None:
            self._big_reader.close()
            self._big_reader = None

    def _run_read(self, work: Callable[..., T], *args: Any) -> T:
        """On the reader thread: ``work`` on the thread's own connection (opened at first use)."""
        if self._big_reader is None:
            self._big_reader = connect(self.path)
        conn = self._big_reader
        conn.execute("BEGIN")  # one snapshot for all of work's statements
        try:
            return work(conn, *args)
        finally:
            conn.execute("COMMIT")

    def generation(self) -> tuple[int, int]:
        """Changes with every commit: this process's (counted) and any other connection's
        (SQLite's ``data_version`` on a connection of the asking thread; microseconds)."""
        probe = getattr(self._probes, "conn", None)
        if probe is None:  # one per thread that asks (the web server may run on its own)
            probe = self._probes.conn = sqlite3.connect(self.path, check_same_thread=False)
            self._probe_conns.append(probe)
        version: int = probe.execute("PRAGMA data_version").fetchone()[0]
        return self.writes, version

    async def read(self, work: Callable[..., T], *args: Any) -> T:
        """A big read off the event loop: ``work(conn, *args)`` as one job on the reader thread.

        ``work`` is a plain function of a read-only use of its ``sqlite3.Connection`` that
        fetches all its rows (no statement left open); it must not touch the event loop.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_executor, self._run_read, work, *args)

    async def checkpoint(self) -> None:
        """Move the WAL into the file and empty it: after deleting personal data, so that its
        old pages survive neither in the WAL nor (``secure_delete``) in the file."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, _checkpoint, self._writer)

    async def write(self, work: Callable[..., T], *args: Any) -> T:
        """The one write path: ``work(conn, *args)`` between ``BEGIN IMMEDIATE`` and ``COMMIT``
        (rolled back if it raises), as one job on the writer thread.

        ``work`` is a plain function of the writer's ``sqlite3.Connection``; it must not touch
        the event loop. Its return value is returned. If it queued outbox rows,
        :attr:`after_enqueue` is called after the commit.
        """
        loop = asyncio.get_running_loop()
        result, enqueued = await loop.run_in_executor(
            self._executor, _in_transaction, self._writer, self._enqueued, work, *args
        )
        self.writes += 1
        if enqueued and self.after_enqueue is not None:
            self.after_enqueue()
        return result

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement as a transaction of its own; returns the number of rows changed."""
        return await self.write(_rowcount, sql, tuple(params))

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only query and return all rows.

        Runs on the event-loop thread (see the module docstring) and fetches every row at
        once: a statement left open would hold a read snapshot on the shared reader
        connection, and every later read would see the database as it was then.
        """
        return self._reader.execute(sql, tuple(params)).fetchall()

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """Run a read-only query and return its first row, or ``None`` (see :meth:`fetch_all`;
        callers ask for one row, so fetching all of them costs nothing)."""
        rows = self._reader.execute(sql, tuple(params)).fetchall()
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Run a read-only query and return the first column of its first row, or ``None``."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: Path | str) -> None:
        """Write a consistent copy of the database to ``target`` (SQLite online backup API)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A copy of a big database takes a while: in a thread, on connections of its own.
        await asyncio.to_thread(_copy, self.path, target)


def _in_transaction(
    conn: sqlite3.Connection, enqueued: _Enqueued, work: Callable[..., T], *args: Any
) -> tuple[T, bool]:
    """On the writer thread: ``work`` in a transaction; also whether it queued outbox rows."""
    enqueued.flag = False
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result, enqueued.flag


def _rowcount(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> int:
    return conn.execute(sql, params).rowcount


def _copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with SQLite's online backup API (one consistent step)."""
    with (
        contextlib.closing(connect(source)) as reader,
        contextlib.closing(sqlite3.connect(target)) as destination,
    ):
        reader.backup(destination)
