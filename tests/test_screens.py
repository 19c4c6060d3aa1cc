"""Issue 23, bullet 3: the screens that told people things that were not so — the venue button
of an evening without address, cancelled evenings in lists and cards, /abo and /sprache. (The
statistics' sections are in test_stats_sections.py, the broadcasts' buttons in
test_broadcast_buttons.py.) Each test fails on 61def71."""

from __future__ import annotations

from domain.models import EventStatus
from tests.conftest import ADMIN_ID, make_event
from tests.web_support import served


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


# --- /abo and /sprache --------------------------------------------------------------------------


async def test_abo_shown_again_states_the_setting_without_from_now_on(bot):
    user = bot.user(40)
    await user.send("/start")
    answers = await user.press("Ja, gern")
    assert answers[-1].text.startswith("📣 Sie bekommen ab jetzt")  # just switched: so it is
    assert answers[-1].button_labels == ["🔕 Ankündigungen abbestellen"]  # and a way back
    [view] = await user.send("/abo")
    assert view.text.startswith("📣 Sie erhalten Ankündigungen neuer Termine")
    assert "ab jetzt" not in view.text
    assert view.button_labels == ["🔕 Ankündigungen abbestellen"]
    [off] = await user.press("🔕 Ankündigungen abbestellen", view)
    assert off.text == "🔕 Sie bekommen ab jetzt keine Ankündigungen neuer Termine mehr."
    [view] = await user.send("/abo")
    assert view.text == "🔕 Sie erhalten keine Ankündigungen neuer Termine."
    assert view.button_labels == ["📣 Ankündigungen bestellen"]


async def test_never_subscribed_is_not_told_again(bot):
    user = bot.user(41)
    await user.send("/start")
    answers = await user.press("Nein, danke")
    assert answers[-1].text == "🔕 Sie erhalten keine Ankündigungen neuer Termine."
    assert "wieder" not in answers[-1].text
    assert answers[-1].button_labels == ["📣 Ankündigungen bestellen"]
    [view] = await user.send("/abo")
    assert "wieder" not in view.text and "ab jetzt" not in view.text
    english = bot.user(42, language_code="en")
    [view] = await english.send("/subscribe")
    assert view.text == "🔕 You do not get announcements of new events."
    [on] = await english.press("📣 Get announcements", view)
    assert on.text.startswith("📣 From now on")
    [view] = await english.send("/subscribe")
    assert view.text.startswith("📣 You get announcements") and "now on" not in view.text


async def test_sprache_shows_the_current_language(bot):
    user = bot.user(43)
    [choice] = await user.send("/sprache")
    assert "zurzeit auf Deutsch" in choice.text
    assert choice.button_labels == ["✓ Deutsch", "English"]
    await user.press("English", choice)
    [choice] = await user.send("/language")
    assert "in English at the moment" in choice.text
    assert choice.button_labels == ["Deutsch", "✓ English"]


# --- cancelled evenings in lists and cards ---------------------------------------------------


async def test_list_counts_and_marks_a_cancelled_evening(bot, add_events):
    await add_events(
        make_event("a", days=3, title="Abend A"),
        make_event("b", days=4, title="Abend B", status=EventStatus.CANCELLED),
        make_event("c", days=5, title="Abend C"),
    )
    [listing] = await bot.user(1).send("/termine")
    assert listing.text.startswith("Die nächsten 3 Termine, davon 1 abgesagt")
    assert listing.button_labels[:3] == ["1. Abend A", "2. 🚫 abgesagt: Abend B", "3. Abend C"]
    [english] = await bot.user(2, language_code="en").send("/events")
    assert english.text.startswith("The next 3 events, 1 of them cancelled")
    assert english.button_labels[1] == "2. 🚫 cancelled: Abend B"


async def test_only_one_evening_and_it_is_cancelled(bot, add_events):
    await add_events(make_event("b", days=4, title="Abend B", status=EventStatus.CANCELLED))
    [listing] = await bot.user(1).send("/termine")
    assert listing.text.startswith("Der nächste Termin – abgesagt")


async def test_organiser_picker_says_abgesagt(bot, add_events):
    await add_events(
        make_event("a", days=3, title="Abend A"),
        make_event("b", days=4, title="Abend B", status=EventStatus.CANCELLED),
    )
    [picker] = await bot.user(ADMIN_ID).send("/teilnehmer")
    cancelled = [label for label in picker.button_labels if "Abend B" in label]
    assert cancelled and cancelled[0].startswith("🚫 abgesagt: Abend B")
    assert not any("abgesagt" in label for label in picker.button_labels if "Abend A" in label)


async def test_cancelled_card_claims_no_fortbildung_hours(bot, add_events):
    await add_events(
        make_event("held", days=3, cpd_hours=2),
        make_event("off", days=4, cpd_hours=2, status=EventStatus.CANCELLED),
    )
    user = bot.user(1)
    [card] = await user.send("/start ev_held")
    assert "Fortbildungsstunden" in card.text
    [card] = await user.send("/start ev_off")
    assert "abgesagt" in card.text.lower()
    assert "Fortbildung" not in card.text


async def test_cancelled_evening_page_claims_no_fortbildung_hours(bot, add_events):
    await add_events(
        make_event("held", days=3, cpd_hours=2),
        make_event("off", days=4, cpd_hours=2, status=EventStatus.CANCELLED),
    )
    async with served(bot) as web:
        held = (await web.get("/termine/held")).text
        off = (await web.get("/termine/off")).text
    assert "Fortbildungsstunden" in held
    assert "Fortbildungsstunden" not in off
