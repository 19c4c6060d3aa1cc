"""The attendee list of one evening as an Excel workbook (.xlsx), beside the CSV of
``bot.files.attendee_csv``: the same columns, names and statuses in the organiser's language.

Every name is a text-typed cell (``@`` format, string type), so that Excel and LibreOffice show
``007``, ``1.2`` and ``=1+1`` as written: never a number, a date or a formula that runs. Times are
real date-times (local in ``TIMEZONE``, shown ``25.11.2026 10:00``), waitlist places and hours
numbers. The Meldeliste is written by the same code (``sheet_xlsx``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.files.attendee_csv import Cell, Sheet, attendee_sheet, header
from bot.i18n import Translator
from domain.models import Registration
from storage import attendees as attendee_store
from storage.db import Database

XLSX_TIME = "DD.MM.YYYY HH:MM"
TEXT_FORMAT = "@"


def _text(cell: Any, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # openpyxl would take "=…" for a formula
    cell.number_format = TEXT_FORMAT


def _set(cell: Any, value: Cell, tz: tzinfo) -> None:
    if isinstance(value, datetime):
        cell.value = value.astimezone(tz).replace(tzinfo=None)
        cell.number_format = XLSX_TIME
    elif isinstance(value, str):
        _text(cell, value)
    elif value is not None:
        cell.value = value  # a number: waitlist place, hours


def sheet_xlsx(translator: Translator, lang: str, sheet: Sheet, tz: tzinfo) -> bytes:
    """The sheet as .xlsx bytes, column names and sheet title in ``lang``."""
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = translator.plain(lang, sheet.title)
    names = header(translator, lang, sheet.columns)
    for column, (name, width) in enumerate(zip(names, sheet.widths, strict=True), 1):
        cell = page.cell(row=1, column=column)
        _text(cell, name)
        cell.font = Font(bold=True)
        page.column_dimensions[get_column_letter(column)].width = width
    for row, cells in enumerate(sheet.rows, 2):
        for column, value in enumerate(cells, 1):
            _set(page.cell(row=row, column=column), value, tz)
    page.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attendees_xlsx(
    translator: Translator, lang: str, registrations: Sequence[Registration], tz: tzinfo
) -> bytes:
    """The rows as .xlsx bytes, column names and statuses in ``lang``."""
    return sheet_xlsx(translator, lang, attendee_sheet(translator, lang, registrations), tz)


async def attendees_workbook(
    db: Database, event_id: str, translator: Translator, lang: str, tz: tzinfo
) -> bytes | None:
    """The attendee list of one event as .xlsx bytes, or ``None`` when there is no such event."""
    if await attendee_store.figures_of(db, event_id) is None:
        return None
    registrations = await attendee_store.attendee_list(db, event_id)
    return attendees_xlsx(translator, lang, registrations, tz)
