"""Issue 23, bullet 3: the statistics' sections follow the domain's period of each evening
(under way, upcoming, over: by its ``ends``, else start + 2 h), not "began less than 12 h ago".
Fails on 61def71: the evening that ended at 21:00 stood under "Laufende und kommende Termine"
at 23:17."""

from __future__ import annotations

from datetime import timedelta

from domain.evening import Period, period
from domain.models import EventStatus
from tests.conftest import ADMIN_ID, make_event


def _sections(text: str) -> dict[str, list[str]]:
    """Section heading → the titles of the blocks under it."""
    sections: dict[str, list[str]] = {}
    current = None
    for part in text.split("\n\n"):
        first = part.splitlines()[0]
        if first in ("Laufende Termine", "Kommende Termine", "Vergangene Termine"):
            current = first
            sections[current] = []
        elif current is not None and " · " in first:
            sections[current].append(first.split(" · ")[0])
    return sections


async def test_an_evening_that_ended_at_21_is_past_at_23_17(bot, add_events, clock):
    today = clock.now().replace(hour=18, minute=0)  # 19:00 in Berlin (UTC+1 in November)
    await add_events(
        make_event(
            "heute", title="Heute bis 21", starts_at=today, ends_at=today + timedelta(hours=2)
        ),
        make_event(
            "spaet",
            title="Späte Runde",
            starts_at=today + timedelta(hours=3, minutes=30),
            ends_at=None,
        ),
        make_event("bald", days=3, title="Bald"),
        make_event("frueher", days=-5, title="Früher"),
        make_event(
            "abgesagt",
            title="Fällt aus",
            starts_at=today + timedelta(hours=3),
            status=EventStatus.CANCELLED,
        ),
    )
    clock.advance(today + timedelta(hours=4, minutes=17) - clock.now())  # 23:17 in Berlin
    [stats] = (await bot.user(ADMIN_ID).send("/statistik"))[-1:]
    sections = _sections(stats.text)
    assert "Laufende und kommende Termine" not in stats.text
    assert sections == {
        "Laufende Termine": ["Späte Runde"],
        "Kommende Termine": ["Bald"],
        "Vergangene Termine": ["Fällt aus", "Heute bis 21", "Früher"],
    }


async def test_english_headings(bot, add_events, clock):
    await add_events(
        make_event("bald", days=3, title="Bald"), make_event("alt", days=-3, title="Alt")
    )
    [stats] = (await bot.user(ADMIN_ID, language_code="en").send("/stats"))[-1:]
    assert stats.text.index("Upcoming events") < stats.text.index("Bald")
    assert stats.text.index("Bald") < stats.text.index("Past events") < stats.text.index("Alt")


def test_period_by_the_end_or_two_hours():
    start = make_event().starts_at
    no_end = make_event(ends_at=None)
    assert period(no_end, start - timedelta(minutes=1)) is Period.UPCOMING
    assert period(no_end, start) is Period.UNDER_WAY
    assert period(no_end, start + timedelta(hours=2)) is Period.OVER
    assert period(make_event(), start + timedelta(hours=2)) is Period.UNDER_WAY  # ends 21:00
    assert period(make_event(), start + timedelta(hours=1), cancelled=True) is Period.OVER
