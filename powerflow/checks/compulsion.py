"""行政强制法 (2011): the rules a compulsion definition (category 行政强制) must keep.

A 行政强制 definition is an *enforcement* (行政强制执行, chapter IV) when its ``procedure`` names
强制执行, otherwise a *measure* (行政强制措施, chapter III); a measure is a *seizure* when its
name or procedure says 查封, 扣押 or 冻结. Decisions taken here:

* Implementing steps are ``kind: execution``. The head's prior approval (art. 18 (一)) is an action
  performed by a ``head: true`` post on the way to them; the urgent route (an action with the
  ``urgent`` guard, art. 19) is instead ratified on the step itself within 24 hours.
* A 催告 step is a notice step named …催告… (art. 35); a court application is a step named
  申请…法院… (art. 53). The ten days after the 催告 before a court application (art. 54) are the
  催告 step's ``min_wait``.
* No enforcement at night or on 法定节假日 (art. 43) is the step flag ``no_night_or_holiday``: the
  engine's scheduling guard reads it (its urgent exception is a recorded fact, not a definition
  matter).
"""

from __future__ import annotations

from collections.abc import Iterator

from powerflow.checks.common import (
    is_court_application,
    is_enforcement,
    is_head,
    is_measure,
    is_reminder,
    is_seizure,
    limit,
    officer_violations,
    reachable_without,
    rights_of,
    shorter_than,
    step_field,
    step_limit_violations,
    steps_of_kind,
    ungated,
    within_violation,
)
from powerflow.checks.licensing import special_procedure_violations
from powerflow.checks.registry import LAWS_AND_ADMINISTRATIVE_REGULATIONS, Violation, rule
from powerflow.compiler import CompiledPower, Exit
from powerflow.definition import CheckpointKind, RightKind, Step, StepKind, TimeUnit
from powerflow.findings import Severity

ERROR = Severity.ERROR
LAW = "行政强制法"
CATEGORY = "行政强制"
CD = TimeUnit.DAY
STATEMENT_AND_DEFENCE = {RightKind.STATEMENT, RightKind.DEFENCE}


def _applies(power: CompiledPower) -> bool:
    return power.definition.category == CATEGORY


def _executions(power: CompiledPower) -> list[Step]:
    return steps_of_kind(power, StepKind.EXECUTION)


def _urgent(exit_: Exit) -> bool:
    return exit_.action.guard == "urgent"


@rule(
    "compulsion.non-delegable",
    ERROR,
    "a 行政强制措施 is not exercised by entrustment (no entrusted_by)",
    statute=LAW,
    article="17",
)
def non_delegable(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    if is_measure(definition) and definition.entrusted_by:
        yield Violation(
            "entrusted_by",
            f"the measure is exercised by entrustment of {definition.entrusted_by}: "
            "行政强制措施权不得委托 (art. 17); the agency holding the power must exercise it",
        )


@rule(
    "compulsion.officers",
    ERROR,
    "implementing steps are done by at least two officers holding 执法证",
    statute=LAW,
    article="17, 18",
)
def officers(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power):
        yield from officer_violations(
            power,
            _executions(power),
            "由两名以上行政执法人员实施 (art. 18 (二))",
            "only qualified officers may carry it out (art. 17)",
        )


@rule(
    "compulsion.head-approval",
    ERROR,
    "an implementing step is reached only through the head's approval (or the urgent route)",
    statute=LAW,
    article="18",
)
def head_approval(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    reached = reachable_without(power, lambda e: is_head(power, power.acting_post(e)) or _urgent(e))
    for step in _executions(power):
        if step.id in reached:
            yield Violation(
                step_field(step.id),
                f"step {step.id} can be reached without an action of a 负责人 post: "
                "实施前须向行政机关负责人报告并经批准 (art. 18 (一))",
            )


@rule(
    "compulsion.urgent-ratification",
    ERROR,
    "an urgent on-the-spot measure is ratified by the head within 24 hours",
    statute=LAW,
    article="19",
)
def urgent_ratification(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    urgent = {e.target for s in power.definition.steps for e in power.exits(s.id) if _urgent(e)}
    steps = [step for step in power.definition.steps if step.id in urgent]
    for step in steps:
        if not any(
            c.kind is CheckpointKind.HEAD_APPROVAL and is_head(power, c.post)
            for c in step.checkpoints
        ):
            yield Violation(
                step_field(step.id, "checkpoints"),
                f"the urgent step {step.id} has no 负责人审批 checkpoint by a head post: 当场实施后"
                "二十四小时内向负责人报告，并补办批准手续 (art. 19)",
            )
    yield from step_limit_violations(steps, limit(24, TimeUnit.HOUR, LAW, "19"), "urgent")


@rule(
    "compulsion.on-the-spot-duties",
    ERROR,
    "a measure is carried out hearing 陈述 and 申辩 and with a 现场笔录",
    statute=LAW,
    article="18",
)
def on_the_spot_duties(power: CompiledPower) -> Iterator[Violation]:
    if not is_measure(power.definition):
        return
    for step in _executions(power):
        missing = STATEMENT_AND_DEFENCE - rights_of(step)
        if missing:
            yield Violation(
                step_field(step.id, "rights"),
                f"step {step.id} does not grant {'、'.join(sorted(r.value for r in missing))}: "
                "当场告知理由、依据以及权利、救济途径，听取当事人的陈述和申辩 (art. 18 (五)(六))",
            )
        if not any("现场笔录" in document for document in step.documents):
            yield Violation(
                step_field(step.id, "documents"),
                f"step {step.id} makes no 现场笔录 (art. 18 (七))",
            )


@rule(
    "compulsion.seizure-limit",
    ERROR,
    "查封、扣押 (冻结) lasts at most 30 calendar days",
    statute=LAW,
    article="25, 32",
    overridable_by=LAWS_AND_ADMINISTRATIVE_REGULATIONS,
    default="30 日",
)
def seizure_limit(power: CompiledPower) -> Iterator[Violation]:
    if not is_seizure(power.definition):
        return
    legal = power.definition.limits.legal
    found = within_violation(
        "limits.legal", "法定时限", legal, limit(30, CD, LAW, "25"), legal.basis
    )
    if found is not None:
        yield found


@rule(
    "compulsion.seizure-extension",
    ERROR,
    "查封、扣押 (冻结) is extended by at most 30 calendar days",
    statute=LAW,
    article="25, 32",
    overridable_by=LAWS_AND_ADMINISTRATIVE_REGULATIONS,
    default="30 日",
)
def seizure_extension(power: CompiledPower) -> Iterator[Violation]:
    ext = power.definition.limits.extension
    if not is_seizure(power.definition) or ext is None:
        return
    found = within_violation(
        "limits.extension.max",
        "the extension",
        ext.max,
        limit(30, CD, LAW, "25"),
        ext.max.basis or ext.basis,
    )
    if found is not None:
        yield found


@rule(
    "compulsion.pause-notice",
    ERROR,
    "检测、检验、检疫、鉴定 steps pause the seizure clock with a written notice",
    statute=LAW,
    article="25",
)
def pause_notice(power: CompiledPower) -> Iterator[Violation]:
    if is_seizure(power.definition):
        yield from special_procedure_violations(
            power, ("检测", "检验", "检疫", "鉴定"), f"{LAW} art. 25"
        )


def _reminder_with_rights(step: Step) -> bool:
    return is_reminder(step) and rights_of(step) >= STATEMENT_AND_DEFENCE


@rule(
    "compulsion.reminder",
    ERROR,
    "enforcement comes only after a 催告 granting 陈述 and 申辩",
    statute=LAW,
    article="35, 36",
)
def reminder(power: CompiledPower) -> Iterator[Violation]:
    if not is_enforcement(power.definition):
        return
    executions = {s.id for s in _executions(power)}
    into = [e for s in power.definition.steps for e in power.exits(s.id) if e.target in executions]
    for target in dict.fromkeys(e.target for e in ungated(power, into, _reminder_with_rights)):
        yield Violation(
            step_field(target),
            f"step {target} can be reached without a 催告 step granting 陈述 and 申辩: "
            "作出强制执行决定前，应当事先催告当事人履行义务 (art. 35), and the party may "
            "陈述、申辩 "
            "(art. 36)",
        )


@rule(
    "compulsion.court-wait",
    ERROR,
    "a court application follows a 催告 and waits 10 working days after it (min_wait)",
    statute=LAW,
    article="54",
)
def court_wait(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    courts = {s.id for s in power.definition.steps if is_court_application(s)}
    if not courts:
        return
    into = [e for s in power.definition.steps for e in power.exits(s.id) if e.target in courts]
    for target in dict.fromkeys(e.target for e in ungated(power, into, is_reminder)):
        yield Violation(
            step_field(target),
            f"the court application {target} can be reached without a 催告 step (art. 54)",
        )
    minimum = limit(10, TimeUnit.WORKDAY, LAW, "54")
    for step in power.definition.steps:
        if not is_reminder(step):
            continue
        if step.min_wait is None or shorter_than(step.min_wait, minimum):
            stated = step.min_wait.label() if step.min_wait else "no min_wait"
            yield Violation(
                step_field(step.id, "min_wait"),
                f"the 催告 step {step.id} states {stated}: a court application may follow only "
                f"{minimum.label()} after the 催告书 is delivered (催告书送达十日后, art. 54)",
            )


@rule(
    "compulsion.night-holiday",
    ERROR,
    "enforcement steps are flagged no_night_or_holiday",
    statute=LAW,
    article="43",
)
def night_holiday(power: CompiledPower) -> Iterator[Violation]:
    if not is_enforcement(power.definition):
        return
    for step in _executions(power):
        if not step.no_night_or_holiday:
            yield Violation(
                step_field(step.id, "no_night_or_holiday"),
                f"enforcement step {step.id} is not flagged no_night_or_holiday: 行政机关不得在夜间"
                "或者法定节假日实施行政强制执行，情况紧急的除外 (art. 43)",
            )
