"""Issue 20, declared wiring: the table of outbox kinds is built with the application, BotData
holds nothing it does not declare, a commit that queued outbox rows wakes the sender by itself
(no feature kicks it), the planners are one record each, and open dialogues saved by f55e3b3's
hand-written codec still load into the typed drafts."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import PLANNERS, build_application, outbox_kinds
from bot.clock import ManualClock
from bot.context import BotData
from bot.jobs import start_planners
from bot.sending.delivery import policy_of
from bot.sending.sender import DRAIN_JOB
from bot.state import BroadcastDraft
from domain.models import Speaker
from storage import dialogues, outbox
from storage.broadcasts import Audience
from storage.db import Database
from storage.outbox import OutboxKind
from testing.fake_telegram import FakeBotApi
from tests.conftest import make_settings

FIXTURE = Path(__file__).parent / "fixtures" / "drafts_f55e3b3.sqlite"
SAVED_AT = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # when make_drafts_f55e3b3 saved them


def _queue_one(conn, now: datetime) -> None:
    outbox.enqueue(conn, 7, OutboxKind.REMINDER, {"registration_id": 1}, now)


async def test_a_commit_that_queued_outbox_rows_calls_the_hook_and_no_other_does(tmp_path):
    woken: list[str] = []
    db = await Database.open(tmp_path / "db.sqlite3", after_enqueue=lambda: woken.append("x"))
    now = datetime(2030, 1, 1, tzinfo=UTC)
    try:
        await dialogues.save_draft(db, 7, "{}", now)
        assert woken == []  # a write without outbox rows
        await db.write(_queue_one, now)
        assert woken == ["x"]  # once per transaction, after the commit

        def queue_then_fail(conn) -> None:
            _queue_one(conn, now)
            raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            await db.write(queue_then_fail)
        assert woken == ["x"]  # rolled back: nothing to send, no wake
        await db.execute("UPDATE outbox SET attempts = attempts + 1")
        assert woken == ["x"]
    finally:
        await db.close()


async def test_a_write_that_queues_a_row_wakes_the_sender_without_a_kick(bot):
    jobs = bot.app.job_queue
    assert not jobs.get_jobs_by_name(DRAIN_JOB)
    await dialogues.save_draft(bot.data.db, 7, "{}", bot.data.clock.now())
    assert not jobs.get_jobs_by_name(DRAIN_JOB)  # nothing queued: the sender sleeps on
    await bot.data.db.write(_queue_one, bot.data.clock.now())
    assert len(jobs.get_jobs_by_name(DRAIN_JOB)) == 1  # a drain is due now
    await bot.data.db.write(_queue_one, bot.data.clock.now())
    assert len(jobs.get_jobs_by_name(DRAIN_JOB)) == 1  # one drain takes both


def test_every_outbox_kind_has_one_entry_with_its_delivery_rule():
    table = outbox_kinds()
    kinds = {value for name, value in vars(OutboxKind).items() if name.isupper()}
    assert set(table) == kinds
    never_twice = {OutboxKind.BROADCAST, OutboxKind.REMINDER, OutboxKind.ANNOUNCEMENT}
    windowed = {OutboxKind.BROADCAST, OutboxKind.DELIVERY_REPORT}
    assert {kind for kind, entry in table.items() if entry.policy.at_most_once} == never_twice
    assert {kind for kind, entry in table.items() if entry.policy.window} == windowed
    assert outbox_kinds() is not table  # built per application, not a process-wide registry


def test_each_application_has_its_own_declared_state(tmp_path):
    settings = make_settings(tmp_path)
    first = build_application(settings, request=FakeBotApi())
    second = build_application(settings, request=FakeBotApi())
    data: BotData = first.bot_data
    data.outbox_kinds["test_only"] = data.outbox_kinds[OutboxKind.REMINDER]
    assert "test_only" not in second.bot_data.outbox_kinds
    assert data.sender is not second.bot_data.sender
    assert data.error_alerts is not second.bot_data.error_alerts
    assert policy_of(data, "no_such_kind").at_most_once is False  # the default: retried
    with pytest.raises(AttributeError):  # nothing attached beside the declared fields
        data.outbox_sender = object()  # type: ignore[attr-defined]


async def test_each_planner_is_one_job_named_for_it_and_rearming_replaces_it(bot):
    names = [planner.name for planner in PLANNERS]
    assert sorted(names) == ["certificates", "feedback", "reminders", "waitlist_offers"]
    for _ in range(2):
        await start_planners(bot.app, PLANNERS)
    for name in names:
        live = [job for job in bot.app.job_queue.get_jobs_by_name(name) if not job.removed]
        assert len(live) == 1, name
        assert live[0].data in PLANNERS


async def test_drafts_saved_by_f55e3b3_still_load_typed(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "bot.sqlite3")
    settings = make_settings(tmp_path)
    clock = ManualClock(SAVED_AT + timedelta(hours=1))
    app = build_application(settings, request=FakeBotApi(), clock=clock)
    await app.initialize()
    try:
        users = app.user_data
        assert users[101].signup_dialogue == {"event": "2027-01-20-holz", "since": SAVED_AT}
        draft = users[102].event_draft
        assert draft is not None and (draft.mode, draft.asking, draft.reviewing) == (
            "create",
            "venue",
            True,
        )
        assert draft.values["starts"] == datetime(2027, 1, 20, 18, 30, tzinfo=UTC)
        assert draft.values["coordinates"] == (48.77, 9.18)
        assert draft.values["speakers"] == (Speaker("Anna Muster", "Architektin"),)
        assert draft.speakers == (Speaker("Anna Muster", "Architektin"), Speaker("Ben"))
        assert (draft.speaker_index, draft.speaker_part, draft.speakers_version) == (1, "role", 3)
        assert users[103].broadcast_draft == BroadcastDraft(
            chat_id=103, message_id=55, audience=Audience.CONFIRMED, event_id="2027-01-20-holz"
        )
        assert users[104].checkin_search == ("2027-01-20-holz", "Mus")
        assert users[104].feedback_registration == 7
        edit = users[105].event_draft
        assert edit is not None and edit.event_id == "2027-01-20-holz"
        assert edit.values == {"ends": datetime(2027, 1, 20, 21, 0, tzinfo=UTC), "speakers": None}
    finally:
        await app.shutdown()
