"""Issue 5, point 6: /rundschreiben·/broadcast — any message (formatted text, photo, document)
to an audience (subscribers; confirmed attendees of an event; its waitlist), with a preview
copied back and the number of recipients; sent in the background through the paced sender with
copyMessage; progress edited at most every few seconds; a final report; never twice to anyone;
after a crash an unfinished broadcast resumes where it stopped."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from telegram import Update

from bot.sending.sender import drain_outbox
from handlers.organiser.broadcast import PROGRESS_JOB, report_progress
from storage import broadcasts as broadcast_store
from storage.broadcasts import Audience
from storage.db import to_db_time
from testing.fake_telegram import Entity, FakeBotApi
from testing.offline import offline_bot
from tests.conftest import ADMIN_ID, fast_bulk_settings, make_event, make_settings
from tests.organiser_support import rows, sign_up


@pytest.fixture
def settings(tmp_path):
    return fast_bulk_settings(tmp_path)


async def _subscribe(bot, user_ids, now, blocked=()):
    def write(conn):
        conn.executemany(
            "INSERT INTO users (id, subscribed, subscription_asked, blocked_at, created_at)"
            " VALUES (?, 1, 1, ?, ?)",
            [
                (user_id, to_db_time(now) if user_id in blocked else None, to_db_time(now))
                for user_id in user_ids
            ],
        )

    await bot.data.db.write(write)


async def _send_formatted(bot, user, text, entities):
    """The organiser sends a formatted text (entities as Telegram delivers them)."""
    message = bot.api.record_incoming(user.chat_id, user.user_id, text=text, entities=entities)
    marker = bot.api.marker()
    update = {"update_id": bot.api.next_update_id(), "message": message}
    await bot.app.process_update(Update.de_json(update, bot.app.bot))
    return bot.api.sent_since(marker, user.chat_id)


def _deliveries(api, *, exclude=(ADMIN_ID,)) -> Counter:
    """Successful copyMessage calls per chat (previews to the organiser left out)."""
    return Counter(
        int(call.params["chat_id"])
        for call in api.calls_to("copyMessage")
        if call.status == 200 and int(call.params["chat_id"]) not in exclude
    )


async def _confirm_to_subscribers(bot, admin, count):
    await admin.send("/rundschreiben")
    answers = await _send_formatted(
        bot, admin, "Neuer Termin: Allianzen!", [Entity("bold", 0, 11), Entity("italic", 12, 9)]
    )
    assert "An wen soll die Nachricht gehen?" in answers[-1].text
    answers = await admin.press(f"Abonnent:innen ({count})")
    preview, question = answers[-2], answers[-1]
    assert preview.method == "copyMessage" and preview.text == "Neuer Termin: Allianzen!"
    assert [e.type for e in preview.entities] == ["bold", "italic"]
    assert f"Empfänger:innen: {count}" in question.text
    return question


async def test_text_broadcast_to_subscribers_end_to_end(bot, clock):
    await _subscribe(bot, range(500, 530), clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await _confirm_to_subscribers(bot, admin, 30)
    assert rows(bot.data.settings.database_path, "SELECT count(*) FROM outbox") == [(0,)]
    answers = await admin.press("An 30 Personen senden")
    progress = answers[-1]
    assert "Rundschreiben wird gesendet" in progress.text and "0 von 30" in progress.text
    assert rows(
        bot.data.settings.database_path,
        "SELECT audience, status, progress_message_id FROM broadcasts",
    ) == [("subscribers", "sending", progress.message_id)]
    queued = rows(
        bot.data.settings.database_path,
        "SELECT count(*), count(DISTINCT user_id), min(kind), max(kind), count(broadcast_id)"
        " FROM outbox",
    )
    assert queued == [(30, 30, "broadcast", "broadcast", 30)]

    await drain_outbox(bot.app)
    assert _deliveries(bot.api) == {user_id: 1 for user_id in range(500, 530)}
    received = bot.api.last(517)
    assert received.text == "Neuer Termin: Allianzen!"
    assert [e.type for e in received.entities] == ["bold", "italic"]  # formatting kept

    await report_progress(bot.app)
    assert "Rundschreiben abgeschlossen" in bot.api.message(ADMIN_ID, progress.message_id).text
    report = admin.last.text
    assert "Bericht zum Rundschreiben" in report
    assert "zugestellt: 30" in report and "blockiert: 0" in report
    assert "fehlgeschlagen: 0" in report
    sent_messages = len(bot.api.messages(ADMIN_ID))
    await report_progress(bot.app)  # done: no second report
    assert len(bot.api.messages(ADMIN_ID)) == sent_messages
    await admin.press_data("1:abcs")  # a stale "send" does nothing
    assert rows(bot.data.settings.database_path, "SELECT count(*) FROM broadcasts") == [(1,)]
    assert bot.app.job_queue.get_jobs_by_name(PROGRESS_JOB)


async def test_progress_is_edited_at_most_every_few_seconds(bot, clock):
    await _subscribe(bot, range(500, 530), clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await _confirm_to_subscribers(bot, admin, 30)
    progress = (await admin.press("An 30 Personen senden"))[-1]

    def shown():
        message = bot.api.message(ADMIN_ID, progress.message_id)
        return message.text, message.edits - progress.edits

    await drain_outbox(bot.app, limit=10)
    await report_progress(bot.app)
    assert shown() == (progress.text, 0)  # too soon after the start
    clock.advance(timedelta(seconds=3))
    await report_progress(bot.app)
    assert "10 von 30" in shown()[0] and shown()[1] == 1
    await drain_outbox(bot.app, limit=5)
    await report_progress(bot.app)
    assert "10 von 30" in shown()[0] and shown()[1] == 1  # changed, but only a moment ago
    clock.advance(timedelta(seconds=1))
    await report_progress(bot.app)
    assert shown()[1] == 1
    clock.advance(timedelta(seconds=2))
    await report_progress(bot.app)
    assert "15 von 30" in shown()[0] and shown()[1] == 2
    clock.advance(timedelta(seconds=10))
    await report_progress(bot.app)
    assert shown()[1] == 2  # nothing new, no edit
    await drain_outbox(bot.app)
    await report_progress(bot.app)  # finished: reported at once
    assert "abgeschlossen" in shown()[0]


async def test_photo_to_confirmed_attendees_and_document_to_the_waitlist(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=3))
    for user_id in (11, 12, 13, 14, 15):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, f"P{user_id}")
    admin = bot.user(ADMIN_ID, first_name="Orga")

    await admin.send("/rundschreiben")
    await admin.send_photo(caption="Bitte pünktlich <kommen> & mitbringen")
    await admin.press("Angemeldete eines Termins")
    answers = await admin.press("Umbau statt Neubau")
    preview, question = answers[-2], answers[-1]
    assert preview.photo_file_id is not None
    assert "Empfänger:innen: 3 – die Angemeldeten von Umbau statt Neubau" in question.text
    await admin.press("An 3 Personen senden")

    await admin.send("/broadcast")
    await admin.send_document(b"%PDF-1.4 Anfahrt", filename="anfahrt.pdf", caption="Anfahrt")
    await admin.press("Warteliste eines Termins")
    await admin.press("Umbau statt Neubau")
    assert "Empfänger:innen: 2" in admin.last.text
    await admin.press("An 2 Personen senden")

    await drain_outbox(bot.app)
    assert _deliveries(bot.api) == {11: 1, 12: 1, 13: 1, 14: 1, 15: 1}
    for user_id in (11, 12, 13):
        photo = bot.api.last(user_id)
        assert photo.photo_file_id is not None
        assert photo.caption == "Bitte pünktlich <kommen> & mitbringen"
    for user_id in (14, 15):
        document = bot.api.last(user_id).document
        assert (document.filename, document.content) == ("anfahrt.pdf", b"%PDF-1.4 Anfahrt")
    await report_progress(bot.app)
    reports = [m.text for m in bot.api.messages(ADMIN_ID) if "Bericht" in m.text]
    assert len(reports) == 2
    assert "an 3 Empfänger:innen" in reports[0] and "zugestellt: 3" in reports[0]
    assert "an 2 Empfänger:innen" in reports[1] and "zugestellt: 2" in reports[1]


async def test_aborting_sends_nothing(bot, clock):
    await _subscribe(bot, range(500, 505), clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/rundschreiben")
    answers = await admin.send("/abbrechen")
    assert "Abgebrochen" in answers[-1].text
    answers = await admin.send("Das ist keine Rundnachricht")  # the dialogue is over
    assert "An wen" not in answers[-1].text
    question = await _confirm_to_subscribers(bot, admin, 5)
    answers = await admin.press("Abbrechen", question)
    assert "Abgebrochen" in answers[-1].text
    await admin.press_data("1:abcs")
    await drain_outbox(bot.app)
    assert rows(bot.data.settings.database_path, "SELECT count(*) FROM broadcasts") == [(0,)]
    assert rows(bot.data.settings.database_path, "SELECT count(*) FROM outbox") == [(0,)]
    assert _deliveries(bot.api) == {}


async def test_an_empty_audience_is_said_and_another_can_be_chosen(bot, add_events, clock):
    await add_events(make_event("umbau-2026"))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/rundschreiben")
    await admin.send("Hallo")
    await admin.press("Warteliste eines Termins")
    answers = await admin.press("Umbau statt Neubau")
    assert "gibt es zurzeit niemanden" in answers[-1].text
    await admin.press("Angemeldete eines Termins")
    answers = await admin.press("Umbau statt Neubau")
    assert "Empfänger:innen: 1" in answers[-1].text


async def test_the_same_message_is_broadcast_once(bot, clock):
    await _subscribe(bot, range(500, 510), clock.now())
    values = {
        "created_by": ADMIN_ID,
        "source_chat_id": ADMIN_ID,
        "source_message_id": 7,
        "audience": Audience.SUBSCRIBERS,
        "event_id": None,
        "progress_chat_id": ADMIN_ID,
        "progress_message_id": 8,
        "now": clock.now(),
    }
    first = await broadcast_store.create_broadcast(bot.data.db, **values)
    again = await broadcast_store.create_broadcast(bot.data.db, **values)
    assert (first.recipients, again.duplicate, again.broadcast_id) == (
        10,
        True,
        first.broadcast_id,
    )
    assert rows(bot.data.settings.database_path, "SELECT count(*) FROM outbox") == [(10,)]


class Killed(BaseException):
    """The process dies (kill -9): nothing after this point runs, no handler catches it."""


async def test_200_recipients_with_403_and_429_killed_halfway_and_restarted(tmp_path, clock):
    settings = make_settings(tmp_path, broadcast_rate=1000)
    api = FakeBotApi()
    recipients = list(range(5000, 5200))
    marked_blocked = {5001, 5002, 5003}  # blocked the bot earlier: skipped without a call
    blocks_now = set(recipients[::20])  # 10 more answer 403 when the broadcast reaches them
    reachable = set(recipients) - marked_blocked - blocks_now
    for chat_id in marked_blocked | blocks_now:
        api.block(chat_id)

    async with offline_bot(settings, clock=clock, api=api) as first:
        await _subscribe(first, recipients, clock.now(), blocked=marked_blocked)
        admin = first.user(ADMIN_ID, first_name="Orga")
        await _confirm_to_subscribers(first, admin, 200)
        progress = (await admin.press("An 200 Personen senden"))[-1]

        # Flood control for a while: three 429s in a row (PTB retries twice, then the sender
        # pauses), then the process is killed right after the 100th delivery, before the
        # sender could record it.
        api.fail_next(3, status=429, retry_after=1)
        deliver = api.do_request

        async def dying(*args, **kwargs):
            result = await deliver(*args, **kwargs)
            if sum(_deliveries(api).values()) == 100:
                raise Killed
            return result

        api.do_request = dying
        with pytest.raises(Killed):
            await drain_outbox(first.app)
        api.do_request = deliver
        states = dict(
            rows(settings.database_path, "SELECT state, count(*) FROM outbox GROUP BY state")
        )
        assert states["sending"] == 1 and states["pending"] > 50
        assert sum(_deliveries(api).values()) == 100
        assert api.calls_to("copyMessage")[1].status == 429  # after the preview

    # The restart: the same database, the same Telegram.
    async with offline_bot(settings, clock=clock, api=api) as second:
        assert second.app.job_queue.get_jobs_by_name(PROGRESS_JOB)
        await report_progress(second.app)
        resumed = api.last(ADMIN_ID)
        assert "nach einem Neustart fortgesetzt" in resumed.text
        assert "unterbrochen" in api.message(ADMIN_ID, progress.message_id).text
        await drain_outbox(second.app)
        clock.advance(timedelta(seconds=5))
        await report_progress(second.app)
        report = api.last(ADMIN_ID).text
        assert "abgeschlossen" in api.message(ADMIN_ID, resumed.message_id).text

    delivered = _deliveries(api)
    assert delivered == {chat_id: 1 for chat_id in reachable}  # everyone reachable, once
    assert not any(chat_id in delivered for chat_id in marked_blocked | blocks_now)
    assert not [
        c for c in api.calls_to("copyMessage") if int(c.params["chat_id"]) in marked_blocked
    ]
    # The row in flight at the crash was delivered, but the bot cannot know: it is reported
    # as interrupted, never sent again.
    assert f"zugestellt: {len(reachable) - 1}" in report
    assert f"haben den Bot blockiert: {len(marked_blocked | blocks_now)}" in report
    assert "fehlgeschlagen: 0" in report
    assert "nicht wiederholt: 1" in report
    assert rows(settings.database_path, "SELECT status FROM broadcasts") == [("done",)]
    assert rows(
        settings.database_path,
        "SELECT count(*) FROM users WHERE blocked_at IS NOT NULL",
    ) == [(len(marked_blocked | blocks_now),)]
    assert api.rejections == []
