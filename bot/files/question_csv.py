"""The questions of one evening as a spreadsheet file, in the organiser's language, made like the
attendee list (``bot.files.attendee_csv``): UTF-8 with BOM, ``;``, CRLF, German date-times, and
every name and question written as the text it is (only a cell that would start a formula is
defused, with a leading apostrophe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import tzinfo

from bot.files.attendee_csv import CSV_BOM, CSV_TIME, text_cell
from bot.i18n import Translator
from storage.questions import Question

COLUMNS = (
    "questions.csv_number",
    "questions.csv_name",
    "questions.csv_asked_at",
    "questions.csv_question",
)


def questions_csv(
    translator: Translator, lang: str, questions: Sequence[Question], tz: tzinfo
) -> bytes:
    """The questions (oldest first) as CSV bytes, column names in ``lang``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([translator.plain(lang, key) for key in COLUMNS])
    for number, question in enumerate(questions, 1):
        writer.writerow(
            (
                number,
                text_cell(question.name or ""),
                question.asked_at.astimezone(tz).strftime(CSV_TIME),
                text_cell(question.text),
            )
        )
    return (CSV_BOM + buffer.getvalue()).encode("utf-8")
