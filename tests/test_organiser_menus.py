"""Issue 12: the organiser command menu in each organiser's language, set when an organiser
first writes as well as at start-up, and taken away from ids no longer in ADMIN_IDS."""

from __future__ import annotations

from telegram import BotCommandScopeChat

from testing.offline import offline_bot
from tests.conftest import ADMIN_ID


async def test_an_english_organiser_new_to_the_bot_gets_english_commands(bot):
    # At start-up nobody knew this organiser's language: the default (German) menu.
    assert "teilnehmer" in dict(bot.api.commands(BotCommandScopeChat(ADMIN_ID)))
    admin = bot.user(ADMIN_ID, first_name="Orga", language_code="en")
    await admin.send("/help")
    names = dict(bot.api.commands(BotCommandScopeChat(ADMIN_ID)))
    assert names["attendees"] == "Attendees of an event"
    assert "teilnehmer" not in names
    calls = len(bot.api.calls_to("setMyCommands"))
    await admin.send("/events")
    assert len(bot.api.calls_to("setMyCommands")) == calls  # once, not on every message


async def test_a_removed_organiser_loses_the_menu(settings, clock):
    async with offline_bot(settings, clock=clock) as running:
        assert running.api.commands(BotCommandScopeChat(ADMIN_ID))
    removed = settings.model_copy(update={"admin_ids": frozenset()})
    async with offline_bot(removed, clock=clock) as running:
        deleted = running.api.calls_to("deleteMyCommands")
        assert [call.params["scope"]["chat_id"] for call in deleted] == [ADMIN_ID]
    async with offline_bot(removed, clock=clock) as running:
        assert running.api.calls_to("deleteMyCommands") == []  # once is enough
