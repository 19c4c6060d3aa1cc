"""Certificates of attendance: planned exactly once per checked-in sign-up of an evening with
``cpd_hours`` once it is over (the ``certificates`` row and the outbox row in one transaction).
Who gets one is ``domain.standing.may_get_certificate``, the rule /meine and the button use.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.standing import may_get_certificate
from storage import outbox
from storage.db import Connection, Database, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row
from storage.registrations import registration_from_row

LATEST = timedelta(days=30)  # evenings older than this get no certificate message any more
_CHECKED_IN = (
    "SELECT id, event_id, user_id, name, status, ticket, created_at, confirmed_at,"
    " cancelled_at, checked_in_at, NULL AS waitlist_position FROM registrations"
    " WHERE event_id = ? AND checked_in_at IS NOT NULL AND user_id IS NOT NULL"
)


async def plan_due_certificates(db: Database, now: datetime) -> int:
    """Queue the certificate message for every checked-in attendee of an evening with
    ``cpd_hours`` that is over and not yet planned; return how many were queued."""
    return await db.write(_plan, now)


def _plan(conn: Connection, now: datetime) -> int:
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE cpd_hours IS NOT NULL"
        " AND starts_at <= ? AND starts_at > ?",
        (to_db_time(now), to_db_time(now - LATEST)),
    ).fetchall()
    queued, stamp = 0, to_db_time(now)
    for row in rows:
        event = event_from_row(row)
        for found in conn.execute(_CHECKED_IN, (event.id,)).fetchall():
            registration = registration_from_row(found)
            if may_get_certificate(event, registration, now) is not None:
                continue
            inserted = conn.execute(
                "INSERT INTO certificates (registration_id, event_id, issued_at) VALUES (?, ?, ?)"
                " ON CONFLICT (registration_id) DO NOTHING",
                (registration.id, event.id, stamp),
            ).rowcount
            if inserted:
                assert registration.user_id is not None
                payload = {"event_id": event.id, "registration_id": registration.id}
                outbox.enqueue(
                    conn, registration.user_id, outbox.OutboxKind.CERTIFICATE, payload, now
                )
                queued += 1
    return queued
