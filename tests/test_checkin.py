"""Issue 5, point 4: check-in. ``/start ci_<ticket>`` from an organiser checks the person in and
shows name and event; already checked in, waitlisted, cancelled and unknown tickets are each
answered clearly; for anyone else it reveals nothing. /checkin offers a paged tap list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.models import EventStatus
from storage import registrations as registration_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, sign_up, snapshot

EVENT_DAY = timedelta(days=14, hours=7, minutes=30)  # NOW + this = 17:30 Berlin, start 18:30


@pytest.fixture
async def door(bot, add_events, clock):
    """Capacity 1: Anna confirmed, Ben waitlisted, Carla cancelled; the clock at the door."""
    await add_events(make_event("umbau-2026", capacity=1))
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna <Alt>")
    ben = await sign_up(bot, clock.now(), "umbau-2026", 12, "Ben")
    carla = await sign_up(bot, clock.now(), "umbau-2026", 13, "Carla")
    await registration_store.cancel(bot.data.db, carla.id, 13, clock.now())
    clock.advance(EVENT_DAY)
    return {"anna": anna, "ben": ben, "carla": carla}


def _checked_in(bot) -> dict[str, str | None]:
    return dict(
        rows(bot.data.settings.database_path, "SELECT name, checked_in_at FROM registrations")
    )


async def test_scan_checks_in_and_shows_name_and_event(bot, door):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send(f"/start ci_{door['anna'].ticket}")
    assert len(answers) == 1
    assert "Eingecheckt: Anna <Alt>" in answers[0].text
    assert "Umbau statt Neubau" in answers[0].text
    assert _checked_in(bot)["Anna <Alt>"] == "2026-12-09T16:30:00Z"
    answers = await admin.send(f"/start ci_{door['anna'].ticket}")
    assert "Bereits eingecheckt (um 17:30 Uhr): Anna <Alt>" in answers[0].text
    assert _checked_in(bot)["Anna <Alt>"] == "2026-12-09T16:30:00Z"  # the first moment stays


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("ben", "Warteliste (Platz 1), nicht bestätigt: Ben"),
        ("carla", "Abgemeldet – dieses Ticket gilt nicht mehr: Carla"),
    ],
)
async def test_waitlisted_and_cancelled_tickets_are_not_checked_in(bot, door, who, expected):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    before = snapshot(bot.data.settings.database_path)
    answers = await admin.send(f"/start ci_{door[who].ticket}")
    assert expected in answers[0].text
    assert snapshot(bot.data.settings.database_path) == before


@pytest.mark.parametrize("ticket", ["ci_unknownticket", "ci_", "ci_<b>&", "ci_" + "x" * 80])
async def test_unknown_tickets(bot, door, ticket):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send(f"/start {ticket}")
    assert len(answers) == 1
    assert "Unbekanntes Ticket" in answers[0].text


async def test_non_organisers_learn_nothing_from_a_ticket(bot, door):
    stranger = bot.user(42, first_name="Mallory")
    await stranger.send("/hilfe")
    before = snapshot(bot.data.settings.database_path)
    replies = set()
    for ticket in (door["anna"].ticket, door["ben"].ticket, door["carla"].ticket, "nope"):
        answers = await stranger.send(f"/start ci_{ticket}")
        assert len(answers) == 1
        replies.add((answers[0].text, tuple(answers[0].button_labels)))
    assert len(replies) == 1  # the same answer for valid, waitlisted, cancelled and unknown
    text = next(iter(replies))[0]
    for secret in ("Anna", "Ben", "Carla", "Umbau", "Warteliste", "Unbekannt"):
        assert secret not in text
    assert snapshot(bot.data.settings.database_path) == before


async def test_a_ticket_for_another_day_asks_first(bot, add_events, clock):
    await add_events(make_event("umbau-2026", days=14))
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send(f"/start ci_{anna.ticket}")
    assert "gilt für Umbau statt Neubau am Mittwoch, 9. Dezember 2026" in answers[0].text
    assert "Nicht eingecheckt" in answers[0].text
    assert _checked_in(bot)["Anna"] is None
    answers = await admin.press("Trotzdem einchecken")
    assert "Eingecheckt: Anna" in answers[-1].text
    assert _checked_in(bot)["Anna"] is not None


async def test_ticket_of_a_cancelled_event(bot, add_events, clock):
    await add_events(make_event("umbau-2026", days=1))
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    await add_events(make_event("umbau-2026", days=1, status=EventStatus.CANCELLED))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send(f"/start ci_{anna.ticket}")
    assert "Termin abgesagt" in answers[0].text
    assert _checked_in(bot)["Anna"] is None


async def test_english_organiser_and_plain_start_still_welcomes(bot, door):
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    answers = await admin.send(f"/start ci_{door['anna'].ticket}")
    assert "Checked in: Anna <Alt>" in answers[0].text
    answers = await admin.send("/start")
    assert "Willkommen" in answers[0].text or "Welcome" in answers[0].text


async def test_tap_to_check_in_list(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=22))
    letters = "ABCDEFGHIJKLMNOPQRSTUV"  # 22 people: 20 on a page, two on the next
    for user_id, letter in enumerate(reversed(letters), 100):  # signed up in reverse order
        await sign_up(bot, clock.now(), "umbau-2026", user_id, f"Person {letter}")
    await sign_up(bot, clock.now(), "umbau-2026", 99, "Wartende Person")  # the 23rd waits
    clock.advance(EVENT_DAY)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/checkin")
    answers = await admin.press("Umbau statt Neubau")
    page = answers[-1]
    assert "Einlass: Umbau statt Neubau" in page.text
    assert "Eingecheckt: 0 von 22" in page.text
    assert "Seite 1 von 2" in page.text
    labels = page.button_labels
    assert labels[:20] == [f"⬜ Person {letter}" for letter in letters[:20]]  # by name
    assert "Wartende Person" not in " ".join(labels)
    assert labels[-1] == "◀ Zum Menü"  # a way on

    answers = await admin.press("Person C")
    assert answers[-1].message_id == page.message_id  # edited in place
    assert "✅ Person C" in answers[-1].button_labels
    assert "Eingecheckt: 1 von 22" in answers[-1].text
    assert "Person C ist eingecheckt" in bot.api.callback_answers[-1].text
    assert _checked_in(bot)["Person C"] is not None

    answers = await admin.press("Spätere")
    assert answers[-1].button_labels[:2] == ["⬜ Person U", "⬜ Person V"]
    await admin.press("Person V")
    assert "✅ Person V" in admin.last.button_labels  # stays on page 2
    assert "Eingecheckt: 2 von 22" in admin.last.text


async def test_checkin_list_of_an_event_without_attendees(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/checkin umbau-2026")
    assert "noch keine bestätigten Anmeldungen" in answers[-1].text


async def test_the_running_evening_comes_first_in_the_picker(bot, add_events, clock):
    await add_events(
        make_event("heute", days=0, title="Heute"),
        make_event("morgen", days=1, title="Morgen"),
        make_event("letzte-woche", days=-7, title="Letzte Woche"),
    )
    clock.advance(timedelta(hours=9, minutes=45))  # 19:45 Berlin: "Heute" began at 18:30
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/checkin")
    labels = answers[-1].button_labels
    assert [label.split(" · ")[0] for label in labels[:3]] == ["Heute", "Morgen", "Letzte Woche"]
