"""A person and an evening: where they stand, and what may be done now — or why not.

A screen offers exactly the actions :func:`offers` returns, and a press is decided by the
``may_*`` function of the same action, so what a screen offers is what a press does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.evening import Phase, check_in_window, closed_phase, has_begun, is_over, seats_left
from domain.models import Event, EventStatus, Registration, RegistrationStatus, SeatCounts


class StandingKind(StrEnum):
    NONE = "none"  # not signed up (or never)
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"  # they cancelled (or were removed)
    VOID = "void"  # signed up, but the evening was cancelled


@dataclass(frozen=True, slots=True)
class Standing:
    kind: StandingKind
    waitlist_position: int | None = None

    @property
    def is_active(self) -> bool:
        """Holds a seat or a place on the waitlist of an evening that takes place."""
        return self.kind in (
            StandingKind.CONFIRMED,
            StandingKind.WAITLISTED,
            StandingKind.CHECKED_IN,
        )


def standing(event: Event, registration: Registration | None) -> Standing:
    """Where the holder of ``registration`` stands for ``event``."""
    if registration is None:
        return Standing(StandingKind.NONE)
    if registration.status is RegistrationStatus.CANCELLED:
        return Standing(StandingKind.CANCELLED)
    if event.status is EventStatus.CANCELLED:
        return Standing(StandingKind.VOID)
    if registration.status is RegistrationStatus.WAITLISTED:
        return Standing(StandingKind.WAITLISTED, registration.waitlist_position)
    if registration.checked_in_at is not None:
        return Standing(StandingKind.CHECKED_IN)
    return Standing(StandingKind.CONFIRMED)


class Refusal(StrEnum):
    """Why an action is not possible now (each has a text in the catalogues)."""

    UNKNOWN_EVENT = "unknown_event"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_BEGUN = "event_begun"  # sign-up and cancellation end at the start
    EVENT_OVER = "event_over"
    NOT_CANCELLED = "not_cancelled"  # an organiser reactivates only a cancelled evening
    HAS_REGISTRATIONS = "has_registrations"  # an evening with sign-ups is cancelled, not deleted
    REGISTRATION_CLOSED = "registration_closed"
    NO_REGISTRATION = "no_registration"
    ALREADY_CONFIRMED = "already_confirmed"
    ALREADY_WAITLISTED = "already_waitlisted"
    NOT_SIGNED_UP = "not_signed_up"
    WAITLISTED = "waitlisted"  # no ticket, no check-in from the waitlist
    ALREADY_CANCELLED = "already_cancelled"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"
    OUTSIDE_CHECK_IN_WINDOW = "outside_check_in_window"
    NO_CERTIFICATE = "no_certificate"  # the evening counts for no professional development
    EVENT_NOT_OVER = "event_not_over"  # a certificate once the evening is over
    QUESTIONS_CLOSED = "questions_closed"  # questions close when the evening starts
    ALREADY_ASKED = "already_asked"  # one question per person and evening
    NO_QUESTION = "no_question"


def may_sign_up(event: Event, registration: Registration | None, now: datetime) -> Refusal | None:
    """``None`` when this person may sign up now; else why not. Signing up twice is refused
    as "already", which the bot answers as the harmless repeat it is."""
    if event.status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    if registration is not None and registration.status is RegistrationStatus.CONFIRMED:
        return Refusal.ALREADY_CONFIRMED
    if registration is not None and registration.status is RegistrationStatus.WAITLISTED:
        return Refusal.ALREADY_WAITLISTED
    closed = closed_phase(event, now)
    return None if closed is None else _CLOSED_REFUSALS[closed]


# Why a sign-up is refused, by the phase that closed it (the card shows the same phase).
_CLOSED_REFUSALS = {
    Phase.CANCELLED: Refusal.EVENT_CANCELLED,
    Phase.OVER: Refusal.EVENT_OVER,
    Phase.UNDER_WAY: Refusal.EVENT_BEGUN,
    Phase.NO_REGISTRATION: Refusal.NO_REGISTRATION,
    Phase.REGISTRATION_CLOSED: Refusal.REGISTRATION_CLOSED,
}


def may_cancel(event: Event, registration: Registration | None, now: datetime) -> Refusal | None:
    """``None`` when this person may give up their seat or waitlist place now."""
    if registration is None:
        return Refusal.NOT_SIGNED_UP
    if registration.status is RegistrationStatus.CANCELLED:
        return Refusal.ALREADY_CANCELLED
    if event.status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    if has_begun(event, now):
        return Refusal.EVENT_OVER if is_over(event, now) else Refusal.EVENT_BEGUN
    return None


def _holds_a_seat(event: Event, registration: Registration | None) -> Refusal | None:
    """``None`` when ``registration`` is a confirmed seat of an evening that takes place: what
    both a ticket and a check-in need."""
    if registration is None:
        return Refusal.NOT_SIGNED_UP
    if registration.status is RegistrationStatus.CANCELLED:
        return Refusal.ALREADY_CANCELLED
    if registration.status is RegistrationStatus.WAITLISTED:
        return Refusal.WAITLISTED
    if event.status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    return None


def may_show_ticket(
    event: Event, registration: Registration | None, now: datetime
) -> Refusal | None:
    """``None`` when this person has a ticket to show: confirmed, evening not cancelled or over."""
    refusal = _holds_a_seat(event, registration)
    if refusal is not None:
        return refusal
    if is_over(event, now):
        return Refusal.EVENT_OVER
    return None


def may_add_to_calendar(event: Event, now: datetime) -> Refusal | None:
    """A calendar file is offered for evenings still to come or under way."""
    if event.status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    if is_over(event, now):
        return Refusal.EVENT_OVER
    return None


def may_remove_from_calendar(event: Event, now: datetime) -> Refusal | None:
    """The calendar file that takes a cancelled evening out of people's calendars (``STATUS:
    CANCELLED`` with the raised ``SEQUENCE``) is sent while the evening is cancelled and not
    over; the card's calendar button stays refused for it (:func:`may_add_to_calendar`)."""
    if event.status is not EventStatus.CANCELLED:
        return Refusal.NOT_CANCELLED
    if is_over(event, now):
        return Refusal.EVENT_OVER
    return None


def may_check_in(
    event: Event, registration: Registration | None, now: datetime, anyway: bool = False
) -> Refusal | None:
    """``None`` when an organiser may check this registration in now. ``anyway``: the organiser
    confirmed a check-in outside the window (a ticket scanned on another day)."""
    refusal = _holds_a_seat(event, registration)
    if refusal is not None:
        return refusal
    assert registration is not None
    if registration.checked_in_at is not None:
        return Refusal.ALREADY_CHECKED_IN
    if not anyway and not check_in_window(event).contains(now):
        return Refusal.OUTSIDE_CHECK_IN_WINDOW
    return None


def may_undo_check_in(event: Event, registration: Registration | None) -> Refusal | None:
    """``None`` when a check-in can be taken back (a mis-tap at the door)."""
    if registration is None:
        return Refusal.NOT_SIGNED_UP
    if registration.checked_in_at is None:
        return Refusal.NOT_CHECKED_IN
    return None


def may_get_certificate(
    event: Event, registration: Registration | None, now: datetime
) -> Refusal | None:
    """``None`` when this person gets (again) the certificate of attendance of ``event``: it
    counts for professional development (``cpd_hours``), is over, and they were checked in."""
    refusal = _holds_a_seat(event, registration)
    if refusal is not None:
        return refusal
    assert registration is not None
    if event.cpd_hours is None:
        return Refusal.NO_CERTIFICATE
    if registration.checked_in_at is None:
        return Refusal.NOT_CHECKED_IN
    if not is_over(event, now):
        return Refusal.EVENT_NOT_OVER
    return None


def may_ask_question(
    event: Event, registration: Registration | None, has_question: bool, now: datetime
) -> Refusal | None:
    """``None`` when this person may put a question to the speakers of ``event`` now.

    Sign-up (a seat or a waitlist place) is required: the speakers answer the questions at the
    evening, to the people who come; the question then belongs to a sign-up the person sees in
    /meine, and the organisers read questions of registered people only, not of anyone who
    found the bot. One question per person and evening (withdraw it to ask another); questions
    close when the evening starts.
    """
    if event.status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    if has_begun(event, now):
        return Refusal.QUESTIONS_CLOSED
    if registration is None or registration.status is RegistrationStatus.CANCELLED:
        return Refusal.NOT_SIGNED_UP
    if has_question:
        return Refusal.ALREADY_ASKED
    return None


def may_withdraw_question(event: Event, has_question: bool, now: datetime) -> Refusal | None:
    """``None`` when this person's question to the speakers can be withdrawn: until the start
    (then the questions are closed and with the moderators)."""
    if not has_question:
        return Refusal.NO_QUESTION
    if has_begun(event, now):
        return Refusal.QUESTIONS_CLOSED
    return None


class Offer(StrEnum):
    """The person-specific buttons of an evening's card."""

    SIGN_UP = "sign_up"
    CANCEL = "cancel"
    TICKET = "ticket"
    CALENDAR = "calendar"
    CERTIFICATE = "certificate"
    ASK_QUESTION = "ask_question"
    WITHDRAW_QUESTION = "withdraw_question"


def offers(
    event: Event, registration: Registration | None, now: datetime, has_question: bool = False
) -> frozenset[Offer]:
    """What the card offers this person now: each offer is exactly an action that would work.
    ``has_question``: they have a question to the speakers of this evening."""
    possible = {
        Offer.SIGN_UP: may_sign_up(event, registration, now),
        Offer.CANCEL: may_cancel(event, registration, now),
        Offer.TICKET: may_show_ticket(event, registration, now),
        Offer.CALENDAR: may_add_to_calendar(event, now),
        Offer.CERTIFICATE: may_get_certificate(event, registration, now),
        Offer.ASK_QUESTION: may_ask_question(event, registration, has_question, now),
        Offer.WITHDRAW_QUESTION: may_withdraw_question(event, has_question, now),
    }
    return frozenset(offer for offer, refusal in possible.items() if refusal is None)


class SignUpOutcome(StrEnum):
    """What became of a sign-up: a seat, a waitlist place, or none (and why not)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REFUSED = "refused"  # :func:`may_sign_up` said no; the refusal says why
    UNKNOWN_EVENT = "unknown_event"  # no such evening (any more)


def sign_up_outcome(event: Event, counts: SeatCounts) -> SignUpOutcome:
    """For a sign-up that :func:`may_sign_up` allows: a seat while one is free, else the
    waitlist (first come, first served): ``CONFIRMED`` or ``WAITLISTED``. ``counts`` are read
    inside the writing transaction."""
    free = seats_left(event, counts)
    return SignUpOutcome.CONFIRMED if free is None or free > 0 else SignUpOutcome.WAITLISTED


def seats_to_fill(event: Event, counts: SeatCounts, now: datetime) -> int | None:
    """How many waitlisted people move up now: ``None`` for all of them (no limit), 0 when
    nobody does (no free seat, or the evening is cancelled or has begun)."""
    if event.status is not EventStatus.SCHEDULED or has_begun(event, now):
        return 0
    return seats_left(event, counts)
