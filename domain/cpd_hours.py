"""Fortbildungsnachweis (PRODUCT §4): a person's Fortbildungsstunden per calendar year, summed
from their valid certificates (the hours each certificate states, exactly as the evening's
``cpd_hours`` were when it was issued; never recomputed from the times). The year is the
evening's, in the series' time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CertifiedEvening:
    """One valid certificate as the yearly record lists it."""

    number: str
    starts_at: datetime
    title: str
    hours: float


@dataclass(frozen=True, slots=True)
class YearOfHours:
    """The certificates of one calendar year, in the order of the evenings, and their total."""

    year: int
    evenings: tuple[CertifiedEvening, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the hours as stated (decimal, so 0.5 + 1.5 + 1.2 is 3.2, not 3.19999)."""
        return sum((exact_hours(evening.hours) for evening in self.evenings), Decimal(0))


def exact_hours(hours: float) -> Decimal:
    """Hours as the organisers typed them (1.5, 2): the shortest decimal of the float."""
    value = Decimal(repr(hours))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def hours_by_year(evenings: Iterable[CertifiedEvening], tz: tzinfo) -> list[YearOfHours]:
    """The certified evenings grouped by the calendar year (in ``tz``) they took place in,
    latest year first, each year's evenings by date."""
    years: dict[int, list[CertifiedEvening]] = {}
    for evening in evenings:
        years.setdefault(evening.starts_at.astimezone(tz).year, []).append(evening)
    return [
        YearOfHours(year, tuple(sorted(years[year], key=lambda e: (e.starts_at, e.number))))
        for year in sorted(years, reverse=True)
    ]


def plural_count(hours: Decimal) -> int | Decimal:
    """What picks the plural form of "Fortbildungsstunde(n)": an integer for whole hours (so
    1 is singular), else the decimal itself (1,5 is plural in both languages)."""
    return int(hours) if hours == hours.to_integral_value() else hours
