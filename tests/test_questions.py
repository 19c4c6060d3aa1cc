"""Issue 13, point 2: questions to the speakers — asked from the card in a short dialogue,
acknowledged, withdrawn (acknowledgement, card, /meine), closed at the start; organisers read
them per evening with /fragen·/questions (newest last, counts, CSV) and in /statistik — end to
end through the real Application with the manual clock."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from bot.callbacks import Action, pack
from bot.jobs import RETENTION_JOB
from storage import questions as question_store
from storage import users as user_store
from tests.conftest import ADMIN_ID, NOW, make_event
from tests.signup_support import signed_up

EVENT = make_event()
QUESTION = "Was <b>kostet</b> ein Umbau & was bringt er?"


async def card_of(user, event_id=EVENT.id):
    [card] = await user.send(f"/start ev_{event_id}")
    return card


async def ask(user, text=QUESTION):
    """Press the card's question button and type ``text``; the bot's answer to the text."""
    card = await card_of(user)
    [prompt] = await user.press("❓ Frage an die Referent:innen", card)
    assert "höchstens 500 Zeichen" in prompt.text and "/abbrechen" in prompt.text
    [answer] = await user.send(text)
    return answer


async def test_a_question_is_asked_acknowledged_and_shown_as_typed(bot, add_events):
    await add_events(EVENT)
    stranger = bot.user(9, first_name="Nina")
    card = await card_of(stranger)
    assert not any("Frage" in label for label in card.button_labels)  # not signed up
    user = await signed_up(bot, 5)
    card = await card_of(user)
    [prompt] = await user.press("❓ Frage an die Referent:innen", card)
    assert "Umbau statt Neubau" in prompt.text
    [too_long] = await user.send("x" * 501)
    assert "501 Zeichen" in too_long.text and "höchstens 500" in too_long.text
    assert await question_store.question_of(bot.data.db, EVENT.id, 5) is None
    [photo_answer] = await user.send_photo()
    assert "als Text" in photo_answer.text  # still waiting for the question
    [thanks] = await user.send(QUESTION)
    assert "Vielen Dank" in thanks.text and QUESTION in thanks.text  # escaped, shown as typed
    assert thanks.button_labels == [
        "↩️ Frage zurückziehen",
        "« Zum Termin",
        "🎟 Meine Anmeldungen",
    ]
    stored = await question_store.question_of(bot.data.db, EVENT.id, 5)
    assert stored.text == QUESTION and stored.name == "Erika Muster"
    # The card now says so and offers withdrawing instead of asking again.
    card = await card_of(user)
    assert "Sie haben eine Frage an die Referent:innen gestellt" in card.text
    assert "↩️ Frage zurückziehen" in card.button_labels
    assert "❓ Frage an die Referent:innen" not in card.button_labels
    # The ways on work: /meine (the message becomes the list) and the card.
    [mine] = await user.press("🎟 Meine Anmeldungen", thanks)
    assert mine.message_id == thanks.message_id
    assert "❓ Frage an die Referent:innen gestellt" in mine.text
    [again] = await user.press("1. Öffnen", mine)
    assert "Sie haben eine Frage an die Referent:innen gestellt" in again.text
    # A forged second question (old button) gets the reason, nothing changes.
    await user.press_data(pack(Action.QUESTION_ASK, EVENT.id), card)
    answer = bot.api.callback_answers[-1]
    assert answer.show_alert and "schon eine Frage" in answer.text
    assert len(await question_store.questions_of_event(bot.data.db, EVENT.id)) == 1


async def test_only_signed_up_people_can_ask_and_abbrechen_leaves(bot, add_events):
    await add_events(EVENT)
    stranger = bot.user(9, first_name="Nina")
    card = await card_of(stranger)
    assert await stranger.press_data(pack(Action.QUESTION_ASK, EVENT.id), card) == []
    answer = bot.api.callback_answers[-1]
    assert answer.show_alert and "angemeldete Teilnehmende" in answer.text
    user = await signed_up(bot, 5)
    card = await card_of(user)
    await user.press("❓ Frage an die Referent:innen", card)
    [left] = await user.send("/abbrechen")
    assert "keine Frage gespeichert" in left.text
    assert left.button_labels == ["« Zum Termin", "🎟 Meine Anmeldungen"]
    [pointer] = await user.send("Noch eine Frage?")  # no dialogue any more: not stored
    assert "/hilfe" in pointer.text
    assert await question_store.question_of(bot.data.db, EVENT.id, 5) is None


async def test_withdraw_from_the_acknowledgement_the_card_and_mine(bot, add_events):
    await add_events(EVENT)
    user = await signed_up(bot, 5)
    thanks = await ask(user)
    [withdrawn] = await user.press("↩️ Frage zurückziehen", thanks)
    assert "zurückgezogen und gelöscht" in withdrawn.text
    assert bot.api.callback_answers[-1].text == "Ihre Frage ist zurückgezogen."
    assert await question_store.question_of(bot.data.db, EVENT.id, 5) is None
    # Pressing the old button again: the reason, nothing else.
    await user.press_data(thanks.callback_data[0], withdrawn)
    assert "keine Frage" in bot.api.callback_answers[-1].text

    await ask(user, "Zweite Frage")
    card = await card_of(user)
    [card_after] = await user.press("↩️ Frage zurückziehen", card)
    assert card_after.message_id == card.message_id  # the card is redrawn in place
    assert "❓ Frage an die Referent:innen" in card_after.button_labels
    assert "Sie haben eine Frage" not in card_after.text

    await ask(user, "Dritte Frage")
    [mine] = await user.send("/meine")
    assert "❓ Frage an die Referent:innen gestellt" in mine.text
    [mine_after] = await user.press("1. ↩️ Frage zurückziehen", mine)
    assert mine_after.message_id == mine.message_id
    assert "Frage an die Referent:innen gestellt" not in mine_after.text
    assert await question_store.question_of(bot.data.db, EVENT.id, 5) is None


async def test_questions_close_when_the_evening_starts(bot, add_events, clock):
    await add_events(EVENT)
    user = await signed_up(bot, 5)
    other = await signed_up(bot, 6, name="Jan Hambach")
    thanks = await ask(other, "Früh gestellt")
    card = await card_of(user)
    await user.press("❓ Frage an die Referent:innen", card)
    clock.set(EVENT.starts_at)  # the text comes too late
    [late] = await user.send("Zu spät?")
    assert "Die Fragen sind geschlossen" in late.text
    assert late.button_labels == ["« Zum Termin", "🎟 Meine Anmeldungen"]
    assert await question_store.question_of(bot.data.db, EVENT.id, 5) is None
    # A stale ask button and a stale withdraw button get the reason.
    await user.press_data(pack(Action.QUESTION_ASK, EVENT.id), card)
    assert "geschlossen" in bot.api.callback_answers[-1].text
    await other.press("↩️ Frage zurückziehen", thanks)
    assert "geschlossen" in bot.api.callback_answers[-1].text
    assert await question_store.question_of(bot.data.db, EVENT.id, 6) is not None
    card = await card_of(user)
    assert not any("Frage" in label for label in card.button_labels)


async def test_organisers_read_questions_per_evening_newest_last_with_csv(bot, add_events, clock):
    await add_events(EVENT, make_event("zwei", days=20, title="Zweiter Abend"))
    await ask(await signed_up(bot, 5, name="Erika Muster"), '=HYPERLINK("x") erste Frage')
    clock.advance(timedelta(minutes=5))
    await ask(await signed_up(bot, 6, name="Jan <Hambach>"), "Zweite\nmit Zeilen & <Zeichen>")
    organiser = bot.user(ADMIN_ID, first_name="Orga")
    [menu] = await organiser.send("/admin")
    [picker] = await organiser.press("❓ Fragen", menu)
    assert "Fragen an die Referent:innen" in picker.text
    answers = await organiser.press("Umbau statt Neubau", picker)
    text, document = answers[0].text, answers[-1]
    assert "2 Fragen" in text
    first, second = text.index("erste Frage"), text.index("Zweite\nmit Zeilen & <Zeichen>")
    assert first < second  # newest last
    assert "Jan <Hambach>" in text and "Erika Muster" in text
    assert document.document.filename == "fragen-umbau-2026.csv"
    assert document.button_labels == ["❓ Anderer Termin", "◀ Zum Menü"]
    content = document.document.content.decode("utf-8")
    assert content.startswith("\ufeffNr.;Name;Gestellt am;Frage\r\n")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1] == [
        "1",
        "Erika Muster",  # issue 23: names and questions as the text they are
        "25.11.2026 10:00",
        '\'=HYPERLINK("x") erste Frage',  # only a formula start defused, OWASP's way
    ]
    assert rows[2] == [
        "2",
        "Jan <Hambach>",
        "25.11.2026 10:05",
        "Zweite\nmit Zeilen & <Zeichen>",
    ]
    # The other evening: none yet, no file, a way on.
    [other] = await organiser.send("/fragen zwei")
    assert "noch keine Fragen" in other.text and other.document is None
    assert "❓ Anderer Termin" in other.button_labels
    # English spelling and language; statistics count them.
    await user_store.set_language(bot.data.db, ADMIN_ID, "en")
    organiser.user_json["language_code"] = "en"
    answers = await organiser.send(f"/questions {EVENT.id}")
    assert "2 questions" in answers[0].text
    assert answers[-1].document.content.decode("utf-8").startswith("\ufeffNo.;Name;Asked at;")
    stats = (await organiser.send("/stats"))[-1].text
    assert "Questions for the speakers: 2" in stats


async def test_fragen_is_for_organisers_only(bot, add_events):
    await add_events(EVENT)
    await ask(await signed_up(bot, 5), "Geheim?")
    mallory = bot.user(666, first_name="Mallory")
    [refused] = await mallory.send("/fragen")
    assert "Veranstaltende" in refused.text
    await mallory.send(f"/fragen {EVENT.id}")
    await mallory.press_data(pack(Action.QUESTIONS_EVENT, EVENT.id), refused)
    assert bot.api.callback_answers[-1].show_alert
    assert not any("Geheim" in m.text for m in mallory.messages)


async def test_english_reader(bot, add_events):
    await add_events(EVENT)
    user = await signed_up(bot, 7, name="Jane Doe", lang="en")
    card = await card_of(user)
    [prompt] = await user.press("❓ Question for the speakers", card)
    assert "at most 500 characters" in prompt.text
    [thanks] = await user.send("How do you finance it?")
    assert "Thank you" in thanks.text
    assert "↩️ Withdraw question" in thanks.button_labels


async def _comment(bot, user_id, event_id, comment, rating=4):
    """A feedback answer of the user's sign-up (as the feedback dialogue stores it)."""

    def write(conn):
        [registration_id] = conn.execute(
            "SELECT id FROM registrations WHERE user_id = ? AND event_id = ?", (user_id, event_id)
        ).fetchone()
        conn.execute(
            "INSERT INTO feedback (registration_id, event_id, requested_at, rating, comment)"
            " VALUES (?, ?, '2026-01-01T00:00:00Z', ?, ?)",
            (registration_id, event_id, rating, comment),
        )

    await bot.data.db.write(write)


async def _rows(bot, sql, params=()):
    return [tuple(row) for row in await bot.data.db.fetch_all(sql, params)]


async def test_export_and_delete_cover_questions_and_feedback_comments(bot, add_events, clock):
    past = make_event("frueher", days=-10, title="Früher Abend", capacity=None)
    clock.set(NOW - timedelta(days=12))
    await add_events(past)
    user = await signed_up(bot, 7, event_id="frueher")
    clock.set(NOW)
    await add_events(EVENT)
    await signed_up(bot, 7)
    await ask(user, "Meine <Frage>")
    await _comment(bot, 7, "frueher", "Schön war's, Grüße an Ilona")
    other = await signed_up(bot, 8, name="Jan Hambach")
    await ask(other, "Andere Frage")

    [notice] = await user.send("/datenschutz")
    [document] = await user.press("Meine Daten")
    data = json.loads(document.document.content)
    assert [(q["event_id"], q["text"]) for q in data["questions"]] == [(EVENT.id, "Meine <Frage>")]
    assert [(f["event_title"], f["rating"], f["comment"]) for f in data["feedback"]] == [
        ("Früher Abend", 4, "Schön war's, Grüße an Ilona")
    ]
    assert "Andere Frage" not in document.document.content.decode()

    await user.press("Alles löschen", notice)
    await user.press("Ja, alles löschen")
    assert await _rows(bot, "SELECT user_id, text FROM questions") == [(8, "Andere Frage")]
    assert await _rows(bot, "SELECT rating, comment FROM feedback") == [(4, None)]  # a tally


async def test_retention_removes_questions_and_comments_with_the_evening(bot, add_events, clock):
    old = make_event("alt", days=-181, title="Alt", capacity=None)
    recent = make_event("neu", days=-179, title="Neu", capacity=None)
    clock.set(NOW - timedelta(days=200))
    await add_events(old, recent)
    for event_id in ("alt", "neu"):
        user = await signed_up(bot, 20, event_id=event_id)
        card = await card_of(user, event_id)
        await user.press("❓ Frage an die Referent:innen", card)
        await user.send(f"Frage zu {event_id}")
        await _comment(bot, 20, event_id, f"Kommentar zu {event_id}")
    clock.set(NOW)
    [job] = bot.app.job_queue.get_jobs_by_name(RETENTION_JOB)
    await job.run(bot.app)
    assert await _rows(bot, "SELECT event_id, text FROM questions") == [("neu", "Frage zu neu")]
    assert await _rows(bot, "SELECT event_id, rating, comment FROM feedback ORDER BY 1") == [
        ("alt", 4, None),
        ("neu", 4, "Kommentar zu neu"),
    ]
