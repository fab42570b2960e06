"""Case limits (办理时限): 承诺时限 within 法定时限, step limits that fit the case limit, and how
an extension (延长) is approved and told to the party.

Limits in different units are compared as ranges of calendar days (see
``powerflow.checks.common``): an error only when the comparison is certain.

The step limits of a case fit when the longest route through the steps that run on the case
clock takes no longer than the 法定时限 plus its extension. The route starts at the step where
the clock starts (``limits.clock_starts``, else the start step), ends when a decision step is
left (the decision is what the limit is for; 送达, 执行 and 归档 run on their own clocks) or at a
final step, skips steps that pause the clock (特别程序, ``pause``), and ignores the back edges
of loops (退回补充调查, 补正后重新提交): a loop is a repetition, not a longer route.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from powerflow.checks.common import compare, day_bounds, forward_graph, is_head, statute_of
from powerflow.checks.registry import Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.definition import StepKind
from powerflow.findings import Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING


@rule(
    "limits.promised-within-legal",
    ERROR,
    "承诺时限 is not longer than 法定时限",
    statute="行政许可法, 行政处罚法, 行政强制法 (法定时限 is a maximum)",
    article="许可 42, 处罚 60, 强制 25",
)
def promised_within_legal(power: CompiledPower) -> Iterator[Violation]:
    limits = power.definition.limits
    if limits.promised is not None and compare(limits.promised, limits.legal) == "beyond":
        yield Violation(
            "limits.promised",
            f"承诺时限 {limits.promised.label()} is longer than 法定时限 {limits.legal.label()}: "
            "a promise may shorten the legal limit, never lengthen it",
        )


@rule(
    "limits.comparable-units",
    WARNING,
    "承诺时限 and 法定时限 can be compared (same unit, or clearly apart)",
    statute="行政许可法, 行政处罚法, 行政强制法 (法定时限 is a maximum)",
    article="许可 42, 处罚 60, 强制 25",
)
def comparable_units(power: CompiledPower) -> Iterator[Violation]:
    limits = power.definition.limits
    if limits.promised is not None and compare(limits.promised, limits.legal) == "unclear":
        yield Violation(
            "limits.promised.unit",
            f"承诺时限 {limits.promised.label()} may or may not exceed 法定时限 "
            f"{limits.legal.label()} depending on the calendar: state both in the same unit",
        )


@rule(
    "limits.path-fits-case",
    WARNING,
    "the step limits on the longest route to the decision fit the case limit plus its extension",
    statute="电子监察 practice (a step overdue although the case is in time)",
    article="E-01, §11.2",
)
def path_fits_case(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    limits = definition.limits
    origin = limits.clock_starts or next((s.id for s in power.start_steps), None)
    if origin is None or origin not in {s.id for s in definition.steps}:
        return
    dag = forward_graph(power, origin)
    # Leaving a decision step stops the case clock: drop its outgoing edges.
    decisions = {s.id for s in definition.steps if s.kind is StepKind.DECISION and s.id in dag}
    dag.remove_edges_from([(u, v) for u, v in list(dag.edges) if u in decisions])
    ends = decisions or {s.id for s in power.final_steps if s.id in dag}
    counted = [step for step in definition.steps if step.id in dag and not step.pauses_clock]
    units = {step.limit.unit for step in counted}
    exact = units <= {limits.legal.unit} and (
        limits.extension is None or limits.extension.max.unit is limits.legal.unit
    )
    weight = {step.id: step.limit.value if exact else day_bounds(step.limit)[0] for step in counted}
    best: dict[str, tuple[int, list[str]]] = {}
    for node in nx.topological_sort(dag):
        before = [best[p] for p in dag.predecessors(node) if p in best]
        total, route = max(before, default=(0, []))
        best[node] = (total + weight.get(node, 0), [*route, node])
    reached = [best[end] for end in ends if end in best]
    if not reached:
        return
    total, route = max(reached)
    allowed = limits.legal.value if exact else day_bounds(limits.legal)[1]
    if limits.extension is not None:
        allowed += limits.extension.max.value if exact else day_bounds(limits.extension.max)[1]
    if total > allowed:
        unit = limits.legal.unit.label if exact else "日 at least"
        case = limits.legal.label() + (
            f" + {limits.extension.max.label()}" if limits.extension else ""
        )
        yield Violation(
            "limits.legal",
            f"the steps {' → '.join(n for n in route if n in weight)} take {total}{unit} in all "
            "(paused steps not counted), more than the case "
            f"limit {case}: a case could keep every step limit and still be overdue",
        )


@rule(
    "limits.extension-approver",
    ERROR,
    "an extension is approved by a 负责人 post (head: true)",
    statute="行政许可法; 行政强制法; 行政复议法; 行政处罚法 sector rules",
    article="许可 42; 强制 25; 复议 62; 处罚 60",
)
def extension_approver(power: CompiledPower) -> Iterator[Violation]:
    extension = power.definition.limits.extension
    if extension is not None and not is_head(power, extension.approver):
        yield Violation(
            "limits.extension.approver",
            f"the extension is approved by post {extension.approver}, which is not a 负责人 post: "
            "the statutes reserve an extension to the 负责人 (mark the approving post head: true)",
        )


_NOTICE_REQUIRED = {
    "行政许可": "行政许可法 art. 42: 应当将延长期限的理由告知申请人",
    "行政强制": "行政强制法 art. 25: 延长查封、扣押的决定应当及时书面告知当事人，并说明理由",
}


@rule(
    "limits.extension-notice",
    ERROR,
    "an extension is told to the party where the statute requires it",
    statute="行政许可法; 行政强制法; 行政复议法",
    article="许可 42; 强制 25; 复议 62",
)
def extension_notice(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    extension = definition.limits.extension
    if extension is None or extension.notify_party:
        return
    why = _NOTICE_REQUIRED.get(definition.category)
    if why is None and statute_of(extension.basis) == "行政复议法":
        why = "行政复议法 art. 62: 延长期限应当书面告知当事人"
    if why is not None:
        yield Violation(
            "limits.extension.notify_party",
            f"the extension is not told to the party, but {why}: set notify_party: true",
        )
