"""Turning domain values into message texts: dates in the reader's language, the event card,
list lines and speakers. All escaping happens through ``bot.i18n`` (values are escaped when they
are put into a catalogue text); nothing here builds user text with f-strings."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup

from bot.i18n import Count, Translator
from domain.cpd_hours import exact_hours, plural_count
from domain.evening import SIGN_UP_PHASES, Phase, claims_cpd_hours, phase, seats_left
from domain.models import Event, EventStatus, Registration, SeatCounts, Speaker
from domain.standing import StandingKind, standing

# Telegram's limits, counted after the HTML is parsed (tags gone, an entity one character) and,
# to be safe whatever Telegram counts, in UTF-16 code units (an emoji outside the BMP is two).
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
# The speakers a card lists by name before "… and N more" (all of them are behind 👥).
CARD_SPEAKERS_BUDGET = 1200

_TOKENS = re.compile(r"<[^>]*>|&#?\w+;|[^<&]|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")


def _units(plain: str) -> int:
    return len(plain.encode("utf-16-le")) // 2


def visible_length(text: str) -> int:
    """How long Telegram counts the formatted ``text``: tags dropped, entities one character,
    in UTF-16 code units, surrounding whitespace not counted."""
    return _units(html.unescape(re.sub(r"<[^>]*>", "", text)).strip())


def _cut(text: str, budget: int) -> tuple[str, str, str]:
    """Split safe HTML into a head of at most ``budget`` visible units, the closing tags the
    head needs, and the tail (with the tags still open reopened in front): never inside a
    tag or an entity; at the last line break, else the last space, of the head's second half.
    """
    atoms = _TOKENS.findall(text)
    used, end = 0, len(atoms)
    for index, atom in enumerate(atoms):
        size = 0 if atom.startswith("<") and len(atom) > 1 else _units(html.unescape(atom))
        if used + size > budget:
            end = max(index, 1)  # at least one atom, so that every cut makes progress
            break
        used += size
    for separator in ("\n", " "):
        breaks = [i for i in range(max(end // 2, 1), end) if atoms[i] == separator]
        if breaks and end < len(atoms):
            head, tail = atoms[: breaks[-1]], atoms[breaks[-1] + 1 :]
            break
    else:
        head, tail = atoms[:end], atoms[end:]
    still_open: list[tuple[str, str]] = []
    for atom in head:
        match = _TAG_NAME.match(atom) if atom.startswith("<") and len(atom) > 1 else None
        if match is None:
            continue
        if atom.startswith("</"):
            if still_open and still_open[-1][0] == match.group(1).lower():
                still_open.pop()
        elif not atom.endswith("/>"):
            still_open.append((match.group(1).lower(), atom))
    closers = "".join(f"</{name}>" for name, _ in reversed(still_open))
    reopen = "".join(opening for _, opening in still_open)
    return "".join(head), closers, reopen + "".join(tail)


def split_message(text: Markup, limit: int = MESSAGE_LIMIT) -> list[Markup]:
    """Split a long safe text into messages Telegram accepts: at line breaks (else spaces)
    where possible, never inside a tag or an entity, tags closed and reopened across a cut."""
    chunks: list[Markup] = []
    rest = str(text)
    while visible_length(rest) > limit:
        head, closers, rest = _cut(rest, limit)
        chunks.append(Markup(head + closers))  # pieces of a safe text, tags balanced
    chunks.append(Markup(rest))
    return [chunk for chunk in chunks if visible_length(chunk)] or [Markup(text)]


def shorten(text: Markup | str, limit: int) -> Markup:
    """``text`` (plain text is escaped) cut to ``limit`` visible units with an ellipsis, at a
    line break or space where possible, never inside a tag or an entity."""
    safe = Markup.escape(text)
    if visible_length(safe) <= limit:
        return safe
    head, closers, _ = _cut(str(safe), max(limit - len(ELLIPSIS), 0))
    return Markup(head.rstrip() + ELLIPSIS + closers)  # a safe text's head, tags balanced


# Card lines of the phases that need no figures (the others are built in Renderer.seats).
_PHASE_KEYS = {
    Phase.NO_REGISTRATION: "card.no_registration",
    Phase.UNDER_WAY: "card.under_way",
    Phase.CANCELLED: "card.cancelled",
}
_STANDING_KEYS = {
    StandingKind.CONFIRMED: "card.you_confirmed",
    StandingKind.CHECKED_IN: "card.you_checked_in",
    StandingKind.VOID: "card.you_void",
}


@functools.lru_cache(maxsize=4096)
def _format(moment: datetime, pattern: str, tz: ZoneInfo, lang: str) -> str:
    """Babel's ``format_datetime``, remembered: the same few event times are shown over and over,
    and Babel parses the pattern and looks up the locale on every call (a tenth of the time of a
    card). Equal moments in any time zone give the same text, as they are shown in ``tz``."""
    return format_datetime(moment, pattern, tzinfo=tz, locale=lang)


class Renderer:
    """Renders texts for one language and time zone."""

    def __init__(self, translator: Translator, lang: str, tz: ZoneInfo):
        self.translator = translator
        self.lang = lang
        self.tz = tz

    def text(self, key: str, count: Count | None = None, **values: object) -> Markup:
        """A catalogue message in this renderer's language."""
        return self.translator.text(self.lang, key, count, **values)

    def when(self, moment: datetime) -> str:
        """``Mittwoch, 22. Oktober 2025, 18:30 Uhr`` / ``Wednesday, 22 October 2025, 6:30 PM``."""
        pattern = self.translator.raw(self.lang, "format.datetime")
        return _format(moment, pattern, self.tz, self.lang)

    def short_when(self, moment: datetime) -> str:
        """``Mi., 22.10.2025, 18:30`` — for lists and buttons."""
        pattern = self.translator.raw(self.lang, "format.datetime_short")
        return _format(moment, pattern, self.tz, self.lang)

    def time_only(self, moment: datetime) -> str:
        """``21:00 Uhr`` — the end of an evening on the same day."""
        pattern = self.translator.raw(self.lang, "format.time")
        return _format(moment, pattern, self.tz, self.lang)

    def event_time(self, event: Event) -> str:
        """Start, and the end when known (time only if on the same day)."""
        start = self.when(event.starts_at)
        if event.ends_at is None:
            return start
        same_day = (
            event.starts_at.astimezone(self.tz).date() == event.ends_at.astimezone(self.tz).date()
        )
        end = self.time_only(event.ends_at) if same_day else self.when(event.ends_at)
        return self.text("card.time_range", start=start, end=end)

    def seats(self, event: Event, counts: SeatCounts, now: datetime) -> Markup:
        """What the evening's phase means for a reader: seats, waitlist, closed (since when),
        no sign-up, under way, took place, cancelled — one line, from ``domain.evening``."""
        current = phase(event, counts, now)
        if current is Phase.OPEN:
            free = seats_left(event, counts)
            if free is None:
                return self.text("card.seats_unlimited")
            return self.text("card.seats_free", count=free)
        if current is Phase.FULL:
            if not counts.waitlisted:
                return self.text("card.full_nobody_waiting")
            return self.text("card.full_waitlist", count=counts.waitlisted)
        if current is Phase.REGISTRATION_CLOSED:
            when = self.when(event.registration_deadline)
            return self.text("card.registration_closed", when=when)
        if current is Phase.OVER:
            return self.text("card.over", when=self.when(event.starts_at))
        return self.text(_PHASE_KEYS[current])

    def deadline(self, event: Event, counts: SeatCounts, now: datetime) -> Markup | None:
        """``Anmeldung bis …`` while sign-up is open and a deadline before the start is set."""
        if event.registration_closes_at is None or phase(event, counts, now) not in SIGN_UP_PHASES:
            return None
        return self.text("card.deadline", when=self.when(event.registration_deadline))

    def own_status(self, event: Event, registration: Registration | None) -> Markup | None:
        """The reader's own standing, if they signed up (void when the evening was cancelled)."""
        mine = standing(event, registration)
        if mine.kind is StandingKind.WAITLISTED:
            return self.text("card.you_waitlisted", position=mine.waitlist_position or 1)
        key = _STANDING_KEYS.get(mine.kind)
        return self.text(key) if key else None

    def speaker_line(self, speaker: Speaker, with_bio: bool = False) -> Markup:
        """``• Name – Role`` (and the bio on the next line)."""
        if speaker.role:
            line = self.text("speaker.line_role", name=speaker.name, role=speaker.role)
        else:
            line = self.text("speaker.line", name=speaker.name)
        if with_bio and speaker.bio:
            line = Markup("\n").join([line, self.text("speaker.bio", bio=speaker.bio)])
        return line

    def event_card(
        self,
        event: Event,
        counts: SeatCounts,
        now: datetime,
        registration: Registration | None = None,
        has_question: bool = False,
    ) -> Markup:
        """The full card: title, series, time, venue, description, speakers, seats, status
        (and that the reader put a question to the speakers).

        It always fits one message: with many speakers only the first are named ("… and N
        more": the 👥 button lists all with their bios), and a description too long for the
        rest is shortened with an ellipsis."""
        card = self._card(
            event, counts, now, registration, event.description.strip(), None, has_question
        )
        if visible_length(card) <= MESSAGE_LIMIT:
            return card
        shown, used = 0, 0
        for speaker in event.speakers:
            used += visible_length(self.speaker_line(speaker)) + 1
            if used > CARD_SPEAKERS_BUDGET:
                break
            shown += 1
        card = self._card(event, counts, now, registration, "", shown, has_question)
        room = MESSAGE_LIMIT - visible_length(card) - 2  # the blank line before it
        description = shorten(event.description.strip(), room)
        return self._card(event, counts, now, registration, description, shown, has_question)

    def _card(
        self,
        event: Event,
        counts: SeatCounts,
        now: datetime,
        registration: Registration | None,
        description: str,
        speakers_shown: int | None,
        has_question: bool,
    ) -> Markup:
        """The card with this description and the first ``speakers_shown`` speakers (all:
        ``None``), and whether the reader put a question to the speakers."""
        parts: list[str] = []
        if event.status is EventStatus.CANCELLED:
            parts.append(self.text("card.cancelled_banner"))
        parts.append(self.text("card.title", title=event.title))
        if event.series:
            parts.append(self.text("card.series", series=event.series))
        parts.append("")
        parts.append(self.text("card.when", when=self.event_time(event)))
        if event.address:
            parts.append(self.text("card.where_address", venue=event.venue, address=event.address))
        else:
            parts.append(self.text("card.where", venue=event.venue))
        if event.cpd_hours and claims_cpd_hours(event):  # professional development
            hours = format_decimal(event.cpd_hours, locale=self.lang)
            count = plural_count(exact_hours(event.cpd_hours))  # Babel picks forms of decimals too
            parts.append(self.text("card.cpd_hours", count, hours=hours))
        if description:
            parts.extend(["", description])  # plain text is escaped by the join
        if event.speakers:
            listed = event.speakers[:speakers_shown]
            parts.extend(["", self.text("card.speakers_heading")])
            parts.extend(self.speaker_line(speaker) for speaker in listed)
            if len(listed) < len(event.speakers):
                more = len(event.speakers) - len(listed)
                parts.append(self.text("card.more_speakers", count=more))
        parts.extend(["", self.seats(event, counts, now)])
        deadline = self.deadline(event, counts, now)
        if deadline:
            parts.append(deadline)
        status = self.own_status(event, registration)
        if status:
            parts.append(status)
        if has_question:
            parts.append(self.text("card.you_asked"))
        return Markup("\n").join(parts)

    def event_list_line(self, event: Event, index: int) -> Markup:
        """One line of the /termine list."""
        key = "list.line_cancelled" if event.status is EventStatus.CANCELLED else "list.line"
        return self.text(
            key, index=index, title=event.title, when=self.short_when(event.starts_at)
        )

    def speakers_overview(self, events: Iterable[Event]) -> Markup:
        """All speakers of the given events, grouped by evening, with roles and bios."""
        blocks: list[str] = []
        for event in events:
            if not event.speakers:
                continue
            block = [
                self.text(
                    "speakers.event_heading",
                    title=event.title,
                    when=self.short_when(event.starts_at),
                )
            ]
            block.extend(self.speaker_line(s, with_bio=True) for s in event.speakers)
            blocks.append(Markup("\n").join(block))
        return Markup("\n\n").join(blocks)
