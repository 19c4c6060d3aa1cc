"""The tables of waitlist offers (storage.offers), created by migration ``m011_waitlist_offers``:
kept apart from the queries: storage.migrations imports nothing that imports storage.db."""

WAITLIST_OFFERS = """
CREATE TABLE offer_rules (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    window_seconds INTEGER NOT NULL,
    hold_seconds   INTEGER NOT NULL,
    timezone       TEXT NOT NULL
);
CREATE TABLE offered_seats (
    id        INTEGER PRIMARY KEY,
    event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status    TEXT NOT NULL DEFAULT 'offered',
    freed_at  TEXT NOT NULL
);
CREATE INDEX offered_seats_by_event ON offered_seats (event_id, status);
CREATE TABLE seat_offers (
    id              INTEGER PRIMARY KEY,
    seat_id         INTEGER NOT NULL REFERENCES offered_seats (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'open',
    everyone        INTEGER NOT NULL DEFAULT 0,
    opens_at        TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    decided_at      TEXT,
    message_id      INTEGER
);
CREATE INDEX seat_offers_open ON seat_offers (status, expires_at);
CREATE INDEX seat_offers_by_seat ON seat_offers (seat_id, status);
CREATE INDEX seat_offers_by_registration ON seat_offers (registration_id, status);
"""
