"""Rows of waitlist offers read outside the seat transactions (storage.offers decides those):
the bot's recorded offer settings, an offer by id, the standing offers of an attendee list, the
organisers' figures, and the message id of a sent offer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.offers import OfferRules, OfferStatus, SeatOffer, offer_summary
from storage.db import Database, Row, from_db_time_required

OFFER_COLUMNS = (
    "o.id, o.event_id, o.seat_id, o.registration_id, o.status, o.everyone, o.opens_at,"
    " o.expires_at"
)


def offer_from_row(row: Row) -> SeatOffer:
    return SeatOffer(
        id=row["id"],
        event_id=row["event_id"],
        seat_id=row["seat_id"],
        registration_id=row["registration_id"],
        status=OfferStatus(row["status"]),
        everyone=bool(row["everyone"]),
        opens_at=from_db_time_required(row["opens_at"]),
        expires_at=from_db_time_required(row["expires_at"]),
    )


def _record_rules(conn: sqlite3.Connection, rules: OfferRules) -> None:
    conn.execute(
        "INSERT INTO offer_rules (id, window_seconds, hold_seconds, timezone) VALUES (1, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET window_seconds = excluded.window_seconds,"
        " hold_seconds = excluded.hold_seconds, timezone = excluded.timezone",
        (int(rules.window.total_seconds()), int(rules.hold.total_seconds()), rules.tz.key),
    )


async def record_rules(db: Database, rules: OfferRules) -> None:
    """Record the running bot's offer settings for every process that frees seats."""
    await db.write(_record_rules, rules)


def rules_in(conn: sqlite3.Connection) -> OfferRules | None:
    """The recorded offer settings, or ``None`` (then freed seats are given directly)."""
    row = conn.execute("SELECT window_seconds, hold_seconds, timezone FROM offer_rules").fetchone()
    if row is None:
        return None
    return OfferRules(timedelta(seconds=row[0]), timedelta(seconds=row[1]), ZoneInfo(row[2]))


async def get_offer(db: Database, offer_id: int) -> SeatOffer | None:
    """One offer by id."""
    row = await db.fetch_one(
        f"SELECT {OFFER_COLUMNS} FROM seat_offers o WHERE o.id = ?", (offer_id,)
    )
    return None if row is None else offer_from_row(row)


async def record_message(db: Database, offer_id: int, message_id: int) -> None:
    """Remember the chat message of an offer, so that it can be edited once the seat is taken."""
    await db.write(
        lambda conn: conn.execute(
            "UPDATE seat_offers SET message_id = ? WHERE id = ?", (message_id, offer_id)
        )
    )


async def open_offers_of(db: Database, registration_ids: Sequence[int]) -> dict[int, SeatOffer]:
    """The standing offers of these sign-ups (attendee list), by registration id."""
    if not registration_ids:
        return {}
    marks = ", ".join("?" * len(registration_ids))
    rows = await db.fetch_all(
        f"SELECT {OFFER_COLUMNS} FROM seat_offers o WHERE o.status = 'open'"
        f" AND o.registration_id IN ({marks})",
        tuple(registration_ids),
    )
    return {row["registration_id"]: offer_from_row(row) for row in rows}


async def offer_figures(db: Database, event_id: str) -> tuple[int, int, int]:
    """For the organisers: offers standing, seats passed on (declined or silence), taken."""
    rows = await db.fetch_all("SELECT status FROM seat_offers WHERE event_id = ?", (event_id,))
    statuses = [OfferStatus(row[0]) for row in rows]
    passed_on, taken = offer_summary(statuses)
    return sum(s is OfferStatus.OPEN for s in statuses), passed_on, taken
