"""People who talk to the bot: language, name, consent, subscription, reachability."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from domain.models import User
from storage.certificates import reissue_for_name_change
from storage.db import Database, Row, from_db_time, to_db_time


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        language=row["language"],
        language_chosen=bool(row["language_chosen"]),
        display_name=row["display_name"],
        consent_at=from_db_time(row["consent_at"]),
        subscribed=bool(row["subscribed"]),
        subscription_asked=bool(row["subscription_asked"]),
        blocked_at=from_db_time(row["blocked_at"]),
    )


async def get_user(db: Database, user_id: int) -> User | None:
    """The stored user, or ``None`` if they never wrote anything worth storing."""
    row = await db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


async def ensure_user(db: Database, user_id: int, detected_language: str, now: datetime) -> User:
    """Create the user on first contact, keep an unchosen language in step with Telegram's,
    and clear a 'blocked' mark (they wrote again). Writes only when something changed."""
    user = await get_user(db, user_id)
    if (
        user is not None
        and user.blocked_at is None
        and (user.language_chosen or user.language == detected_language)
    ):
        return user
    await db.execute(
        "INSERT INTO users (id, language, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET blocked_at = NULL,"
        " language = CASE WHEN language_chosen THEN language ELSE excluded.language END",
        (user_id, detected_language, to_db_time(now)),
    )
    user = await get_user(db, user_id)
    assert user is not None
    return user


async def set_language(db: Database, user_id: int, language: str) -> None:
    """Remember the language the user chose explicitly."""
    await db.execute(
        "UPDATE users SET language = ?, language_chosen = 1 WHERE id = ?", (language, user_id)
    )


async def set_display_name(db: Database, user_id: int, name: str) -> None:
    """The name this user registers under from now on."""
    await db.execute("UPDATE users SET display_name = ? WHERE id = ?", (name, user_id))


async def change_display_name(
    db: Database, user_id: int, name: str, registration_ids: list[int], now: datetime
) -> list[str]:
    """A corrected name, in one transaction: for the user, on the sign-ups given (those of
    evenings not over yet; the caller asks domain.evening which) and on every sign-up whose
    certificate prints it (issued, or due: checked in at an evening with ``cpd_hours``); each
    valid certificate is then re-issued under a new number (the old one verifies as
    "ersetzt") and the new PDF queued (PRODUCT §4 "The name"). Returns the new certificate
    numbers (none when the certificates already carried this name)."""

    def change(conn: sqlite3.Connection) -> list[str]:
        conn.execute("UPDATE users SET display_name = ? WHERE id = ?", (name, user_id))
        conn.executemany(
            "UPDATE registrations SET name = ? WHERE id = ? AND user_id = ?",
            [(name, registration_id, user_id) for registration_id in registration_ids],
        )
        renamed = conn.execute(  # the sign-ups a certificate prints the name of (or will)
            "UPDATE registrations SET name = ? WHERE user_id = ? AND name IS NOT ?"
            " AND (id IN (SELECT registration_id FROM certificate_numbers"
            " WHERE withdrawn_at IS NULL AND replaced_by IS NULL)"
            " OR (checked_in_at IS NOT NULL"
            " AND event_id IN (SELECT id FROM events WHERE cpd_hours IS NOT NULL)))",
            (name, user_id, name),
        ).rowcount
        return reissue_for_name_change(conn, user_id, now) if renamed else []

    return await db.write(change)


async def give_consent(db: Database, user_id: int, now: datetime) -> None:
    """Record that the user accepted the privacy notice."""
    await db.execute("UPDATE users SET consent_at = ? WHERE id = ?", (to_db_time(now), user_id))


async def set_subscribed(db: Database, user_id: int, subscribed: bool) -> None:
    """Switch announcements of new dates on or off (and stop asking)."""
    await db.execute(
        "UPDATE users SET subscribed = ?, subscription_asked = 1 WHERE id = ?",
        (int(subscribed), user_id),
    )


async def mark_blocked(db: Database, user_id: int, now: datetime) -> None:
    """The user blocked the bot (403): skip them in bulk sends until they write again."""
    await db.execute("UPDATE users SET blocked_at = ? WHERE id = ?", (to_db_time(now), user_id))


async def language_of(db: Database, user_id: int, default: str) -> str:
    """The stored language of a user (for messages without an incoming update)."""
    language = await db.fetch_value("SELECT language FROM users WHERE id = ?", (user_id,))
    return language or default


async def mark_subscription_asked(db: Database, user_id: int) -> None:
    """The question about announcements has been put to the user (it is asked once)."""
    await db.execute("UPDATE users SET subscription_asked = 1 WHERE id = ?", (user_id,))


async def anyone_but(db: Database, user_ids: set[int]) -> bool:
    """Whether the database knows people other than ``user_ids`` (the console asks before it
    moves its clock: timed messages for real people must not be queued early)."""
    return bool(
        await db.fetch_value(
            "SELECT 1 FROM users WHERE id NOT IN (SELECT value FROM json_each(?)) LIMIT 1",
            (json.dumps(sorted(user_ids)),),
        )
    )
