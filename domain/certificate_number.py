"""Certificate numbers (PRODUCT §4): ``KDR-`` and 16 Crockford base-32 characters in groups of
four, 80 random bits (``KDR-7F3Q-9XKM-2ZRA-C04D``). The randomness is an argument, so the rule
is tested without it; a number typed back (a QR link, a phone call) is read in any case, with or
without the hyphens, and with Crockford's look-alikes (I and L for 1, O for 0).
"""

from __future__ import annotations

from enum import StrEnum

PREFIX = "KDR"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
BITS = 80
LENGTH = BITS // 5  # 16 characters
GROUP = 4
_LOOK_ALIKES = {"I": "1", "L": "1", "O": "0"}


def format_number(bits: int) -> str:
    """The number for ``bits`` (0 ≤ bits < 2⁸⁰), e.g. from ``secrets.randbits(80)``."""
    if not 0 <= bits < 1 << BITS:
        raise ValueError("a certificate number carries exactly 80 bits")
    chars = [ALPHABET[(bits >> (5 * (LENGTH - 1 - i))) & 31] for i in range(LENGTH)]
    groups = ["".join(chars[i : i + GROUP]) for i in range(0, LENGTH, GROUP)]
    return "-".join([PREFIX, *groups])


def normalise_number(text: str) -> str | None:
    """The canonical form of a typed number, or ``None`` when it cannot be one."""
    compact = "".join(text.split()).upper().replace("-", "")
    if not compact.startswith(PREFIX):
        return None
    body = "".join(_LOOK_ALIKES.get(char, char) for char in compact[len(PREFIX) :])
    if len(body) != LENGTH or any(char not in ALPHABET for char in body):
        return None
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return format_number(value)


class Verification(StrEnum):
    """What ``/bescheinigung/<number>`` says about a number (PRODUCT §8)."""

    VALID = "valid"
    REPLACED = "replaced"  # "ersetzt": a corrected name got a new number
    WITHDRAWN = "withdrawn"  # "zurückgezogen": the check-in was taken back
    DELETED = "deleted"  # "nicht mehr gespeichert (gelöscht)"
    UNKNOWN = "unknown"


def verification_of(
    found: bool, replaced: bool, withdrawn: bool, holder_kept: bool
) -> Verification:
    """The verdict on a number: unknown unless found; a replacement or withdrawal is said even
    after the holder's data is gone; otherwise valid only while the holder's record is kept."""
    if not found:
        return Verification.UNKNOWN
    if replaced:
        return Verification.REPLACED
    if withdrawn:
        return Verification.WITHDRAWN
    return Verification.VALID if holder_kept else Verification.DELETED
