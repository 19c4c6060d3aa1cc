"""The fonts a certificate is written in, and which names they can print (issue 24).

Every font comes from a package, embedded into the PDF (only the glyphs used), never fetched at
run time:

- Source Sans Pro (PyPI ``font-source-sans-pro``): Latin of every European language incl.
  Turkish and Vietnamese, Greek, Cyrillic; the face of all the certificate's own text.
- DejaVu Sans (Debian ``fonts-dejavu-core``): Arabic (shaped by fpdf2 with uharfbuzz) and
  whatever else of Latin, Greek and Cyrillic Source Sans lacks.
- Noto Sans CJK (Debian ``fonts-noto-cjk``, installed by the Makefile and the Dockerfile where
  apt can): Chinese, Japanese, Korean.

A font that is not installed is left out, and the names in its script count as unprintable
(:func:`printable_name` says so), so a certificate never prints a name blank.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

FONT_PACKAGE = "font_source_sans_pro"
MAIN = "SourceSans"  # the family of the certificate's own text, inside the PDF


@dataclass(frozen=True, slots=True)
class FontFile:
    """One face: its family name in the PDF, its style, where it is, which face of a
    collection (.ttc)."""

    family: str
    style: str
    path: Path
    index: int = 0


def _source_sans(style: str, name: str) -> FontFile | None:
    folder = files(FONT_PACKAGE) / "files"
    with as_file(folder / name) as path:  # a real file in an installed wheel
        return FontFile(MAIN, style, Path(path)) if Path(path).is_file() else None


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@cache
def installed_fonts() -> tuple[FontFile, ...]:
    """The faces found on this machine (looked for once per process), main font first, then
    the fallbacks in order."""
    candidates = [
        _source_sans("", "SourceSansPro-Regular.ttf"),
        _source_sans("B", "SourceSansPro-Bold.ttf"),
        FontFile("DejaVuSans", "", DEJAVU),
        FontFile("NotoSansCJK", "", NOTO_CJK),  # face 0: Japanese, with all Han and Hangul
    ]
    return tuple(font for font in candidates if font is not None and font.path.is_file())


@cache
def _characters(path: Path, index: int) -> frozenset[int]:
    """The code points a face has a glyph for (read once per process)."""
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@cache
def _covered(faces: tuple[FontFile, ...]) -> frozenset[int]:
    """The code points any of ``faces`` has."""
    return frozenset().union(*(_characters(face.path, face.index) for face in faces))


def _missing_is_decoration(char: str) -> bool:
    """A character no font has that may be dropped: an emoji or another symbol, a joiner."""
    category = unicodedata.category(char)
    return category in {"So", "Sk", "Cf", "Cs", "Co"} or _is_selector(char)


def printable_name(name: str, fonts: tuple[FontFile, ...] | None = None) -> str | None:
    """The name as the certificate prints it, or ``None`` when it cannot be printed as
    written: a letter none of the ``fonts`` has. A character no font has that is no letter
    (an emoji) is dropped, but only if the rest of the name is intact; spaces are tidied."""
    covered = _covered(installed_fonts() if fonts is None else fonts)
    kept: list[str] = []
    dropped = False  # the previous character was dropped: its variation selector goes too
    for char in name:
        if dropped and (_is_selector(char) or char == "\u200d"):
            continue
        dropped = False
        if ord(char) in covered or char.isspace():
            kept.append(char)
        elif _missing_is_decoration(char):
            dropped = True
        else:
            return None  # a letter (or digit) that would print blank
    result = " ".join("".join(kept).split())
    return result or None  # nothing left (an emoji alone): nothing to print


def _is_selector(char: str) -> bool:
    return 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def add_fonts(pdf: FPDF, text: str, fonts: tuple[FontFile, ...] | None = None) -> None:
    """Embed the main font and, as fallbacks with text shaping (Arabic joins, right to left),
    only those other ``fonts`` (default: the installed ones) that some character of ``text``
    needs: parsing a CJK collection takes seconds, most certificates need none of it."""
    faces = installed_fonts() if fonts is None else fonts
    main = frozenset().union(*(_characters(f.path, f.index) for f in faces if f.family == MAIN))
    wanted = {ord(char) for char in text if not char.isspace()} - main
    fallbacks: list[str] = []
    for face in faces:
        if face.family != MAIN:
            if not wanted & _characters(face.path, face.index):
                continue
            if face.family not in fallbacks:
                fallbacks.append(face.family)
        pdf.add_font(
            face.family, style=face.style, fname=face.path, collection_font_number=face.index
        )
        if face.family != MAIN:
            wanted -= _characters(face.path, face.index)
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_text_shaping(True)
