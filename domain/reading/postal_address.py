"""An address as organisers write it ("Danneckerstraße 54, 70182 Stuttgart") split into the
parts of a schema.org ``PostalAddress``, so that search engines read the town and postcode."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "<street>, <5-digit postcode> <town>", the postcode optionally as "D-70182" or "DE-70182".
_GERMAN = re.compile(
    r"^(?:(?P<street>.*\S)\s*[,\n]\s*)?(?:DE?-)?(?P<code>\d{5})\s+(?P<town>[^\d,\n][^,\n]*?)"
    r"(?:\s*,\s*(?:Deutschland|Germany|DE))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """The parts of an address; what could not be told apart stays in ``street``."""

    street: str | None
    postal_code: str | None = None
    locality: str | None = None


def parse_postal_address(text: str) -> PostalAddress:
    """Street, postcode and town of a German address written on one or two lines.

    Tolerant: anything else (no postcode, a foreign form) is kept whole as the street, never
    guessed at, so nothing the organiser wrote is lost."""
    written = " ".join(text.split())
    found = _GERMAN.match(text.strip().replace("\r\n", "\n"))
    if found is None:
        return PostalAddress(street=written or None)
    street = " ".join(found["street"].split()) if found["street"] else None
    return PostalAddress(
        street=street, postal_code=found["code"], locality=" ".join(found["town"].split())
    )
