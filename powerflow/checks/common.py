"""What the statute-family rules share: field paths, comparing limits across units, reading
procedures, and gates on the paths of the flow graph.

Comparing limits in different units. A limit is turned into a range of calendar days it may
span: ``day`` n is exactly n; ``workday`` n is at least n (every day a working day, as around
调休) and at most ⌈7n/5⌉ + 10·⌈n/100⌉ (every weekend plus ten holiday days per hundred working
days, enough for a nine-day 春节 and the 国庆 week); ``month`` n is 28n to 31n; ``hour`` n is
⌊n/24⌋ to ⌈n/24⌉. Limits in the same unit are compared exactly. Otherwise limit A is *within*
B when A's longest span is no longer than B's shortest, *beyond* B when A's shortest span is
longer than B's longest, and *unclear* in between. The checks only call an error what is
certain (a statutory maximum must be provably kept, a promise provably broken).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Literal

import networkx as nx

from powerflow.checks.registry import Violation
from powerflow.compiler import CompiledPower, Exit
from powerflow.definition import (
    Action,
    Citation,
    Definition,
    Duration,
    RightKind,
    Step,
    StepKind,
    TimeUnit,
)

# ---------------------------------------------------------------------------------------------
# Field paths: the names the loader records (list items by id, action or right when unique)


def step_field(step_id: str, leaf: str = "") -> str:
    path = f"steps.{step_id}"
    return f"{path}.{leaf}" if leaf else path


def action_field(step_id: str, action: Action, leaf: str = "") -> str:
    return step_field(step_id, f"actions.{action.action}" + (f".{leaf}" if leaf else ""))


def right_field(step: Step, index: int, leaf: str = "") -> str:
    kinds = [right.right for right in step.rights]
    name = kinds[index].value if kinds.count(kinds[index]) == 1 else str(index)
    return step_field(step.id, f"rights.{name}" + (f".{leaf}" if leaf else ""))


def channel_field(index: int, leaf: str = "") -> str:
    return f"supervision.external.{index}" + (f".{leaf}" if leaf else "")


def durations(definition: Definition) -> Iterator[tuple[str, Duration]]:
    """Every time limit of a definition with its field path, in file order."""
    for step in definition.steps:
        yield step_field(step.id, "limit"), step.limit
        if step.advance_notice is not None:
            yield step_field(step.id, "advance_notice"), step.advance_notice
        if step.min_wait is not None:
            yield step_field(step.id, "min_wait"), step.min_wait
        for index, right in enumerate(step.rights):
            if right.window is not None:
                yield right_field(step, index, "window"), right.window
    limits = definition.limits
    yield "limits.legal", limits.legal
    if limits.promised is not None:
        yield "limits.promised", limits.promised
    if limits.extension is not None:
        yield "limits.extension.max", limits.extension.max
    for index, channel in enumerate(definition.supervision.external):
        if channel.period is not None:
            yield channel_field(index, "period"), channel.period


# ---------------------------------------------------------------------------------------------
# Statutes and limits


def statute_of(citation: Citation | None) -> str:
    """The short name of the cited law: 中华人民共和国行政许可法 → 行政许可法."""
    if citation is None:
        return ""
    return citation.law.strip().strip("《》").removeprefix("中华人民共和国")


def limit(value: int, unit: TimeUnit, law: str, article: str) -> Duration:
    """A statutory limit as a Duration citing its article (for messages and comparisons)."""
    return Duration(value=value, unit=unit, basis=Citation(law=law, article=article))


def day_bounds(duration: Duration) -> tuple[int, int]:
    """The fewest and the most calendar days a limit may span (see the module docstring)."""
    n = duration.value
    if duration.unit is TimeUnit.DAY:
        return n, n
    if duration.unit is TimeUnit.WORKDAY:
        return n, math.ceil(7 * n / 5) + 10 * math.ceil(n / 100)
    if duration.unit is TimeUnit.MONTH:
        return 28 * n, 31 * n
    return n // 24, math.ceil(n / 24)


Comparison = Literal["within", "beyond", "unclear"]


def compare(duration: Duration, maximum: Duration) -> Comparison:
    """Whether a limit is certainly within, certainly beyond, or not comparable with a maximum."""
    if duration.unit is maximum.unit:
        return "within" if duration.value <= maximum.value else "beyond"
    low, high = day_bounds(duration)
    max_low, max_high = day_bounds(maximum)
    if high <= max_low:
        return "within"
    if low > max_high:
        return "beyond"
    return "unclear"


def shorter_than(duration: Duration, minimum: Duration) -> bool:
    """True unless the limit certainly lasts at least ``minimum`` (a window is never cut)."""
    return compare(minimum, duration) != "within"


# ---------------------------------------------------------------------------------------------
# Reading procedures and posts

def is_simple_procedure(definition: Definition) -> bool:
    """简易程序 (当场处罚, 行政处罚法 art. 51), named in ``procedure``."""
    procedure = definition.procedure or ""
    return "简易程序" in procedure or "当场" in procedure


def is_enforcement(definition: Definition) -> bool:
    """行政强制执行 (chapter IV of 行政强制法), named in ``procedure``; otherwise a 强制措施."""
    return definition.category == "行政强制" and "强制执行" in (definition.procedure or "")


def is_measure(definition: Definition) -> bool:
    """行政强制措施 (chapter III of 行政强制法)."""
    return definition.category == "行政强制" and not is_enforcement(definition)


def is_seizure(definition: Definition) -> bool:
    """查封、扣押 or 冻结: a 强制措施 with the 30-day period of 行政强制法 arts. 25 and 32."""
    text = f"{definition.name}{definition.procedure or ''}"
    return is_measure(definition) and any(word in text for word in ("查封", "扣押", "冻结"))


def is_reminder(step: Step) -> bool:
    """A 催告 step: a notice step whose name says 催告 (行政强制法 art. 35)."""
    return step.kind is StepKind.NOTICE and "催告" in step.name


def is_court_application(step: Step) -> bool:
    """A step applying to the people's court for enforcement (行政强制法 art. 53)."""
    return "申请" in step.name and "法院" in step.name


def is_head(power: CompiledPower, post_id: str | None) -> bool:
    """True when the post is a 机关负责人 post (``head: true``)."""
    return post_id is not None and any(p.id == post_id and p.head for p in power.definition.posts)


def rights_of(step: Step) -> set[RightKind]:
    return {right.right for right in step.rights}


def qualified(power: CompiledPower, step: Step, qualification: str) -> bool:
    """The step, or the post handling it, requires the qualification (e.g. 执法证)."""
    post = next((p for p in power.definition.posts if p.id == step.post), None)
    held = set(step.qualifications) | set(post.qualifications if post else ())
    return qualification in held


def steps_of_kind(power: CompiledPower, *kinds: StepKind) -> list[Step]:
    return [step for step in power.definition.steps if step.kind in kinds]


# ---------------------------------------------------------------------------------------------
# Paths


def decision_exits(power: CompiledPower) -> list[Exit]:
    """Every exit of every decision step, in definition order."""
    return [e for step in steps_of_kind(power, StepKind.DECISION) for e in power.exits(step.id)]


def ungated(
    power: CompiledPower, targets: Iterable[Exit], gate: Callable[[Step], bool]
) -> list[Exit]:
    """The target exits that a case can take without having passed a gate step first.

    A gate step blocks the walk from the start step; a target whose own step is a gate counts
    as gated (the gate is passed on the step itself).
    """
    starts = power.start_steps
    if len(starts) != 1:
        return []
    seen: set[str] = set()
    stack = [starts[0].id]
    while stack:
        current = stack.pop()
        if current in seen or gate(power.step(current)):
            continue
        seen.add(current)
        stack.extend(e.target for e in power.exits(current))
    return [exit_ for exit_ in targets if exit_.source in seen]


def reachable_without(power: CompiledPower, skip: Callable[[Exit], bool]) -> set[str]:
    """The steps reachable from the start step along exits that ``skip`` does not drop."""
    starts = power.start_steps
    if len(starts) != 1:
        return set()
    seen: set[str] = set()
    stack = [starts[0].id]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(e.target for e in power.exits(current) if not skip(e))
    return seen


def forward_graph(power: CompiledPower, origin: str) -> nx.DiGraph:
    """The flow from ``origin`` without its back edges (those closing a loop), as a DAG."""
    dag = nx.DiGraph()
    dag.add_node(origin)
    on_stack: set[str] = set()
    done: set[str] = set()

    def visit(node: str) -> None:
        on_stack.add(node)
        for exit_ in power.exits(node):
            target = exit_.target
            if target in on_stack:
                continue  # a back edge: 退回补充调查, 补正后重新提交 …
            dag.add_edge(node, target)
            if target not in done:
                visit(target)
        on_stack.discard(node)
        done.add(node)

    visit(origin)
    return dag


# ---------------------------------------------------------------------------------------------
# Hearings (行政许可法 arts. 47-48, 行政处罚法 art. 64 word them alike)

HEARING_REQUEST_WINDOW = 5
HEARING_ADVANCE_NOTICE = 7


def hearing_window_violations(power: CompiledPower, source: str) -> Iterator[Violation]:
    """Each 听证 right leaves the party at least five working days to ask for the hearing."""
    minimum = Duration(value=HEARING_REQUEST_WINDOW, unit=TimeUnit.WORKDAY)
    for step in power.definition.steps:
        for index, right in enumerate(step.rights):
            if right.right is not RightKind.HEARING:
                continue
            if right.window is None:
                yield Violation(
                    right_field(step, index),
                    f"the 听证 right on step {step.id} states no window: {source} gives the party "
                    f"{minimum.label()} from the notice to ask for a hearing",
                )
            elif shorter_than(right.window, minimum):
                yield Violation(
                    right_field(step, index, "window"),
                    f"the 听证 window {right.window.label()} on step {step.id} is shorter than the "
                    f"{minimum.label()} {source} gives the party",
                )


def advance_notice_violations(power: CompiledPower, source: str) -> Iterator[Violation]:
    """Each hearing step tells the party at least seven working days before it is held."""
    minimum = Duration(value=HEARING_ADVANCE_NOTICE, unit=TimeUnit.WORKDAY)
    for step in steps_of_kind(power, StepKind.HEARING):
        notice = step.advance_notice
        if notice is None:
            yield Violation(
                step_field(step.id),
                f"hearing step {step.id} declares no advance_notice: {source} requires notice of "
                f"the time and place {minimum.label()} before the hearing",
            )
        elif shorter_than(notice, minimum):
            yield Violation(
                step_field(step.id, "advance_notice"),
                f"hearing step {step.id} gives {notice.label()} notice, less than the "
                f"{minimum.label()} {source} requires",
            )


def within_violation(
    field: str, what: str, duration: Duration, maximum: Duration, basis: Citation | None = None
) -> Violation | None:
    """A violation when ``duration`` is not certainly within the statutory ``maximum``."""
    outcome = compare(duration, maximum)
    if outcome == "within":
        return None
    source = maximum.basis.label() if maximum.basis is not None else "the statute"
    if outcome == "beyond":
        message = f"{what} is {duration.label()}, longer than the {maximum.label()} of {source}"
    else:
        message = (
            f"{what} is {duration.label()}, which may be longer than the {maximum.label()} of "
            f"{source} depending on the calendar: state it in {maximum.unit.label.strip('个')}"
        )
    return Violation(field, message, basis)


def step_limit_violations(
    steps: Iterable[Step], maximum: Duration, kind: str, reason: str = ""
) -> Iterator[Violation]:
    """Each step whose limit is not certainly within the statutory maximum."""
    for step in steps:
        found = within_violation(
            step_field(step.id, "limit"), f"the limit of {kind} step {step.id}", step.limit, maximum
        )
        if found is not None:
            yield Violation(found.field, found.message + reason, found.basis)


def officer_violations(
    power: CompiledPower, steps: Iterable[Step], too_few: str, unqualified: str
) -> Iterator[Violation]:
    """Steps that fewer than two officers may do, or that do not require 执法证."""
    for step in steps:
        if step.min_officers < 2:
            yield Violation(
                step_field(step.id, "min_officers"),
                f"step {step.id} may be done by {step.min_officers} officer: {too_few}",
            )
        if not qualified(power, step, "执法证"):
            yield Violation(
                step_field(step.id, "qualifications"),
                f"step {step.id} does not require 执法证 (of the step or its post): {unqualified}",
            )
