"""Issue 21, point 1: organiser actions ask domain.lifecycle, with reasons: the picker offers
exactly what the press and the writing transaction allow, and a stale button changes nothing
and says why."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.lifecycle import may_cancel_evening, may_delete, may_edit, may_reactivate
from domain.models import Event, EventStatus
from domain.standing import Refusal
from storage import events as event_store
from storage import registrations as registration_store
from storage.attendees import event_figures
from storage.db import Database
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, sign_up

START = make_event().starts_at
EVENINGS = st.builds(
    lambda hours, cancelled: make_event(
        "abend",
        starts_at=START + timedelta(hours=hours),
        status=EventStatus.CANCELLED if cancelled else EventStatus.SCHEDULED,
    ),
    st.integers(min_value=-4, max_value=4),
    st.booleans(),
)
MOMENTS = st.integers(min_value=-3, max_value=3).map(lambda hours: START + timedelta(hours=hours))
FEW = settings(max_examples=25, deadline=None)


async def _with_db(evening: Event, work):
    """``work(db)`` on a fresh database holding ``evening`` (saved long before anything)."""
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bot.sqlite3")
        try:
            await event_store.save_events(db, [evening], START - timedelta(days=30))
            return await work(db)
        finally:
            await db.close()


async def _in_picker(db: Database, now, *, scheduled_only: bool) -> bool:
    """Whether the organisers' event picker (edit: upcoming; cancel: upcoming and scheduled)
    lists the evening at ``now``."""
    figures = await event_figures(db, now, 50, upcoming_only=True, scheduled_only=scheduled_only)
    return "abend" in {figure.id for figure in figures}


def _retitled(event: Event) -> Event:
    return dataclasses.replace(event, title="Neuer Titel")


def _cancelled(event: Event) -> Event:
    return dataclasses.replace(event, status=EventStatus.CANCELLED)


def _scheduled(event: Event) -> Event:
    return dataclasses.replace(event, status=EventStatus.SCHEDULED)


@FEW
@given(evening=EVENINGS, now=MOMENTS)
def test_edit_picker_press_and_transaction_agree(evening, now):
    async def work(db):
        offered = await _in_picker(db, now, scheduled_only=False)
        done = await event_store.change_event(db, "abend", may_edit, _retitled, now)
        saved = await event_store.get_event(db, "abend")
        return offered, done.refusal, saved.title == "Neuer Titel"

    offered, refusal, saved = asyncio.run(_with_db(evening, work))
    assert refusal == may_edit(evening, now)
    assert offered == (refusal is None) == saved
    assert refusal in (None, Refusal.EVENT_BEGUN, Refusal.EVENT_OVER)


@FEW
@given(evening=EVENINGS, now=MOMENTS)
def test_cancel_picker_press_and_transaction_agree(evening, now):
    async def work(db):
        offered = await _in_picker(db, now, scheduled_only=True)
        done = await event_store.change_event(db, "abend", may_cancel_evening, _cancelled, now)
        status = (await event_store.get_event(db, "abend")).status
        return offered, done.refusal, status

    offered, refusal, status = asyncio.run(_with_db(evening, work))
    assert refusal == may_cancel_evening(evening, now)
    assert offered == (refusal is None)
    assert status is (EventStatus.CANCELLED if refusal is None else evening.status)
    if evening.status is EventStatus.CANCELLED:
        assert refusal is Refusal.EVENT_CANCELLED


@FEW
@given(evening=EVENINGS, now=MOMENTS)
def test_reactivate_picker_press_and_transaction_agree(evening, now):
    async def work(db):
        done = await event_store.change_event(db, "abend", may_reactivate, _scheduled, now)
        status = (await event_store.get_event(db, "abend")).status
        return done.refusal, status

    refusal, status = asyncio.run(_with_db(evening, work))
    assert refusal == may_reactivate(evening, now)
    assert (refusal is None) == (
        evening.status is EventStatus.CANCELLED and evening.starts_at > now
    )
    assert status is (EventStatus.SCHEDULED if refusal is None else evening.status)
    if evening.status is EventStatus.SCHEDULED:
        assert refusal is Refusal.NOT_CANCELLED


@FEW
@given(evening=EVENINGS, signed_up=st.integers(min_value=0, max_value=2), cancel=st.booleans())
def test_delete_picker_press_and_transaction_agree(evening, signed_up, cancel):
    """A registration of any status (a cancelled one too) keeps the evening."""
    early = START - timedelta(days=20)

    async def work(db):
        for user_id in range(1, signed_up + 1):
            result = await registration_store.sign_up(db, "abend", user_id, "Erika", early)
            if cancel and result.registration is not None:
                await registration_store.cancel(db, result.registration.id, None, early)
        count = await event_store.registration_count(db, "abend")
        refusal = await event_store.delete_event(db, "abend")
        return count, refusal, await event_store.get_event(db, "abend")

    count, refusal, left = asyncio.run(_with_db(evening, work))
    assert refusal == may_delete(count)
    assert (left is None) == (refusal is None)
    assert (refusal is None) == (count == 0)


async def _summary_of_an_edit(bot, clock):
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press("Umbau statt Neubau")
    await admin.press("Titel")
    answers = await admin.send("Ein neuer Titel")
    assert "✅ Speichern" in answers[-1].button_labels
    return admin


async def test_a_summary_saved_after_the_start_changes_nothing_and_says_why(
    bot, add_events, clock
):
    event = make_event("umbau-2026")
    await add_events(event)
    admin = await _summary_of_an_edit(bot, clock)
    clock.set(event.starts_at + timedelta(minutes=1))  # the evening began meanwhile
    await admin.press("Speichern")
    assert "schon begonnen – nichts geändert" in bot.api.callback_answers[-1].text
    assert (await event_store.get_event(bot.data.db, "umbau-2026")) == event
    assert rows(bot.data.settings.database_path, "SELECT kind FROM outbox") == []


async def test_an_edit_of_an_evening_that_is_over_is_refused_at_the_press(bot, add_events, clock):
    event = make_event("umbau-2026")
    await add_events(event)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    answers = await admin.press("bearbeiten")
    clock.set(event.ends_at + timedelta(minutes=1))
    await admin.press("Umbau statt Neubau", answers[-1])
    assert "schon vorbei – nichts geändert" in bot.api.callback_answers[-1].text
    assert (await event_store.get_event(bot.data.db, "umbau-2026")) == event


async def test_a_cancel_confirmed_after_the_start_changes_nothing_and_says_why(
    bot, add_events, clock
):
    event = make_event("umbau-2026")
    await add_events(event)
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("absagen")
    await admin.press("Umbau statt Neubau")
    clock.set(event.starts_at + timedelta(minutes=1))
    await admin.press("Ja, absagen")
    assert "schon begonnen – nichts geändert" in bot.api.callback_answers[-1].text
    assert (await event_store.get_event(bot.data.db, "umbau-2026")).status is (
        EventStatus.SCHEDULED
    )
    assert rows(bot.data.settings.database_path, "SELECT kind FROM outbox") == []
