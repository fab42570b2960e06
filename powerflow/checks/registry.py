"""The registry of rules: every check has an id, a severity and, where it comes from a statute,
the statute and article it enforces.

A check is a function from a CompiledPower to the violations it finds; the runner turns each
violation into a Finding located by file, line and field path.

Overrides. Almost every statutory limit carries a "法律、法规（规章）另有规定的，从其规定" clause,
so a definition may deviate from a statutory default, but only by citing a source of high enough
rank. A rule that checks such a default declares ``overridable_by`` (the ranks that may
override it, as the statute's own clause names them) and its ``default``; its check reports the
citation the definition gives for the deviating value in ``Violation.basis``. When that citation
has one of those ranks, the finding is downgraded to a warning that quotes it; otherwise it stays
an error and says why the citation is not enough (a 规范性文件 never overrides a statute).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from powerflow.compiler import CompiledPower
from powerflow.definition import Citation, Rank
from powerflow.findings import Finding, Severity

LAWS_AND_REGULATIONS: frozenset[Rank] = frozenset(
    {Rank.LAW, Rank.ADMINISTRATIVE_REGULATION, Rank.LOCAL_REGULATION}
)
"""法律、法规: what "法律、法规另有规定的" admits (行政许可法 art. 42)."""

LAWS_REGULATIONS_AND_RULES: frozenset[Rank] = LAWS_AND_REGULATIONS | {
    Rank.DEPARTMENT_RULE,
    Rank.LOCAL_RULE,
}
"""法律、法规、规章: what "法律、法规、规章另有规定的" admits (行政处罚法 art. 60)."""

LAWS_AND_ADMINISTRATIVE_REGULATIONS: frozenset[Rank] = frozenset(
    {Rank.LAW, Rank.ADMINISTRATIVE_REGULATION}
)
"""法律、行政法规: what "法律、行政法规另有规定的除外" admits (行政强制法 art. 25)."""

LAWS: frozenset[Rank] = frozenset({Rank.LAW})
"""法律 only: what "法律另有规定的" admits (行政处罚法 art. 51)."""


@dataclass(frozen=True)
class Violation:
    """What a check reports: the field path at fault and a message for the legal office."""

    field: str
    message: str
    basis: Citation | None = None
    """The citation the definition gives for a value that deviates from a statutory default."""


Check = Callable[[CompiledPower], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """A rule of the legal office's rule pack, or of the loader (which has no check function)."""

    id: str
    severity: Severity
    summary: str
    statute: str | None = None
    article: str | None = None
    check: Check | None = None
    overridable_by: frozenset[Rank] = frozenset()
    default: str | None = None
    """The statutory default an override deviates from, e.g. 90 日 (for the rules reference)."""

    @property
    def overridable(self) -> bool:
        return bool(self.overridable_by)

    def finding(self, power: CompiledPower, violation: Violation) -> Finding:
        """Locate a violation of this rule in the definition's file, applying a cited override."""
        line = power.source.line_of(violation.field)
        severity, message = self.severity, violation.message
        cited = violation.basis
        if self.overridable and cited is not None:
            rank = cited.rank.value if cited.rank is not None else "位阶 not stated"
            if cited.rank in self.overridable_by:
                severity = Severity.WARNING
                message = f"{message}; accepted as an override citing {cited.label()} ({rank})"
            else:
                message = (
                    f"{message}; the cited {cited.label()} ({rank}) cannot override it: "
                    f"only {rank_names(self.overridable_by)} can"
                )
        return Finding(power.file, line, violation.field, self.id, severity, message)


_RANK_ORDER = list(Rank)


def rank_names(ranks: frozenset[Rank]) -> str:
    """The ranks in order of precedence, joined with 、 (法律、行政法规、地方性法规)."""
    return "、".join(rank.value for rank in sorted(ranks, key=_RANK_ORDER.index))


RULES: dict[str, Rule] = {}


def register(rule_: Rule) -> Rule:
    """Add a rule to the registry; ids are unique."""
    if rule_.id in RULES:
        raise ValueError(f"rule id {rule_.id} registered twice")
    RULES[rule_.id] = rule_
    return rule_


def rule(
    id: str,
    severity: Severity,
    summary: str,
    *,
    statute: str | None = None,
    article: str | None = None,
    overridable_by: frozenset[Rank] = frozenset(),
    default: str | None = None,
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of a new rule.

    ``overridable_by`` names the ranks whose citation (``Violation.basis``) turns a finding into a
    warning; ``default`` states the statutory default being overridden.
    """

    def decorate(check: Check) -> Check:
        register(Rule(id, severity, summary, statute, article, check, overridable_by, default))
        return check

    return decorate
