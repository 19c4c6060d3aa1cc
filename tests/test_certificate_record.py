"""Issue 24: the certificate an auditor accepts. The PDF itself (read back with pypdf, its QR
code read back from the embedded image), names in every script, the verification page over real
HTTP, and the Fortbildungsstunden in the JSON-LD. Every test here fails on 082e99c (the commit
before the issue's first one): the certificate was a note with a button, without a number."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import segno
from pypdf import PdfReader

from bot.callbacks import Action, pack
from bot.files.certificate import certificate_pdf
from bot.files.certificate_fonts import installed_fonts, printable_name
from bot.i18n import Translator
from bot.sending.sender import drain_outbox
from domain.certificate_number import format_number, normalise_number
from domain.evening import end_of
from handlers.notices.certificates import PLANNER, plan_certificates
from storage import attendees as attendee_store
from storage import certificates as certificate_store
from storage import privacy as privacy_store
from tests.conftest import ADMIN_ID, make_event
from tests.outbox_support import sign_up
from tests.test_certificate import sample_data
from tests.web_support import json_ld, served

NUMBER = re.compile(
    r"KDR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"
)


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _qr_matches(pdf: bytes, url: str) -> bool:
    """The page's one image is the QR code of ``url``, module by module."""
    [image] = _reader(pdf).pages[0].images
    picture = image.image.convert("L")
    matrix = segno.make(url, error="m").matrix
    scale = picture.width / len(matrix)
    return all(
        (picture.getpixel((int((c + 0.5) * scale), int((r + 0.5) * scale))) < 128) == bool(dark)
        for r, row in enumerate(matrix)
        for c, dark in enumerate(row)
    )


# -- the number ---------------------------------------------------------------------------


def test_numbers_carry_80_bits_in_crockford_groups_and_read_back_in_any_case():
    assert format_number(0) == "KDR-0000-0000-0000-0000"
    assert format_number((1 << 80) - 1) == "KDR-ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    number = format_number(0x1234_5678_9ABC_DEF0_1234)
    assert NUMBER.fullmatch(number)
    assert normalise_number(number.lower()) == number
    assert normalise_number(number.replace("-", "")) == number
    assert normalise_number("kdr-0ooo-1ili-0000-0000") == "KDR-0000-1111-0000-0000"
    for bad in ("KDR-0000", "ABC-0000-0000-0000-0000", "KDR-UUUU-0000-0000-0000", ""):
        assert normalise_number(bad) is None
    with pytest.raises(ValueError):
        format_number(1 << 80)


# -- bullet 1: the document ---------------------------------------------------------------


def test_one_a4_page_with_everything_an_audit_asks_for():
    data = sample_data(hours=1.5, speakers=("Ilona Schaal", "Dr. Jürgen Weiß-Öztürk"))
    pdf = certificate_pdf(Translator.load(), data, "de", _berlin())
    reader = _reader(pdf)
    [page] = reader.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = _flat(_text(pdf))
    for part in (
        "Träger: Architektenkammer Baden-Württemberg",
        "Teilnahmebescheinigung",
        "Hiermit wird bestätigt, dass Jürgen Weiß-Öztürk",
        "„Umbau statt Neubau“ – Ideen",
        "Inhalt: Wie wir mit dem Bestand bauen.",
        "Referent:innen: Ilona Schaal, Dr. Jürgen Weiß-Öztürk",
        "Datum: 10.03.2027, 18:30–20:30 Uhr",
        "Ort: Haus der Architektinnen und Architekten, Danneckerstraße 54, 70182 Stuttgart",
        "Umfang: 1,5 Fortbildungsstunden",
        "Ausgestellt am 10.03.2027",
        "Bescheinigungsnummer: KDR-7F3Q-9XKM-2ZRA-C04D",
        "Elektronisch erstellt – Echtheit prüfbar unter "
        "https://termine.example.org/bescheinigung/KDR-7F3Q-9XKM-2ZRA-C04D",
    ):
        assert part in text, (part, text)
    assert " in Haus " not in text
    assert _qr_matches(pdf, data.verify_url)
    info = reader.metadata
    assert "Teilnahmebescheinigung" in info.title and "Umbau statt Neubau" in info.title
    assert info.author == "Architektenkammer Baden-Württemberg"
    assert reader.trailer["/Root"]["/Lang"] == "de"
    english = _flat(_text(certificate_pdf(Translator.load(), data, "en", _berlin())))
    assert "Date: March 10, 2027, 6:30 PM – 8:30 PM" in english.replace("\u202f", " ")
    assert "1.5 hours of professional development" in english


def _berlin():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


async def test_sent_as_the_pdf_within_a_minute_of_the_end_and_withdrawn_when_undone(
    bot, clock, add_events
):
    assert PLANNER.every <= 60  # the planner runs at least once a minute
    event = make_event(cpd_hours=2.0)
    await add_events(event)
    first = (await sign_up(bot, clock, 1)).registration
    late = (await sign_up(bot, clock, 2)).registration
    clock.set(event.starts_at + timedelta(minutes=5))
    await attendee_store.check_in(bot.data.db, first.id, clock.now())
    clock.set(end_of(event) - timedelta(seconds=1))
    assert await plan_certificates(bot.app.bot_data) == 0  # not before the end
    clock.set(end_of(event))
    assert await plan_certificates(bot.app.bot_data) == 1  # at the end
    await drain_outbox(bot.app)
    [sent] = bot.api.messages(1)
    assert sent.document is not None and sent.document.filename.endswith(".pdf")
    text = _flat(_text(sent.document.content))
    assert "Person 1" in text and "Umfang: 2 Fortbildungsstunden" in text
    assert "Datum: 09.12.2026, 18:30–21:00 Uhr" in text
    number = NUMBER.search(text).group()
    assert (
        f"http://localhost:0/bescheinigung/{number}" in text or "/bescheinigung/" + number in text
    )

    clock.advance(timedelta(minutes=10))  # checked in late, after the end
    await attendee_store.check_in(bot.data.db, late.id, clock.now(), anyway=True)
    assert await plan_certificates(bot.app.bot_data) == 1
    await drain_outbox(bot.app)
    [late_pdf] = bot.api.messages(2)
    assert "Person 2" in _text(late_pdf.document.content)

    await attendee_store.undo_check_in(bot.data.db, first.id)  # a mis-tap at the door
    await plan_certificates(bot.app.bot_data)
    assert (await certificate_store.check_number(bot.data.db, number)).verdict == "withdrawn"
    [mine] = await bot.user(1).send("/meine")
    assert "Teilnahmebescheinigung" not in " ".join(mine.button_labels)
    await bot.user(1).press_data(pack(Action.CERTIFICATE, first.id), mine)
    assert bot.api.callback_answers[-1].show_alert
    await drain_outbox(bot.app)
    assert len(bot.api.messages(1)) == 2  # /meine only: no second PDF


async def test_organisers_are_told_at_once_when_nobody_was_checked_in(bot, clock, add_events):
    event = make_event(cpd_hours=2.0)
    plain = make_event("ohne", days=14.1)  # no cpd_hours: nothing to tell
    await add_events(event, plain)
    await sign_up(bot, clock, 1)
    clock.set(end_of(plain) + timedelta(seconds=30))
    for _ in range(2):  # told once
        await plan_certificates(bot.app.bot_data)
        await drain_outbox(bot.app)
    [told] = bot.api.messages(ADMIN_ID)
    assert "niemand wurde eingecheckt" in told.text and "Umbau statt Neubau" in told.text
    assert told.button_labels == ["✅ Einlassliste"]
    [checkin_list] = await bot.user(ADMIN_ID).press("✅ Einlassliste", told)
    assert any("Person 1" in label for label in checkin_list.button_labels)


# -- bullet 2: names in every script ------------------------------------------------------

SCRIPTS = {
    "Turkish": "Şükrü Öztürk-Ağaoğlu",
    "Vietnamese": "Nguyễn Thị Minh Khai",
    "Polish": "Łukasz Żółć",
    "Greek": "Γιώργος Παπαδόπουλος",
    "Cyrillic": "Пётр Ильич Чайковский",
    "Arabic": "محمد عبد الله",
    "Chinese": "山田 太郎",
    "Korean": "김민준",
}


def _have(font_family: str) -> bool:
    return any(face.family == font_family for face in installed_fonts())


@pytest.mark.parametrize("script", SCRIPTS)
def test_names_print_as_written_in_every_script(script):
    name = SCRIPTS[script]
    if script == "Arabic" and not _have("DejaVuSans"):
        pytest.skip("fonts-dejavu-core is not installed (make fonts)")
    if script in {"Chinese", "Korean"} and not _have("NotoSansCJK"):
        pytest.skip("fonts-noto-cjk is not installed (make fonts)")
    assert printable_name(name) == name
    pdf = certificate_pdf(Translator.load(), sample_data(name=name), "de", _berlin())
    text = _text(pdf)
    if script == "Arabic":  # shaped right to left: each word comes back whole
        line = next(line for line in text.splitlines() if "محمد" in line)
        assert sorted(line.split()) == sorted(name.split())
    elif script in {"Chinese", "Korean"}:
        # Glyph by glyph: spacing is the reader's guess, and pypdf reads this font's two-byte
        # codes as NUL plus the character (the content stream and ToUnicode map are right).
        assert "".join(name.split()) in "".join(text.replace("\x00", "").split())
    else:
        assert name in text.splitlines()


def test_a_script_without_its_font_is_unprintable_and_an_emoji_is_dropped():
    without_cjk = tuple(face for face in installed_fonts() if face.family != "NotoSansCJK")
    assert printable_name("山田 太郎", without_cjk) is None
    assert printable_name("Anna 山田", without_cjk) is None  # never half a name
    latin_only = tuple(face for face in installed_fonts() if face.family == "SourceSans")
    assert printable_name("محمد عبد الله", latin_only) is None
    assert printable_name("Łukasz Żółć", latin_only) == "Łukasz Żółć"
    assert printable_name("Anna 🏗️ Bau") == "Anna Bau"
    assert printable_name("Anna 👩🏽‍💻 Bau") == "Anna Bau"
    assert printable_name("🏗️") is None  # nothing left to print
    text = _text(certificate_pdf(Translator.load(), sample_data(name="Anna Bau"), "de", _berlin()))
    assert "Anna Bau" in text.splitlines()


# -- bullet 3: verification ---------------------------------------------------------------


async def test_the_verification_page_says_valid_replaced_withdrawn_deleted_or_unknown(
    bot, clock, add_events
):
    event = make_event(cpd_hours=1.5)
    await add_events(event)
    people = {n: (await sign_up(bot, clock, n)).registration for n in (1, 2, 3)}
    clock.set(event.starts_at + timedelta(minutes=5))
    for registration in people.values():
        await attendee_store.check_in(bot.data.db, registration.id, clock.now())
    clock.set(end_of(event) + timedelta(seconds=1))
    await plan_certificates(bot.app.bot_data)
    numbers = {}
    for n, registration in people.items():
        record = await certificate_store.certificate_for(bot.data.db, registration.id, clock.now())
        numbers[n] = record.number

    def rename(conn, now):
        conn.execute("UPDATE registrations SET name = 'Person Eins' WHERE user_id = 1")
        return certificate_store.reissue_for_name_change(conn, 1, now)

    [renewed] = await bot.data.db.write(rename, clock.now())
    assert renewed != numbers[1] and NUMBER.fullmatch(renewed)
    await attendee_store.undo_check_in(bot.data.db, people[2].id)
    await plan_certificates(bot.app.bot_data)
    await privacy_store.delete_person(bot.data.db, 3, clock.now())
    await drain_outbox(bot.app)
    [*_, reissued] = bot.api.messages(1)
    assert "Person Eins" in _text(reissued.document.content)
    assert renewed in _text(reissued.document.content)

    async with served(bot) as web:
        valid = await web.get(f"/bescheinigung/{renewed.lower()}")
        replaced = await web.get(f"/bescheinigung/{numbers[1]}")
        withdrawn = await web.get(f"/bescheinigung/{numbers[2].replace('-', '')}")
        deleted = await web.get(f"/bescheinigung/{numbers[3]}")
        unknown = await web.get("/bescheinigung/KDR-0000-0000-0000-0000")
        garbage = await web.get("/bescheinigung/nonsense")
        english = await web.get(f"/bescheinigung/{renewed}?lang=en")
        robots = await web.get("/robots.txt")
    page = valid.text
    assert valid.status_code == 200 and "Gültig" in page
    for part in (
        "<dd>Person Eins</dd>",
        "<dd>Umbau statt Neubau</dd>",
        "9. Dezember 2026",
        "<dd>1,5 Fortbildungsstunden</dd>",
        "<dd>Architektenkammer Baden-Württemberg</dd>",
        renewed,
    ):
        assert part in page, part
    assert "Ersetzt" in replaced.text and "Person" not in replaced.text
    assert "Zurückgezogen" in withdrawn.text and "Person 2" not in withdrawn.text
    assert "Nicht mehr gespeichert (gelöscht)" in deleted.text
    assert "Person 3" not in deleted.text
    assert unknown.status_code == 404 and "Unbekannt" in unknown.text
    assert garbage.status_code == 404 and "Unbekannt" in garbage.text
    assert "Valid" in english.text and "Event" in english.text
    for response in (valid, replaced, withdrawn, deleted, unknown, english):
        assert response.headers["X-Robots-Tag"].startswith("noindex")
        assert response.headers["Cache-Control"] == "no-store"
    assert "Disallow: /bescheinigung/" in robots.text.splitlines()


# -- bullet 7: JSON-LD --------------------------------------------------------------------


async def test_json_ld_names_the_fortbildungsstunden(bot, add_events):
    await add_events(make_event(cpd_hours=1.5), make_event("ohne", days=20))
    async with served(bot) as web:
        [counted] = json_ld((await web.get("/termine/umbau-2026")).text)
        [plain] = json_ld((await web.get("/termine/ohne")).text)
    assert "1,5 Fortbildungsstunden" in counted["description"]
    assert counted["description"].startswith("Wie wir mit dem Bestand bauen.")
    assert "Fortbildung" not in plain["description"]


async def test_a_name_no_font_can_print_is_caught_when_it_is_given(bot, add_events):
    """Bullet 2: the sign-up asks for a printable spelling instead of storing a name that
    would print blank (Ethiopic: no embedded font has it); an emoji alone is no reason."""
    from tests.signup_support import open_card

    await add_events(make_event(cpd_hours=2.0))
    user = bot.user(8)
    await user.press("Anmelden", await open_card(user))
    for unprintable in ("አበበ ቢቂላ", "Abebe ቢቂላ"):
        [hint] = await user.send(unprintable)
        assert "nicht drucken" in hint.text, unprintable
    [done, *_] = await user.send("Anna 🏗️ Bau")
    assert "Anna 🏗️ Bau" in done.text  # stored as written; the certificate drops the emoji
    assert printable_name("Anna 🏗️ Bau") == "Anna Bau"


async def test_cpd_hours_added_later_asks_who_signed_up_under_an_unprintable_name(
    bot, clock, add_events
):
    from storage import registrations as registration_store
    from storage import users as user_store

    await add_events(make_event())  # no cpd_hours yet
    for user_id, name in ((1, "አበበ ቢቂላ"), (2, "Şükrü Öztürk")):
        await user_store.ensure_user(bot.data.db, user_id, "de", clock.now())
        await registration_store.sign_up(bot.data.db, "umbau-2026", user_id, name, clock.now())
    await plan_certificates(bot.app.bot_data)
    await drain_outbox(bot.app)
    assert bot.api.messages(1) == []  # no certificate, no reason to ask
    await add_events(make_event(cpd_hours=2.0))  # the organisers add the hours
    for _ in range(2):  # asked once
        await plan_certificates(bot.app.bot_data)
        await drain_outbox(bot.app)
    [asked] = bot.api.messages(1)
    assert "nicht drucken" in asked.text and "Name ändern" in asked.text
    assert bot.api.messages(2) == []
