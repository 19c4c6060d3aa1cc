"""Callback data: ``<version>:<action>[:<arg>…]``, at most 64 bytes, parsed in one place.

Buttons live long (old messages stay in the chat), so the format carries a version: a press of
a button from an older format is answered as stale instead of being misread. An argument that
came from a button is only a hint: every handler re-reads the current state and re-checks who
pressed before acting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64
# ``/start ev_<event id>`` opens an event's card: the link in a group, the .ics and the web page.
EVENT_DEEP_LINK_PREFIX = "ev_"
# A last argument of a card or list button that must not replace the message it sits under (a
# broadcast's copy): the card or list comes as a new message.
AS_NEW_MESSAGE = "n"
# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then rejects or misreads.
_ASCII_NUMBER = re.compile(r"[0-9]{1,18}")


class Action:
    """Every action name, so that no two features pick the same one."""

    LIST = "ls"  # arg: offset
    PAST = "lp"  # arg: offset (the evenings that took place, latest first)
    CARD = "ev"  # arg: event id
    ICS = "ics"  # arg: event id
    ICS_REMOVE = "icsx"  # arg: event id (the cancelled evening's file that removes the entry)
    VENUE = "map"  # arg: event id
    SPEAKERS = "spk"  # arg: event id
    LANGUAGE = "lang"  # arg: de | en
    SIGN_UP = "su"  # arg: event id
    USE_NAME = "nm"  # arg: event id (register under the Telegram name)
    CONSENT = "ok"  # arg: event id
    CONSENT_DECLINE = "okn"  # arg: event id
    # Cancellation args: registration id, then where the button lives (c: event card, the
    # default; m: /meine list; n: any other message; r: a reminder) so that the answer lands in
    # the right place.
    CANCEL = "cx"  # args: registration id[, origin]
    CANCEL_CONFIRM = "cxy"  # args: registration id, origin
    CANCEL_KEEP = "cxn"  # args: registration id, origin
    TICKET = "tk"  # arg: registration id
    # Cancellation origin r: the reminder's "Ich kann nicht kommen". Reminders sent before that
    # carry these older actions; handlers.attendee.cancellation treats them as origin r.
    REMINDER_CANT_COME = "rcx"  # arg: registration id
    REMINDER_CANT_COME_CONFIRM = "rcxy"  # arg: registration id
    REMINDER_KEEP = "rcxn"  # arg: registration id
    ATTEND = "rok"  # arg: registration id ("Ich komme" under a reminder)
    FEEDBACK_RATE = "fbr"  # args: registration id, rating 1-5
    FEEDBACK_COMMENT = "fbc"  # arg: registration id (write a comment)
    CERTIFICATE = "cert"  # arg: registration id (send the PDF)
    CPD_RECORD = "cpdr"  # arg: year (the Fortbildungsnachweis PDF of that year)
    QUESTION_ASK = "qa"  # arg: event id (write a question to the speakers)
    QUESTION_WITHDRAW = "qw"  # args: event id, origin (c: card, m: /meine, a: acknowledgement)
    OFFER_TAKE = "wot"  # arg: offer id ("Platz nehmen" under a waitlist offer, issue 25)
    OFFER_DECLINE = "won"  # arg: offer id ("Nein danke")
    MINE = "my"
    NAME_CHANGE = "nc"  # "Name ändern" (/meine, /datenschutz, the sign-up confirmation)
    SUBSCRIBE = "sub"  # arg: 1 | 0
    PRIVACY = "pv"  # arg: export | delete | delete_yes | keep
    # Organiser tools (issue 5): every name starts with "a"; handlers re-check ADMIN_IDS.
    ADMIN_MENU = "am"
    ADMIN_PAGE = "apg"  # args: purpose, offset (a page of an event picker)
    EVENT_NEW = "anew"
    EVENT_EDIT_LIST = "aedl"
    EVENT_EDIT = "aed"  # arg: event id
    EVENT_FIELD = "afl"  # arg: field name
    EVENT_SKIP = "askp"  # leave an optional field empty
    EVENT_SAVE = "asv"
    EVENT_MORE = "amore"  # edit one more field before saving
    EVENT_DEADLINE = "adeadl"  # arg: move | keep (a new start: the explicit deadline)
    # The speakers screen of the event dialogue; "version" is the draft's speakers_version.
    EVENT_SPEAKERS = "aspl"  # arg: version (back to the list of speakers)
    EVENT_SPEAKER = "asp"  # args: index, version (one speaker's screen)
    EVENT_SPEAKER_ADD = "aspa"  # arg: version
    EVENT_SPEAKER_PART = "aspe"  # args: index, name | role | bio, version (type a new one)
    EVENT_SPEAKER_CLEAR = "aspc"  # args: index, role | bio, version
    EVENT_SPEAKER_UP = "aspu"  # args: index, version
    EVENT_SPEAKER_REMOVE = "aspx"  # args: index, version
    EVENT_SPEAKERS_DONE = "aspd"  # arg: version (back to the summary)
    EVENT_CANCEL_LIST = "acxl"
    EVENT_CANCEL = "acx"  # arg: event id
    EVENT_CANCEL_YES = "acxy"
    EVENT_REVIVE_LIST = "arvl"
    EVENT_REVIVE = "arv"  # arg: event id (reactivate a cancelled evening: the summary)
    EVENT_REVIVE_YES = "arvy"  # arg: event id
    EVENT_DELETE_LIST = "adll"
    EVENT_DELETE = "adl"  # arg: event id (delete an evening nobody signed up for)
    EVENT_DELETE_YES = "adly"  # arg: event id
    DIALOGUE_ABORT = "adis"  # leave an organiser dialogue, nothing written
    DRAFT_RESUME = "adrr"  # go on with the half-written event or broadcast (issue 22)
    ATTENDEES_LIST = "aatl"
    ATTENDEES = "aat"  # args: event id[, m: its Meldeliste]
    CHECKIN_LIST = "acil"
    CHECKIN_EVENT = "aci"  # args: event id, offset
    # Check-in views: an offset in the list, "s" the search results, "n" a scan's answer.
    CHECKIN_TAP = "acit"  # args: registration id, view
    CHECKIN_FORCE = "acif"  # args: registration id[, view] (ticket of another day)
    CHECKIN_UNDO = "aciu"  # args: registration id, view (take a check-in back)
    CHECKIN_PDF = "acip"  # arg: event id (the printable door list)
    STATS = "ast"  # arg: offset
    QUESTIONS_LIST = "aqsl"  # the event picker of /fragen
    QUESTIONS_EVENT = "aqs"  # arg: event id (its questions and the CSV file)
    BROADCAST = "abc"
    BROADCAST_AUDIENCE = "abca"  # arg: subscribers | confirmed | waitlist
    BROADCAST_EVENT = "abce"  # arg: event id
    BROADCAST_SEND = "abcs"


@dataclass(frozen=True, slots=True)
class Callback:
    action: str
    args: tuple[str, ...]

    def arg(self, index: int = 0) -> str | None:
        """Argument ``index`` or ``None`` when missing."""
        return self.args[index] if index < len(self.args) else None

    def int_arg(self, index: int = 0) -> int | None:
        """Argument ``index`` as a non-negative int, or ``None`` when missing or not a number."""
        value = self.arg(index)
        return int(value) if value is not None and _ASCII_NUMBER.fullmatch(value) else None


def pack(action: str, *args: object) -> str:
    """Encode a button's data; raises ``ValueError`` when it would not fit Telegram's 64 bytes."""
    data = ":".join((VERSION, action, *(str(arg) for arg in args)))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def unpack(data: str | None) -> Callback | None:
    """Decode button data of the current version; ``None`` for anything else."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION or not parts[1]:
        return None
    return Callback(parts[1], tuple(parts[2:]))


def pattern(*actions: str) -> re.Pattern[str]:
    """The ``CallbackQueryHandler`` pattern matching these actions of the current version."""
    names = "|".join(re.escape(action) for action in actions)
    return re.compile(rf"^{VERSION}:(?:{names})(?::|$)")
