"""Issue 23, bullet 3: the screens that told people things that were not so — the venue button
of an evening without address, cancelled evenings in lists and cards, /abo and /sprache. (The
statistics' sections are in test_stats_sections.py, the broadcasts' buttons in
test_broadcast_buttons.py.) Each test fails on 61def71."""

from __future__ import annotations

from tests.conftest import make_event


async def test_venue_without_address_sends_the_named_venue_not_to_be_announced(bot, add_events):
    await add_events(
        make_event("bare", days=7, address=None, latitude=None, longitude=None, venue="Rampe")
    )
    user = bot.user(1)
    await user.send("/start ev_bare")
    [answer] = await user.press("Veranstaltungsort")
    assert "Rampe" in answer.text
    assert "bekannt gegeben" not in answer.text
    assert "Adresse ist für diesen Termin noch nicht angegeben" in answer.text
    assert answer.button_labels == ["« Zum Termin"]  # a way on: the card
    [card] = await user.press(answer.button_labels[0])
    assert "Umbau statt Neubau" in card.text


async def test_venue_with_address_only_links_a_map_search(bot, add_events):
    await add_events(make_event("addr", days=7, latitude=None, longitude=None))
    user = bot.user(1, language_code="en")
    await user.send("/start ev_addr")
    [answer] = await user.press("Venue")
    assert "Danneckerstraße 54" in answer.text
    assert "openstreetmap.org/search?query=" in (answer.html or "")
    assert "Search on the map" in answer.text


async def test_venue_pin_has_a_way_back_to_the_card(bot, add_events):
    await add_events(make_event("pin", days=7))
    user = bot.user(1)
    await user.send("/start ev_pin")
    [pin] = await user.press("Veranstaltungsort")
    assert pin.venue is not None
    assert pin.button_labels == ["« Zum Termin"]
