"""Issue 12: dates as organisers write them, and examples that lie in the future."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.reading.event_input import InputError, example_values, parse_when
from testing.factories import NOW

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.1.2027 19 Uhr", datetime(2027, 1, 15, 18, 0, tzinfo=UTC)),
        ("15.01.2027 19:00", datetime(2027, 1, 15, 18, 0, tzinfo=UTC)),
        ("15.1.2027, 19.30 Uhr", datetime(2027, 1, 15, 18, 30, tzinfo=UTC)),
        ("15.1. 19:00", datetime(2027, 1, 15, 18, 0, tzinfo=UTC)),  # the coming 15 January
        ("30.11. 19:00", datetime(2026, 11, 30, 18, 0, tzinfo=UTC)),  # still this year
        ("2027-01-15 19:00", datetime(2027, 1, 15, 18, 0, tzinfo=UTC)),
    ],
)
def test_dates_as_people_write_them(text, expected):
    assert parse_when(text, BERLIN, NOW) == expected


@pytest.mark.parametrize("text", ["15.1.2027 19", "morgen", "32.13.2030 25:61", "29.2. 19:00"])
def test_unreadable_dates_name_the_format_with_a_future_example(text):
    with pytest.raises(InputError) as caught:
        parse_when(text, BERLIN, NOW)
    assert caught.value.values["example"] == "25.12.2026 18:30"
    assert datetime(2026, 12, 25, tzinfo=BERLIN) > NOW


def test_examples_follow_the_clock():
    later = example_values(datetime(2031, 3, 1, tzinfo=UTC), BERLIN)
    assert later["example"] == "31.03.2031 18:30"
    assert later["example_closes"] == "30.03.2031 12:00"
