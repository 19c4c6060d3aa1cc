"""Issue 24, bullet 4: the Fortbildungsnachweis. /meine shows the Fortbildungsstunden per
calendar year, summed from the certificates as issued, and sends one PDF per year: the list of
evenings (date, title, hours, number, total), then each certificate as its own page; read back
with pypdf. Every test here fails on 61def71: /meine had no hours and no yearly record
(``domain.cpd_hours`` and ``Action.CPD_RECORD`` did not exist)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from bot.callbacks import Action, pack
from domain.cpd_hours import CertifiedEvening, exact_hours, hours_by_year, plural_count
from domain.evening import end_of
from handlers.notices.certificates import plan_certificates
from storage import attendees as attendee_store
from storage import certificates as certificate_store
from tests.conftest import make_event
from tests.outbox_support import sign_up

DECEMBER = make_event("dezember", days=14, title="Umbau statt Neubau", cpd_hours=1.5)
JANUARY = make_event("januar", days=45, title="Holz im Hochhaus", cpd_hours=2.0)
LATER = make_event("spaeter", days=60, title="Boden gut machen", cpd_hours=2.5)
PLAIN = make_event("ohne", days=50, title="Stammtisch")  # no cpd_hours: counts for nothing


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


async def _attend(bot, clock, user_ids, *events, lang="de"):
    """``user_ids`` sign up for every one of ``events`` now; each evening they are checked in,
    and the planner issues the certificates just after its end."""
    registrations = {}
    for event in events:
        for user_id in user_ids:
            result = await sign_up(bot, clock, user_id, event.id, lang)
            registrations[user_id, event.id] = result.registration
    for event in sorted(events, key=lambda e: e.starts_at):
        clock.set(event.starts_at + timedelta(minutes=5))
        for user_id in user_ids:
            registration = registrations[user_id, event.id]
            await attendee_store.check_in(bot.data.db, registration.id, clock.now())
        clock.set(end_of(event) + timedelta(seconds=1))
        await plan_certificates(bot.app.bot_data)
    return registrations


async def _numbers(bot, user_id):
    held = await certificate_store.held_certificates(bot.data.db, user_id)
    return {item.event.id: item.record.number for item in held}


async def test_mine_shows_the_hours_per_year_and_sends_the_year_as_one_pdf(bot, clock, add_events):
    await add_events(DECEMBER, JANUARY, LATER, PLAIN)
    await _attend(bot, clock, [1, 2], DECEMBER, JANUARY, PLAIN, LATER)  # 2's are not 1's
    numbers = await _numbers(bot, 1)
    assert set(numbers) == {"dezember", "januar", "spaeter"}
    # The organisers change an evening's hours afterwards: the certificate says what it says.
    await add_events(make_event("januar", days=45, title="Holz im Hochhaus", cpd_hours=3.0))

    [mine] = await bot.user(1).send("/meine")
    assert "2027: 4,5 Fortbildungsstunden bei Kraft der Region" in mine.text
    assert "2026: 1,5 Fortbildungsstunden bei Kraft der Region" in mine.text
    assert mine.text.index("2027:") < mine.text.index("2026:")  # latest year first
    labels = mine.button_labels
    assert "📑 Fortbildungsnachweis 2027 (PDF)" in labels
    assert "📑 Fortbildungsnachweis 2026 (PDF)" in labels

    [sent] = await bot.user(1).press("📑 Fortbildungsnachweis 2027 (PDF)", mine)
    assert sent.document is not None and sent.document.filename == "Fortbildungsnachweis-2027.pdf"
    assert "4,5 Fortbildungsstunden bei Kraft der Region" in sent.text
    pages = _pages(sent.document.content)
    assert len(pages) == 1 + 2  # the list, then the two certificates of 2027
    listing = pages[0]
    for part in (
        "Fortbildungsnachweis 2027",
        "für Person 1",
        "Träger: Architektenkammer Baden-Württemberg",
        "09.01.2027",
        "Holz im Hochhaus",
        numbers["januar"],
        "24.01.2027",
        "Boden gut machen",
        numbers["spaeter"],
        "Summe 2027: 4,5 Fortbildungsstunden",
    ):
        assert part in listing, (part, listing)
    assert numbers["dezember"] not in listing and "Stammtisch" not in listing
    assert listing.index(numbers["januar"]) < listing.index(numbers["spaeter"])
    assert "Teilnahmebescheinigung" in pages[1] and numbers["januar"] in pages[1]
    assert "Umfang: 2 Fortbildungsstunden" in pages[1]  # as issued, not the later 3
    assert "Hiermit wird bestätigt, dass Person 1" in pages[1]
    assert "Teilnahmebescheinigung" in pages[2] and numbers["spaeter"] in pages[2]
    assert "Umfang: 2,5 Fortbildungsstunden" in pages[2]

    [december] = await bot.user(1).press("📑 Fortbildungsnachweis 2026 (PDF)", mine)
    pages = _pages(december.document.content)
    assert len(pages) == 2 and numbers["dezember"] in pages[0] and numbers["dezember"] in pages[1]
    assert "Summe 2026: 1,5 Fortbildungsstunden" in pages[0]


async def test_english_and_the_singular(bot, clock, add_events):
    one_hour = make_event("kurz", days=45, title="Kurz und gut", cpd_hours=1.0)
    await add_events(one_hour, DECEMBER)
    await _attend(bot, clock, [8], DECEMBER, lang="en")
    await _attend(bot, clock, [7], one_hour)
    [mine] = await bot.user(7).send("/meine")
    assert "2027: 1 Fortbildungsstunde bei Kraft der Region" in mine.text
    english = bot.user(8, language_code="en")
    [mine] = await english.send("/mine")
    assert "2026: 1.5 hours of professional development at Kraft der Region" in mine.text
    [sent] = await english.press("📑 Professional development record 2026 (PDF)", mine)
    [listing, page] = _pages(sent.document.content)
    assert "Total 2026: 1.5 hours of professional development" in listing
    assert "Certificate number" in listing and "1.5 hours of professional development" in page


async def test_a_year_is_sent_only_to_whoever_holds_its_certificates(bot, clock, add_events):
    await add_events(DECEMBER, JANUARY)
    await _attend(bot, clock, [1], DECEMBER)
    await _attend(bot, clock, [2], JANUARY)
    [mine] = await bot.user(2).send("/meine")
    assert "2026" not in mine.text and "2027: 2 Fortbildungsstunden" in mine.text
    for forged in (pack(Action.CPD_RECORD, 2026), pack(Action.CPD_RECORD, "x")):
        assert await bot.user(2).press_data(forged, mine) == []
        assert bot.api.callback_answers[-1].show_alert
    assert all(message.document is None for message in bot.api.messages(2))
    [nothing] = await bot.user(3).send("/meine")  # no certificates: no hours, no button
    assert "Fortbildungsstunden" not in nothing.text
    assert not any("Fortbildungsnachweis" in label for label in nothing.button_labels)


def test_a_year_adds_up_the_hours_as_stated_in_the_series_time_zone():
    berlin = ZoneInfo("Europe/Berlin")
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Berlin
    evenings = [
        CertifiedEvening("KDR-B", new_year, "Neujahr", 0.1),
        CertifiedEvening("KDR-A", datetime(2027, 3, 1, 17, tzinfo=UTC), "März", 0.2),
        CertifiedEvening("KDR-C", datetime(2026, 6, 1, 17, tzinfo=UTC), "Juni", 2.0),
    ]
    [this, last] = hours_by_year(evenings, berlin)
    assert (this.year, [e.number for e in this.evenings]) == (2027, ["KDR-B", "KDR-A"])
    assert str(this.total) == "0.3"  # not 0.30000000000000004
    assert (last.year, str(last.total), plural_count(last.total)) == (2026, "2", 2)
    assert str(exact_hours(1.5)) == "1.5" and plural_count(exact_hours(1.0)) == 1


def test_the_widest_certificate_number_stays_on_one_line_in_the_list():
    """A number is read and typed by an auditor: it never wraps in its column (Crockford's
    alphabet has W and M; found by a run that drew one)."""
    from bot.files.cpd_record import cpd_record_pdf
    from bot.i18n import Translator
    from domain.cpd_hours import YearOfHours

    numbers = ("KDR-WWWW-WWWW-WWWW-WWWW", "KDR-MMMM-MMMM-MMMM-MMMM")
    evenings = tuple(
        CertifiedEvening(number, datetime(2027, 1, 9 + i, 17, tzinfo=UTC), "Holz im Hochhaus", 2)
        for i, number in enumerate(numbers)
    )
    pdf = cpd_record_pdf(
        Translator.load(), YearOfHours(2027, evenings), [], "de", ZoneInfo("Europe/Berlin")
    )
    listing = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for number in numbers:
        assert number in listing, (number, listing)
