"""Issue 24 bullet 6, PRODUCT §2 and §5: the Meldeliste of an evening with ``cpd_hours`` for the
chamber's Fortbildung department: the checked-in attendees with hours and certificate numbers,
from /teilnehmer (CSV and .xlsx, German column names for German organisers) and as CSV on stdout
from ``python run.py attendees EVENT_ID --meldeliste`` (exit 2 and one line for an evening
without ``cpd_hours``). Read back with csv and openpyxl.

Every test here fails on 61def71: there was no Meldeliste button and no ``--meldeliste``.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import datetime, timedelta

from openpyxl import load_workbook

from bot.callbacks import Action, pack
from domain.evening import end_of
from handlers.notices.certificates import plan_certificates
from storage import attendees as attendee_store
from storage import certificates as certificate_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import sign_up
from tests.process_support import RUN, clean_env, lines

GERMAN_COLUMNS = [
    "Name",
    "Termin",
    "Beginn",
    "Fortbildungsstunden",
    "Bescheinigungsnummer",
    "Eingecheckt am",
]


async def _evening(bot, clock, add_events, cpd_hours=1.5):
    """Anna and '=Carla' checked in, Ben not, Dora's check-in taken back; certificates issued."""
    event = make_event("umbau-2026", capacity=None, cpd_hours=cpd_hours)
    await add_events(event)
    people = {}
    for user_id, name in ((11, "Anna Alt"), (12, "Ben Bau"), (13, "=Carla"), (14, "Dora")):
        people[name] = await sign_up(bot, clock.now(), "umbau-2026", user_id, name)
    clock.set(event.starts_at + timedelta(minutes=5))
    for name in ("Anna Alt", "=Carla", "Dora"):
        await attendee_store.check_in(bot.data.db, people[name].id, clock.now())
    await attendee_store.undo_check_in(bot.data.db, people["Dora"].id)
    clock.set(end_of(event) + timedelta(minutes=1))
    await plan_certificates(bot.app.bot_data)
    numbers = {}
    if cpd_hours is not None:
        for name in ("Anna Alt", "=Carla"):
            found = await certificate_store.certificate_for(
                bot.data.db, people[name].id, clock.now()
            )
            numbers[name] = found.number
    return event, numbers


def _table(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


async def test_the_meldeliste_button_sends_csv_and_xlsx_of_the_checked_in(bot, clock, add_events):
    event, numbers = await _evening(bot, clock, add_events)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    assert answers[-1].document.filename == "teilnehmende-umbau-2026.xlsx"
    assert answers[-1].button_labels == ["📋 Meldeliste (Fortbildung)", "◀ Zum Menü"]
    sent = await admin.press("Meldeliste", answers[-1])
    csv_file, workbook = sent[-2], sent[-1]
    assert csv_file.document.filename == "meldeliste-umbau-2026.csv"
    assert "Meldeliste von Umbau statt Neubau" in csv_file.text
    assert "2 eingecheckte Personen" in csv_file.text
    table = _table(csv_file.document.content)
    assert table[0] == GERMAN_COLUMNS
    start = event.starts_at.astimezone(bot.data.settings.tz).strftime("%d.%m.%Y %H:%M")
    assert table[1][:5] == ["'=Carla", "Umbau statt Neubau", start, "1,5", numbers["=Carla"]]
    assert table[2][:5] == ["Anna Alt", "Umbau statt Neubau", start, "1,5", numbers["Anna Alt"]]
    assert table[1][5] and table[2][5]  # the check-in time
    assert len(table) == 3  # Ben was not checked in, Dora's check-in was taken back

    assert workbook.document.filename == "meldeliste-umbau-2026.xlsx"
    assert workbook.button_labels == ["◀ Zum Menü"]  # a way on
    sheet = load_workbook(io.BytesIO(workbook.document.content)).active
    assert sheet.title == "Meldeliste"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == GERMAN_COLUMNS
    assert rows[1][:2] == ["=Carla", "Umbau statt Neubau"]  # a text cell, never a formula
    assert rows[1][2] == event.starts_at.astimezone(bot.data.settings.tz).replace(tzinfo=None)
    assert rows[1][3] == 1.5 and rows[1][4] == numbers["=Carla"]
    assert isinstance(rows[2][5], datetime)
    assert sheet["A2"].data_type == "s" and sheet["E2"].data_type == "s"


async def test_before_the_end_the_numbers_are_said_to_follow(bot, clock, add_events):
    event = make_event("umbau-2026", capacity=None, cpd_hours=2.0)
    await add_events(event)
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna Alt")
    clock.set(event.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, anna.id, clock.now())
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    answers = await admin.send("/attendees umbau-2026")
    sent = await admin.press("Meldeliste", answers[-1])
    assert "1 checked-in person" in sent[-2].text
    assert "Certificate numbers are issued once the event has ended" in sent[-2].text
    table = _table(sent[-2].document.content)
    assert table[0] == [
        "Name",
        "Event",
        "Start",
        "Hours of professional development",
        "Certificate number",
        "Checked in at",
    ]
    assert table[1][:5] == ["Anna Alt", "Umbau statt Neubau", table[1][2], "2", ""]


async def test_no_meldeliste_for_an_evening_without_hours(bot, clock, add_events):
    await _evening(bot, clock, add_events, cpd_hours=None)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    assert answers[-1].button_labels == ["◀ Zum Menü"]  # no Meldeliste, only the way on
    await admin.press_data(pack(Action.ATTENDEES, "umbau-2026", "m"), answers[-1])
    answer = bot.api.callback_answers[-1]
    assert answer.show_alert and "keine Fortbildungsstunden" in answer.text
    # Not for anyone but organisers either.
    attendee = bot.user(11)
    [mine] = await attendee.send("/meine")
    await attendee.press_data(pack(Action.ATTENDEES, "umbau-2026", "m"), mine)
    assert bot.api.callback_answers[-1].show_alert
    assert not [m for m in bot.api.messages(11) if m.document]


def _cli(tmp_path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, RUN, *args],
        cwd=tmp_path,
        env=clean_env(tmp_path),  # DATABASE_PATH: the bot's tmp_path/bot.sqlite3
        capture_output=True,
        timeout=60,
        check=False,
    )


async def test_the_command_line_prints_the_same_meldeliste(bot, clock, add_events, tmp_path):
    await _evening(bot, clock, add_events)
    await add_events(make_event("ohne", days=20, title="Ohne Stunden"))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    sent = await admin.press("Meldeliste", answers[-1])
    result = _cli(tmp_path, "attendees", "umbau-2026", "--meldeliste")
    assert result.returncode == 0, result.stderr
    assert result.stdout == sent[-2].document.content  # the same bytes, German, CRLF, BOM

    result = _cli(tmp_path, "attendees", "ohne", "--meldeliste")
    assert result.returncode == 2 and result.stdout == b""
    [line] = lines(result.stderr.decode())
    assert "ohne" in line and "cpd_hours" in line and "Meldeliste" in line
    result = _cli(tmp_path, "attendees", "nope", "--meldeliste")
    assert result.returncode == 2
    assert lines(result.stderr.decode()) == ["Unknown event: nope"]
