"""The attendee list of one evening as a spreadsheet file, in the organiser's language.

The same bytes come out of the bot's /teilnehmer and ``python run.py attendees EVENT_ID`` (the
CLI in ``DEFAULT_LANGUAGE``). Made for Excel as the chamber uses it: UTF-8 with BOM (so umlauts
survive), ``;`` between cells (what a German Excel expects), CRLF, times as ``25.11.2026 10:00``
(which a German Excel reads as a date and time). A name is written as the text it is, so that a
mail merge, a script or a CRM import reads ``Anna Müller``; only a cell that would start a formula
(``=`` ``+`` ``-`` ``@``, tab, CR) is defused OWASP's way, with a leading apostrophe. (Excel may
still show ``007`` as 7 when it opens a CSV: the .xlsx workbook of ``bot.files.attendee_xlsx``
types every name as text.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, tzinfo

from bot.i18n import Translator
from domain.models import Registration
from storage import attendees as attendee_store
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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV injection"


def text_cell(value: str) -> str:
    """The text as it is; one that a spreadsheet would run as a formula gets a leading ``'``."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(CSV_TIME) if moment else ""


def header(translator: Translator, lang: str) -> list[str]:
    """The column names in ``lang``."""
    return [translator.plain(lang, key) for key in COLUMNS]


def status_text(translator: Translator, lang: str, registration: Registration) -> str:
    return translator.plain(lang, f"attendees.csv_{registration.status.value}")


def attendees_csv(
    translator: Translator, lang: str, registrations: Sequence[Registration], tz: tzinfo
) -> bytes:
    """The rows as CSV bytes, column names and statuses in ``lang``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(translator, lang))
    for registration in registrations:
        writer.writerow(
            (
                text_cell(registration.name or ""),
                status_text(translator, lang, registration),
                registration.waitlist_position or "",
                _time(registration.created_at, tz),
                _time(registration.confirmed_at, tz),
                _time(registration.cancelled_at, tz),
                _time(registration.checked_in_at, tz),
            )
        )
    return (CSV_BOM + buffer.getvalue()).encode("utf-8")


async def attendees_file(
    db: Database, event_id: str, translator: Translator, lang: str, tz: tzinfo
) -> bytes | None:
    """The attendee list of one event as CSV bytes, or ``None`` when there is no such event."""
    if await attendee_store.figures_of(db, event_id) is None:
        return None
    registrations = await attendee_store.attendee_list(db, event_id)
    return attendees_csv(translator, lang, registrations, tz)
