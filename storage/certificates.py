"""Certificates of attendance: planned exactly once per checked-in sign-up of an evening with
``cpd_hours`` once it is over (the ``certificates`` row and the outbox row in one transaction).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.evening import is_over
from domain.models import EventStatus
from storage import outbox
from storage.db import Connection, Database, to_db_time
from storage.events import EVENT_COLUMNS, event_from_row

LATEST = timedelta(days=30)  # evenings older than this get no certificate message any more


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
        if event.status is not EventStatus.SCHEDULED or not is_over(event, now):
            continue
        attendees = conn.execute(
            "SELECT id, user_id FROM registrations WHERE event_id = ? AND status = 'confirmed'"
            " AND checked_in_at IS NOT NULL AND user_id IS NOT NULL",
            (event.id,),
        ).fetchall()
        for registration_id, user_id in attendees:
            inserted = conn.execute(
                "INSERT INTO certificates (registration_id, event_id, issued_at) VALUES (?, ?, ?)"
                " ON CONFLICT (registration_id) DO NOTHING",
                (registration_id, event.id, stamp),
            ).rowcount
            if inserted:
                payload = {"event_id": event.id, "registration_id": registration_id}
                outbox.enqueue(conn, user_id, outbox.OutboxKind.CERTIFICATE, payload, now)
                queued += 1
    return queued


async def has_certificate(db: Database, registration_id: int) -> bool:
    """Whether a certificate was issued for this sign-up."""
    return bool(
        await db.fetch_value(
            "SELECT 1 FROM certificates WHERE registration_id = ?", (registration_id,)
        )
    )
