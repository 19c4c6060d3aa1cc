"""The attendee list of one evening as an Excel workbook (.xlsx), beside the CSV of
``bot.files.attendee_csv``: the same columns, names and statuses in the organiser's language.

Every name is a text-typed cell (``@`` format, string type), so that Excel and LibreOffice show
``007``, ``1.2`` and ``=1+1`` as written: never a number, a date or a formula that runs. Times are
real date-times (local in ``TIMEZONE``, shown ``25.11.2026 10:00``), waitlist places numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.files.attendee_csv import header, status_text
from bot.i18n import Translator
from domain.models import Registration
from storage import attendees as attendee_store
from storage.db import Database

XLSX_TIME = "DD.MM.YYYY HH:MM"
TEXT_FORMAT = "@"
_WIDTHS = (32, 14, 18, 18, 18, 18, 18)


def _text(cell: Any, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # openpyxl would take "=…" for a formula
    cell.number_format = TEXT_FORMAT


def _time(cell: Any, moment: datetime | None, tz: tzinfo) -> None:
    if moment is not None:
        cell.value = moment.astimezone(tz).replace(tzinfo=None)
        cell.number_format = XLSX_TIME


def attendees_xlsx(
    translator: Translator, lang: str, registrations: Sequence[Registration], tz: tzinfo
) -> bytes:
    """The rows as .xlsx bytes, column names and statuses in ``lang``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = translator.plain(lang, "attendees.xlsx_sheet")
    for column, (name, width) in enumerate(zip(header(translator, lang), _WIDTHS, strict=True), 1):
        cell = sheet.cell(row=1, column=column)
        _text(cell, name)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, registration in enumerate(registrations, 2):
        _text(sheet.cell(row=row, column=1), registration.name or "")
        _text(sheet.cell(row=row, column=2), status_text(translator, lang, registration))
        if registration.waitlist_position:
            sheet.cell(row=row, column=3).value = registration.waitlist_position
        for column, moment in enumerate(
            (
                registration.created_at,
                registration.confirmed_at,
                registration.cancelled_at,
                registration.checked_in_at,
            ),
            4,
        ):
            _time(sheet.cell(row=row, column=column), moment, tz)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def attendees_workbook(
    db: Database, event_id: str, translator: Translator, lang: str, tz: tzinfo
) -> bytes | None:
    """The attendee list of one event as .xlsx bytes, or ``None`` when there is no such event."""
    if await attendee_store.figures_of(db, event_id) is None:
        return None
    registrations = await attendee_store.attendee_list(db, event_id)
    return attendees_xlsx(translator, lang, registrations, tz)
