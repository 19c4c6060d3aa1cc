"""Every repeating job is armed once, by name, and never silently skipped when late."""

from __future__ import annotations

from bot.jobs import RETENTION_JOB, replace_repeating_job
from bot.sending.sender import OUTBOX_JOB
from handlers.notices.reminders import REMINDERS_JOB
from handlers.organiser.broadcast import PROGRESS_JOB


async def test_start_up_arms_each_job_once_and_late_runs_still_happen(bot):
    jobs = {job.name: job for job in bot.app.job_queue.jobs()}
    assert {OUTBOX_JOB, REMINDERS_JOB, PROGRESS_JOB, RETENTION_JOB} <= set(jobs)
    for name in (OUTBOX_JOB, REMINDERS_JOB, PROGRESS_JOB, RETENTION_JOB):
        assert jobs[name].job.misfire_grace_time is None, name


async def test_arming_again_replaces_instead_of_doubling(bot):
    async def tick(context) -> None:  # pragma: no cover - never runs here
        """A job that does nothing."""

    for _ in range(3):
        replace_repeating_job(bot.app, tick, name="tick", interval=60, first=60)
    live = [job for job in bot.app.job_queue.jobs() if job.name == "tick" and not job.removed]
    assert len(live) == 1
