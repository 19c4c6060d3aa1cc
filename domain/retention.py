"""The records behind certificates of attendance, and how long personal data is kept (PRODUCT
§2, §5, §6): everything personal about an evening goes ``DATA_RETENTION_DAYS`` after it, except
these records, which the chamber's audit needs for years (and which an evening's Meldeliste
lists for the chamber's Fortbildung department).

The chamber audits a sample of its members months after a year ends (for 2024 in April 2025),
so a member must be able to prove an evening's Fortbildungsstunden until well after its year:
the record (Telegram user id, name, evening, hours, check-in, certificate number) is kept until
31 December of the evening's year plus ``CPD_RETENTION_YEARS``, in the local time zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from domain.models import Event, Registration, RegistrationStatus


def offers_meldeliste(event: Event) -> bool:
    """Whether organisers get a Meldeliste of this evening: it counts for professional
    development (``cpd_hours``), so its checked-in attendees get certificates."""
    return event.cpd_hours is not None


def is_certificate_record(event: Event, registration: Registration, certified: bool) -> bool:
    """Whether this sign-up stands behind a certificate of attendance: one was issued and is
    valid (``certified``), or the evening counts for professional development (``cpd_hours``)
    and the person held a seat and was checked in (its certificate is due)."""
    return certified or (
        event.cpd_hours is not None
        and registration.status is RegistrationStatus.CONFIRMED
        and registration.checked_in_at is not None
    )


def certificate_record_kept_until(starts_at: datetime, tz: tzinfo, years: int) -> datetime:
    """The first moment the certificate records of an evening starting at ``starts_at`` may go:
    1 January, 00:00 local time, after 31 December of the evening's (local) year + ``years``.
    An evening in January 2027 with 3 years: kept through 2030, gone from 1 January 2031."""
    if years < 0:
        raise ValueError("CPD_RETENTION_YEARS cannot be negative")
    return datetime(starts_at.astimezone(tz).year + years + 1, 1, 1, tzinfo=tz)


def certificate_record_expired(starts_at: datetime, tz: tzinfo, years: int, now: datetime) -> bool:
    """Whether the certificate records of the evening starting at ``starts_at`` are past their
    keeping period at ``now`` (``DATA_RETENTION_DAYS`` applies on top: whichever is later)."""
    return now >= certificate_record_kept_until(starts_at, tz, years)
