"""Freed seats and waitlist offers (PRODUCT §4, Waitlist), decided inside the write transaction.

A freed seat is handled here: given to the next person waiting (far from the evening), or held
as an *offered seat* (table ``offered_seats``) while it is offered (table ``seat_offers``) to
the next person, or to everyone waiting within the last hold. An offered seat is reserved: the
seat counts include it, so a new sign-up joins the waitlist meanwhile. Every function taking a
``conn`` runs inside the caller's ``Database.write`` (``BEGIN IMMEDIATE``): it reads the rows,
asks :mod:`domain.offers`, and writes, so two presses can never take one seat.

The offer settings (``WAITLIST_OFFER_WINDOW``, ``WAITLIST_OFFER_HOLD``, ``TIMEZONE``) are the
running bot's: it records them at start-up (``storage.offer_rows.record_rules``); a seat freed by
another process (``run.py import``) follows the same rules. Without a record (a database no bot
has run on) every freed seat is given directly, as before offers existed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from domain.models import Event, EventStatus, SeatCounts
from domain.notices import PROMOTION_SETTLE
from domain.offers import (
    OfferRefusal,
    SeatMode,
    SeatOffer,
    SeatPlan,
    may_answer,
    next_recipients,
    plan_seat,
)
from storage import outbox
from storage.db import Database, Row, to_db_time
from storage.event_rows import event_in
from storage.offer_rows import OFFER_COLUMNS, offer_from_row, rules_in
from storage.registration_rows import registration_in

# Offered seats: 'offered' (reserved while offers stand), 'taken' (accepted), 'released' (no one
# left to offer it to, or the evening began: a free seat again).
OFFERED, TAKEN, RELEASED = "offered", "taken", "released"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """What a press on an offer did: ``refusal`` ``None`` when it counted. ``taken``: the other
    offers of the seat that are void now (user id, message id), whose messages are edited."""

    refusal: OfferRefusal | None
    offer: SeatOffer | None = None
    event: Event | None = None
    taken: tuple[tuple[int, int], ...] = ()


def _plan(conn: sqlite3.Connection, event: Event, now: datetime) -> SeatPlan:
    rules = rules_in(conn)
    return SeatPlan(SeatMode.GIVE) if rules is None else plan_seat(event, now, rules)


# --- freed seats -----------------------------------------------------------------------------


def offered_count(conn: sqlite3.Connection, event_id: str) -> int:
    """Seats of ``event_id`` reserved for offers that stand (part of its seat counts)."""
    row = conn.execute(
        "SELECT count(*) FROM offered_seats WHERE event_id = ? AND status = 'offered'",
        (event_id,),
    ).fetchone()
    return int(row[0])


def _waiting(conn: sqlite3.Connection, event_id: str) -> list[Row]:
    return conn.execute(
        "SELECT id, user_id FROM registrations WHERE event_id = ? AND status = 'waitlisted'"
        " ORDER BY id",
        (event_id,),
    ).fetchall()


def _give(conn: sqlite3.Connection, event_id: str, seats: int | None, now: datetime) -> list[int]:
    """Move the next ``seats`` people (``None``: all) up directly and queue their message."""
    chosen = _waiting(conn, event_id)
    if seats is not None:
        chosen = chosen[:seats]
    promoted = []
    for row in chosen:
        conn.execute(
            "UPDATE registrations SET status = 'confirmed', confirmed_at = ? WHERE id = ?",
            (to_db_time(now), row["id"]),
        )
        if row["user_id"] is not None:
            promoted.append(row["user_id"])
            outbox.enqueue(
                conn,
                row["user_id"],
                outbox.OutboxKind.PROMOTED,
                {"event_id": event_id, "registration_id": row["id"]},
                now,
                not_before=now + PROMOTION_SETTLE,
            )
    return promoted


def fill_free_seats(
    conn: sqlite3.Connection, event: Event, counts: SeatCounts, seats: int | None, now: datetime
) -> list[int]:
    """Hand ``seats`` free seats (``None``: no limit) of ``event`` to the waitlist: given
    directly (returns the promoted user ids) or offered, as :func:`domain.offers.plan_seat`
    says for ``now``. ``counts`` as read in this transaction."""
    plan = _plan(conn, event, now)
    if plan.mode is SeatMode.GIVE or seats is None or counts.waitlisted == 0:
        return _give(conn, event.id, seats, now)
    for _ in range(min(seats, counts.waitlisted)):
        cursor = conn.execute(
            "INSERT INTO offered_seats (event_id, freed_at) VALUES (?, ?)",
            (event.id, to_db_time(now)),
        )
        assert cursor.lastrowid is not None
        _offer_seat(conn, event, cursor.lastrowid, plan, now)
    return []


def _offer_seat(
    conn: sqlite3.Connection, event: Event, seat_id: int, plan: SeatPlan, now: datetime
) -> None:
    """Offer seat ``seat_id`` as ``plan`` says to whoever is next; with nobody left to ask it is
    released (a free seat again); where the plan gives seats, it is given."""
    if plan.mode is SeatMode.GIVE:
        conn.execute("UPDATE offered_seats SET status = 'released' WHERE id = ?", (seat_id,))
        _give(conn, event.id, 1, now)
        return
    assert plan.opens_at is not None and plan.expires_at is not None
    waiting = _waiting(conn, event.id)
    offered_before = {
        row[0]
        for row in conn.execute(
            "SELECT registration_id FROM seat_offers WHERE seat_id = ?", (seat_id,)
        )
    }
    holding = {
        row[0]
        for row in conn.execute(
            "SELECT registration_id FROM seat_offers WHERE event_id = ? AND status = 'open'",
            (event.id,),
        )
    }
    everyone = plan.mode is SeatMode.EVERYONE
    chosen = next_recipients([row["id"] for row in waiting], offered_before, holding, everyone)
    if not chosen:
        conn.execute("UPDATE offered_seats SET status = 'released' WHERE id = ?", (seat_id,))
        return
    users = {row["id"]: row["user_id"] for row in waiting}
    for registration_id in chosen:
        cursor = conn.execute(
            "INSERT INTO seat_offers (seat_id, event_id, registration_id, everyone, opens_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                seat_id,
                event.id,
                registration_id,
                int(everyone),
                to_db_time(plan.opens_at),
                to_db_time(plan.expires_at),
            ),
        )
        if users[registration_id] is not None:
            payload = {
                "event_id": event.id,
                "registration_id": registration_id,
                "offer_id": cursor.lastrowid,
            }
            later = plan.opens_at if plan.opens_at > now else None
            outbox.enqueue(
                conn,
                users[registration_id],
                outbox.OutboxKind.SEAT_OFFER,
                payload,
                now,
                not_before=later,
            )


def _pass_on(conn: sqlite3.Connection, seat_id: int, now: datetime) -> None:
    """A seat whose offer was declined, expired or withdrawn goes to the next person, unless
    other offers of it still stand (everyone was asked) or it was taken."""
    row = conn.execute("SELECT event_id, status FROM offered_seats WHERE id = ?", (seat_id,))
    seat = row.fetchone()
    if seat is None or seat["status"] != OFFERED:
        return
    still_open = conn.execute(
        "SELECT 1 FROM seat_offers WHERE seat_id = ? AND status = 'open'", (seat_id,)
    ).fetchone()
    if still_open:
        return
    event = event_in(conn, seat["event_id"])
    if event is None or event.status is not EventStatus.SCHEDULED or event.starts_at <= now:
        conn.execute("UPDATE offered_seats SET status = 'released' WHERE id = ?", (seat_id,))
        return
    _offer_seat(conn, event, seat_id, _plan(conn, event, now), now)


# --- presses and time ------------------------------------------------------------------------


def _offer_in(conn: sqlite3.Connection, offer_id: int) -> SeatOffer | None:
    row = conn.execute(
        f"SELECT {OFFER_COLUMNS} FROM seat_offers o WHERE o.id = ?", (offer_id,)
    ).fetchone()
    return None if row is None else offer_from_row(row)


def _answerable(
    conn: sqlite3.Connection, offer_id: int, user_id: int, now: datetime
) -> AnswerResult:
    offer = _offer_in(conn, offer_id)
    registration = None if offer is None else registration_in(conn, offer.registration_id)
    if registration is not None and registration.user_id != user_id:
        offer, registration = None, None  # not theirs: nothing to reveal
    event = None if offer is None else event_in(conn, offer.event_id)
    return AnswerResult(may_answer(offer, event, registration, now), offer, event)


def _accept(conn: sqlite3.Connection, offer_id: int, user_id: int, now: datetime) -> AnswerResult:
    checked = _answerable(conn, offer_id, user_id, now)
    if checked.refusal is not None or checked.offer is None:
        return checked
    offer, stamp = checked.offer, to_db_time(now)
    conn.execute(
        "UPDATE registrations SET status = 'confirmed', confirmed_at = ? WHERE id = ?",
        (stamp, offer.registration_id),
    )
    conn.execute(
        "UPDATE seat_offers SET status = 'accepted', decided_at = ? WHERE id = ?",
        (stamp, offer_id),
    )
    conn.execute("UPDATE offered_seats SET status = 'taken' WHERE id = ?", (offer.seat_id,))
    taken = conn.execute(
        "SELECT r.user_id, o.message_id FROM seat_offers o JOIN registrations r"
        " ON r.id = o.registration_id WHERE o.seat_id = ? AND o.status = 'open'",
        (offer.seat_id,),
    ).fetchall()
    conn.execute(
        "UPDATE seat_offers SET status = 'taken', decided_at = ? WHERE seat_id = ?"
        " AND status = 'open'",
        (stamp, offer.seat_id),
    )
    _withdraw(conn, offer.registration_id, now)  # their offers of other seats pass on
    edits = tuple((row[0], row[1]) for row in taken if row[0] is not None and row[1] is not None)
    return AnswerResult(None, offer, checked.event, edits)


async def accept(db: Database, offer_id: int, user_id: int, now: datetime) -> AnswerResult:
    """ "Platz nehmen": the seat becomes ``user_id``'s if the offer still stands; everyone else
    offered the same seat loses the offer (their messages are edited by the caller)."""
    return await db.write(_accept, offer_id, user_id, now)


def _decline(conn: sqlite3.Connection, offer_id: int, user_id: int, now: datetime) -> AnswerResult:
    checked = _answerable(conn, offer_id, user_id, now)
    if checked.refusal is not None or checked.offer is None:
        return checked
    offer, stamp = checked.offer, to_db_time(now)
    conn.execute(
        "UPDATE seat_offers SET status = 'declined', decided_at = ? WHERE id = ?",
        (stamp, offer_id),
    )
    conn.execute(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = ? WHERE id = ?",
        (stamp, offer.registration_id),
    )
    _withdraw(conn, offer.registration_id, now)
    _pass_on(conn, offer.seat_id, now)
    return checked


async def decline(db: Database, offer_id: int, user_id: int, now: datetime) -> AnswerResult:
    """ "Nein danke": off this evening's waitlist; the seat passes to the next person."""
    return await db.write(_decline, offer_id, user_id, now)


def _withdraw(conn: sqlite3.Connection, registration_id: int, now: datetime) -> None:
    """Void the open offers of a sign-up that left the waitlist; their seats pass on."""
    seats = [
        row[0]
        for row in conn.execute(
            "SELECT seat_id FROM seat_offers WHERE registration_id = ? AND status = 'open'",
            (registration_id,),
        )
    ]
    conn.execute(
        "UPDATE seat_offers SET status = 'void', decided_at = ? WHERE registration_id = ?"
        " AND status = 'open'",
        (to_db_time(now), registration_id),
    )
    for seat_id in seats:
        _pass_on(conn, seat_id, now)


def left_waitlist(conn: sqlite3.Connection, registration_id: int, now: datetime) -> None:
    """A waitlisted sign-up was cancelled (by its holder, an organiser or a data deletion):
    offers it held pass on. Inside the caller's transaction."""
    _withdraw(conn, registration_id, now)


def _expire_due(conn: sqlite3.Connection, now: datetime) -> int:
    due = conn.execute(
        "SELECT id, seat_id FROM seat_offers WHERE status = 'open' AND expires_at <= ?",
        (to_db_time(now),),
    ).fetchall()
    for row in due:
        conn.execute(
            "UPDATE seat_offers SET status = 'expired', decided_at = ? WHERE id = ?",
            (to_db_time(now), row["id"]),
        )
    for seat_id in dict.fromkeys(row["seat_id"] for row in due):
        _pass_on(conn, seat_id, now)
    return len(due)


async def expire_due(db: Database, now: datetime) -> int:
    """Expire the offers whose hold is over (also those that fell due while the bot was down)
    and pass their seats on; returns how many expired."""
    return await db.write(_expire_due, now)
