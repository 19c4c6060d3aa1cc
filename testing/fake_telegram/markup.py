"""Reading request parameters: JSON values, reply markup (validated like Telegram), uploads."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .constants import CALLBACK_DATA_LIMIT, JSONDict
from .records import Button, _ApiError

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_URL_PATTERN = re.compile(r"^(?:(?:https?|tg)://\S+|[\w.-]+\.[A-Za-z]{2,}(?:[/?#]\S*)?)$")


def _as_json(value: Any) -> Any:
    """Parameters arrive as Python values or, from some callers, as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise _ApiError(400, "Bad Request: can't parse JSON object") from exc
    return value


def _parse_buttons(markup: JSONDict) -> list[list[Button]]:
    """Validate an inline keyboard like Telegram and return its buttons."""
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _ApiError(400, "Bad Request: can't parse inline keyboard: expected an Array")
    parsed = []
    for row in rows:
        parsed_row = []
        for raw in row:
            text = raw.get("text") if isinstance(raw, dict) else None
            if not isinstance(text, str):
                raise _ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
                )
            if not text.strip():
                raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID (empty button text)")
            actions = [key for key in _BUTTON_ACTIONS if key in raw]
            if not actions:
                raise _ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if len(actions) > 1:
                raise _ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: exactly one of the optional"
                    f" fields must be used, got {', '.join(actions)}",
                )
            kind = actions[0]
            data = raw.get("callback_data")
            if kind == "callback_data" and (
                not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT
            ):
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = raw.get("url")
            if kind == "url" and not (isinstance(url, str) and _URL_PATTERN.match(url)):
                raise _ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            parsed_row.append(Button(text, data, url, kind))
        parsed.append(parsed_row)
    return parsed


@dataclass(frozen=True)
class _Markup:
    raw: JSONDict | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None


def _parse_markup(value: Any) -> _Markup:
    """Parse a reply_markup parameter (dict or JSON string) of any of the four kinds."""
    if value is None:
        return _Markup()
    markup = _as_json(value)
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _Markup(markup, _parse_buttons(markup))
    if "keyboard" in markup:
        labels = [
            [b["text"] if isinstance(b, dict) else str(b) for b in row]
            for row in markup["keyboard"]
        ]
        return _Markup(reply_keyboard=labels)
    return _Markup()


def _markup_key(markup: JSONDict | None) -> str:
    return json.dumps(markup, sort_keys=True)


def _read_content(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    data = content.read()
    return data.encode() if isinstance(data, str) else data
