"""Issue 23, bullet 3: a broadcast arrives as the organiser wrote it, with a button row under the
copy that names the series (subscribers) or the evening, opening its card as a new message (an
evening's attendees or waitlist); a subscriber broadcast also offers "Keine Ankündigungen mehr",
confirmed with a way back. Fails on 61def71: the copies came bare."""

from __future__ import annotations

import pytest

from bot.sending.sender import drain_outbox
from storage import users as user_store
from tests.conftest import ADMIN_ID, fast_bulk_settings, make_event
from tests.organiser_support import sign_up

SERIES = "📅 Kraft der Region – alle Termine"
STOP = "🔕 Keine Ankündigungen mehr"


@pytest.fixture
def settings(tmp_path):
    return fast_bulk_settings(tmp_path)


async def _broadcast(admin, audience, *presses, text="Bitte beachten Sie die neue Anfahrt."):
    await admin.send("/rundschreiben")
    await admin.send(text)
    answers = await admin.press(audience)
    for label in presses:
        answers = await admin.press(label)
    send = next(label for label in answers[-1].button_labels if "senden" in label)
    preview = answers[-2]
    await admin.press(send)
    return preview


async def test_subscriber_broadcast_names_the_series_and_offers_to_stop(bot, add_events, clock):
    await add_events(make_event("umbau", days=5))
    for user_id, lang in ((21, "de"), (22, "en")):
        await user_store.ensure_user(bot.data.db, user_id, lang, clock.now())
        await user_store.set_subscribed(bot.data.db, user_id, True)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    preview = await _broadcast(admin, "Abonnent:innen (2)")
    assert preview.button_labels == [SERIES, STOP]  # the organiser sees what arrives
    await drain_outbox(bot.app)

    copy = bot.api.last(21)
    assert copy.method == "copyMessage"
    assert copy.text == "Bitte beachten Sie die neue Anfahrt."  # the copy as written
    assert copy.button_labels == [SERIES, STOP]
    assert bot.api.last(22).button_labels == [
        "📅 Kraft der Region – all events",
        "🔕 No more announcements",
    ]

    user = bot.user(21)
    [listing] = await user.press(SERIES, copy)
    assert listing.message_id != copy.message_id  # a new message: the copy stays
    assert "Umbau statt Neubau" in listing.text
    assert bot.api.message(21, copy.message_id).text == copy.text

    answers = await user.press(STOP, copy)
    assert not (await user_store.get_user(bot.data.db, 21)).subscribed
    confirmation = answers[-1]
    assert confirmation.text == "🔕 Sie bekommen ab jetzt keine Ankündigungen neuer Termine mehr."
    assert confirmation.button_labels == ["📣 Ankündigungen bestellen"]  # the way back
    assert bot.api.message(21, copy.message_id).button_labels == [SERIES]
    await user.press("📣 Ankündigungen bestellen", confirmation)
    assert (await user_store.get_user(bot.data.db, 21)).subscribed


async def test_attendee_and_waitlist_broadcasts_name_the_evening(bot, add_events, clock):
    await add_events(make_event("umbau", days=5, capacity=1))
    await sign_up(bot, clock.now(), "umbau", 31, "Anna")
    await sign_up(bot, clock.now(), "umbau", 32, "Ben")  # waitlisted
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await _broadcast(admin, "Angemeldete eines Termins", "Umbau statt Neubau")
    await _broadcast(admin, "Warteliste eines Termins", "Umbau statt Neubau", text="Warteliste!")
    await drain_outbox(bot.app)

    for user_id in (31, 32):
        copy = bot.api.last(user_id)
        assert copy.method == "copyMessage"
        assert copy.button_labels == ["📅 Kraft der Region: Umbau statt Neubau"]
    copy = bot.api.last(31)
    [card] = await bot.user(31).press("📅 Kraft der Region: Umbau statt Neubau", copy)
    assert card.message_id != copy.message_id
    assert "Umbau statt Neubau" in card.text and "angemeldet" in card.text
    assert bot.api.message(31, copy.message_id).text == "Bitte beachten Sie die neue Anfahrt."
