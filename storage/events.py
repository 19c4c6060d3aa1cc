"""Events and their speakers: reading the program, saving it, and noticing what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from domain.calendar import raises_sequence
from domain.models import Event, EventStatus, SeatCounts, Speaker
from storage import outbox
from storage.db import Database, from_db_time, to_db_time

# Fields whose change is worth a message to everyone signed up (PRODUCT §4, Changes).
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "address")

_EVENT_COLUMNS = (
    "id, title, series, starts_at, ends_at, venue, address, latitude, longitude, capacity,"
    " registration_closes_at, status, description"
)


def _event(row: aiosqlite.Row, speakers: Sequence[Speaker] = ()) -> Event:
    return Event(
        id=row["id"],
        title=row["title"],
        series=row["series"],
        starts_at=from_db_time(row["starts_at"]),  # type: ignore[arg-type]
        ends_at=from_db_time(row["ends_at"]),
        venue=row["venue"],
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        capacity=row["capacity"],
        registration_closes_at=from_db_time(row["registration_closes_at"]),
        status=EventStatus(row["status"]),
        description=row["description"],
        speakers=tuple(speakers),
    )


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


async def _with_speakers(db: Database, rows: list[aiosqlite.Row]) -> list[Event]:
    speakers = await _speakers_by_event(db, [row["id"] for row in rows])
    return [_event(row, speakers.get(row["id"], ())) for row in rows]


async def get_event(db: Database, event_id: str) -> Event | None:
    """One event with its speakers, or ``None``."""
    row = await db.fetch_one(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
    if row is None:
        return None
    return (await _with_speakers(db, [row]))[0]


async def list_upcoming(
    db: Database, now: datetime, limit: int = -1, offset: int = 0
) -> list[Event]:
    """Events that have not started yet (cancelled ones included, marked), soonest first."""
    rows = await db.fetch_all(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE starts_at > ?"
        " ORDER BY starts_at, id LIMIT ? OFFSET ?",
        (to_db_time(now), limit, offset),
    )
    return await _with_speakers(db, rows)


async def count_upcoming(db: Database, now: datetime) -> int:
    """How many events :func:`list_upcoming` would return without a limit."""
    return await db.fetch_value(
        "SELECT count(*) FROM events WHERE starts_at > ?", (to_db_time(now),)
    )


async def list_all(db: Database) -> list[Event]:
    """The whole program, past and future, in start order (for export)."""
    rows = await db.fetch_all(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY starts_at, id")
    return await _with_speakers(db, rows)


async def seat_counts(db: Database, event_id: str) -> SeatCounts:
    """Confirmed, waitlisted, cancelled and checked-in registrations of one event."""
    row = await db.fetch_one(
        "SELECT"
        " coalesce(sum(status = 'confirmed'), 0),"
        " coalesce(sum(status = 'waitlisted'), 0),"
        " coalesce(sum(status = 'cancelled'), 0),"
        " coalesce(sum(checked_in_at IS NOT NULL), 0)"
        " FROM registrations WHERE event_id = ?",
        (event_id,),
    )
    assert row is not None
    return SeatCounts(confirmed=row[0], waitlisted=row[1], cancelled=row[2], checked_in=row[3])


@dataclass(frozen=True, slots=True)
class SaveReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    notified: int  # change messages queued for people signed up
    announced: int = 0  # announcements of new dates queued for subscribers


def _db_values(event: Event) -> tuple:
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
    )


def describe_changes(old: Event, new: Event) -> dict[str, list[str | None]]:
    """The notified fields that differ, as ``{field: [old, new]}`` with times as UTC strings."""
    changes: dict[str, list[str | None]] = {}
    for name in NOTIFIED_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            if isinstance(before, datetime) or isinstance(after, datetime):
                before = to_db_time(before) if before else None
                after = to_db_time(after) if after else None
            changes[name] = [before, after]
    return changes


async def _queue_change_notices(
    conn: aiosqlite.Connection, old: Event, new: Event, now: datetime
) -> int:
    """Tell everyone confirmed or waitlisted what changed; return how many were queued.

    Corrections to evenings that are over (e.g. a fixed start time in an old program file)
    are not news for their former attendees and queue nothing.
    """
    if old.starts_at <= now and new.starts_at <= now:
        return 0
    if new.status is EventStatus.CANCELLED and old.status is not EventStatus.CANCELLED:
        kind, payload = outbox.OutboxKind.EVENT_CANCELLED, {"event_id": new.id}
    elif old.status is EventStatus.CANCELLED and new.status is EventStatus.SCHEDULED:
        # Their sign-ups were kept through the cancellation; they must hear that it is back on.
        kind = outbox.OutboxKind.EVENT_REINSTATED
        payload = {"event_id": new.id, "changes": describe_changes(old, new)}
    else:
        changes = describe_changes(old, new)
        if not changes or new.status is EventStatus.CANCELLED:
            return 0
        kind, payload = outbox.OutboxKind.EVENT_CHANGED, {"event_id": new.id, "changes": changes}
    async with conn.execute(
        "SELECT DISTINCT user_id FROM registrations WHERE event_id = ?"
        " AND status IN ('confirmed', 'waitlisted') AND user_id IS NOT NULL",
        (new.id,),
    ) as cursor:
        user_ids = [row[0] for row in await cursor.fetchall()]
    for user_id in user_ids:
        await outbox.enqueue(conn, user_id, kind, payload, now)
    return len(user_ids)


async def _read_for_update(conn: aiosqlite.Connection, event_id: str) -> Event | None:
    async with conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    async with conn.execute(
        "SELECT name, role, bio FROM speakers WHERE event_id = ? ORDER BY position", (event_id,)
    ) as cursor:
        speakers = [Speaker(r["name"], r["role"], r["bio"]) for r in await cursor.fetchall()]
    return _event(row, speakers)


async def save_events_in(
    conn: aiosqlite.Connection, events: Iterable[Event], now: datetime
) -> SaveReport:
    """Upsert events by id inside the caller's transaction; queue change notices for people
    signed up and announcements of new upcoming dates for subscribers.

    When a capacity grows, the waitlist moves up in the same transaction.
    """
    from storage.registrations import promote_waitlist

    events = list(events)
    created, updated, unchanged, notified = [], [], [], 0
    stamp = to_db_time(now)
    for event in events:
        old = await _read_for_update(conn, event.id)
        if old == event:
            unchanged.append(event.id)
            continue
        if old is None:
            await conn.execute(
                f"INSERT INTO events ({_EVENT_COLUMNS}, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.id, *_db_values(event), stamp, stamp),
            )
            created.append(event.id)
        else:
            await conn.execute(
                "UPDATE events SET title = ?, series = ?, starts_at = ?, ends_at = ?, venue = ?,"
                " address = ?, latitude = ?, longitude = ?, capacity = ?,"
                " registration_closes_at = ?, status = ?, description = ?, updated_at = ?"
                " WHERE id = ?",
                (*_db_values(event), stamp, event.id),
            )
            updated.append(event.id)
            if raises_sequence(old, event):
                await conn.execute(
                    "UPDATE events SET calendar_sequence = calendar_sequence + 1 WHERE id = ?",
                    (event.id,),
                )
            notified += await _queue_change_notices(conn, old, event, now)
        await conn.execute("DELETE FROM speakers WHERE event_id = ?", (event.id,))
        await conn.executemany(
            "INSERT INTO speakers (event_id, position, name, role, bio) VALUES (?, ?, ?, ?, ?)",
            [(event.id, i, s.name, s.role, s.bio) for i, s in enumerate(event.speakers)],
        )
        if event.status is EventStatus.SCHEDULED:
            await promote_waitlist(conn, event.id, now)
    new_dates = [
        event.id
        for event in events
        if event.id in created and event.status is EventStatus.SCHEDULED and event.starts_at > now
    ]
    announced = await _queue_announcements(conn, new_dates, now)
    return SaveReport(created, updated, unchanged, notified, announced)


async def _queue_announcements(
    conn: aiosqlite.Connection, event_ids: list[str], now: datetime
) -> int:
    """One message per subscriber about the new upcoming dates of this save (an import of a
    whole program is one announcement, not one per evening); returns how many were queued."""
    if not event_ids:
        return 0
    async with conn.execute(
        "SELECT id FROM users WHERE subscribed = 1 AND blocked_at IS NULL"
    ) as cursor:
        subscribers = [row[0] for row in await cursor.fetchall()]
    for user_id in subscribers:
        await outbox.enqueue(
            conn, user_id, outbox.OutboxKind.ANNOUNCEMENT, {"event_ids": event_ids}, now
        )
    return len(subscribers)


async def save_events(db: Database, events: Iterable[Event], now: datetime) -> SaveReport:
    """Upsert a whole program in one transaction: all events are written, or none."""
    async with db.transaction() as conn:
        return await save_events_in(conn, events, now)


async def create_event(
    db: Database, event: Event, now: datetime, id_for: Callable[[int], str]
) -> Event:
    """Insert a new event under the first free id of ``id_for(1)``, ``id_for(2)`` …, in one
    transaction (two organisers creating the same title and date get two events)."""
    async with db.transaction() as conn:
        number = 1
        while True:
            async with conn.execute("SELECT 1 FROM events WHERE id = ?", (id_for(number),)) as cur:
                if await cur.fetchone() is None:
                    break
            number += 1
        created = dataclasses.replace(event, id=id_for(number))
        await save_events_in(conn, [created], now)
    return created
