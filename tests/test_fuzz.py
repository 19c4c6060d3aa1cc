"""Fuzzing (issue 6.4): random texts and random callback data in every dialogue state of every
feature, through the real Application.

For each state a fresh person walks there the way a real one would (commands and button
presses), then hypothesis sends random input: any Unicode, RTL and zero-width marks, emoji,
10,000 characters, HTML and Markdown, SQL fragments, commands with junk arguments, forged and
malformed button data (including other people's registration ids). Afterwards:

- no handler raised (an error-handler spy records every exception);
- the bot sent nothing Telegram would reject;
- attendees saw nothing of other people (their names, tickets) and changed none of their
  sign-ups;
- the database invariants hold (capacity, waitlist order, no orphans, one sign-up per person).

The suite runs 50 fixed examples per state; ``FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py``
makes a deeper run with fresh random examples each time.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings

from testing.offline import offline_bot
from tests.conftest import frozen_clock, make_settings
from tests.fuzz_support import DERANDOMIZE, EXAMPLES, ORGANISERS, STATES, Fuzzing, inputs
from tests.invariants import assert_consistent


@pytest.mark.parametrize("name", list(STATES))
def test_random_input_never_breaks_anything(name, tmp_path):
    state = STATES[name]
    database = tmp_path / "bot.sqlite3"
    config = make_settings(tmp_path, admin_ids=frozenset(ORGANISERS))
    with asyncio.Runner() as runner:
        context = offline_bot(config, clock=frozen_clock())
        bot = runner.run(context.__aenter__())
        try:
            fuzzing = Fuzzing(bot, database)
            runner.run(fuzzing.prepare())
            before = fuzzing.bystanders()

            @settings(
                max_examples=EXAMPLES,
                derandomize=DERANDOMIZE,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            )
            @given(actions=inputs)
            def run_example(actions: list[tuple[str, object]]) -> None:
                runner.run(fuzzing.example(state, actions))

            run_example()
        finally:
            runner.run(context.__aexit__(None, None, None))
    assert_consistent(database)
    if not state.organiser:
        assert fuzzing.bystanders() == before, "an attendee changed other people's sign-ups"
        tickets = [row[5] for row in before if row[5]]
        assert not fuzzing.leaks(tickets), fuzzing.leaks(tickets)[:3]
