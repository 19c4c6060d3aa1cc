"""The certificate of attendance (PRODUCT §4): a one-page PDF "Teilnahmebescheinigung".

fpdf2 (pure Python, maintained, no system libraries) writes it with the standard font
Helvetica in the Windows-1252 encoding, which covers German and English text including
ä ö ü ß, „ “ and –; a character outside it (a name in another script) is replaced by "?"
rather than breaking the certificate. The wording comes from the catalogues (``certificate.*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from babel.dates import format_date
from babel.numbers import format_decimal
from fpdf import FPDF, XPos, YPos

from bot.i18n import Translator

ENCODING = "windows-1252"


@dataclass(frozen=True, slots=True)
class CertificateData:
    """What the certificate states: who attended which evening, when, where, how long."""

    name: str
    title: str
    series: str | None
    starts_at: datetime
    venue: str
    hours: float


def _encodable(text: str) -> str:
    return text.encode(ENCODING, errors="replace").decode(ENCODING)


def certificate_pdf(translator: Translator, data: CertificateData, lang: str, tz: tzinfo) -> bytes:
    """The PDF bytes of one certificate in ``lang``."""
    date = format_date(
        data.starts_at.astimezone(tz), "long" if lang == "en" else "dd.MM.yyyy", locale=lang
    )
    hours = format_decimal(data.hours, locale=lang)

    def line(key: str, **values: object) -> str:
        return _encodable(translator.plain(lang, key, **values))

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(line("certificate.heading"))
    pdf.add_page()
    pdf.set_margins(25, 30)
    pdf.set_font("Helvetica", style="B", size=22)
    pdf.set_y(45)
    pdf.multi_cell(
        0, 12, line("certificate.heading"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(12)
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0, 7, line("certificate.confirms"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.multi_cell(0, 9, _encodable(data.name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0, 7, line("certificate.attended"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, _encodable(data.title), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=12)
    if data.series:
        pdf.multi_cell(
            0, 7, _encodable(data.series), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(6)
    pdf.multi_cell(
        0, 7, line("certificate.date", date=date), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.multi_cell(
        0,
        7,
        line("certificate.venue", venue=data.venue),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.multi_cell(
        0,
        7,
        line("certificate.hours", hours=hours),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(20)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0, 6, line("certificate.issuer"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    return bytes(pdf.output())
