"""Issue 15: every text that goes into one message fits, whatever the data. Events at the limits
the program file and the editor allow (``domain.reading.program.LIMITS``: 20 speakers, long bios
and descriptions, full of characters that HTML escapes or that count twice in UTF-16) go through
the real Application; the fake Bot API rejects texts over 4096 characters and broken HTML, and
the ``bot`` fixture fails a test on any rejection."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import Markup

from bot.render import MESSAGE_LIMIT, shorten, split_message, visible_length
from domain.models import Speaker
from domain.reading.program import LIMITS, MAX_SPEAKERS, SPEAKER_LIMITS
from handlers.attendee.feedback import MAX_COMMENT
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import sign_up


def filled(limit: int, unit: str = "Bau & <Kultur> ") -> str:
    """A text of exactly ``limit`` characters, made of ``unit`` (HTML escapes most of it)."""
    return (unit * (limit // len(unit) + 1))[:limit].strip().ljust(limit, "&")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def at_the_limits(event_id: str = "voll-2026", unit: str = "Bau & <Kultur> ", **fields):
    speakers = tuple(
        Speaker(
            filled(SPEAKER_LIMITS["name"] - 3, unit) + f" {i:02}",
            filled(SPEAKER_LIMITS["role"], unit),
            f"B{i:02} " + filled(SPEAKER_LIMITS["bio"] - 4, unit),
        )
        for i in range(MAX_SPEAKERS)
    )
    values = {
        "title": filled(LIMITS["title"], unit),
        "series": filled(LIMITS["series"], unit),
        "venue": filled(LIMITS["venue"], unit),
        "address": filled(LIMITS["address"], unit),
        "description": filled(LIMITS["description"], unit),
        "speakers": speakers,
        "registration_closes_at": None,
    }
    values.update(fields)
    return make_event(event_id, **values)


# --- the helpers ------------------------------------------------------------------------------


def _balanced(text: str) -> bool:
    opened = re.findall(r"<(\w+)[^>]*>", text)
    closed = re.findall(r"</(\w+)>", text)
    return sorted(opened) == sorted(closed)


@pytest.mark.parametrize("limit", [7, 50, 300])
def test_split_never_cuts_inside_a_tag_or_an_entity(limit):
    text = Markup("<b>{}</b>\n<i>{}</i> {}").format("A&B " * 40, "x<y " * 60, "😀" * 90)
    chunks = split_message(text, limit)
    assert len(chunks) > 1
    for chunk in chunks:
        assert visible_length(chunk) <= limit
        assert _balanced(chunk)
        assert not re.search(r"&[#\w]*$", chunk) and not re.search(r"<[^>]*$", chunk)
    plain = "".join(html.unescape(re.sub(r"<[^>]*>", "", c)) for c in chunks)
    whole = html.unescape(re.sub(r"<[^>]*>", "", text))
    assert plain.replace(" ", "").replace("\n", "") == whole.replace(" ", "").replace("\n", "")


def test_shorten_ends_with_an_ellipsis_inside_the_open_tags():
    text = Markup("<i>{}</i>").format("Tom & Jerry " * 50)
    short = shorten(text, 100)
    assert visible_length(short) <= 100 and short.endswith("…</i>") and _balanced(short)
    assert shorten("a < b", 100) == "a &lt; b"  # plain text is escaped, short text untouched


# --- through the Application ------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["Bau & <Kultur> ", "😀🏛️ "])
async def test_a_card_at_the_limits_is_one_message(bot, add_events, unit):
    event = at_the_limits(unit=unit)
    await add_events(event)
    user = bot.user(7)
    [card] = await user.send(f"/start ev_{event.id}")
    assert utf16(card.text) <= MESSAGE_LIMIT
    assert "weitere Referent:innen (alle unter 👥)" in card.text
    assert "✍️ Anmelden" in card.button_labels and "👥 Referent:innen" in card.button_labels
    assert card.text.startswith(html.unescape(event.title)[:20])
    # 👥 lists every speaker with the whole bio, in as many messages as that takes.
    answers = await user.press("👥 Referent:innen", card)
    assert len(answers) > 1 and answers[-1].button_labels == ["« Zum Termin"]
    shown = "".join("".join(answer.text.split()) for answer in answers)
    for speaker in event.speakers:
        assert "".join(speaker.name.split()) in shown
        assert "".join(speaker.bio.split()) in shown  # whole, even where a message ends


async def test_a_description_too_long_in_utf16_is_shortened(bot, add_events):
    """2,500 emoji are 2,500 characters for the validation but 5,000 UTF-16 units."""
    event = at_the_limits(speakers=(), description="🏛" * LIMITS["description"])
    await add_events(event)
    [card] = await bot.user(7).send(f"/start ev_{event.id}")
    assert utf16(card.text) <= MESSAGE_LIMIT and "🏛…" in card.text
    assert "Plätze frei" in card.text  # what follows the description is all there


async def test_speakers_of_several_events_at_the_limits(bot, add_events):
    await add_events(at_the_limits("eins-2026"), at_the_limits("zwei-2026", days=20))
    user = bot.user(7)
    answers = await user.send("/referenten")
    assert len(answers) > 2 and answers[-1].button_labels == ["« Alle Termine"]
    assert sum(answer.text.count(" 19 – ") for answer in answers) == 2


async def test_my_sign_ups_at_the_limits_are_one_message(bot, add_events, clock):
    events = [
        at_the_limits(f"abend-{i:02}", unit="😀🏛️ ", days=10 + i, speakers=()) for i in range(25)
    ]
    await add_events(*events)
    for event in events:
        await sign_up(bot, clock.now(), event.id, 7, filled(100))
    [mine] = await bot.user(7).send("/meine")
    assert utf16(mine.text) <= MESSAGE_LIMIT
    assert "weitere" in mine.text


async def test_the_editor_summary_at_the_limits_keeps_the_input(bot, add_events):
    event = at_the_limits()
    await add_events(event)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("bearbeiten")
    await admin.press(event.title[:20])
    await admin.press("Beschreibung")
    new = filled(LIMITS["description"], "Neu & <anders> ")
    answers = await admin.send(new)
    assert len(answers) > 1
    assert answers[-1].button_labels[0] == "✅ Speichern"
    summary = "".join(answer.text for answer in answers)
    assert new[:200] in summary and event.description[:200] in summary
    await admin.press("Speichern", answers[-1])
    saved = await bot.data.db.fetch_value(
        "SELECT description FROM events WHERE id = ?", (event.id,)
    )
    assert saved == new


async def test_statistics_with_many_long_comments_fit(bot, add_events, clock):
    event = at_the_limits(days=-3, speakers=())
    await add_events(event)

    def answers(conn):
        for i in range(60):
            registration = conn.execute(
                "INSERT INTO registrations (event_id, user_id, name, status, created_at)"
                " VALUES (?, NULL, NULL, 'confirmed', '2026-01-01T00:00:00Z')",
                (event.id,),
            ).lastrowid
            conn.execute(
                "INSERT INTO feedback (registration_id, event_id, requested_at, rating, comment,"
                " answered_at) VALUES (?, ?, '2026-01-01T00:00:00Z', 4, ?,"
                " '2026-01-01T00:00:00Z')",
                (registration, event.id, filled(MAX_COMMENT, f"K{i} & <c> ")),
            )

    await bot.data.db.write(answers)
    [stats] = await bot.user(ADMIN_ID).send("/statistik")
    assert utf16(stats.text) <= MESSAGE_LIMIT
    assert "weitere Kommentare (nicht gezeigt" in stats.text
