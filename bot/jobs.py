"""Repeating jobs, armed the same way everywhere: replaced by name, never silently skipped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram.ext import Application

log = logging.getLogger(__name__)

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
        callback, interval=interval, first=first, name=name, job_kwargs=NEVER_SKIP
    )
    return True
