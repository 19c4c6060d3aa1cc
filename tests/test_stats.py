"""Issue 5, point 5: /statistik·/stats — per event sign-ups, waitlist, cancellations, check-ins
and, after the event, no-shows."""

from __future__ import annotations

from datetime import timedelta

from domain.models import EventStatus
from storage import attendees as attendee_store
from storage import registrations as registration_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import sign_up


async def _figures(bot, clock):
    """Capacity 3: three confirmed (two checked in), two waiting, one cancelled."""
    registrations = [
        await sign_up(bot, clock.now(), "umbau-2026", user_id, f"P{user_id}")
        for user_id in range(11, 18)
    ]
    await registration_store.cancel(bot.data.db, registrations[-1].id, 17, clock.now())
    # the cancelled one was waitlisted: no promotion
    for registration in registrations[:2]:
        await attendee_store.check_in(bot.data.db, registration.id, clock.now(), anyway=True)


async def test_figures_per_event_and_no_shows_after_it(bot, add_events, clock):
    await add_events(
        make_event("umbau-2026", capacity=3),
        make_event("offen-2026", days=20, title="Offene Runde", capacity=None),
        make_event("abgesagt-2026", days=21, title="Fällt aus", status=EventStatus.CANCELLED),
    )
    await _figures(bot, clock)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/statistik")
    text = answers[-1].text
    block = next(part for part in text.split("\n\n") if part.startswith("Umbau"))
    assert block.splitlines() == [
        "Umbau statt Neubau · Mi., 9. Dez. 2026, 18:30",
        "Anmeldungen: 3 von 3 Plätzen",
        "Warteliste: 3 · Abmeldungen: 1",
        "Eingecheckt: 2",
    ]
    assert "Nicht erschienen: 0" in text  # the totals: nobody missed an evening yet
    assert "Nicht erschienen" not in block  # not before the evening is over
    assert "Anmeldungen: 0 (Plätze unbegrenzt)" in text
    assert "Fällt aus · Mi., 16. Dez. 2026, 18:30 – abgesagt" in text

    clock.advance(timedelta(days=15))  # the next morning, 10:00
    answers = await admin.send("/stats")
    text = answers[-1].text
    assert "Eingecheckt: 2 · Nicht erschienen: 1" in text
    # Upcoming events first, then the past one.
    assert text.index("Offene Runde") < text.index("Umbau statt Neubau")


async def test_a_cancelled_past_event_has_no_no_shows(bot, add_events, clock):
    await add_events(make_event("umbau-2026", days=1, capacity=3))
    await _figures(bot, clock)
    await add_events(make_event("umbau-2026", days=1, capacity=3, status=EventStatus.CANCELLED))
    clock.advance(timedelta(days=3))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/statistik")
    assert "abgesagt" in answers[-1].text
    block = next(part for part in answers[-1].text.split("\n\n") if part.startswith("Umbau"))
    assert "Nicht erschienen" not in block


async def test_stats_in_english_from_the_menu(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=3))
    await _figures(bot, clock)
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    menu = (await admin.send("/admin"))[-1]
    answers = await admin.press("Statistics")
    assert answers[-1].message_id == menu.message_id
    assert "Sign-ups: 3 of 3 seats" in answers[-1].text
    assert "Waitlist: 3 · Cancellations: 1" in answers[-1].text
    assert "Checked in: 2" in answers[-1].text


async def test_stats_are_paged(bot, add_events):
    await add_events(*(make_event(f"abend-{i}", days=i + 1, title=f"Abend {i}") for i in range(7)))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/statistik")
    assert "Abend 4" in answers[-1].text and "Abend 5" not in answers[-1].text
    assert "Seite 1 von 2" in answers[-1].text
    answers = await admin.press("Nächste Seite")
    assert "Abend 5" in answers[-1].text and "Abend 6" in answers[-1].text
    assert "Abend 0" not in answers[-1].text
    answers = await admin.press("Vorherige Seite")
    assert "Abend 0" in answers[-1].text


async def test_totals_sections_and_evenings_without_registration(bot, add_events, clock):
    """Issue 12: totals over the series; upcoming first, then past under their own heading;
    an evening without registration is not "0 von 0 Plätzen"."""
    await add_events(
        make_event("umbau-2026", capacity=3),
        make_event("vorbei-2025", days=-30, title="Vorbei", capacity=5),
        make_event("frei-2026", days=20, title="Freier Eintritt", capacity=0),
        make_event("abgesagt-2026", days=21, title="Fällt aus", status=EventStatus.CANCELLED),
    )
    await _figures(bot, clock)
    clock.advance(timedelta(days=15))  # Umbau is over: 3 confirmed, 2 checked in
    admin = bot.user(ADMIN_ID, first_name="Orga")
    text = (await admin.send("/statistik"))[-1].text
    assert "Termine: 2 stattgefunden · 1 geplant · 1 abgesagt" in text
    assert "Anmeldungen: 3 · Eingecheckt: 2 · Nicht erschienen: 1" in text
    assert "0 von 0" not in text
    free = next(part for part in text.split("\n\n") if part.startswith("Freier Eintritt"))
    assert free.splitlines()[1:] == ["Ohne Anmeldung"]
    parts = text.split("\n\n")
    assert parts.index("Kommende Termine") < parts.index("Vergangene Termine")
    assert text.index("Fällt aus") < text.index("Vergangene Termine") < text.index("Umbau")
    assert text.index("Umbau") < text.index("Vorbei")  # the latest past one first
    assert admin.last.button_labels == ["◀ Zum Menü"]


async def test_no_events_yet(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/statistik")
    assert "Es gibt noch keine Termine" in answers[-1].text


async def test_no_shows_only_where_the_door_check_was_used(bot, add_events, clock):
    """Issue 22: an evening without door check is not "Eingecheckt: 0 · Nicht erschienen: 3";
    the statistics say that nobody was checked in, and the totals count no no-shows for it."""
    await add_events(
        make_event("umbau-2026", capacity=3),
        make_event("ohne-2026", days=14.1, title="Ohne Einlass", capacity=3),
    )
    await _figures(bot, clock)  # Umbau: three confirmed, two checked in
    for user_id in (21, 22, 23):  # three confirmed, nobody checked in
        await sign_up(bot, clock.now(), "ohne-2026", user_id, f"P{user_id}")
    clock.advance(timedelta(days=15))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    text = (await admin.send("/statistik"))[-1].text
    without = next(part for part in text.split("\n\n") if part.startswith("Ohne Einlass"))
    assert without.splitlines()[-1] == (
        "Eingecheckt: niemand (Einlasskontrolle nicht genutzt, Nichterscheinen unbekannt)"
    )
    assert "Nicht erschienen" not in without
    umbau = next(part for part in text.split("\n\n") if part.startswith("Umbau"))
    assert "Eingecheckt: 2 · Nicht erschienen: 1" in umbau
    assert "Anmeldungen: 6 · Eingecheckt: 2 · Nicht erschienen: 1" in text  # the totals


async def test_an_evening_without_door_check_in_english(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=3))
    for user_id in (21, 22):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, f"P{user_id}")
    clock.advance(timedelta(days=15))
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    text = (await admin.send("/stats"))[-1].text
    assert "Checked in: nobody (door check not used, no-shows unknown)" in text
    assert "No-shows: 0" in text  # the totals: no evening with a door check
    assert "Checked in: 0 · No-shows: 2" not in text
