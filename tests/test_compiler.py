"""The compiler: graph, machine configuration, digest and cache."""

from __future__ import annotations

import pytest

from powerflow.compiler import CompiledPower, compile_definition, digest_definition
from powerflow.definition import load_definition, parse_definition
from tests.conftest import DATA, DEFINITIONS

MINIMAL = DATA / "valid" / "minimal.yaml"


@pytest.fixture
def licence() -> CompiledPower:
    return compile_definition(load_definition(DEFINITIONS / "food-business-licence.yaml"))


def test_graph_has_a_node_per_step_and_an_edge_per_action(licence: CompiledPower) -> None:
    definition = licence.definition
    assert set(licence.graph.nodes) == {step.id for step in definition.steps}
    edges = {(u, v, k) for u, v, k in licence.graph.edges(keys=True)}
    expected = {(s.id, a.to, a.action) for s in definition.steps for a in s.actions}
    assert edges == expected


def test_machine_config_has_no_auto_transitions(licence: CompiledPower) -> None:
    config = licence.machine_config
    assert config["auto_transitions"] is False
    assert config["initial"] == "intake"
    machine = licence.machine
    assert machine is licence.machine, "one machine per compiled definition"
    assert sorted(machine.get_triggers("intake")) == ["accept", "reject", "request_supplement"]
    assert not any(trigger.startswith("to_") for trigger in machine.get_triggers("intake"))


def test_exits_and_acting_posts(licence: CompiledPower) -> None:
    grant = licence.exit("decision", "grant")
    assert grant is not None and grant.target == "certificate"
    assert licence.acting_post(grant) == "director"
    assert licence.exit("decision", "no_such_action") is None
    assert [e.action.action for e in licence.exits("closed")] == []


def test_compilation_is_cached_by_digest() -> None:
    first = compile_definition(load_definition(MINIMAL))
    second = compile_definition(load_definition(MINIMAL))
    assert first is second


def test_digest_is_stable_and_tracks_content() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    one = parse_definition(text, "a.yaml").definition
    same = parse_definition(text + "\n# a comment changes nothing\n", "a.yaml").definition
    changed = parse_definition(text.replace("name: 最小示例确认事项", "name: 另一个名称"), "a.yaml")
    assert digest_definition(one) == digest_definition(same)
    assert digest_definition(one) != digest_definition(changed.definition)
