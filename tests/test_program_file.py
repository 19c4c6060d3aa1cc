"""The program file (PRODUCT §3): the example file, round trips through dump and parse, text
that YAML would convert, time zones, and one cleaning rule shared with the chat editor."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.models import Event, EventStatus, Speaker
from domain.reading.program import ProgramFile, dump_program, parse_program
from tests.program_support import BERLIN, EXAMPLE, MINIMAL, parse, with_lines


def test_example_file_parses_with_the_real_first_evening_and_upcoming_examples():
    events = parse(EXAMPLE.read_text(encoding="utf-8"))
    first = events[0]
    assert first.id == "allianzen-2025"
    assert first.starts_at == datetime(2025, 10, 22, 18, 30, tzinfo=BERLIN)
    assert first.address == "Danneckerstraße 54, 70182 Stuttgart"
    assert (first.latitude, first.longitude) == (48.7707, 9.1866)
    assert [s.name for s in first.speakers] == [
        "Markus Müller",
        "Christian Holl",
        "Ilona Schaal",
        "Irene Armbruster",
        "Jan Hambach",
    ]
    assert first.speakers[2].role == "Künstlerische Leiterin, Theater Rampe"
    upcoming = [event for event in events if event.starts_at.year == 2027]
    assert len(upcoming) >= 3
    assert all("(Beispiel)" in event.title for event in upcoming)
    assert {3, None} <= {event.capacity for event in upcoming}
    assert any(event.registration_closes_at for event in upcoming)
    assert any(not event.has_location for event in upcoming)
    assert len({event.id for event in events}) == len(events)


def test_dump_round_trips_byte_identical():
    events = parse(EXAMPLE.read_text(encoding="utf-8"))
    dumped = dump_program(events, BERLIN)
    assert parse(dumped) == events
    assert dump_program(parse(dumped), BERLIN) == dumped
    assert "description: |\n" in dumped  # multi-line text as a block, not "|-" or quoted
    assert "starts: 2025-10-22 18:30\n" in dumped


def test_dump_writes_keys_in_order_and_leaves_absent_fields_out():
    dumped = dump_program(parse(with_lines("capacity: 0")), BERLIN)
    assert dumped.endswith(
        "events:\n"
        "  - id: test-evening\n"
        "    title: Test\n"
        "    starts: 2027-03-10 18:30\n"
        "    venue: Haus der Architektinnen und Architekten\n"
        "    capacity: 0\n"
        "    status: scheduled\n"
    )
    assert dump_program([], BERLIN).endswith("events: []\n")
    assert parse(dump_program([], BERLIN)) == []


def test_html_characters_and_umlauts_survive():
    text = (
        "events:\n"
        "  - id: a-und-b\n"
        '    title: "Bauen & Wohnen <heute> – Größe: ÄÖÜ ß"\n'
        "    starts: 2027-03-10 18:30\n"
        "    venue: Müller & Söhne <Halle>\n"
        "    speakers:\n"
        "      - name: <b>Zoë</b> & Co\n"
        "        bio: 'a < b && c > d'\n"
    )
    [event] = parse(text)
    assert event.title == "Bauen & Wohnen <heute> – Größe: ÄÖÜ ß"
    assert event.venue == "Müller & Söhne <Halle>"
    assert event.speakers == (Speaker("<b>Zoë</b> & Co", None, "a < b && c > d"),)
    dumped = dump_program([event], BERLIN)
    assert "Größe" in dumped  # kept as written, not \\xF6 escapes
    assert parse(dumped) == [event]
    assert dump_program(parse(dumped), BERLIN) == dumped


def test_scalars_that_yaml_would_convert_stay_text():
    text = (
        "events:\n"
        "  - id: 2025\n"
        "    title: yes\n"
        "    series: 1.10\n"
        "    starts: 2027-03-10 18:30\n"
        "    venue: 'null'\n"
        "    address: 0o17\n"
        "    capacity: 80\n"
        "    latitude: 48\n"
        "    longitude: 9.1866\n"
    )
    [event] = parse(text)
    assert (event.id, event.title, event.series, event.venue) == ("2025", "yes", "1.10", "null")
    assert (event.address, event.capacity, event.latitude) == ("0o17", 80, 48.0)
    dumped = dump_program([event], BERLIN)
    assert yaml.safe_load(dumped)["events"][0]["id"] == "2025"  # quoted for other readers too
    assert parse(dumped) == [event]
    assert dump_program(parse(dumped), BERLIN) == dumped


def test_models_accept_what_a_plain_yaml_loader_produces():
    data = yaml.safe_load(
        "events:\n  - {id: 2025, title: 2025, starts: 2027-03-10 18:30:00, venue: x}\n"
    )
    program = ProgramFile.model_validate(data, context={"tz": BERLIN})
    entry = program.events[0]
    assert (entry.id, entry.title) == ("2025", "2025")
    assert entry.starts == datetime(2027, 3, 10, 18, 30, tzinfo=BERLIN)


def test_text_is_stripped_and_optional_empty_text_is_absent():
    [event] = parse(
        "events:\n"
        "  - id: '  spaced  '\n"
        "    title: '  Titel  '\n"
        "    series: ''\n"
        "    starts: 2027-03-10 18:30\n"
        "    venue: Ort\n"
        "    description:\n"
        "    speakers:\n"
        "      - name: ' Name '\n"
        "        role: '   '\n"
    )
    assert (event.id, event.title, event.series, event.description) == (
        "spaced",
        "Titel",
        None,
        "",
    )
    assert event.speakers == (Speaker("Name"),)


def test_times_with_offset_and_the_repeated_hour_round_trip():
    [event] = parse(
        with_lines("ends: 2027-03-10T20:00Z", base=MINIMAL.replace("18:30", "18:30+01:00"))
    )
    assert event.starts_at == datetime(2027, 3, 10, 17, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 3, 10, 20, 0, tzinfo=UTC)
    # 02:30 happens twice on 31 October 2027; the second one needs its offset to be exact.
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    events = [Event(id="late", title="Spät", starts_at=second, venue="Ort")]
    dumped = dump_program(events, BERLIN)
    assert "starts: 2027-10-31 02:30+01:00\n" in dumped
    assert parse(dumped) == events
    assert dump_program(parse(dumped), BERLIN) == dumped


def test_dump_normalises_so_that_the_result_always_reads_back():
    odd = Event(
        id="odd",
        title=" Zwei\nZeilen ",
        starts_at=datetime(2027, 3, 10, 17, 30, 15, tzinfo=UTC),
        venue="Ort",
        latitude=48,
        longitude=9,
        status=EventStatus.CANCELLED,
        description="  erste   \r\nzweite\t\n\n",
        speakers=(Speaker("A", "", "x\ny"),),
    )
    dumped = dump_program([odd], BERLIN)
    [back] = parse(dumped)
    assert back.title == "Zwei Zeilen"
    assert back.starts_at == odd.starts_at  # seconds kept
    assert back.description == "erste\nzweite"
    assert back.status is EventStatus.CANCELLED
    assert back.speakers == (Speaker("A", None, "x\ny"),)
    assert dump_program([back], BERLIN) == dumped


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
_moment = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_text.filter(str.strip),
    description=_text,
    speaker=_text.filter(str.strip),
    bio=st.none() | _text,
    starts=_moment,
    capacity=st.none() | st.integers(min_value=0, max_value=10_000),
    latitude=st.none() | st.floats(min_value=-90, max_value=90),
)
def test_any_event_dumps_to_a_file_that_reads_back_to_the_same_dump(
    title, description, speaker, bio, starts, capacity, latitude
):
    event = Event(
        id="x",
        title=title,
        starts_at=starts,
        venue="Ort",
        capacity=capacity,
        latitude=latitude,
        longitude=None if latitude is None else 9.5,
        description=description,
        speakers=(Speaker(speaker, None, bio),),
    )
    dumped = dump_program([event], BERLIN)
    [back] = parse(dumped)
    assert back.starts_at == starts
    assert dump_program([back], BERLIN) == dumped


def test_the_file_and_the_editor_clean_text_the_same_way():
    """One cleaning rule for both inputs: what an organiser types in the chat and what the same
    text in the program file becomes are identical (line breaks of every kind, runs of space)."""
    from domain.reading.event_input import parse_field

    typed = "  Allianzen\u2028für   die\r\nRegion \x85 "
    source = EXAMPLE_YAML_WITH_TITLE.format(title=json.dumps(typed))
    (event,) = parse_program(source, ZoneInfo("Europe/Berlin"))
    assert event.title == "Allianzen für die Region"
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_field("title", typed, ZoneInfo("Europe/Berlin"), now, {}) == event.title


EXAMPLE_YAML_WITH_TITLE = """
events:
  - id: allianzen-2025
    title: {title}
    starts: 2025-10-22 18:30
    venue: Haus der Architekten
"""
