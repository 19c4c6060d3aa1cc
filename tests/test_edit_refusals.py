"""Edits tolerate only "message is not modified"; any other refusal is logged, not swallowed."""

from __future__ import annotations

import logging

from telegram.error import BadRequest

from handlers.ui import editing
from tests.conftest import make_event


async def test_other_bad_request_on_edit_is_logged(bot, add_events, caplog):
    await add_events(
        *(make_event(f"e-{i:02}", days=i + 1, title=f"Abend {i:02}") for i in range(7))
    )
    user = bot.user(1)
    await user.send("/termine")
    bot.api.fail_next(1, 400, method="editMessageText")
    with caplog.at_level(logging.WARNING, logger="handlers.ui.editing"):
        await user.press("Spätere ▶")
    refusals = [r for r in caplog.records if r.name == "handlers.ui.editing"]
    assert refusals and refusals[0].exc_info is not None
    assert "injected failure" in str(refusals[0].exc_info[1]).lower()


def test_not_modified_stays_silent(caplog):
    with (
        caplog.at_level(logging.DEBUG, logger="handlers.ui.editing"),
        editing.tolerating_unchanged(),
    ):
        raise BadRequest("Message is not modified: specified new message content")
    assert not [r for r in caplog.records if r.name == "handlers.ui.editing"]
