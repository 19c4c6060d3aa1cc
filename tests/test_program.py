"""The program file (PRODUCT §3) and the ``import`` / ``export`` verbs (PRODUCT §2)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli_program import export_program, import_program
from domain.models import Event, EventStatus, Speaker
from domain.program import EventEntry, ProgramError, ProgramFile, dump_program, parse_program
from storage.db import Database
from storage.registrations import sign_up

BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "program.yaml"

MINIMAL = """\
events:
  - id: test-evening
    title: Test
    starts: 2027-03-10 18:30
    venue: Haus der Architektinnen und Architekten
"""


def parse(text: str) -> list[Event]:
    return parse_program(text, BERLIN)


def errors_of(text: str) -> list[str]:
    with pytest.raises(ProgramError) as caught:
        parse(text)
    assert all("\n" not in error for error in caught.value.errors)
    return caught.value.errors


def with_lines(*lines: str, base: str = MINIMAL) -> str:
    """The minimal program with extra lines in its one event."""
    return base + "".join(f"    {line}\n" for line in lines)


# --- the example file and round trips --------------------------------------------------------


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


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL.replace("test-evening", "Test Evening"), "event #1, field 'id': 'Test Evening'"),
        (MINIMAL.replace("test-evening", "x" * 41), "event #1, field 'id'"),
        (MINIMAL.replace("    title: Test\n", ""), "event 'test-evening', field 'title': is req"),
        (MINIMAL.replace("title: Test", "title: '  '"), "field 'title': must not be empty"),
        (MINIMAL.replace("2027-03-10 18:30", "10.03.2027"), "field 'starts': not a date and time"),
        (MINIMAL.replace("2027-03-10 18:30", "2027-02-30 18:30"), "field 'starts': '2027-02-30"),
        (MINIMAL.replace("2027-03-10 18:30", "2027-03-28 02:30"), "field 'starts': 2027-03-28"),
        (with_lines("ends: 2027-03-10 18:00"), "field 'ends': must be after starts"),
        (with_lines("ends: 2027-03-10 18:30"), "field 'ends': must be after starts"),
        (with_lines("latitude: 48.77"), "field 'longitude': is required when latitude"),
        (with_lines("longitude: 9.18"), "field 'longitude': is given without latitude"),
        (with_lines("latitude: 91", "longitude: 9"), "field 'latitude': must be at most 90"),
        (with_lines("latitude: 48", "longitude: east"), "field 'longitude': must be a number"),
        (with_lines("strats: 2027-03-10 18:30"), "field 'strats': unknown field (did you mean"),
        (with_lines("registration_closes: 2027-03-10 18:31"), "'registration_closes': must not"),
        (with_lines("capacity: -1"), "field 'capacity': must be at least 0"),
        (with_lines("capacity: many"), "field 'capacity': must be a whole number"),
        (with_lines("status: postponed"), "field 'status': must be 'scheduled' or 'cancelled'"),
        (with_lines("speakers:", "  - role: Rolle"), "speaker #1, field 'name': is required"),
        (with_lines("speakers: Anna"), "field 'speakers': must be a list"),
    ],
)
def test_each_error_names_event_and_field(text, expected):
    errors = errors_of(text)
    assert len(errors) == 1, errors
    assert expected in errors[0]


def test_duplicate_ids_are_reported_at_the_second_use():
    second = MINIMAL.removeprefix("events:\n").replace("Test", "Noch einmal")
    errors = errors_of(MINIMAL + second)
    assert errors == ["event #2, field 'id': 'test-evening' is already the id of event #1"]


def test_yaml_syntax_error_is_one_line_with_its_line_number():
    errors = errors_of(MINIMAL + "\tcapacity: 3\n")
    assert len(errors) == 1
    assert errors[0].startswith("YAML syntax error at line 6")
    assert errors_of(with_lines("title: Zweimal"))[0].startswith("YAML syntax error at line 6")


@pytest.mark.parametrize("text", ["", "- id: x\n", "just text\n"])
def test_a_file_without_an_events_mapping_is_one_clear_error(text):
    assert errors_of(text) == ["the file must be a mapping with an 'events' list"]


def test_all_errors_of_all_events_are_reported_in_file_order():
    text = (
        "events:\n"
        "  - id: first\n"
        "    title: Erster\n"
        "    starts: morgen\n"
        "    venue: Ort\n"
        "    capacity: -5\n"
        "  - title: Ohne id\n"
        "    starts: 2027-03-10 18:30\n"
        "    ends: 2027-03-10 17:00\n"
        "    venue: Ort\n"
        "    colour: blue\n"
        "  - id: first\n"
        "    title: Doppelt\n"
        "    starts: 2027-03-10 18:30\n"
        "    venue: Ort\n"
        "    latitude: 48\n"
    )
    errors = errors_of(text)
    assert len(errors) == 7, errors
    assert errors[0].startswith("event 'first', field 'starts'")
    assert errors[1].startswith("event 'first', field 'capacity'")
    assert {error.split(":")[0] for error in errors[2:5]} == {
        "event #2, field 'id'",
        "event #2, field 'ends'",
        "event #2, field 'colour'",
    }
    assert errors[5].startswith("event #3, field 'longitude'")
    assert errors[6].startswith("event #3, field 'id': 'first' is already the id of event #1")


def test_models_refuse_unknown_fields_and_duplicates_on_their_own():
    entry = {"id": "a", "title": "A", "starts": "2027-03-10 18:30", "venue": "V"}
    with pytest.raises(ValueError, match="same id"):
        ProgramFile.model_validate({"events": [entry, entry]}, context={"tz": BERLIN})
    with pytest.raises(ValueError, match="extra"):
        EventEntry.model_validate({**entry, "x": 1}, context={"tz": BERLIN})


# --- the CLI verbs ----------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """A fresh configuration: database in tmp_path, no .env from the project folder."""
    path = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("TIMEZONE", "Europe/Berlin")
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_import_writes_the_example_program(database, capsys):
    assert import_program(str(EXAMPLE)) == 0
    out = capsys.readouterr().out
    assert "5 created" in out
    assert len(rows(database, "SELECT id FROM events")) == 5
    assert rows(database, "SELECT count(*) FROM speakers WHERE event_id = 'allianzen-2025'") == [
        (5,)
    ]
    assert import_program(str(EXAMPLE)) == 0
    assert "5 unchanged" in capsys.readouterr().out


def test_invalid_file_writes_nothing(database, tmp_path, capsys):
    assert import_program(str(EXAMPLE)) == 0
    before = rows(database, "SELECT * FROM events ORDER BY id")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("title: Allianzen", "title: Allianzen – geändert")
        .replace("capacity: 60", "capacity: sechzig"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert import_program(str(broken)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"{broken}: event 'stadt-und-land-2027', field 'capacity': must be a whole number\n"
    )
    assert rows(database, "SELECT * FROM events ORDER BY id") == before


def test_invalid_file_into_a_fresh_database_creates_no_events(database, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(with_lines("ends: gestern"), encoding="utf-8")
    assert import_program(str(broken)) == 2
    assert rows(database, "SELECT * FROM events") == []


def test_missing_file_and_bad_configuration_exit_2_with_one_line(database, monkeypatch, capsys):
    assert import_program("nowhere.yaml") == 2
    assert capsys.readouterr().err == "nowhere.yaml: no such file\n"
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    assert import_program(str(EXAMPLE)) == 2
    assert export_program("out.yaml") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert all(line.startswith("Invalid TIMEZONE") for line in err)


def test_export_import_export_is_byte_identical_through_the_database(database, tmp_path, capsys):
    assert import_program(str(EXAMPLE)) == 0
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    assert export_program(str(first)) == 0
    expected = dump_program(parse(EXAMPLE.read_text(encoding="utf-8")), BERLIN)
    assert first.read_text(encoding="utf-8") == expected
    capsys.readouterr()
    assert import_program(str(first)) == 0
    assert "5 unchanged" in capsys.readouterr().out
    assert export_program(str(second)) == 0
    assert second.read_bytes() == first.read_bytes()
    assert export_program("-") == 0
    assert capsys.readouterr().out == expected


def test_export_to_an_impossible_path_exits_2(database, capsys):
    assert export_program("no/such/folder/out.yaml") == 2
    assert capsys.readouterr().err.startswith("no/such/folder/out.yaml: cannot be written")


def test_moving_an_event_with_a_registration_queues_a_change_notice(database, tmp_path, capsys):
    program = tmp_path / "program.yaml"
    program.write_text(MINIMAL, encoding="utf-8")
    assert import_program(str(program)) == 0

    async def register() -> None:
        db = await Database.open(database)
        try:
            result = await sign_up(
                db, "test-evening", 4711, "Erika", datetime(2026, 11, 25, tzinfo=UTC)
            )
            assert result.registration is not None
        finally:
            await db.close()

    asyncio.run(register())
    program.write_text(MINIMAL.replace("18:30", "19:00"), encoding="utf-8")
    capsys.readouterr()
    assert import_program(str(program)) == 0
    assert "1 updated" in capsys.readouterr().out
    [(user_id, kind, payload)] = rows(database, "SELECT user_id, kind, payload FROM outbox")
    assert (user_id, kind) == (4711, "event_changed")
    assert json.loads(payload)["changes"]["starts_at"] == [
        "2027-03-10T17:30:00Z",
        "2027-03-10T18:00:00Z",
    ]


def test_the_file_and_the_editor_clean_text_the_same_way():
    """One cleaning rule for both inputs: what an organiser types in the chat and what the same
    text in the program file becomes are identical (line breaks of every kind, runs of space)."""
    from domain.event_input import parse_field

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
