"""Addresses split into schema.org PostalAddress parts (PRODUCT §8), tolerant of other forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.reading.postal_address import PostalAddress, parse_postal_address


@pytest.mark.parametrize(
    ("written", "parsed"),
    [
        (
            "Danneckerstraße 54, 70182 Stuttgart",
            PostalAddress("Danneckerstraße 54", "70182", "Stuttgart"),
        ),
        (
            "Danneckerstraße 54\n70182 Stuttgart",
            PostalAddress("Danneckerstraße 54", "70182", "Stuttgart"),
        ),
        (
            "Haus der Architekten, Danneckerstraße 54, D-70182 Stuttgart, Deutschland",
            PostalAddress("Haus der Architekten, Danneckerstraße 54", "70182", "Stuttgart"),
        ),
        ("79098 Freiburg im Breisgau", PostalAddress(None, "79098", "Freiburg im Breisgau")),
        ("Schlossplatz 1, Stuttgart", PostalAddress("Schlossplatz 1, Stuttgart")),
        (
            "10 Downing Street, London SW1A 2AA",
            PostalAddress("10 Downing Street, London SW1A 2AA"),
        ),
        ("Am Markt 12345", PostalAddress("Am Markt 12345")),
    ],
)
def test_parts_of_an_address(written, parsed):
    assert parse_postal_address(written) == parsed


@given(st.text())
def test_nothing_is_invented_and_an_unread_address_stays_whole(text):
    parsed = parse_postal_address(text)
    flat = " ".join(text.split())
    for part in (parsed.street, parsed.postal_code, parsed.locality):
        assert part is None or part in flat
    if parsed.postal_code is None:
        assert parsed.street == (flat or None) and parsed.locality is None
