"""Issue 5, points 1 and 7: the organiser menu, organiser command menus per chat scope in both
languages, and the guard: non-organisers are refused everywhere and nothing changes."""

from __future__ import annotations

import pytest
from telegram import BotCommandScopeChat, BotCommandScopeDefault

from bot.callbacks import Action, pack
from bot.commands import ORGANISER_COMMANDS
from storage import users as user_store
from storage.db import Database
from testing.offline import offline_bot
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import sign_up, snapshot

REFUSAL = "nur für Veranstaltende"
ORGANISER_TYPED = (
    "/admin",
    "/teilnehmer",
    "/attendees",
    "/teilnehmer umbau-2026",
    "/rundschreiben",
    "/broadcast",
    "/checkin",
    "/checkin umbau-2026",
    "/statistik",
    "/stats",
)


async def test_admin_shows_the_organiser_menu(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/admin")
    assert "Menü für Veranstaltende" in answers[-1].text
    labels = answers[-1].button_labels
    for label in ("Neuer Termin", "bearbeiten", "absagen", "Teilnehmende", "Einlass"):
        assert any(label in text for text in labels), (label, labels)
    assert any("Statistik" in text for text in labels)
    assert any("Rundschreiben" in text for text in labels)


async def test_organiser_menu_in_english(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    answers = await admin.send("/admin")
    assert "Organiser menu" in answers[-1].text
    assert any("Broadcast" in label for label in answers[-1].button_labels)


@pytest.mark.parametrize("command", ORGANISER_TYPED)
async def test_every_organiser_command_refuses_non_organisers(bot, add_events, clock, command):
    await add_events(make_event("umbau-2026"))
    await sign_up(bot, clock.now(), "umbau-2026", 7, "Quirina Zwiebel")
    stranger = bot.user(42, first_name="Mallory")
    await stranger.send("/hilfe")  # known user: the middleware wrote its row already
    before = snapshot(bot.data.settings.database_path)
    answers = await stranger.send(command)
    assert len(answers) == 1
    assert REFUSAL in answers[0].text
    assert answers[0].button_labels == ["« Alle Termine"]  # the way on (issue 23), nothing more
    assert "Quirina Zwiebel" not in answers[0].text
    assert snapshot(bot.data.settings.database_path) == before


async def test_every_organiser_button_refuses_non_organisers(bot, add_events, clock):
    """Forged callback data with real ids: each press is refused, nothing is sent or written."""
    await add_events(make_event("umbau-2026"))
    registration = await sign_up(bot, clock.now(), "umbau-2026", 7, "Quirina Zwiebel")
    stranger = bot.user(42, first_name="Mallory")
    await stranger.send("/hilfe")
    forged = [
        pack(Action.ADMIN_MENU),
        pack(Action.ADMIN_PAGE, "at", 0),
        pack(Action.EVENT_NEW),
        pack(Action.EVENT_EDIT_LIST),
        pack(Action.EVENT_EDIT, "umbau-2026"),
        pack(Action.EVENT_FIELD, "title"),
        pack(Action.EVENT_SKIP, "address"),
        pack(Action.EVENT_SAVE),
        pack(Action.EVENT_MORE),
        pack(Action.EVENT_CANCEL_LIST),
        pack(Action.EVENT_CANCEL, "umbau-2026"),
        pack(Action.EVENT_CANCEL_YES),
        pack(Action.DIALOGUE_ABORT),
        pack(Action.ATTENDEES_LIST),
        pack(Action.ATTENDEES, "umbau-2026"),
        pack(Action.CHECKIN_LIST),
        pack(Action.CHECKIN_EVENT, "umbau-2026", 0),
        pack(Action.CHECKIN_TAP, registration.id, 0),
        pack(Action.CHECKIN_FORCE, registration.id),
        pack(Action.STATS, 0),
        pack(Action.BROADCAST),
        pack(Action.BROADCAST_AUDIENCE, "subscribers"),
        pack(Action.BROADCAST_EVENT, "umbau-2026"),
        pack(Action.BROADCAST_SEND),
    ]
    before = snapshot(bot.data.settings.database_path)
    for data in forged:
        answered = len(bot.api.callback_answers)
        changed = await stranger.press_data(data)
        assert changed == [], data
        answer = bot.api.callback_answers[answered]
        assert REFUSAL in (answer.text or ""), data
        assert answer.show_alert
    assert snapshot(bot.data.settings.database_path) == before
    assert bot.api.calls_to("sendDocument", "copyMessage") == []


async def test_organiser_buttons_with_forged_arguments_are_answered_and_change_nothing(
    bot, add_events, clock
):
    await add_events(make_event("umbau-2026"))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    before = snapshot(bot.data.settings.database_path)
    for data in (
        "1:aed:does-not-exist",
        "1:acx:does-not-exist",
        "1:acit:999999:0",
        "1:acif:abc",
        "1:apg:zz:0",
        "1:afl:title",  # no dialogue running
        "1:asv",
        "1:abcs",
        "1:aat:does-not-exist",
    ):
        answered = len(bot.api.callback_answers)
        await admin.press_data(data)
        assert len(bot.api.callback_answers) == answered + 1, data
    assert snapshot(bot.data.settings.database_path) == before


async def test_organiser_commands_are_set_in_the_organiser_chat_scope(bot):
    german = bot.api.commands(BotCommandScopeChat(ADMIN_ID))
    names = [name for name, _ in german]
    for de_name, _, _ in ORGANISER_COMMANDS:
        assert de_name in names
    assert "termine" in names  # the attendee commands too
    assert dict(german)["teilnehmer"] == "Teilnehmende eines Termins"
    for lang in ("de", "en"):
        default = [name for name, _ in bot.api.commands(BotCommandScopeDefault(), lang)]
        assert "admin" not in default and "rundschreiben" not in default
        assert "broadcast" not in default and "teilnehmer" not in default
    assert bot.api.commands(BotCommandScopeChat(42)) == []


async def test_organiser_commands_follow_the_organisers_language(bot):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/sprache")
    await admin.press("English")
    names = dict(bot.api.commands(BotCommandScopeChat(ADMIN_ID)))
    for _, en_name, _ in ORGANISER_COMMANDS:
        assert en_name in names
    assert "teilnehmer" not in names and "statistik" not in names
    assert names["attendees"] == "Attendees of an event"
    assert "events" in names


async def test_english_organiser_gets_english_commands_at_start_up(settings, clock):
    db = await Database.open(settings.database_path)
    await user_store.ensure_user(db, ADMIN_ID, "en", clock.now())
    await db.close()
    async with offline_bot(settings, clock=clock) as running:
        names = dict(running.api.commands(BotCommandScopeChat(ADMIN_ID)))
    assert {"admin", "attendees", "broadcast", "checkin", "stats"} <= set(names)
    assert names["broadcast"] == "Send a broadcast"


async def test_organiser_removed_from_admin_ids_is_refused_mid_dialogue(bot, settings):
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("Neuer Termin")
    await admin.send("Ein Abend")
    bot.data.settings = settings.model_copy(update={"admin_ids": frozenset()})
    answers = await admin.send("22.10.2030 18:30")
    assert REFUSAL in answers[-1].text
    bot.data.settings = settings
    # The dialogue is over: a later answer is not taken as the start time.
    answers = await admin.send("22.10.2030 18:30")
    assert "Schritt 3" not in answers[-1].text
    assert snapshot(settings.database_path)["events"] == []


async def test_event_picker_pages(bot, add_events):
    await add_events(*(make_event(f"abend-{i}", days=i + 1, title=f"Abend {i}") for i in range(8)))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/teilnehmer")
    first = admin.last
    assert "Seite 1 von 2" in first.text
    assert any("Abend 0" in label for label in first.button_labels)
    assert not any("Abend 7" in label for label in first.button_labels)
    changed = await admin.press("Spätere")
    assert changed[-1].message_id == first.message_id  # the picker is edited in place
    assert any("Abend 7" in label for label in changed[-1].button_labels)
    assert "Seite 2 von 2" in changed[-1].text
    await admin.press("Zum Menü")
    assert "Menü für Veranstaltende" in admin.last.text
