"""Issue 12, check-in at the door: a name typed in the check-in list finds the person (case and
umlauts folded), a check-in can be taken back, and the tap list warns outside the check-in
window like scanning does. Every answer has a way on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.names import name_matches
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, sign_up

EVENT_DAY = timedelta(days=14, hours=7, minutes=30)  # NOW + this = 17:30 Berlin, start 18:30


def _checked_in(bot) -> dict[str, str | None]:
    return dict(
        rows(bot.data.settings.database_path, "SELECT name, checked_in_at FROM registrations")
    )


@pytest.fixture
async def door(bot, add_events, clock):
    """Four confirmed people, a waiting one; the clock at the door."""
    await add_events(make_event("umbau-2026", capacity=4))
    for user_id, name in enumerate(
        ("Jürgen Müller", "Anna Schäfer", "Ben Jürgens", "Carla Özdemir", "Jürgen Wartend"), 11
    ):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, name)
    clock.advance(EVENT_DAY)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/checkin umbau-2026")
    return admin


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("jurgen", ["Ben Jürgens", "Jürgen Müller"]),
        ("JÜRGEN", ["Ben Jürgens", "Jürgen Müller"]),
        ("mueller", ["Jürgen Müller"]),
        ("ozdemir", ["Carla Özdemir"]),
        ("schäf", ["Anna Schäfer"]),
    ],
)
async def test_typing_a_name_finds_the_person(bot, door, query, found):
    answers = await door.send(query)
    assert len(answers) == 1
    labels = answers[0].button_labels
    assert [label.removeprefix("⬜ ") for label in labels if label.startswith("⬜")] == found
    assert "Jürgen Wartend" not in " ".join(labels)  # the waitlist is not at the door
    assert "Zur Einlassliste" in " ".join(labels)

    await door.press(f"⬜ {found[0]}")
    assert _checked_in(bot)[found[0]] is not None
    assert f"✅ {found[0]}" in door.last.button_labels  # the search results, updated


async def test_nobody_found_leaves_a_way_back(bot, door):
    answers = await door.send("Zacharias")
    assert "Zu „Zacharias“ wurde niemand gefunden" in answers[0].text
    answers = await door.press("Zur Einlassliste")
    assert "Eingecheckt: 0 von 4" in answers[-1].text


async def test_a_check_in_can_be_taken_back(bot, door):
    await door.press("Anna Schäfer")
    assert _checked_in(bot)["Anna Schäfer"] is not None
    answers = await door.press("✅ Anna Schäfer")  # a second tap: already, with undo
    assert "Bereits eingecheckt" in answers[-1].text
    assert _checked_in(bot)["Anna Schäfer"] is not None
    answers = await door.press("Check-in zurücknehmen")
    assert _checked_in(bot)["Anna Schäfer"] is None
    assert "⬜ Anna Schäfer" in answers[-1].button_labels  # back in the list
    assert "zurückgenommen" in bot.api.callback_answers[-1].text


async def test_a_scan_can_be_taken_back(bot, add_events, clock):
    await add_events(make_event("umbau-2026"))
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    clock.advance(EVENT_DAY)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send(f"/start ci_{anna.ticket}")
    assert "Zur Einlassliste" in answers[0].button_labels[-1]
    answers = await admin.press("Check-in zurücknehmen")
    assert "Nicht eingecheckt: Anna" in answers[-1].text
    assert _checked_in(bot)["Anna"] is None
    answers = await admin.press("Zur Einlassliste")
    assert "⬜ Anna" in answers[-1].button_labels


async def test_the_tap_list_warns_outside_the_window(bot, add_events, clock):
    await add_events(make_event("umbau-2026", days=14))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga")  # two weeks early
    [listing] = await admin.send("/checkin umbau-2026")
    # Issue 23: the list warns before any tap (the window: 12 hours before the start to 6
    # hours after the end; the evening is 9 December, 18:30, ending at 21:00).
    assert "Der Einlass ist noch nicht geöffnet" in listing.text
    assert "(von Mi., 9. Dez. 2026, 06:30 bis Do., 10. Dez. 2026, 03:00)" in listing.text
    answers = await admin.press("⬜ Anna")
    assert "Anna ist für Umbau statt Neubau am Mittwoch, 9. Dezember 2026" in answers[-1].text
    assert "Noch nicht eingecheckt" in answers[-1].text
    assert "Ticket" not in answers[-1].text  # a tap, not a scan
    assert _checked_in(bot)["Anna"] is None
    answers = await admin.press("Trotzdem einchecken")
    assert _checked_in(bot)["Anna"] is not None
    assert "✅ Anna" in answers[-1].button_labels


async def test_the_tap_list_warns_only_outside_the_window(bot, add_events, clock):
    await add_events(make_event("umbau-2026", days=14))  # 9 December, 18:30 to 21:00
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    clock.advance(timedelta(days=14, hours=8))  # 9 December, 18:00: the door is open
    [listing] = await admin.send("/checkin umbau-2026")
    assert "Einlass" in listing.text and "⚠️" not in listing.text
    clock.advance(timedelta(hours=9, minutes=1))  # 03:01 the next morning: over
    [listing] = await admin.send("/checkin umbau-2026")
    assert "Der Einlass ist vorbei" in listing.text
    answers = await admin.send("Anna")  # the search shows it too
    assert "Der Einlass ist vorbei" in answers[-1].text


def test_name_folding():
    assert name_matches("Jürgen Groß", "GROSS")
    assert name_matches("José Núñez", "nunez")
    assert not name_matches("Anna", "")
    assert not name_matches("Manuel", "mueller")


async def test_a_tap_in_the_list_keeps_the_search_open(bot, door):
    """Issue 22: a press elsewhere ends a typed question, but the list's own buttons belong
    to the search: after a tap the next typed name is still searched."""
    await door.send("schäf")
    await door.press("⬜ Anna Schäfer")
    answers = await door.send("ozdemir")
    assert "⬜ Carla Özdemir" in answers[0].button_labels
    await door.press("⬜ Carla Özdemir")
    await door.press("✅ Carla Özdemir")  # offers to take it back (another button of the list)
    answers = await door.send("mueller")
    assert "⬜ Jürgen Müller" in answers[0].button_labels
    await door.send("/hilfe")  # a command ends the search
    answers = await door.send("jurgen")
    assert "nicht verstanden" in answers[-1].text
