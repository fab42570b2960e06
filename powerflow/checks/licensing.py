"""行政许可法 (2003, amended 2019): the rules a licensing definition (category 行政许可) must keep.

Decisions taken here, for the legal office to know:

* The intake step (``kind: intake``) carries the 补正 notice: its limit is the "当场或者五日内一次
  告知", and it needs an action marked ``deemed: true`` that continues the case, the deemed
  acceptance the engine takes when the five days pass without a notice (art. 32).
* A decision exit's ``outcome_kind`` says what it decides: a ``refusal`` (不予许可) or ``partial``
  grant owes its reasons; a ``grant`` (or ``partial``) must lead to a delivery step (颁发、送达)
  within ten working days.
* Joint handling (统一办理、联合办理、集中办理, art. 26) is marked ``joint: true`` on the definition
  and moves the limits to 45 + 15 working days.
* The periods are maxima the statute lets 法律、法规 change ("法律、法规另有规定的，依照其规定"):
  a longer limit citing a 法律 or 法规 is reported as a warning quoting it.
"""

from __future__ import annotations

from collections.abc import Iterator

from powerflow.checks.common import (
    action_field,
    advance_notice_violations,
    decision_exits,
    hearing_window_violations,
    limit,
    rights_of,
    step_field,
    step_limit_violations,
    steps_of_kind,
    within_violation,
)
from powerflow.checks.registry import LAWS_AND_REGULATIONS, Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.definition import Rank, RightKind, StepKind, TimeUnit
from powerflow.findings import Severity

ERROR = Severity.ERROR
LAW = "行政许可法"
CATEGORY = "行政许可"
WD = TimeUnit.WORKDAY

SPECIAL_PROCEDURES = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")
"""The procedures whose time is not counted in the licensing limit (art. 45)."""


def _applies(power: CompiledPower) -> bool:
    return power.definition.category == CATEGORY


@rule(
    "licensing.supplement-notice",
    ERROR,
    "the intake step gives its one-time 补正 notice within five working days",
    statute=LAW,
    article="32",
)
def supplement_notice(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    yield from step_limit_violations(
        steps_of_kind(power, StepKind.INTAKE),
        limit(5, WD, LAW, "32"),
        "intake",
        ": the 补正 notice is due 当场或者五日内, in one go",
    )


@rule(
    "licensing.deemed-acceptance",
    ERROR,
    "the intake step is deemed accepted when the 补正 notice is missed (deemed: true action)",
    statute=LAW,
    article="32",
)
def deemed_acceptance(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    for step in steps_of_kind(power, StepKind.INTAKE):
        deemed = [a for a in step.actions if a.deemed]
        if not any(
            not power.step(a.to).final and not a.refuses
            for a in deemed
            if a.to in {s.id for s in power.definition.steps}
        ):
            yield Violation(
                step_field(step.id, "actions"),
                f"intake step {step.id} has no deemed acceptance: add an action with deemed: true "
                "leading on into the procedure (逾期不告知的，自收到申请材料之日起即为受理)",
            )


@rule(
    "licensing.decision-limit",
    ERROR,
    "the decision is due within 20 working days (45 for joint handling)",
    statute=LAW,
    article="42",
    overridable_by=LAWS_AND_REGULATIONS,
    default="20 个工作日; 45 个工作日 for 统一、联合、集中办理",
)
def decision_limit(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    legal = power.definition.limits.legal
    maximum = limit(45 if power.definition.joint else 20, WD, LAW, "42")
    found = within_violation("limits.legal", "法定时限", legal, maximum, legal.basis)
    if found is not None:
        yield found


@rule(
    "licensing.extension",
    ERROR,
    "an extension adds at most 10 working days (15 for joint handling)",
    statute=LAW,
    article="42",
    overridable_by=LAWS_AND_REGULATIONS,
    default="10 个工作日; 15 个工作日 for 统一、联合、集中办理",
)
def extension(power: CompiledPower) -> Iterator[Violation]:
    ext = power.definition.limits.extension
    if not _applies(power) or ext is None:
        return
    maximum = limit(15 if power.definition.joint else 10, WD, LAW, "42")
    found = within_violation(
        "limits.extension.max", "the extension", ext.max, maximum, ext.max.basis or ext.basis
    )
    if found is not None:
        yield found


@rule(
    "licensing.pause-notice",
    ERROR,
    "听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 pause the clock with a written notice",
    statute=LAW,
    article="45",
)
def pause_notice(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    yield from special_procedure_violations(power, SPECIAL_PROCEDURES, f"{LAW} art. 45")


def special_procedure_violations(
    power: CompiledPower, procedures: tuple[str, ...], source: str
) -> Iterator[Violation]:
    """Steps of the named special procedures must pause with a written notice.

    A step is such a procedure when it is a hearing (if 听证 is named) or, unless it is a notice
    step (告知听证权利 only announces one), when its name or pause reason names the procedure.
    """
    for step in power.definition.steps:
        text = step.name + (step.pause.reason if step.pause else "")
        if step.kind is StepKind.HEARING:
            special = "听证" in procedures
        else:
            special = step.kind is not StepKind.NOTICE and any(w in text for w in procedures)
        if not special:
            continue
        if step.pause is None:
            yield Violation(
                step_field(step.id),
                f"step {step.id} ({step.name}) is a special procedure whose time is not counted "
                f"({source}): declare its pause",
            )
        elif not step.pause.written_notice:
            yield Violation(
                step_field(step.id, "pause.written_notice"),
                f"the party must be told in writing how long {step.name} takes ({source}): "
                "set written_notice: true",
            )


@rule(
    "licensing.certificate",
    ERROR,
    "a grant leads to a delivery step (颁发、送达) due within 10 working days",
    statute=LAW,
    article="44",
)
def certificate(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    maximum = limit(10, WD, LAW, "44")
    for exit_ in decision_exits(power):
        if not exit_.action.grants:
            continue
        target = power.step(exit_.target)
        if target.kind is not StepKind.DELIVERY:
            yield Violation(
                action_field(exit_.source, exit_.action, "to"),
                f"the grant {exit_.action.action} leads to {target.id}, not to a delivery step: "
                "the licence is issued or delivered within 10 working days of the decision",
            )
            continue
        found = within_violation(
            step_field(target.id, "limit"),
            f"the limit of delivery step {target.id}",
            target.limit,
            maximum,
        )
        if found is not None:
            yield found


@rule(
    "licensing.hearing-window",
    ERROR,
    "a 听证 right leaves at least 5 working days to ask for the hearing",
    statute=LAW,
    article="47",
)
def hearing_window(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power):
        yield from hearing_window_violations(power, f"{LAW} art. 47")


@rule(
    "licensing.hearing-limit",
    ERROR,
    "a requested hearing is organised within 20 working days",
    statute=LAW,
    article="47",
)
def hearing_limit(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    yield from step_limit_violations(
        steps_of_kind(power, StepKind.HEARING), limit(20, WD, LAW, "47"), "hearing"
    )


@rule(
    "licensing.hearing-notice",
    ERROR,
    "the hearing's time and place are told 7 working days before (advance_notice)",
    statute=LAW,
    article="48",
)
def hearing_notice(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power):
        yield from advance_notice_violations(power, f"{LAW} art. 48")


@rule(
    "licensing.refusal-reasons",
    ERROR,
    "a refusal states its reasons (要求说明理由 on the decision or the step it leads to)",
    statute=LAW,
    article="38",
)
def refusal_reasons(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    for exit_ in decision_exits(power):
        if not exit_.action.refuses:
            continue
        stated = rights_of(power.step(exit_.source)) | rights_of(power.step(exit_.target))
        if RightKind.REASONS not in stated:
            yield Violation(
                action_field(exit_.source, exit_.action),
                f"the refusal {exit_.action.action} ({exit_.action.outcome}) states no reasons: "
                f"give step {exit_.source} or {exit_.target} the right 要求说明理由",
            )


@rule(
    "licensing.fee-basis",
    ERROR,
    "a fee is charged only on a 法律 or 行政法规 and a published standard",
    statute=LAW,
    article="58, 59",
)
def fee_basis(power: CompiledPower) -> Iterator[Violation]:
    fees = power.definition.fees
    if not _applies(power) or not fees.charged:
        return
    if not any(c.rank in (Rank.LAW, Rank.ADMINISTRATIVE_REGULATION) for c in fees.basis):
        yield Violation(
            "fees.basis",
            "a fee is charged without a 法律 or 行政法规 providing for it: licensing is free "
            "unless such a source says otherwise (art. 58)",
        )
    if not fees.standard:
        yield Violation(
            "fees.standard",
            "a fee is charged without its published standard "
            "(art. 59: 按照公布的法定项目和标准收费)",
        )


@rule(
    "licensing.verification-officers",
    ERROR,
    "on-site verification (核查) is done by at least two staff",
    statute=LAW,
    article="34",
)
def verification_officers(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    for step in steps_of_kind(power, StepKind.VERIFICATION):
        if step.min_officers < 2:
            yield Violation(
                step_field(step.id, "min_officers"),
                f"verification step {step.id} may be done by {step.min_officers} person: "
                "substantive verification needs two or more staff (应当指派两名以上工作人员)",
            )
