"""Privacy self-service and announcements (issue 3, points 6 and 7; PRODUCT §4, §6): the notice
and its replacement file, "Meine Daten", "Alles löschen", the retention job, /abo and the
question of the first /start — end to end through the real Application."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from bot.jobs import RETENTION_JOB
from bot.sending.sender import drain_outbox
from domain.notices import PROMOTION_SETTLE
from handlers.attendee.privacy import schedule_retention
from storage import events as event_store
from storage import outbox
from storage import users as user_store
from testing.offline import offline_bot
from tests.conftest import NOW, make_event, make_settings
from tests.invariants import assert_consistent
from tests.signup_support import signed_up


async def rows_of(bot, sql, params=()):
    return [tuple(row) for row in await bot.data.db.fetch_all(sql, params)]


# --- the notice -----------------------------------------------------------------------------


async def test_privacy_notice_in_both_languages_with_its_buttons(bot):
    [notice] = await bot.user(1).send("/datenschutz")
    assert notice.text.startswith("🔒 Datenschutz")
    assert "180 Tage nach dem Termin" in notice.text
    assert notice.button_labels == ["📦 Meine Daten", "🗑 Alles löschen"]
    [notice] = await bot.user(2, language_code="en").send("/privacy")
    assert notice.text.startswith("🔒 Privacy")
    assert notice.button_labels == ["📦 My data", "🗑 Delete everything"]


async def test_privacy_notice_file_replaces_the_default(tmp_path, clock):
    notice_file = tmp_path / "datenschutz.txt"
    notice_file.write_text("Eigener Hinweis <b>der Kammer</b> & Co.\n\nZweiter Absatz.", "utf-8")
    settings = make_settings(tmp_path, privacy_notice_file=notice_file, data_retention_days=30)
    async with offline_bot(settings, clock=clock) as bot:
        [notice] = await bot.user(1).send("/datenschutz")
        assert notice.text == "Eigener Hinweis <b>der Kammer</b> & Co.\n\nZweiter Absatz."
        assert notice.button_labels == ["📦 Meine Daten", "🗑 Alles löschen"]
        notice_file.unlink()  # unreadable later: the default is shown, never an error
        [notice] = await bot.user(1).send("/datenschutz")
        assert "30 Tage nach dem Termin" in notice.text
        assert not bot.api.rejections


# --- Meine Daten ------------------------------------------------------------------------------


async def test_my_data_is_a_json_file_with_everything_stored(bot, add_events):
    await add_events(make_event(capacity=1), make_event("zwei", days=20, title="Zweiter Abend"))
    other = await signed_up(bot, 5, name="Andere Person")
    user = await signed_up(bot, 6, name="Erika <Muster>")  # waitlisted
    await signed_up(bot, 6, event_id="zwei", name="Erika <Muster>")
    await user_store.set_subscribed(bot.data.db, 6, True)
    await user.send("/datenschutz")
    [document] = await user.press("Meine Daten")
    assert document.document.filename == "meine-daten-kraft-der-region.json"
    data = json.loads(document.document.content)
    assert data["user"]["id"] == 6
    assert data["user"]["display_name"] == "Erika <Muster>"
    assert data["user"]["subscribed"] == 1 and data["user"]["consent_at"]
    assert [(r["event_title"], r["status"]) for r in data["registrations"]] == [
        ("Umbau statt Neubau", "waitlisted"),
        ("Zweiter Abend", "confirmed"),
    ]
    assert data["registrations"][0]["waitlist_position"] == 1
    assert all(r["ticket"] for r in data["registrations"])
    assert "Andere Person" not in document.document.content.decode()
    assert other.user_id not in {r["user_id"] for r in data["registrations"]}


# --- Alles löschen ----------------------------------------------------------------------------


async def test_delete_everything_after_a_confirmation_leaves_only_counts(bot, add_events, clock):
    past = make_event("frueher", days=-10, title="Früher Abend", capacity=None)
    await add_events(make_event(capacity=1), make_event("zwei", days=20, capacity=None))
    clock.set(NOW - timedelta(days=12))
    await add_events(past)
    user = await signed_up(bot, 7, event_id="frueher")
    clock.set(NOW)
    await signed_up(bot, 7)  # takes the only seat
    await signed_up(bot, 7, event_id="zwei")
    waiting = await signed_up(bot, 8, name="Jane Doe", lang="en")

    def write(conn):  # a queued message for the person
        outbox.enqueue(conn, 7, outbox.OutboxKind.REMINDER, {"registration_id": 1}, NOW)

    await bot.data.db.write(write)
    before = await event_store.seat_counts(bot.data.db, "umbau-2026")

    [notice] = await user.send("/datenschutz")
    [question] = await user.press("Alles löschen")
    assert "Wirklich alles löschen?" in question.text
    [kept] = await user.press("Nein, nichts löschen", question)
    assert kept.text == "Gut – es wurde nichts gelöscht."
    assert kept.button_labels == ["« Alle Termine"]  # the way on (issue 23)
    assert await user_store.get_user(bot.data.db, 7) is not None

    await user.press("Alles löschen", notice)
    [done] = await user.press("Ja, alles löschen")
    assert done.text.startswith(
        "✅ Ihre Daten wurden gelöscht. Von kommenden Terminen abgemeldet: 2."
    )

    assert await user_store.get_user(bot.data.db, 7) is None
    assert await rows_of(bot, "SELECT * FROM registrations WHERE user_id = 7") == []
    assert await rows_of(bot, "SELECT * FROM outbox WHERE user_id = 7") == []
    anonymous = await rows_of(
        bot,
        "SELECT event_id, status, name, ticket FROM registrations WHERE user_id IS NULL"
        " ORDER BY id",
    )
    assert anonymous == [
        ("frueher", "confirmed", None, None),  # history stays as an anonymous count
        ("umbau-2026", "cancelled", None, None),
        ("zwei", "cancelled", None, None),
    ]
    after = await event_store.seat_counts(bot.data.db, "umbau-2026")
    assert after.confirmed + after.waitlisted + after.cancelled == (
        before.confirmed + before.waitlisted + before.cancelled
    )
    # The freed seat went to the waitlist, and Jane is told in English.
    assert await rows_of(
        bot, "SELECT status FROM registrations WHERE user_id = 8 AND event_id = 'umbau-2026'"
    ) == [("confirmed",)]
    clock.advance(PROMOTION_SETTLE)  # a promotion is told once it has settled
    await drain_outbox(bot.app)
    assert waiting.last_text.startswith("🎉 A seat has become free")
    assert_consistent(bot.data.db.path)

    # Writing again starts from scratch: a new user row, name and consent asked again.
    answers = await user.send("/start")
    assert "Möchten Sie eine Nachricht bekommen" in answers[0].text
    stored = await user_store.get_user(bot.data.db, 7)
    assert stored.display_name is None and stored.consent_at is None


# --- retention --------------------------------------------------------------------------------


async def test_retention_job_is_scheduled_once_and_replaced(bot):
    [first] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    schedule_retention(bot.app)  # e.g. post_init running again
    [second] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    assert first.removed and second is not first


async def test_retention_removes_personal_data_of_long_past_events(bot, add_events, clock):
    old = make_event("alt", days=-181, title="Alt", capacity=None)
    recent = make_event("neu", days=-179, title="Neu", capacity=None)
    clock.set(NOW - timedelta(days=200))
    await add_events(
        dataclasses.replace(old, ends_at=old.starts_at + timedelta(hours=2)),
        dataclasses.replace(recent, ends_at=recent.starts_at + timedelta(hours=2)),
    )
    for user_id in (20, 21):
        await signed_up(bot, user_id, event_id="alt")
        await signed_up(bot, user_id, event_id="neu")

    def write(conn):
        outbox.enqueue(conn, 20, outbox.OutboxKind.REMINDER, {"event_id": "alt"}, NOW)
        conn.execute("UPDATE outbox SET state = 'sent'")

    await bot.data.db.write(write)
    clock.set(NOW)
    [job] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    await job.run(bot.app)
    assert await rows_of(
        bot,
        "SELECT count(*), count(user_id), count(name), count(ticket) FROM registrations"
        " WHERE event_id = 'alt'",
    ) == [(2, 0, 0, 0)]
    assert await rows_of(
        bot,
        "SELECT count(*), count(user_id), count(name), count(ticket) FROM registrations"
        " WHERE event_id = 'neu'",
    ) == [(2, 2, 2, 2)]
    assert await rows_of(bot, "SELECT count(*) FROM outbox") == [(0,)]
    counts = await event_store.seat_counts(bot.data.db, "alt")
    assert counts.confirmed == 2  # the anonymous count survives
    # People themselves stay (they may be subscribers); their old sign-ups are gone from /meine.
    assert await user_store.get_user(bot.data.db, 20) is not None


# --- announcements ----------------------------------------------------------------------------


async def test_first_start_asks_once_and_the_answer_is_stored(bot):
    user = bot.user(30)
    [welcome] = await user.send("/start")
    assert welcome.text.startswith("Willkommen")
    assert "Möchten Sie eine Nachricht bekommen" in welcome.text
    assert welcome.button_labels[-2:] == ["Ja, gern", "Nein, danke"]
    answers = await user.press("Ja, gern")
    edited = next(m for m in answers if m.message_id == welcome.message_id)
    assert "Ja, gern" not in edited.button_labels
    assert "📅 Nächste Termine" in edited.button_labels
    assert answers[-1].text.startswith("📣 Sie bekommen ab jetzt eine Nachricht")
    assert (await user_store.get_user(bot.data.db, 30)).subscribed
    [again] = await user.send("/start")
    assert "Möchten Sie" not in again.text and "Ja, gern" not in again.button_labels


async def test_no_to_the_question_and_english(bot):
    user = bot.user(31, language_code="en")
    [welcome] = await user.send("/start")
    assert "Would you like a message" in welcome.text
    await user.press("No, thanks")
    stored = await user_store.get_user(bot.data.db, 31)
    assert not stored.subscribed and stored.subscription_asked
    assert user.last_text.startswith("🔕 You do not get announcements")


async def test_abo_shows_the_setting_and_a_button_changes_it(bot):
    user = bot.user(32)
    [off] = await user.send("/abo")
    assert off.text.startswith("🔕") and off.button_labels == ["📣 Ankündigungen bestellen"]
    [again] = await user.send("/abo")  # typing it twice changes nothing
    assert again.text == off.text
    assert not (await user_store.get_user(bot.data.db, 32)).subscribed
    [on] = await user.press("📣 Ankündigungen bestellen", again)
    assert on.message_id == again.message_id and on.text.startswith("📣 Sie bekommen ab jetzt")
    assert on.button_labels == ["🔕 Ankündigungen abbestellen"]
    assert (await user_store.get_user(bot.data.db, 32)).subscribed
    [off] = await user.press("🔕 Ankündigungen abbestellen", on)
    assert off.text.startswith("🔕")
    assert not (await user_store.get_user(bot.data.db, 32)).subscribed
    english = bot.user(33, language_code="en")
    [view] = await english.send("/subscribe")
    [on] = await english.press("📣 Get announcements", view)
    assert on.text.startswith("📣 From now on")


async def test_a_failed_welcome_asks_again_next_time(bot):
    user = bot.user(34)
    bot.api.set_down(True)
    await user.send("/start")
    bot.api.set_down(False)
    [welcome] = await user.send("/start")
    assert "Möchten Sie eine Nachricht bekommen" in welcome.text
