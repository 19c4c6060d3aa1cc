"""Terminal rendering of bot messages for the console mode."""

from __future__ import annotations

import itertools

from .records import SentMessage

_ANSI = {
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "strikethrough": ("\x1b[9m", "\x1b[29m"),
    "code": ("\x1b[36m", "\x1b[39m"),
    "pre": ("\x1b[36m", "\x1b[39m"),
    "spoiler": ("\x1b[7m", "\x1b[27m"),
}


def _utf16_to_index(text: str) -> dict[int, int]:
    """Map every UTF-16 offset that starts a character (and the end) to a str index."""
    mapping, position = {}, 0
    for index, char in enumerate(text):
        mapping[position] = index
        position += 2 if ord(char) > 0xFFFF else 1
    mapping[position] = len(text)
    return mapping


def _styled_text(message: SentMessage, color: bool) -> str:
    """The text with ANSI styles (if ``color``) and links written as ``text (url)``."""
    text = message.text
    index = _utf16_to_index(text)
    inserts: list[tuple[int, int, str]] = []  # (position, order, string)
    for order, entity in enumerate(message.entities):
        start = index.get(entity.offset, 0)
        end = index.get(entity.offset + entity.length, len(text))
        if entity.type == "text_link" and entity.url:
            inserts.append((end, -order, f" ({entity.url})"))
        elif color and entity.type in _ANSI:
            on, off = _ANSI[entity.type]
            inserts.append((start, order, on))
            inserts.append((end, -order, off))
    out, cursor = [], 0
    for position, _, string in sorted(inserts, key=lambda item: (item[0], item[1])):
        out.append(text[cursor:position])
        out.append(string)
        cursor = position
    out.append(text[cursor:])
    return "".join(out)


def render_for_terminal(message: SentMessage, color: bool) -> str:
    """Show a bot message in a terminal: styled text, media notes and numbered buttons.

    Buttons are numbered from 1 across all rows, the numbers :meth:`FakeUser.press` accepts.
    """
    if message.deleted:
        return "🗑 (message deleted)"
    lines = []
    if message.document is not None:
        size = len(message.document.content or b"")
        lines.append(f"📎 {message.document.filename} ({size} bytes)")
    if message.photo_file_id is not None:
        lines.append(f"🖼 photo ({len(message.photo or b'')} bytes)")
    if message.venue is not None:
        venue = message.venue
        lines.append(f"📍 {venue.title}, {venue.address} ({venue.latitude}, {venue.longitude})")
    elif message.location is not None:
        lines.append(f"📍 ({message.location.latitude}, {message.location.longitude})")
    if message.text:
        lines.append(_styled_text(message, color))
    number = itertools.count(1)
    for row in message.buttons:
        cells = []
        for button in row:
            suffix = f" ↗ {button.url}" if button.url else ""
            cells.append(f"[{next(number)}] {button.text}{suffix}")
        lines.append("  ".join(cells))
    if message.reply_keyboard:
        lines.extend("⌨ " + " | ".join(row) for row in message.reply_keyboard)
    if message.edits:
        lines.append("\x1b[2m(edited)\x1b[22m" if color else "(edited)")
    return "\n".join(lines)
