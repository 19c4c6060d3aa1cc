"""Issue 23.1: saving a new evening says whether and to how many subscribers it will be
announced, and offers "Speichern ohne Ankündigung" besides "Speichern und ankündigen"; the
first queues no announcement. Fails on 61def71 (one "Speichern" that always announced)."""

from __future__ import annotations

from bot.sending.sender import drain_outbox
from storage import users as user_store
from tests.conftest import ADMIN_ID, NOW
from tests.outbox_support import outbox_rows


async def _subscribers(bot, *user_ids: int, blocked: int | None = None) -> None:
    db = bot.data.db
    for user_id in (*user_ids, *([blocked] if blocked else [])):
        await user_store.ensure_user(db, user_id, "de", NOW)
        await user_store.set_subscribed(db, user_id, True)
    await user_store.ensure_user(db, 99, "de", NOW)  # asked and said no
    await user_store.set_subscribed(db, 99, False)
    if blocked:
        await user_store.mark_blocked(db, blocked, NOW)


async def _summary(bot, title="Allianzen", start="22.10.2030 18:30", lang="de"):
    """Walk the new-evening dialogue to its summary; return the organiser and the summary."""
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code=lang)
    skip = "Skip" if lang == "en" else "Überspringen"
    await admin.send("/admin")
    await admin.press("New event" if lang == "en" else "Neuer Termin")
    await admin.send(title)
    await admin.send(start)
    await admin.press(skip)  # end
    await admin.send("Haus der Architektinnen und Architekten")
    for _ in range(6):  # address, map pin, capacity, deadline, CPD hours, description
        await admin.press(skip)
    answers = await admin.press(skip)  # speakers
    return admin, answers[-1]


async def test_the_summary_counts_subscribers_and_saving_quietly_announces_nothing(bot):
    await _subscribers(bot, 1, 2, blocked=3)
    admin, summary = await _summary(bot)
    assert (
        "Mit „Speichern und ankündigen“ wird der Termin sofort 2 Personen angekündigt"
        in summary.text
    )
    assert summary.button_labels[:2] == [
        "✅ Speichern und ankündigen",
        "💾 Speichern ohne Ankündigung",
    ]
    answers = await admin.press("Speichern ohne Ankündigung", summary)
    assert any("Der Termin wurde nicht angekündigt." in m.text for m in answers)
    assert await outbox_rows(bot.data.db, "announcement") == []
    await drain_outbox(bot.app)
    assert bot.api.messages(1) == [] and bot.api.messages(2) == []
    assert await bot.data.db.fetch_value("SELECT count(*) FROM events") == 1


async def test_save_and_announce_tells_every_subscriber(bot):
    await _subscribers(bot, 1, 2)
    admin, summary = await _summary(bot)
    answers = await admin.press("Speichern und ankündigen", summary)
    assert any("Die Ankündigung geht an 2 Personen." in m.text for m in answers)
    assert len(await outbox_rows(bot.data.db, "announcement")) == 2
    await drain_outbox(bot.app)
    assert "Allianzen" in bot.api.last(1).text and "Allianzen" in bot.api.last(2).text


async def test_nobody_to_tell_and_english(bot):
    _, summary = await _summary(bot)
    assert "Bisher hat niemand Ankündigungen neuer Termine bestellt" in summary.text
    assert "✅ Speichern" in summary.button_labels
    assert not any("ankündigen" in label for label in summary.button_labels)
    await _subscribers(bot, 1)
    _, summary = await _summary(bot, lang="en")
    assert "announces the event at once to one person" in summary.text
    assert {"✅ Save and announce", "💾 Save without announcing"} <= set(summary.button_labels)
