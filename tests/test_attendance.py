"""Issue 13, point 1: the reminder's attendance question — "Ich komme" recorded and changeable,
"Ich kann nicht kommen" frees the seat (the waitlist moves up), the ticket button, and the
answers against check-ins in the statistics."""

from __future__ import annotations

from datetime import timedelta

from bot.callbacks import Action, pack
from bot.sending.sender import drain_outbox
from domain.models import RegistrationStatus
from storage import attendance as attendance_store
from storage import attendees as attendee_store
from storage import registrations as registration_store
from tests.conftest import ADMIN_ID, START, make_event
from tests.outbox_support import sign_up, tick


async def test_coming_is_recorded_shown_and_changeable(bot, clock, add_events):
    await add_events(make_event(capacity=1))
    first = (await sign_up(bot, clock, 1)).registration
    second = (await sign_up(bot, clock, 2)).registration
    clock.set(START - timedelta(days=1))
    await tick(bot)
    user = bot.user(1)
    reminder = user.last
    assert reminder.button_labels == [
        "📍 Veranstaltungsort",
        "🎟 Ticket",
        "Ich komme",
        "Ich kann nicht kommen",
    ]
    [shown] = await user.press("Ich komme")
    assert shown.message_id == reminder.message_id
    assert "Sie haben zugesagt" in shown.text
    assert shown.button_labels == ["📍 Veranstaltungsort", "🎟 Ticket", "Ich kann nicht kommen"]
    assert bot.api.callback_answers[-1].text == "Danke für Ihre Zusage!"
    assert await attendance_store.answer_of(bot.data.db, first.id) == "coming"
    # Pressing the old button again changes nothing.
    await user.press_data(pack(Action.ATTEND, first.id), reminder)
    assert await attendance_store.answer_of(bot.data.db, first.id) == "coming"

    # The mind changes: "Ich kann nicht kommen" frees the seat and the waitlist moves up.
    await user.press("Ich kann nicht kommen")
    [kept] = await user.press("Nein, ich komme")
    assert "Sie haben zugesagt" in kept.text  # the answer is still shown
    await user.press("Ich kann nicht kommen")
    [done] = await user.press("Ja, Platz freigeben")
    assert "abgemeldet" in done.text
    db = bot.data.db
    assert (await registration_store.get_registration(db, first.id)).status is (
        RegistrationStatus.CANCELLED
    )
    assert await attendance_store.answer_of(db, first.id) == "declined"
    # A day before the evening the freed seat is offered (PRODUCT §4, Waitlist), not given.
    assert (await registration_store.get_registration(db, second.id)).status is (
        RegistrationStatus.WAITLISTED
    )
    await drain_outbox(bot.app)
    assert "möchten Sie ihn?" in bot.api.messages(2)[-1].text


async def test_the_reminder_shows_the_ticket(bot, clock, add_events):
    await add_events(make_event())
    await sign_up(bot, clock, 1)
    clock.set(START - timedelta(days=1))
    await tick(bot)
    answers = await bot.user(1).press("🎟 Ticket")
    assert answers and any(message.photo for message in answers)


async def test_coming_is_refused_for_others_and_after_the_start(bot, clock, add_events):
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 1)).registration
    clock.set(START - timedelta(days=1))
    await tick(bot)
    mallory = bot.user(666, first_name="Mallory")
    await mallory.send("/start")
    assert await mallory.press_data(pack(Action.ATTEND, registration.id)) == []
    assert bot.api.callback_answers[-1].show_alert
    assert bot.api.callback_answers[-1].text == "Diese Anmeldung gibt es nicht (mehr)."
    assert await attendance_store.answer_of(bot.data.db, registration.id) is None

    clock.set(START + timedelta(minutes=5))
    await bot.user(1).press("Ich komme")
    assert bot.api.callback_answers[-1].text.startswith("Der Termin hat bereits begonnen")
    assert await attendance_store.answer_of(bot.data.db, registration.id) is None


async def test_statistics_compare_answers_with_check_ins(bot, clock, add_events):
    await add_events(make_event())
    registrations = [(await sign_up(bot, clock, uid)).registration for uid in (1, 2, 3, 4)]
    clock.set(START - timedelta(days=1))
    await tick(bot)
    await bot.user(1).press("Ich komme")
    await bot.user(2).press("Ich komme")
    await bot.user(3).press("Ich kann nicht kommen")
    await bot.user(3).press("Ja, Platz freigeben")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    text = (await admin.send("/statistik"))[-1].text
    assert "Antworten auf die Erinnerung: 2 kommen · 1 abgesagt · 1 ohne Antwort" in text
    assert "davon erschienen" not in text  # not before the evening is over

    clock.set(START + timedelta(minutes=10))
    await attendee_store.check_in(bot.data.db, registrations[0].id, clock.now())
    await attendee_store.check_in(bot.data.db, registrations[3].id, clock.now())
    clock.set(START + timedelta(days=1))
    text = (await admin.send("/statistik"))[-1].text
    assert "Eingecheckt: 2 · Nicht erschienen: 1" in text
    assert "Zugesagt: 2 · davon erschienen: 1" in text
