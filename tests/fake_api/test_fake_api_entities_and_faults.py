"""The fake Bot API's entity parsing (UTF-16 offsets, nested tags) and its injected faults,
which raise what PTB raises against Telegram (flood control, timeouts, outages)."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from testing.fake_telegram import Entity, FakeBotApi, parse_html
from tests.fake_api.conftest import IGNORE_RETRY_AFTER_DEPRECATION, USER_ID

# -- entities --------------------------------------------------------------------------------


def test_entity_offsets_count_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>Fest 🎉</b> &amp; <a href='https://x.org'>Link</a>")

    assert text == "😀 Fest 🎉 & Link"
    assert entities == [
        Entity("bold", 3, 7),
        Entity("text_link", 13, 4, url="https://x.org"),
    ]


def test_pre_with_language_and_nested_tags() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">a &lt; b</code></pre>'
        '<blockquote expandable><span class="tg-spoiler">s</span></blockquote>'
    )

    assert text == "a < bs"
    assert sorted(entities, key=lambda e: e.type) == [
        Entity("expandable_blockquote", 5, 1),
        Entity("pre", 0, 5, language="python"),
        Entity("spoiler", 5, 1),
    ]


# -- fault injection -------------------------------------------------------------------------


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_injected_faults_raise_what_ptb_raises(app: Application, api: FakeBotApi) -> None:
    api.fail_next(1, status=429, retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await app.bot.send_message(USER_ID, "a")
    assert flood.value.retry_after == 3

    api.fail_next(1, status="timeout", method="sendMessage")
    with pytest.raises(TimedOut):
        await app.bot.send_message(USER_ID, "b")
    api.fail_next(1, status=502)
    with pytest.raises(NetworkError):
        await app.bot.send_message(USER_ID, "c")

    api.block(USER_ID)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(USER_ID, "d")
    api.unblock(USER_ID)

    api.set_down(True)
    with pytest.raises(NetworkError):
        await app.bot.send_message(USER_ID, "e")
    api.set_down(False)
    await app.bot.send_message(USER_ID, "f")

    assert [m.text for m in api.messages(USER_ID)] == ["f"]
    assert [c.status for c in api.calls_to("sendMessage")] == [
        429,
        "timeout",
        502,
        403,
        "down",
        200,
    ]
    assert api.rejections == []


@IGNORE_RETRY_AFTER_DEPRECATION
async def test_enforce_rate_counts_429s(app: Application, api: FakeBotApi) -> None:
    api.enforce_rate(5)

    results = await asyncio.gather(
        *(app.bot.send_message(USER_ID, f"n{i}") for i in range(8)), return_exceptions=True
    )

    assert sum(isinstance(r, RetryAfter) for r in results) == 3
    assert api.rate_429s == 3
    assert len(api.messages(USER_ID)) == 5
    await app.bot.send_chat_action(USER_ID, "typing")  # not rate-limited
