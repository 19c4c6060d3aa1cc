"""Which notice a change to an evening warrants, and for whom (PRODUCT §4, Changes); and
whether a queued notice, reminder or promotion still concerns its recipient when its turn
comes (:func:`still_applies`, asked by every renderer of those outbox kinds)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.evening import has_begun, is_upcoming
from domain.models import Event, EventStatus, Registration, RegistrationStatus

# A promotion is told this long after it happens, not at once: a press of the same person
# already on its way (leaving the waitlist while an earlier cancellation moves them up) is
# handled first, and then :func:`still_applies` tells only who still holds the seat.
PROMOTION_SETTLE = timedelta(seconds=15)

# Fields a calendar entry shows: their change makes the entry a new version (SEQUENCE) and the
# notice offers the updated calendar file.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue", "address")
# Fields whose change is worth a message to everyone signed up: the calendar's and the sign-up
# deadline (a moved deadline is named in the notice).
NOTIFIED_FIELDS = (*CALENDAR_FIELDS, "registration_closes_at")


class NoticeKind(StrEnum):
    CHANGED = "event_changed"  # time or venue changed
    CANCELLED = "event_cancelled"
    REINSTATED = "event_reinstated"  # a cancelled evening takes place after all
    PROMOTED = "promoted"  # moved up from the waitlist into a seat
    REMINDER = "reminder"  # the evening is coming up


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    changed_fields: tuple[str, ...] = ()


def changed_fields(
    old: Event, new: Event, fields: Sequence[str] = NOTIFIED_FIELDS
) -> tuple[str, ...]:
    """The ``fields`` (by default the notified ones) that differ between two versions of an
    evening."""
    return tuple(name for name in fields if getattr(old, name) != getattr(new, name))


def updates_calendar(fields: Iterable[str]) -> bool:
    """Whether a change of these fields makes the calendar entry out of date: the notice then
    offers the updated calendar file."""
    return any(name in CALENDAR_FIELDS for name in fields)


class NoticeStanding(StrEnum):
    """Whom a notice about an evening speaks to, which decides its wording."""

    SEAT = "seat"  # confirmed: keeps the seat, or frees it for the waitlist
    WAITLIST = "waitlist"  # has no seat to keep or free: stays on (or leaves) the waitlist
    UNNAMED = "unnamed"  # a row queued before notices named their sign-up: words for both


def notice_standing(registration: Registration | None) -> NoticeStanding:
    """The wording a change, cancellation or reinstatement notice takes for the holder of
    ``registration`` when it is sent (the sign-up as it is then: someone moved up meanwhile
    has a seat)."""
    if registration is None:
        return NoticeStanding.UNNAMED
    if registration.status is RegistrationStatus.WAITLISTED:
        return NoticeStanding.WAITLIST
    return NoticeStanding.SEAT


def notice_for_change(old: Event, new: Event, now: datetime) -> Notice | None:
    """The notice people signed up for ``old`` get when it becomes ``new``, or ``None``.

    Corrections to evenings that had begun and still have (e.g. a fixed start time in an old
    program file) are not news; a cancellation says all there is, whatever else changed.
    """
    if has_begun(old, now) and has_begun(new, now):
        return None
    fields = changed_fields(old, new)
    if new.status is EventStatus.CANCELLED:
        cancelled_now = old.status is not EventStatus.CANCELLED
        return Notice(NoticeKind.CANCELLED) if cancelled_now else None
    if old.status is EventStatus.CANCELLED:
        return Notice(NoticeKind.REINSTATED, fields)
    return Notice(NoticeKind.CHANGED, fields) if fields else None


def still_applies(
    kind: NoticeKind,
    event: Event | None,
    registration: Registration | None,
    now: datetime,
    reminded_start: datetime | None = None,
) -> bool:
    """Whether a queued message of ``kind`` still concerns the holder of ``registration`` (the
    sign-up it was queued for) at ``now``; every renderer asks this just before it renders.

    Nobody hears about an evening they have left. A cancellation is news only while the
    evening still is cancelled and has not begun; a change or a reinstatement only while it is
    upcoming; a promotion only while they hold the seat it announces; a reminder only for a
    seat at the start it was planned for (``reminded_start``: a moved evening has reminders of
    its own). ``registration`` ``None``: the row names no sign-up (a change notice queued
    before notices named one); then the evening alone decides, and a promotion or a reminder
    (which always name one) is not sent.
    """
    if event is None:
        return False
    if registration is not None and (
        registration.event_id != event.id or registration.status is RegistrationStatus.CANCELLED
    ):
        return False
    if kind is NoticeKind.CANCELLED:
        return event.status is EventStatus.CANCELLED and not has_begun(event, now)
    if not is_upcoming(event, now):
        return False
    holds_seat = registration is not None and registration.status is RegistrationStatus.CONFIRMED
    if kind is NoticeKind.PROMOTED:
        return holds_seat
    if kind is NoticeKind.REMINDER:
        return holds_seat and reminded_start == event.starts_at
    return True


def is_announced(event: Event, now: datetime) -> bool:
    """Whether a newly created evening is news for subscribers: scheduled and upcoming (the
    organiser's summary says so before saving, and the save queues it by the same rule)."""
    return is_upcoming(event, now)


def announce(created: Sequence[Event], now: datetime) -> list[Event]:
    """The newly created evenings subscribers are told about (:func:`is_announced`)."""
    return [event for event in created if is_announced(event, now)]


def due_reminder_offsets(
    starts_at: datetime, confirmed_at: datetime, now: datetime, offsets: Sequence[timedelta]
) -> list[timedelta]:
    """The reminder offsets that have fallen due by ``now`` for someone confirmed at
    ``confirmed_at``, latest due first (only that one is sent; older ones missed during
    downtime are skipped). An offset that passed before the person was confirmed never counts."""
    due = [
        offset
        for offset in offsets
        if starts_at - offset <= now and confirmed_at <= starts_at - offset
    ]
    return sorted(due)
