"""Finding a person by name as people type it at the door: case, accents and umlauts folded."""

from __future__ import annotations

import unicodedata

# "Müller" typed as "Mueller": the German transliterations, folded like the umlauts themselves.
_TRANSLITERATIONS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


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
