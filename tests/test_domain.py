"""The rules of an evening and a sign-up, without database, Telegram or clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.evening import (
    SIGN_UP_PHASES,
    Phase,
    check_in_window,
    end_of,
    feedback_due_at,
    is_over,
    is_upcoming,
    phase,
    seats_left,
)
from domain.models import Event, EventStatus, Registration, RegistrationStatus, SeatCounts
from domain.notices import (
    NoticeKind,
    announce,
    changed_fields,
    due_reminder_offsets,
    notice_for_change,
    still_applies,
)
from domain.standing import (
    Offer,
    Refusal,
    SignUpOutcome,
    StandingKind,
    may_ask_question,
    may_cancel,
    may_check_in,
    may_get_certificate,
    may_show_ticket,
    may_sign_up,
    may_undo_check_in,
    may_withdraw_question,
    offers,
    seats_to_fill,
    sign_up_outcome,
    standing,
)

START = datetime(2027, 3, 10, 18, 30, tzinfo=UTC)
BEFORE = START - timedelta(days=3)
EVENT = Event(id="e", title="Allianzen", starts_at=START, venue="Haus", capacity=2)
NOBODY = SeatCounts()
FULL = SeatCounts(confirmed=2, waitlisted=1)


def reg(status: RegistrationStatus = RegistrationStatus.CONFIRMED, **changes) -> Registration:
    base = Registration(
        id=1,
        event_id="e",
        user_id=7,
        name="Ilona",
        status=status,
        ticket="t",
        created_at=BEFORE,
        confirmed_at=BEFORE,
        cancelled_at=None,
        checked_in_at=None,
        waitlist_position=1 if status is RegistrationStatus.WAITLISTED else None,
    )
    return dataclasses.replace(base, **changes)


def event(**changes) -> Event:
    return dataclasses.replace(EVENT, **changes)


# --- the phase of an evening -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_event", "counts", "now", "expected"),
    [
        (EVENT, NOBODY, BEFORE, Phase.OPEN),
        (event(capacity=None), FULL, BEFORE, Phase.OPEN),
        (EVENT, FULL, BEFORE, Phase.FULL),
        (event(registration_closes_at=BEFORE), NOBODY, BEFORE, Phase.REGISTRATION_CLOSED),
        (event(capacity=0), NOBODY, BEFORE, Phase.NO_REGISTRATION),
        (EVENT, NOBODY, START, Phase.UNDER_WAY),
        (EVENT, NOBODY, START + timedelta(hours=2), Phase.OVER),
        (
            event(ends_at=START + timedelta(hours=3)),
            NOBODY,
            START + timedelta(hours=2),
            Phase.UNDER_WAY,
        ),
        (event(status=EventStatus.CANCELLED), NOBODY, BEFORE, Phase.CANCELLED),
        (event(status=EventStatus.CANCELLED), NOBODY, START + timedelta(days=9), Phase.CANCELLED),
    ],
)
def test_phase_of_an_evening(the_event, counts, now, expected):
    assert phase(the_event, counts, now) == expected


def test_an_evening_without_end_lasts_two_hours_and_seats_come_from_the_rows():
    assert end_of(EVENT) == START + timedelta(hours=2)
    assert not is_over(EVENT, START + timedelta(hours=1, minutes=59))
    assert is_over(EVENT, START + timedelta(hours=2))
    assert seats_left(EVENT, SeatCounts(confirmed=1)) == 1
    assert seats_left(EVENT, SeatCounts(confirmed=5)) == 0
    assert seats_left(event(capacity=None), FULL) is None
    assert feedback_due_at(EVENT, timedelta(hours=2)) == START + timedelta(hours=4)


def test_upcoming_means_scheduled_and_not_begun():
    assert is_upcoming(EVENT, BEFORE)
    assert not is_upcoming(EVENT, START)
    assert not is_upcoming(event(status=EventStatus.CANCELLED), BEFORE)


def test_check_in_window_runs_from_twelve_hours_before_to_six_after_the_end():
    window = check_in_window(EVENT)
    assert window.contains(START - timedelta(hours=12))
    assert not window.contains(START - timedelta(hours=12, seconds=1))
    assert window.contains(START + timedelta(hours=8))
    assert not window.contains(START + timedelta(hours=8, seconds=1))


# --- a person's standing -----------------------------------------------------------------------


def test_standing_of_a_person():
    assert standing(EVENT, None).kind is StandingKind.NONE
    assert standing(EVENT, reg()).kind is StandingKind.CONFIRMED
    waiting = standing(EVENT, reg(RegistrationStatus.WAITLISTED, waitlist_position=3))
    assert (waiting.kind, waiting.waitlist_position) == (StandingKind.WAITLISTED, 3)
    assert standing(EVENT, reg(checked_in_at=START)).kind is StandingKind.CHECKED_IN
    assert standing(EVENT, reg(RegistrationStatus.CANCELLED)).kind is StandingKind.CANCELLED
    void = standing(event(status=EventStatus.CANCELLED), reg())
    assert void.kind is StandingKind.VOID and not void.is_active


# --- what may be done, and why not -------------------------------------------------------------


def test_sign_up_rules():
    assert may_sign_up(EVENT, None, BEFORE) is None
    assert may_sign_up(EVENT, reg(RegistrationStatus.CANCELLED), BEFORE) is None  # again
    assert may_sign_up(EVENT, reg(), BEFORE) is Refusal.ALREADY_CONFIRMED
    waiting = reg(RegistrationStatus.WAITLISTED)
    assert may_sign_up(EVENT, waiting, BEFORE) is Refusal.ALREADY_WAITLISTED
    cancelled = event(status=EventStatus.CANCELLED)
    assert may_sign_up(cancelled, reg(), BEFORE) is Refusal.EVENT_CANCELLED
    assert may_sign_up(EVENT, None, START) is Refusal.EVENT_BEGUN
    assert may_sign_up(EVENT, None, START + timedelta(days=1)) is Refusal.EVENT_OVER
    assert may_sign_up(event(capacity=0), None, BEFORE) is Refusal.NO_REGISTRATION
    closed = event(registration_closes_at=BEFORE)
    assert may_sign_up(closed, None, BEFORE) is Refusal.REGISTRATION_CLOSED


def test_sign_up_outcome_and_waitlist_promotion():
    assert sign_up_outcome(EVENT, SeatCounts(confirmed=1)) is SignUpOutcome.CONFIRMED
    assert sign_up_outcome(EVENT, SeatCounts(confirmed=2)) is SignUpOutcome.WAITLISTED
    assert sign_up_outcome(event(capacity=None), FULL) is SignUpOutcome.CONFIRMED
    assert seats_to_fill(EVENT, SeatCounts(confirmed=1, waitlisted=4), BEFORE) == 1
    assert seats_to_fill(event(capacity=None), FULL, BEFORE) is None  # everyone moves up
    assert seats_to_fill(EVENT, SeatCounts(confirmed=1), START) == 0
    assert seats_to_fill(event(status=EventStatus.CANCELLED), NOBODY, BEFORE) == 0


def test_cancel_ticket_and_calendar_rules():
    assert may_cancel(EVENT, reg(), BEFORE) is None
    assert may_cancel(EVENT, reg(RegistrationStatus.WAITLISTED), BEFORE) is None
    assert may_cancel(EVENT, None, BEFORE) is Refusal.NOT_SIGNED_UP
    assert (
        may_cancel(EVENT, reg(RegistrationStatus.CANCELLED), BEFORE) is Refusal.ALREADY_CANCELLED
    )
    assert (
        may_cancel(event(status=EventStatus.CANCELLED), reg(), BEFORE) is Refusal.EVENT_CANCELLED
    )
    assert may_cancel(EVENT, reg(), START) is Refusal.EVENT_BEGUN
    assert may_show_ticket(EVENT, reg(), START) is None  # at the door
    assert may_show_ticket(EVENT, reg(RegistrationStatus.WAITLISTED), BEFORE) is Refusal.WAITLISTED
    assert may_show_ticket(EVENT, reg(), START + timedelta(hours=2)) is Refusal.EVENT_OVER


def test_check_in_rules():
    at_the_door = START - timedelta(minutes=10)
    assert may_check_in(EVENT, reg(), at_the_door) is None
    assert may_check_in(EVENT, reg(), BEFORE) is Refusal.OUTSIDE_CHECK_IN_WINDOW
    assert may_check_in(EVENT, reg(), BEFORE, anyway=True) is None
    assert may_check_in(EVENT, reg(checked_in_at=START), START) is Refusal.ALREADY_CHECKED_IN
    assert may_check_in(EVENT, reg(RegistrationStatus.WAITLISTED), START) is Refusal.WAITLISTED
    assert may_check_in(EVENT, None, START) is Refusal.NOT_SIGNED_UP
    cancelled = event(status=EventStatus.CANCELLED)
    assert may_check_in(cancelled, reg(), START) is Refusal.EVENT_CANCELLED
    assert may_undo_check_in(EVENT, reg(checked_in_at=START)) is None
    assert may_undo_check_in(EVENT, reg()) is Refusal.NOT_CHECKED_IN


@pytest.mark.parametrize(
    ("the_event", "registration", "now", "expected"),
    [
        (EVENT, None, BEFORE, {Offer.SIGN_UP, Offer.CALENDAR}),
        (EVENT, reg(), BEFORE, {Offer.CANCEL, Offer.TICKET, Offer.CALENDAR, Offer.ASK_QUESTION}),
        (
            EVENT,
            reg(RegistrationStatus.WAITLISTED),
            BEFORE,
            {Offer.CANCEL, Offer.CALENDAR, Offer.ASK_QUESTION},
        ),
        (event(registration_closes_at=BEFORE), None, BEFORE, {Offer.CALENDAR}),
        (EVENT, reg(), START, {Offer.TICKET, Offer.CALENDAR}),
        (EVENT, reg(), START + timedelta(hours=3), set()),  # over: nothing to do
        (event(status=EventStatus.CANCELLED), reg(), BEFORE, set()),  # void
    ],
)
def test_a_card_offers_exactly_what_would_work(the_event, registration, now, expected):
    assert offers(the_event, registration, now) == expected


def test_questions_need_a_sign_up_and_close_at_the_start():
    assert may_ask_question(EVENT, reg(), False, BEFORE) is None
    assert may_ask_question(EVENT, reg(RegistrationStatus.WAITLISTED), False, BEFORE) is None
    assert may_ask_question(EVENT, None, False, BEFORE) is Refusal.NOT_SIGNED_UP
    cancelled_seat = reg(RegistrationStatus.CANCELLED)
    assert may_ask_question(EVENT, cancelled_seat, False, BEFORE) is Refusal.NOT_SIGNED_UP
    assert may_ask_question(EVENT, reg(), True, BEFORE) is Refusal.ALREADY_ASKED
    assert may_ask_question(EVENT, reg(), False, START) is Refusal.QUESTIONS_CLOSED
    cancelled = event(status=EventStatus.CANCELLED)
    assert may_ask_question(cancelled, reg(), False, BEFORE) is Refusal.EVENT_CANCELLED
    assert may_withdraw_question(EVENT, True, BEFORE) is None
    assert may_withdraw_question(cancelled, True, BEFORE) is None  # a moot question may go
    assert may_withdraw_question(EVENT, False, BEFORE) is Refusal.NO_QUESTION
    assert may_withdraw_question(EVENT, True, START) is Refusal.QUESTIONS_CLOSED
    with_question = offers(EVENT, reg(), BEFORE, has_question=True)
    assert Offer.WITHDRAW_QUESTION in with_question and Offer.ASK_QUESTION not in with_question


def test_a_certificate_is_for_the_checked_in_once_an_evening_with_cpd_hours_is_over():
    cpd = event(cpd_hours=2.0)
    over = START + timedelta(hours=3)
    there = reg(checked_in_at=START)
    assert may_get_certificate(cpd, there, over) is None
    assert Offer.CERTIFICATE in offers(cpd, there, over)
    assert may_get_certificate(cpd, there, START) is Refusal.EVENT_NOT_OVER
    assert may_get_certificate(cpd, reg(), over) is Refusal.NOT_CHECKED_IN
    assert may_get_certificate(EVENT, there, over) is Refusal.NO_CERTIFICATE
    assert may_get_certificate(cpd, None, over) is Refusal.NOT_SIGNED_UP
    gone = reg(RegistrationStatus.CANCELLED, checked_in_at=START)
    assert may_get_certificate(cpd, gone, over) is Refusal.ALREADY_CANCELLED
    called_off = event(cpd_hours=2.0, status=EventStatus.CANCELLED)
    assert may_get_certificate(called_off, there, over) is Refusal.EVENT_CANCELLED


# --- notices -----------------------------------------------------------------------------------


def test_which_notice_a_change_warrants():
    moved = event(starts_at=START + timedelta(hours=1), venue="Rathaus")
    notice = notice_for_change(EVENT, moved, BEFORE)
    assert notice is not None and notice.kind is NoticeKind.CHANGED
    assert notice.changed_fields == ("starts_at", "venue")
    assert notice_for_change(EVENT, event(title="Neu"), BEFORE) is None  # not notified
    cancelled = event(status=EventStatus.CANCELLED, venue="Rathaus")
    assert notice_for_change(EVENT, cancelled, BEFORE).kind is NoticeKind.CANCELLED
    assert notice_for_change(cancelled, cancelled, BEFORE) is None
    back = notice_for_change(cancelled, EVENT, BEFORE)
    assert back.kind is NoticeKind.REINSTATED and back.changed_fields == ("venue",)
    later = START + timedelta(days=1)
    assert notice_for_change(EVENT, event(starts_at=START - timedelta(hours=1)), later) is None
    assert changed_fields(EVENT, EVENT) == ()


def test_queued_notices_are_sent_only_while_they_still_concern_their_recipient():
    seat = reg(RegistrationStatus.CONFIRMED)
    waiting = reg(RegistrationStatus.WAITLISTED)
    gone = reg(RegistrationStatus.CANCELLED)
    called_off = event(status=EventStatus.CANCELLED)
    assert still_applies(NoticeKind.CHANGED, EVENT, seat, BEFORE)
    assert still_applies(NoticeKind.CHANGED, EVENT, waiting, BEFORE)
    assert not still_applies(NoticeKind.CHANGED, EVENT, gone, BEFORE)  # left meanwhile
    assert not still_applies(NoticeKind.CHANGED, EVENT, seat, START)
    assert not still_applies(NoticeKind.CHANGED, called_off, seat, BEFORE)
    assert still_applies(NoticeKind.CANCELLED, called_off, seat, BEFORE)
    assert not still_applies(NoticeKind.CANCELLED, called_off, seat, START)
    assert not still_applies(NoticeKind.CANCELLED, EVENT, seat, BEFORE)  # reinstated meanwhile
    assert not still_applies(NoticeKind.REINSTATED, None, seat, BEFORE)
    # A change notice that names no sign-up (queued before notices named one): the evening.
    assert still_applies(NoticeKind.REINSTATED, EVENT, None, BEFORE)
    assert not still_applies(NoticeKind.PROMOTED, EVENT, None, BEFORE)
    assert not still_applies(NoticeKind.REMINDER, EVENT, None, BEFORE, EVENT.starts_at)
    # A promotion only while they hold the seat it announces.
    assert still_applies(NoticeKind.PROMOTED, EVENT, seat, BEFORE)
    assert not still_applies(NoticeKind.PROMOTED, EVENT, gone, BEFORE)
    assert not still_applies(NoticeKind.PROMOTED, EVENT, waiting, BEFORE)
    # A reminder for a seat at the start it was planned for.
    assert still_applies(NoticeKind.REMINDER, EVENT, seat, BEFORE, EVENT.starts_at)
    moved = EVENT.starts_at + timedelta(hours=1)
    assert not still_applies(NoticeKind.REMINDER, EVENT, seat, BEFORE, moved)
    assert not still_applies(NoticeKind.REMINDER, EVENT, waiting, BEFORE, EVENT.starts_at)
    other = dataclasses.replace(seat, event_id="anderer-abend")
    assert not still_applies(NoticeKind.PROMOTED, EVENT, other, BEFORE)
    assert announce([EVENT, event(id="old", starts_at=BEFORE)], BEFORE) == [EVENT]


def test_only_the_latest_due_reminder_and_none_from_before_the_sign_up():
    offsets = [timedelta(days=1), timedelta(hours=2)]
    now = START - timedelta(hours=1)
    assert due_reminder_offsets(START, BEFORE, now, offsets) == [
        timedelta(hours=2),
        timedelta(days=1),
    ]
    late = START - timedelta(hours=5)
    assert due_reminder_offsets(START, late, now, offsets) == [timedelta(hours=2)]
    assert due_reminder_offsets(START, BEFORE, BEFORE, offsets) == []


@given(
    hours=st.integers(min_value=-100, max_value=100),
    capacity=st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
    deadline_hours=st.one_of(st.none(), st.integers(min_value=-100, max_value=0)),
    cancelled=st.booleans(),
    confirmed=st.integers(min_value=0, max_value=4),
)
def test_the_card_phase_and_the_sign_up_press_agree(
    hours, capacity, deadline_hours, cancelled, confirmed
):
    """Whatever the evening and the moment: a newcomer may sign up exactly when the card's phase
    is open or full, and a refusal names the phase the card shows."""
    evening = event(
        capacity=capacity,
        status=EventStatus.CANCELLED if cancelled else EventStatus.SCHEDULED,
        registration_closes_at=(
            None if deadline_hours is None else START + timedelta(hours=deadline_hours)
        ),
    )
    now = START + timedelta(hours=hours)
    shown = phase(evening, SeatCounts(confirmed=confirmed), now)
    refusal = may_sign_up(evening, None, now)
    assert (refusal is None) == (shown in SIGN_UP_PHASES)
    names = {
        Phase.CANCELLED: Refusal.EVENT_CANCELLED,
        Phase.OVER: Refusal.EVENT_OVER,
        Phase.UNDER_WAY: Refusal.EVENT_BEGUN,
        Phase.NO_REGISTRATION: Refusal.NO_REGISTRATION,
        Phase.REGISTRATION_CLOSED: Refusal.REGISTRATION_CLOSED,
    }
    assert refusal == names.get(shown)
