"""Issue 23 bullet 6 (texts): the catalogues read as one text, checked against docs/GLOSSARY.md.

Every rule here is mechanical: one word per thing (a table of forbidden variants, each with the
glossary's word), requests with "Sie" and no informal address, each language's command names,
plurals through Babel (no "(s)", "Person(en)", "Platz/Plätze", no number in front of a noun in
a text without plural forms), every message in the same file of both languages with the same
plural shape and placeholders. On 61def71 the word, "Sie", command, plural, glossary, one-hour
and zero-sign-up tests fail (stornieren/zurückziehen beside abmelden, "Veranstaltungskarte",
"für Eingecheckte", "Von 1 Zusagen", "Bitte eine ganze Zahl", /meine in English, "waiting
list" beside "waitlist", "dates" beside "events", "registration", "door list", "CPD", "1
Fortbildungsstunden", "0 sign-ups … were cancelled"); the shape and placeholder tests passed
there and guard what later entries add.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import Translator
from bot.render import Renderer
from bot.web.pages import PageTexts
from domain.models import SeatCounts
from testing.factories import NOW, make_event

LOCALES = Path(__file__).resolve().parent.parent / "bot" / "locales"


@dataclass(frozen=True)
class Entry:
    file: str
    key: str
    forms: tuple[str, ...]  # one form, or the plural forms
    plural: bool


def _load(lang: str) -> dict[tuple[str, str], Entry]:
    entries: dict[tuple[str, str], Entry] = {}
    for po_file in sorted((LOCALES / lang).glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string
            forms = (text,) if isinstance(text, str) else tuple(text or ())
            entries[po_file.name, key] = Entry(po_file.name, key, forms, message.pluralizable)
    return entries


CATALOGUES = {lang: _load(lang) for lang in ("de", "en")}


def _texts(lang: str) -> list[tuple[Entry, str]]:
    """Every form of every user-facing text (date patterns are not text)."""
    return [
        (entry, form)
        for entry in CATALOGUES[lang].values()
        if ".format." not in f".{entry.key}"
        for form in entry.forms
    ]


def _visible(form: str) -> str:
    """The words a reader sees: no tags, no placeholders, no commands (/teilnehmer, /abbrechen
    are command names, not words)."""
    form = re.sub(r"<[^>]+>", " ", form)
    form = re.sub(r"\{[^}]*\}", " ", form)
    return re.sub(r"(?<![\w.])/\w+", " ", form)


# (pattern, the glossary's word instead). Case-sensitive unless the pattern says (?i).
GERMAN_FORBIDDEN = [
    (r"(?i)\b(du|dich|dir|dein\w*|euch|euer|eure\w*)\b", "die Anrede mit „Sie“"),
    (r"\bReferent(en|in)?\b(?!:)", "Referent:innen / Referent:in"),
    (r"\bTeilnehmer(in|innen|n)?\b(?!:)", "Teilnehmende"),
    (r"\b(Organisator|Veranstalter)(in|innen|s)?\b", "Veranstaltende"),
    (r"\b(Empfänger|Abonnent)(n|in|innen)?\b(?!:)", "Empfänger:innen / Abonnent:innen"),
    (r"(?i)storn", "abmelden / Abmeldung / abgemeldet"),
    (r"Anmeldung[^.]{0,30}zurückzuziehen|Anmeldung[^.]{0,30}zurückziehen", "abmelden"),
    (r"\bVeranstaltung(en)?\b", "Termin (Veranstaltungsort, -reihe bleiben)"),
    (r"(?i)(Veranstaltungs|Termin)karte", "beim Termin"),
    (r"(?<!war der )\bAbend(e|s)?\b", "Termin („Wie war der Abend?“ bleibt)"),
    (r"Check-in-Liste", "Einlassliste"),
    (r"\bEingecheckte\b", "wer eingecheckt ist"),
    (r"(?i)\b(Knopf|Button)\b", "Schaltfläche"),
    (r"\blassen Sie es\b", "Mit /abbrechen verzichten Sie …"),
    (r"Anmeldefrist", "Anmeldeschluss"),
    (r"\bZusagen erschienen", "zugesagt / davon erschienen"),
]

ENGLISH_FORBIDDEN = [
    (r"(?i)\bwait(ing)? list\b", "waitlist"),
    (r"(?i)\bsignups?\b", "sign-up (noun) / sign up (verb)"),
    (r"(?i)\b(a|the|your|my|this|no) sign up\b", "sign-up (noun)"),
    (r"(?i)\bregist(ration|ered|er)\b", "sign-up / signed up"),
    (r"(?i)\bdates\b|\b(new|next) date\b", "events (a date is a day)"),
    (r"(?i)(?<!was the )\bevenings?\b", "event(s) (“How was the evening?” stays)"),
    (r"(?i)\badmission\b|\bdoor list\b", "check-in / check-in list"),
    (r"\bCPD\b", "(hours of) professional development"),
    (r"(?i)\bprogram\b", "programme"),
    (r"(?i)\borganiz", "organiser, organise (British spelling)"),
]

# Hand-made plurals: "Platz/Plätze", "Person(en)", "seat(s)", "1 Zusagen".
HANDMADE_PLURAL = re.compile(r"\w\((s|e|en|n|nen|innen|es)\)|\b(\w+)/\2(e|n|en|s)\b|Platz/Plätze")
# A number in front of a word in a text without plural forms ("{hours} Fortbildungsstunden"
# is wrong for 1 hour; "Teilnehmende: {count}" is a label and fine).
NUMBER_BEFORE_NOUN = re.compile(r"\{(count|hours)\} (?!Std\.|h\b)\w")


def _findings(lang: str, rules: list[tuple[str, str]]) -> list[str]:
    found = []
    for entry, form in _texts(lang):
        visible = _visible(form)
        for pattern, instead in rules:
            match = re.search(pattern, visible)
            if match:
                found.append(f"{entry.file} {entry.key}: {match.group(0)!r} -> {instead}")
    return found


def test_german_uses_one_word_per_thing_and_sie():
    assert _findings("de", GERMAN_FORBIDDEN) == []


def test_english_uses_one_word_per_thing():
    assert _findings("en", ENGLISH_FORBIDDEN) == []


def test_german_requests_are_sentences_with_sie():
    """A German request starts "Bitte …" and says whom it asks: "Bitte geben Sie …", never the
    bare "Bitte eine ganze Zahl." of a form."""
    found = []
    for entry, form in _texts("de"):
        for sentence in re.findall(r"(?:^|[.!?:\n–]\s*)(Bitte [^.!?\n]*)", _visible(form)):
            if not re.search(r"\bSie\b", sentence):
                found.append(f"{entry.file} {entry.key}: {sentence!r}")
    assert found == []


COMMANDS = {  # PRODUCT §4 and §5: each command in its language (/start, /admin, /checkin in both)
    "de": (
        "termine",
        "referenten",
        "meine",
        "abo",
        "datenschutz",
        "sprache",
        "hilfe",
        "abbrechen",
        "teilnehmer",
        "rundschreiben",
        "statistik",
        "fragen",
    ),
    "en": (
        "events",
        "speakers",
        "mine",
        "subscribe",
        "privacy",
        "language",
        "help",
        "cancel",
        "attendees",
        "broadcast",
        "stats",
        "questions",
    ),
}


@pytest.mark.parametrize(("lang", "other"), [("de", "en"), ("en", "de")])
def test_texts_name_the_commands_of_their_own_language(lang, other):
    """An English text sends people to /mine, not /meine (both work, but only one is listed)."""
    names = "|".join(COMMANDS[other])
    wrong = re.compile(rf"(?<![\w/])/({names})\b")
    found = [
        f"{entry.file} {entry.key}: {match.group(0)}"
        for entry, form in _texts(lang)
        for match in wrong.finditer(form)
    ]
    assert found == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_plurals_go_through_babel(lang):
    found = []
    for entry, form in _texts(lang):
        visible = re.sub(r"<[^>]+>", " ", form)
        if HANDMADE_PLURAL.search(_visible(form)):
            found.append(f"{entry.file} {entry.key}: hand-made plural in {form!r}")
        if not entry.plural and NUMBER_BEFORE_NOUN.search(visible):
            found.append(f"{entry.file} {entry.key}: a number before a noun needs plural forms")
    assert found == []


def test_every_message_is_in_the_same_file_of_both_languages_with_the_same_shape():
    de, en = CATALOGUES["de"], CATALOGUES["en"]
    assert sorted(set(de) ^ set(en)) == []
    differing = [key for key in de if de[key].plural != en[key].plural]
    assert differing == []
    empty = [
        key for lang in ("de", "en") for key, e in CATALOGUES[lang].items() if not all(e.forms)
    ]
    assert empty == []


def _fields(form: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(form) if field}


def test_placeholders_are_the_same_in_every_form_of_both_languages():
    """German and English name the same values, and no plural form names a value the other
    form lacks (the one-form may leave out what 1 says by itself: "eine Person", "abgesagt")."""
    found = []
    for key, de_entry in CATALOGUES["de"].items():
        en_entry = CATALOGUES["en"][key]
        de_all, en_all = _fields(de_entry.forms[-1]), _fields(en_entry.forms[-1])
        if de_all - {"count"} != en_all - {"count"}:
            found.append(f"{key}: de {sorted(de_all)} en {sorted(en_all)}")
        for entry, all_fields in ((de_entry, de_all), (en_entry, en_all)):
            if any(_fields(form) - {"count"} - all_fields for form in entry.forms):
                found.append(f"{key}: a form names a value the last form lacks")
    assert found == []


def test_glossary_names_every_forbidden_word_it_stands_for():
    """The table above and docs/GLOSSARY.md say the same: each glossary word the tests steer
    to is written down there."""
    glossary = (LOCALES.parent.parent / "docs" / "GLOSSARY.md").read_text(encoding="utf-8")
    for word in (
        "Termin",
        "Anmeldung",
        "abmelden",
        "Warteliste",
        "Teilnehmende",
        "Referent:innen",
        "Veranstaltende",
        "Einlass",
        "Einlassliste",
        "Fortbildungsstunden",
        "Ankündigung",
        "Rundschreiben",
        "Schaltfläche",
        "event",
        "sign-up",
        "sign up",
        "waitlist",
        "check-in list",
        "professional development",
        "announcement",
        "broadcast",
        "programme",
    ):
        assert word in glossary, word


@pytest.mark.parametrize(
    ("lang", "hours", "card", "page"),
    [
        ("de", 1, "Zählt für 1 Fortbildungsstunde –", "1 Fortbildungsstunde, mit"),
        ("de", 1.5, "Zählt für 1,5 Fortbildungsstunden –", "1,5 Fortbildungsstunden, mit"),
        ("de", 2, "Zählt für 2 Fortbildungsstunden –", "2 Fortbildungsstunden, mit"),
        ("en", 1, "Counts for 1 hour of professional", "1 hour, with"),
        ("en", 1.5, "Counts for 1.5 hours of professional", "1.5 hours, with"),
    ],
)
def test_the_hours_an_evening_counts_for_are_counted_by_babel(lang, hours, card, page):
    """On 61def71 one hour read "1 Fortbildungsstunden" on the card and the public page."""
    translator, berlin = Translator.load(), ZoneInfo("Europe/Berlin")
    event = make_event(cpd_hours=hours)
    assert card in Renderer(translator, lang, berlin).event_card(event, SeatCounts(), NOW)
    assert PageTexts(translator, lang, berlin).cpd_hours(event).startswith(page)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_deleting_with_no_upcoming_sign_up_does_not_count_zero_things(lang):
    """Issue 23's finding "0 sign-ups … were cancelled": Babel has no zero form in German or
    English, so the plural form is a label with the number after it."""
    text = Translator.load().plain(lang, "privacy.deleted", 0)
    assert not re.search(r"\b0 \w", text), text
    assert text.split(".")[1].strip().endswith(": 0")
