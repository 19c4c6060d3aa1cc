"""Events and their speakers: reading the program, saving it, and noticing what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.calendar import raises_sequence
from domain.lifecycle import may_delete
from domain.models import Event, SeatCounts, Speaker
from domain.notices import NoticeKind, announce, notice_for_change
from domain.standing import Refusal
from storage import outbox
from storage.db import Connection, Database, Row, to_db_time
from storage.event_rows import EVENT_COLUMNS, event_from_row
from storage.registrations import promote_waitlist


async def _speakers_by_event(db: Database, event_ids: Sequence[str]) -> dict[str, list[Speaker]]:
    if not event_ids:
        return {}
    marks = ",".join("?" * len(event_ids))
    rows = await db.fetch_all(
        f"SELECT event_id, name, role, bio FROM speakers WHERE event_id IN ({marks})"
        " ORDER BY event_id, position",
        event_ids,
    )
    grouped: dict[str, list[Speaker]] = {}
    for row in rows:
        grouped.setdefault(row["event_id"], []).append(
            Speaker(name=row["name"], role=row["role"], bio=row["bio"])
        )
    return grouped


async def _with_speakers(db: Database, rows: list[Row]) -> list[Event]:
    speakers = await _speakers_by_event(db, [row["id"] for row in rows])
    return [event_from_row(row, speakers.get(row["id"], ())) for row in rows]


async def get_event(db: Database, event_id: str) -> Event | None:
    """One event with its speakers, or ``None``."""
    row = await db.fetch_one(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
    if row is None:
        return None
    return (await _with_speakers(db, [row]))[0]


async def list_upcoming(
    db: Database, now: datetime, limit: int = -1, offset: int = 0, speakers: bool = True
) -> list[Event]:
    """Events that have not started yet (cancelled ones included, marked), soonest first
    (``speakers=False``: without their speakers, for a list that names none)."""
    rows = await db.fetch_all(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE starts_at > ?"
        " ORDER BY starts_at, id LIMIT ? OFFSET ?",
        (to_db_time(now), limit, offset),
    )
    return await _with_speakers(db, rows) if speakers else [event_from_row(r, ()) for r in rows]


async def count_upcoming(db: Database, now: datetime) -> int:
    """How many events :func:`list_upcoming` would return without a limit."""
    count: int = await db.fetch_value(
        "SELECT count(*) FROM events WHERE starts_at > ?", (to_db_time(now),)
    )
    return count


async def upcoming_counts(db: Database, now: datetime) -> tuple[int, int]:
    """How many events :func:`count_upcoming` counts, and how many of them are cancelled (the
    list says so), in one statement."""
    row = await db.fetch_one(
        "SELECT count(*), coalesce(sum(status = 'cancelled'), 0) FROM events WHERE starts_at > ?",
        (to_db_time(now),),
    )
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


async def list_past(
    db: Database, now: datetime, limit: int = -1, offset: int = 0, speakers: bool = True
) -> list[Event]:
    """Events that have begun (under way or over, cancelled ones included), latest first
    (``speakers=False`` as for :func:`list_upcoming`)."""
    rows = await db.fetch_all(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE starts_at <= ?"
        " ORDER BY starts_at DESC, id LIMIT ? OFFSET ?",
        (to_db_time(now), limit, offset),
    )
    return await _with_speakers(db, rows) if speakers else [event_from_row(r, ()) for r in rows]


async def count_past(db: Database, now: datetime) -> int:
    """How many events :func:`list_past` would return without a limit."""
    count: int = await db.fetch_value(
        "SELECT count(*) FROM events WHERE starts_at <= ?", (to_db_time(now),)
    )
    return count


async def list_all(db: Database) -> list[Event]:
    """The whole program, past and future, in start order (for export)."""
    rows = await db.fetch_all(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY starts_at, id")
    return await _with_speakers(db, rows)


async def seat_counts(db: Database, event_id: str) -> SeatCounts:
    """Confirmed, waitlisted, cancelled and checked-in registrations of one event."""
    row = await db.fetch_one(
        "SELECT"
        " coalesce(sum(status = 'confirmed'), 0),"
        " coalesce(sum(status = 'waitlisted'), 0),"
        " coalesce(sum(status = 'cancelled'), 0),"
        " coalesce(sum(checked_in_at IS NOT NULL), 0),"
        " (SELECT count(*) FROM offered_seats WHERE event_id = ? AND status = 'offered')"
        " FROM registrations WHERE event_id = ?",
        (event_id, event_id),
    )
    assert row is not None
    return SeatCounts(
        confirmed=row[0], waitlisted=row[1], cancelled=row[2], checked_in=row[3], offered=row[4]
    )


@dataclass(frozen=True, slots=True)
class SaveReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    notified: int  # change messages queued for people signed up
    announced: int = 0  # announcements of new dates queued for subscribers


def _db_values(event: Event) -> tuple[Any, ...]:
    return (
        event.title,
        event.series,
        to_db_time(event.starts_at),
        to_db_time(event.ends_at) if event.ends_at else None,
        event.venue,
        event.address,
        event.latitude,
        event.longitude,
        event.capacity,
        to_db_time(event.registration_closes_at) if event.registration_closes_at else None,
        event.status.value,
        event.description,
        event.cpd_hours,
    )


def _describe_changes(
    old: Event, new: Event, fields: Iterable[str]
) -> dict[str, list[str | None]]:
    """``fields`` of two versions of an event as ``{field: [old, new]}``, times as UTC strings
    (the payload of a change notice, rendered in each reader's language when it is sent)."""
    changes: dict[str, list[str | None]] = {}
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if isinstance(before, datetime) or isinstance(after, datetime):
            before = to_db_time(before) if before else None
            after = to_db_time(after) if after else None
        changes[name] = [before, after]
    return changes


_NOTICE_OUTBOX_KIND = {
    NoticeKind.CHANGED: outbox.OutboxKind.EVENT_CHANGED,
    NoticeKind.CANCELLED: outbox.OutboxKind.EVENT_CANCELLED,
    NoticeKind.REINSTATED: outbox.OutboxKind.EVENT_REINSTATED,
}


def _queue_change_notices(conn: Connection, old: Event, new: Event, now: datetime) -> int:
    """Queue the notice the domain says the change warrants for everyone confirmed or
    waitlisted; return how many were queued."""
    notice = notice_for_change(old, new, now)
    if notice is None:
        return 0
    payload: dict[str, object] = {"event_id": new.id}
    if notice.kind is not NoticeKind.CANCELLED:
        payload["changes"] = _describe_changes(old, new, notice.changed_fields)
    # One row per sign-up, naming it: the renderer asks domain.notices.still_applies whether
    # the notice still concerns that person when it is sent.
    signed_up = conn.execute(
        "SELECT id, user_id FROM registrations WHERE event_id = ?"
        " AND status IN ('confirmed', 'waitlisted') AND user_id IS NOT NULL ORDER BY id",
        (new.id,),
    ).fetchall()
    for registration_id, user_id in signed_up:
        outbox.enqueue(
            conn,
            user_id,
            _NOTICE_OUTBOX_KIND[notice.kind],
            {**payload, "registration_id": registration_id},
            now,
        )
    return len(signed_up)


def _read_for_update(conn: Connection, event_id: str) -> Event | None:
    row = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        return None
    speakers = [
        Speaker(r["name"], r["role"], r["bio"])
        for r in conn.execute(
            "SELECT name, role, bio FROM speakers WHERE event_id = ? ORDER BY position",
            (event_id,),
        )
    ]
    return event_from_row(row, speakers)


def save_events_in(
    conn: Connection, events: Iterable[Event], now: datetime, announce_new: bool = True
) -> SaveReport:
    """Upsert events by id inside the caller's ``Database.write`` transaction; queue change
    notices for people signed up and (unless ``announce_new`` is false: an organiser saved
    without announcing) announcements of new upcoming dates for subscribers.

    When a capacity grows, the waitlist moves up in the same transaction.
    """
    events = list(events)
    created, updated, unchanged, notified = [], [], [], 0
    stamp = to_db_time(now)
    for event in events:
        old = _read_for_update(conn, event.id)
        if old == event:
            unchanged.append(event.id)
            continue
        if old is None:
            conn.execute(
                f"INSERT INTO events ({EVENT_COLUMNS}, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.id, *_db_values(event), stamp, stamp),
            )
            created.append(event)
        else:
            conn.execute(
                "UPDATE events SET title = ?, series = ?, starts_at = ?, ends_at = ?, venue = ?,"
                " address = ?, latitude = ?, longitude = ?, capacity = ?,"
                " registration_closes_at = ?, status = ?, description = ?, cpd_hours = ?,"
                " updated_at = ?"
                " WHERE id = ?",
                (*_db_values(event), stamp, event.id),
            )
            updated.append(event.id)
            if old.starts_at != event.starts_at:  # the web page says it was moved, and from when
                conn.execute(
                    "UPDATE events SET previous_starts_at = ? WHERE id = ?",
                    (to_db_time(old.starts_at), event.id),
                )
            if raises_sequence(old, event):
                conn.execute(
                    "UPDATE events SET calendar_sequence = calendar_sequence + 1 WHERE id = ?",
                    (event.id,),
                )
            notified += _queue_change_notices(conn, old, event, now)
        conn.execute("DELETE FROM speakers WHERE event_id = ?", (event.id,))
        conn.executemany(
            "INSERT INTO speakers (event_id, position, name, role, bio) VALUES (?, ?, ?, ?, ?)",
            [(event.id, i, s.name, s.role, s.bio) for i, s in enumerate(event.speakers)],
        )
        promote_waitlist(conn, event.id, now)
    announced = (
        _queue_announcements(conn, [e.id for e in announce(created, now)], now)
        if announce_new
        else 0
    )
    return SaveReport([e.id for e in created], updated, unchanged, notified, announced)


# Who is announced new dates: subscribed and not blocking the bot.
_SUBSCRIBED = "subscribed = 1 AND blocked_at IS NULL"


async def count_subscribers(db: Database) -> int:
    """How many people an announcement of a new date would reach now (the organiser's summary
    says so before saving)."""
    count: int = await db.fetch_value(f"SELECT count(*) FROM users WHERE {_SUBSCRIBED}")
    return count


def _queue_announcements(conn: Connection, event_ids: list[str], now: datetime) -> int:
    """One message per subscriber about the new upcoming dates of this save (an import of a
    whole program is one announcement, not one per evening); returns how many were queued."""
    if not event_ids:
        return 0
    subscribers = [row[0] for row in conn.execute(f"SELECT id FROM users WHERE {_SUBSCRIBED}")]
    for user_id in subscribers:
        outbox.enqueue(
            conn, user_id, outbox.OutboxKind.ANNOUNCEMENT, {"event_ids": event_ids}, now
        )
    return len(subscribers)


async def save_events(db: Database, events: Iterable[Event], now: datetime) -> SaveReport:
    """Upsert a whole program in one transaction: all events are written, or none."""
    return await db.write(save_events_in, list(events), now)


def _create(
    conn: Connection,
    event: Event,
    now: datetime,
    id_for: Callable[[int], str],
    announce_new: bool,
) -> tuple[Event, SaveReport]:
    number = 1
    while conn.execute("SELECT 1 FROM events WHERE id = ?", (id_for(number),)).fetchone():
        number += 1
    created = dataclasses.replace(event, id=id_for(number))
    return created, save_events_in(conn, [created], now, announce_new)


async def create_event(
    db: Database,
    event: Event,
    now: datetime,
    id_for: Callable[[int], str],
    announce_new: bool = True,
) -> tuple[Event, SaveReport]:
    """Insert a new event under the first free id of ``id_for(1)``, ``id_for(2)`` …, in one
    transaction (two organisers creating the same title and date get two events); announced
    to subscribers unless ``announce_new`` is false. The report says how many were told."""
    return await db.write(_create, event, now, id_for, announce_new)


def _delete(conn: Connection, event_id: str) -> Refusal | None:
    if _read_for_update(conn, event_id) is None:
        return Refusal.UNKNOWN_EVENT
    count = conn.execute(
        "SELECT count(*) FROM registrations WHERE event_id = ?", (event_id,)
    ).fetchone()[0]
    refusal = may_delete(count)
    if refusal is None:
        conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
    return refusal


async def delete_event(db: Database, event_id: str) -> Refusal | None:
    """Delete an evening (and its speakers) if :func:`domain.lifecycle.may_delete` allows it,
    checked inside the transaction; else why it was not deleted."""
    return await db.write(_delete, event_id)


# An organiser rule of domain.lifecycle: ``None`` when the action is allowed on the evening now.
Rule = Callable[[Event, datetime], Refusal | None]


@dataclass(frozen=True, slots=True)
class OrganiserChange:
    """What became of an organiser's change to one evening: refused (and why), or saved."""

    refusal: Refusal | None
    before: Event | None = None  # the evening as the transaction found it
    report: SaveReport | None = None


def _change(
    conn: Connection, event_id: str, rule: Rule, change: Callable[[Event], Event], now: datetime
) -> OrganiserChange:
    old = _read_for_update(conn, event_id)
    if old is None:
        return OrganiserChange(Refusal.UNKNOWN_EVENT)
    refusal = rule(old, now)
    if refusal is not None:
        return OrganiserChange(refusal, old)
    return OrganiserChange(None, old, save_events_in(conn, [change(old)], now))


async def change_event(
    db: Database, event_id: str, rule: Rule, change: Callable[[Event], Event], now: datetime
) -> OrganiserChange:
    """Apply an organiser's ``change`` to one evening in one transaction, if ``rule`` (asked
    again there, on the evening as it is now) allows it; notices are queued as by a save."""
    return await db.write(_change, event_id, rule, change, now)


async def registration_count(db: Database, event_id: str) -> int:
    """How many registrations (of any status) an evening has."""
    count: int = await db.fetch_value(
        "SELECT count(*) FROM registrations WHERE event_id = ?", (event_id,)
    )
    return count
