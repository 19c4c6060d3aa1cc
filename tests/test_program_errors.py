"""Errors in the program file (PRODUCT §3): each names the event and the field, all of them in
file order, one line each."""

from __future__ import annotations

import pytest

from domain.reading.program import EventEntry, ProgramFile
from tests.program_support import BERLIN, MINIMAL, errors_of, with_lines


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
