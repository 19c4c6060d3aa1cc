"""The rules of waitlist offers near the evening (domain.offers), without database or clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.models import EventStatus, Registration, RegistrationStatus
from domain.offers import (
    OfferRefusal,
    OfferRules,
    OfferStatus,
    SeatMode,
    SeatOffer,
    may_answer,
    next_recipients,
    offer_summary,
    plan_seat,
    sending_time,
)
from testing.factories import NOW, make_event

BERLIN = ZoneInfo("Europe/Berlin")
RULES = OfferRules(window=timedelta(hours=48), hold=timedelta(hours=3), tz=BERLIN)
EVENT = make_event(starts_at=datetime(2026, 12, 9, 17, 30, tzinfo=UTC))  # 18:30 in Berlin


def test_outside_the_window_a_seat_is_given_directly() -> None:
    assert plan_seat(EVENT, EVENT.starts_at - timedelta(hours=49), RULES).mode is SeatMode.GIVE


def test_a_zero_window_gives_every_seat_directly() -> None:
    rules = replace(RULES, window=timedelta(0))
    assert plan_seat(EVENT, EVENT.starts_at - timedelta(hours=5), rules).mode is SeatMode.GIVE


def test_inside_the_window_a_seat_is_offered_for_the_hold() -> None:
    now = EVENT.starts_at - timedelta(hours=10)  # 08:30 Berlin
    plan = plan_seat(EVENT, now, RULES)
    assert plan.mode is SeatMode.OFFER
    assert (plan.opens_at, plan.expires_at) == (now, now + timedelta(hours=3))


def test_within_the_last_hold_everyone_is_offered_until_the_start() -> None:
    now = EVENT.starts_at - timedelta(hours=2)
    plan = plan_seat(EVENT, now, RULES)
    assert plan.mode is SeatMode.EVERYONE
    assert plan.expires_at == EVENT.starts_at


def test_a_hold_never_runs_past_the_start() -> None:
    now = EVENT.starts_at - timedelta(hours=3, minutes=30)
    plan = plan_seat(EVENT, now, RULES)
    assert plan.mode is SeatMode.OFFER and plan.expires_at == now + timedelta(hours=3)
    late = plan_seat(EVENT, EVENT.starts_at - timedelta(minutes=10), RULES)
    assert late.expires_at == EVENT.starts_at


def test_no_offer_is_sent_at_night_it_goes_out_at_eight() -> None:
    night = datetime(2026, 12, 8, 22, 30, tzinfo=UTC)  # 23:30 in Berlin, 19 h before the start
    plan = plan_seat(EVENT, night, RULES)
    morning = datetime(2026, 12, 9, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    assert plan.mode is SeatMode.OFFER
    assert (plan.opens_at, plan.expires_at) == (morning, morning + timedelta(hours=3))
    assert sending_time(datetime(2026, 12, 9, 6, 59, tzinfo=UTC), BERLIN) == morning
    assert sending_time(morning, BERLIN) == morning
    assert sending_time(datetime(2026, 12, 8, 20, 59, tzinfo=UTC), BERLIN).hour == 20


def test_a_night_offer_of_a_morning_evening_is_for_everyone_until_the_start() -> None:
    breakfast = make_event(starts_at=datetime(2026, 12, 9, 9, 0, tzinfo=UTC))  # 10:00 Berlin
    plan = plan_seat(breakfast, datetime(2026, 12, 8, 22, 0, tzinfo=UTC), RULES)
    assert plan.mode is SeatMode.EVERYONE
    assert plan.opens_at == datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
    assert plan.expires_at == breakfast.starts_at


@given(
    minutes_before=st.integers(min_value=1, max_value=72 * 60),
    hold_minutes=st.integers(min_value=1, max_value=12 * 60),
)
def test_an_offer_is_sent_by_day_and_never_stands_past_the_start(
    minutes_before: int, hold_minutes: int
) -> None:
    rules = replace(RULES, hold=timedelta(minutes=hold_minutes))
    now = EVENT.starts_at - timedelta(minutes=minutes_before)
    plan = plan_seat(EVENT, now, rules)
    if plan.mode is SeatMode.GIVE:
        return
    assert plan.opens_at is not None and plan.expires_at is not None
    assert now <= plan.opens_at < plan.expires_at <= EVENT.starts_at
    local = plan.opens_at.astimezone(BERLIN).time()
    assert 8 <= local.hour < 22
    assert plan.expires_at - plan.opens_at <= rules.hold
    everyone = EVENT.starts_at - plan.opens_at <= rules.hold
    assert (plan.mode is SeatMode.EVERYONE) == everyone


def test_the_next_person_not_yet_offered_this_seat_nor_holding_another_offer() -> None:
    assert next_recipients([1, 2, 3, 4], {1}, {2}, everyone=False) == [3]
    assert next_recipients([1, 2, 3, 4], {1}, {2}, everyone=True) == [3, 4]
    assert next_recipients([1], {1}, set(), everyone=False) == []


def _offer(status: OfferStatus = OfferStatus.OPEN) -> SeatOffer:
    return SeatOffer(1, EVENT.id, 1, 7, status, False, NOW, NOW + timedelta(hours=3))


def _waiting(status: RegistrationStatus = RegistrationStatus.WAITLISTED) -> Registration:
    return Registration(7, EVENT.id, 5, "Erika", status, "t", NOW, None, None, None, 1)


def test_a_press_counts_only_while_the_offer_stands() -> None:
    assert may_answer(_offer(), EVENT, _waiting(), NOW) is None
    assert may_answer(_offer(), EVENT, _waiting(), NOW + timedelta(hours=3)) is (
        OfferRefusal.EXPIRED
    )
    assert may_answer(_offer(OfferStatus.TAKEN), EVENT, _waiting(), NOW) is OfferRefusal.TAKEN
    assert may_answer(_offer(OfferStatus.ACCEPTED), EVENT, _waiting(), NOW) is (
        OfferRefusal.ANSWERED
    )
    assert may_answer(_offer(OfferStatus.VOID), EVENT, _waiting(), NOW) is OfferRefusal.GONE
    cancelled = replace(EVENT, status=EventStatus.CANCELLED)
    assert may_answer(_offer(), cancelled, _waiting(), NOW) is OfferRefusal.GONE
    left = _waiting(RegistrationStatus.CANCELLED)
    assert may_answer(_offer(), EVENT, left, NOW) is OfferRefusal.GONE
    assert may_answer(None, EVENT, _waiting(), NOW) is OfferRefusal.GONE


def test_summary_counts_passed_on_and_taken() -> None:
    statuses = [OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.ACCEPTED, OfferStatus.TAKEN]
    assert offer_summary(statuses) == (2, 1)
