"""Paged lists (events, statistics, pickers, the door list): which slice to show, the
"Seite 2 von 4" line and the ◀ ▶ buttons, the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from telegram import InlineKeyboardButton

from bot.context import BotContext


@dataclass(frozen=True, slots=True)
class Page:
    """The slice of ``total`` items starting at ``offset``, ``size`` a page."""

    offset: int
    size: int
    total: int

    @classmethod
    def at(cls, offset: int, size: int, total: int) -> Page:
        """The page at ``offset`` (from a button, so maybe stale): clamped to the last page
        when the list has shrunk, and to the first when it is negative."""
        last = (total - 1) // size * size if total > 0 else 0
        return cls(max(0, min(offset, last)), size, total)

    @property
    def number(self) -> int:
        return self.offset // self.size + 1

    @property
    def count(self) -> int:
        return max(1, (self.total - 1) // self.size + 1)

    @property
    def previous(self) -> int | None:
        """The offset of the page before, if any."""
        return self.offset - self.size if self.offset > 0 else None

    @property
    def following(self) -> int | None:
        """The offset of the page after, if any."""
        return self.offset + self.size if self.offset + self.size < self.total else None


def page_line(context: BotContext, page: Page) -> Markup | None:
    """ "Seite 2 von 4", or ``None`` when everything fits on one page."""
    if page.count == 1:
        return None
    return context.text("list.page", page=page.number, pages=page.count)


def paging_row(
    context: BotContext,
    page: Page,
    data: Callable[[int], str],
    *,
    previous_key: str = "list.previous",
    next_key: str = "list.next",
) -> list[InlineKeyboardButton]:
    """The ◀ / ▶ buttons for ``page`` (empty on a single page); ``data(offset)`` is the
    callback data that shows the page at ``offset``."""
    return [
        InlineKeyboardButton(context.plain(key), callback_data=data(offset))
        for key, offset in ((previous_key, page.previous), (next_key, page.following))
        if offset is not None
    ]
