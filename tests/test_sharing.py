"""Issue 25, bullet 4: sharing in Telegram. An inline query ``@<bot> part of a title`` in any
chat is answered with the upcoming evenings as cards (title, date, venue, seats) and a button
that opens the evening in the bot; the bot's own card gets "Teilen" (the chat chooser with
that title) only when getMe reports supports_inline_queries."""

from __future__ import annotations

from datetime import timedelta

from domain.models import EventStatus
from storage import events as event_store
from testing.fake_telegram import FakeBotApi
from testing.offline import offline_bot
from tests.conftest import make_event
from tests.organiser_support import sign_up


async def _evenings(add_events) -> None:
    await add_events(
        make_event("umbau-2026", capacity=2),
        make_event("holz-2026", days=21, title="Bauen mit Holz"),
        make_event("alt-2026", days=-7, title="Umbau im Bestand"),  # already over
        make_event("abgesagt-2026", days=28, title="Umbau abgesagt", status=EventStatus.CANCELLED),
    )


async def test_an_inline_query_is_answered_with_the_matching_evenings(bot, add_events, clock):
    await _evenings(add_events)
    await sign_up(bot, clock.now(), "umbau-2026", 11, "Anna")
    user = bot.user(50, first_name="Eva")
    answer = await user.inline("umbau")
    assert [result["title"] for result in answer.results] == ["Umbau statt Neubau"]
    [card] = answer.results
    assert card["type"] == "article"
    assert card["description"] == (
        "Mi., 9. Dez. 2026, 18:30 · Haus der Architektinnen und Architekten · ✅ noch 1 Platz frei"
    )
    assert "Umbau statt Neubau" in card["input_message_content"]["message_text"]
    [[button]] = card["reply_markup"]["inline_keyboard"]
    assert button["url"] == "https://t.me/KraftDerRegionBot?start=ev_umbau-2026"
    assert not answer.is_personal

    everything = await user.inline("")
    assert [result["id"] for result in everything.results] == ["umbau-2026", "holz-2026"]
    assert (await user.inline("zzz")).results == []


async def test_the_inline_card_opens_the_evening_in_the_bot(bot, add_events):
    await _evenings(add_events)
    user = bot.user(50, first_name="Eva")
    [answer] = await user.send("/start ev_holz-2026")
    assert "Bauen mit Holz" in answer.text


async def test_teilen_only_when_inline_mode_is_on(settings, clock):
    for inline_mode in (False, True):
        api = FakeBotApi(supports_inline_queries=inline_mode)
        async with offline_bot(settings, clock=clock, api=api) as running:
            await event_store.save_events(running.data.db, [make_event()], clock.now())
            user = running.user(50, first_name="Eva")
            [card] = await user.send("/start ev_umbau-2026")
            shares = [
                button
                for row in card.reply_markup["inline_keyboard"]
                for button in row
                if "switch_inline_query_chosen_chat" in button
            ]
            if not inline_mode:
                assert shares == []
                continue
            [share] = shares
            assert share["text"] == "📤 Teilen"
            chooser = share["switch_inline_query_chosen_chat"]
            assert chooser["query"] == "Umbau statt Neubau"
            assert chooser["allow_group_chats"] and chooser["allow_user_chats"]


async def test_no_teilen_on_an_evening_that_has_begun(settings, clock):
    api = FakeBotApi(supports_inline_queries=True)
    async with offline_bot(settings, clock=clock, api=api) as running:
        await event_store.save_events(running.data.db, [make_event()], clock.now())
        clock.advance(timedelta(days=14, hours=9))
        [card] = await running.user(50, first_name="Eva").send("/start ev_umbau-2026")
        labels = [button["text"] for row in card.reply_markup["inline_keyboard"] for button in row]
        assert "📤 Teilen" not in labels
