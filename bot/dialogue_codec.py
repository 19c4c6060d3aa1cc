"""Dialogue drafts as JSON of plain values, for keeping open dialogues across restarts.

Not pickle: only JSON types, tuples, aware datetimes and the dataclasses and enums registered
with :func:`register` can come back, each field by name. Anything else fails loudly when it is
written (a draft type nobody registered) and is dropped when it is read (:class:`DraftError`, a
draft written by an older version whose fields no longer fit).

Tagged values are objects whose only keys start with ``$``: ``{"$tuple": [...]}``,
``{"$datetime": "…"}``, ``{"$enum": name, "value": …}``, ``{"$obj": name, "fields": {...}}``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import Enum
from typing import Any

_types: dict[str, type] = {}


class DraftError(ValueError):
    """A stored draft that cannot be read back (unknown type or field, malformed JSON)."""


def register(*types: type) -> None:
    """Allow these dataclasses and enums in drafts (by class name, which must be unique)."""
    for kind in types:
        if not (dataclasses.is_dataclass(kind) or issubclass(kind, Enum)):
            raise TypeError(f"{kind.__name__} is neither a dataclass nor an enum")
        known = _types.setdefault(kind.__name__, kind)
        if known is not kind:
            raise TypeError(f"two draft types are called {kind.__name__}")


def encode(value: Any) -> Any:
    """``value`` as a JSON-ready structure."""
    if isinstance(value, Enum):
        return {"$enum": _registered(type(value)), "value": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetimes are not kept: attach a time zone")
        return {"$datetime": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) and not key.startswith("$") for key in value):
            raise TypeError("draft dictionaries need text keys not starting with $")
        return {key: encode(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$obj": _registered(type(value)), "fields": fields}
    raise TypeError(f"{type(value).__name__} cannot be kept in a draft")


def _registered(kind: type) -> str:
    if _types.get(kind.__name__) is not kind:
        raise TypeError(f"{kind.__name__} is not registered for drafts")
    return kind.__name__


def decode(data: Any) -> Any:
    """The value :func:`encode` made ``data`` from; :class:`DraftError` if it cannot be."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if not any(key.startswith("$") for key in data):
        return {key: decode(item) for key, item in data.items()}
    try:
        if data.keys() == {"$tuple"}:
            return tuple(decode(item) for item in data["$tuple"])
        if data.keys() == {"$datetime"}:
            moment = datetime.fromisoformat(data["$datetime"])
            if moment.tzinfo is None:
                raise DraftError("a naive datetime in a draft")
            return moment
        if data.keys() == {"$enum", "value"}:
            return _type(data["$enum"], Enum)(data["value"])
        if data.keys() == {"$obj", "fields"}:
            kind = _type(data["$obj"], object)
            names = {f.name for f in dataclasses.fields(kind) if f.init}
            fields = data["fields"]
            if not isinstance(fields, dict) or not set(fields) <= names:
                raise DraftError(f"the fields of {kind.__name__} have changed")
            return kind(**{name: decode(value) for name, value in fields.items()})
    except (TypeError, ValueError) as exc:
        raise DraftError(str(exc)) from exc
    raise DraftError(f"unknown tag in a draft: {sorted(data)}")


def _type(name: object, base: type) -> Any:
    kind = _types.get(name) if isinstance(name, str) else None
    if kind is None or not issubclass(kind, base):
        raise DraftError(f"unknown draft type {name!r}")
    return kind


def dumps(values: dict[str, Any]) -> str:
    """``values`` as JSON text (compact, stable key order so equal drafts give equal text)."""
    return json.dumps(encode(values), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def loads(text: str) -> dict[str, Any]:
    """The values :func:`dumps` wrote; :class:`DraftError` if they cannot be read."""
    try:
        values = decode(json.loads(text))
    except json.JSONDecodeError as exc:
        raise DraftError(str(exc)) from exc
    if not isinstance(values, dict):
        raise DraftError("a draft is an object of fields")
    return values
