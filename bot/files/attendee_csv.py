"""The attendee list of one evening as a spreadsheet file, in the organiser's language.

The same bytes come out of the bot's /teilnehmer and ``python run.py attendees EVENT_ID`` (the
CLI in ``DEFAULT_LANGUAGE``). Made for Excel as the chamber uses it: UTF-8 with BOM (so umlauts
survive), ``;`` between cells (what a German Excel expects), CRLF, times as ``25.11.2026 10:00``
(which a German Excel reads as a date and time). A name is written as the formula ``="…"``: Excel
shows it as the text it is, never as a number (``007``), a date (``1.2``) or a formula it runs
(``=1+1``, ``=HYPERLINK(…)``): the formula is a string constant, quotes inside doubled.
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
# Excel keeps at most 255 characters in a string constant, and a line break would end the formula;
# such text (never a name the bot accepts; a long question) is defused with the apostrophe instead.
_FORMULA_TEXT_LIMIT = 255
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """A cell Excel shows as exactly this text (empty stays empty)."""
    if not value:
        return ""
    if len(value) > _FORMULA_TEXT_LIMIT or "\n" in value or "\r" in value:
        return "'" + value if value.startswith(_FORMULA_START) else value
    return '="' + value.replace('"', '""') + '"'


def _time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(CSV_TIME) if moment else ""


def attendees_csv(
    translator: Translator, lang: str, registrations: Sequence[Registration], tz: tzinfo
) -> bytes:
    """The rows as CSV bytes, column names and statuses in ``lang``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([translator.plain(lang, key) for key in COLUMNS])
    for registration in registrations:
        status = translator.plain(lang, f"attendees.csv_{registration.status.value}")
        writer.writerow(
            (
                text_cell(registration.name or ""),
                status,
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
