"""The SQLite database: one connection for reads, one write path, versioned migrations.

Every write in the bot goes through :meth:`Database.transaction`, which serialises writers in
this process with an :class:`asyncio.Lock` and across processes (``run.py import`` while the bot
runs) with ``BEGIN IMMEDIATE`` plus SQLite's busy timeout. Reads use a second connection; in WAL
mode they never wait for a writer and always see committed data only.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import migrate

BUSY_TIMEOUT_MS = 10_000


def to_db_time(moment: datetime) -> str:
    """Store a moment as an ISO-8601 UTC string, which sorts and compares correctly as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes cannot be stored; attach a time zone first")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db_time(value: str | None) -> datetime | None:
    """Read a moment written by :func:`to_db_time` as an aware UTC datetime."""
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")


class Database:
    """Owns the connections to one SQLite file; open it with :meth:`open`."""

    def __init__(self, path: Path, reader: aiosqlite.Connection, writer: aiosqlite.Connection):
        self.path = path
        self._reader = reader
        self._writer = writer
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating it and its folder if needed) and migrate the database at ``path``."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _configure(writer)
            await writer.execute("PRAGMA journal_mode = WAL")
            await migrate(writer)
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _configure(reader)
        except BaseException:
            await writer.close()
            raise
        return cls(path, reader, writer)

    async def close(self) -> None:
        """Close both connections (idempotent)."""
        for conn in (self._reader, self._writer):
            with contextlib.suppress(ValueError, sqlite3.ProgrammingError):
                await conn.close()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The one write path: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a read-only query and return all rows.

        Execute and fetch happen in ONE call on aiosqlite's thread: a statement left open
        across an ``await`` would hold a read snapshot on the shared reader connection, and
        every concurrent read would see the database as it was then (stale after a commit).
        """
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Run a read-only query and return its first row, or ``None`` (see :meth:`fetch_all`;
        callers ask for one row, so fetching all of them costs nothing)."""
        rows = await self._reader.execute_fetchall(sql, tuple(params))
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Run a read-only query and return the first column of its first row, or ``None``."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: Path | str) -> None:
        """Write a consistent copy of the database to ``target`` (SQLite online backup API)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as destination:
            await self._reader.backup(destination)
