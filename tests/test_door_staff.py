"""Issue 25, bullet 2: door staff (``DOOR_IDS``) check people in by every path (scan, list,
search, undo) and are refused by every other organiser command and button; their command menu
is the attendee one plus /checkin; someone in both lists is an organiser."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from telegram import BotCommandScopeChat

from bot import commands
from bot.callbacks import Action, pack
from testing.factories import make_settings
from testing.offline import offline_bot
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import rows, sign_up

DOOR_ID = 2000
EVENT_DAY = timedelta(days=14, hours=7, minutes=30)  # the door is open
REFUSAL = "Diese Funktion ist nur für Veranstaltende."
DOOR_ACTIONS = {
    Action.CHECKIN_LIST,
    Action.CHECKIN_EVENT,
    Action.CHECKIN_TAP,
    Action.CHECKIN_FORCE,
    Action.CHECKIN_UNDO,
    Action.CHECKIN_PDF,
    Action.DIALOGUE_ABORT,  # leaving the check-in search
}
# every organiser command of the menu table, both spellings, except the door's own /checkin
REFUSED_COMMANDS = [
    name for *names, _ in commands.ORGANISER_COMMANDS for name in names if name != "checkin"
]


def _organiser_actions() -> list[str]:
    """Every organiser callback action of the Action table (organiser actions start with "a",
    from ADMIN_MENU on) except the door's own."""
    names = [name for name in vars(Action) if name.isupper()]
    organiser = names[names.index("ADMIN_MENU") :]
    return [
        getattr(Action, name) for name in organiser if getattr(Action, name) not in DOOR_ACTIONS
    ]


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, door_ids=frozenset({DOOR_ID}))


def _checked_in(bot) -> dict[str, str | None]:
    return dict(
        rows(bot.data.settings.database_path, "SELECT name, checked_in_at FROM registrations")
    )


def test_door_ids_is_read_like_admin_ids(tmp_path):
    assert make_settings(tmp_path, door_ids=" 5, 7 ").door_ids == frozenset({5, 7})
    with pytest.raises(ValueError, match="numeric"):
        make_settings(tmp_path, door_ids="5,x")


@pytest.mark.parametrize("command", REFUSED_COMMANDS)
async def test_door_staff_are_refused_every_other_organiser_command(bot, add_events, command):
    await add_events(make_event("umbau-2026"))
    door = bot.user(DOOR_ID, first_name="Tür")
    answers = await door.send(f"/{command}")
    assert [answer.text for answer in answers] == [REFUSAL]


async def test_door_staff_are_refused_every_organiser_button(bot, add_events, clock):
    await add_events(make_event("umbau-2026"))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    door = bot.user(DOOR_ID, first_name="Tür")
    [help_message] = await door.send("/hilfe")  # a message to press forged buttons on
    actions = _organiser_actions()
    assert Action.BROADCAST_SEND in actions and Action.EVENT_DELETE_YES in actions
    for action in actions:
        before = len(bot.api.callback_answers)
        await door.press_data(pack(action, "umbau-2026"), help_message)
        answer = bot.api.callback_answers[before:]
        assert [(a.text, a.show_alert) for a in answer] == [(REFUSAL, True)], action
    assert door.messages == [help_message]  # nothing else shown or changed


async def test_door_staff_check_in_by_list_search_and_undo(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=4))
    for user_id, name in enumerate(("Anna Schäfer", "Ben Jürgens"), 11):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, name)
    clock.advance(EVENT_DAY)
    door = bot.user(DOOR_ID, first_name="Tür")
    [picker] = await door.send("/checkin")
    assert "Diese Funktion" not in picker.text
    [listing] = await door.send("/checkin umbau-2026")
    assert "⬜ Anna Schäfer" in listing.button_labels
    assert "◀ Zum Menü" not in listing.button_labels  # no way into what would refuse them
    await door.press("⬜ Anna Schäfer")
    assert _checked_in(bot)["Anna Schäfer"] is not None
    await door.press("✅ Anna Schäfer")
    await door.press("Check-in zurücknehmen")
    assert _checked_in(bot)["Anna Schäfer"] is None
    answers = await door.send("jurgen")
    await door.press("⬜ Ben Jürgens", answers[0])
    assert _checked_in(bot)["Ben Jürgens"] is not None


async def test_door_staff_check_in_by_scanning(bot, add_events, clock):
    await add_events(make_event("umbau-2026"))
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    clock.advance(EVENT_DAY)
    door = bot.user(DOOR_ID, first_name="Tür")
    await door.send(f"/start ci_{anna.ticket}")
    assert _checked_in(bot)["Anna"] is not None


async def test_an_attendee_still_cannot_check_in(bot, add_events, clock):
    await add_events(make_event("umbau-2026"))
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    clock.advance(EVENT_DAY)
    other = bot.user(12, first_name="Bert")
    await other.send(f"/start ci_{anna.ticket}")
    assert _checked_in(bot)["Anna"] is None
    assert (await other.send("/checkin"))[0].text == REFUSAL


async def test_someone_in_both_lists_is_an_organiser(tmp_path, clock):
    settings = make_settings(tmp_path, door_ids=frozenset({ADMIN_ID, DOOR_ID}))
    async with offline_bot(settings, clock=clock) as bot:
        both = bot.user(ADMIN_ID, first_name="Orga")
        answers = await both.send("/admin")
        assert REFUSAL not in [answer.text for answer in answers]


async def test_door_staff_menu_is_the_attendee_one_plus_checkin(bot):
    # At start-up: the chat scope of a door person, in the default language.
    names = [name for name, _ in bot.api.commands(BotCommandScopeChat(DOOR_ID))]
    attendee = [german for german, _, _ in commands.ATTENDEE_COMMANDS]
    assert names == [*attendee, "checkin"]
    organiser = [name for name, _ in bot.api.commands(BotCommandScopeChat(ADMIN_ID))]
    assert "rundschreiben" in organiser  # the organiser's menu is untouched
    door = bot.user(DOOR_ID, first_name="Door", language_code="en")
    await door.send("/help")  # first write in English: the menu follows the language
    names = [name for name, _ in bot.api.commands(BotCommandScopeChat(DOOR_ID))]
    assert names == [english for _, english, _ in commands.ATTENDEE_COMMANDS] + ["checkin"]


async def test_someone_in_both_lists_gets_the_organiser_menu(tmp_path, clock):
    settings = make_settings(tmp_path, door_ids=frozenset({ADMIN_ID}))
    async with offline_bot(settings, clock=clock) as bot:
        names = [name for name, _ in bot.api.commands(BotCommandScopeChat(ADMIN_ID))]
        assert "rundschreiben" in names


async def test_door_staff_leaving_the_list_lose_the_menu(settings, clock):
    async with offline_bot(settings, clock=clock) as running:
        assert running.api.commands(BotCommandScopeChat(DOOR_ID))
    removed = settings.model_copy(update={"door_ids": frozenset()})
    async with offline_bot(removed, clock=clock) as running:
        deleted = running.api.calls_to("deleteMyCommands")
        assert [call.params["scope"]["chat_id"] for call in deleted] == [DOOR_ID]


async def test_door_staff_print_the_door_list(bot, add_events, clock):
    """Bullet 3: one tap from /checkin, a PDF read back with a PDF parser: the confirmed
    people alphabetically with the end of their ticket, the waitlist on its own page."""
    await add_events(make_event("umbau-2026", capacity=2))
    people = {}
    for user_id, name in enumerate(("Zora Zeh", "Anna Schäfer", "Wim Wartend"), 11):
        people[name] = await sign_up(bot, clock.now(), "umbau-2026", user_id, name)
    door = bot.user(DOOR_ID, first_name="Tür")
    await door.send("/checkin umbau-2026")
    await door.press("Einlassliste drucken")
    [document] = [m for m in door.messages if m.document is not None]
    reader = PdfReader(io.BytesIO(document.document.content))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert first.index("Anna Schäfer") < first.index("Zora Zeh")
    assert people["Anna Schäfer"].ticket[-6:] in first
    assert "Wim Wartend" not in first
    assert "Warteliste" in second and "Wim Wartend" in second


async def test_door_staff_page_through_the_check_in_picker(bot, add_events):
    await add_events(*(make_event(f"abend-{n}", days=n, title=f"Abend {n}") for n in range(1, 9)))
    door = bot.user(DOOR_ID, first_name="Tür")
    [picker] = await door.send("/checkin")
    assert "◀ Zum Menü" not in picker.button_labels
    answers = await door.press("▶")
    assert REFUSAL not in [a.text for a in bot.api.callback_answers if a.text]
    assert any("Abend 8" in label for label in answers[-1].button_labels)
    organiser = bot.user(ADMIN_ID, first_name="Orga")
    await organiser.send("/admin")
    answers = await organiser.press_data(pack(Action.CHECKIN_LIST))  # "Einlass" in the menu
    assert "◀ Zum Menü" in answers[-1].button_labels
