"""Message entities and Telegram's HTML dialect, parsed the way tdlib parses it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .constants import JSONDict


class HtmlParseError(ValueError):
    """Raised by :func:`parse_html` with the text Telegram puts after "can't parse entities: "."""


@dataclass(frozen=True)
class Entity:
    """A message entity; ``offset`` and ``length`` count UTF-16 code units like Telegram."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> JSONDict:
        """Return the Bot API JSON form (without empty optional fields)."""
        data: JSONDict = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_dict(cls, data: JSONDict) -> Entity:
        """Build an entity from Bot API JSON (as sent in an ``entities`` parameter)."""
        return cls(
            type=data["type"],
            offset=int(data["offset"]),
            length=int(data["length"]),
            url=data.get("url"),
            language=data.get("language"),
            custom_emoji_id=data.get("custom_emoji_id"),
        )


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_KNOWN_TAGS = {*_SIMPLE_TAGS, "a", "code", "pre", "span", "blockquote", "tg-emoji"}
_SPACES = " \t\n\r\v\f"
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    argument: str | None
    start: int  # UTF-16 offset in the output
    text_start: int  # index into the output pieces


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str | None, int]:
    """Decode the character reference starting at ``source[index] == "&"`` as Telegram does.

    Returns the character (or None if this is no valid reference) and the index after it.
    """
    end = index + 1
    if source.startswith("#", end):
        end += 1
        is_hex = source.startswith("x", end)
        end += is_hex
        digits = "0123456789abcdefABCDEF" if is_hex else "0123456789"
        start = end
        while end < len(source) and source[end] in digits:
            end += 1
        if end == start:
            return None, index
        code = int(source[start:end], 16 if is_hex else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, index
        char = chr(code)
    else:
        while end < len(source) and source[end].isascii() and source[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(source[index + 1 : end])
        if named is None:
            return None, index
        char = named
    if source.startswith(";", end):
        end += 1
    return char, end


def _decode_attribute(value: str) -> str:
    out, index = [], 0
    while index < len(value):
        char, end = _decode_entity(value, index) if value[index] == "&" else (None, index)
        if char is None:
            out.append(value[index])
            index += 1
        else:
            out.append(char)
            index = end
    return "".join(out)


def _read_attributes(source: str, index: int, tag: str, begin: int) -> tuple[JSONDict, int]:
    """Read the attributes of a start tag; returns them and the index after the closing '>'."""
    attributes: JSONDict = {}
    size = len(source)
    while True:
        while index < size and source[index] in _SPACES:
            index += 1
        if index >= size:
            raise HtmlParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        if source[index] == ">":
            return attributes, index + 1
        name_start = index
        while index < size and source[index] not in _SPACES and source[index] not in "=>":
            index += 1
        name = source[name_start:index]
        while index < size and source[index] in _SPACES:
            index += 1
        if index >= size or source[index] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
                f" at byte offset {_byte_offset(source, begin)}"
            )
        index += 1
        while index < size and source[index] in _SPACES:
            index += 1
        if index < size and source[index] in "'\"":
            closing = source.find(source[index], index + 1)
            if closing < 0:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                )
            attributes[name] = _decode_attribute(source[index + 1 : closing])
            index = closing + 1
        else:
            token_start = index
            while index < size and (source[index].isalnum() or source[index] in ".-"):
                index += 1
            if index >= size or source[index] not in _SPACES + ">":
                raise HtmlParseError(
                    "Unexpected end of name token at byte offset"
                    f" {_byte_offset(source, token_start)}"
                )
            attributes[name] = source[token_start:index].lower()


def _start_tag_argument(tag: str, attributes: JSONDict, source: str, begin: int) -> str | None:
    """Validate a start tag's attributes and return its argument (url, language, ...)."""
    where = f"at byte offset {_byte_offset(source, begin)}"
    if tag == "a":
        if "href" not in attributes:
            # Telegram would fall back to the link text; we insist, a missing href is a bug.
            raise HtmlParseError(f'Tag "a" must have an "href" attribute {where}')
        return attributes["href"]
    if tag == "code":
        css = attributes.get("class", "")
        return css.removeprefix("language-") if css.startswith("language-") else None
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    if tag == "tg-emoji":
        if not attributes.get("emoji-id"):
            raise HtmlParseError(f'Tag "tg-emoji" must have an "emoji-id" attribute {where}')
        return attributes["emoji-id"]
    if tag == "blockquote":
        return "expandable" if "expandable" in attributes else None
    return None


def _close_entity(opened: _OpenTag, end: int, pieces: list[str], entities: list[Entity]) -> None:
    """Append the entity for a closed tag (Telegram drops empty ones)."""
    length = end - opened.start
    if length <= 0:
        return
    offset, tag, argument = opened.start, opened.name, opened.argument
    if tag in _SIMPLE_TAGS:
        entities.append(Entity(_SIMPLE_TAGS[tag], offset, length))
    elif tag == "span":
        entities.append(Entity("spoiler", offset, length))
    elif tag == "a":
        url = argument or "".join(pieces[opened.text_start :])
        entities.append(Entity("text_link", offset, length, url=url))
    elif tag == "code":
        entities.append(Entity("code", offset, length, language=argument))
    elif tag == "pre":
        last = entities[-1] if entities else None
        if last and last.type == "code" and (last.offset, last.length) == (offset, length):
            entities[-1] = Entity("pre", offset, length, language=last.language)
        else:
            entities.append(Entity("pre", offset, length))
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append(Entity(kind, offset, length))
    elif tag == "tg-emoji":
        entities.append(Entity("custom_emoji", offset, length, custom_emoji_id=argument))


def parse_html(source: str, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram's HTML dialect into plain text and entities, raising like Telegram.

    Follows tdlib's parser: only Telegram's tags, properly nested and closed. With ``strict``
    (the default) a bare ``&`` or ``>`` is rejected too; Telegram tolerates those, but they
    always mean a missing ``html.escape`` somewhere, so tests should hear about them.
    """
    pieces: list[str] = []
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    position = 0  # UTF-16 offset of the end of the output so far
    index, size = 0, len(source)
    while index < size:
        char = source[index]
        if char == "&":
            decoded, end = _decode_entity(source, index)
            if decoded is not None:
                pieces.append(decoded)
                position += utf16_len(decoded)
                index = end
                continue
            if strict:
                raise HtmlParseError(
                    f"unescaped '&' at byte offset {_byte_offset(source, index)} (Telegram"
                    " would show it verbatim; the fake insists on &amp;)"
                )
        if char == ">" and strict:
            raise HtmlParseError(
                f"unescaped '>' at byte offset {_byte_offset(source, index)} (Telegram would"
                " show it verbatim; the fake insists on &gt;)"
            )
        if char != "<":
            pieces.append(char)
            position += 2 if ord(char) > 0xFFFF else 1
            index += 1
            continue

        begin = index
        index += 1
        if source.startswith("/", index):
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            index += 1
            name_start = index
            while index < size and source[index] not in _SPACES + ">":
                index += 1
            end_name = source[name_start:index].lower()
            while index < size and source[index] in _SPACES:
                index += 1
            if index >= size or source[index] != ">":
                raise HtmlParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, begin)}"
                )
            index += 1
            opened = stack.pop()
            if end_name and end_name != opened.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, expected"
                    f' "</{opened.name}>", found "</{end_name}>"'
                )
            _close_entity(opened, position, pieces, entities)
            continue

        name_start = index
        while index < size and source[index] not in _SPACES + ">":
            index += 1
        if index >= size:
            raise HtmlParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        tag = source[name_start:index].lower()
        if tag not in _KNOWN_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        attributes, index = _read_attributes(source, index, tag, begin)
        argument = _start_tag_argument(tag, attributes, source, begin)
        stack.append(_OpenTag(tag, argument, position, len(pieces)))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    # A language on <code> only counts inside <pre>.
    entities = [
        dataclasses.replace(e, language=None) if e.type == "code" and e.language else e
        for e in entities
    ]
    entities.sort(key=lambda e: (e.offset, -e.length))
    return "".join(pieces), entities


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity.offset - lead, 0)
        end = min(entity.offset + entity.length - lead, size)
        if end > start:
            kept.append(dataclasses.replace(entity, offset=start, length=end - start))
    return stripped, kept
