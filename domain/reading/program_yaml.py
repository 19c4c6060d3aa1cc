"""The YAML dialect of the program file, both ways.

Reading uses a loader that resolves only ``null`` and merge keys (``<<``) implicitly and refuses
duplicate keys: everything else stays the text the organiser typed, so an id ``2025`` stays
``"2025"``, a title ``yes`` stays ``"yes"`` and ``1.10`` is not shortened to ``1.1``. Writing
(:func:`dump_program`) produces the layout of PRODUCT §3, which reads back byte-identically.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import yaml

from domain.models import Event, EventStatus
from domain.reading.local_time import format_time, zone_name
from domain.reading.plain_text import multi_line, one_line

_KEPT_RESOLVERS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}


class ProgramLoader(yaml.SafeLoader):
    """SafeLoader that resolves only null and merge keys, and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # e.g. ``!!map text``, refused as PyYAML does
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {type(node).__name__}", node.start_mark
            )
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key_node.value!r} appears twice",
                    key_node.start_mark,
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


ProgramLoader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, rx) for tag, rx in resolvers if tag in _KEPT_RESOLVERS])
}


def yaml_error(exc: yaml.YAMLError, source: str) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        text = (
            f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
        )
        if exc.context and exc.context_mark is not None:
            text += f" ({exc.context} starting at line {exc.context_mark.line + 1})"
        return text
    if isinstance(exc, yaml.reader.ReaderError):
        line = source.count("\n", 0, exc.position) + 1
        return (
            f"YAML syntax error at line {line}: unacceptable character #x{exc.character:04x}"
            " (control characters are not allowed)"
        )
    return "YAML syntax error: " + " ".join(str(exc).split())


class _ProgramDumper(yaml.SafeDumper):
    """Lists indented under their key (as in PRODUCT §3); multi-line text as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ProgramDumper.add_representer(str, _represent_text)


def _block(text: str) -> str:
    """Multi-line text gets a final line break so that it is written as ``|``, not ``|-``."""
    return text + "\n" if "\n" in text else text


def _event_mapping(event: Event, tz: tzinfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": event.id, "title": one_line(event.title)}
    optional: list[tuple[str, Any]] = [
        ("series", event.series and one_line(event.series)),
        ("starts", format_time(event.starts_at, tz)),
        ("ends", event.ends_at and format_time(event.ends_at, tz)),
        ("venue", one_line(event.venue)),
        ("address", event.address and one_line(event.address)),
        ("latitude", None if event.latitude is None else float(event.latitude)),
        ("longitude", None if event.longitude is None else float(event.longitude)),
        ("capacity", event.capacity),
        (
            "registration_closes",
            event.registration_closes_at and format_time(event.registration_closes_at, tz),
        ),
        ("status", EventStatus(event.status).value),
        ("description", _block(multi_line(event.description or ""))),
        ("cpd_hours", event.cpd_hours),
    ]
    entry.update((key, value) for key, value in optional if value is not None and value != "")
    speakers = []
    for speaker in event.speakers:
        item = {"name": one_line(speaker.name)}
        if speaker.role and one_line(speaker.role):
            item["role"] = one_line(speaker.role)
        if speaker.bio and multi_line(speaker.bio):
            item["bio"] = _block(multi_line(speaker.bio))
        speakers.append(item)
    if speakers:
        entry["speakers"] = speakers
    return entry


def dump_program(events: list[Event], tz: tzinfo) -> str:
    """Write events as a program file (local times in ``tz``, absent fields left out)."""
    body = yaml.dump(
        {"events": [_event_mapping(event, tz) for event in events]},
        Dumper=_ProgramDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    # A blank line between evenings; "  - id: " can only start an event at this indentation.
    body = body.replace("\n  - id: ", "\n\n  - id: ").replace("events:\n\n", "events:\n", 1)
    header = (
        "# Kraft der Region – program file (format: see the comment in examples/program.yaml).\n"
        f"# Times without an offset are local times in {zone_name(tz)}.\n"
    )
    return header + body
