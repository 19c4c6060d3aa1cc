"""Sign-up, waitlist, cancellation, /meine, tickets, groups and callback data, end to end through
the real Application (issue 3, PRODUCT §4 and §6). What the user sees and what is in the
database are both checked."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest

from bot.callbacks import MAX_BYTES, Action, pack
from bot.sender import drain_outbox
from domain.models import EventStatus
from handlers.tickets import check_in_url, qr_png
from storage import registrations as registration_store
from storage import users as user_store
from tests.conftest import NOW, make_event
from tests.invariants import assert_consistent

BOT_USERNAME = "KraftDerRegionBot"


async def returning_user(bot, user_id, name="Erika Muster", language_code="de"):
    """A user who signed up before: name and consent are stored."""
    db = bot.data.db
    lang = "en" if language_code.startswith("en") else "de"
    await user_store.ensure_user(db, user_id, lang, NOW)
    await user_store.set_display_name(db, user_id, name)
    await user_store.give_consent(db, user_id, NOW)
    return bot.user(user_id, first_name=name.split()[0], language_code=language_code)


async def open_card(user, event_id="umbau-2026"):
    [card] = await user.send(f"/start ev_{event_id}")
    return card


async def registrations(bot, event_id="umbau-2026"):
    return await bot.data.db.fetch_all(
        "SELECT id, user_id, name, status, ticket FROM registrations WHERE event_id = ?"
        " ORDER BY id",
        (event_id,),
    )


def last_answer(bot):
    return bot.api.callback_answers[-1]


# --- 1. sign-up from the card ---------------------------------------------------------------


async def test_first_sign_up_with_telegram_name_and_consent(bot, add_events):
    await add_events(make_event())
    user = bot.user(7, first_name="Erika", last_name="Mustermann")
    card = await open_card(user)
    [prompt] = await user.press("Anmelden", card)
    assert "Unter welchem Namen" in prompt.text
    assert prompt.button_labels == ["👤 Als „Erika Mustermann“ anmelden"]
    answers = await user.press("Erika Mustermann")
    assert answers[0].text == "Sie melden sich als Erika Mustermann an."
    consent = answers[-1]
    assert "Sind Sie einverstanden?" in consent.text and "180 Tage" in consent.text
    assert consent.button_labels == ["✅ Einverstanden", "Nein, danke"]
    [done] = await user.press("Einverstanden")
    assert done.message_id == consent.message_id  # the question becomes the answer
    assert done.text.startswith("✅ Sie sind angemeldet.")
    assert "Umbau statt Neubau" in done.text and "18:30 Uhr" in done.text
    assert done.button_labels == ["🎟 Ticket", "Abmelden", "📅 In den Kalender", "Zum Termin"]
    [row] = await registrations(bot)
    assert (row["user_id"], row["name"], row["status"]) == (7, "Erika Mustermann", "confirmed")
    stored = await user_store.get_user(bot.data.db, 7)
    assert stored.display_name == "Erika Mustermann" and stored.consent_at == NOW


async def test_typed_name_is_checked_and_trimmed(bot, add_events):
    await add_events(make_event())
    user = bot.user(8)
    await user.press("Anmelden", await open_card(user))
    [hint] = await user.send("   ")
    assert "mindestens ein sichtbares Zeichen" in hint.text
    # Issue 15: nothing visible (zero-width space, Hangul filler, BOM, a lone combining mark,
    # Braille blank) would give a blank line in lists, CSV and check-in buttons.
    for invisible in ("\u200b", "\u3164\u3164", "\ufeff", "\u0301", "\u2800", "\u200b \u200d"):
        [hint] = await user.send(invisible)
        assert "mindestens ein sichtbares Zeichen" in hint.text, repr(invisible)
    [hint] = await user.send("Erika\u0007Bell")
    assert "Steuerzeichen" in hint.text
    [hint] = await user.send("Erika\u202eakirE")  # a bidirectional override
    assert "Steuerzeichen" in hint.text
    [hint] = await user.send("x" * 101)
    assert "höchstens 100 Zeichen" in hint.text
    assert await registrations(bot) == []
    answers = await user.send("  Dr. Erika   <Muster> & Co  ")
    assert answers[0].text == "Sie melden sich als Dr. Erika <Muster> & Co an."
    assert "Sind Sie einverstanden?" in answers[-1].text
    assert (await user_store.get_user(bot.data.db, 8)).display_name == "Dr. Erika <Muster> & Co"
    await user.press("Einverstanden")
    [row] = await registrations(bot)
    assert row["name"] == "Dr. Erika <Muster> & Co"


async def test_a_name_of_exactly_100_characters_is_accepted(bot, add_events):
    await add_events(make_event())
    user = bot.user(9)
    await user.press("Anmelden", await open_card(user))
    answers = await user.send("ä" * 100)
    assert answers[0].text == f"Sie melden sich als {'ä' * 100} an."


async def test_commands_during_the_name_step_are_never_swallowed(bot, add_events):
    await add_events(make_event())
    user = bot.user(10)
    await user.press("Anmelden", await open_card(user))
    [hint] = await user.send("/irgendwas")
    assert "warte noch auf Ihren Namen" in hint.text and "Umbau statt Neubau" in hint.text
    [listing] = await user.send("/termine")  # a known command simply works
    assert "Der nächste Termin" in listing.text
    [photo_hint] = await user._send(user, None, photo=b"\x89PNG")
    assert "als Text" in photo_hint.text
    answers = await user.send("Erika")  # and the dialogue is still there
    assert answers[0].text == "Sie melden sich als Erika an."


async def test_cancel_leaves_the_name_step_and_nothing_is_stored(bot, add_events):
    await add_events(make_event())
    user = bot.user(11)
    await user.press("Anmelden", await open_card(user))
    [answer] = await user.send("/abbrechen")
    assert answer.text == "Die Anmeldung wurde abgebrochen."
    [answer] = await user.send("Erika")  # no longer taken as a name
    assert "nicht verstanden" in answer.text
    assert (await user_store.get_user(bot.data.db, 11)).display_name is None
    [answer] = await user.send("/abbrechen")
    assert "nichts, was ich abbrechen könnte" in answer.text
    [answer] = await bot.user(12, language_code="en").send("/cancel")
    assert answer.text.startswith("There is nothing to cancel")


async def test_a_name_typed_hours_later_is_not_taken(bot, add_events, clock):
    await add_events(make_event())
    user = bot.user(13)
    await user.press("Anmelden", await open_card(user))
    clock.advance(timedelta(hours=2))
    [answer] = await user.send("Erika")
    assert "abgelaufen" in answer.text
    assert (await user_store.get_user(bot.data.db, 13)).display_name is None


async def test_name_dialogues_are_per_user(bot, add_events):
    await add_events(make_event(), make_event("zwei", days=20, title="Zweiter Abend"))
    anna, ben = bot.user(15, first_name="Anna"), bot.user(16, first_name="Ben")
    await anna.press("Anmelden", await open_card(anna))
    await ben.press("Anmelden", await open_card(ben, "zwei"))
    [answer] = await bot.user(17).send("Carla")  # a third person is in no dialogue
    assert "nicht verstanden" in answer.text
    await ben.send("Ben B.")
    await anna.send("Anna A.")
    await anna.press("Einverstanden")
    await ben.press("Einverstanden")
    rows = await bot.data.db.fetch_all(
        "SELECT user_id, event_id, name FROM registrations ORDER BY user_id"
    )
    assert [tuple(r) for r in rows] == [
        (15, "umbau-2026", "Anna A."),
        (16, "zwei", "Ben B."),
    ]


async def test_declining_consent_signs_nobody_up(bot, add_events):
    await add_events(make_event())
    user = bot.user(14)
    await user.press("Anmelden", await open_card(user))
    await user.press("Als")
    [answer] = await user.press("Nein, danke")
    assert "Ohne Ihre Zustimmung" in answer.text
    assert await registrations(bot) == []
    assert (await user_store.get_user(bot.data.db, 14)).consent_at is None


async def test_returning_user_signs_up_with_one_tap_and_the_card_updates(bot, add_events):
    await add_events(make_event(capacity=3))
    user = await returning_user(bot, 20)
    card = await open_card(user)
    assert "noch 3 Plätze frei" in card.text
    calls_before = len(bot.api.calls)
    [refreshed] = await user.press("Anmelden", card)  # no extra message: the card says it all
    assert refreshed.message_id == card.message_id
    assert "noch 2 Plätze frei" in refreshed.text and "Sie sind angemeldet" in refreshed.text
    # Every PRODUCT §4 element of the confirmation: status above, ticket, cancel, calendar.
    assert refreshed.button_labels[:2] == ["Abmelden", "🎟 Ticket"]
    assert "📅 In den Kalender" in refreshed.button_labels
    assert last_answer(bot).text.startswith("✅ Sie sind angemeldet.")
    assert not last_answer(bot).show_alert
    # Issue 14: one message less per sign-up (before: answer, card edit and a confirmation).
    methods = [call.method for call in bot.api.calls[calls_before:]]
    assert methods == ["answerCallbackQuery", "editMessageText"]
    [row] = await registrations(bot)
    assert (row["name"], row["status"]) == ("Erika Muster", "confirmed")


async def test_a_failed_toast_still_shows_the_sign_up_on_the_card(bot, add_events):
    await add_events(make_event(capacity=3))
    user = await returning_user(bot, 22)
    card = await open_card(user)
    bot.api.fail_next(1, "timeout", method="answerCallbackQuery")
    answers = await user.press("Anmelden", card)
    assert [a.message_id for a in answers] == [card.message_id]
    assert "Sie sind angemeldet" in answers[0].text
    assert not any("schiefgegangen" in a.text for a in user.messages)
    [row] = await registrations(bot)
    assert row["status"] == "confirmed"


async def test_the_sign_up_toast_speaks_english(bot, add_events):
    await add_events(make_event(capacity=1))
    await (await returning_user(bot, 23)).press("Anmelden", await open_card(bot.user(23)))
    jane = await returning_user(bot, 24, name="Jane Doe", language_code="en")
    [refreshed] = await jane.press("Sign up", await open_card(jane))
    toast = last_answer(bot).text
    assert toast.startswith("⏳ Fully booked – you are on the waiting list, position 1.")
    assert "Cancel" in " ".join(refreshed.button_labels)


async def test_signing_up_twice_is_harmless(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 21)
    card = await open_card(user)
    await user.press("Anmelden", card)
    await user.press_data(pack(Action.SIGN_UP, "umbau-2026"), card)  # the old button, again
    assert last_answer(bot).text == "Sie sind bereits angemeldet."
    assert last_answer(bot).show_alert
    assert len(await registrations(bot)) == 1


async def test_full_event_puts_people_on_the_waitlist_with_their_position(bot, add_events):
    await add_events(make_event(capacity=1))
    first, second, third = [await returning_user(bot, uid) for uid in (30, 31, 32)]
    await first.press("Anmelden", await open_card(first))
    [refreshed] = await second.press("Anmelden", await open_card(second))
    toast = last_answer(bot).text
    assert toast.startswith("⏳ Ausgebucht – Sie stehen auf der Warteliste, Platz 1.")
    assert "Sie stehen auf der Warteliste (Platz 1)" in refreshed.text
    assert {"Abmelden", "📅 In den Kalender"} <= set(refreshed.button_labels)
    card = await open_card(third)
    assert "ausgebucht – Warteliste (1 Person wartet)" in card.text
    [refreshed] = await third.press("Anmelden", card)
    assert "Warteliste, Platz 2" in last_answer(bot).text
    assert "Sie stehen auf der Warteliste (Platz 2)" in refreshed.text
    await third.press_data(pack(Action.SIGN_UP, "umbau-2026"), card)
    assert last_answer(bot).text == "Sie stehen bereits auf der Warteliste (Platz 2)."
    assert [r["status"] for r in await registrations(bot)] == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ({"status": EventStatus.CANCELLED}, "Dieser Termin wurde abgesagt"),
        ({"capacity": 0}, "Für diesen Termin ist keine Anmeldung möglich."),
        ({"registration_closes_at": NOW + timedelta(hours=1)}, "Anmeldefrist"),
        ({"starts_at": NOW + timedelta(hours=1)}, "hat bereits begonnen"),
        ({"starts_at": NOW - timedelta(hours=1)}, "hat bereits stattgefunden"),
    ],
    ids=["cancelled", "capacity-0", "deadline", "under-way", "over"],
)
async def test_closed_sign_up_has_its_own_answer(bot, add_events, clock, change, answer):
    event = make_event()
    await add_events(event)
    user = await returning_user(bot, 40)
    newcomer = bot.user(41)
    card = await open_card(user)
    newcomer_card = await open_card(newcomer)
    fields = dict(change)
    if "starts_at" in fields:
        fields["ends_at"] = None
    await add_events(dataclasses.replace(event, **fields))
    clock.advance(timedelta(hours=2))
    answers = await user.press("Anmelden", card)  # the button of the card shown earlier
    assert answer in last_answer(bot).text and last_answer(bot).show_alert
    refreshed = next(m for m in answers if m.message_id == card.message_id)
    assert "Anmelden" not in refreshed.button_labels  # the card now shows the current state
    await newcomer.press("Anmelden", newcomer_card)  # no name asked for a closed event
    assert answer in last_answer(bot).text
    assert "Unter welchem Namen" not in newcomer.last_text
    assert await registrations(bot) == []


async def test_distinct_answers_for_each_closed_reason(bot):
    answers = {
        bot.data.translator.plain("de", key)
        for key in (
            "signup.closed_cancelled",
            "signup.closed_past",
            "signup.closed_deadline",
            "signup.closed_no_registration",
        )
    }
    assert len(answers) == 4


async def test_unknown_event_is_answered(bot):
    user = await returning_user(bot, 42)
    await user.send("/start")
    await user.press_data(pack(Action.SIGN_UP, "gibt-es-nicht"))
    assert "Diesen Termin gibt es nicht" in last_answer(bot).text


# --- 3. cancellation ------------------------------------------------------------------------


async def test_cancel_from_the_card_after_a_confirmation(bot, add_events):
    await add_events(make_event(capacity=5))
    user = await returning_user(bot, 50)
    card = await open_card(user)
    await user.press("Anmelden", card)
    [question] = await user.press("Abmelden", card)
    assert question.message_id == card.message_id
    assert "wirklich zurückziehen" in question.text
    [kept] = await user.press("Nein, angemeldet bleiben", card)
    assert kept.text.startswith("Gut – Ihre Anmeldung bleibt bestehen.")
    assert "Sie sind angemeldet" in kept.text
    await user.press("Abmelden", card)
    [done] = await user.press("Ja, abmelden", card)
    assert done.text.startswith("✅ Sie sind von „Umbau statt Neubau“ abgemeldet.")
    assert "noch 5 Plätze frei" in done.text
    assert "✍️ Anmelden" in done.button_labels
    [row] = await registrations(bot)
    assert row["status"] == "cancelled"
    # The same question pressed again (e.g. a second tap) changes nothing and says so.
    [again] = await user.press_data(pack(Action.CANCEL_CONFIRM, row["id"], "c"), card)
    assert again.text.startswith("Diese Anmeldung ist bereits storniert.")
    assert [r["status"] for r in await registrations(bot)] == ["cancelled"]


async def test_cancellation_moves_the_first_waitlisted_up_and_tells_them_in_english(
    bot, add_events
):
    await add_events(make_event(capacity=1))
    erika = await returning_user(bot, 60)
    jane = await returning_user(bot, 61, name="Jane Doe", language_code="en")
    max_ = await returning_user(bot, 62, name="Max Muster")
    erika_card = await open_card(erika)
    await erika.press("Anmelden", erika_card)
    await jane.press("Sign up", await open_card(jane))
    await max_.press("Anmelden", await open_card(max_))
    await erika.press("Abmelden", erika_card)
    await erika.press("Ja, abmelden", erika_card)
    statuses = {r["user_id"]: r["status"] for r in await registrations(bot)}
    assert statuses == {60: "cancelled", 61: "confirmed", 62: "waitlisted"}
    queued = await bot.data.db.fetch_all("SELECT user_id, kind, state FROM outbox")
    assert [tuple(row) for row in queued] == [(61, "promoted", "pending")]
    report = await drain_outbox(bot.app)
    assert report.sent == 1
    told = jane.last
    assert told.text.startswith("🎉 A seat has become free")
    assert "Umbau statt Neubau" in told.text
    assert told.button_labels == [
        "🎟 Ticket",
        "Cancel my sign-up",
        "📅 Add to calendar",
        "Open the event",
    ]
    [photo] = await jane.press("Ticket", told)
    assert photo.photo is not None
    registration = await registration_store.active_registration(bot.data.db, "umbau-2026", 62)
    assert registration.waitlist_position == 1
    assert_consistent(bot.data.db.path)


async def test_more_capacity_moves_up_as_many_as_fit(bot, add_events):
    event = make_event(capacity=1)
    await add_events(event)
    users = [await returning_user(bot, 70 + i) for i in range(5)]
    for user in users:
        await user.press("Anmelden", await open_card(user))
    await add_events(dataclasses.replace(event, capacity=3))
    statuses = [r["status"] for r in await registrations(bot)]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted", "waitlisted"]
    queued = await bot.data.db.fetch_all("SELECT user_id FROM outbox WHERE kind = 'promoted'")
    assert [row[0] for row in queued] == [71, 72]
    await drain_outbox(bot.app)
    assert users[1].last_text.startswith("🎉 Ein Platz ist frei geworden")
    assert_consistent(bot.data.db.path)


async def test_cancel_from_an_older_message_asks_in_a_new_message(bot, add_events):
    await add_events(make_event())
    user = bot.user(80)  # the first sign-up ends with a confirmation message of its own
    await user.press("Anmelden", await open_card(user))
    await user.press("Als")
    [confirmation] = await user.press("Einverstanden")
    assert confirmation.text.startswith("✅ Sie sind angemeldet.")
    [question] = await user.press("Abmelden", confirmation)
    assert question.message_id != confirmation.message_id
    [done] = await user.press("Ja, abmelden", question)
    assert done.message_id == question.message_id
    assert done.text == "✅ Sie sind von „Umbau statt Neubau“ abgemeldet."
    assert done.button_labels == []
    [row] = await registrations(bot)
    assert row["status"] == "cancelled"


async def test_cancel_after_the_start_is_refused(bot, add_events, clock):
    await add_events(make_event(days=1))
    user = await returning_user(bot, 81)
    card = await open_card(user)
    await user.press("Anmelden", card)
    clock.advance(timedelta(days=2))
    await user.press("Abmelden", card)
    assert "bereits begonnen" in last_answer(bot).text
    [row] = await registrations(bot)
    assert row["status"] == "confirmed"


async def test_forged_callbacks_for_someone_elses_sign_up_reveal_and_change_nothing(
    bot, add_events
):
    await add_events(make_event())
    owner = await returning_user(bot, 90, name="Geheime Person")
    await owner.press("Anmelden", await open_card(owner))
    [row] = await registrations(bot)
    intruder = await returning_user(bot, 91)
    await intruder.send("/start")
    before = len(intruder.messages)
    for data in (
        pack(Action.CANCEL, row["id"]),
        pack(Action.CANCEL, row["id"], "m"),
        pack(Action.CANCEL_CONFIRM, row["id"], "c"),
        pack(Action.TICKET, row["id"]),
    ):
        await intruder.press_data(data)
        answer = last_answer(bot)
        assert answer.show_alert
        assert "gibt es nicht" in answer.text
        assert "Geheime" not in answer.text and "Umbau" not in answer.text
    # A registration id that does not exist gets the very same answers.
    await intruder.press_data(pack(Action.CANCEL_CONFIRM, 999_999, "c"))
    assert last_answer(bot).text == bot.data.translator.plain("de", "cancel.not_found")
    assert len(intruder.messages) == before  # nothing was sent or edited
    [after] = await registrations(bot)
    assert after["status"] == "confirmed" and after["user_id"] == 90
    assert bot.api.messages(90)[-1].photo is None  # no ticket went anywhere


@pytest.mark.parametrize(
    "data",
    [
        "1:cx:abc",
        "1:cx",
        "1:cxy:-5:c",
        "1:cxn",
        "1:tk:99999999999999999999999",
        "1:su",
        "1:nm",
        "1:ok:",
        "1:pv:hack",
        "1:sub:7",
        "1:my:extra",
        "9:su:umbau-2026",
        "garbage",
        "",
    ],
)
async def test_malformed_callbacks_are_answered_never_an_error(bot, add_events, data):
    await add_events(make_event())
    user = await returning_user(bot, 95)
    await user.send("/start")
    answered = len(bot.api.callback_answers)
    await user.press_data(data)
    assert len(bot.api.callback_answers) == answered + 1
    assert not any("Entschuldigung" in m.text for m in user.messages)
    assert await registrations(bot) == []


async def test_callback_data_fits_64_bytes_with_the_longest_ids():
    longest_event = "e" * 40
    for data in (
        pack(Action.SIGN_UP, longest_event),
        pack(Action.USE_NAME, longest_event),
        pack(Action.CONSENT_DECLINE, longest_event),
        pack(Action.CANCEL_CONFIRM, 10**18, "m"),
        pack(Action.CANCEL_KEEP, 10**18, "m"),
        pack(Action.TICKET, 10**18),
    ):
        assert len(data.encode()) <= MAX_BYTES and data.startswith("1:")


async def test_buttons_of_a_deleted_event_answer_clearly(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 96)
    card = await open_card(user)
    await user.press("Anmelden", card)
    [row] = await registrations(bot)

    def write(conn):
        conn.execute("DELETE FROM events WHERE id = 'umbau-2026'")

    await bot.data.db.write(write)
    await user.press_data(pack(Action.SIGN_UP, "umbau-2026"), card)
    assert "Diesen Termin gibt es nicht" in last_answer(bot).text
    await user.press_data(pack(Action.CANCEL, row["id"]), card)
    assert "gibt es nicht" in last_answer(bot).text
    await user.press_data(pack(Action.TICKET, row["id"]), card)
    assert "gibt es nicht" in last_answer(bot).text


# --- 4. /meine ------------------------------------------------------------------------------


async def test_mine_lists_confirmed_and_waitlisted_upcoming_sign_ups(bot, add_events, clock):
    await add_events(
        make_event("soon", days=2, title="Bald", capacity=5),
        make_event("full", days=5, title="Voll", capacity=1),
        make_event("gone", days=7, title="Abgemeldet"),
        make_event("past", days=1, title="Vorbei"),
    )
    other = await returning_user(bot, 99)
    await other.press("Anmelden", await open_card(other, "full"))
    user = await returning_user(bot, 100)
    for event_id in ("soon", "full", "gone", "past"):
        await user.press("Anmelden", await open_card(user, event_id))
    gone_card = await open_card(user, "gone")
    await user.press("Abmelden", gone_card)
    await user.press("Ja, abmelden", gone_card)
    clock.advance(timedelta(days=1, hours=12))  # "Vorbei" has started
    [mine] = await user.send("/meine")
    assert "Ihre 2 Anmeldungen" in mine.text
    assert "Bald" in mine.text and "Voll" in mine.text
    assert "Abgemeldet" not in mine.text and "Vorbei" not in mine.text
    assert mine.text.index("Bald") < mine.text.index("Voll")
    assert "✅ angemeldet" in mine.text and "⏳ Warteliste, Platz 1" in mine.text
    assert "Fr., 27. Nov. 2026, 18:30" in mine.text
    assert mine.button_labels == [
        "1. Öffnen",
        "1. 🎟 Ticket",
        "1. Abmelden",
        "2. Öffnen",
        "2. Abmelden",
        "📅 Alle Termine",
    ]
    [card] = await user.press("2. Öffnen", mine)  # each entry opens its evening
    assert card.text.startswith("Voll") or "Voll" in card.text.split("\n")[0]
    mine = (await user.send("/meine"))[0]
    [question] = await user.press("2. Abmelden", mine)
    assert "von der Warteliste abmelden" in question.text
    [after] = await user.press("Ja, abmelden", mine)
    assert after.text.startswith("✅ Sie sind von „Voll“ abgemeldet.")
    assert "Ihre Anmeldung</b>" in after.html and "Voll" not in after.text.split("\n", 1)[1]


async def test_mine_in_english_and_when_empty(bot, add_events):
    [empty] = await bot.user(101, language_code="en").send("/mine")
    assert empty.text.startswith("You are not signed up")
    assert empty.button_labels == ["📅 All events"]
    await add_events(make_event())
    user = await returning_user(bot, 102, language_code="en")
    await user.press("Sign up", await open_card(user))
    [mine] = await user.send("/mine")
    assert "Your sign-up" in mine.text and "✅ signed up" in mine.text


async def test_mine_from_the_main_menu(bot, add_events):
    await add_events(make_event())
    user = await returning_user(bot, 103)
    await user.press("Anmelden", await open_card(user))
    answers = await user.send("/start")
    [mine] = await user.press("Meine Anmeldungen", answers[0])
    assert "Ihre Anmeldung" in mine.text and "Umbau statt Neubau" in mine.text


# --- 5. ticket ------------------------------------------------------------------------------


async def test_ticket_is_a_qr_code_of_the_check_in_link_with_the_code_under_it(
    bot, add_events, caplog
):
    caplog.set_level(logging.DEBUG)
    await add_events(make_event())
    user = await returning_user(bot, 110)
    card = await open_card(user)
    await user.press("Anmelden", card)
    [row] = await registrations(bot)
    ticket = row["ticket"]
    assert len(ticket) >= 22  # ≥ 128 bits in URL-safe base64 (here 192 bits)
    [photo] = await user.press("Ticket")
    assert photo.method == "sendPhoto"
    url = f"https://t.me/{BOT_USERNAME}?start=ci_{ticket}"
    assert check_in_url(BOT_USERNAME, ticket) == url
    assert photo.photo == qr_png(url)  # the PNG encodes exactly this link
    assert photo.photo.startswith(b"\x89PNG")
    assert ticket in photo.caption and "Erika Muster" in photo.caption
    assert "Umbau statt Neubau" in photo.caption
    # PTB logged the sendPhoto call at DEBUG, but without the ticket.
    assert "sendPhoto" in caplog.text
    assert ticket not in caplog.text
    assert all(ticket not in record.getMessage() for record in caplog.records)


async def test_tickets_are_unique_and_unguessable(bot, add_events):
    await add_events(make_event(capacity=None))
    for uid in range(120, 130):
        user = await returning_user(bot, uid)
        await user.press("Anmelden", await open_card(user))
    tickets = [r["ticket"] for r in await registrations(bot)]
    assert len(set(tickets)) == 10
    assert all(len(t) >= 22 and t.replace("-", "").replace("_", "").isalnum() for t in tickets)


async def test_no_ticket_on_the_waitlist_or_for_a_cancelled_event(bot, add_events):
    event = make_event(capacity=1)
    await add_events(event)
    first = await returning_user(bot, 130)
    second = await returning_user(bot, 131)
    await first.press("Anmelden", await open_card(first))
    await second.press("Anmelden", await open_card(second))
    [_, waiting] = await registrations(bot)
    await second.press_data(pack(Action.TICKET, waiting["id"]))
    assert "Warteliste (Platz 1)" in last_answer(bot).text
    await add_events(dataclasses.replace(event, status=EventStatus.CANCELLED))
    await first.press("Ticket")
    assert "abgesagt" in last_answer(bot).text
    assert all(m.photo is None for m in first.messages + second.messages)


# --- 8. groups ------------------------------------------------------------------------------


async def test_in_a_group_only_list_and_card_with_a_deep_link_to_sign_up(bot, add_events):
    await add_events(make_event())
    group = bot.group()
    member = await returning_user(bot, 140)
    [listing] = await group.send(member, "/termine")
    assert "Umbau statt Neubau" in listing.text
    [card] = await group.press(member, "Umbau statt Neubau")
    [button] = [b for row in card.buttons for b in row]
    assert button.url == f"https://t.me/{BOT_USERNAME}?start=ev_umbau-2026"
    assert button.callback_data is None
    for command in ("/meine", "/abo", "/datenschutz", "/abbrechen", "/mine"):
        assert await group.send(member, command) == []
    # A forged sign-up press in the group signs nobody up and points to the private chat.
    await group.press_data(member, pack(Action.SIGN_UP, "umbau-2026"))
    assert "privaten Chat" in last_answer(bot).text
    assert await registrations(bot) == []
    # The deep link opens the card in the private chat, where sign-up works.
    [private_card] = await member.send("/start ev_umbau-2026")
    assert "✍️ Anmelden" in private_card.button_labels


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("\u200b", None), ("\u3164", "\u3164"), ("\ufeff", "\u200d"), ("\u2800", None)],
)
async def test_an_invisible_telegram_name_is_not_offered(bot, add_events, first_name, last_name):
    """Issue 15: a Telegram name with nothing visible is no name for the attendee list: no
    "use my Telegram name" button, the question asks to type one, a forged press is refused."""
    await add_events(make_event())
    user = bot.user(9, first_name=first_name, last_name=last_name)
    [prompt] = await user.press("Anmelden", await open_card(user))
    assert "Unter welchem Namen" in prompt.text
    assert prompt.button_labels == []
    assert "mindestens ein sichtbares Zeichen" in prompt.text
    assert "Schaltfläche" not in prompt.text
    await user.press_data(pack(Action.USE_NAME, "umbau-2026"))
    assert "nicht mehr gültig" in last_answer(bot).text
    assert (await user_store.get_user(bot.data.db, 9)).display_name is None
    answers = await user.send("Erika")
    assert answers[0].text == "Sie melden sich als Erika an."
