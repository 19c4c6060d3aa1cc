"""Issue 12: dates as organisers write them, and examples that lie in the future."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.reading.event_input import InputError, example_values, parse_end, parse_when
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


# --- Issue 23: the forms people write, in German and English -------------------------------

# NOW is Wednesday, 25 November 2026, 10:00 in Berlin (09:00 UTC; winter time, UTC+1).


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("15.1.27 19.00", datetime(2027, 1, 15, 19, 0)),
        ("15. Januar 2027, 19 Uhr", datetime(2027, 1, 15, 19, 0)),
        ("15. Jan. 2027 19:00", datetime(2027, 1, 15, 19, 0)),
        ("Freitag, 15. Januar 2027, 19:00 Uhr", datetime(2027, 1, 15, 19, 0)),
        ("heute 18:30", datetime(2026, 11, 25, 18, 30)),
        ("morgen 18:30", datetime(2026, 11, 26, 18, 30)),
        ("Morgen um 18.30 Uhr", datetime(2026, 11, 26, 18, 30)),
        ("übermorgen 19 Uhr", datetime(2026, 11, 27, 19, 0)),
        ("Freitag 19:00", datetime(2026, 11, 27, 19, 0)),
        ("am Mittwoch um 19 Uhr", datetime(2026, 12, 2, 19, 0)),  # today is Wednesday: the next
        ("nächsten Montag 18 Uhr", datetime(2026, 11, 30, 18, 0)),
        ("tomorrow 6:30 pm", datetime(2026, 11, 26, 18, 30)),
        ("15 January 2027, 7 pm", datetime(2027, 1, 15, 19, 0)),
        ("January 15, 2027 7pm", datetime(2027, 1, 15, 19, 0)),
        ("Friday 19:00", datetime(2026, 11, 27, 19, 0)),
        ("next Friday at 7 p.m.", datetime(2026, 11, 27, 19, 0)),
        ("the day after tomorrow 12 pm", datetime(2026, 11, 27, 12, 0)),
        ("15th of January 7:30 pm", datetime(2027, 1, 15, 19, 30)),  # no year: the coming one
    ],
)
def test_more_forms_people_write(text, local):
    assert parse_when(text, BERLIN, NOW) == local.replace(tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    "text", ["heute", "übermorgen", "Freitag", "15. Januar 2027", "morgen 19", "Blumentag 19 Uhr"]
)
def test_a_day_without_a_time_or_an_unknown_word_is_explained(text):
    with pytest.raises(InputError) as caught:
        parse_when(text, BERLIN, NOW)
    assert caught.value.key == "editor.hint_when"
    assert caught.value.values["example"] == "25.12.2026 18:30"


@pytest.mark.parametrize("text", ["30. Februar 2027 19 Uhr", "morgen 13 pm", "morgen 24:00"])
def test_impossible_moments_are_named_so(text):
    with pytest.raises(InputError) as caught:
        parse_when(text, BERLIN, NOW)
    assert caught.value.key == "editor.hint_when_invalid"


START = datetime(2027, 1, 15, 18, 0, tzinfo=UTC)  # 19:00 in Berlin


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("21 Uhr", datetime(2027, 1, 15, 21, 0)),
        ("21:30", datetime(2027, 1, 15, 21, 30)),
        ("9 pm", datetime(2027, 1, 15, 21, 0)),
        ("1 Uhr", datetime(2027, 1, 16, 1, 0)),  # after midnight: the next day
        ("15.1.2027 22 Uhr", datetime(2027, 1, 15, 22, 0)),
    ],
)
def test_an_end_given_as_a_time_falls_on_the_start_day(text, local):
    expected = local.replace(tzinfo=BERLIN).astimezone(UTC)
    assert parse_end(text, BERLIN, START, NOW) == expected


def test_an_end_before_the_start_is_refused():
    with pytest.raises(InputError) as caught:
        parse_end("15.1.2027 18 Uhr", BERLIN, START, NOW)
    assert caught.value.key == "editor.hint_end_after_start"


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2199, 12, 31)),
    form=st.sampled_from(
        [
            "{d}.{m}.{Y} {H}:{M}",
            "{d}.{m}.{y} {H}.{M}",
            "{d}. {month_de} {Y}, {H}:{M} Uhr",
            "{d} {month_en} {Y}, {h12}:{M} {ampm}",
            "{Y}-{m}-{d} {H}:{M}",
        ]
    ),
)
def test_every_written_date_reads_back(moment, form):
    """Any minute in the series' years, written in any of the forms, reads as that minute
    (times a clock change skips or repeats are refused, never moved)."""
    moment = moment.replace(second=0, microsecond=0, fold=0)
    while form.count("{y}") and moment.year > 2099:  # two digits: into this century, by
        moment = moment.replace(year=moment.year - 72)  # 72 years, so 29 February stays a day
    months_de = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ]
    text = form.format(
        d=moment.day,
        m=moment.month,
        Y=moment.year,
        y=f"{moment.year % 100:02d}",
        H=moment.hour,
        M=f"{moment.minute:02d}",
        month_de=months_de[moment.month - 1],
        month_en=f"{moment:%B}",
        h12=(moment.hour - 1) % 12 + 1,
        ampm="am" if moment.hour < 12 else "pm",
    )
    local = moment.replace(tzinfo=BERLIN)
    exists = local.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) == moment
    unique = local.utcoffset() == local.replace(fold=1).utcoffset()
    if exists and unique:
        assert parse_when(text, BERLIN, NOW) == local.astimezone(UTC)
    else:
        with pytest.raises(InputError):
            parse_when(text, BERLIN, NOW)


def test_an_end_time_well_before_the_start_time_is_a_slip_not_the_next_day():
    with pytest.raises(InputError) as caught:
        parse_end("17 Uhr", BERLIN, START, NOW)
    assert caught.value.key == "editor.hint_end_after_start"
