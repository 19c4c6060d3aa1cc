"""The Fortbildungsnachweis of one calendar year (PRODUCT §4): one A4 PDF whose first page lists
the attended evenings with date, title, Fortbildungsstunden and certificate number, and the
year's total; then each certificate as its own page, written by the certificate's own page
renderer (:func:`bot.files.certificate.add_certificate_page`). The list is the certificates'
records: the hours each certificate states, summed by ``domain.cpd_hours``.
"""

from __future__ import annotations

from datetime import tzinfo

from babel.dates import format_date
from babel.numbers import format_decimal
from fpdf import FPDF, XPos, YPos

from bot.files.certificate import CertificateData, add_certificate_page, certificate_text
from bot.files.certificate_fonts import MAIN, FontFile, add_fonts
from bot.i18n import Count, Translator
from domain.cpd_hours import YearOfHours, exact_hours, plural_count

# Column widths in mm of the list (A4 minus 20 mm margins: 170 mm).
WIDTHS = (24, 62, 22, 62)  # a number of the widest letters (KDR-WWWW-…) takes 57 mm


def cpd_record_pdf(
    translator: Translator,
    year: YearOfHours,
    certificates: list[CertificateData],
    lang: str,
    tz: tzinfo,
    fonts: tuple[FontFile, ...] | None = None,
) -> bytes:
    """The PDF bytes of ``year``'s Fortbildungsnachweis in ``lang``: the list, then the pages
    of ``certificates`` (the same evenings, in the list's order)."""

    def line(key: str, count: Count | None = None, **values: object) -> str:
        return translator.plain(lang, key, count, **values)

    name = certificates[0].name if certificates else ""
    issuer = certificates[0].issuer if certificates else ""
    pdf = FPDF(format="A4")
    add_fonts(pdf, " ".join(certificate_text(data) for data in certificates), fonts)
    title = line("cpd_record.title", year=year.year)
    pdf.set_title(f"{title} – {name}")
    pdf.set_author(issuer)
    pdf.set_lang(lang)
    pdf.set_creator("Kraft der Region")
    pdf.set_margins(20, 25, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font(MAIN, size=11)
    pdf.multi_cell(0, 6, line("certificate.provider", issuer=issuer), align="C")
    pdf.ln(8)
    pdf.set_font(MAIN, style="B", size=22)
    pdf.multi_cell(0, 11, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(MAIN, size=12)
    pdf.multi_cell(
        0, 7, line("cpd_record.holder", name=name), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(8)
    pattern = translator.raw(lang, "certificate.format.date")
    pdf.set_font(MAIN, size=10.5)
    with pdf.table(col_widths=WIDTHS, text_align=("LEFT", "LEFT", "RIGHT", "LEFT")) as table:
        table.row(
            [
                line("cpd_record.column_date"),
                line("cpd_record.column_title"),
                line("cpd_record.column_hours"),
                line("cpd_record.column_number"),
            ]
        )
        for evening in year.evenings:
            table.row(
                [
                    format_date(evening.starts_at.astimezone(tz), pattern, locale=lang),
                    evening.title,
                    format_decimal(exact_hours(evening.hours), locale=lang),
                    evening.number,
                ]
            )
    pdf.ln(6)
    total = year.total
    pdf.set_font(MAIN, style="B", size=13)
    pdf.multi_cell(
        0,
        8,
        line(
            "cpd_record.total",
            plural_count(total),
            hours=format_decimal(total, locale=lang),
            year=year.year,
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    pdf.set_font(MAIN, size=10.5)
    pdf.multi_cell(0, 5.5, line("cpd_record.explain"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for data in certificates:
        add_certificate_page(pdf, translator, data, lang, tz)
    return bytes(pdf.output())
