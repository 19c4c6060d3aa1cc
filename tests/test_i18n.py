"""The catalogues: both languages complete and consistent; escaping happens in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup

from bot.i18n import Translator, resolve_language
from bot.render import Renderer
from testing.fake_telegram import parse_html

translator = Translator.load()


def test_both_languages_have_the_same_message_ids():
    assert translator.keys("de") == translator.keys("en")


@pytest.mark.parametrize("key", sorted(translator.keys("de")))
def test_placeholders_agree_and_every_text_is_valid_telegram_html(key):
    assert translator.placeholders("de", key) == translator.placeholders("en", key), key
    if key.startswith("format."):
        return
    for lang in ("de", "en"):
        values = {name: "x" for name in translator.placeholders(lang, key)}
        values.pop("count", None)
        for count in (1, 2):
            text = translator.text(lang, key, count=count, **values)
            parse_html(text)  # raises on malformed HTML


def test_values_are_escaped_but_html_values_are_not():
    text = translator.text("de", "card.title", title="<b>A & B</b>")
    assert text == "<b>&lt;b&gt;A &amp; B&lt;/b&gt;</b>"
    assert translator.text("de", "card.title", title=Markup("<i>ok</i>")) == "<b><i>ok</i></b>"


def test_plain_text_joined_to_a_text_is_escaped_by_its_type():
    """The old hand-made re-wrapping (``Html(a + "\\n" + b)``) trusted ``b``; now a plain str
    combined with a catalogue text in any way is escaped, and quotes become entities Telegram
    reads."""
    translator = Translator.load()
    title = translator.text("de", "card.title", title="A & B")
    hostile = '<b>bold</b> & "quoted"'
    for combined in (
        title + "\n" + hostile,
        Markup("\n").join([title, hostile]),
        Markup("{0}\n{1}").format(title, hostile),
    ):
        assert isinstance(combined, Markup)
        assert "<b>bold</b>" not in combined and "&lt;b&gt;bold&lt;/b&gt; &amp;" in combined
        parsed_text, _ = parse_html(str(combined))
        assert parsed_text.endswith('<b>bold</b> & "quoted"')  # what the reader sees


def test_plain_text_for_buttons_is_not_escaped():
    assert translator.plain("de", "list.button", index=1, title="A & <B>") == "1. A & <B>"


def test_plurals_follow_the_language():
    assert translator.text("de", "card.seats_free", count=1) == "✅ noch 1 Platz frei"
    assert translator.text("de", "card.seats_free", count=12) == "✅ noch 12 Plätze frei"
    assert translator.text("en", "card.seats_free", count=1) == "✅ 1 seat left"


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [
        ("en", "de", "en"),
        (None, "de-AT", "de"),
        (None, "en-US", "en"),
        (None, "fr", "de"),
        (None, None, "de"),
        ("xx", "en", "en"),
    ],
)
def test_language_resolution(chosen, telegram, expected):
    assert resolve_language(chosen, telegram, "de") == expected


def test_dates_in_both_languages_in_the_configured_zone():
    moment = datetime(2025, 10, 22, 16, 30, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert (
        Renderer(translator, "de", berlin).when(moment) == "Mittwoch, 22. Oktober 2025, 18:30 Uhr"
    )
    assert Renderer(translator, "en", berlin).when(moment) == "Wednesday, 22 October 2025, 6:30 PM"
    london = ZoneInfo("Europe/London")
    assert (
        Renderer(translator, "de", london).when(moment) == "Mittwoch, 22. Oktober 2025, 17:30 Uhr"
    )
