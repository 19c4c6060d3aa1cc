"""The one paging rule every list uses (events, statistics, pickers)."""

from __future__ import annotations

from bot.paging import Page


def test_pages_of_a_list():
    first = Page.at(0, 5, 12)
    assert (first.number, first.count, first.previous, first.following) == (1, 3, None, 5)
    last = Page.at(10, 5, 12)
    assert (last.number, last.previous, last.following) == (3, 5, None)


def test_a_stale_offset_lands_on_a_page_that_exists():
    assert Page.at(40, 5, 12).offset == 10  # the list shrank since the button was sent
    assert Page.at(-5, 5, 12).offset == 0
    assert Page.at(7, 5, 12).offset == 7  # mid-page offsets are kept (items shift by one)
    empty = Page.at(3, 5, 0)
    assert (empty.offset, empty.count, empty.previous, empty.following) == (0, 1, None, None)


def test_exactly_one_full_page_has_no_buttons():
    page = Page.at(0, 5, 5)
    assert page.count == 1 and page.previous is None and page.following is None
