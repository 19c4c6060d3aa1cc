"""The printable door list (issue 25): a PDF of one evening's confirmed attendees, by name,
each with a tick box and the last characters of the ticket (so that a helper can match a
phone without the network), and the waitlist on its own page. Same font as the certificate;
the wording comes from the catalogues (``doorlist.*``)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_datetime
from fpdf import FPDF, XPos, YPos

from bot.files.certificate_fonts import MAIN, add_fonts
from bot.i18n import Translator
from domain.models import Registration, RegistrationStatus

TICKET_TAIL = 6  # characters of the ticket printed: enough to tell phones apart at the door


def _tail(registration: Registration) -> str:
    return (registration.ticket or "")[-TICKET_TAIL:]


def door_list_pdf(
    translator: Translator,
    title: str,
    starts_at: datetime,
    registrations: list[Registration],
    lang: str,
    tz: tzinfo,
) -> bytes:
    """The PDF bytes of the door list of one evening in ``lang``."""

    def line(key: str, count: int | None = None, **values: object) -> str:
        return translator.plain(lang, key, count, **values)

    confirmed = sorted(
        (r for r in registrations if r.status is RegistrationStatus.CONFIRMED),
        key=lambda r: ((r.name or "").casefold(), r.id),
    )
    waiting = [r for r in registrations if r.status is RegistrationStatus.WAITLISTED]
    when = format_datetime(starts_at.astimezone(tz), "short", tzinfo=tz, locale=lang)
    pdf = FPDF(format="A4")
    add_fonts(pdf, " ".join([title, *(r.name or "" for r in registrations)]))
    pdf.set_title(line("doorlist.heading", title=title))
    pdf.set_auto_page_break(auto=True, margin=15)

    def page(heading: str, people: list[Registration], boxes: bool) -> None:
        pdf.add_page()
        pdf.set_font(MAIN, "B", 16)
        pdf.multi_cell(0, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(MAIN, "", 11)
        pdf.multi_cell(0, 6, f"{title} · {when}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        if not people:
            pdf.cell(0, 8, line("doorlist.nobody"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for number, person in enumerate(people, 1):
            if boxes:  # a tick box to draw by hand
                pdf.rect(pdf.get_x() + 1, pdf.get_y() + 1.5, 5, 5)
                pdf.cell(12, 8, "")
            else:
                pdf.cell(12, 8, f"{number}.")
            pdf.cell(130, 8, person.name or "–")
            pdf.cell(0, 8, _tail(person), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    page(line("doorlist.heading", title=title), confirmed, boxes=True)
    page(line("doorlist.waitlist"), waiting, boxes=False)
    return bytes(pdf.output())
