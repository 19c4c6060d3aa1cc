"""The steps of :data:`storage.migrations.MIGRATIONS`, oldest first: each a function of the
writer connection, run inside its own transaction by :func:`storage.migrations.migrate`. A
step that has shipped is never edited; a change of schema is a new step at the end.
"""

from __future__ import annotations

import sqlite3

from storage.offer_schema import WAITLIST_OFFERS


def m001_initial_schema(conn: sqlite3.Connection) -> None:
    """Users, events, speakers, registrations, reminders, broadcasts and the outbox."""
    execute_script(
        conn,
        """
        CREATE TABLE users (
            id                 INTEGER PRIMARY KEY,      -- Telegram user id
            language           TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
            language_chosen    INTEGER NOT NULL DEFAULT 0,  -- 1: set via /sprache
            display_name       TEXT,                     -- the name to register under
            consent_at         TEXT,                     -- privacy notice accepted
            subscribed         INTEGER NOT NULL DEFAULT 0,  -- announcements of new dates
            subscription_asked INTEGER NOT NULL DEFAULT 0,
            blocked_at         TEXT,                     -- bot blocked (403); cleared on contact
            created_at         TEXT NOT NULL
        );

        CREATE TABLE events (
            id                     TEXT PRIMARY KEY,
            title                  TEXT NOT NULL,
            series                 TEXT,
            starts_at              TEXT NOT NULL,
            ends_at                TEXT,
            venue                  TEXT NOT NULL,
            address                TEXT,
            latitude               REAL,
            longitude              REAL,
            capacity               INTEGER CHECK (capacity IS NULL OR capacity >= 0),
            registration_closes_at TEXT,
            status                 TEXT NOT NULL DEFAULT 'scheduled'
                                   CHECK (status IN ('scheduled', 'cancelled')),
            description            TEXT NOT NULL DEFAULT '',
            created_at             TEXT NOT NULL,
            updated_at             TEXT NOT NULL
        );
        CREATE INDEX events_by_start ON events (starts_at);

        CREATE TABLE speakers (
            event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name     TEXT NOT NULL,
            role     TEXT,
            bio      TEXT,
            PRIMARY KEY (event_id, position)
        );

        -- One row per sign-up. Free seats and waitlist positions are derived from these rows
        -- (ordered by id = arrival), never kept in counters. Deleting a person anonymises
        -- their rows (user_id, name, ticket set to NULL) so that counts survive.
        CREATE TABLE registrations (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id      TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
            name          TEXT,
            status        TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
            ticket        TEXT UNIQUE,
            created_at    TEXT NOT NULL,
            confirmed_at  TEXT,
            cancelled_at  TEXT,
            checked_in_at TEXT
        );
        CREATE UNIQUE INDEX registrations_one_active
            ON registrations (event_id, user_id) WHERE status != 'cancelled';
        CREATE INDEX registrations_by_event ON registrations (event_id, status, id);
        CREATE INDEX registrations_by_user ON registrations (user_id);

        -- Exactly-once reminders: a row exists once a reminder for this sign-up, offset and
        -- start time has been planned (state 'skipped' for an older offset missed in downtime).
        CREATE TABLE reminder_deliveries (
            registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
            offset_seconds  INTEGER NOT NULL,
            starts_at       TEXT NOT NULL,
            state           TEXT NOT NULL CHECK (state IN ('planned', 'skipped')),
            created_at      TEXT NOT NULL,
            PRIMARY KEY (registration_id, offset_seconds, starts_at)
        );

        CREATE TABLE broadcasts (
            id                  INTEGER PRIMARY KEY AUTOINCREMENT,
            created_by          INTEGER NOT NULL,
            source_chat_id      INTEGER NOT NULL,
            source_message_id   INTEGER NOT NULL,
            audience            TEXT NOT NULL
                                CHECK (audience IN ('subscribers', 'confirmed', 'waitlist')),
            event_id            TEXT REFERENCES events (id) ON DELETE SET NULL,
            status              TEXT NOT NULL DEFAULT 'sending'
                                CHECK (status IN ('sending', 'done')),
            progress_chat_id    INTEGER,
            progress_message_id INTEGER,
            created_at          TEXT NOT NULL,
            finished_at         TEXT
        );

        -- Everything the bot sends on its own initiative (reminders, change notices, waitlist
        -- promotions, broadcasts) is a row here first, written in the same transaction as the
        -- change that causes it, and drained by one paced sender. State goes
        -- pending -> sending -> sent | blocked | failed; 'sending' rows found at start-up were
        -- in flight during a crash and are not sent again (at most once beats twice).
        CREATE TABLE outbox (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id      INTEGER NOT NULL,
            kind         TEXT NOT NULL,
            payload      TEXT NOT NULL DEFAULT '{}',   -- JSON: message id and parameters
            broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE CASCADE,
            state        TEXT NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'sending', 'sent', 'blocked', 'failed')),
            attempts     INTEGER NOT NULL DEFAULT 0,
            not_before   TEXT,
            created_at   TEXT NOT NULL,
            sent_at      TEXT,
            error        TEXT
        );
        CREATE INDEX outbox_pending ON outbox (state, id);
        CREATE UNIQUE INDEX outbox_once_per_broadcast
            ON outbox (broadcast_id, user_id) WHERE broadcast_id IS NOT NULL;
        """,
    )


def m002_calendar_sequence(conn: sqlite3.Connection) -> None:
    """The SEQUENCE of each evening's calendar entry, raised on a change of time, venue or
    status, so calendar apps take a new time or a cancellation instead of ignoring it."""
    conn.execute("ALTER TABLE events ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0")


def m003_organiser_menus(conn: sqlite3.Connection) -> None:
    """The chats that were given the organiser command menu, so that it can be taken away from
    an id that is no longer in ADMIN_IDS (issue 12)."""
    execute_script(
        conn,
        """
        CREATE TABLE organiser_menus (
            user_id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            set_at   TEXT NOT NULL
        );
        """,
    )


def m004_attendance_answers(conn: sqlite3.Connection) -> None:
    """The attendance answer to a reminder: 'coming' ("Ich komme") or 'declined'."""
    execute_script(
        conn,
        """
        ALTER TABLE registrations ADD COLUMN attendance TEXT
            CHECK (attendance IS NULL OR attendance IN ('coming', 'declined'));
        ALTER TABLE registrations ADD COLUMN attendance_at TEXT;
        """,
    )


def m005_feedback(conn: sqlite3.Connection) -> None:
    """Feedback after the evening: one row per sign-up asked (the exactly-once key), with the
    rating 1-5 and the optional comment once answered."""
    execute_script(
        conn,
        """
        CREATE TABLE feedback (
            registration_id INTEGER PRIMARY KEY
                            REFERENCES registrations (id) ON DELETE CASCADE,
            event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            requested_at    TEXT NOT NULL,
            rating          INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
            comment         TEXT,
            answered_at     TEXT
        );
        CREATE INDEX feedback_by_event ON feedback (event_id);
        """,
    )


def m006_cpd_hours_and_certificates(conn: sqlite3.Connection) -> None:
    """Fortbildungsstunden of an evening, and the certificates of attendance sent for it."""
    execute_script(
        conn,
        """
        ALTER TABLE events ADD COLUMN cpd_hours REAL
            CHECK (cpd_hours IS NULL OR cpd_hours > 0);
        CREATE TABLE certificates (
            registration_id INTEGER PRIMARY KEY
                            REFERENCES registrations (id) ON DELETE CASCADE,
            event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            issued_at       TEXT NOT NULL
        );
        """,
    )


def m007_open_dialogues(conn: sqlite3.Connection) -> None:
    """Open dialogues across restarts (bot.persistence): the step each person is at in each
    ConversationHandler, and their dialogue drafts as JSON of plain values. Personal data: removed
    with the person and after a week without change (storage.dialogues)."""
    execute_script(
        conn,
        """
        CREATE TABLE dialogue_states (
            handler    TEXT NOT NULL,     -- ConversationHandler name
            chat_id    INTEGER NOT NULL,
            user_id    INTEGER NOT NULL,
            state      TEXT NOT NULL,     -- JSON of the state value
            updated_at TEXT NOT NULL,
            PRIMARY KEY (handler, chat_id, user_id)
        );
        CREATE INDEX dialogue_states_user ON dialogue_states (user_id);
        CREATE TABLE dialogue_drafts (
            user_id    INTEGER PRIMARY KEY,
            data       TEXT NOT NULL,     -- JSON (bot.dialogue_codec), never pickle
            updated_at TEXT NOT NULL
        );
        """,
    )


def m008_questions_to_speakers(conn: sqlite3.Connection) -> None:
    """Questions to the speakers: one per person and evening, with the name registered under
    when it was asked (organisers read them per evening, newest last)."""
    execute_script(
        conn,
        """
        CREATE TABLE questions (
            id        INTEGER PRIMARY KEY,
            event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            user_id   INTEGER NOT NULL,
            name      TEXT,
            text      TEXT NOT NULL,
            asked_at  TEXT NOT NULL,
            UNIQUE (event_id, user_id)
        );
        CREATE INDEX questions_by_user ON questions (user_id);
        """,
    )


def m009_console_clock(conn: sqlite3.Connection) -> None:
    """The console's clock, kept with its database as an offset from real time (one row):
    a clock moved with ``/zeit`` or ``--now`` survives a restart of ``python run.py console``."""
    execute_script(
        conn,
        """
        CREATE TABLE console_clock (
            id             INTEGER PRIMARY KEY CHECK (id = 1),
            offset_seconds REAL NOT NULL,
            set_at         TEXT NOT NULL
        );
        """,
    )


def m010_certificate_numbers(conn: sqlite3.Connection) -> None:
    """Certificate numbers (issue 24), kept so that ``/bescheinigung/<number>`` can say valid,
    replaced, withdrawn or deleted (the name is the sign-up's: none stored here); evenings whose
    organisers heard that nobody was checked in; sign-ups asked for a printable name."""
    execute_script(
        conn,
        """
        CREATE TABLE certificate_numbers (
            number          TEXT PRIMARY KEY,
            registration_id INTEGER REFERENCES registrations (id) ON DELETE SET NULL,
            event_id        TEXT REFERENCES events (id) ON DELETE SET NULL,
            hours           REAL NOT NULL,
            issued_at       TEXT NOT NULL,
            withdrawn_at    TEXT,
            replaced_by     TEXT REFERENCES certificate_numbers (number)
        );
        CREATE INDEX certificate_numbers_by_registration
            ON certificate_numbers (registration_id);
        CREATE TABLE certificate_empty_evenings (
            event_id  TEXT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
            told_at   TEXT NOT NULL
        );
        CREATE TABLE certificate_name_asks (
            registration_id INTEGER PRIMARY KEY
                            REFERENCES registrations (id) ON DELETE CASCADE,
            asked_at        TEXT NOT NULL
        );
        """,
    )


def m011_previous_start(conn: sqlite3.Connection) -> None:
    """The start before an evening's last move (schema.org ``previousStartDate`` on its page)."""
    conn.execute("ALTER TABLE events ADD COLUMN previous_starts_at TEXT")


def m012_waitlist_offers(conn: sqlite3.Connection) -> None:
    """Waitlist offers near the evening (issue 25): the bot's offer settings, seats on offer,
    each offer (storage.offer_schema)."""
    execute_script(conn, WAITLIST_OFFERS)


def execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run a multi-statement script inside the caller's transaction.

    ``executescript`` would commit the open transaction first, so statements are split with
    :func:`sqlite3.complete_statement` and run one by one.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")
