"""Repeating jobs, armed the same way everywhere: replaced by name, never silently skipped; and
the scheduled planners (reminders, feedback questions, certificate notes), one record each."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext

if TYPE_CHECKING:
    from bot.context import BotData

log = logging.getLogger(__name__)

# The daily retention job (handlers.attendee.privacy arms it; the console removes it, so that a
# moved clock never deletes real people's data).
RETENTION_JOB = "data_retention"

# APScheduler's default misfire_grace_time of one second silently drops a run that starts
# late (a busy event loop, a suspended machine); None runs it late instead, and coalesce turns
# a backlog of missed runs into one.
NEVER_SKIP = {"misfire_grace_time": None, "coalesce": True}


def replace_repeating_job(
    application: Application,
    callback: Callable[..., Awaitable[object]],
    *,
    name: str,
    interval: float,
    first: float,
    data: object = None,
) -> bool:
    """(Re)arm the repeating job ``name``: an existing job of that name is removed first, so a
    second ``post_init`` never doubles it. Intervals are seconds, so no naive datetime is read
    in ``Defaults.tzinfo``. Returns False (and logs) when the application has no JobQueue."""
    job_queue = application.job_queue
    if job_queue is None:
        log.warning("No JobQueue: job %r does not run", name)
        return False
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    job_queue.run_repeating(
        callback, interval=interval, first=first, name=name, data=data, job_kwargs=NEVER_SKIP
    )
    return True


@dataclasses.dataclass(frozen=True, slots=True)
class Planner:
    """A scheduled planner: queues the outbox rows the database says are due (the rows wake the
    sender when they commit). ``plan(bot_data)`` returns how many it queued; it runs once at
    start-up (catching up on what fell due while the bot was down), then every ``every``
    seconds as the job ``name``."""

    name: str
    every: float
    plan: Callable[[BotData], Awaitable[int]]


async def _run_planner(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The repeating job of a planner (the record is the job's data)."""
    job = context.job
    if job is not None and isinstance(job.data, Planner):
        await job.data.plan(context.application.bot_data)


async def start_planners(application: Application, planners: Iterable[Planner]) -> None:
    """At start-up (``post_init``): each planner plans now, then is armed as its repeating job
    (replaced, not duplicated, when armed again)."""
    for planner in planners:
        await planner.plan(application.bot_data)
        replace_repeating_job(
            application,
            _run_planner,
            name=planner.name,
            interval=planner.every,
            first=planner.every,
            data=planner,
        )
