"""The buttons under a reminder, end to end with the manual clock: "Ich kann nicht kommen"
(asks, then frees the seat for the waitlist), the venue's map pin, double taps, and buttons
of reminders sent by older versions."""

from __future__ import annotations

from datetime import timedelta

from bot.callbacks import Action, pack
from bot.sending.sender import drain_outbox
from domain.models import RegistrationStatus
from storage import registrations as registration_store
from tests.conftest import START, make_event
from tests.outbox_support import sign_up, tick


async def test_cant_come_asks_then_frees_the_seat_for_the_waitlist(bot, clock, add_events):
    await add_events(make_event(capacity=1))
    first = (await sign_up(bot, clock, 1)).registration
    second = (await sign_up(bot, clock, 2)).registration
    assert second.status is RegistrationStatus.WAITLISTED
    clock.set(START - timedelta(days=1))
    await tick(bot)
    user = bot.user(1)
    [reminder] = user.messages

    [asked] = await user.press("Ich kann nicht kommen")
    assert asked.message_id == reminder.message_id
    assert "Möchten Sie sich von Umbau statt Neubau wirklich abmelden?" in asked.text
    assert asked.button_labels == ["Ja, Platz freigeben", "Nein, ich komme"]
    [kept] = await user.press("Nein, ich komme")
    assert kept.text == reminder.text and kept.button_labels == reminder.button_labels
    assert (await registration_store.get_registration(bot.data.db, first.id)).status == (
        RegistrationStatus.CONFIRMED
    )

    await user.press("Ich kann nicht kommen")
    [done] = await user.press("Ja, Platz freigeben")
    assert "Sie sind von Umbau statt Neubau abgemeldet" in done.text
    assert done.button_labels == ["« Zum Termin"]  # the way on (issue 23)
    db = bot.data.db
    assert (await registration_store.get_registration(db, first.id)).status == (
        RegistrationStatus.CANCELLED
    )
    # A day before the evening the freed seat is offered (PRODUCT §4, Waitlist): taken, it counts.
    assert (await registration_store.get_registration(db, second.id)).status == (
        RegistrationStatus.WAITLISTED
    )
    await drain_outbox(bot.app)
    [offer] = bot.api.messages(2)
    assert "möchten Sie ihn?" in offer.text and "Umbau statt Neubau" in offer.text
    await bot.user(2).press("Platz nehmen", offer)
    assert (await registration_store.get_registration(db, second.id)).status == (
        RegistrationStatus.CONFIRMED
    )
    # Moved up after the one-day reminder fell due: only the two-hour one for them.
    clock.set(START - timedelta(hours=2))
    await tick(bot)
    assert len(bot.api.messages(2)) == 2 and "Erinnerung" in bot.api.messages(2)[1].text
    assert len(bot.api.messages(1)) == 1  # cancelled: no more reminders


async def test_pressing_cant_come_again_after_cancelling_says_so(bot, clock, add_events):
    await add_events(make_event())
    await sign_up(bot, clock, 1)
    clock.set(START - timedelta(days=1))
    await tick(bot)
    user = bot.user(1)
    reminder = user.last
    await user.press("Ich kann nicht kommen")
    await user.press("Ja, Platz freigeben")
    [again] = await user.press_data(reminder.callback_data[-1], reminder)
    assert again.text == "Von diesem Termin sind Sie bereits abgemeldet."


async def test_someone_elses_cant_come_button_changes_nothing(bot, clock, add_events):
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 1)).registration
    mallory = bot.user(666, first_name="Mallory")
    await mallory.send("/start")
    for action in (Action.REMINDER_CANT_COME, Action.REMINDER_CANT_COME_CONFIRM):
        answer = await mallory.press_data(pack(action, registration.id))
        assert answer == []
        assert bot.api.callback_answers[-1].show_alert
        assert bot.api.callback_answers[-1].text == "Diese Anmeldung gibt es nicht (mehr)."
    await mallory.press_data(pack(Action.REMINDER_CANT_COME_CONFIRM, "99999"))
    stored = await registration_store.get_registration(bot.data.db, registration.id)
    assert stored.status is RegistrationStatus.CONFIRMED


async def test_cant_come_after_the_start_is_refused(bot, clock, add_events):
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 1)).registration
    clock.set(START - timedelta(hours=2))
    await tick(bot)
    clock.set(START + timedelta(minutes=5))
    user = bot.user(1)
    await user.press("Ich kann nicht kommen")
    assert bot.api.callback_answers[-1].text.startswith("Der Termin hat bereits begonnen")
    stored = await registration_store.get_registration(bot.data.db, registration.id)
    assert stored.status is RegistrationStatus.CONFIRMED


async def test_venue_button_sends_the_map_pin(bot, clock, add_events):
    await add_events(make_event())
    await sign_up(bot, clock, 1)
    clock.set(START - timedelta(days=1))
    await tick(bot)
    [pin] = await bot.user(1).press("Veranstaltungsort")
    assert pin.venue is not None
    assert (pin.venue.latitude, pin.venue.longitude) == (48.7707, 9.1866)
    assert pin.venue.title == "Haus der Architektinnen und Architekten"


async def test_double_taps_change_nothing_and_are_not_refused(bot, clock, add_events):
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 1)).registration
    clock.set(START - timedelta(days=1))
    await tick(bot)
    user = bot.user(1)
    reminder = user.last
    await user.press("Ich kann nicht kommen")
    await user.press_data(pack(Action.REMINDER_CANT_COME, registration.id), reminder)
    assert "wirklich abmelden" in user.last_text
    await user.press("Nein, ich komme")
    await user.press_data(pack(Action.REMINDER_KEEP, registration.id), reminder)
    assert user.last_text == reminder.text
    await user.press("Ich kann nicht kommen")
    await user.press("Ja, Platz freigeben")
    for _ in range(2):
        await user.press_data(pack(Action.REMINDER_CANT_COME_CONFIRM, registration.id), reminder)
    assert user.last_text == "Von diesem Termin sind Sie bereits abgemeldet."
    assert len(user.messages) == 1  # everything happened in the reminder itself


async def test_buttons_of_reminders_sent_before_the_merge_still_work(bot, clock, add_events):
    """Old reminders carry rcx / rcxn / rcxy; they run the cancellation flow as origin r."""
    await add_events(make_event())
    registration = (await sign_up(bot, clock, 1)).registration
    clock.set(START - timedelta(days=1))
    await tick(bot)
    user = bot.user(1)
    reminder = user.last
    assert reminder.callback_data[-1] == pack(Action.CANCEL, registration.id, "r")
    [asked] = await user.press_data(pack(Action.REMINDER_CANT_COME, registration.id), reminder)
    assert "wirklich abmelden" in asked.text
    assert asked.callback_data == [
        pack(Action.CANCEL_CONFIRM, registration.id, "r"),
        pack(Action.CANCEL_KEEP, registration.id, "r"),
    ]
    [kept] = await user.press_data(pack(Action.REMINDER_KEEP, registration.id), reminder)
    assert kept.text == reminder.text and kept.button_labels == reminder.button_labels
    old_confirm = pack(Action.REMINDER_CANT_COME_CONFIRM, registration.id)
    [done] = await user.press_data(old_confirm, reminder)
    assert "Sie sind von Umbau statt Neubau abgemeldet" in done.text
    assert done.button_labels == ["« Zum Termin"] and len(user.messages) == 1
    stored = await registration_store.get_registration(bot.data.db, registration.id)
    assert stored.status is RegistrationStatus.CANCELLED
