"""Issue 13, point 3: feedback FEEDBACK_DELAY after the evening — to the checked-in attendees
(everyone confirmed if nobody was checked in), 1-5 and an optional comment, exactly once per
person and evening across restarts, and count, average and comments in the statistics."""

from __future__ import annotations

from datetime import timedelta

from bot.sending.sender import drain_outbox
from domain.evening import end_of
from handlers.attendee.feedback import FEEDBACK_JOB, plan_feedback
from storage import attendees as attendee_store
from storage import events as event_store
from storage import feedback as feedback_store
from tests.conftest import ADMIN_ID, make_event, make_settings
from tests.outbox_support import outbox_rows, running_bot, sign_up

EVENT = make_event()
DUE = end_of(EVENT) + timedelta(hours=2)  # the default FEEDBACK_DELAY


async def _round(bot) -> None:
    await plan_feedback(bot.app.bot_data)
    await drain_outbox(bot.app)


async def test_checked_in_attendees_are_asked_once_and_can_rate_and_comment(
    bot, clock, add_events
):
    await add_events(EVENT)
    there = (await sign_up(bot, clock, 1)).registration
    await sign_up(bot, clock, 2)  # confirmed, never came
    clock.set(EVENT.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, there.id, clock.now())

    clock.set(DUE - timedelta(minutes=1))
    await _round(bot)
    assert bot.api.messages(1) == []
    clock.set(DUE)
    await _round(bot)
    [question] = bot.api.messages(1)
    assert "Wie war der Abend?" in question.text and "Umbau statt Neubau" in question.text
    assert question.button_labels == ["1", "2", "3", "4", "5"]
    assert bot.api.messages(2) == []  # not checked in: not asked
    clock.advance(timedelta(hours=1))
    await _round(bot)
    assert len(bot.api.messages(1)) == 1  # exactly once

    user = bot.user(1)
    [thanks] = await user.press("4")
    assert "4 von 5" in thanks.text and thanks.message_id == question.message_id
    [ask] = await user.press("💬 Kommentar schreiben")
    assert "Kommentar" in ask.text
    [done] = await user.send("Tolle <b>Runde</b> & gute Fragen")
    assert "Vielen Dank für Ihren Kommentar" in done.text
    assert await feedback_store.rating_of(bot.data.db, there.id) == 4

    # Someone else cannot rate with a forged button.
    mallory = bot.user(666, first_name="Mallory")
    await mallory.send("/start")
    await mallory.press_data(question.callback_data[0], question)
    assert bot.api.callback_answers[-1].show_alert
    assert await feedback_store.rating_of(bot.data.db, there.id) == 4

    text = (await bot.user(ADMIN_ID, first_name="Orga").send("/statistik"))[-1].text
    assert "Rückmeldungen: 1 · Durchschnitt: 4 von 5" in text
    assert "💬 Tolle <b>Runde</b> & gute Fragen" in text  # shown as typed, escaped once


async def test_everyone_confirmed_is_asked_when_nobody_was_checked_in(bot, clock, add_events):
    await add_events(EVENT)
    for user_id in (1, 2):
        await sign_up(bot, clock, user_id)
    clock.set(DUE)
    await _round(bot)
    assert [len(bot.api.messages(u)) for u in (1, 2)] == [1, 1]
    await bot.user(1).press("5")
    [question] = bot.api.messages(2)
    await bot.user(2).press("2")
    await bot.user(2).press_data(question.callback_data[3], question)  # the last tap counts
    text = (await bot.user(ADMIN_ID, first_name="Orga").send("/statistik"))[-1].text
    assert "Rückmeldungen: 2 · Durchschnitt: 4,5 von 5" in text


async def test_restart_between_planning_and_sending_neither_loses_nor_repeats(tmp_path, clock):
    settings = make_settings(tmp_path, feedback_delay=timedelta(minutes=30))
    async with running_bot(settings, clock) as first:
        await event_store.save_events(first.data.db, [EVENT], clock.now())
        for user_id in (1, 2):
            await sign_up(first, clock, user_id)
        clock.set(end_of(EVENT) + timedelta(minutes=30))
        queued = await feedback_store.plan_due_feedback(
            first.data.db, clock.now(), settings.feedback_delay
        )
        assert queued == 2  # planned, then the process stops before sending
        assert first.api.messages(1) == []
    async with running_bot(settings, clock) as second:  # post_init plans again: nothing new
        assert len(await outbox_rows(second.data.db, "feedback")) == 2
        assert second.app.job_queue.get_jobs_by_name(FEEDBACK_JOB)
        await drain_outbox(second.app)
        assert [len(second.api.messages(u)) for u in (1, 2)] == [1, 1]
    clock.advance(timedelta(hours=1))
    async with running_bot(settings, clock) as third:
        await _round(third)
        assert [third.api.messages(u) for u in (1, 2)] == [[], []]


async def test_no_feedback_for_cancelled_or_long_past_evenings(bot, clock, add_events):
    await add_events(EVENT)
    await sign_up(bot, clock, 1)
    clock.set(DUE + timedelta(days=8))  # the bot was down for more than a week
    await _round(bot)
    assert bot.api.messages(1) == []
