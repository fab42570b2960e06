"""Structural rules: the procedure is a well-formed flow and the chart carries all seven elements.

The seven flowchart elements (F-05) come from the 行政权力公开透明运行 rules: 行使权力的条件,
承办岗位, 运行程序及相关接口, 办理时限, 内部监督制约环节, 相对人的权利, 外部制约监督方式.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from powerflow.checks.registry import Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.definition import CATEGORY_CODES, KNOWN_CATEGORIES
from powerflow.findings import Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING


def _step_field(step_id: str, leaf: str = "") -> str:
    path = f"steps.{step_id}"
    return f"{path}.{leaf}" if leaf else path


@rule("structure.one-start", ERROR, "exactly one step is marked start: true")
def one_start(power: CompiledPower) -> Iterator[Violation]:
    starts = power.start_steps
    if not power.definition.steps:
        return
    if not starts:
        yield Violation("steps", "no step is marked start: true; exactly one must be")
    for extra in starts[1:]:
        others = ", ".join(step.id for step in starts)
        yield Violation(
            _step_field(extra.id, "start"),
            f"more than one start step ({others}); exactly one must be",
        )


@rule("structure.reachable", ERROR, "every step can be reached from the start step")
def reachable(power: CompiledPower) -> Iterator[Violation]:
    starts = power.start_steps
    if len(starts) != 1:
        return
    reached = nx.descendants(power.graph, starts[0].id) | {starts[0].id}
    for step in power.definition.steps:
        if step.id not in reached:
            yield Violation(
                _step_field(step.id),
                f"step {step.id} cannot be reached from the start step {starts[0].id}",
            )


@rule("structure.way-out", ERROR, "every step that is not final has at least one action")
def way_out(power: CompiledPower) -> Iterator[Violation]:
    for step in power.definition.steps:
        if not step.final and not step.actions:
            yield Violation(
                _step_field(step.id),
                f"step {step.id} has no action and is not final: a case would be stuck here",
            )


@rule("structure.final-exits", ERROR, "a final step has no actions")
def final_has_no_exit(power: CompiledPower) -> Iterator[Violation]:
    for step in power.definition.steps:
        if step.final and step.actions:
            yield Violation(
                _step_field(step.id, "actions"),
                f"step {step.id} is final but has actions; remove them or set final: false",
            )


@rule("structure.final-reachable", ERROR, "a final step can be reached from every step")
def final_reachable(power: CompiledPower) -> Iterator[Violation]:
    if not power.definition.steps:
        return
    finals = {step.id for step in power.final_steps}
    if not finals:
        yield Violation("steps", "no step is marked final: true; a case could never be closed")
        return
    can_finish = set(finals)
    for final in finals:
        can_finish |= nx.ancestors(power.graph, final)
    for step in power.definition.steps:
        if step.id not in can_finish:
            yield Violation(
                _step_field(step.id),
                f"no final step can be reached from step {step.id}: a case there never closes",
            )


@rule("structure.unused-post", WARNING, "every declared post handles a step or acts somewhere")
def unused_post(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    used = {step.post for step in definition.steps}
    used |= {a.post for s in definition.steps for a in s.actions if a.post}
    used |= {c.post for s in definition.steps for c in s.checkpoints if c.post}
    if definition.limits.extension is not None:
        used.add(definition.limits.extension.approver)
    for post in definition.posts:
        if post.id not in used:
            yield Violation(f"posts.{post.id}", f"post {post.id} ({post.name}) is never used")


@rule("catalog.category", WARNING, "the category is one of the catalog's categories (F-01)")
def known_category(power: CompiledPower) -> Iterator[Violation]:
    category = power.definition.category
    if category not in KNOWN_CATEGORIES:
        yield Violation(
            "category",
            f"{category} is not a standard category ({', '.join(KNOWN_CATEGORIES)}); "
            "accepted as a local variant",
        )


@rule("catalog.code-type", WARNING, "the item code's type segment matches the category (F-03)")
def code_matches_category(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    expected = CATEGORY_CODES.get(definition.category)
    actual = definition.code.split("-")[1]
    if expected is not None and actual != expected:
        yield Violation(
            "code",
            f"the code's type segment is {actual} but a {definition.category} item uses {expected}",
        )


# The seven flowchart elements (F-05): each must be present and non-empty.


@rule("element.conditions", ERROR, "行使权力的条件 are stated, with their legal basis")
def element_conditions(power: CompiledPower) -> Iterator[Violation]:
    conditions = power.definition.conditions
    if not conditions.description.strip():
        yield Violation("conditions.description", "行使权力的条件 is empty: state the conditions")
    if not conditions.basis:
        yield Violation("conditions.basis", "行使权力的条件 cites no legal basis")


@rule("element.posts", ERROR, "承办岗位 are declared")
def element_posts(power: CompiledPower) -> Iterator[Violation]:
    if not power.definition.posts:
        yield Violation("posts", "承办岗位 is empty: declare the posts that handle the steps")


@rule("element.procedure", ERROR, "运行程序 has steps")
def element_procedure(power: CompiledPower) -> Iterator[Violation]:
    if not power.definition.steps:
        yield Violation("steps", "运行程序 is empty: declare the steps of the procedure")


@rule("element.limits", ERROR, "办理时限: the case and every step have a limit with a unit")
def element_limits(power: CompiledPower) -> Iterator[Violation]:
    # The schema requires the limits themselves; what it cannot see is a legal limit that cites
    # nothing at all, which leaves the published 法定时限 without a source.
    if power.definition.limits.legal.basis is None:
        yield Violation(
            "limits.legal.basis", "法定时限 cites no basis: name the article that sets it"
        )


@rule("element.internal-supervision", ERROR, "内部监督制约环节: at least one step has a checkpoint")
def element_internal_supervision(power: CompiledPower) -> Iterator[Violation]:
    if power.definition.steps and not any(s.checkpoints for s in power.definition.steps):
        yield Violation(
            "steps", "内部监督制约环节 is empty: bind at least one checkpoint to a step"
        )


@rule("element.rights", ERROR, "相对人的权利: at least one step states the counterparty's rights")
def element_rights(power: CompiledPower) -> Iterator[Violation]:
    if power.definition.steps and not any(s.rights for s in power.definition.steps):
        yield Violation(
            "steps", "相对人的权利 is empty: attach the rights to the steps where they arise"
        )


@rule(
    "element.external-supervision", ERROR, "外部制约监督方式: complaint and remedy channels exist"
)
def element_external_supervision(power: CompiledPower) -> Iterator[Violation]:
    if not power.definition.supervision.external:
        yield Violation(
            "supervision.external",
            "外部制约监督方式 is empty: list the complaint channels and 复议/诉讼 routes",
        )
