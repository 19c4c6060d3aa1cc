"""The one paced sender: drains the outbox (reminders, change notices, promotions, broadcasts).

Everything the bot sends on its own initiative is an ``outbox`` row first (written in the same
transaction as the change that causes it, by this process or another one such as
``run.py import``). This module sends those rows, oldest first:

- **Paced**: at most ``BROADCAST_RATE`` messages in any one-second window, evenly spaced. The
  window is measured from the *end* of earlier calls to the *start* of the next, so network
  jitter can never squeeze ``rate + 1`` sends into one second at Telegram's end.
- **429**: the shared budget (:mod:`bot.sending.budget`, production and tests alike) hands a bulk
  429 straight back and pauses only bulk calls; answers to people keep going. The sender pauses
  its own pace for ``retry_after`` too and puts the row back to 'pending' without using up an
  attempt. Bulk calls carry ``rate_limit_args=BULK``, so the budget serves answers first.
- **5xx, timeouts, network errors**: the row is retried later with capped exponential backoff
  for as long as the message still matters (:mod:`bot.sending.delivery` has the rules per kind);
  the current run ends, the next run tries again. The first success after a failure makes every
  row waiting out a backoff due again, so an outage ends with the queue sent at once.
- **403**: the user blocked the bot; they are marked (``users.blocked_at``), their cached state
  is dropped, and their rows are skipped until they write again.
- **After a crash**: a row is claimed ('sending') right before its call and marked 'sent' right
  after. Rows found 'sending' at start-up were in flight during a crash; the kind's policy
  decides: *must arrive* kinds (notices, promotions, certificates…) are sent again, *at most
  once* kinds (broadcasts, reminders, announcements) are logged and closed as interrupted,
  never sent twice. So a crash (even ``kill -9``) loses at most the one at-most-once message in
  flight. A send that timed out after it went out
  is never repeated for broadcasts, reminders and announcements ('uncertain'); change notices
  and promotions are tried again (see :mod:`bot.sending.delivery`).
- **Never blocks updates**: draining runs as a JobQueue job; the heartbeat job named
  :data:`OUTBOX_JOB` merely wakes a drain, and so does every transaction that queued rows, once
  it has committed (the database's after-commit hook is :func:`wake_sender`, set in bot.app).

Each kind is rendered by its entry in the table of outbox kinds (:mod:`bot.outgoing`, built
in bot.app): ``(bot_data, lang, payload) -> OutgoingMessage | None`` renders one row for its
recipient in their stored language. ``None`` means the message has become pointless (the event
was moved, cancelled or deleted, the sign-up was cancelled…): the row is closed as 'failed' with
the error ``obsolete`` and nothing is sent.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter

from telegram import InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.context import BotContext, BotData
from bot.jobs import replace_repeating_job
from bot.outgoing import OutgoingMessage, SenderState
from bot.sending.budget import BULK, retry_seconds
from bot.sending.delivery import (
    BULK_READ_TIMEOUT,
    at_most_once_kinds,
    backoff,
    gave_up_before,
    may_have_arrived,
    policy_of,
    report_given_up,
    window_passed,
)
from storage import outbox
from storage import users as user_store
from storage.outbox import EXPIRED, UNCERTAIN, OutboxItem

log = logging.getLogger(__name__)

OUTBOX_JOB = "outbox"  # the repeating heartbeat
DRAIN_JOB = "outbox-drain"  # the run_once job that does the sending
HEARTBEAT_SECONDS = 2.0  # rows written by other processes (imports) go out within this
OBSOLETE = "obsolete"  # error of rows whose renderer found nothing to send any more


@dataclasses.dataclass
class DrainReport:
    """What one drain did, row by row outcome."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    obsolete: int = 0
    retried: int = 0  # put back after a 5xx / timeout
    rate_limited: int = 0  # put back after a 429
    uncertain: int = 0  # timed out, perhaps delivered; never repeated
    expired: int = 0  # given up: failed until it no longer mattered
    given_up: Counter[str] = dataclasses.field(default_factory=Counter)  # expired, by kind

    @property
    def attempted(self) -> int:
        """Rows handled in this run, whatever the outcome."""
        outcomes = (self.sent, self.blocked, self.failed, self.obsolete, self.retried)
        return sum(outcomes) + self.rate_limited + self.uncertain + self.expired


def limit_recipients(application: Application, people: set[int]) -> None:
    """Claim, send and close only rows for ``people`` (read at every claim; default everyone),
    so that a console on any database leaves everybody else's rows to the real bot."""
    application.bot_data.outbox_recipients = people


async def _send(application: Application, chat_id: int, message: OutgoingMessage) -> int:
    """Send one message; returns the id of the message in the recipient's chat."""
    bot = application.bot
    if message.is_copy:
        copied = await bot.copy_message(
            chat_id=chat_id,
            from_chat_id=message.from_chat_id,
            message_id=message.message_id,
            reply_markup=message.reply_markup,
            read_timeout=BULK_READ_TIMEOUT,
            rate_limit_args=BULK,
        )
        return copied.message_id
    if message.document is not None:
        sent = await bot.send_document(
            chat_id,
            InputFile(message.document, filename=message.filename),
            caption=message.text,
            filename=message.filename,
            reply_markup=message.reply_markup,
            read_timeout=BULK_READ_TIMEOUT,
            write_timeout=BULK_READ_TIMEOUT,
            rate_limit_args=BULK,
        )
        return sent.message_id
    sent = await bot.send_message(
        chat_id,
        message.text,
        reply_markup=message.reply_markup,
        read_timeout=BULK_READ_TIMEOUT,
        rate_limit_args=BULK,
    )
    return sent.message_id


async def _render(data: BotData, item: OutboxItem) -> OutgoingMessage | None:
    entry = data.outbox_kinds.get(item.kind)
    if entry is None:
        raise LookupError(f"outbox kind {item.kind!r} is not in the table of kinds (bot.app)")
    lang = await user_store.language_of(data.db, item.user_id, data.settings.default_language)
    return await entry.render(data, lang, item.payload)


async def _deliver(
    application: Application, state: SenderState, item: OutboxItem, report: DrainReport
) -> bool:
    """Render and send one claimed row and record the outcome; ``False`` ends the run."""
    data: BotData = application.bot_data
    db, clock = data.db, data.clock
    if window_passed(data, item, clock.now()):
        return await _expire(data, state, item, report)
    try:
        message = await _render(data, item)
    except Exception as exc:  # a renderer bug must not stop the queue
        log.exception("Outbox row %s (%s) could not be rendered", item.id, item.kind)
        state.pacer.give_back()
        await outbox.finish(db, item.id, "failed", clock.now(), f"render: {exc!r}"[:500])
        report.failed += 1
        return True
    if message is None:
        if gave_up_before(item):
            return await _expire(data, state, item, report)
        state.pacer.give_back()
        await outbox.finish(db, item.id, "failed", clock.now(), OBSOLETE)
        report.obsolete += 1
        return True
    try:
        message_id = await _send(application, item.user_id, message)
    except RetryAfter as exc:
        seconds = retry_seconds(exc)
        state.pacer.finished()
        state.pacer.pause(seconds)
        log.warning("Flood control: bulk sending paused for %s s", seconds)
        await outbox.retry_later(
            db, item.id, clock.now(), f"429 retry after {seconds}", refund_attempt=True
        )
        report.rate_limited += 1
        return True
    except Forbidden as exc:
        state.pacer.finished()
        await user_store.mark_blocked(db, item.user_id, clock.now())
        data.on_blocked(item.user_id)
        await outbox.finish(db, item.id, "blocked", clock.now(), str(exc)[:500])
        report.blocked += 1
        return True
    except BadRequest as exc:  # permanent: retrying would fail the same way
        state.pacer.finished()
        log.warning("Outbox row %s (%s) refused: %s", item.id, item.kind, exc)
        await outbox.finish(db, item.id, "failed", clock.now(), str(exc)[:500])
        report.failed += 1
        return True
    except (NetworkError, TelegramError) as exc:  # 5xx, TimedOut, NetworkError
        state.pacer.finished()
        state.failing = True
        if policy_of(data, item.kind).at_most_once and may_have_arrived(exc):
            log.warning("Outbox row %s (%s) timed out; not repeated: %s", item.id, item.kind, exc)
            await outbox.finish(db, item.id, "failed", clock.now(), UNCERTAIN)
            report.uncertain += 1
            return False
        error = f"{type(exc).__name__}: {exc}"[:500]
        await outbox.retry_later(db, item.id, clock.now() + backoff(item.attempts), error)
        report.retried += 1
        return False
    state.pacer.finished()
    await outbox.finish(db, item.id, "sent", clock.now())
    entry = data.outbox_kinds.get(item.kind)
    if entry is not None and entry.sent is not None:
        await entry.sent(data, item, message_id)
    if state.failing:  # Telegram answers again: the rows waiting out a backoff are due now
        state.failing = False
        await outbox.release_backoff(db, clock.now())
    report.sent += 1
    return True


async def _expire(
    data: BotData, state: SenderState, item: OutboxItem, report: DrainReport
) -> bool:
    """Give up a row that kept failing until it no longer mattered; it is reported."""
    state.pacer.give_back()
    log.warning("Outbox row %s (%s) given up after %s tries", item.id, item.kind, item.attempts)
    await outbox.finish(data.db, item.id, "failed", data.clock.now(), EXPIRED)
    report.expired += 1
    report.given_up[item.kind] += 1
    return True


async def drain_outbox(application: Application, limit: int | None = None) -> DrainReport:
    """Send due outbox rows, paced, until none is due (or ``limit`` rows were handled).

    Only one drain runs at a time (others wait for it). A transient failure ends the run; the
    next heartbeat continues. When the application is stopping, the run ends after the
    current message.
    """
    data: BotData = application.bot_data
    state = data.sender
    report = DrainReport()
    recipients = data.outbox_recipients
    if not await outbox.has_due(data.db, data.clock.now(), recipients):
        return report
    async with state.lock:
        state.pacer.start_run()
        stop_with_application = application.running
        while limit is None or report.attempted < limit:
            if stop_with_application and not application.running:
                break
            await state.pacer.turn()
            item = await outbox.claim_next(data.db, data.clock.now(), recipients)
            if item is None:
                state.pacer.give_back()
                break
            if not await _deliver(application, state, item, report):
                break
    await report_given_up(data, report.given_up, data.clock.now())
    return report


# --- jobs ------------------------------------------------------------------------------------


async def _drain_job(context: BotContext) -> None:
    """The drain as a JobQueue job; a drain already running will pick up the new rows."""
    if context.bot_data.sender.lock.locked():
        return
    await drain_outbox(context.application)


async def _heartbeat(context: BotContext) -> None:
    """Every few seconds: start a drain (rows may come from other processes, or be retries)."""
    wake_sender(context.application)


def wake_sender(application: Application) -> None:
    """Start draining soon: the database calls it after a commit that queued rows (bot.app),
    the heartbeat every few seconds. Does nothing while a drain is running or already
    scheduled, or when the application has no JobQueue."""
    job_queue = application.job_queue
    if job_queue is None or application.bot_data.sender.lock.locked():
        return
    if job_queue.get_jobs_by_name(DRAIN_JOB):
        return
    job_queue.run_once(_drain_job, 0, name=DRAIN_JOB, job_kwargs={"misfire_grace_time": None})


async def start_sender(application: Application) -> None:
    """At start-up (``post_init``): settle rows a crash left in flight, schedule the heartbeat.

    Rows still 'sending' were handed to Telegram, or about to be, when the process died; whether
    they arrived is unknown. The kind's policy in the table of outbox kinds decides
    (:func:`bot.sending.delivery.at_most_once_kinds`): *must arrive* kinds are sent again,
    *at most once* kinds are closed as interrupted (counted in the broadcast report).
    """
    data: BotData = application.bot_data
    settled = await outbox.settle_in_flight(
        data.db, at_most_once_kinds(data), data.outbox_recipients
    )
    for item in settled.resent:
        log.warning(
            "Outbox row %s (%s to user %s) was in flight during a crash; sending it again",
            item.id,
            item.kind,
            item.user_id,
        )
    for item in settled.uncertain:
        log.warning(
            "Outbox row %s (%s to user %s) was in flight during a crash; perhaps delivered,"
            " not sent again",
            item.id,
            item.kind,
            item.user_id,
        )
    replace_repeating_job(
        application, _heartbeat, name=OUTBOX_JOB, interval=HEARTBEAT_SECONDS, first=0
    )
