"""An evening at a moment: its phase, its seats, and the windows that follow from its times.

These are the definitions every screen, press and transaction uses: "the evening is over",
"still scheduled and upcoming", "sign-up is open" each exist here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.models import Event, EventStatus, SeatCounts

# An evening without an end in the program lasts this long (PRODUCT §4, Feedback).
DEFAULT_DURATION = timedelta(hours=2)
# A ticket is checked in from this long before the start until this long after the end;
# outside that window a scan is probably for another day and the organiser is warned.
CHECK_IN_EARLY = timedelta(hours=12)
CHECK_IN_LATE = timedelta(hours=6)


class Phase(StrEnum):
    """Where an evening stands at a moment, as a reader of its card needs to know it."""

    OPEN = "open"  # sign-up open, seats free (or no limit)
    FULL = "full"  # sign-up open, every seat taken: new sign-ups join the waitlist
    REGISTRATION_CLOSED = "registration_closed"  # before the start, after the deadline
    NO_REGISTRATION = "no_registration"  # capacity 0: the evening takes no sign-ups
    UNDER_WAY = "under_way"
    OVER = "over"  # it took place
    CANCELLED = "cancelled"


SIGN_UP_PHASES = frozenset({Phase.OPEN, Phase.FULL})


class Timed(Protocol):
    """Whatever has an evening's times: an :class:`Event`, or the organisers' figures of one."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime | None: ...


def end_of(event: Timed) -> datetime:
    """When the evening ends: its ``ends`` from the program, else start + two hours."""
    return event.ends_at or event.starts_at + DEFAULT_DURATION


def has_begun(event: Timed, now: datetime) -> bool:
    """The start has passed: no sign-up, no cancellation, no change notices any more."""
    return event.starts_at <= now


def is_over(event: Timed, now: datetime) -> bool:
    """The evening has ended (whatever its status): tickets and calendar files are moot."""
    return end_of(event) <= now


class Period(StrEnum):
    """Where an evening stands in time, whatever its seats: what the organisers' overviews
    sort by (the card's :class:`Phase` also knows seats and deadlines)."""

    UNDER_WAY = "under_way"
    UPCOMING = "upcoming"
    OVER = "over"  # ended (its ``ends``, else start + two hours), or cancelled and begun


def period(event: Timed, now: datetime, cancelled: bool = False) -> Period:
    """The evening's :class:`Period` at ``now``: an evening that ended at 21:00 is over at
    23:17, though it began the same day; a cancelled one is never under way."""
    if is_over(event, now) or (cancelled and has_begun(event, now)):
        return Period.OVER
    return Period.UNDER_WAY if has_begun(event, now) else Period.UPCOMING


def door_check_used(checked_in: int) -> bool:
    """Whether the door check was used for an evening: somebody was checked in. Only then
    can the statistics tell who did not come (no-shows); otherwise nobody was checked in."""
    return checked_in > 0


def is_upcoming(event: Event, now: datetime) -> bool:
    """Scheduled and not begun: the evenings reminders, notices and announcements are about."""
    return event.status is EventStatus.SCHEDULED and not has_begun(event, now)


def claims_cpd_hours(event: Event) -> bool:
    """Whether the evening is shown as counting for professional development (Fortbildung): it
    has ``cpd_hours`` and is not cancelled (a cancelled evening gives nobody hours)."""
    return bool(event.cpd_hours) and event.status is not EventStatus.CANCELLED


def seats_left(event: Event, counts: SeatCounts) -> int | None:
    """Free seats counted from the registrations; ``None`` when there is no limit. A seat on
    offer (domain.offers) is not free: it is reserved for the offer."""
    if event.capacity is None:
        return None
    return max(event.capacity - counts.confirmed - counts.offered, 0)


def closed_phase(event: Event, now: datetime) -> Phase | None:
    """Why sign-up is not open at ``now`` (cancelled, over, under way, no registration, past
    the deadline), from the evening alone; ``None`` while it is open (the seats then decide
    between open and full). Cancellation wins over every time-based phase."""
    if event.status is EventStatus.CANCELLED:
        return Phase.CANCELLED
    if is_over(event, now):
        return Phase.OVER
    if has_begun(event, now):
        return Phase.UNDER_WAY
    if event.capacity == 0:
        return Phase.NO_REGISTRATION
    if event.registration_deadline <= now:
        return Phase.REGISTRATION_CLOSED
    return None


def phase(event: Event, counts: SeatCounts, now: datetime) -> Phase:
    """The evening's phase at ``now``."""
    closed = closed_phase(event, now)
    if closed is not None:
        return closed
    return Phase.FULL if seats_left(event, counts) == 0 else Phase.OPEN


class SignUpAction(StrEnum):
    """What a press on an evening's sign-up button does now, which its label must say."""

    SIGN_UP = "sign_up"  # a seat is free (or there is no limit): "Anmelden"
    WAITLIST = "waitlist"  # every seat is taken: the press puts one on the waitlist
    VIEW = "view"  # no sign-up now (none at all, closed, begun, over, cancelled): only look


def sign_up_action(event: Event, counts: SeatCounts, now: datetime) -> SignUpAction:
    """The action behind the sign-up button (card, announcement, shared card) at ``now``: by
    the evening's phase, so that a full evening's button reads "Auf die Warteliste" and one
    without registration is only "Ansehen"."""
    current = phase(event, counts, now)
    if current is Phase.OPEN:
        return SignUpAction.SIGN_UP
    if current is Phase.FULL:
        return SignUpAction.WAITLIST
    return SignUpAction.VIEW


@dataclass(frozen=True, slots=True)
class CheckInWindow:
    """The stretch of time in which scanning a ticket of this evening checks someone in."""

    opens: datetime
    closes: datetime

    def contains(self, now: datetime) -> bool:
        """Whether ``now`` lies within the window (both ends included)."""
        return self.opens <= now <= self.closes


def check_in_window(event: Event) -> CheckInWindow:
    """From ``CHECK_IN_EARLY`` before the start to ``CHECK_IN_LATE`` after the end."""
    return CheckInWindow(event.starts_at - CHECK_IN_EARLY, end_of(event) + CHECK_IN_LATE)


def feedback_due_at(event: Event, delay: timedelta) -> datetime:
    """When the attendees of an evening are asked how it was: ``delay`` after its end."""
    return end_of(event) + delay


def next_phase_change(event: Timed, deadline: datetime, now: datetime) -> datetime | None:
    """The first moment after ``now`` at which the evening's phase changes by time alone (the
    sign-up ``deadline``, the start, the end); ``None`` once it is over. A page showing the
    evening is stale from then on."""
    upcoming = [moment for moment in (deadline, event.starts_at, end_of(event)) if moment > now]
    return min(upcoming, default=None)
