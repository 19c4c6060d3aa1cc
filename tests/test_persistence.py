"""Issue 15, last point: open dialogues survive a restart or deploy (a sign-up waiting for the
name, an organiser's half-written event, a broadcast waiting for confirmation), kept in the
project's SQLite through PTB's persistence API (bot.persistence), with the privacy rules of other
personal data. Each test stops the real Application (shutdown) and builds a new one on the same
file and the same fake Telegram, so the chat history and its buttons carry over."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_application
from bot.context import UserData
from bot.persistence import UPDATE_INTERVAL, dump_dialogues, load_dialogues
from bot.sending.sender import drain_outbox
from bot.state import EventDraft
from domain.models import Speaker
from handlers.attendee.privacy import retention_periods
from handlers.organiser.broadcast import report_progress
from storage import dialogues
from storage import events as event_store
from storage import privacy as privacy_store
from storage.db import to_db_time
from testing.fake_telegram import FakeBotApi, FakeUser
from testing.offline import offline_bot, unthrottled
from tests.conftest import ADMIN_ID, fast_bulk_settings, make_event
from tests.organiser_support import rows

STATES = "SELECT handler, chat_id, user_id, state FROM dialogue_states ORDER BY handler, user_id"
DRAFTS = "SELECT user_id, data FROM dialogue_drafts ORDER BY user_id"


@pytest.fixture
def settings(tmp_path):
    return fast_bulk_settings(tmp_path)


@pytest.fixture
def api():
    return FakeBotApi()  # one Telegram for both runs: the chats and their buttons carry over


def stored(settings, sql=STATES):
    return rows(settings.database_path, sql)


async def test_a_sign_up_waiting_for_the_name_completes_after_a_restart(settings, clock, api):
    async with offline_bot(settings, clock=clock, api=api) as first:
        await event_store.save_events(first.data.db, [make_event()], clock.now())
        user = first.user(7, first_name="Erika")
        [card] = await user.send("/start ev_umbau-2026")
        [prompt] = await user.press("Anmelden", card)
        assert "Unter welchem Namen" in prompt.text
    assert stored(settings) == [("signup", 7, 7, "1")]  # written by the real shutdown
    [(user_id, data)] = stored(settings, DRAFTS)
    assert user_id == 7 and json.loads(data)["signup_dialogue"]["event"] == "umbau-2026"

    clock.advance(timedelta(minutes=10))  # a deploy
    async with offline_bot(settings, clock=clock, api=api) as second:
        user = second.user(7, first_name="Erika")
        answers = await user.send("Erika Neumann")
        assert answers[0].text == "Sie melden sich als Erika Neumann an."
        assert "Sind Sie einverstanden?" in answers[-1].text
        [done] = await user.press("Einverstanden")
        assert done.text.startswith("✅ Sie sind angemeldet.")
        assert second.api.rejections == []
    assert stored(settings, "SELECT user_id, name, status FROM registrations") == [
        (7, "Erika Neumann", "confirmed")
    ]
    assert stored(settings) == [] and stored(settings, DRAFTS) == []  # the dialogue is over


async def test_an_organisers_half_written_event_goes_on_after_a_restart(settings, clock, api):
    async with offline_bot(settings, clock=clock, api=api) as first:
        admin = first.user(ADMIN_ID, first_name="Orga")
        await admin.send("/admin")
        await admin.press("Neuer Termin")
        await admin.send("Allianzen & Bestand")
        await admin.send("22.10.2030 18:30")
        await admin.send("21:00")
        answers = await admin.send("Haus der Architektinnen und Architekten")
        assert "Schritt 5 von 11" in answers[-1].text  # the address is asked
    [(handler, _, user_id, _)] = stored(settings)
    assert (handler, user_id) == ("organiser-dialogues", ADMIN_ID)

    async with offline_bot(settings, clock=clock, api=api) as second:
        admin = second.user(ADMIN_ID, first_name="Orga")
        answers = await admin.send("Danneckerstraße 54, 70182 Stuttgart")
        assert "Schritt 6 von 11" in answers[-1].text
        await admin.press("Überspringen")  # map pin
        await admin.send("80")
        await admin.press("Überspringen")  # registration deadline
        await admin.press("Überspringen")  # hours of professional development
        await admin.press("Überspringen")  # description
        answers = await admin.send("Ilona Schaal | Theater Rampe")
        summary = answers[-1].text
        assert "Bitte prüfen Sie den Termin" in summary
        assert "Allianzen & Bestand" in summary  # typed before the restart
        assert "Dienstag, 22. Oktober 2030, 18:30 Uhr" in summary
        assert "Danneckerstraße 54" in summary and "Ilona Schaal" in summary
        await admin.press("Speichern")
        [event] = await event_store.list_all(second.data.db)
        assert second.api.rejections == []
    assert event.title == "Allianzen & Bestand" and event.capacity == 80
    assert event.starts_at == datetime(2030, 10, 22, 16, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 10, 22, 19, 0, tzinfo=UTC)
    assert event.speakers == (Speaker("Ilona Schaal", "Theater Rampe"),)
    assert stored(settings) == [] and stored(settings, DRAFTS) == []


async def test_a_broadcast_waiting_for_confirmation_is_sent_after_a_restart(settings, clock, api):
    async with offline_bot(settings, clock=clock, api=api) as first:

        def subscribe(conn):
            conn.executemany(
                "INSERT INTO users (id, subscribed, subscription_asked, created_at)"
                " VALUES (?, 1, 1, ?)",
                [(user_id, to_db_time(clock.now())) for user_id in range(500, 505)],
            )

        await first.data.db.write(subscribe)
        admin = first.user(ADMIN_ID, first_name="Orga")
        await admin.send("/rundschreiben")
        await admin.send("Neuer Termin: Allianzen!")
        answers = await admin.press("Abonnent:innen (5)")
        assert "Empfänger:innen: 5" in answers[-1].text
    assert stored(settings, "SELECT count(*) FROM broadcasts") == [(0,)]

    async with offline_bot(settings, clock=clock, api=api) as second:
        admin = second.user(ADMIN_ID, first_name="Orga")
        answers = await admin.press("An 5 Personen senden")  # the button from before
        assert "Rundschreiben wird gesendet" in answers[-1].text
        await drain_outbox(second.app)
        await report_progress(second.app)
        assert "zugestellt: 5" in admin.last.text  # the report
        assert [second.api.last(user_id).text for user_id in range(500, 505)] == [
            "Neuer Termin: Allianzen!"
        ] * 5
        assert second.api.rejections == []
    assert stored(settings, "SELECT audience, status FROM broadcasts") == [("subscribers", "done")]
    assert stored(settings) == [] and stored(settings, DRAFTS) == []


@contextlib.asynccontextmanager
async def killed_bot(settings, clock, api):
    """A bot whose process dies: no stop, no shutdown, no last hand-over to the persistence."""
    application = build_application(settings, request=api, clock=clock, rate_limiter=unthrottled())
    await application.initialize()
    await application.post_init(application)
    try:
        yield application
    finally:
        await application.bot_data.db.close()  # the file stays as the dead process left it


async def test_a_killed_process_loses_only_what_changed_since_the_last_hand_over(
    settings, clock, api
):
    assert build_application(settings).persistence.update_interval == UPDATE_INTERVAL == 10
    async with offline_bot(settings, clock=clock, api=api) as setup:
        await event_store.save_events(setup.data.db, [make_event()], clock.now())
    async with killed_bot(settings, clock, api) as first:
        erika = FakeUser(first, api, 7)
        await erika.press("Anmelden", (await erika.send("/start ev_umbau-2026"))[0])
        await first.update_persistence()  # what PTB does every UPDATE_INTERVAL seconds
        max_ = FakeUser(first, api, 8)
        await max_.press("Anmelden", (await max_.send("/start ev_umbau-2026"))[0])
        # killed here: Max's step came after the last hand-over
    assert stored(settings) == [("signup", 7, 7, "1")]

    async with offline_bot(settings, clock=clock, api=api) as second:
        answers = await second.user(7).send("Erika Neumann")
        assert answers[0].text == "Sie melden sich als Erika Neumann an."
        answers = await second.user(8).send("Max Muster")
        assert "nicht verstanden" in answers[-1].text  # lost: not taken as a name
        assert await second.user(8).press("Anmelden")  # pressing again simply asks again


async def test_delete_my_data_removes_the_open_dialogue_rows(settings, clock, api):
    async with offline_bot(settings, clock=clock, api=api) as bot:
        await event_store.save_events(bot.data.db, [make_event()], clock.now())
        user = bot.user(7)
        await user.press("Anmelden", (await user.send("/start ev_umbau-2026"))[0])
        await bot.app.update_persistence()
        assert stored(settings) == [("signup", 7, 7, "1")] and len(stored(settings, DRAFTS)) == 1
        await user.send("/datenschutz")
        await user.press("Alles löschen")
        await user.press("Ja, alles löschen")
        assert stored(settings) == [] and stored(settings, DRAFTS) == []  # at once, in the DB
        answers = await user.send("Erika Neumann")  # the dialogue is over in memory too
        assert "nicht verstanden" in answers[-1].text
    assert stored(settings) == [] and stored(settings, DRAFTS) == []  # not written back


async def test_the_export_contains_the_open_dialogue(settings, clock, api):
    """/datenschutz ends the organiser's step (issue 22), the half-written event is kept."""
    async with offline_bot(settings, clock=clock, api=api) as bot:
        admin = bot.user(ADMIN_ID, first_name="Orga")
        await admin.send("/admin")
        await admin.press("Neuer Termin")
        await admin.send("Allianzen & Bestand")
        await bot.app.update_persistence()
        assert [row[0] for row in stored(settings)] == ["organiser-dialogues"]
        await admin.send("/datenschutz")
        [document] = await admin.press("Meine Daten")
    data = json.loads(document.document.content)["open_dialogues"]
    assert data["steps"] == []  # the command ended the wait
    [draft] = data["drafts"]
    assert draft["data"]["event_draft"]["values"]["title"] == "Allianzen & Bestand"


async def test_a_dialogue_left_for_more_than_a_week_is_forgotten(settings, clock, api):
    async with offline_bot(settings, clock=clock, api=api) as first:
        await event_store.save_events(first.data.db, [make_event(days=30)], clock.now())
        user = first.user(7)
        await user.press("Anmelden", (await user.send("/start ev_umbau-2026"))[0])
    clock.advance(dialogues.KEEP_FOR + timedelta(minutes=1))
    async with offline_bot(settings, clock=clock, api=api) as second:
        answers = await second.user(7).send("Erika Neumann")
        assert "nicht verstanden" in answers[-1].text  # not resumed
        assert len(stored(settings)) == 1  # still in the file until the retention job runs
        report = await privacy_store.remove_expired_personal_data(
            second.data.db, clock.now(), retention_periods(settings)
        )
    assert report.dialogues == 2
    assert stored(settings) == [] and stored(settings, DRAFTS) == []


async def test_a_stored_draft_that_no_longer_fits_is_dropped_with_its_step(settings, clock, api):
    async with offline_bot(settings, clock=clock, api=api) as first:
        await event_store.save_events(first.data.db, [make_event()], clock.now())
        user = first.user(7)
        await user.press("Anmelden", (await user.send("/start ev_umbau-2026"))[0])
    assert len(stored(settings, DRAFTS)) == 1

    async with offline_bot(settings, clock=clock, api=api) as tamper:  # e.g. an older version

        def rename(conn):
            conn.execute("UPDATE dialogue_drafts SET data = '{\"renamed_field\": 1}'")

        await tamper.data.db.write(rename)
        await tamper.app.update_persistence()
    # (that run wrote nothing back: the person sent nothing, their draft was unchanged)
    async with offline_bot(settings, clock=clock, api=api) as second:
        assert stored(settings) == [] and stored(settings, DRAFTS) == []
        answers = await second.user(7).send("Erika Neumann")
        assert "nicht verstanden" in answers[-1].text  # not stuck in a step without its draft


async def test_updates_without_a_changed_dialogue_write_nothing(settings, clock, api, monkeypatch):
    writes = []
    for name in ("save_state", "save_draft"):
        original = getattr(dialogues, name)

        async def spy(*args, _original=original, _name=name):
            writes.append(_name)
            return await _original(*args)

        monkeypatch.setattr(dialogues, name, spy)
    async with offline_bot(settings, clock=clock, api=api) as bot:
        await event_store.save_events(bot.data.db, [make_event()], clock.now())
        browsing = bot.user(5)
        for _ in range(20):
            await browsing.send("/termine")
        await bot.app.update_persistence()
        assert writes == []  # nobody in a dialogue: no persistence writes at all
        user = bot.user(7)
        await user.press("Anmelden", (await user.send("/start ev_umbau-2026"))[0])
        for _ in range(5):
            await user.send("\u200b")  # refused names: the same step again and again
        await bot.app.update_persistence()
        assert sorted(writes) == ["save_draft", "save_state"]  # one of each, not one per update
        await bot.app.update_persistence()
        assert len(writes) == 2


def test_drafts_are_json_of_plain_values_and_come_back_equal():
    draft = EventDraft(
        mode="create",
        values={
            "title": "Allianzen",
            "starts": datetime(2030, 10, 22, 16, 30, tzinfo=UTC),
            "coordinates": (48.77, 9.18),
            "capacity": 80,
            "speakers": (Speaker("Ilona Schaal", "Theater Rampe", None),),
            "description": None,
        },
        asking="ends",
    )
    text = dump_dialogues(UserData(event_draft=draft, checkin_search=("ev", "Mül")))
    assert text is not None and "Allianzen" in text and "pickle" not in text
    json.loads(text)  # plain JSON
    back = load_dialogues(text)
    assert back == {"event_draft": draft, "checkin_search": ("ev", "Mül")}
    assert isinstance(back["event_draft"].values["starts"], datetime)  # typed, not a string
    assert dump_dialogues(UserData(language="de")) is None  # nothing open: nothing kept


def test_only_the_declared_types_are_read():
    for forged in (
        '{"x": {"$obj": "Popen", "fields": {}}}',
        '{"event_draft": {"$obj": "EventDraft", "fields": {"mode": "edit", "evil": 1}}}',
        '{"event_draft": {"mode": "edit", "values": {"starts": "tomorrow"}}}',
        '{"checkin_search": {"$eval": "1"}}',
        "not json",
        "[1]",
    ):
        with pytest.raises(ValueError):
            load_dialogues(forged)
