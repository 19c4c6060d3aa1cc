"""The certificate of attendance (PRODUCT §4): a one-page PDF "Teilnahmebescheinigung".

fpdf2 (pure Python, maintained, no system libraries) writes it with Source Sans Pro embedded
as a TrueType font (the ``font-source-sans-pro`` package from PyPI, SIL Open Font License; its
licence ships in the package): German and English text with ä ö ü ß, „ “ and –, and names such
as „Łukasz Żółć“ or „Ærø“ come out as written, and every PDF reader shows the same glyphs (fpdf2
embeds only the glyphs used, so a certificate stays small). The wording comes from the
catalogues (``certificate.*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from importlib.resources import as_file, files

from babel.dates import format_date
from babel.numbers import format_decimal
from fpdf import FPDF, XPos, YPos

from bot.i18n import Translator

FONT_PACKAGE = "font_source_sans_pro"
FONT = "SourceSans"  # the family name inside the PDF
FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}


@dataclass(frozen=True, slots=True)
class CertificateData:
    """What the certificate states: who attended which evening, when, where, how long."""

    name: str
    title: str
    series: str | None
    starts_at: datetime
    venue: str
    hours: float


def _add_fonts(pdf: FPDF) -> None:
    """Embed the regular and bold TrueType faces under :data:`FONT`."""
    folder = files(FONT_PACKAGE) / "files"
    for style, name in FONT_FILES.items():
        with as_file(folder / name) as path:
            pdf.add_font(FONT, style=style, fname=path)


def certificate_pdf(translator: Translator, data: CertificateData, lang: str, tz: tzinfo) -> bytes:
    """The PDF bytes of one certificate in ``lang``."""
    date = format_date(
        data.starts_at.astimezone(tz), "long" if lang == "en" else "dd.MM.yyyy", locale=lang
    )
    hours = format_decimal(data.hours, locale=lang)

    def line(key: str, **values: object) -> str:
        return translator.plain(lang, key, None, **values)  # no plural on a certificate

    pdf = FPDF(format="A4")
    _add_fonts(pdf)
    pdf.set_title(line("certificate.heading"))
    pdf.add_page()
    pdf.set_margins(25, 30)
    pdf.set_font(FONT, style="B", size=22)
    pdf.set_y(45)
    pdf.multi_cell(
        0, 12, line("certificate.heading"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(12)
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(
        0, 7, line("certificate.confirms"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(4)
    pdf.set_font(FONT, style="B", size=16)
    pdf.multi_cell(0, 9, data.name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(
        0, 7, line("certificate.attended"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=14)
    pdf.multi_cell(0, 8, data.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=12)
    if data.series:
        pdf.multi_cell(0, 7, data.series, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(
        0, 6, line("certificate.issuer"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    return bytes(pdf.output())
