"""Database invariants that must hold after anything (fuzzing, crashes, backups), checked with
plain ``sqlite3`` on the file so that a broken bot cannot vouch for itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def database_problems(path: Path | str) -> list[str]:
    """Every broken invariant of the database at ``path``, as readable lines (empty: all good).

    - the file is a sound SQLite database (``PRAGMA integrity_check``);
    - no orphan rows (``PRAGMA foreign_key_check``);
    - no event has more confirmed sign-ups than seats;
    - a person holds at most one active sign-up per event;
    - waitlist positions (derived from arrival order) are 1..n without gaps or doubles;
    - every active sign-up of a known person has a ticket, and tickets are unique;
    - no seat stays empty while someone waits for it (scheduled events).
    """
    problems: list[str] = []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:5]}")
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            problems.append(f"orphan rows: {orphans[:5]}")
        for event_id, capacity, confirmed in conn.execute(
            "SELECT e.id, e.capacity, count(r.id) FROM events e LEFT JOIN registrations r"
            " ON r.event_id = e.id AND r.status = 'confirmed'"
            " WHERE e.capacity IS NOT NULL GROUP BY e.id HAVING count(r.id) > e.capacity"
        ):
            problems.append(f"overbooked: {event_id} has {confirmed} confirmed for {capacity}")
        doubles = conn.execute(
            "SELECT event_id, user_id, count(*) FROM registrations"
            " WHERE status != 'cancelled' AND user_id IS NOT NULL"
            " GROUP BY event_id, user_id HAVING count(*) > 1"
        ).fetchall()
        if doubles:
            problems.append(f"several active sign-ups of one person: {doubles[:5]}")
        gaps = conn.execute(
            "SELECT event_id, group_concat(position) FROM ("
            "  SELECT r.event_id, (SELECT count(*) FROM registrations w WHERE w.event_id ="
            "   r.event_id AND w.status = 'waitlisted' AND w.id <= r.id) AS position,"
            "   row_number() OVER (PARTITION BY r.event_id ORDER BY r.id) AS expected"
            "  FROM registrations r WHERE r.status = 'waitlisted')"
            " WHERE position != expected GROUP BY event_id"
        ).fetchall()
        if gaps:
            problems.append(f"waitlist positions not contiguous: {gaps[:5]}")
        missing = conn.execute(
            "SELECT count(*) FROM registrations"
            " WHERE status != 'cancelled' AND user_id IS NOT NULL AND ticket IS NULL"
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} active sign-ups without ticket")
        waiting = conn.execute(
            "SELECT e.id FROM events e WHERE e.status = 'scheduled' AND e.capacity IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM registrations w WHERE w.event_id = e.id"
            "             AND w.status = 'waitlisted')"
            " AND (SELECT count(*) FROM registrations c WHERE c.event_id = e.id"
            "      AND c.status = 'confirmed') < e.capacity"
        ).fetchall()
        if waiting:
            problems.append(f"free seats while people wait: {waiting[:5]}")
    finally:
        conn.close()
    return problems


def assert_consistent(path: Path | str) -> None:
    """Fail with the list of broken invariants."""
    problems = database_problems(path)
    assert not problems, "database invariants broken:\n" + "\n".join(problems)
