"""Issue 5, point 3: /teilnehmer·/attendees — per event the counts, the list (name, status,
waitlist position, sign-up time, checked in) and a CSV file (UTF-8 with BOM, ``;``) identical
to ``python run.py attendees EVENT_ID``."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from storage import attendees as attendee_store
from storage import registrations as registration_store
from tests.conftest import ADMIN_ID, make_event
from tests.organiser_support import sign_up

ROOT = Path(__file__).resolve().parent.parent


async def _run_cli(env: dict[str, str], *args: str) -> tuple[int, bytes, bytes]:
    """``python run.py …`` in a separate process; exit code, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "run.py",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stdout, stderr


async def _fill(bot, clock):
    """Capacity 2: Anna (checked in) and Ben confirmed, Carla and Dora waiting, Eva cancelled."""
    anna = await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna Alt")
    clock.advance(timedelta(minutes=5))
    await sign_up(bot, clock.now(), "umbau-2026", 12, 'Ben <b>"Bau" & Söhne</b>')
    clock.advance(timedelta(minutes=5))
    eva = await sign_up(bot, clock.now(), "umbau-2026", 15, '=HYPERLINK("x");Eva')
    await registration_store.cancel(bot.data.db, eva.id, 15, clock.now())  # frees no seat
    clock.advance(timedelta(minutes=5))
    await sign_up(bot, clock.now(), "umbau-2026", 13, "Carla")
    clock.advance(timedelta(minutes=5))
    await sign_up(bot, clock.now(), "umbau-2026", 14, "Dora")
    await attendee_store.check_in(bot.data.db, anna.id, clock.now(), anyway=True)  # early
    return anna


async def test_attendee_list_counts_and_csv(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=2))
    await _fill(bot, clock)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    await admin.send("/admin")
    await admin.press("Teilnehmende")
    answers = await admin.press("Umbau statt Neubau")
    listing, document, workbook = answers[-3], answers[-2], answers[-1]
    text = listing.text
    assert "Teilnehmende: Umbau statt Neubau" in text
    assert "Plätze: 2 von 2 belegt" in text
    assert "Warteliste: 2 · Abmeldungen: 1 · Eingecheckt: 1" in text
    assert "1. Anna Alt – angemeldet Mi., 25. Nov. 2026, 10:00 ✅ 10:20 Uhr" in text
    assert '2. Ben <b>"Bau" & Söhne</b> – angemeldet Mi., 25. Nov. 2026, 10:05' in text
    assert "W1. Carla – angemeldet Mi., 25. Nov. 2026, 10:15" in text
    assert "W2. Dora" in text
    assert 'Abgemeldet (1)\n• =HYPERLINK("x");Eva – abgemeldet' in text
    assert listing.entities  # formatted, and the names did not break the HTML

    assert document.document.filename == "teilnehmende-umbau-2026.csv"
    content = document.document.content
    assert content.startswith(b"\xef\xbb\xbf")
    decoded = content.decode("utf-8-sig")
    assert decoded.endswith("\r\n")
    table = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=";"))
    # Issue 12: in the organiser's language, dates as a German Excel reads them. Issue 23:
    # every name the text it is; only one that would start a formula defused with "'".
    assert table[0] == [
        "Name",
        "Status",
        "Wartelistenplatz",
        "Angemeldet am",
        "Bestätigt am",
        "Abgemeldet am",
        "Eingecheckt am",
    ]
    assert table[1] == [
        "Anna Alt",
        "angemeldet",
        "",
        "25.11.2026 10:00",
        "25.11.2026 10:00",
        "",
        "25.11.2026 10:20",
    ]
    assert table[2][:2] == ['Ben <b>"Bau" & Söhne</b>', "angemeldet"]
    assert table[3][:4] == ["Carla", "Warteliste", "1", "25.11.2026 10:15"]
    assert table[4][:3] == ["Dora", "Warteliste", "2"]
    # A name a spreadsheet would run as a formula is defused; the ';' inside it is quoted.
    assert table[5][:2] == ['\'=HYPERLINK("x");Eva', "abgemeldet"]
    assert len(table) == 6

    # Issue 23: the same list as .xlsx, names text-typed, times real date-times.
    assert workbook.document.filename == "teilnehmende-umbau-2026.xlsx"
    sheet = load_workbook(io.BytesIO(workbook.document.content)).active
    cells = list(sheet.iter_rows())
    assert [cell.value for cell in cells[0]] == table[0]
    assert [row[0].value for row in cells[1:]] == [
        "Anna Alt",
        'Ben <b>"Bau" & Söhne</b>',
        "Carla",
        "Dora",
        '=HYPERLINK("x");Eva',  # as written: a text cell, no formula
    ]
    assert all(row[0].data_type == "s" and row[0].number_format == "@" for row in cells[1:])
    assert cells[1][1].value == "angemeldet"
    assert cells[1][3].value == datetime(2026, 11, 25, 10, 0)  # local time, a date value
    assert cells[3][2].value == 1  # the waitlist place, a number


async def test_csv_is_identical_to_the_command_line(bot, add_events, clock, settings):
    await add_events(make_event("umbau-2026", capacity=2))
    await _fill(bot, clock)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    from_chat = answers[-2].document.content
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "ADMIN_", "DATABASE_", "TIMEZONE"))
    }
    env.update({"DATABASE_PATH": str(settings.database_path), "TIMEZONE": "Europe/Berlin"})
    returncode, stdout, stderr = await _run_cli(env, "attendees", "umbau-2026")
    assert returncode == 0, stderr
    assert stdout == from_chat
    # Issue 12: a terminal that is not UTF-8 gets the same bytes, not a UnicodeEncodeError.
    latin = {**env, "LANG": "de_DE.ISO-8859-1", "LC_ALL": "", "PYTHONIOENCODING": "latin-1"}
    returncode, stdout, stderr = await _run_cli(latin, "attendees", "umbau-2026")
    assert returncode == 0, stderr
    assert stdout == from_chat
    returncode, stdout, _ = await _run_cli(env, "attendees", "nope")
    assert returncode == 2
    assert stdout == b""


async def test_english_attendee_list(bot, add_events, clock):
    await add_events(make_event("umbau-2026", capacity=None))
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    answers = await admin.send("/attendees umbau-2026")
    assert "Attendees: Umbau statt Neubau" in answers[-3].text
    assert "Signed up: 1 (unlimited seats)" in answers[-3].text
    assert "Confirmed (1)" in answers[-3].text
    assert answers[-2].document.filename == "attendees-umbau-2026.csv"
    assert answers[-1].document.filename == "attendees-umbau-2026.xlsx"
    sheet = load_workbook(io.BytesIO(answers[-1].document.content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["Name", "Status"]
    assert [cell.value for cell in sheet[2]][:2] == ["Anna", "confirmed"]
    table = answers[-2].document.content.decode("utf-8-sig").splitlines()
    assert table[0] == (
        "Name;Status;Waitlist position;Signed up at;Confirmed at;Cancelled at;Checked in at"
    )
    assert table[1].startswith("Anna;confirmed;;")


async def test_event_without_sign_ups(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    assert "Noch niemand hat sich angemeldet" in answers[-3].text
    content = answers[-2].document.content.decode("utf-8-sig")
    assert content.count("\r\n") == 1  # the header only


async def test_unknown_event_argument_shows_the_picker(bot, add_events):
    await add_events(make_event("umbau-2026"))
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer gibt-es-nicht")
    assert "Von welchem Termin" in answers[-1].text
    assert any("Umbau statt Neubau" in label for label in answers[-1].button_labels)


async def test_up_to_fifty_names_are_split_into_messages_telegram_accepts(bot, add_events, clock):
    """50 sign-ups with long names are still listed by name, in messages Telegram accepts."""
    await add_events(make_event("umbau-2026", capacity=None))
    place = "aus Stuttgart-Bad Cannstatt am Neckar, Büro für Umbau und Bestand"
    for user_id in range(100, 150):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, f"Nummer {user_id} {place}")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    texts = [message.text for message in answers if message.document is None]
    assert len(texts) >= 2
    assert all(len(text) <= 4096 for text in texts)
    joined = "\n".join(texts)
    assert all(f"Nummer {user_id} {place}" in joined for user_id in range(100, 150))
    rows = answers[-2].document.content.decode("utf-8-sig").split("\r\n")
    assert len(rows) == 52  # header, 50 people, the empty string after the last CRLF


async def test_names_stay_text_in_a_spreadsheet(bot, add_events, clock):
    """Issue 23: the CSV writes names as the text they are (a mail merge reads "Anna Müller",
    not '="Anna Müller"'); only a cell that would start a formula (= + - @ tab CR) gets OWASP's
    apostrophe. The .xlsx keeps every name a text cell: "007" stays 007, "1.2" no date."""
    await add_events(make_event("umbau-2026", capacity=None))
    names = ("Anna Müller", "007", "1.2", "=1+1", "+49 711", "-x", "@home", "\tTab", "Ja=Nein")
    for user_id, name in enumerate(names, 11):
        await sign_up(bot, clock.now(), "umbau-2026", user_id, name)
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    decoded = answers[-2].document.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=";"))
    written = {row[0] for row in table[1:]}
    assert {
        "Anna Müller",
        "007",
        "1.2",
        "'=1+1",
        "'+49 711",
        "'-x",
        "'@home",
        "Ja=Nein",
    } <= written
    sheet = load_workbook(io.BytesIO(answers[-1].document.content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in cells} >= {"Anna Müller", "007", "1.2", "=1+1", "+49 711"}
    assert all(cell.data_type == "s" for cell in cells)


async def test_a_long_list_is_counts_and_the_csv_not_dozens_of_messages(bot, add_events, clock):
    """500 sign-ups: one message with the counts, then the file with every name."""
    await add_events(make_event("umbau-2026", capacity=400))
    for user_id in range(1, 501):
        await sign_up(bot, clock.now(), "umbau-2026", 10_000 + user_id, f"Person {user_id}")
    admin = bot.user(ADMIN_ID, first_name="Orga")
    answers = await admin.send("/teilnehmer umbau-2026")
    assert len(answers) == 3  # the counts, the CSV, the workbook
    listing, document, _ = answers
    assert "Plätze: 400 von 400 belegt" in listing.text
    assert "Warteliste: 100" in listing.text
    assert "Bei 500 Anmeldungen stehen die Namen nur in der Tabelle unten" in listing.text
    assert "Person 1 –" not in listing.text
    table = document.document.content.decode("utf-8-sig").splitlines()
    assert len(table) == 501
