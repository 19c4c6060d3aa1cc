"""Before anything opens the database: is ``DATABASE_PATH`` this bot's, sound, writable, and not
in use by another bot process? Each problem is one line naming the variable and the file, so
``run.py`` ends with exit 2 instead of a traceback (or worse, a second bot sending)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from storage.migrations import MIGRATIONS, current_name


def one_line(text: object) -> str:
    """``text`` as one line: SQLite's messages may span several (a damaged page gives
    "*** in database main ***" and "Page 2: btreeInitPage() returns error code 11")."""
    return " ".join(str(text).split())


def database_problem(path: Path, *, must_exist: bool = False) -> str | None:
    """Why the bot cannot use the database at ``path`` (one line), or ``None``; nothing is
    created."""
    problem = _database_problem(path, must_exist)
    return None if problem is None else one_line(problem)


def _database_problem(path: Path, must_exist: bool) -> str | None:
    where = f"DATABASE_PATH {path}"
    if not path.exists():
        if must_exist:
            return f"{where}: no database there (check the path; nothing was created)"
        if not os.access(path.parent, os.W_OK):
            return f"{where}: the folder is not writable, the database cannot be created"
        return None
    if not os.access(path, os.R_OK):
        return f"{where}: the file cannot be read (check its permissions)"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            applied = []
            if "_migrations" in tables:
                rows = conn.execute("SELECT name FROM _migrations")
                applied = [current_name(r[0]) for r in rows]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"{where}: not a usable SQLite database ({exc}); restore a backup"
    if check != "ok":
        return f"{where}: the database is damaged ({check}); restore a backup"
    if tables and "_migrations" not in tables:
        return f"{where}: an SQLite database of another application, not of this bot"
    known = {migration.__name__ for migration in MIGRATIONS}
    newer = sorted(set(applied) - known)
    if newer:
        return (
            f"{where}: written by a newer version of the bot (schema {newer[-1]});"
            " run that version or restore a backup"
        )
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return f"{where}: the file or its folder is read-only; the bot needs to write there"
    return None


# A write refused for want of room: no space left, the file may not grow (a file-size limit),
# the user's disk quota is used up.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
_ADVICE = "free some space (or raise the limit) and start again"


def write_problem(path: Path | None, exc: BaseException) -> str | None:
    """One line for an error that kept the database (or its lock file) at ``path`` from being
    written because the disk is full, or used because it is damaged, or ``None`` when ``exc`` is
    something else.

    A full disk reaches the bot as ``ENOSPC``/``EFBIG`` from the kernel, as SQLite's
    ``SQLITE_FULL`` ("database or disk is full", a write cut short) or, when a write is
    refused outright, as one of SQLite's ``SQLITE_IOERR_*`` codes ("disk I/O error").
    """
    problem = _write_problem(path, exc)
    return None if problem is None else one_line(problem)


def _write_problem(path: Path | None, exc: BaseException) -> str | None:
    where = f"DATABASE_PATH {path}" if path is not None else "DATABASE_PATH"
    if isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorname", "") in (
        "SQLITE_CORRUPT",
        "SQLITE_NOTADB",
    ):
        return f"{where}: the database is damaged ({exc}); restore a backup"
    if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
        return f"{where}: cannot write {exc.filename or 'the database'}: {exc.strerror}; {_ADVICE}"
    if isinstance(exc, sqlite3.OperationalError):
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_FULL":
            return f"{where}: the disk is full ({exc}); {_ADVICE}"
        if name.startswith("SQLITE_IOERR"):
            return (
                f"{where}: the database cannot be written ({exc}, {name}); the disk is full or"
                f" failing: {_ADVICE}"
            )
    return None


def lock_path(path: Path) -> Path:
    """The pid file next to the real database file (symlinks and relative paths resolved)."""
    real = path.resolve()
    return real.with_name(real.name + ".lock")


@dataclass(frozen=True, slots=True)
class InstanceLock:
    """The single-instance lock a running bot holds: the database file itself (so every path
    to it counts, also a hard link or a bind mount) and the pid file naming the holder."""

    database: int  # an open descriptor of the database file, flock'ed
    pid_file: IO[str]


def _refusal(path: Path, pid: str) -> str:
    return (
        f"DATABASE_PATH {path}: another bot process (pid {pid}) is running on this"
        " database; stop it first"
    )


def take_instance_lock(path: Path) -> tuple[InstanceLock | None, str | None]:
    """Hold the single-instance lock of the database at ``path`` for this process's lifetime.

    The lock is taken on the database file itself (created empty if it is new, which SQLite
    reads as an empty database), so that a second bot naming the same file by any path (a
    symlink, a relative path, a hard link, a bind mount) is refused; the pid file next to the
    real file names the holder. Returns the lock (keep it; the kernel releases it when the
    process ends, even after ``kill -9``) or, if another process holds it, one line naming its
    pid. SQLite's own locks are POSIX record locks, independent of this ``flock``.
    """
    target = lock_path(path)
    database = os.open(path.resolve(), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(database, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(database)
        return None, _refusal(path, _holder(target))
    handle = target.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _holder(target)
        handle.close()
        os.close(database)
        return None, _refusal(path, pid)
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return InstanceLock(database, handle), None


def _holder(pid_file: Path) -> str:
    """The pid the holder wrote (``unknown`` when it names the file by another path, such as
    a hard link in another folder)."""
    try:
        return pid_file.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


def release_instance_lock(lock: InstanceLock | None) -> None:
    """Give the lock back (tests; a process that ends releases it anyway)."""
    if lock is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(lock.pid_file, fcntl.LOCK_UN)
        lock.pid_file.close()
        with contextlib.suppress(OSError):
            fcntl.flock(lock.database, fcntl.LOCK_UN)
        os.close(lock.database)
