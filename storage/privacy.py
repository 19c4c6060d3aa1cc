"""Privacy self-service (DSGVO): everything stored about a person, deleting it, and removing the
personal data of evenings long past.

Deleting a person keeps the anonymous counts: their sign-ups stay as rows without user id, name
or ticket, so statistics and waitlist positions of others do not change; their questions to the
speakers and their feedback comments (their own words) go, a rating stays as an anonymous
tally. Seats they held for upcoming evenings are released first, in the same transaction, so the
waitlist moves up.

An organiser's broadcasts keep their counts but lose the author: ``created_by`` and
``source_chat_id`` become :data:`NOBODY`, the progress message is forgotten and the outbox
rows' payloads (which name the author's chat as ``from_chat_id`` of ``copyMessage``) are
emptied. A broadcast still sending stops there: its message can only be copied from the
author's chat, so keeping it going would mean keeping their id. What was not sent yet is
withdrawn, the broadcast is closed, and the deletion's answer says how many were not reached.

Retention removes, besides the sign-ups of evenings past the retention period and their
questions and comments, the people themselves whose every sign-up belongs to such an evening
(and who did not subscribe to announcements): the same deletion, so nothing of theirs is left
behind either. The records behind certificates of attendance (``domain.retention``) are the
exception: such a sign-up keeps its user id, name and check-in (the ticket goes) until 31
December of the evening's year plus ``CPD_RETENTION_YEARS``, and its person keeps their row
(language, name) so that /meine can still add up the hours; only then do both go the same way.
The person's own deletion takes them at once (their numbers then verify as deleted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from domain.evening import is_over
from domain.models import Event
from domain.retention import certificate_record_expired, is_certificate_record
from storage import dialogues
from storage.db import Connection, Database, Row, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row
from storage.registration_rows import (
    REGISTRATION_COLUMNS,
    registration_from_row,
    waitlist_position,
)
from storage.registrations import cancel_in

# The author of a broadcast whose author deleted their data (no Telegram id is 0).
NOBODY = 0


@dataclass(frozen=True, slots=True)
class DeletionReport:
    existed: bool  # whether anything was stored about the person
    cancelled: int  # sign-ups of upcoming evenings released
    promoted_user_ids: tuple[int, ...]  # waitlisted people who got the freed seats
    withdrawn: int = 0  # recipients a broadcast of theirs, still sending, will not reach


@dataclass(frozen=True, slots=True)
class RetentionReport:
    registrations: int  # sign-ups anonymised
    messages: int  # outbox rows removed
    dialogues: int = 0  # open dialogues' steps and drafts unchanged too long, removed
    people: int = 0  # people removed whose every sign-up was of such an evening
    questions: int = 0  # questions to the speakers removed
    comments: int = 0  # feedback comments removed
    kept: int = 0  # sign-ups kept as the records behind certificates (CPD_RETENTION_YEARS)


@dataclass(frozen=True, slots=True)
class RetentionPeriods:
    """How long personal data stays (PRODUCT §2): ``days`` after an evening in general, the
    certificate records to the end of the evening's year + ``cpd_years`` (local time ``tz``)."""

    days: int
    cpd_years: int
    tz: tzinfo


def _rows(rows: list[Row]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def export_person(db: Database, user_id: int) -> dict[str, Any]:
    """Everything stored about ``user_id``, as JSON-ready values (times are UTC strings)."""
    user = await db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
    registrations = await db.fetch_all(
        "SELECT r.*, e.title AS event_title, e.starts_at AS event_starts_at,"
        f" {waitlist_position('r')} AS waitlist_position"
        " FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.user_id = ? ORDER BY r.id",
        (user_id,),
    )
    reminders = await db.fetch_all(
        "SELECT d.* FROM reminder_deliveries d JOIN registrations r ON r.id = d.registration_id"
        " WHERE r.user_id = ? ORDER BY d.registration_id, d.offset_seconds",
        (user_id,),
    )
    messages = await db.fetch_all(
        "SELECT id, kind, payload, broadcast_id, state, attempts, not_before, created_at,"
        " sent_at, error FROM outbox WHERE user_id = ? ORDER BY id",
        (user_id,),
    )
    broadcasts = await db.fetch_all(
        "SELECT id, audience, event_id, status, created_at, finished_at FROM broadcasts"
        " WHERE created_by = ? ORDER BY id",
        (user_id,),
    )
    questions = await db.fetch_all(
        "SELECT q.event_id, e.title AS event_title, q.name, q.text, q.asked_at"
        " FROM questions q JOIN events e ON e.id = q.event_id WHERE q.user_id = ? ORDER BY q.id",
        (user_id,),
    )
    feedback = await db.fetch_all(
        "SELECT f.event_id, e.title AS event_title, f.rating, f.comment, f.requested_at,"
        " f.answered_at FROM feedback f JOIN registrations r ON r.id = f.registration_id"
        " JOIN events e ON e.id = f.event_id WHERE r.user_id = ? ORDER BY f.registration_id",
        (user_id,),
    )
    outbox_rows = _rows(messages)
    for row in outbox_rows:
        row["payload"] = json.loads(row["payload"])
    certificates = await db.fetch_all(
        "SELECT c.number, e.id AS event_id, e.title AS event_title,"
        " e.starts_at AS event_starts_at, r.name, r.checked_in_at, c.hours, c.issued_at,"
        " c.withdrawn_at, c.replaced_by"
        " FROM certificate_numbers c JOIN registrations r ON r.id = c.registration_id"
        " JOIN events e ON e.id = c.event_id WHERE r.user_id = ? ORDER BY c.issued_at, c.number",
        (user_id,),
    )
    seat_offers = await db.fetch_all(
        "SELECT o.event_id, e.title AS event_title, o.status, o.everyone, o.opens_at,"
        " o.expires_at, o.decided_at FROM seat_offers o"
        " JOIN registrations r ON r.id = o.registration_id"
        " JOIN events e ON e.id = o.event_id WHERE r.user_id = ? ORDER BY o.id",
        (user_id,),
    )
    open_dialogues = await dialogues.export_person(db, user_id)
    for row in open_dialogues["drafts"]:
        row["data"] = json.loads(str(row["data"]))
    return {
        "user": dict(user) if user is not None else None,
        "registrations": _rows(registrations),
        "reminders": _rows(reminders),
        "messages": outbox_rows,
        "broadcasts_sent": _rows(broadcasts),
        "open_dialogues": open_dialogues,
        "questions": _rows(questions),
        "feedback": _rows(feedback),
        "certificates": _rows(certificates),
        "seat_offers": _rows(seat_offers),
    }


async def valid_certificates(db: Database, user_id: int) -> int:
    """How many valid certificates of attendance ``user_id`` holds: what their deletion costs
    them (the numbers then verify as deleted)."""
    count = await db.fetch_value(
        "SELECT count(*) FROM certificate_numbers c JOIN registrations r"
        " ON r.id = c.registration_id WHERE r.user_id = ? AND c.withdrawn_at IS NULL"
        " AND c.replaced_by IS NULL",
        (user_id,),
    )
    return int(count or 0)


async def delete_person(db: Database, user_id: int, now: datetime) -> DeletionReport:
    """Delete ``user_id`` in one transaction: release their seats for upcoming evenings (the
    waitlist moves up), anonymise all their sign-ups, drop their queued messages, their open
    dialogues and their row.
    """
    report = await db.write(_delete_person, user_id, now)
    await db.checkpoint()  # the deleted pages leave the WAL too
    return report


def _delete_person(conn: Connection, user_id: int, now: datetime) -> DeletionReport:
    user_exists = conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone()
    upcoming = [
        row[0]
        for row in conn.execute(
            "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id"
            " WHERE r.user_id = ? AND r.status != 'cancelled' AND e.starts_at > ?"
            " ORDER BY r.id",
            (user_id, to_db_time(now)),
        )
    ]
    promoted: list[int] = []
    for registration_id in upcoming:
        promoted.extend(cancel_in(conn, registration_id, None, now).promoted_user_ids)
    questions = conn.execute("DELETE FROM questions WHERE user_id = ?", (user_id,)).rowcount
    comments = conn.execute(
        "UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL AND registration_id IN"
        " (SELECT id FROM registrations WHERE user_id = ?)",
        (user_id,),
    ).rowcount
    anonymised = conn.execute(
        "UPDATE registrations SET user_id = NULL, name = NULL, ticket = NULL WHERE user_id = ?",
        (user_id,),
    ).rowcount
    # Queued messages go; delivered broadcast rows stay as anonymous tallies of their
    # broadcast's report (a negative, unique placeholder instead of the Telegram id).
    conn.execute(
        "DELETE FROM outbox WHERE user_id = ? AND (state = 'pending' OR broadcast_id IS NULL)",
        (user_id,),
    )
    conn.execute(
        "UPDATE outbox SET user_id = -id, payload = '{}', error = NULL WHERE user_id = ?",
        (user_id,),
    )
    withdrawn = _forget_author(conn, user_id, now)
    conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
    in_dialogue = dialogues.delete_person_in(conn, user_id)
    existed = user_exists is not None or anonymised + questions + comments + in_dialogue > 0
    return DeletionReport(existed, len(upcoming), tuple(promoted), withdrawn)


def _forget_author(conn: Connection, user_id: int, now: datetime) -> int:
    """Remove ``user_id`` as the author of broadcasts (see the module docstring); returns how
    many recipients a broadcast of theirs that was still sending will not reach."""
    authored = "SELECT id FROM broadcasts WHERE created_by = ?"
    withdrawn = conn.execute(
        f"DELETE FROM outbox WHERE state = 'pending' AND broadcast_id IN ({authored})",
        (user_id,),
    ).rowcount
    conn.execute(
        f"UPDATE outbox SET payload = '{{}}' WHERE broadcast_id IN ({authored})", (user_id,)
    )
    conn.execute(
        "UPDATE broadcasts SET created_by = ?1, source_chat_id = ?1, progress_chat_id = NULL,"
        " progress_message_id = NULL, status = 'done', finished_at = coalesce(finished_at, ?2)"
        " WHERE created_by = ?3",
        (NOBODY, to_db_time(now), user_id),
    )
    return withdrawn


async def remove_expired_personal_data(
    db: Database, now: datetime, periods: RetentionPeriods
) -> RetentionReport:
    """Anonymise sign-ups of evenings that ended more than ``periods.days`` ago (but the
    records behind certificates until their own end, see the module docstring), remove their
    questions to the speakers and feedback comments, finished outbox rows older than that (who
    was sent what), the people whose every sign-up was of such an evening, and open dialogues
    unchanged for ``storage.dialogues.KEEP_FOR``. Counts (and ratings) survive."""
    report = await db.write(_remove_expired, now, periods)
    await db.checkpoint()
    return report


def _expired_event_ids(conn: Connection, cutoff: datetime) -> list[str]:
    """Evenings over before ``cutoff`` by the one rule, ``domain.evening.is_over``."""
    # Only a pre-filter in SQL: an evening that starts after the cut-off cannot be over by then.
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE starts_at <= ?", (to_db_time(cutoff),)
    )
    return [row["id"] for row in rows if is_over(event_from_row(row), cutoff)]


def _kept_records(
    conn: Connection, expired_events: str, expired: str, now: datetime, periods: RetentionPeriods
) -> list[int]:
    """The ids of the sign-ups of expired evenings kept as certificate records at ``now``, each
    decided by ``domain.retention``."""
    rows = conn.execute(
        f"SELECT {REGISTRATION_COLUMNS}, EXISTS (SELECT 1 FROM certificate_numbers c"
        "  WHERE c.registration_id = r.id AND c.withdrawn_at IS NULL AND c.replaced_by IS NULL)"
        f" AS certified FROM registrations r WHERE r.event_id IN ({expired_events})"
        " AND r.user_id IS NOT NULL AND r.checked_in_at IS NOT NULL",
        {"expired": expired},
    ).fetchall()
    events: dict[str, Event] = {}
    kept = []
    for row in rows:
        registration = registration_from_row(row)
        event = events.get(registration.event_id)
        if event is None:
            event = events[registration.event_id] = event_from_row(
                conn.execute(
                    f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (registration.event_id,)
                ).fetchone()
            )
        if is_certificate_record(
            event, registration, bool(row["certified"])
        ) and not certificate_record_expired(event.starts_at, periods.tz, periods.cpd_years, now):
            kept.append(registration.id)
    return kept


def _remove_expired(conn: Connection, now: datetime, periods: RetentionPeriods) -> RetentionReport:
    cutoff = now - timedelta(days=periods.days)
    expired = json.dumps(_expired_event_ids(conn, cutoff))
    expired_events = "SELECT value FROM json_each(:expired)"
    kept_ids = _kept_records(conn, expired_events, expired, now, periods)
    kept = json.dumps(kept_ids)
    kept_records = "SELECT value FROM json_each(:kept)"
    # People with a sign-up for an expired evening, none for any other, no subscription and
    # no certificate record still kept.
    leaving = [
        row[0]
        for row in conn.execute(
            "SELECT u.id FROM users u WHERE u.subscribed = 0"
            f" AND EXISTS (SELECT 1 FROM registrations r WHERE r.user_id = u.id"
            f"  AND r.event_id IN ({expired_events}))"
            f" AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.user_id = u.id"
            f"  AND (r.event_id NOT IN ({expired_events}) OR r.id IN ({kept_records})))",
            {"expired": expired, "kept": kept},
        )
    ]
    registrations = conn.execute(
        "UPDATE registrations SET user_id = NULL, name = NULL, ticket = NULL"
        f" WHERE event_id IN ({expired_events}) AND id NOT IN ({kept_records})"
        " AND (user_id IS NOT NULL OR name IS NOT NULL OR ticket IS NOT NULL)",
        {"expired": expired, "kept": kept},
    ).rowcount
    conn.execute(  # a kept record is the user id, name and check-in: the ticket goes
        f"UPDATE registrations SET ticket = NULL WHERE id IN ({kept_records})"
        " AND ticket IS NOT NULL",
        {"kept": kept},
    )
    messages = conn.execute(
        "DELETE FROM outbox WHERE (state != 'pending' AND created_at < :cutoff)"
        f" OR json_extract(payload, '$.event_id') IN ({expired_events})",
        {"cutoff": to_db_time(cutoff), "expired": expired},
    ).rowcount
    questions = conn.execute(
        f"DELETE FROM questions WHERE event_id IN ({expired_events})", {"expired": expired}
    ).rowcount
    comments = conn.execute(
        "UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL"
        f" AND event_id IN ({expired_events})",
        {"expired": expired},
    ).rowcount
    stale_dialogues = dialogues.delete_stale_in(conn, now)
    for user_id in leaving:  # their expired sign-ups are anonymous already
        _delete_person(conn, user_id, now)
    return RetentionReport(
        registrations,
        messages,
        stale_dialogues,
        len(leaving),
        questions,
        comments,
        len(kept_ids),
    )
