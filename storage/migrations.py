"""Versioned schema migrations, applied in order and recorded in ``_migrations``.

Each migration is a function named after what it does, in :mod:`storage.migration_steps`. Never
edit one that has shipped; add a new one there and at the end of :data:`MIGRATIONS` instead.
All times are UTC strings written by ``storage.db.to_db_time``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from storage import migration_steps as steps

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = [
    steps.m001_initial_schema,
    steps.m002_calendar_sequence,
    steps.m003_organiser_menus,
    steps.m004_attendance_answers,
    steps.m005_feedback,
    steps.m006_cpd_hours_and_certificates,
    steps.m007_open_dialogues,
    steps.m008_questions_to_speakers,
    steps.m009_console_clock,
    steps.m010_certificate_numbers,
    steps.m011_previous_start,
    steps.m012_waitlist_offers,
]

# These migrations were once named after the branches that added them. A database made by that
# code (up to commit f55e3b3) recorded those names; read back, each stands for its new name.
FORMER_NAMES: dict[str, str] = {
    "m002_11_calendar_sequence": steps.m002_calendar_sequence.__name__,
    "m002_12_organiser_menus": steps.m003_organiser_menus.__name__,
    "m002_i13_attendance": steps.m004_attendance_answers.__name__,
    "m003_i13_feedback": steps.m005_feedback.__name__,
    "m004_i13_cpd_hours": steps.m006_cpd_hours_and_certificates.__name__,
    "m005_i15persist_dialogues": steps.m007_open_dialogues.__name__,
    "m006_i13q_questions": steps.m008_questions_to_speakers.__name__,
}


def current_name(recorded: str) -> str:
    """The name a migration recorded in ``_migrations`` has now (a former name is an alias)."""
    return FORMER_NAMES.get(recorded, recorded)


def _recorded_names(name: str) -> tuple[str, ...]:
    """Every name under which migration ``name`` may be recorded: its own and former ones."""
    return (name, *(old for old, new in FORMER_NAMES.items() if new == name))


class SchemaTooNew(Exception):
    """The database has migrations this version of the code does not know."""


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in the database, in the order they ran (a former name
    read as today's)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    rows = conn.execute("SELECT name FROM _migrations ORDER BY rowid")
    return [current_name(row[0]) for row in rows]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    done = set(applied_migrations(conn))
    newer = done - {migration.__name__ for migration in MIGRATIONS}
    if newer:  # running on would write into a schema this code does not know
        raise SchemaTooNew(f"the database was migrated by a newer version ({sorted(newer)[-1]})")
    newly_applied = []
    for migration in MIGRATIONS:
        name = migration.__name__
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            names = _recorded_names(name)
            marks = ", ".join("?" * len(names))
            if conn.execute(
                f"SELECT 1 FROM _migrations WHERE name IN ({marks})", names
            ).fetchone():
                conn.execute("ROLLBACK")
                continue
            migration(conn)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        newly_applied.append(name)
    return newly_applied
