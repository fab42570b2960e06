"""YAML read with the line of every field, so errors can say ``file:line: field: …``.

Used by every file format powerflow reads (definitions, alert policies). Duplicate keys are an
error (PyYAML would silently keep the last), and list items are named by their ``id``,
``action`` or ``right`` in field paths (``steps.review.limit``) when that name is unique.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

ITEM_KEYS = ("id", "action", "right")


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
    reader = _Reader()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlProblem(
            mark.line + 1 if mark else 1, "", "load.yaml-syntax", f"YAML syntax error: {problem}"
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(1, "", "load.yaml-syntax", str(exc)) from exc
    if node is None:
        raise YamlProblem(1, "", "load.empty", "the file is empty")
    return reader.read(node, ""), Lines(reader.lines)


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
