"""The fuzzing machinery of tests/test_fuzz.py and tests/test_fuzz_button_numbers.py: the
random inputs (hypothesis strategies), the dialogue states a person walks to, and
:class:`Fuzzing`, one bot for all examples of a state that checks what each example left
behind."""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hypothesis import strategies as st

from bot.callbacks import Action
from domain.models import EventStatus
from storage import events as event_store
from storage import registrations as registration_store
from storage import users as user_store
from testing.fake_telegram import FakeGroup, FakeUser
from testing.offline import OfflineBot, press_action
from tests.conftest import NOW, make_event

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
# The suite explores the same examples every run (no flaky failures); a deep run with
# FUZZ_EXAMPLES set explores new random ones each time.
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ
ORGANISERS = range(1000, 3000)  # every organiser example is a fresh organiser
BYSTANDERS = range(900, 906)  # people signed up before the fuzzing; nobody may touch them
SECRET_NAME = "Zuschauer-Geheimname"  # their names: must never reach a fuzzed attendee

EVENT_IDS = ["offen-2026", "klein-2026", "abgesagt-2026", "geschlossen-2026"]
COMMANDS = [
    "start", "termine", "events", "referenten", "speakers", "meine", "mine", "abo",
    "subscribe", "datenschutz", "privacy", "sprache", "language", "hilfe", "help",
    "abbrechen", "cancel", "admin", "teilnehmer", "attendees", "rundschreiben", "broadcast",
    "checkin", "statistik", "stats", "unbekannt",
]  # fmt: skip
NASTY = [
    "<b>", "</b>", "<i>x</i>", '<a href="javascript:alert(1)">x</a>', "<script>", "&", "&amp;",
    "&lt;", "&#0;", "<", ">", "*fett*", "_kursiv_", "`code`", "```pre```", "||spoiler||",
    "[Link](https://example.org)", "'; DROP TABLE users; --", "\" OR 1=1 --", "%s %d",
    "{name} {0} {}", "\\", "\u202e", "\u200f", "\u200b", "\u2066", "\u2069", "\ufeff", "\u00ad",
    "👩\u200d👩\u200d👧\u200d👦", "🇩🇪", "é", "ß", "\n", "\r\n", "\t", "\x00", "\x1b[31m",
    "/start", "ev_", "ci_", "1:su:", ":", "None", "ＡＢＣ", "مرحبا", "שלום", "Z̷̢͈a̸l̷g̶o̵",
]  # fmt: skip
ACTIONS = sorted(value for name, value in vars(Action).items() if not name.startswith("_"))

_long = st.builds(
    lambda piece, n: (piece * n)[:10_000],
    st.sampled_from([*NASTY, "a", "é", "😀"]),
    st.integers(1_000, 10_000),
)
_commands = st.builds(
    lambda command, rest: f"/{command} {rest}".strip(),
    st.sampled_from(COMMANDS),
    st.text(max_size=40) | st.sampled_from(["ev_offen-2026", "ci_", "ev_", "ev_../../x"]),
)
texts = (
    st.one_of(
        st.text(min_size=1, max_size=300),
        st.lists(st.sampled_from(NASTY) | st.text(max_size=4), min_size=1, max_size=20).map(
            "".join
        ),
        _long,
        _commands,
    )
    .map(str.strip)  # Telegram trims messages and delivers no empty ones
    .filter(bool)
)

ARG_SAMPLES = [
    *EVENT_IDS, "", "0", "-1", "de", "en", "fr", "export", "delete", "delete_yes", "keep",
    "subscribers", "confirmed", "waitlist", "title", "starts", "capacity", "c", "m", "n", "ed",
    "cx", "at", "ci", "bc", "1", "x" * 40,
]  # fmt: skip
_args = st.one_of(
    st.integers(-3, 60).map(str),  # real registration ids of other people included
    st.integers(10**18, 10**30).map(str),
    st.sampled_from(ARG_SAMPLES),
    st.text(max_size=12).map(lambda s: s.replace(":", "")),
)
callback_data = st.one_of(
    st.builds(
        lambda action, args: ":".join(["1", action, *args]),
        st.sampled_from(ACTIONS),
        st.lists(_args, max_size=3),
    ),
    st.text(min_size=1, max_size=64),
    st.sampled_from(["0:ev:offen-2026", "2:su:offen-2026", "1", "1:", "::::", "1::x"]),
).filter(lambda data: 1 <= len(data.encode()) <= 64)

inputs = st.lists(
    st.one_of(
        st.tuples(st.just("text"), texts),
        st.tuples(st.just("data"), callback_data),
        st.tuples(st.just("button"), st.integers(0, 20)),  # any button that is on screen
    ),
    min_size=1,
    max_size=4,
)


# --- the states ---------------------------------------------------------------------------------

Step = Callable[[FakeUser], Awaitable[object]]


def send(text: str) -> Step:
    return lambda user: user.send(text)


def press(action: str) -> Step:
    """Press the newest button of ``action`` (labels may change, actions do not)."""
    return lambda user: press_action(user, action)


@dataclass(frozen=True)
class State:
    steps: tuple[Step, ...]
    organiser: bool = False
    returning: bool = False  # name and consent given before (sign-up is one tap)
    group: bool = False  # in a group chat the bot is a member of


class GroupMember:
    """A person writing in a group, with the interface of a FakeUser (what the steps use)."""

    def __init__(self, group: FakeGroup, user: FakeUser) -> None:
        self.group, self.user, self.chat_id = group, user, group.chat_id

    @property
    def messages(self) -> list:  # type: ignore[type-arg]
        return self.group.messages

    async def send(self, text: str) -> object:
        return await self.group.send(self.user, text)

    async def press_data(self, data: str, message: object = None) -> object:
        return await self.group.press_data(self.user, data, message)  # type: ignore[arg-type]


CARD = (send("/termine"), press(Action.CARD))
SIGNED_UP = (send("/start ev_offen-2026"), press(Action.SIGN_UP))
STATES = {
    "new person": State(()),
    "welcome": State((send("/start"),)),
    "list": State((send("/termine"),)),
    "card": State(CARD),
    "card of a full event": State((send("/start ev_klein-2026"),), returning=True),
    "sign-up: name step": State((*CARD, press(Action.SIGN_UP))),
    "sign-up: consent step": State((*CARD, press(Action.SIGN_UP), send("Erika Muster"))),
    "signed up": State(SIGNED_UP, returning=True),
    "cancel: asked": State((*SIGNED_UP, press(Action.CANCEL)), returning=True),
    "my sign-ups": State((*SIGNED_UP, send("/meine")), returning=True),
    "privacy": State((*SIGNED_UP, send("/datenschutz")), returning=True),
    "language": State((send("/sprache"),)),
    "subscription": State((send("/abo"),)),
    "group: list": State((send("/termine"),), group=True),
    "group: card": State((send("/termine"), press(Action.CARD)), group=True),
    "organiser menu": State((send("/admin"),), organiser=True),
    "organiser: new event": State((send("/admin"), press(Action.EVENT_NEW)), organiser=True),
    "organiser: new event, 2nd field": State(
        (send("/admin"), press(Action.EVENT_NEW), send("Neuer Abend")), organiser=True
    ),
    "organiser: edit picker": State(
        (send("/admin"), press(Action.EVENT_EDIT_LIST)), organiser=True
    ),
    "organiser: edit event": State(
        (send("/admin"), press(Action.EVENT_EDIT_LIST), press(Action.EVENT_EDIT)),
        organiser=True,
    ),
    "organiser: broadcast message": State((send("/rundschreiben"),), organiser=True),
    "organiser: broadcast audience": State(
        (send("/rundschreiben"), send("Einladung <b>&</b>")), organiser=True
    ),
    "organiser: attendees": State((send("/teilnehmer"),), organiser=True),
    "organiser: check-in": State((send("/checkin"),), organiser=True),
    "organiser: stats": State((send("/statistik"),), organiser=True),
}


# --- running -----------------------------------------------------------------------------------


class Fuzzing:
    """One bot for all examples of a state; every example is a fresh person."""

    def __init__(self, bot: OfflineBot, database: Path) -> None:
        self.bot = bot
        self.database = database
        self.errors: list[BaseException] = []
        self.attendees = itertools.count(100_000)
        self.organisers = iter(ORGANISERS)
        self.attendee_chats: list[int] = []

        async def spy(update: object, context) -> None:  # type: ignore[no-untyped-def]
            self.errors.append(context.error)

        bot.app.add_error_handler(spy)

    async def prepare(self) -> None:
        db, now = self.bot.data.db, NOW
        await event_store.save_events(
            db,
            [
                make_event("offen-2026", days=10, capacity=None),
                make_event("klein-2026", days=12, capacity=2),
                make_event("abgesagt-2026", days=14, status=EventStatus.CANCELLED),
                make_event(
                    "geschlossen-2026", days=16, registration_closes_at=NOW - timedelta(hours=1)
                ),
            ],
            now,
        )
        for n, user_id in enumerate(BYSTANDERS):
            await user_store.ensure_user(db, user_id, "de", now)
            event_id = "klein-2026" if n % 2 else "offen-2026"
            await registration_store.sign_up(db, event_id, user_id, f"{SECRET_NAME} {n}", now)

    async def person(self, state: State) -> FakeUser:
        if state.group:
            group = self.bot.group(f"Gruppe {len(self.attendee_chats)}")
            self.attendee_chats.append(group.chat_id)
            member = self.bot.user(next(self.attendees), first_name="Gast")
            return GroupMember(group, member)  # type: ignore[return-value]
        if state.organiser:
            return self.bot.user(next(self.organisers), first_name="Orga")
        user_id = next(self.attendees)
        self.attendee_chats.append(user_id)
        if state.returning:
            db = self.bot.data.db
            await user_store.ensure_user(db, user_id, "de", NOW)
            await user_store.set_display_name(db, user_id, f"Gast {user_id}")
            await user_store.give_consent(db, user_id, NOW)
        return self.bot.user(user_id, first_name="Gast")

    async def example(self, state: State, actions: list[tuple[str, object]]) -> None:
        """Walk a fresh person into ``state``, then apply ``actions``; only what happens in this
        example counts (so that hypothesis shrinks to the input that broke something)."""
        errors, rejections = len(self.errors), len(self.bot.api.rejections)

        def check(what: str) -> None:
            new_errors = self.errors[errors:]
            new_rejections = self.bot.api.rejections[rejections:]
            assert not new_errors, f"{what}: unhandled {new_errors!r}"
            assert not new_rejections, f"{what}: Telegram would reject {new_rejections!r}"

        user = await self.person(state)
        for step in state.steps:
            await step(user)
        check("on the way into the state")
        for kind, value in actions:
            if kind == "text":
                await user.send(value)  # type: ignore[arg-type]
            elif kind == "data":
                if not user.messages:
                    await user.send("/start")
                await user.press_data(value)  # type: ignore[arg-type]
            else:
                buttons = [
                    (message, button)
                    for message in user.messages
                    for row in message.buttons
                    for button in row
                    if button.callback_data
                ]
                if buttons:
                    message, button = buttons[value % len(buttons)]  # type: ignore[operator]
                    await user.press_data(button.callback_data, message)
            check(f"after {kind} {value!r}")

    def bystanders(self) -> list[tuple]:
        conn = sqlite3.connect(self.database)
        try:
            return conn.execute(
                "SELECT id, event_id, user_id, name, status, ticket, checked_in_at"
                f" FROM registrations WHERE user_id BETWEEN {BYSTANDERS.start}"
                f" AND {BYSTANDERS.stop - 1} ORDER BY id"
            ).fetchall()
        finally:
            conn.close()

    def leaks(self, tickets: list[str]) -> list[str]:
        """Other people's names or tickets in anything an attendee was shown."""
        found = []
        for chat in self.attendee_chats:
            for message in self.bot.api.messages(chat, include_deleted=True):
                shown = message.text + " ".join(
                    f"{b.text} {b.callback_data or ''} {b.url or ''}"
                    for row in message.buttons
                    for b in row
                )
                if SECRET_NAME in shown or any(ticket in shown for ticket in tickets):
                    found.append(f"chat {chat}: {shown[:200]!r}")
        return found
