"""The bounded YAML reader: the C parser and its pure-Python fallback agree, and hostile files
(too large, too deep, alias bombs) are refused with a load.* finding instead of exhausting the
process."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from powerflow.definition import parse_definition
from powerflow.errors import DefinitionError
from powerflow.yamlsource import (
    MAX_CHARS,
    MAX_DEPTH,
    YamlProblem,
    read_yaml,
    read_yaml_with,
)
from tests.conftest import DATA, shipped_definition_files

PARSERS = [
    pytest.param(yaml.SafeLoader, id="python"),
    pytest.param(
        getattr(yaml, "CSafeLoader", None),
        id="libyaml",
        marks=pytest.mark.skipif(
            not yaml.__with_libyaml__, reason="PyYAML was built without libyaml"
        ),
    ),
]
SOURCES = [*shipped_definition_files(), *sorted((DATA / "valid").glob("*.yaml"))]


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_both_parsers_read_the_same_data_and_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data, lines = read_yaml_with(text, yaml.SafeLoader)
    assert read_yaml(text) == (data, lines)
    assert lines.lines, "every file has fields with lines"


@pytest.mark.parametrize("loader", PARSERS)
def test_alias_bomb_is_refused_on_the_line_that_explodes(loader: type[yaml.SafeLoader]) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        levels.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    with pytest.raises(YamlProblem) as caught:
        read_yaml_with("\n".join(levels), loader)
    assert caught.value.rule == "load.alias-budget"
    assert caught.value.line == 6  # a5 holds 9**6 nodes: the first line beyond the budget


@pytest.mark.parametrize("loader", PARSERS)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 20_000])
def test_deep_nesting_is_refused_not_a_recursion_error(
    loader: type[yaml.SafeLoader], depth: int
) -> None:
    with pytest.raises(YamlProblem) as caught:
        read_yaml_with("x: " + "[" * depth + "]" * depth, loader)
    assert caught.value.rule == "load.too-deep"


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "x: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    data, _ = read_yaml(text)
    inner = data["x"]
    for _ in range(MAX_DEPTH - 2):
        inner = inner[0]
    assert inner == [1]


def test_ordinary_aliases_still_work() -> None:
    data, _ = read_yaml("base: &b {unit: 工作日, value: 20}\nlimit: *b\n")
    assert data["limit"] == {"unit": "工作日", "value": 20}


def test_a_file_over_the_size_limit_names_the_file_and_rule() -> None:
    text = "name: " + "长" * MAX_CHARS
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "huge.yaml")
    message = str(caught.value)
    assert "huge.yaml:1" in message and "load.too-large" in message
