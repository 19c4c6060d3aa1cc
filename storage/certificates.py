"""Certificates of attendance (PRODUCT §4): issued exactly once per checked-in sign-up of an
evening with ``cpd_hours`` once it is over, each with its number (``certificate_numbers``) and
the outbox row that sends the PDF, in one transaction. A check-in taken back withdraws the
certificate; a corrected name re-issues it under a new number. Who gets one is
``domain.standing.may_get_certificate``, the rule /meine and the button use.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.certificate_number import (
    BITS,
    Verification,
    format_number,
    normalise_number,
    verification_of,
)
from domain.evening import end_of
from domain.models import Event
from domain.standing import may_get_certificate
from storage import outbox
from storage.db import Connection, Database, from_db_time_required, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row
from storage.registration_rows import REGISTRATION_COLUMNS, registration_from_row

LATEST = timedelta(days=30)  # evenings older than this get no certificate on their own any more
NewBits = Callable[[], int]


def random_bits() -> int:
    """80 random bits for a new number."""
    return secrets.randbits(BITS)


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """One issued certificate: its number, whose sign-up, which evening, how many hours."""

    number: str
    registration_id: int
    event_id: str
    hours: float
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``/bescheinigung/<number>`` may show: the verdict, and for a valid one the holder's
    name, the evening and the hours (nothing else about the person)."""

    verdict: Verification
    number: str | None = None
    name: str | None = None
    event: Event | None = None
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What one planning run did."""

    issued: int = 0
    withdrawn: int = 0
    empty_evenings: int = 0


def _record(row: sqlite3.Row) -> CertificateRecord:
    return CertificateRecord(
        number=row["number"],
        registration_id=row["registration_id"],
        event_id=row["event_id"],
        hours=row["hours"],
        issued_at=from_db_time_required(row["issued_at"]),
    )


_VALID = (
    "SELECT number, registration_id, event_id, hours, issued_at FROM certificate_numbers"
    " WHERE registration_id = ? AND withdrawn_at IS NULL AND replaced_by IS NULL"
)
_EVENT_NAMES = tuple(name.strip() for name in EVENT_COLUMNS.split(","))
_EVENT_COLUMNS_AS_E = ", ".join(f"e.{name} AS e_{name}" for name in _EVENT_NAMES)


def _new_number(conn: Connection, new_bits: NewBits) -> str:
    while True:  # 80 bits: a collision is never expected, but never a duplicate either
        number = format_number(new_bits())
        if (
            conn.execute(
                "SELECT 1 FROM certificate_numbers WHERE number = ?", (number,)
            ).fetchone()
            is None
        ):
            return number


def _issue(
    conn: Connection, registration_id: int, event: Event, now: datetime, new_bits: NewBits
) -> str:
    number = _new_number(conn, new_bits)
    conn.execute(
        "INSERT INTO certificate_numbers (number, registration_id, event_id, hours, issued_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (number, registration_id, event.id, event.cpd_hours, to_db_time(now)),
    )
    return number


def _enqueue_pdf(conn: Connection, user_id: int, number: str, now: datetime) -> None:
    outbox.enqueue(conn, user_id, outbox.OutboxKind.CERTIFICATE, {"number": number}, now)


async def plan_due_certificates(
    db: Database,
    now: datetime,
    organisers: Collection[int] = (),
    new_bits: NewBits = random_bits,
) -> PlanReport:
    """Withdraw the certificates of check-ins taken back, issue and queue the certificate of
    every checked-in attendee of an evening with ``cpd_hours`` that is over, and tell the
    ``organisers`` once about such an evening that ended with nobody checked in."""
    return await db.write(_plan, now, tuple(organisers), new_bits)


def _plan(
    conn: Connection, now: datetime, organisers: tuple[int, ...], new_bits: NewBits
) -> PlanReport:
    withdrawn = _withdraw_undone(conn, now)
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE cpd_hours IS NOT NULL"
        " AND starts_at <= ? AND starts_at > ?",
        (to_db_time(now), to_db_time(now - LATEST)),
    ).fetchall()
    issued = empty = 0
    for row in rows:
        event = event_from_row(row)
        if end_of(event) > now:
            continue
        checked_in = conn.execute(
            f"SELECT {REGISTRATION_COLUMNS} FROM registrations r"
            " WHERE r.event_id = ? AND r.checked_in_at IS NOT NULL AND r.user_id IS NOT NULL",
            (event.id,),
        ).fetchall()
        if not checked_in:
            empty += _tell_empty(conn, event, now, organisers)
        for found in checked_in:
            registration = registration_from_row(found)
            if may_get_certificate(event, registration, now) is not None:
                continue
            if _mark_issued(conn, registration.id, event.id, now):
                number = _issue(conn, registration.id, event, now, new_bits)
                assert registration.user_id is not None
                _enqueue_pdf(conn, registration.user_id, number, now)
                issued += 1
    return PlanReport(issued=issued, withdrawn=withdrawn, empty_evenings=empty)


def _mark_issued(conn: Connection, registration_id: int, event_id: str, now: datetime) -> bool:
    """Record that this sign-up's certificate is issued; ``False`` if it already was."""
    return bool(
        conn.execute(
            "INSERT INTO certificates (registration_id, event_id, issued_at) VALUES (?, ?, ?)"
            " ON CONFLICT (registration_id) DO NOTHING",
            (registration_id, event_id, to_db_time(now)),
        ).rowcount
    )


def _withdraw_undone(conn: Connection, now: datetime) -> int:
    """Withdraw valid certificates whose check-in was taken back (or the sign-up cancelled);
    a later check-in issues a new one under a new number."""
    rows = conn.execute(
        "SELECT c.number, c.registration_id FROM certificate_numbers c"
        " JOIN registrations r ON r.id = c.registration_id"
        " WHERE c.withdrawn_at IS NULL AND c.replaced_by IS NULL"
        " AND (r.checked_in_at IS NULL OR r.status != 'confirmed')"
    ).fetchall()
    for row in rows:
        conn.execute(
            "UPDATE certificate_numbers SET withdrawn_at = ? WHERE number = ?",
            (to_db_time(now), row["number"]),
        )
        conn.execute(
            "DELETE FROM certificates WHERE registration_id = ?", (row["registration_id"],)
        )
    return len(rows)


def _tell_empty(conn: Connection, event: Event, now: datetime, organisers: tuple[int, ...]) -> int:
    told = conn.execute(
        "INSERT INTO certificate_empty_evenings (event_id, told_at) VALUES (?, ?)"
        " ON CONFLICT (event_id) DO NOTHING",
        (event.id, to_db_time(now)),
    ).rowcount
    if not told:
        return 0
    for organiser in organisers:
        outbox.enqueue(
            conn, organiser, outbox.OutboxKind.CERTIFICATE_NOBODY, {"event_id": event.id}, now
        )
    return 1


async def ask_for_printable_names(
    db: Database, now: datetime, printable: Callable[[str], bool]
) -> int:
    """Once per sign-up (confirmed or waiting) for an evening with ``cpd_hours`` that is not
    over (or ended within the day) whose name ``printable`` says no certificate can print
    (``cpd_hours`` added after they signed up): queue the request for a printable spelling.
    Returns how many were asked."""
    return await db.write(_ask_for_printable_names, now, printable)


def _ask_for_printable_names(
    conn: Connection, now: datetime, printable: Callable[[str], bool]
) -> int:
    rows = conn.execute(
        "SELECT r.id, r.user_id, r.name, r.event_id FROM registrations r"
        " JOIN events e ON e.id = r.event_id"
        " WHERE e.cpd_hours IS NOT NULL AND e.status = 'scheduled'"
        " AND r.status IN ('confirmed', 'waitlisted') AND r.user_id IS NOT NULL"
        " AND r.name IS NOT NULL AND e.starts_at > ?"
        " AND r.id NOT IN (SELECT registration_id FROM certificate_name_asks)",
        (to_db_time(now - timedelta(days=1)),),
    ).fetchall()
    asked = 0
    for row in rows:
        if printable(row["name"]):
            continue
        conn.execute(
            "INSERT INTO certificate_name_asks (registration_id, asked_at) VALUES (?, ?)",
            (row["id"], to_db_time(now)),
        )
        payload = {"registration_id": row["id"], "event_id": row["event_id"]}
        outbox.enqueue(conn, row["user_id"], outbox.OutboxKind.CERTIFICATE_NAME, payload, now)
        asked += 1
    return asked


async def certificate_for(
    db: Database, registration_id: int, now: datetime, new_bits: NewBits = random_bits
) -> CertificateRecord | None:
    """The valid certificate of a sign-up, issued now if the planner has not yet (/meine's
    button may be quicker); ``None`` when ``may_get_certificate`` refuses."""
    return await db.write(_certificate_for, registration_id, now, new_bits)


def _certificate_for(
    conn: Connection, registration_id: int, now: datetime, new_bits: NewBits
) -> CertificateRecord | None:
    found = conn.execute(
        f"SELECT {REGISTRATION_COLUMNS} FROM registrations r WHERE r.id = ?", (registration_id,)
    ).fetchone()
    if found is None:
        return None
    registration = registration_from_row(found)
    event_row = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (registration.event_id,)
    ).fetchone()
    if event_row is None:
        return None
    event = event_from_row(event_row)
    if may_get_certificate(event, registration, now) is not None:
        return None
    _withdraw_undone(conn, now)
    row = conn.execute(_VALID, (registration_id,)).fetchone()
    if row is None:
        _mark_issued(conn, registration_id, event.id, now)
        _issue(conn, registration_id, event, now, new_bits)
        row = conn.execute(_VALID, (registration_id,)).fetchone()
    return _record(row)


async def valid_certificate(db: Database, number: str) -> CertificateRecord | None:
    """The certificate with this number while it is valid (the outbox renders only these)."""
    row = await db.fetch_one(
        "SELECT number, registration_id, event_id, hours, issued_at FROM certificate_numbers"
        " WHERE number = ? AND withdrawn_at IS NULL AND replaced_by IS NULL"
        " AND registration_id IS NOT NULL AND event_id IS NOT NULL",
        (number,),
    )
    return None if row is None else _record(row)


async def check_number(db: Database, typed: str) -> CheckResult:
    """What ``/bescheinigung/<typed>`` says (any case, with or without hyphens). Read on the
    database's reader thread: the public site calls it from its own thread and loop."""
    number = normalise_number(typed)
    if number is None:
        return CheckResult(verification_of(False, False, False, False), None)
    return await db.read(_check_number, number)


def _check_number(conn: Connection, number: str) -> CheckResult:
    row = conn.execute(
        "SELECT c.*, r.name AS holder FROM certificate_numbers c"
        " LEFT JOIN registrations r ON r.id = c.registration_id WHERE c.number = ?",
        (number,),
    ).fetchone()
    event_row = (
        None
        if row is None or row["event_id"] is None
        else conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (row["event_id"],)
        ).fetchone()
    )
    verdict = verification_of(
        found=row is not None,
        replaced=row is not None and row["replaced_by"] is not None,
        withdrawn=row is not None and row["withdrawn_at"] is not None,
        holder_kept=row is not None and row["holder"] is not None and event_row is not None,
    )
    if verdict is not Verification.VALID:
        return CheckResult(verdict, number)
    assert row is not None and event_row is not None
    return CheckResult(verdict, number, row["holder"], event_from_row(event_row), row["hours"])


def reissue_for_name_change(
    conn: Connection, user_id: int, now: datetime, new_bits: NewBits = random_bits
) -> list[str]:
    """Inside the transaction that corrected ``user_id``'s name (after its registrations
    carry the new name): every valid certificate of theirs gets a new number, the old one
    then verifies as "ersetzt", and the new PDF is queued to them. Returns the new numbers."""
    rows = conn.execute(
        "SELECT c.number, c.registration_id, e.id AS event_id FROM certificate_numbers c"
        " JOIN registrations r ON r.id = c.registration_id JOIN events e ON e.id = c.event_id"
        " WHERE r.user_id = ? AND c.withdrawn_at IS NULL AND c.replaced_by IS NULL",
        (user_id,),
    ).fetchall()
    numbers = []
    for row in rows:
        event = event_from_row(
            conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (row["event_id"],)
            ).fetchone()
        )
        number = _new_number(conn, new_bits)
        old = conn.execute(
            "SELECT hours FROM certificate_numbers WHERE number = ?", (row["number"],)
        ).fetchone()
        conn.execute(
            "INSERT INTO certificate_numbers (number, registration_id, event_id, hours,"
            " issued_at) VALUES (?, ?, ?, ?, ?)",
            (number, row["registration_id"], event.id, old["hours"], to_db_time(now)),
        )
        conn.execute(
            "UPDATE certificate_numbers SET replaced_by = ? WHERE number = ?",
            (number, row["number"]),
        )
        payload = {"number": number, "replaces": row["number"]}  # the caption says why
        outbox.enqueue(conn, user_id, outbox.OutboxKind.CERTIFICATE, payload, now)
        numbers.append(number)
    return numbers


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """A valid certificate of one person, with the name it is made out to and its evening
    (without the speakers: ``storage.events.get_event`` reads them for a page)."""

    record: CertificateRecord
    name: str
    event: Event


async def held_certificates(db: Database, user_id: int) -> list[HeldCertificate]:
    """Every valid certificate of ``user_id`` (not withdrawn, not replaced), evening by
    evening: what /meine adds up per year and the Fortbildungsnachweis lists."""
    rows = await db.fetch_all(
        "SELECT c.number, c.registration_id, c.event_id, c.hours, c.issued_at,"
        f" r.name AS holder, {_EVENT_COLUMNS_AS_E}"
        " FROM certificate_numbers c"
        " JOIN registrations r ON r.id = c.registration_id"
        " JOIN events e ON e.id = c.event_id"
        " WHERE r.user_id = ? AND r.name IS NOT NULL"
        " AND c.withdrawn_at IS NULL AND c.replaced_by IS NULL"
        " ORDER BY e.starts_at, c.number",
        (user_id,),
    )
    return [
        HeldCertificate(
            _record(row),
            row["holder"],
            event_from_row({name: row[f"e_{name}"] for name in _EVENT_NAMES}),
        )
        for row in rows
    ]
