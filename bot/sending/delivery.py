"""How long the sender keeps trying, what it never repeats, and telling organisers what it gave up.

The rules per kind (PRODUCT §6, stated for organisers in docs/OPERATIONS.md):

- **Keep trying while the message matters.** A 5xx, a timeout or a network error never closes
  a row by itself: it is retried with capped backoff (:data:`BACKOFF_CAP`). Whether it still
  matters is asked before every try: the kind's renderer returns ``None`` once the evening has
  begun (reminders), is over or changed again (notices); broadcasts and these reports stop after
  ``BROADCAST_RETRY_HOURS`` (default 24 h). A row that had failed before and then stops
  mattering is closed as :data:`~storage.outbox.EXPIRED` and counted in a report to organisers.
- **Never twice where that is the promise** (broadcasts, reminders, announcements): Telegram
  has no idempotency key, so a send that timed out after the request went out may have been
  delivered. Such a row is closed as :data:`~storage.outbox.UNCERTAIN` and never repeated; the
  broadcast report counts it. Bulk calls get a generous read timeout so this stays rare.
- **Rather twice than never** (change and cancellation notices, waitlist promotions): they tell
  a person something they must act on, so a timed-out send is tried again.
- **After a crash** the same policy decides (bot.sending.sender.start_sender): a row left in
  flight is sent again when its kind must arrive, and closed as interrupted (perhaps delivered,
  counted in the broadcast report) when it is at most once.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TimedOut

from bot.callbacks import Action, pack
from bot.context import BotData
from bot.outgoing import OutgoingMessage, Policy
from storage import outbox
from storage.outbox import OutboxItem, OutboxKind

BACKOFF_BASE = timedelta(seconds=5)  # 5 s, 15 s, 45 s, … (× 3), capped below
BACKOFF_FACTOR = 3
BACKOFF_CAP = timedelta(minutes=5)  # after an outage everything is out within this
BULK_READ_TIMEOUT = 30.0  # seconds; PTB's default of 5 s made delivered sends look failed


NEVER_TWICE = Policy(at_most_once=True)  # broadcasts, reminders, announcements (never repeated)
NEVER_TWICE_WITHIN_WINDOW = Policy(at_most_once=True, window=True)  # broadcasts
WITHIN_WINDOW = Policy(window=True)  # these reports
RATHER_TWICE = Policy()  # change notices, promotions… (the default: retried after a timeout)


def policy_of(data: BotData, kind: str) -> Policy:
    """The delivery rule of ``kind`` (the table of outbox kinds, bot.app)."""
    entry = data.outbox_kinds.get(kind)
    return entry.policy if entry is not None else RATHER_TWICE


def at_most_once_kinds(data: BotData) -> frozenset[str]:
    """The kinds never sent twice: left in flight by a crash, they are closed, not re-sent."""
    kinds = data.outbox_kinds.items()
    return frozenset(kind for kind, entry in kinds if entry.policy.at_most_once)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed tries: 5 s × 3ⁿ⁻¹, at most 5 min."""
    return min(BACKOFF_BASE * BACKOFF_FACTOR ** max(attempts - 1, 0), BACKOFF_CAP)


def window_passed(data: BotData, item: OutboxItem, now: datetime) -> bool:
    """Whether a row of a windowed kind has been waiting longer than the retry window."""
    if not policy_of(data, item.kind).window:
        return False
    return now - item.created_at >= timedelta(hours=data.settings.broadcast_retry_hours)


def may_have_arrived(exc: Exception) -> bool:
    """A timeout after the request was written: Telegram may have delivered it. A connect or
    pool timeout means nothing went out."""
    if not isinstance(exc, TimedOut):
        return False
    return not isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


def gave_up_before(item: OutboxItem) -> bool:
    """The row had failed transiently before it stopped mattering (so it was lost, not moot)."""
    return item.error is not None and item.error != outbox.EXPIRED and item.attempts > 1


async def report_given_up(data: BotData, given_up: Counter[str], now: datetime) -> None:
    """Queue one report per organiser: how many messages of which kind were given up.

    Broadcast rows are left out (their own report counts them), and so are lost reports.
    """
    counts = {
        kind: n
        for kind, n in given_up.items()
        if kind not in (OutboxKind.BROADCAST, OutboxKind.DELIVERY_REPORT) and n
    }
    if not counts or not data.settings.admin_ids:
        return

    def write(conn: sqlite3.Connection) -> None:
        for admin in sorted(data.settings.admin_ids):
            outbox.add_counts(conn, admin, OutboxKind.DELIVERY_REPORT, counts, now)

    await data.db.write(write)


async def render_delivery_report(
    data: BotData, lang: str, payload: dict[str, Any]
) -> OutgoingMessage | None:
    """Outbox kind ``delivery_report``: "n messages could not be delivered in time", by kind."""
    translator = data.translator
    counts: dict[str, int] = payload.get("counts") or {}
    total = sum(counts.values())
    lines = [translator.text(lang, "delivery.given_up", count=total)]
    for kind, n in sorted(counts.items()):
        try:
            label: object = translator.text(lang, f"delivery.kind.{kind}", count=n)
        except KeyError:  # a kind without a name in the catalogue (tests, the benchmark)
            label = kind
        lines.append(translator.text(lang, "delivery.given_up_line", kind=label, count=n))
    # The way on (issue 23): the organiser menu, as handlers.ui.way_on writes it (the sender sits
    # below the features, so the row is built here).
    menu = InlineKeyboardButton(
        translator.plain(lang, "admin.back"), callback_data=pack(Action.ADMIN_MENU)
    )
    return OutgoingMessage.html(Markup("\n").join(lines), InlineKeyboardMarkup([[menu]]))
