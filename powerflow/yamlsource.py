"""YAML read with the line of every field, so errors can say ``file:line: field: …``.

Used by every file format powerflow reads (definitions, alert policies). Duplicate keys are an
error (PyYAML would silently keep the last), and list items are named by their ``id``,
``action`` or ``right`` in field paths (``steps.review.limit``) when that name is unique.

Reading is bounded before anything is built: a text over ``MAX_CHARS``, nesting deeper than
``MAX_DEPTH`` or aliases that expand to more than ``MAX_NODES`` nodes (a "billion laughs" file)
is refused with a ``load.*`` problem, never a MemoryError, RecursionError or hang. libyaml's C
parser is used when PyYAML has it (about ten times faster, same line numbers); the pure-Python
parser is the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

ITEM_KEYS = ("id", "action", "right")

MAX_CHARS = 1_000_000
"""Longest text read: the largest shipped definition is a few dozen KiB."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists: the definition language needs about six levels."""
MAX_NODES = 200_000
"""Most nodes once every alias is expanded: bounds the work and memory of one file."""

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The loader class used: libyaml's when PyYAML was built with it, else the Python one."""


class YamlProblem(Exception):
    """Text the YAML reader refuses; ``line``, ``field`` and ``rule`` say where and why."""

    def __init__(self, line: int, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.line, self.field, self.rule, self.message = line, field, rule, message


@dataclass(frozen=True)
class Lines:
    """The line of each field path in one file."""

    lines: dict[str, int]

    def line_of(self, field: str) -> int:
        """The line of the field, or of its nearest ancestor that the file spells out."""
        path = field
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return 1


def item_key(item: Any) -> str | None:
    """The name a list item goes by in field paths (its id, action or right), if it has one."""
    if isinstance(item, dict):
        for key in ITEM_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)
    return None


def display_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Turn a pydantic error location into a field path that names list items by id."""
    parts: list[str] = []
    current = data
    for element in loc:
        if isinstance(element, int) and isinstance(current, list):
            item = current[element] if element < len(current) else None
            key = item_key(item)
            siblings = [item_key(other) for other in current]
            parts.append(key if key is not None and siblings.count(key) == 1 else str(element))
            current = item
        else:
            parts.append(str(element))
            current = current.get(element) if isinstance(current, dict) else None
    return ".".join(parts)


def read_yaml(text: str) -> tuple[Any, Lines]:
    """Parse YAML text into plain data and the line of every field; raise YamlProblem."""
    return read_yaml_with(text, SafeLoader)


def read_yaml_with(text: str, loader: type[yaml.SafeLoader]) -> tuple[Any, Lines]:
    """``read_yaml`` through a given loader class (the C one or the pure-Python fallback)."""
    if len(text) > MAX_CHARS:
        raise YamlProblem(
            1,
            "",
            "load.too-large",
            f"the file has {len(text):,} characters; at most {MAX_CHARS:,} are read",
        )
    reader = _Reader()
    try:
        _check_bounds(text, loader)
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else 1
        if "nesting depth" in problem:
            # libyaml stops very deep flow nesting while scanning, before any event reaches us.
            message = f"mappings and lists nest deeper than {MAX_DEPTH} levels here"
            raise YamlProblem(line, "", "load.too-deep", message) from exc
        raise YamlProblem(line, "", "load.yaml-syntax", f"YAML syntax error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(1, "", "load.yaml-syntax", str(exc)) from exc
    if node is None:
        raise YamlProblem(1, "", "load.empty", "the file is empty")
    return reader.read(node, ""), Lines(reader.lines)


def _check_bounds(text: str, loader: type[yaml.SafeLoader]) -> None:
    """Walk the event stream (no tree is built) and refuse deep nesting and alias bombs."""
    anchored: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, nodes inside so far) per collection
    expanded = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append((event.anchor, 1))
            if len(open_nodes) > MAX_DEPTH:
                raise YamlProblem(
                    _line_of(event),
                    "",
                    "load.too-deep",
                    f"mappings and lists nest deeper than {MAX_DEPTH} levels here",
                )
            size = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, inside = open_nodes.pop()
            if anchor is not None:
                anchored[anchor] = inside
            if open_nodes:
                parent_anchor, parent_inside = open_nodes[-1]
                open_nodes[-1] = (parent_anchor, parent_inside + inside)
            continue
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                anchored[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = anchored.get(event.anchor or "", 1)
        else:
            continue
        expanded += size
        if expanded > MAX_NODES:
            raise YamlProblem(
                _line_of(event),
                "",
                "load.alias-budget",
                f"aliases here expand the file beyond {MAX_NODES:,} nodes",
            )
        if open_nodes and not isinstance(event, yaml.CollectionStartEvent):
            anchor, inside = open_nodes[-1]
            open_nodes[-1] = (anchor, inside + size)


def _line_of(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Reader:
    """Builds plain Python data from a composed YAML tree, recording the line of every path."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        self._scalars = yaml.SafeLoader("")

    def read(self, node: yaml.Node, path: str) -> Any:
        if path:
            self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            names = [self._peek_key(child) for child in node.value]
            items = []
            for index, child in enumerate(node.value):
                name = (
                    names[index]
                    if names[index] is not None and names.count(names[index]) == 1
                    else None
                )
                items.append(self.read(child, _join(path, name if name else str(index))))
            return items
        return self._scalars.construct_object(node, deep=True)

    @staticmethod
    def _peek_key(node: yaml.Node) -> str | None:
        if not isinstance(node, yaml.MappingNode):
            return None
        for key_node, value_node in node.value:
            named = isinstance(key_node, yaml.ScalarNode) and key_node.value in ITEM_KEYS
            if named and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
        return None

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalars.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            field = _join(path, key)
            if key in result:
                first = self.lines.get(field, node.start_mark.line + 1)
                raise YamlProblem(
                    key_node.start_mark.line + 1,
                    field,
                    "load.duplicate-key",
                    f"the key {key} appears twice in one mapping (first on line {first})",
                )
            self.lines[field] = key_node.start_mark.line + 1
            result[key] = self.read(value_node, field)
        return result
