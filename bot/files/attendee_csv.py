"""The attendee list of one evening as a spreadsheet file, in the organiser's language.

The same bytes come out of the bot's /teilnehmer and ``python run.py attendees EVENT_ID`` (the
CLI in ``DEFAULT_LANGUAGE``); likewise the Meldeliste of an evening with ``cpd_hours`` (its
"Meldeliste" button, ``--meldeliste``). Both lists are a :class:`Sheet`, which this writer and
the .xlsx one (``bot.files.attendee_xlsx``) turn into a file cell by cell.

Made for Excel as the chamber uses it: UTF-8 with BOM (so umlauts survive), ``;`` between cells
(what a German Excel expects), CRLF, times as ``25.11.2026 10:00`` (which a German Excel reads as a
date and time). A name is written as the text it is, so that a mail merge, a script or a CRM import
reads ``Anna Müller``; only a cell that would start a formula (``=`` ``+`` ``-`` ``@``, tab, CR) is
defused OWASP's way, with a leading apostrophe. (Excel may still show ``007`` as 7 when it opens a
CSV: the .xlsx workbook of ``bot.files.attendee_xlsx`` types every name as text.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from babel.numbers import format_decimal

from bot.i18n import Translator
from domain.models import Event, Registration
from storage import attendees as attendee_store
from storage.attendees import CertifiedAttendee
from storage.db import Database

CSV_BOM = "\ufeff"  # so that Excel reads UTF-8
CSV_TIME = "%d.%m.%Y %H:%M"
COLUMNS = (
    "attendees.csv_name",
    "attendees.csv_status",
    "attendees.csv_waitlist_position",
    "attendees.csv_signed_up_at",
    "attendees.csv_confirmed_at",
    "attendees.csv_cancelled_at",
    "attendees.csv_checked_in_at",
)
MELDELISTE_COLUMNS = (
    "attendees.csv_name",
    "attendees.csv_event",
    "attendees.csv_starts_at",
    "attendees.csv_hours",
    "attendees.csv_certificate_number",
    "attendees.csv_checked_in_at",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV injection"

# A cell: ``str`` is text (never a number or formula), ``int``/``float`` a number, ``datetime``
# a time (local in TIMEZONE), ``None`` empty.
Cell = str | int | float | datetime | None


@dataclass(frozen=True, slots=True)
class Sheet:
    """A list as both writers take it (this CSV and ``bot.files.attendee_xlsx``): the column
    names' message ids, the rows of cells, the workbook sheet's title and column widths."""

    columns: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]
    title: str  # message id
    widths: tuple[int, ...]


def text_cell(value: str) -> str:
    """The text as it is; one that a spreadsheet would run as a formula gets a leading ``'``."""
    return "'" + value if value.startswith(FORMULA_START) else value


def header(translator: Translator, lang: str, columns: Sequence[str] = COLUMNS) -> list[str]:
    """The column names in ``lang``."""
    return [translator.plain(lang, key) for key in columns]


def status_text(translator: Translator, lang: str, registration: Registration) -> str:
    return translator.plain(lang, f"attendees.csv_{registration.status.value}")


def attendee_sheet(
    translator: Translator, lang: str, registrations: Sequence[Registration]
) -> Sheet:
    """The attendee list: every sign-up with status, waitlist place and its times."""
    rows = [
        (
            registration.name or "",
            status_text(translator, lang, registration),
            registration.waitlist_position or None,
            registration.created_at,
            registration.confirmed_at,
            registration.cancelled_at,
            registration.checked_in_at,
        )
        for registration in registrations
    ]
    return Sheet(COLUMNS, rows, "attendees.xlsx_sheet", (32, 14, 18, 18, 18, 18, 18))


def meldeliste_sheet(event: Event, attendees: Sequence[CertifiedAttendee]) -> Sheet:
    """The Meldeliste for the chamber's Fortbildung department: the checked-in attendees of an
    evening with ``cpd_hours``, with the evening, its hours and each certificate number."""
    rows = [
        (
            attendee.name,
            event.title,
            event.starts_at,
            attendee.hours,
            attendee.number or "",
            attendee.checked_in_at,
        )
        for attendee in attendees
    ]
    return Sheet(MELDELISTE_COLUMNS, rows, "attendees.meldeliste_sheet", (32, 32, 18, 12, 27, 18))


def _csv_cell(cell: Cell, lang: str, tz: tzinfo) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.astimezone(tz).strftime(CSV_TIME)
    if isinstance(cell, str):
        return text_cell(cell)
    if isinstance(cell, int):
        return str(cell)  # a waitlist place: no thousands separator
    return format_decimal(cell, locale=lang)  # hours: 1,5 for a German Excel, 1.5 in English


def sheet_csv(translator: Translator, lang: str, sheet: Sheet, tz: tzinfo) -> bytes:
    """The sheet as CSV bytes, column names in ``lang``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(translator, lang, sheet.columns))
    for row in sheet.rows:
        writer.writerow([_csv_cell(cell, lang, tz) for cell in row])
    return (CSV_BOM + buffer.getvalue()).encode("utf-8")


def attendees_csv(
    translator: Translator, lang: str, registrations: Sequence[Registration], tz: tzinfo
) -> bytes:
    """The rows as CSV bytes, column names and statuses in ``lang``."""
    return sheet_csv(translator, lang, attendee_sheet(translator, lang, registrations), tz)


async def attendees_file(
    db: Database, event_id: str, translator: Translator, lang: str, tz: tzinfo
) -> bytes | None:
    """The attendee list of one event as CSV bytes, or ``None`` when there is no such event."""
    if await attendee_store.figures_of(db, event_id) is None:
        return None
    registrations = await attendee_store.attendee_list(db, event_id)
    return attendees_csv(translator, lang, registrations, tz)
