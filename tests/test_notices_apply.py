"""Issue 21, point 2: every queued notice, reminder and promotion asks
domain.notices.still_applies when its turn comes, and the editor's preview of who will be told
is the notice the save queues (domain.notices.notice_for_change)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.sending.sender import OBSOLETE, drain_outbox
from domain.models import EventStatus
from storage import registrations as registration_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows
from tests.outbox_support import sign_up


def _states(bot) -> list[tuple]:
    sql = "SELECT user_id, kind, state, error FROM outbox ORDER BY id"
    return rows(bot.data.settings.database_path, sql)


async def test_a_change_notice_does_not_reach_someone_who_left_meanwhile(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    gone = (await sign_up(bot, clock, 2)).registration
    await add_events(dataclasses.replace(event, venue="Theater Rampe"))
    await registration_store.cancel(bot.data.db, gone.id, 2, clock.now())  # before it is sent
    await drain_outbox(bot.app)
    assert "Theater Rampe" in bot.api.last(1).text
    assert bot.api.messages(2) == []
    assert _states(bot)[-1] == (2, "event_changed", "failed", OBSOLETE)


async def test_a_cancellation_notice_due_after_the_start_is_not_sent(bot, clock, add_events):
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 1)
    await add_events(dataclasses.replace(event, status=EventStatus.CANCELLED))
    clock.set(event.starts_at + timedelta(minutes=5))  # the sender's turn came too late
    await drain_outbox(bot.app)
    assert bot.api.messages(1) == []
    assert _states(bot) == [(1, "event_cancelled", "failed", OBSOLETE)]


async def test_the_preview_of_who_is_told_is_the_notice_the_save_queues(bot, clock, add_events):
    """A cancelled evening moved to another day: the people it kept are told nothing now (they
    are told with the reinstatement), so the summary promises nobody a message."""
    event = make_event()
    await add_events(event)
    await sign_up(bot, clock, 11)
    await add_events(dataclasses.replace(event, status=EventStatus.CANCELLED))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press("Umbau statt Neubau")
    await admin.press("Ort")
    answers = await admin.send("Theater Rampe")
    assert "Theater Rampe" in answers[-1].text
    assert "informiert" not in answers[-1].text
    answers = await admin.press("✅ Speichern")
    assert "ist gespeichert" in answers[-1].text
    assert [kind for _, kind, _, _ in _states(bot)] == ["event_cancelled"]
