"""Issue 24 bullet 5: retention that fits the chamber's audit. The records behind certificates
(user id, name, evening, hours, check-in, number) stay until 31 December of the evening's year +
CPD_RETENTION_YEARS (local time), everything else personal goes after DATA_RETENTION_DAYS; the
person's own deletion still takes everything and says what it costs; the export has the records.

Every test here fails on 61def71: there retention anonymised the checked-in sign-up of a
January evening after 180 days, the export had no certificates, the deletion question did not
mention them, and there was no CPD_RETENTION_YEARS.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.jobs import RETENTION_JOB
from bot.settings import ConfigError, load_settings
from domain.certificate_number import Verification
from domain.evening import end_of
from domain.retention import certificate_record_kept_until
from handlers.notices.certificates import plan_certificates
from storage import attendees as attendee_store
from storage import certificates as certificate_store
from storage import events as event_store
from storage import users as user_store
from testing.offline import offline_bot
from tests.conftest import make_event, make_settings
from tests.outbox_support import sign_up
from tests.web_support import served

BERLIN = ZoneInfo("Europe/Berlin")
JANUARY_2027 = datetime(2027, 1, 15, 18, 30, tzinfo=BERLIN)


# -- the rule ------------------------------------------------------------------------------


def test_records_are_kept_to_the_end_of_the_evenings_local_year_plus_the_years():
    assert certificate_record_kept_until(JANUARY_2027, BERLIN, 3) == datetime(
        2031, 1, 1, tzinfo=BERLIN
    )
    assert certificate_record_kept_until(JANUARY_2027, BERLIN, 0) == datetime(
        2028, 1, 1, tzinfo=BERLIN
    )
    # 31 Dec 2027, 23:30 UTC is already 1 January 2028 in Berlin: the local year counts.
    new_year = datetime(2027, 12, 31, 23, 30, tzinfo=UTC)
    assert certificate_record_kept_until(new_year, BERLIN, 3) == datetime(
        2032, 1, 1, tzinfo=BERLIN
    )
    assert certificate_record_kept_until(new_year, UTC, 3) == datetime(2031, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        certificate_record_kept_until(JANUARY_2027, BERLIN, -1)


def test_cpd_retention_years_is_a_setting_of_at_least_zero(tmp_path):
    assert make_settings(tmp_path).cpd_retention_years == 3
    assert make_settings(tmp_path, cpd_retention_years="0").cpd_retention_years == 0
    with pytest.raises(ConfigError, match="CPD_RETENTION_YEARS"):
        load_settings(_env_file=None, database_path=tmp_path / "x.sqlite3", cpd_retention_years=-1)


# -- the job across the year boundary --------------------------------------------------------


async def _rows(bot, sql, params=()):
    return [tuple(row) for row in await bot.data.db.fetch_all(sql, params)]


async def _run_retention(bot, clock, moment):
    clock.set(moment.astimezone(UTC))
    [job] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    await job.run(bot.app)


async def test_certificate_records_outlive_data_retention_until_the_years_end(tmp_path, clock):
    settings = make_settings(tmp_path)  # DATA_RETENTION_DAYS 180, CPD_RETENTION_YEARS 3
    cpd = make_event(
        "cpd-2027", starts_at=JANUARY_2027.astimezone(UTC), cpd_hours=2.0, capacity=None
    )
    plain = make_event(
        "ohne-2027", starts_at=JANUARY_2027.astimezone(UTC), title="Ohne Stunden", capacity=None
    )
    async with offline_bot(settings, clock=clock) as bot:
        clock.set(JANUARY_2027 - timedelta(days=10))
        await event_store.save_events(bot.data.db, [cpd, plain], clock.now())
        attended = (await sign_up(bot, clock, 1, "cpd-2027")).registration
        stayed_away = (await sign_up(bot, clock, 2, "cpd-2027")).registration
        await sign_up(bot, clock, 3, "ohne-2027")
        clock.set(JANUARY_2027 + timedelta(minutes=10))
        await attendee_store.check_in(bot.data.db, attended.id, clock.now())
        await attendee_store.check_in(bot.data.db, stayed_away.id, clock.now())
        await attendee_store.undo_check_in(bot.data.db, stayed_away.id)  # a mis-tap
        clock.set(end_of(cpd) + timedelta(minutes=1))
        assert await plan_certificates(bot.app.bot_data) == 1
        record = await certificate_store.certificate_for(bot.data.db, attended.id, clock.now())
        number = record.number

        async def person(user_id):
            return await _rows(
                bot,
                "SELECT event_id, name, ticket IS NOT NULL, checked_in_at IS NOT NULL"
                " FROM registrations WHERE user_id = ?",
                (user_id,),
            )

        # A second before DATA_RETENTION_DAYS have passed: everything is still there.
        expiry = end_of(cpd) + timedelta(days=settings.data_retention_days)
        await _run_retention(bot, clock, expiry - timedelta(seconds=1))
        assert await person(3) == [("ohne-2027", "Person 3", 1, 0)]
        assert await person(2) == [("cpd-2027", "Person 2", 1, 0)]

        # Then the evening without hours and the sign-up without check-in go; the record stays
        # (without its ticket), and so does its person.
        await _run_retention(bot, clock, expiry)
        assert await person(3) == [] and await user_store.get_user(bot.data.db, 3) is None
        assert await person(2) == [] and await user_store.get_user(bot.data.db, 2) is None
        assert await person(1) == [("cpd-2027", "Person 1", 0, 1)]
        assert await _rows(bot, "SELECT count(*) FROM registrations") == [(3,)]  # the counts

        # On the last evening of 2030 (local time) the record is still there, and verifies.
        await _run_retention(bot, clock, datetime(2030, 12, 31, 23, 59, 59, tzinfo=BERLIN))
        assert await person(1) == [("cpd-2027", "Person 1", 0, 1)]
        assert await user_store.get_user(bot.data.db, 1) is not None
        checked = await certificate_store.check_number(bot.data.db, number)
        assert checked.verdict is Verification.VALID and checked.name == "Person 1"
        [mine] = await bot.user(1).send("/meine")
        assert "Teilnahmebescheinigung" in mine.text and "15. Jan. 2027" in mine.text

        # From 1 January 2031, 00:00 in Berlin (still 31 December in UTC) it is gone.
        await _run_retention(bot, clock, datetime(2031, 1, 1, tzinfo=BERLIN))
        assert await person(1) == [] and await user_store.get_user(bot.data.db, 1) is None
        checked = await certificate_store.check_number(bot.data.db, number)
        assert checked.verdict is Verification.DELETED
        assert await _rows(
            bot,
            "SELECT count(*), count(checked_in_at) FROM registrations WHERE event_id = ?",
            ("cpd-2027",),
        ) == [(2, 1)]  # the anonymous count of who came stays


async def test_cpd_retention_years_zero_keeps_records_only_to_the_years_end(tmp_path, clock):
    settings = make_settings(tmp_path, cpd_retention_years=0, data_retention_days=30)
    cpd = make_event(
        "cpd-2027", starts_at=JANUARY_2027.astimezone(UTC), cpd_hours=1.5, capacity=None
    )
    async with offline_bot(settings, clock=clock) as bot:
        clock.set(JANUARY_2027 - timedelta(days=10))
        await event_store.save_events(bot.data.db, [cpd], clock.now())
        attended = (await sign_up(bot, clock, 1, "cpd-2027")).registration
        clock.set(JANUARY_2027 + timedelta(minutes=10))
        await attendee_store.check_in(bot.data.db, attended.id, clock.now())
        await _run_retention(bot, clock, datetime(2027, 12, 31, 23, 0, tzinfo=BERLIN))
        assert await _rows(bot, "SELECT count(user_id) FROM registrations") == [(1,)]
        await _run_retention(bot, clock, datetime(2028, 1, 1, tzinfo=BERLIN))
        assert await _rows(bot, "SELECT count(user_id) FROM registrations") == [(0,)]


# -- export and deletion ------------------------------------------------------------------------


async def _certified(bot, clock, add_events, user_id=7, lang="de"):
    event = make_event(cpd_hours=2.5)
    await add_events(event)
    registration = (await sign_up(bot, clock, user_id, lang=lang)).registration
    clock.set(event.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, registration.id, clock.now())
    clock.set(end_of(event) + timedelta(minutes=1))
    await plan_certificates(bot.app.bot_data)
    record = await certificate_store.certificate_for(bot.data.db, registration.id, clock.now())
    return record.number


async def test_the_export_contains_the_certificate_records(bot, clock, add_events):
    number = await _certified(bot, clock, add_events)
    user = bot.user(7)
    await user.send("/datenschutz")
    [document] = await user.press("Meine Daten")
    data = json.loads(document.document.content)
    [certificate] = data["certificates"]
    assert certificate["number"] == number
    assert certificate["event_id"] == "umbau-2026" and certificate["hours"] == 2.5
    assert certificate["name"] == "Person 7" and certificate["checked_in_at"]
    assert certificate["withdrawn_at"] is None and certificate["replaced_by"] is None


@pytest.mark.parametrize(
    ("lang", "command", "button", "yes", "parts"),
    [
        (
            "de",
            "/datenschutz",
            "Alles löschen",
            "Ja, alles löschen",
            ("Wirklich alles löschen?", "1 Teilnahmebescheinigung", "„nicht mehr gespeichert"),
        ),
        (
            "en",
            "/privacy",
            "Delete everything",
            "Yes, delete everything",
            ("1 certificate of attendance", "“no longer stored (deleted)”"),
        ),
    ],
)
async def test_deletion_says_what_it_costs_and_the_number_then_verifies_as_deleted(
    bot, clock, add_events, lang, command, button, yes, parts
):
    number = await _certified(bot, clock, add_events, lang=lang)
    user = bot.user(7, language_code=lang)
    await user.send(command)
    [question] = await user.press(button)
    for part in parts:
        assert part in question.text, part
    await user.press(yes)
    checked = await certificate_store.check_number(bot.data.db, number)
    assert checked.verdict is Verification.DELETED and checked.name is None
    async with served(bot) as web:  # what the deletion question said, over real HTTP
        page = await web.get(f"/bescheinigung/{number}?lang={lang}")
    said = {"de": "Nicht mehr gespeichert (gelöscht)", "en": "No longer stored (deleted)"}
    assert said[lang] in page.text and "Person 7" not in page.text


async def test_no_word_of_certificates_for_someone_without_any(bot, clock, add_events):
    await add_events(make_event())
    await sign_up(bot, clock, 9)
    user = bot.user(9)
    await user.send("/datenschutz")
    [question] = await user.press("Alles löschen")
    assert "Teilnahmebescheinigung" not in question.text
