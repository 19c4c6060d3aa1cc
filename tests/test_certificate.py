"""Issue 13, points 4 and 5: ``cpd_hours`` in the program file and the PDF certificate."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.files.certificate import CertificateData, certificate_pdf
from bot.i18n import Translator
from domain.reading.program import ProgramError, dump_program, parse_program
from storage import events as event_store
from tests.conftest import make_event

BERLIN = ZoneInfo("Europe/Berlin")
PROGRAM = (
    "events:\n"
    "  - id: test-evening\n"
    "    title: Test\n"
    "    starts: 2027-03-10 18:30\n"
    "    venue: Haus der Architektinnen und Architekten\n"
    "    cpd_hours: {hours}\n"
)


def test_cpd_hours_are_validated_exported_and_round_trip():
    [event] = parse_program(PROGRAM.format(hours="1.5"), BERLIN)
    assert event.cpd_hours == 1.5
    dumped = dump_program([event], BERLIN)
    assert "    cpd_hours: 1.5\n" in dumped
    assert parse_program(dumped, BERLIN) == [event]
    for bad in ("0", "-1", "viel", "25"):
        with pytest.raises(ProgramError) as raised:
            parse_program(PROGRAM.format(hours=bad), BERLIN)
        assert "cpd_hours" in str(raised.value)


async def test_cpd_hours_are_stored(bot):
    event = make_event(cpd_hours=2.0)
    await event_store.save_events(bot.data.db, [event], event.starts_at)
    assert (await event_store.get_event(bot.data.db, event.id)).cpd_hours == 2.0


def sample_data(**fields: object) -> CertificateData:
    """A certificate of 10 March 2027, 18:30 to 20:30 in Berlin, with ``fields`` changed."""
    values: dict[str, object] = {
        "name": "Jürgen Weiß-Öztürk",
        "title": "„Umbau statt Neubau“ – Ideen",
        "series": "Kraft der Region",
        "starts_at": datetime(2027, 3, 10, 17, 30, tzinfo=ZoneInfo("UTC")),
        "ends_at": datetime(2027, 3, 10, 19, 30, tzinfo=ZoneInfo("UTC")),
        "venue": "Haus der Architektinnen und Architekten",
        "address": "Danneckerstraße 54, 70182 Stuttgart",
        "hours": 2,
        "issuer": "Architektenkammer Baden-Württemberg",
        "number": "KDR-7F3Q-9XKM-2ZRA-C04D",
        "verify_url": "https://termine.example.org/bescheinigung/KDR-7F3Q-9XKM-2ZRA-C04D",
        "issued_at": datetime(2027, 3, 10, 19, 31, tzinfo=ZoneInfo("UTC")),
        "content": "Wie wir mit dem Bestand bauen.",
        "speakers": ("Ilona Schaal",),
    }
    values.update(fields)
    return CertificateData(**values)  # type: ignore[arg-type]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "de",
            [
                "Teilnahmebescheinigung",
                "Jürgen Weiß-Öztürk",
                "„Umbau statt Neubau“ – Ideen",
                "Kraft der Region – Macher:innengespräche",
                "10.03.2027",
                "Haus der Architektinnen und Architekten, Stuttgart",
                "1,5 Fortbildungsstunden",
                "Architektenkammer Baden-Württemberg",
            ],
        ),
        (
            "en",
            [
                "Certificate of attendance",
                "Jürgen Weiß-Öztürk",
                "March 10, 2027",
                "1.5 hours of professional development",
                "Architektenkammer Baden-Württemberg",
            ],
        ),
    ],
)
def test_the_pdf_says_who_attended_what_when_where_and_how_long(lang, expected):
    data = sample_data(
        name="Jürgen Weiß-Öztürk",
        title="„Umbau statt Neubau“ – Ideen",
        series="Kraft der Region – Macher:innengespräche",
        address="Stuttgart",
        hours=1.5,
    )
    pdf = certificate_pdf(Translator.load(), data, lang, BERLIN)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for part in expected:
        assert part in text, (part, text)


async def test_checked_in_attendees_get_the_certificate_once_and_can_fetch_it_again(
    bot, clock, add_events
):
    from datetime import timedelta

    from bot.callbacks import Action, pack
    from bot.sending.sender import drain_outbox
    from domain.evening import end_of
    from handlers.notices.certificates import plan_certificates
    from storage import attendees as attendee_store
    from tests.outbox_support import sign_up

    event = make_event(cpd_hours=1.5)
    await add_events(event)
    there = (await sign_up(bot, clock, 1)).registration
    await sign_up(bot, clock, 2)
    clock.set(event.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, there.id, clock.now())
    await plan_certificates(bot.app.bot_data)
    await drain_outbox(bot.app)
    assert bot.api.messages(1) == []  # not before the end
    clock.set(end_of(event) + timedelta(minutes=1))
    for _ in range(2):
        await plan_certificates(bot.app.bot_data)
        await drain_outbox(bot.app)
    [note] = bot.api.messages(1)  # the PDF itself, once
    assert "Teilnahmebescheinigung" in note.text
    assert "Person 1" in _text(note.document.content)
    assert bot.api.messages(2) == []  # not checked in
    user = bot.user(1)
    for _ in range(2):  # fetched again later from /meine: the same certificate
        [mine] = await user.send("/meine")
        [sent] = await user.press("📄 Teilnahmebescheinigung", mine)
        assert sent.document is not None
        text = _text(sent.document.content)
        assert "Person 1" in text and "Umbau statt Neubau" in text
        assert "1,5 Fortbildungsstunden" in text
        assert _number(text) == _number(_text(note.document.content))
    mallory = bot.user(666, first_name="Mallory")
    await mallory.send("/start")
    assert await mallory.press_data(pack(Action.CERTIFICATE, there.id), mine) == []
    assert bot.api.callback_answers[-1].show_alert


def _number(text: str) -> str:
    [number] = re.findall(r"KDR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)[:1]
    return number


def _fonts(pdf: bytes) -> list:
    """The fonts the first page uses, as pypdf objects."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [font.get_object() for font in page["/Resources"]["/Font"].values()]


@pytest.mark.parametrize("name", ["Łukasz Żółć", "Ærø Ådalsvej", "Zoë „Zizi“ Weiß"])
def test_names_in_any_latin_script_come_out_as_written_in_an_embedded_font(name):
    data = sample_data(name=name, title="„Umbau statt Neubau“ – Ideen", series=None)
    pdf = certificate_pdf(Translator.load(), data, "de", BERLIN)
    text = _text(pdf)
    assert name in text.splitlines(), text
    assert "?" not in text
    fonts = _fonts(pdf)
    assert fonts, "no font resources"
    for font in fonts:
        assert font["/Subtype"] == "/Type0"  # a Unicode (CID) font, not a core font
        assert "SourceSans" in font["/BaseFont"]
        [descendant] = font["/DescendantFonts"]
        descriptor = descendant.get_object()["/FontDescriptor"].get_object()
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000  # embedded glyphs


async def test_mine_offers_the_certificate_after_the_evening_only_to_the_checked_in(
    bot, clock, add_events
):
    from datetime import timedelta

    from bot.callbacks import Action, pack
    from domain.evening import end_of
    from storage import attendees as attendee_store
    from storage import registrations as registration_store
    from tests.outbox_support import sign_up

    event = make_event(cpd_hours=2.0)
    plain = make_event("ohne", days=15, title="Ohne Fortbildung")
    await add_events(event, plain)
    await sign_up(bot, clock, 1, "ohne")  # the user row
    there = (
        await registration_store.sign_up(bot.data.db, event.id, 1, "Łukasz Żółć", clock.now())
    ).registration
    absent = (await sign_up(bot, clock, 2)).registration
    other_evening = await registration_store.active_registration(bot.data.db, "ohne", 1)
    clock.set(event.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, there.id, clock.now())
    user = bot.user(1)
    [during] = await user.send("/meine")
    assert not any("Teilnahmebescheinigung" in label for label in during.button_labels)
    await user.press_data(pack(Action.CERTIFICATE, there.id), during)  # not before the end
    assert bot.api.callback_answers[-1].show_alert and user.last.document is None

    clock.set(end_of(plain) + timedelta(minutes=1))  # both evenings over
    await attendee_store.check_in(bot.data.db, other_evening.id, clock.now())
    [mine] = await user.send("/meine")
    assert "Teilnahmebescheinigung" in mine.text and "Umbau statt Neubau" in mine.text
    assert "Ohne Fortbildung" not in mine.text  # no cpd_hours: no certificate
    [sent] = await user.press("📄 Teilnahmebescheinigung", mine)
    assert sent.document.filename == "Teilnahmebescheinigung-umbau-2026.pdf"
    assert "Łukasz Żółć" in _text(sent.document.content)

    [nothing] = await bot.user(2).send("/meine")  # signed up, never came
    assert "Teilnahmebescheinigung" not in nothing.text + " ".join(nothing.button_labels)
    mallory = bot.user(666, first_name="Mallory")
    for forged in (there.id, absent.id, 99999):
        assert await mallory.press_data(pack(Action.CERTIFICATE, forged), nothing) == []
        answer = bot.api.callback_answers[-1]
        assert answer.show_alert and "keine Teilnahmebescheinigung" in answer.text
    await bot.user(2).press_data(pack(Action.CERTIFICATE, absent.id), nothing)
    assert bot.api.callback_answers[-1].show_alert
    assert all(m.document is None for m in bot.api.messages(2) + bot.api.messages(666))


async def test_restart_between_planning_and_sending_neither_loses_nor_repeats(tmp_path, clock):
    """The certificate note is an outbox row: planned by one process, sent by the next, and
    never planned or sent again by a third (issue 13: restart in the middle of each step)."""
    from datetime import timedelta

    from bot.sending.sender import drain_outbox
    from domain.evening import end_of
    from handlers.notices.certificates import plan_certificates
    from storage import attendees as attendee_store
    from storage import certificates as certificate_store
    from tests.conftest import make_settings
    from tests.outbox_support import outbox_rows, running_bot, sign_up

    settings = make_settings(tmp_path)
    event = make_event(cpd_hours=2)
    async with running_bot(settings, clock) as first:
        await event_store.save_events(first.data.db, [event], clock.now())
        there = (await sign_up(first, clock, 1)).registration
        clock.set(event.starts_at + timedelta(minutes=5))
        await attendee_store.check_in(first.data.db, there.id, clock.now())
        clock.set(end_of(event) + timedelta(minutes=1))
        report = await certificate_store.plan_due_certificates(first.data.db, clock.now())
        assert report.issued == 1
        assert first.api.messages(1) == []  # planned, then the process stops before sending
    async with running_bot(settings, clock) as second:  # start-up plans again: nothing new
        assert len(await outbox_rows(second.data.db, "certificate")) == 1
        await drain_outbox(second.app)
        [note] = second.api.messages(1)
        assert "Teilnahmebescheinigung" in note.text and note.document is not None
    clock.advance(timedelta(hours=1))
    async with running_bot(settings, clock) as third:
        await plan_certificates(third.app.bot_data)
        await drain_outbox(third.app)
        assert third.api.messages(1) == []
        assert len(await outbox_rows(third.data.db, "certificate")) == 1


async def test_card_and_page_say_what_the_evening_counts_for(bot, add_events):
    """An architect sees before signing up that the evening counts for Fortbildung: on the
    card (German and English, numbers as each language writes them) and on the public page."""
    from tests.signup_support import open_card
    from tests.web_support import served

    await add_events(make_event(cpd_hours=1.5), make_event("ohne", days=20))
    card = await open_card(bot.user(1))
    assert "🎓 Zählt für 1,5 Fortbildungsstunden" in card.text
    english = await open_card(bot.user(2, language_code="en"))
    assert "Counts for 1.5 hours of professional development" in english.text
    assert "Fortbildung" not in (await open_card(bot.user(1), "ohne")).text
    async with served(bot) as web:
        page = (await web.get("/termine/umbau-2026")).text
        other = (await web.get("/termine/ohne")).text
    assert "<dt>Fortbildung</dt><dd>1,5 Fortbildungsstunden, mit Teilnahmebescheinigung" in page
    assert "Fortbildung" not in other
