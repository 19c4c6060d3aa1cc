"""Issue 12: from the organiser menu a cancelled evening is reactivated (the people signed up
are told and hold their places) and an evening nobody signed up for is deleted, each after a
summary to confirm."""

from __future__ import annotations

from bot.sending.sender import drain_outbox
from domain.models import EventStatus
from storage import registrations
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows


async def test_a_cancelled_evening_is_reactivated(bot, add_events, clock):
    await add_events(make_event("wieder", days=5, title="Allianzen & Co", capacity=1))
    await registrations.sign_up(bot.data.db, "wieder", 7, "Erika", clock.now())
    await registrations.sign_up(bot.data.db, "wieder", 8, "Jane", clock.now())
    erika = bot.user(7)
    await erika.send("/start")
    await add_events(
        make_event(
            "wieder", days=5, title="Allianzen & Co", capacity=1, status=EventStatus.CANCELLED
        )
    )
    await drain_outbox(bot.app)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    answers = await admin.press("Absage zurücknehmen")
    assert "Welcher abgesagte Termin" in answers[-1].text
    answers = await admin.press("Allianzen & Co")
    summary = answers[-1]
    assert "wieder ansetzen?" in summary.text
    assert "Angemeldet: 1 · Warteliste: 1" in summary.text
    assert "◀ Zum Menü" in summary.button_labels
    status = "SELECT status FROM events WHERE id = 'wieder'"
    assert rows(bot.data.settings.database_path, status) == [("cancelled",)]
    answers = await admin.press("Ja, wieder ansetzen")
    assert "findet wieder statt" in answers[-1].text
    assert answers[-1].button_labels == ["◀ Zum Menü"]
    assert rows(bot.data.settings.database_path, status) == [("scheduled",)]
    await drain_outbox(bot.app)
    assert erika.last_text.startswith("✅ Findet doch statt: Allianzen & Co")
    statuses = "SELECT name, status FROM registrations ORDER BY id"
    assert rows(bot.data.settings.database_path, statuses) == [
        ("Erika", "confirmed"),
        ("Jane", "waitlisted"),
    ]
    # A second press of the old button changes nothing and says so.
    answers = await admin.press_data("1:arvy:wieder", summary)
    assert "nicht (mehr) abgesagt" in answers[-1].text


async def test_an_unused_evening_is_deleted_and_one_with_sign_ups_is_not(bot, add_events, clock):
    await add_events(
        make_event("versehen", days=5, title="Aus Versehen"),
        make_event("belegt", days=6, title="Belegt"),
    )
    await registrations.sign_up(bot.data.db, "belegt", 7, "Erika", clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    answers = await admin.press("Termin löschen")
    labels = answers[-1].button_labels
    assert any("Aus Versehen" in label for label in labels)
    assert not any("Belegt" in label for label in labels)
    answers = await admin.press("Aus Versehen")
    assert "endgültig löschen?" in answers[-1].text
    answers = await admin.press("Ja, endgültig löschen")
    assert "ist gelöscht" in answers[-1].text
    assert rows(bot.data.settings.database_path, "SELECT id FROM events") == [("belegt",)]
    answers = await admin.press_data("1:adly:belegt", answers[-1])  # forged: refused
    assert "kann nicht gelöscht werden" in answers[-1].text
    assert rows(bot.data.settings.database_path, "SELECT id FROM events") == [("belegt",)]


async def test_non_organisers_cannot_delete(bot, add_events):
    await add_events(make_event("versehen", days=5))
    stranger = bot.user(42)
    await stranger.send("/start")
    await stranger.press_data("1:adly:versehen")
    assert rows(bot.data.settings.database_path, "SELECT id FROM events") == [("versehen",)]
