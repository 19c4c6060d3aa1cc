"""Waitlist offers in storage: the seat is reserved, offered, taken or passed on, all decided
inside the write transaction (storage.offers via storage.registrations)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.offers import OfferRules
from storage import events as event_store
from storage import offer_rows
from storage import offers as offer_store
from storage import registrations as registration_store
from storage.db import Database
from testing.factories import NOW, make_event

RULES = OfferRules(timedelta(hours=48), timedelta(hours=3), ZoneInfo("Europe/Berlin"))
# 18:30 Berlin on the next day: 32.5 h away, inside the 48 h window, outside the last hold.
EVENT = make_event(days=1, capacity=1)


async def _evening(tmp_path, rules=RULES):
    db = await Database.open(tmp_path / "db.sqlite3")
    if rules is not None:
        await offer_rows.record_rules(db, rules)
    await event_store.save_events(db, [EVENT], NOW)
    seat = await registration_store.sign_up(db, EVENT.id, 1, "Ada", NOW)
    waiting = [await registration_store.sign_up(db, EVENT.id, u, f"P{u}", NOW) for u in (2, 3)]
    return db, seat.registration, [w.registration for w in waiting]


async def _offers(db):
    return await db.fetch_all("SELECT id, registration_id, status FROM seat_offers ORDER BY id")


async def test_a_seat_freed_near_the_evening_is_offered_and_reserved(tmp_path):
    db, seat, waiting = await _evening(tmp_path)
    await registration_store.cancel(db, seat.id, 1, NOW)
    rows = await _offers(db)
    assert [(r[1], r[2]) for r in rows] == [(waiting[0].id, "open")]
    counts = await event_store.seat_counts(db, EVENT.id)
    assert (counts.confirmed, counts.offered) == (0, 1)
    newcomer = await registration_store.sign_up(db, EVENT.id, 4, "Neu", NOW)
    assert newcomer.outcome == "waitlisted"  # the seat is the offer's
    kinds = await db.fetch_all("SELECT kind, user_id FROM outbox")
    assert [(k[0], k[1]) for k in kinds] == [("seat_offer", 2)]
    await db.close()


async def test_without_recorded_rules_a_seat_is_given_as_before(tmp_path):
    db, seat, _ = await _evening(tmp_path, rules=None)
    result = await registration_store.cancel(db, seat.id, 1, NOW)
    assert result.promoted_user_ids == (2,)
    assert await _offers(db) == []
    await db.close()


async def test_accept_takes_the_seat_once(tmp_path):
    db, seat, waiting = await _evening(tmp_path)
    await registration_store.cancel(db, seat.id, 1, NOW)
    offer_id = (await _offers(db))[0][0]
    assert (await offer_store.accept(db, offer_id, 3, NOW)).refusal == "gone"  # not theirs
    assert (await offer_store.accept(db, offer_id, 2, NOW)).refusal is None
    assert (await offer_store.accept(db, offer_id, 2, NOW)).refusal == "answered"
    mine = await registration_store.get_registration(db, waiting[0].id)
    assert mine.status == "confirmed"
    counts = await event_store.seat_counts(db, EVENT.id)
    assert (counts.confirmed, counts.offered) == (1, 0)
    await db.close()


async def test_decline_leaves_the_waitlist_and_passes_the_seat_on(tmp_path):
    db, seat, waiting = await _evening(tmp_path)
    await registration_store.cancel(db, seat.id, 1, NOW)
    offer_id = (await _offers(db))[0][0]
    assert (await offer_store.decline(db, offer_id, 2, NOW)).refusal is None
    assert (await registration_store.get_registration(db, waiting[0].id)).status == "cancelled"
    rows = await _offers(db)
    assert [(r[1], r[2]) for r in rows] == [(waiting[0].id, "declined"), (waiting[1].id, "open")]
    await db.close()


async def test_silence_passes_the_seat_on_and_keeps_the_place(tmp_path):
    db, seat, waiting = await _evening(tmp_path)
    await registration_store.cancel(db, seat.id, 1, NOW)
    assert await offer_store.expire_due(db, NOW + timedelta(hours=2, minutes=59)) == 0
    assert await offer_store.expire_due(db, NOW + timedelta(hours=3)) == 1
    rows = await _offers(db)
    assert [(r[1], r[2]) for r in rows] == [(waiting[0].id, "expired"), (waiting[1].id, "open")]
    silent = await registration_store.get_registration(db, waiting[0].id)
    assert (silent.status, silent.waitlist_position) == ("waitlisted", 1)
    # the second also stays silent: nobody is left who was not offered this seat
    await offer_store.expire_due(db, NOW + timedelta(hours=6))
    counts = await event_store.seat_counts(db, EVENT.id)
    assert (counts.confirmed, counts.offered) == (0, 0)
    assert await offer_rows.offer_figures(db, EVENT.id) == (0, 2, 0)
    await db.close()


async def test_leaving_the_waitlist_with_an_offer_passes_it_on(tmp_path):
    db, seat, waiting = await _evening(tmp_path)
    await registration_store.cancel(db, seat.id, 1, NOW)
    await registration_store.cancel(db, waiting[0].id, 2, NOW)
    rows = await _offers(db)
    assert [(r[1], r[2]) for r in rows] == [(waiting[0].id, "void"), (waiting[1].id, "open")]
    await db.close()


async def test_the_public_program_counts_an_offered_seat_as_reserved(tmp_path):
    from storage.program import read_program

    db, seat, _ = await _evening(tmp_path)
    await registration_store.cancel(db, seat.id, 1, NOW)
    program = await db.read(read_program)
    assert (program.seats(EVENT.id).confirmed, program.seats(EVENT.id).offered) == (0, 1)
    await db.close()
