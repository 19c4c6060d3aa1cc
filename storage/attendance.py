"""Attendance answers to reminders (PRODUCT §4): "Ich komme" and "Ich kann nicht kommen".

"Ich komme" is recorded on the sign-up and can be changed by "Ich kann nicht kommen", which
cancels the sign-up through ``storage.registrations.cancel`` (the waitlist moves up there) and
is then marked 'declined' here, so that the statistics can tell the answers apart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.evening import is_upcoming
from domain.models import RegistrationStatus
from storage.db import Connection, Database, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row

COMING = "coming"
DECLINED = "declined"


class AttendOutcome(StrEnum):
    RECORDED = "recorded"
    NOT_FOUND = "not_found"  # unknown id, or not this user's
    NOT_CONFIRMED = "not_confirmed"  # cancelled or on the waitlist
    TOO_LATE = "too_late"  # the evening has begun or was cancelled


async def record_coming(
    db: Database, registration_id: int, user_id: int, now: datetime
) -> AttendOutcome:
    """Record "Ich komme" for the user's own confirmed sign-up of an upcoming evening."""
    return await db.write(_record_coming, registration_id, user_id, now)


def _record_coming(
    conn: Connection, registration_id: int, user_id: int, now: datetime
) -> AttendOutcome:
    row = conn.execute(
        "SELECT event_id, status FROM registrations WHERE id = ? AND user_id = ?",
        (registration_id, user_id),
    ).fetchone()
    if row is None:
        return AttendOutcome.NOT_FOUND
    if row["status"] != RegistrationStatus.CONFIRMED.value:
        return AttendOutcome.NOT_CONFIRMED
    event_row = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (row["event_id"],)
    ).fetchone()
    if event_row is None or not is_upcoming(event_from_row(event_row), now):
        return AttendOutcome.TOO_LATE
    conn.execute(
        "UPDATE registrations SET attendance = ?, attendance_at = ? WHERE id = ?",
        (COMING, to_db_time(now), registration_id),
    )
    return AttendOutcome.RECORDED


async def record_declined(db: Database, registration_id: int, now: datetime) -> None:
    """Mark a sign-up cancelled from a reminder as 'declined' (for the statistics)."""
    await db.execute(
        "UPDATE registrations SET attendance = ?, attendance_at = ?"
        " WHERE id = ? AND status = 'cancelled'",
        (DECLINED, to_db_time(now), registration_id),
    )


async def answer_of(db: Database, registration_id: int) -> str | None:
    """The recorded attendance answer of a sign-up ('coming', 'declined') or ``None``."""
    answer: str | None = await db.fetch_value(
        "SELECT attendance FROM registrations WHERE id = ?", (registration_id,)
    )
    return answer
