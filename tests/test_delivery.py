"""Issue 15, delivery: the sender keeps trying while a message matters (a 1 h outage loses
nothing), gives up what stopped mattering and tells the organisers how much, and never repeats
a broadcast send that may have arrived (a change notice is tried again: the rule per kind)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import httpx
from telegram.error import TimedOut

from bot.sending.delivery import BACKOFF_CAP, BULK_READ_TIMEOUT, may_have_arrived
from bot.sending.sender import drain_outbox
from handlers.organiser.broadcast import report_progress
from storage import outbox
from storage.outbox import EXPIRED, UNCERTAIN, OutboxKind
from testing.fake_telegram import FakeBotApi
from testing.offline import offline_bot
from tests.conftest import ADMIN_ID, make_event, make_settings
from tests.outbox_support import outbox_rows
from tests.test_broadcast import _confirm_to_subscribers, _deliveries, _subscribe
from tests.test_sender import ECHO, queue

STEP = timedelta(seconds=30)


async def _changed(bot, user_ids, event_id="umbau-2026"):
    """Change notices (the venue moved) for ``user_ids``, as the event editor queues them."""
    now = bot.data.clock.now()
    payload = {"event_id": event_id, "changes": {"venue": ["Altes Haus", "Neues Haus"]}}

    def write(conn):
        for user_id in user_ids:
            outbox.enqueue(conn, user_id, OutboxKind.EVENT_CHANGED, payload, now)

    await bot.data.db.write(write)


async def _outage(bot, clock, duration):
    """Telegram unreachable for ``duration``; the sender keeps running every 30 s meanwhile."""
    bot.api.set_down()
    calls = 0
    for _ in range(int(duration / STEP)):
        before = len(bot.api.calls)
        await drain_outbox(bot.app)
        calls += len(bot.api.calls) - before
        clock.advance(STEP)
    bot.api.set_down(False)
    return calls


async def test_a_one_hour_outage_loses_nothing_and_is_not_hammered(bot, clock, add_events):
    await add_events(make_event())
    await queue(bot, [1, 2, 3])
    await _changed(bot, [4, 5])
    calls = await _outage(bot, clock, timedelta(hours=1))
    assert calls <= 120  # at most one try per run while Telegram is down
    rows = await outbox_rows(bot.data.db)
    assert [row["state"] for row in rows] == ["pending"] * 5
    assert max(row["attempts"] for row in rows) > 6  # the old limit gave up after 6 tries

    clock.advance(BACKOFF_CAP)
    report = await drain_outbox(bot.app)
    assert report.sent == 5
    assert [len(bot.api.messages(user)) for user in (1, 2, 3, 4, 5)] == [1] * 5
    assert "Neues Haus" in bot.api.last(4).text


async def test_what_stopped_mattering_during_an_outage_is_reported_to_organisers(
    bot, clock, add_events
):
    await add_events(make_event(days=0))  # begins at 18:30 today
    await _changed(bot, [4, 5])
    clock.advance(timedelta(hours=8))  # 17:00: the notices are still news
    await _outage(bot, clock, timedelta(hours=2))  # the evening begins meanwhile
    clock.advance(BACKOFF_CAP)
    await drain_outbox(bot.app)

    notices = await outbox_rows(bot.data.db, OutboxKind.EVENT_CHANGED)
    assert [(row["state"], row["error"]) for row in notices] == [("failed", EXPIRED)] * 2
    assert bot.api.messages(4) == [] and bot.api.messages(5) == []
    [report] = await outbox_rows(bot.data.db, OutboxKind.DELIVERY_REPORT)
    assert (report["user_id"], report["state"]) == (ADMIN_ID, "sent")
    text = bot.api.last(ADMIN_ID).text
    assert "Zustellung aufgegeben" in text and "2 Nachrichten" in text
    assert "Änderungsmitteilungen: 2" in text


async def test_a_broadcast_is_given_up_after_the_retry_window_and_counted(tmp_path, clock):
    settings = make_settings(tmp_path, broadcast_rate=1000, broadcast_retry_hours=1)
    async with offline_bot(settings, clock=clock) as bot:
        await _subscribe(bot, range(500, 503), clock.now())
        admin = bot.user(ADMIN_ID)
        await _confirm_to_subscribers(bot, admin, 3)
        await admin.press("An 3 Personen senden")
        await _outage(bot, clock, timedelta(minutes=70))
        await drain_outbox(bot.app)
        assert _deliveries(bot.api) == Counter()
        rows = await outbox_rows(bot.data.db, OutboxKind.BROADCAST)
        assert [row["error"] for row in rows] == [EXPIRED] * 3
        await report_progress(bot.app)
        assert "fehlgeschlagen: 3" in admin.last.text
        assert await outbox_rows(bot.data.db, OutboxKind.DELIVERY_REPORT) == []


async def test_a_broadcast_send_that_timed_out_is_never_repeated(tmp_path, clock):
    settings = make_settings(tmp_path, broadcast_rate=1000)
    async with offline_bot(settings, clock=clock) as bot:
        await _subscribe(bot, range(500, 504), clock.now())
        admin = bot.user(ADMIN_ID)
        await _confirm_to_subscribers(bot, admin, 4)
        await admin.press("An 4 Personen senden")
        bot.api.fail_next(1, "late", method="copyMessage")  # delivered, answer too late
        for _ in range(3):
            await drain_outbox(bot.app)
            clock.advance(BACKOFF_CAP)
        assert _deliveries(bot.api) == {500: 1, 501: 1, 502: 1, 503: 1}  # nobody twice
        rows = await outbox_rows(bot.data.db, OutboxKind.BROADCAST)
        assert [row["state"] for row in rows] == ["failed", "sent", "sent", "sent"]
        assert rows[0]["error"] == UNCERTAIN
        await report_progress(bot.app)
        assert "zugestellt: 3" in admin.last.text and "nicht wiederholt: 1" in admin.last.text


async def test_a_change_notice_that_timed_out_is_tried_again(bot, clock, add_events):
    """The other side of the rule: a notice a person must act on rather arrives twice."""
    await add_events(make_event())
    await _changed(bot, [4])
    bot.api.fail_next(1, "late", method="sendMessage")
    await drain_outbox(bot.app)
    clock.advance(BACKOFF_CAP)
    await drain_outbox(bot.app)
    assert len(bot.api.messages(4)) == 2
    [row] = await outbox_rows(bot.data.db)
    assert (row["state"], row["attempts"]) == ("sent", 2)


async def test_only_a_timeout_after_sending_counts_as_perhaps_delivered():
    def timed_out(cause: Exception) -> TimedOut:
        try:
            raise TimedOut() from cause
        except TimedOut as exc:
            return exc

    assert may_have_arrived(timed_out(httpx.ReadTimeout("slow")))
    assert not may_have_arrived(timed_out(httpx.ConnectTimeout("no route")))
    assert not may_have_arrived(timed_out(httpx.PoolTimeout("busy")))


class _TimeoutRecorder(FakeBotApi):
    """The fake Telegram, noting the read timeout of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.read_timeouts: dict[str, list] = {}

    async def do_request(self, url, method, request_data=None, read_timeout=None, **kwargs):
        """Record, then answer as usual."""
        self.read_timeouts.setdefault(url.rsplit("/", 1)[-1], []).append(read_timeout)
        return await super().do_request(url, method, request_data, read_timeout, **kwargs)


async def test_bulk_sends_wait_generously_for_the_answer(settings, clock):
    api = _TimeoutRecorder()
    async with offline_bot(settings, clock=clock, api=api) as bot:
        await queue(bot, [1], kind=ECHO)
        assert (await drain_outbox(bot.app)).sent == 1
        assert api.read_timeouts["sendMessage"][-1] == BULK_READ_TIMEOUT
