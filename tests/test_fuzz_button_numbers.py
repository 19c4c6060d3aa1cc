"""Fuzzing the numeric arguments of button data (issue 6.4): Unicode digits that
``str.isdigit()`` accepts, huge numbers and empty parts, for every action, are answered as
stale and never reach the error handler."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testing.offline import offline_bot
from tests.conftest import frozen_clock, make_settings
from tests.fuzz_support import ACTIONS, DERANDOMIZE, EXAMPLES, ORGANISERS, Fuzzing, State

# Characters str.isdigit() accepts although they are no ASCII digits (superscript, Arabic-Indic,
# fullwidth, circled): button data carrying them must be answered as stale, never crash.
UNICODE_DIGITS = ["²", "٣", "１", "①", "߁", "𝟗"]
_numeric_args = st.one_of(
    st.builds(
        "".join,
        st.lists(st.sampled_from([*UNICODE_DIGITS, "0", "1", "7"]), min_size=1, max_size=6),
    ),
    st.integers(10**17, 10**40).map(str),
    st.sampled_from(["", "-0", "+1", " 1", "1 ", "0x1", "1_0", "1e3", "00", "9" * 19]),
)
numeric_callback_data = st.builds(
    lambda action, args, extra: ":".join(["1", action, *args]) + ":" * extra,
    st.sampled_from(ACTIONS),
    st.lists(_numeric_args, max_size=3),
    st.integers(0, 3),  # empty trailing parts and extra colons
).filter(lambda data: len(data.encode()) <= 64)


def test_numeric_button_arguments_are_ascii_digits_only(tmp_path):
    """Every press of a button of any action whose arguments are Unicode digits, huge numbers or
    empty parts is answered, and nothing reaches the error handler."""
    config = make_settings(tmp_path, admin_ids=frozenset(ORGANISERS))
    with asyncio.Runner() as runner:
        context = offline_bot(config, clock=frozen_clock())
        bot = runner.run(context.__aenter__())
        try:
            fuzzing = Fuzzing(bot, tmp_path / "bot.sqlite3")
            runner.run(fuzzing.prepare())
            people = {
                "attendee": runner.run(fuzzing.person(State((), returning=True))),
                "organiser": runner.run(fuzzing.person(State((), organiser=True))),
            }
            for user in people.values():
                runner.run(user.send("/start ev_offen-2026"))

            @settings(
                max_examples=max(EXAMPLES, 200),
                derandomize=DERANDOMIZE,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            )
            @given(who=st.sampled_from(sorted(people)), data=numeric_callback_data)
            def press_once(who: str, data: str) -> None:
                errors = len(fuzzing.errors)
                runner.run(people[who].press_data(data))
                assert not fuzzing.errors[errors:], f"{data!r}: {fuzzing.errors[errors:]!r}"
                assert not bot.api.pending_callback_queries, f"{data!r} was not answered"

            press_once()
        finally:
            runner.run(context.__aexit__(None, None, None))
