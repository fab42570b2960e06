"""行政处罚法 (revised 2021): the rules a penalty definition (category 行政处罚) must keep.

Decisions taken here, for the legal office to know:

* A decision exit *imposes a penalty* when its ``outcome_kind`` is ``penalty``; 不予处罚
  (``no_penalty``) and 移送 (``transfer``) do not. Only penalty exits must be preceded by the
  告知 (arts. 44, 45, 62): 不予处罚 and 移送司法机关 take nothing from the party and may be
  decided without it. Because the check follows every path, a no-penalty route into the same
  decision step as the penalty route is an error too (the decision step could then impose a
  penalty untold): give it its own decision step.
* The 告知 gate is a notice step granting both 陈述 and 申辩.
* 法制审核 (art. 58) is required in 普通程序 whenever a hearing is possible (a hearing step, or a
  penalty that triggers the hearing right); it may be a ``legal_review`` step or a 法制审核
  checkpoint on a step before (or on) the decision.
* The hearing right (art. 63) is triggered by the penalty types in ``penalty.types`` (吊销, 降级,
  停产停业, 关闭, 限制从业, 限制生产经营) or by a fine or confiscation that can reach the 较大数额
  of ``powerflow/data/hearing_thresholds.yaml`` for the declared jurisdiction, sector and party
  types (an unknown ceiling, such as a multiple of 货值金额, counts as reaching it).
* ``procedure`` naming 简易程序 (or 当场) selects the on-the-spot profile (art. 51); everything else
  is 普通程序.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from powerflow.checks.common import (
    action_field,
    advance_notice_violations,
    decision_exits,
    hearing_window_violations,
    is_simple_procedure,
    limit,
    officer_violations,
    rights_of,
    step_field,
    step_limit_violations,
    steps_of_kind,
    ungated,
    within_violation,
)
from powerflow.checks.registry import LAWS, LAWS_REGULATIONS_AND_RULES, Violation, rule
from powerflow.compiler import CompiledPower, Exit
from powerflow.definition import (
    CheckpointKind,
    Definition,
    PartyType,
    PenaltyType,
    RightKind,
    Step,
    StepKind,
    TimeUnit,
)
from powerflow.discretion import hearing_threshold
from powerflow.findings import Severity

ERROR = Severity.ERROR
LAW = "行政处罚法"
CATEGORY = "行政处罚"

ALWAYS_HEARD = frozenset(
    {
        PenaltyType.DOWNGRADE,
        PenaltyType.REVOKE_LICENCE,
        PenaltyType.SUSPEND_BUSINESS,
        PenaltyType.CLOSE,
        PenaltyType.BAR_FROM_PRACTICE,
        PenaltyType.RESTRICT_BUSINESS,
    }
)
"""Types that always carry the hearing right (art. 63 (二)-(五))."""

HEARD_BY_AMOUNT = frozenset(
    {PenaltyType.FINE, PenaltyType.CONFISCATE_GAINS, PenaltyType.CONFISCATE_PROPERTY}
)
"""Types that carry it from the 较大数额 on (art. 63 (一))."""

SIMPLE_TYPES = frozenset({PenaltyType.WARNING, PenaltyType.CRITICISM, PenaltyType.FINE})
SIMPLE_LIMITS = {PartyType.INDIVIDUAL: Decimal(200), PartyType.ORGANISATION: Decimal(3000)}
"""简易程序: 警告/通报批评 or a fine up to 200 元 (公民) / 3,000 元 (法人、其他组织) (art. 51)."""


def _applies(power: CompiledPower) -> bool:
    return power.definition.category == CATEGORY


def _ordinary(power: CompiledPower) -> bool:
    return _applies(power) and not is_simple_procedure(power.definition)


def _penalty_exits(power: CompiledPower) -> list[Exit]:
    return [e for e in decision_exits(power) if e.action.imposes_penalty]


def max_fine(definition: Definition, party: PartyType) -> Decimal | None:
    """The highest fine a party can get: declared, else from the benchmarks; None when unbounded."""
    profile = definition.penalty
    if profile is not None and party in profile.max_fine:
        return profile.max_fine[party]
    bands = [band for benchmark in definition.benchmarks for band in benchmark.bands]
    if not bands or any(band.statutory.of for band in bands):
        return None
    return max(band.statutory.max for band in bands)


def hearing_triggers(definition: Definition) -> list[str]:
    """Why the penalty carries the hearing right (art. 63); empty when it does not."""
    profile = definition.penalty
    if profile is None:
        return []
    types = set(profile.types)
    reasons = [f"the penalty type {t.value}" for t in profile.types if t in ALWAYS_HEARD]
    if types & {PenaltyType.CONFISCATE_GAINS, PenaltyType.CONFISCATE_PROPERTY}:
        reasons.append("a confiscation whose value may reach the 较大数额")
    if PenaltyType.FINE in types:
        for party in profile.parties:
            threshold = hearing_threshold(
                party, jurisdiction=profile.jurisdiction, sector=profile.sector
            )
            highest = max_fine(definition, party)
            if highest is not None and highest < threshold.amount:
                continue
            amount = "with no fixed ceiling" if highest is None else f"up to {highest} 元"
            fallback = (
                ", the lowest known: none is listed for this place" if threshold.fallback else ""
            )
            reasons.append(
                f"a fine for a {party.label} {amount}, reaching the 较大数额 of "
                f"{threshold.amount} 元 ({threshold.source}{fallback})"
            )
    return reasons


@rule(
    "penalty.profile",
    ERROR,
    "a 行政处罚 definition declares its penalty types (penalty.types)",
    statute=LAW,
    article="9, 63",
)
def profile(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power) and power.definition.penalty is None:
        yield Violation(
            "category",
            "a 行政处罚 definition must declare penalty: {types: […]}: the types and amounts "
            "decide the hearing right (art. 63) and the 简易程序 guard (art. 51)",
        )


def _notice_gate(step: Step) -> bool:
    return step.kind is StepKind.NOTICE and {RightKind.STATEMENT, RightKind.DEFENCE} <= rights_of(
        step
    )


@rule(
    "penalty.prior-notice",
    ERROR,
    "every path to a penalty exit passes a 告知 step granting 陈述 and 申辩",
    statute=LAW,
    article="44, 45, 62",
)
def prior_notice(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    for exit_ in ungated(power, _penalty_exits(power), _notice_gate):
        yield Violation(
            action_field(exit_.source, exit_.action),
            f"the penalty exit {exit_.action.action} of step {exit_.source} can be reached without "
            "a 告知 step granting 陈述 and 申辩: no penalty may be decided before the party is "
            "told "
            "the facts, reasons, basis and proposed penalty and heard (arts. 44, 45, 62)",
        )


@rule(
    "penalty.hearing-right",
    ERROR,
    "where the type or amount calls for it, a notice grants 听证 and leads to a hearing step",
    statute=LAW,
    article="63",
)
def hearing_right(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    reasons = hearing_triggers(power.definition)
    if not reasons:
        return
    notices = [
        s for s in steps_of_kind(power, StepKind.NOTICE) if RightKind.HEARING in rights_of(s)
    ]
    hearings = {s.id for s in steps_of_kind(power, StepKind.HEARING)}
    if not notices:
        yield Violation(
            "penalty.types",
            f"the hearing right must be offered ({reasons[0]}), but no notice step grants 听证",
        )
    elif not any(e.target in hearings for s in notices for e in power.exits(s.id)):
        yield Violation(
            step_field(notices[0].id, "actions"),
            f"the notice step {notices[0].id} grants 听证 but no action leads to a hearing step",
        )


@rule(
    "penalty.hearing-window",
    ERROR,
    "a 听证 right leaves at least 5 working days to ask for the hearing",
    statute=LAW,
    article="64",
)
def hearing_window(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power):
        yield from hearing_window_violations(power, f"{LAW} art. 64")


@rule(
    "penalty.hearing-notice",
    ERROR,
    "the hearing's time and place are told 7 working days before (advance_notice)",
    statute=LAW,
    article="64",
)
def hearing_notice(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power):
        yield from advance_notice_violations(power, f"{LAW} art. 64")


def _legal_review_gate(step: Step) -> bool:
    return step.kind is StepKind.LEGAL_REVIEW or any(
        c.kind is CheckpointKind.LEGAL_REVIEW for c in step.checkpoints
    )


@rule(
    "penalty.legal-review",
    ERROR,
    "where a hearing is possible, every path to a penalty exit passes 法制审核 (普通程序)",
    statute=LAW,
    article="58",
)
def legal_review(power: CompiledPower) -> Iterator[Violation]:
    if not _ordinary(power):
        return
    if not steps_of_kind(power, StepKind.HEARING) and not hearing_triggers(power.definition):
        return
    for exit_ in ungated(power, _penalty_exits(power), _legal_review_gate):
        yield Violation(
            action_field(exit_.source, exit_.action),
            f"the penalty exit {exit_.action.action} of step {exit_.source} can be reached without "
            "法制审核: a case that may go through a hearing is reviewed before the decision, and "
            "without a passed review no decision may be made (art. 58)",
        )


@rule(
    "penalty.collective-discussion",
    ERROR,
    "普通程序 has a 集体讨论 step leading to the decision, for complex or serious cases",
    statute=LAW,
    article="57",
)
def collective_discussion(power: CompiledPower) -> Iterator[Violation]:
    if not _ordinary(power):
        return
    decisions = {s.id for s in steps_of_kind(power, StepKind.DECISION)}
    for step in power.definition.steps:
        discusses = step.kind is StepKind.COLLECTIVE_DISCUSSION or any(
            c.kind is CheckpointKind.COLLECTIVE_DISCUSSION for c in step.checkpoints
        )
        if discusses and (
            step.id in decisions or any(e.target in decisions for e in power.exits(step.id))
        ):
            return
    yield Violation(
        "steps",
        "no 集体讨论 leads to a decision: 对情节复杂或者重大违法行为给予行政处罚，"
        "行政机关负责人应当"
        "集体讨论决定 (art. 57)",
    )


@rule(
    "penalty.investigators",
    ERROR,
    "investigation is done by at least two officers holding 执法证",
    statute=LAW,
    article="42",
)
def investigators(power: CompiledPower) -> Iterator[Violation]:
    if _applies(power):
        yield from officer_violations(
            power,
            steps_of_kind(power, StepKind.INVESTIGATION),
            "执法人员不得少于两人 (art. 42)",
            "officers must hold 行政执法资格 (art. 42)",
        )


@rule(
    "penalty.decision-limit",
    ERROR,
    "普通程序 decides within 90 calendar days of 立案",
    statute=LAW,
    article="60",
    overridable_by=LAWS_REGULATIONS_AND_RULES,
    default="90 日",
)
def decision_limit(power: CompiledPower) -> Iterator[Violation]:
    if not _ordinary(power):
        return
    legal = power.definition.limits.legal
    found = within_violation(
        "limits.legal", "法定时限", legal, limit(90, TimeUnit.DAY, LAW, "60"), legal.basis
    )
    if found is not None:
        yield found


@rule(
    "penalty.extension",
    ERROR,
    "the 90 days are extended only where a 法律、法规 or 规章 provides for it",
    statute=LAW,
    article="60",
    overridable_by=LAWS_REGULATIONS_AND_RULES,
    default="no extension",
)
def extension(power: CompiledPower) -> Iterator[Violation]:
    ext = power.definition.limits.extension
    if not _applies(power) or ext is None:
        return
    yield Violation(
        "limits.extension",
        f"the 行政处罚法 sets 90 days with no extension, but the definition extends by "
        f"{ext.max.label()} (art. 60: 法律、法规、规章另有规定的，从其规定)",
        ext.max.basis or ext.basis,
    )


@rule(
    "penalty.simple-procedure-amount",
    ERROR,
    "简易程序 only for 警告/通报批评 or fines up to 200 元 (公民) / 3,000 元 (组织)",
    statute=LAW,
    article="51",
    overridable_by=LAWS,
    default="200 元 (公民), 3,000 元 (法人、其他组织)",
)
def simple_procedure_amount(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    profile_ = definition.penalty
    if not _applies(power) or not is_simple_procedure(definition) or profile_ is None:
        return
    for kind in profile_.types:
        if kind not in SIMPLE_TYPES:
            yield Violation(
                "penalty.types",
                f"{kind.value} cannot be imposed in 简易程序: only 警告、通报批评 or a small "
                "fine (art. 51)",
                profile_.basis,
            )
    if PenaltyType.FINE not in profile_.types:
        return
    for party in profile_.parties:
        ceiling = SIMPLE_LIMITS[party]
        highest = max_fine(definition, party)
        if highest is None or highest > ceiling:
            shown = "no ceiling" if highest is None else f"{highest} 元"
            yield Violation(
                f"penalty.max_fine.{party.value}" if highest is not None else "penalty.max_fine",
                f"the fine for a {party.label} in 简易程序 reaches {shown}, above the "
                f"{ceiling} 元 of art. 51",
                profile_.basis,
            )


@rule(
    "penalty.delivery",
    ERROR,
    "the decision is delivered within 7 working days when the party was absent",
    statute=LAW,
    article="61",
)
def delivery(power: CompiledPower) -> Iterator[Violation]:
    if not _applies(power):
        return
    targets = [power.step(id_) for id_ in dict.fromkeys(e.target for e in decision_exits(power))]
    yield from step_limit_violations(
        [step for step in targets if step.kind is StepKind.DELIVERY],
        limit(7, TimeUnit.WORKDAY, LAW, "61"),
        "delivery",
    )
