"""Reminders end to end with the manual clock: each offset, late sign-ups, catch-up after
downtime, and exactly once across restarts, crashes and ``kill -9``."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.sending.sender import OBSOLETE, drain_outbox
from handlers.notices.reminders import REMINDERS_JOB, plan_reminders
from storage import events as event_store
from storage import outbox
from storage import registrations as registration_store
from tests.conftest import START, make_event, make_settings
from tests.outbox_crash_child import RecordingApi, sent_chats
from tests.outbox_support import (
    bot_texts,
    deliveries,
    outbox_rows,
    running_bot,
    sign_up,
    tick,
)

DAY, TWO_HOURS = 86400, 7200
ROOT = Path(__file__).resolve().parent.parent


async def test_reminder_a_day_before_with_time_venue_and_buttons(bot, clock, add_events):
    await add_events(make_event())
    await sign_up(bot, clock, 42)
    clock.set(START - timedelta(days=1, minutes=1))
    await tick(bot)
    assert bot.api.messages(42) == []

    clock.set(START - timedelta(days=1) + timedelta(seconds=20))
    report = await tick(bot)
    assert report.sent == 1
    [reminder] = bot.api.messages(42)
    assert "Erinnerung: Umbau statt Neubau" in reminder.text
    assert "Mittwoch, 9. Dezember 2026, 18:30 Uhr bis 21:00 Uhr" in reminder.text
    assert (
        "Haus der Architektinnen und Architekten, Danneckerstraße 54, 70182 Stuttgart"
        in reminder.text
    )
    assert reminder.button_labels == [
        "📍 Veranstaltungsort",
        "🎟 Ticket",
        "Ich komme",
        "Ich kann nicht kommen",
    ]

    await tick(bot)
    clock.advance(timedelta(minutes=30))
    await tick(bot)
    assert len(bot.api.messages(42)) == 1


async def test_second_reminder_two_hours_before_in_the_readers_language(bot, clock, add_events):
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 7, lang="en")).registration
    for moment in (
        START - timedelta(days=1),
        START - timedelta(hours=2, minutes=1),
        START - timedelta(hours=2),
        START - timedelta(hours=1),
        START - timedelta(minutes=1),
    ):
        clock.set(moment)
        await tick(bot)
    texts = bot_texts(bot, 7)
    assert len(texts) == 2
    assert all("Reminder: Umbau statt Neubau" in text for text in texts)
    assert "Wednesday, 9 December 2026, 6:30 PM" in texts[1]
    assert bot.api.messages(7)[1].button_labels == [
        "📍 Venue",
        "🎟 Ticket",
        "I'm coming",
        "I can't come",
    ]
    planned_for = "2026-12-09T17:30:00Z"
    assert await deliveries(bot.data.db) == [
        (registration.id, DAY, planned_for, "planned"),
        (registration.id, TWO_HOURS, planned_for, "planned"),
    ]


async def test_configured_offsets_are_used(tmp_path, clock):
    settings = make_settings(tmp_path, reminder_offsets="3d, 30m")
    async with running_bot(settings, clock) as bot:
        await event_store.save_events(bot.data.db, [make_event()], clock.now())
        await sign_up(bot, clock, 42)
        for moment in (START - timedelta(days=1), START - timedelta(hours=2)):
            clock.set(moment)
            await tick(bot)
        assert len(bot.api.messages(42)) == 1  # the 3-day one; 1d and 2h are not configured
        clock.set(START - timedelta(minutes=30))
        await tick(bot)
        assert len(bot.api.messages(42)) == 2


async def test_late_sign_up_gets_no_earlier_reminder(bot, clock, add_events):
    await add_events(make_event())
    await sign_up(bot, clock, 1)
    clock.set(START - timedelta(hours=23))  # the one-day reminder fell due an hour ago
    await sign_up(bot, clock, 2)
    await tick(bot)
    assert len(bot.api.messages(1)) == 1
    assert bot.api.messages(2) == []

    clock.set(START - timedelta(hours=2))
    await tick(bot)
    assert len(bot.api.messages(1)) == 2
    assert len(bot.api.messages(2)) == 1
    assert "Erinnerung" in bot.api.messages(2)[0].text


async def test_catch_up_after_downtime_sends_only_the_latest_missed_reminder(settings, clock):
    async with running_bot(settings, clock) as first:
        await event_store.save_events(first.data.db, [make_event()], clock.now())
        registration = (await sign_up(first, clock, 42)).registration
    clock.set(START - timedelta(hours=1))  # both reminders fell due while the bot was down
    async with running_bot(settings, clock) as second:  # post_init catches up
        await drain_outbox(second.app)
        [reminder] = second.api.messages(42)
        assert "Erinnerung" in reminder.text
        assert [row[1:] for row in await deliveries(second.data.db)] == [
            (DAY, "2026-12-09T17:30:00Z", "skipped"),
            (TWO_HOURS, "2026-12-09T17:30:00Z", "planned"),
        ]
        assert registration is not None


async def test_no_catch_up_once_the_event_has_begun(settings, clock):
    async with running_bot(settings, clock) as first:
        await event_store.save_events(first.data.db, [make_event()], clock.now())
        await sign_up(first, clock, 42)
    clock.set(START + timedelta(minutes=1))
    async with running_bot(settings, clock) as second:
        await tick(second)
        assert second.api.messages(42) == []
        assert await outbox_rows(second.data.db) == []


async def test_clean_restart_sends_nothing_twice(settings, clock):
    async with running_bot(settings, clock) as first:
        await event_store.save_events(first.data.db, [make_event()], clock.now())
        for user_id in (1, 2, 3):
            await sign_up(first, clock, user_id)
        clock.set(START - timedelta(days=1))
        await tick(first)
        assert [len(first.api.messages(u)) for u in (1, 2, 3)] == [1, 1, 1]
    async with running_bot(settings, clock) as second:  # same moment, fresh process
        await tick(second)
        assert [second.api.messages(u) for u in (1, 2, 3)] == [[], [], []]
        clock.set(START - timedelta(hours=2))
        await tick(second)
        assert [len(second.api.messages(u)) for u in (1, 2, 3)] == [1, 1, 1]
    async with running_bot(settings, clock) as third:
        await tick(third)
        assert [third.api.messages(u) for u in (1, 2, 3)] == [[], [], []]
        rows = await outbox_rows(third.data.db, "reminder")
        assert [row["state"] for row in rows] == ["sent"] * 6


async def test_crash_while_sending_loses_at_most_the_message_in_flight(settings, clock, caplog):
    """Simulated crash: the row is marked 'sending' and the process ends before 'sent'."""
    async with running_bot(settings, clock) as first:
        await event_store.save_events(first.data.db, [make_event()], clock.now())
        for user_id in (1, 2, 3):
            await sign_up(first, clock, user_id)
        clock.set(START - timedelta(days=1))
        await plan_reminders(first.app.bot_data)
        await drain_outbox(first.app, limit=1)
        in_flight = await outbox.claim_next(first.data.db, clock.now())  # then: the crash
        assert in_flight is not None and in_flight.user_id == 2
        assert [len(first.api.messages(u)) for u in (1, 2, 3)] == [1, 0, 0]
    caplog.set_level(logging.WARNING, logger="bot.sending.sender")
    async with running_bot(settings, clock) as second:
        await tick(second)
        assert [len(second.api.messages(u)) for u in (1, 2, 3)] == [0, 0, 1]
        rows = {row["user_id"]: row for row in await outbox_rows(second.data.db)}
    assert rows[2]["state"] == "failed"
    assert rows[2]["error"] == "interrupted while sending"
    assert [rows[u]["state"] for u in (1, 3)] == ["sent", "sent"]
    assert "was in flight during a crash" in caplog.text


def _has_line(path: Path, prefix: str) -> bool:
    return path.exists() and any(line.startswith(prefix) for line in path.read_text().splitlines())


async def _wait_for_line(path: Path, prefix: str, process: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if _has_line(path, prefix):
            return
        if process.returncode is not None:
            raise AssertionError(f"the bot process ended early with code {process.returncode}")
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {prefix!r} line from the bot process")


@pytest.mark.parametrize("dies", ["before_delivery", "after_delivery"])
async def test_kill_9_in_the_middle_of_a_drain_never_sends_twice(settings, clock, tmp_path, dies):
    """A real ``kill -9``: a bot process drains reminders and is SIGKILLed while one message is
    in flight (not yet delivered, or delivered but not yet recorded); the next start must
    send every other reminder exactly once and that one never again."""
    users = list(range(101, 107))
    async with running_bot(settings, clock) as setup:
        await event_store.save_events(setup.data.db, [make_event()], clock.now())
        for user_id in users:
            await sign_up(setup, clock, user_id)
    clock.set(START - timedelta(days=1) + timedelta(minutes=1))
    log = tmp_path / "telegram.log"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.outbox_crash_child",
        str(settings.database_path),
        str(log),
        dies,
        "3",  # three reminders go out, the fourth is in flight when the process dies
        clock.now().isoformat(),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await _wait_for_line(log, "hang", child)
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGKILL)
        await asyncio.wait_for(child.wait(), 10)
    assert child.returncode == -signal.SIGKILL
    delivered_before = sent_chats(log)
    assert len(delivered_before) == (4 if dies == "after_delivery" else 3)

    async with running_bot(settings, clock, api=RecordingApi(log)) as restarted:
        await tick(restarted)
        rows = await outbox_rows(restarted.data.db, "reminder")
    delivered = sent_chats(log)
    assert len(delivered) == len(set(delivered)), f"someone got a reminder twice: {delivered}"
    in_flight = [row for row in rows if row["error"] == "interrupted while sending"]
    assert len(in_flight) == 1 and in_flight[0]["state"] == "failed"
    lost = set(users) - set(delivered)
    if dies == "before_delivery":
        assert lost == {in_flight[0]["user_id"]}  # at most the message in flight is lost
    else:
        assert lost == set()  # it had arrived; it is recorded as interrupted, not re-sent
    assert len(rows) == len(users)  # planned exactly once per person, across both runs


async def test_reminder_for_a_sign_up_cancelled_before_sending_is_dropped(bot, clock, add_events):
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 1)).registration
    clock.set(START - timedelta(days=1))
    assert await plan_reminders(bot.app.bot_data) == 1
    await registration_store.cancel(bot.data.db, registration.id, 1, clock.now())
    report = await drain_outbox(bot.app)
    assert report.obsolete == 1 and report.sent == 0
    assert bot.api.messages(1) == []
    [row] = await outbox_rows(bot.data.db, "reminder")
    assert (row["state"], row["error"]) == ("failed", OBSOLETE)


async def test_reminder_jobs_are_scheduled_without_misfire_grace(bot):
    [job] = bot.app.job_queue.get_jobs_by_name(REMINDERS_JOB)
    assert job.job.misfire_grace_time is None
    assert job.job.coalesce is True
    [heartbeat] = bot.app.job_queue.get_jobs_by_name("outbox")
    assert heartbeat.job.misfire_grace_time is None
