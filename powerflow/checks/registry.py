"""The registry of rules: every check has an id, a severity and, where it comes from a statute,
the statute and article it enforces.

A check is a function from a CompiledPower to the violations it finds; the runner turns each
violation into a Finding located by file, line and field path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from powerflow.compiler import CompiledPower
from powerflow.findings import Finding, Severity


@dataclass(frozen=True)
class Violation:
    """What a check reports: the field path at fault and a message for the legal office."""

    field: str
    message: str


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

    def finding(self, power: CompiledPower, violation: Violation) -> Finding:
        """Locate a violation of this rule in the definition's file."""
        line = power.source.line_of(violation.field)
        return Finding(power.file, line, violation.field, self.id, self.severity, violation.message)


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
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of a new rule."""

    def decorate(check: Check) -> Check:
        register(Rule(id, severity, summary, statute, article, check))
        return check

    return decorate
