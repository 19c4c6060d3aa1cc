"""The certificate of attendance (PRODUCT §4): a one-page A4 PDF "Teilnahmebescheinigung".

fpdf2 (pure Python) writes it in the fonts of :mod:`bot.files.certificate_fonts`, embedded (only
the glyphs used), with text shaping for Arabic. The page, top to bottom: the provider ("Träger:
Architektenkammer Baden-Württemberg"); the heading; "Hiermit wird bestätigt, dass", the name
large and bold; "an der folgenden Fortbildungsveranstaltung teilgenommen hat:", the title in
bold, the series, then the facts one per line ("Inhalt: …" the first sentences of the
description, "Referent:innen: …", "Datum: 10.03.2027, 18:30–20:30 Uhr", "Ort: venue, address",
"Umfang: 2 Fortbildungsstunden" exactly as ``cpd_hours``); at the foot "Ausgestellt am …", the
number, "Elektronisch erstellt – Echtheit prüfbar unter <link>" and, at the right, the QR code
of that link (segno). The PDF's title, author (the provider) and language are set. The wording
comes from the catalogues (``certificate.*``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, tzinfo

import segno
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from fpdf import FPDF, XPos, YPos

from bot.files.certificate_fonts import MAIN, FontFile, add_fonts, printable_name
from bot.i18n import Translator
from domain.cpd_hours import exact_hours, plural_count
from domain.evening import end_of
from domain.models import Event

CONTENT_LIMIT = 220  # characters of the description on the "Inhalt" line
QR_SIZE = 32  # mm
# fontTools (under fpdf2) logs every step of subsetting a font at INFO: not the bot's news.
logging.getLogger("fontTools").setLevel(logging.WARNING)
VERIFY_PATH = "/bescheinigung/"


@dataclass(frozen=True, slots=True)
class CertificateData:
    """What the certificate states: who attended which evening, when, where, how long, who
    vouches for it and how to check it."""

    name: str
    title: str
    series: str | None
    starts_at: datetime
    ends_at: datetime
    venue: str
    hours: float
    issuer: str
    number: str
    verify_url: str
    issued_at: datetime
    address: str | None = None
    content: str | None = None
    speakers: tuple[str, ...] = ()


def content_line(description: str, limit: int = CONTENT_LIMIT) -> str | None:
    """The first paragraph of a description, cut at a word before ``limit`` characters."""
    paragraph = " ".join(description.strip().split("\n\n")[0].split())
    if not paragraph:
        return None
    if len(paragraph) <= limit:
        return paragraph
    return paragraph[:limit].rsplit(" ", 1)[0].rstrip(",;:–-") + " …"


def certificate_data(
    event: Event,
    name: str,
    number: str,
    hours: float,
    issued_at: datetime,
    issuer: str,
    base_url: str,
) -> CertificateData:
    """The certificate of ``name`` for ``event`` under ``number``."""
    return CertificateData(
        name=printable_name(name) or name,
        title=event.title,
        series=event.series,
        starts_at=event.starts_at,
        ends_at=end_of(event),
        venue=event.venue,
        address=event.address,
        hours=hours,
        issuer=issuer,
        number=number,
        verify_url=f"{base_url}{VERIFY_PATH}{number}",
        issued_at=issued_at,
        content=content_line(event.description),
        speakers=tuple(speaker.name for speaker in event.speakers),
    )


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=0)
    buffer.seek(0)
    return buffer


def certificate_pdf(
    translator: Translator,
    data: CertificateData,
    lang: str,
    tz: tzinfo,
    fonts: tuple[FontFile, ...] | None = None,
) -> bytes:
    """The PDF bytes of one certificate in ``lang`` (times in ``tz``)."""
    pdf = FPDF(format="A4")
    add_fonts(pdf, certificate_text(data), fonts)
    heading = translator.plain(lang, "certificate.heading")
    pdf.set_title(f"{heading} – {data.title}")
    pdf.set_author(data.issuer)
    pdf.set_subject(data.number)
    pdf.set_lang(lang)
    pdf.set_creator("Kraft der Region")
    add_certificate_page(pdf, translator, data, lang, tz)
    return bytes(pdf.output())


def certificate_text(data: CertificateData) -> str:
    """Every text of ``data`` the page prints, for :func:`add_fonts` (which fallback fonts)."""
    variable = (data.name, data.title, data.series, data.content, data.venue, data.address)
    return " ".join(filter(None, (*variable, data.issuer, *data.speakers)))


def add_certificate_page(
    pdf: FPDF, translator: Translator, data: CertificateData, lang: str, tz: tzinfo
) -> None:
    """Write the certificate as a new page of ``pdf``, whose fonts :func:`add_fonts` has
    added for (at least) :func:`certificate_text` of ``data``: the one page of a certificate,
    and each certificate's page in the yearly Fortbildungsnachweis."""

    def line(key: str, **values: object) -> str:
        return translator.plain(lang, key, None, **values)  # no plural on a certificate

    def day(moment: datetime) -> str:
        pattern = translator.raw(lang, "certificate.format.date")
        return format_date(moment.astimezone(tz), pattern, locale=lang)

    def clock(moment: datetime) -> str:
        pattern = translator.raw(lang, "certificate.format.time")
        return format_time(moment.astimezone(tz), pattern, locale=lang)

    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    pdf.add_page()

    def paragraph(text: str, size: float, height: float, style: str = "") -> None:
        pdf.set_font(MAIN, style=style, size=size)
        pdf.multi_cell(0, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(25)
    paragraph(line("certificate.provider", issuer=data.issuer), 11, 6)
    pdf.ln(14)
    paragraph(line("certificate.heading"), 26, 13, "B")
    pdf.ln(12)
    paragraph(line("certificate.confirms"), 12, 7)
    pdf.ln(3)
    paragraph(data.name, 20, 11, "B")
    pdf.ln(3)
    paragraph(line("certificate.attended"), 12, 7)
    pdf.ln(5)
    paragraph(data.title, 16, 9, "B")
    if data.series:
        paragraph(data.series, 12, 7)
    pdf.ln(8)
    facts = []
    if data.content:
        facts.append(line("certificate.content", content=data.content))
    if data.speakers:
        facts.append(line("certificate.speakers", speakers=", ".join(data.speakers)))
    facts.append(
        line(
            "certificate.date",
            date=day(data.starts_at),
            start=clock(data.starts_at),
            end=clock(data.ends_at),
        )
    )
    place = ", ".join(part for part in (data.venue, data.address) if part)
    facts.append(line("certificate.venue", venue=place))
    pdf.set_font(MAIN, size=11.5)
    for fact in facts:
        pdf.multi_cell(0, 6.5, fact, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    pdf.ln(3)
    hours = format_decimal(data.hours, locale=lang)
    count = plural_count(exact_hours(data.hours))  # Babel picks forms of decimals too
    pdf.set_font(MAIN, style="B", size=13)
    pdf.multi_cell(
        0,
        8,
        translator.plain(lang, "certificate.hours", count, hours=hours),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    foot = pdf.h - 25 - QR_SIZE
    pdf.image(_qr_png(data.verify_url), x=pdf.w - 25 - QR_SIZE, y=foot, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(25, foot)
    text_width = pdf.w - 50 - QR_SIZE - 6
    pdf.set_font(MAIN, size=10.5)
    for text in (
        line("certificate.issued", date=day(data.issued_at)),
        line("certificate.number", number=data.number),
        line("certificate.verify", link=data.verify_url),
        line("certificate.no_signature"),
    ):
        pdf.multi_cell(text_width, 5.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.8)
