"""A first end-to-end pass through the real Application (the full browsing tests follow)."""

from tests.conftest import make_event


async def test_events_list_and_card(bot, add_events):
    await add_events(make_event("a-1", days=3, title="A & <B>"))
    user = bot.user(1)
    answers = await user.send("/termine")
    assert "A & <B>" in answers[-1].text
    answers = await user.press("A & <B>")
    assert "noch 80 Plätze frei" in answers[-1].text
