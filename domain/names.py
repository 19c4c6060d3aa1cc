"""Names of people: what makes a name one that shows, and finding a person by name as people
type it at the door (case, accents and umlauts folded)."""

from __future__ import annotations

import unicodedata

# Letters that Unicode counts as letters but that render as blank space (Hangul fillers, the
# halfwidth Hangul filler, the Braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

# "Müller" typed as "Mueller": the German transliterations, folded like the umlauts themselves.
_TRANSLITERATIONS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def has_visible_character(text: str) -> bool:
    """Whether ``text`` shows anything: at least one letter, digit, punctuation mark or symbol
    that is not a blank. Zero-width spaces, BOMs, lone combining marks and Hangul or Braille
    blanks alone would be a blank line in lists, CSV files and check-in buttons."""
    return any(
        unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LETTERS for char in text
    )


def folded(text: str) -> str:
    """``text`` casefolded, combining marks dropped, spaces collapsed: "Jürgen" -> "jurgen"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def _transliterated(text: str) -> str:
    for written, plain in _TRANSLITERATIONS:
        text = text.replace(written, plain)
    return text


def name_matches(name: str, query: str) -> bool:
    """Whether a typed ``query`` finds ``name``: a folded substring, with or without the
    "ae/oe/ue" spelling of umlauts."""
    wanted, candidate = folded(query), folded(name)
    if not wanted:
        return False
    return wanted in candidate or _transliterated(wanted) in _transliterated(candidate)
