"""Waitlist offers near the evening (PRODUCT §4, Waitlist): a seat that frees up close to the
start is *offered* for a while instead of given, so that it goes to someone who will come.

The rules, as pure functions the storage transactions ask inside their ``BEGIN IMMEDIATE``:
how a freed seat is handled at a moment (given directly, offered to the next person, or to
everyone waiting at once within the last hold), when an offer is sent and until when it stands
(the night rule, never past the start), who gets it next, and whether a press on "Platz
nehmen" / "Nein danke" still counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.evening import has_begun
from domain.models import Event, EventStatus, Registration, RegistrationStatus

# No offer is sent between these local times; one falling due then goes out at NIGHT_ENDS.
NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(8, 0)


@dataclass(frozen=True, slots=True)
class OfferRules:
    """The settings behind offers: ``window`` (``WAITLIST_OFFER_WINDOW``; zero: every freed seat
    is given directly), ``hold`` (``WAITLIST_OFFER_HOLD``) and the zone the night is read in."""

    window: timedelta
    hold: timedelta
    tz: ZoneInfo


class SeatMode(StrEnum):
    """What becomes of a freed seat at a moment."""

    GIVE = "give"  # moved up directly, as outside the window
    OFFER = "offer"  # offered to the next person waiting, for the hold
    EVERYONE = "everyone"  # within the last hold: offered to everyone waiting, first tap wins


class OfferStatus(StrEnum):
    OPEN = "open"  # sent (or waiting for the morning), not yet answered
    ACCEPTED = "accepted"
    DECLINED = "declined"  # "Nein danke": off this evening's waitlist
    EXPIRED = "expired"  # silence until the hold ended: passed on, they keep their place
    TAKEN = "taken"  # someone else took the seat first (everyone was offered it)
    VOID = "void"  # the evening was cancelled or began, or they left the waitlist


@dataclass(frozen=True, slots=True)
class SeatPlan:
    """How a seat freed at a moment is handled: ``mode``, and for an offer when it is sent
    (``opens_at``, after the night) and until when it stands (``expires_at``)."""

    mode: SeatMode
    opens_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SeatOffer:
    """One offer of a freed seat to one waitlisted sign-up."""

    id: int
    event_id: str
    seat_id: int
    registration_id: int
    status: OfferStatus
    everyone: bool
    opens_at: datetime
    expires_at: datetime


class OfferRefusal(StrEnum):
    """Why "Platz nehmen" / "Nein danke" changes nothing now (each has a text)."""

    TAKEN = "taken"  # somebody else was quicker
    EXPIRED = "expired"  # the hold is over; the seat went on
    ANSWERED = "answered"  # already accepted or declined
    GONE = "gone"  # the evening was cancelled or began, or they left the waitlist


def sending_time(now: datetime, tz: ZoneInfo) -> datetime:
    """When an offer due at ``now`` is sent: at once, or at NIGHT_ENDS local time when ``now``
    falls in the night (22:00-08:00)."""
    local = now.astimezone(tz)
    if NIGHT_ENDS <= local.time() < NIGHT_STARTS:
        return now
    morning = local.date() if local.time() < NIGHT_ENDS else local.date() + timedelta(days=1)
    return datetime.combine(morning, NIGHT_ENDS, tzinfo=tz).astimezone(now.tzinfo)


def plan_seat(event: Event, now: datetime, rules: OfferRules) -> SeatPlan:
    """How a seat of ``event`` freed at ``now`` is handled.

    Outside ``window`` before the start (or with a zero window) it is given directly. Inside,
    it is offered from the sending time (the night rule) for ``hold``, never past the start;
    when the sending time already lies within the last ``hold``, to everyone waiting at once.
    An offer that could only go out after the start (a morning evening, a night seat) is not
    possible: the seat is given directly then, rather than wasted.
    """
    if rules.window <= timedelta(0) or event.starts_at - now > rules.window:
        return SeatPlan(SeatMode.GIVE)
    opens_at = sending_time(now, rules.tz)
    if opens_at >= event.starts_at:
        return SeatPlan(SeatMode.GIVE)
    expires_at = min(opens_at + rules.hold, event.starts_at)
    everyone = event.starts_at - opens_at <= rules.hold
    return SeatPlan(SeatMode.EVERYONE if everyone else SeatMode.OFFER, opens_at, expires_at)


def next_recipients(
    waiting: Sequence[int],
    offered_this_seat: Collection[int],
    holding_offer: Collection[int],
    everyone: bool,
) -> list[int]:
    """The waitlisted sign-ups (ids, in waitlist order) a seat is offered to now: the first one
    not yet offered this seat and holding no other offer, or with ``everyone`` all of them."""
    eligible = [r for r in waiting if r not in offered_this_seat and r not in holding_offer]
    return eligible if everyone else eligible[:1]


def is_due_to_expire(offer: SeatOffer, now: datetime) -> bool:
    """An open offer whose hold is over: it expires and the seat passes on."""
    return offer.status is OfferStatus.OPEN and offer.expires_at <= now


def may_answer(
    offer: SeatOffer | None,
    event: Event | None,
    registration: Registration | None,
    now: datetime,
) -> OfferRefusal | None:
    """``None`` when a press on the offer's "Platz nehmen" or "Nein danke" counts now: the offer
    stands, the hold is not over, the evening takes place and has not begun, and the person is
    still on its waitlist."""
    if offer is None or event is None or registration is None:
        return OfferRefusal.GONE
    if offer.status is OfferStatus.TAKEN:
        return OfferRefusal.TAKEN
    if offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
        return OfferRefusal.ANSWERED
    if offer.status is OfferStatus.EXPIRED:
        return OfferRefusal.EXPIRED
    if offer.status is not OfferStatus.OPEN:
        return OfferRefusal.GONE
    if event.status is not EventStatus.SCHEDULED or has_begun(event, now):
        return OfferRefusal.GONE
    if registration.status is not RegistrationStatus.WAITLISTED:
        return OfferRefusal.GONE
    if offer.expires_at <= now:
        return OfferRefusal.EXPIRED
    return None


def holder_sees(offer: SeatOffer, event: Event, registration: Registration, now: datetime) -> bool:
    """Whether /meine shows the offer with its "Platz nehmen": it has been sent (a night
    offer waits for 08:00) and a press would count now."""
    return offer.opens_at <= now and may_answer(offer, event, registration, now) is None


def offer_still_applies(
    offer: SeatOffer | None, event: Event | None, registration: Registration | None, now: datetime
) -> bool:
    """Whether a queued offer message is still worth sending when its turn comes (asked by its
    renderer): exactly while a press on it would count."""
    return may_answer(offer, event, registration, now) is None


def offer_summary(statuses: Sequence[OfferStatus]) -> tuple[int, int]:
    """For the organisers: how many offers were passed on (declined or left to expire) and how
    many taken, from the statuses of an evening's offers."""
    passed_on = sum(s in (OfferStatus.DECLINED, OfferStatus.EXPIRED) for s in statuses)
    taken = sum(s is OfferStatus.ACCEPTED for s in statuses)
    return passed_on, taken
