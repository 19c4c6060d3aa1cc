"""Message catalogues: every user-facing text is a message id in ``bot/locales/<lang>/*.po``.

The ``.po`` files are read with Babel at start-up (no compile step). Each feature keeps its own
file per language (``browsing.po``, ``signup.po``, …); together they form one catalogue per
language. Texts are :class:`markupsafe.Markup`: a value put into a text, or a plain ``str``
joined to one, is escaped by its type, so user text can never reach a formatted message
unescaped; Telegram reads the numeric entities markupsafe writes for quotes.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from markupsafe import Markup

# What picks a plural form: a number of things, or hours such as 1.5 (Babel's rules take decimals).
Count = int | Decimal

LANGUAGES = ("de", "en")
LOCALES_DIR = Path(__file__).parent / "locales"


def resolve_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The user's choice, else their Telegram language (``de-AT`` → ``de``), else the default."""
    if chosen in LANGUAGES:
        return chosen
    if telegram_code:
        base = telegram_code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


@dataclass(frozen=True, slots=True)
class _Entry:
    forms: tuple[str, ...]  # one form, or [one, other] for plurals


class Translator:
    """All catalogues, loaded once; ``text(lang, key, **values)`` renders one message."""

    def __init__(self, catalogues: Mapping[str, Mapping[str, _Entry]]):
        self._catalogues = catalogues
        self._locales = {lang: Locale.parse(lang) for lang in catalogues}

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Translator:
        """Read every ``<lang>/*.po`` file below ``directory``."""
        catalogues: dict[str, dict[str, _Entry]] = {}
        for lang in LANGUAGES:
            entries: dict[str, _Entry] = {}
            for po_file in sorted((directory / lang).glob("*.po")):
                with po_file.open("rb") as handle:
                    catalog = read_po(handle, locale=lang)
                for message in catalog:
                    if not message.id:
                        continue
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string  # a plural's forms come as a tuple
                    forms = (text,) if isinstance(text, str) else tuple(text or ())
                    if key in entries:
                        raise ValueError(f"{po_file}: message id {key!r} defined twice")
                    entries[key] = _Entry(tuple(forms))
            catalogues[lang] = entries
        return cls(catalogues)

    def keys(self, lang: str) -> set[str]:
        """Message ids of one language (tests compare the languages with it)."""
        return set(self._catalogues[lang])

    def raw(self, lang: str, key: str, count: Count | None = None) -> str:
        """The untranslated-placeholder template of a message (falls back to German)."""
        entry = self._catalogues.get(lang, {}).get(key) or self._catalogues["de"].get(key)
        if entry is None or not entry.forms[0]:
            raise KeyError(f"missing message id {key!r} for language {lang!r}")
        if count is None or len(entry.forms) == 1:
            return entry.forms[0]
        form = self._locales.get(lang, self._locales["de"]).plural_form(count)
        return entry.forms[0] if form == "one" else entry.forms[-1]

    def text(self, lang: str, key: str, count: Count | None = None, **values: object) -> Markup:
        """Render message ``key`` in ``lang`` as safe HTML: the catalogue text is markup, every
        value that is not already :class:`~markupsafe.Markup` is escaped (``count`` picks the
        plural form and is available as ``{count}``)."""
        template = self.raw(lang, key, count)
        if count is not None:
            values.setdefault("count", count)
        return Markup(template).format_map(values)

    def plain(self, lang: str, key: str, count: Count | None = None, **values: object) -> str:
        """Render a message as plain text, values unescaped: for button labels and other places
        Telegram shows verbatim (never for ``parse_mode=HTML`` texts)."""
        template = self.raw(lang, key, count)
        if count is not None:
            values.setdefault("count", count)
        return template.format_map({name: str(v) for name, v in values.items()})

    def placeholders(self, lang: str, key: str) -> set[str]:
        """Names used as ``{name}`` in a message (tests check both languages agree)."""
        entry = self._catalogues[lang][key]
        return {
            field
            for form in entry.forms
            for _, field, _, _ in string.Formatter().parse(form)
            if field
        }
