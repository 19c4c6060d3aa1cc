"""The JSON type, Bot API limits and Telegram's error texts that the fake reproduces."""

from __future__ import annotations

from typing import Any

JSONDict = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64

#: The methods :meth:`FakeBotApi.enforce_rate` counts and throttles.
RATE_LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "sendPhoto",
        "sendDocument",
        "sendVenue",
        "sendLocation",
        "editMessageText",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
UNAUTHORIZED = "Unauthorized"  # the whole description Telegram gives for a wrong token
