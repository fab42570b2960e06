"""Compile a Definition into a CompiledPower: a networkx graph, a state-machine config, a digest.

The compiled form is what the checks analyse, the engine runs and the renderer draws. It is
cached by the definition's content digest, so compiling the same text twice costs nothing and
one transitions machine serves every case of one definition version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from powerflow.definition import Action, Definition, LoadedDefinition, Post, SourceMap, Step


@dataclass(frozen=True)
class Exit:
    """One way out of a step: the action, where it leads, and who may perform it."""

    source: str
    action: Action

    @property
    def target(self) -> str:
        return self.action.to


@dataclass(eq=False)
class CompiledPower:
    """A definition compiled for analysis and execution; one per definition digest."""

    definition: Definition
    source: SourceMap
    digest: str
    graph: nx.MultiDiGraph
    machine_config: dict[str, Any]
    _exits: dict[str, list[Exit]] = field(default_factory=dict, repr=False)

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def file(self) -> str:
        return self.source.file

    @property
    def start_steps(self) -> list[Step]:
        return [step for step in self.definition.steps if step.start]

    @property
    def final_steps(self) -> list[Step]:
        return [step for step in self.definition.steps if step.final]

    @cached_property
    def _steps(self) -> dict[str, Step]:
        return {step.id: step for step in self.definition.steps}

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError for an unknown one)."""
        return self._steps[step_id]

    @cached_property
    def _posts(self) -> dict[str, Post]:
        return {post.id: post for post in self.definition.posts}

    def post(self, post_id: str) -> Post:
        """The post with this id (KeyError for an unknown one)."""
        return self._posts[post_id]

    def exits(self, step_id: str) -> list[Exit]:
        """The actions available from a step, in definition order."""
        return self._exits.get(step_id, [])

    def exit(self, step_id: str, action: str) -> Exit | None:
        """The exit of a step with the given action name, if any."""
        return next((e for e in self.exits(step_id) if e.action.action == action), None)

    def acting_post(self, exit_: Exit) -> str:
        """The post allowed to perform an exit: the action's own post, else the step's post."""
        return exit_.action.post or self.step(exit_.source).post

    @cached_property
    def machine(self) -> Any:
        """The one transitions machine for this definition (no model attached, no auto transitions).

        Cases never become models of it: the engine keeps the state in the case row and asks the
        machine which transitions exist.
        """
        from transitions import Machine

        return Machine(model=None, **self.machine_config)


def digest_definition(definition: Definition) -> str:
    """The content digest (sha256 of canonical JSON) that identifies a definition version.

    Fields left at their defaults are not part of it, so adding an optional field to the
    language does not change the digest of definitions that do not use it.
    """
    canonical = json.dumps(
        definition.model_dump(mode="json", exclude_defaults=True),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_cache: dict[tuple[str, str], CompiledPower] = {}


def compile_definition(loaded: LoadedDefinition) -> CompiledPower:
    """Compile a loaded definition; the result is cached by digest (and source file)."""
    definition = loaded.definition
    digest = digest_definition(definition)
    key = (digest, loaded.source.file)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    graph = nx.MultiDiGraph(code=definition.code, name=definition.name)
    exits: dict[str, list[Exit]] = {}
    for step in definition.steps:
        graph.add_node(step.id, step=step)
    for step in definition.steps:
        for action in step.actions:
            exit_ = Exit(source=step.id, action=action)
            exits.setdefault(step.id, []).append(exit_)
            graph.add_edge(step.id, action.to, key=action.action, action=action)
    power = CompiledPower(
        definition=definition,
        source=loaded.source,
        digest=digest,
        graph=graph,
        machine_config=_machine_config(definition),
        _exits=exits,
    )
    _cache[key] = power
    return power


def _machine_config(definition: Definition) -> dict[str, Any]:
    """Keyword arguments for ``transitions.Machine``: states, transitions and the initial state."""
    starts = [step.id for step in definition.steps if step.start]
    return {
        "states": [step.id for step in definition.steps],
        "transitions": [
            {"trigger": action.action, "source": step.id, "dest": action.to}
            for step in definition.steps
            for action in step.actions
        ],
        "initial": starts[0] if starts else definition.steps[0].id if definition.steps else None,
        "auto_transitions": False,
        "send_event": True,
    }
