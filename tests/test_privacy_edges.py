"""Issue 15, privacy edges: an organiser's own "delete my data" leaves their id neither in
``broadcasts`` nor in outbox payloads (a sent broadcast keeps its counts, one still sending
stops), and retention removes the people whose every sign-up is past the retention period,
with "the evening is over" decided by ``domain.evening.end_of`` (no ``ends``: start + 2 h)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from telegram import BotCommandScopeChat

from bot.jobs import RETENTION_JOB
from bot.sending.sender import drain_outbox
from handlers.organiser.broadcast import report_progress
from storage import users as user_store
from tests.conftest import ADMIN_ID, NOW, fast_bulk_settings, make_event
from tests.invariants import assert_consistent
from tests.signup_support import signed_up
from tests.test_broadcast import _confirm_to_subscribers, _deliveries, _subscribe
from tests.test_privacy import rows_of


@pytest.fixture
def settings(tmp_path):
    return fast_bulk_settings(tmp_path)


async def _traces_of(bot, user_id: int) -> list[tuple[str, str]]:
    """Every (table, column) whose value holds ``user_id``, as a number or inside a text."""
    found = []
    tables = await rows_of(bot, "SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in tables:
        columns = await rows_of(bot, f"SELECT name FROM pragma_table_info('{table}')")
        for (column,) in columns:
            hits = await rows_of(
                bot,
                f"SELECT count(*) FROM {table} WHERE {column} = ?1"
                f" OR instr(CAST({column} AS TEXT), CAST(?1 AS TEXT)) > 0",
                (user_id,),
            )
            if hits[0][0]:
                found.append((table, column))
    return found


# Issue 22: the organiser command menu set in the person's chat is removed on deletion, and
# then its record (organiser_menus): nothing of the id stays.
ORGANISER_MENU: list[tuple[str, str]] = []


async def _delete_my_data(user) -> str:
    await user.send("/datenschutz")
    await user.press("Alles löschen")
    [done] = await user.press("Ja, alles löschen")
    return done.text


async def test_a_sent_broadcast_keeps_its_counts_but_loses_its_author(bot, clock):
    await _subscribe(bot, range(500, 510), clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await _confirm_to_subscribers(bot, admin, 10)
    await admin.press("An 10 Personen senden")
    await drain_outbox(bot.app)
    await report_progress(bot.app)  # closed, report sent
    assert ("broadcasts", "created_by") in await _traces_of(bot, ADMIN_ID)

    text = await _delete_my_data(admin)
    assert text.startswith("✅ Ihre Daten wurden gelöscht")
    assert "Rundschreiben" not in text  # nothing was stopped
    assert await _traces_of(bot, ADMIN_ID) == ORGANISER_MENU
    assert await rows_of(
        bot, "SELECT created_by, source_chat_id, progress_chat_id, status FROM broadcasts"
    ) == [(0, 0, None, "done")]
    assert await rows_of(
        bot, "SELECT state, count(*), min(payload), max(payload) FROM outbox GROUP BY state"
    ) == [("sent", 10, "{}", "{}")]
    assert_consistent(bot.data.db.path)


async def test_a_broadcast_still_sending_stops_when_its_author_deletes_their_data(bot, clock):
    await _subscribe(bot, range(500, 530), clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await _confirm_to_subscribers(bot, admin, 30)
    await admin.press("An 30 Personen senden")
    await drain_outbox(bot.app, limit=12)
    assert sum(_deliveries(bot.api).values()) == 12

    text = await _delete_my_data(admin)
    assert "Rundschreiben" in text and "angehalten" in text
    assert "18 Empfänger:innen haben es nicht mehr bekommen" in text
    assert await _traces_of(bot, ADMIN_ID) == ORGANISER_MENU
    assert await rows_of(bot, "SELECT state, count(*) FROM outbox GROUP BY state") == [
        ("sent", 12)
    ]
    assert await rows_of(bot, "SELECT status, finished_at IS NOT NULL FROM broadcasts") == [
        ("done", 1)
    ]
    calls = len(bot.api.calls)
    await drain_outbox(bot.app)
    await report_progress(bot.app)  # nothing to resume, no report to a deleted author
    assert bot.api.calls[calls:] == []
    assert sum(_deliveries(bot.api).values()) == 12  # nobody got it twice, nobody more
    assert_consistent(bot.data.db.path)


async def test_deletion_removes_the_command_menu_of_the_chat_and_then_its_record(bot):
    """Issue 22.8: an organiser (or anyone with a menu in their own chat, as door staff) who
    deletes their data loses the chat's command menu (deleteMyCommands with their chat scope)
    and then the organiser_menus row."""
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/start")
    scope = BotCommandScopeChat(ADMIN_ID)
    assert bot.api.commands(scope) != []
    assert await rows_of(bot, "SELECT user_id FROM organiser_menus") == [(ADMIN_ID,)]

    await _delete_my_data(admin)
    [call] = bot.api.calls_to("deleteMyCommands")
    assert call.params["scope"] in (scope.to_dict(), scope.to_json())
    assert bot.api.commands(scope) == []
    assert await rows_of(bot, "SELECT user_id FROM organiser_menus") == []
    assert await _traces_of(bot, ADMIN_ID) == []


async def test_a_menu_telegram_would_not_remove_stays_recorded_for_the_next_try(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/start")
    bot.api.fail_next(status=500, method="deleteMyCommands")
    text = await _delete_my_data(admin)
    assert text.startswith("✅ Ihre Daten wurden gelöscht")  # the deletion itself is done
    assert bot.api.commands(BotCommandScopeChat(ADMIN_ID)) != []
    assert await rows_of(bot, "SELECT user_id FROM organiser_menus") == [(ADMIN_ID,)]


async def test_retention_removes_people_whose_every_sign_up_has_expired(bot, add_events, clock):
    old = make_event("alt", days=-181, title="Alt", capacity=None, ends_at=None)
    recent = make_event("neu", days=-10, title="Neu", capacity=None)
    clock.set(NOW - timedelta(days=200))
    await add_events(old, dataclasses.replace(recent, starts_at=NOW + timedelta(days=1)))
    await signed_up(bot, 730_301, event_id="alt")  # only the long-past evening: goes
    await signed_up(bot, 31, event_id="alt")  # and a later one: stays
    await signed_up(bot, 31, event_id="neu")
    await signed_up(bot, 32, event_id="alt")  # a subscriber: stays
    await user_store.set_subscribed(bot.data.db, 32, True)
    clock.set(NOW)

    [job] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    await job.run(bot.app)
    assert await user_store.get_user(bot.data.db, 730_301) is None
    assert await _traces_of(bot, 730_301) == []
    assert await user_store.get_user(bot.data.db, 31) is not None
    assert await user_store.get_user(bot.data.db, 32) is not None
    assert await rows_of(
        bot, "SELECT count(*), count(user_id) FROM registrations WHERE event_id = 'alt'"
    ) == [(3, 0)]
    assert await rows_of(bot, "SELECT user_id FROM registrations WHERE event_id = 'neu'") == [
        (31,)
    ]
    assert_consistent(bot.data.db.path)


@pytest.mark.parametrize(
    ("after_end", "expired"), [(-timedelta(seconds=1), False), (timedelta(0), True)]
)
async def test_retention_counts_from_start_plus_two_hours_without_an_end(
    bot, add_events, clock, after_end, expired
):
    """An evening without ``ends`` is over at start + 2 h (``domain.evening.end_of``): its
    data stays until DATA_RETENTION_DAYS after that, not after the start."""
    start = NOW - timedelta(days=200)
    clock.set(start - timedelta(days=5))
    await add_events(make_event("ohne-ende", capacity=None, starts_at=start, ends_at=None))
    await signed_up(bot, 40, event_id="ohne-ende")
    retention = timedelta(days=bot.data.settings.data_retention_days)
    clock.set(start + timedelta(hours=2) + retention + after_end)

    [job] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    await job.run(bot.app)
    named = await rows_of(bot, "SELECT count(name) FROM registrations")
    assert named == ([(0,)] if expired else [(1,)])
    assert (await user_store.get_user(bot.data.db, 40) is None) is expired
