"""The legal office's checks: a registry of rules run over compiled definitions.

``structural`` holds the flow and flowchart-element rules; each statute family gets its own
module. ``loading`` documents the rules the loader enforces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from powerflow.checks import (  # noqa: F401  (modules register their rules)
    benchmarks,
    compulsion,
    licensing,
    limits,
    loading,
    other_categories,
    penalty,
    remedies,
    separation,
    structural,
    units,
)
from powerflow.checks.registry import RULES, Rule, Violation, register, rule
from powerflow.compiler import CompiledPower, compile_definition
from powerflow.definition import load_definitions
from powerflow.findings import Finding, sort_findings

FAMILIES: dict[str, str] = {
    "load": "the file can be read as a definition",
    "structure": "the procedure is a well-formed flow",
    "element": "the seven flowchart elements are present (F-05)",
    "catalog": "catalog fields (F-01, F-03)",
    "units": "time units per statute (§1)",
    "limits": "case limits, promises and extensions (§11.2)",
    "licensing": "行政许可法 (§2)",
    "penalty": "行政处罚法 (§3)",
    "compulsion": "行政强制法 (§4)",
    "remedies": "复议 and 诉讼 routes (§5)",
    "other": "other categories (§6)",
    "separation": "separation of duties (§11.4)",
    "benchmarks": "行政处罚裁量基准 (§10)",
}
"""Rule families (the prefix of a rule id) in the order the rules reference lists them."""

__all__ = [
    "FAMILIES",
    "RULES",
    "CatalogReport",
    "Rule",
    "Violation",
    "check_catalog",
    "register",
    "rule",
    "run_checks",
]


def run_checks(power: CompiledPower) -> list[Finding]:
    """Run every registered rule over one compiled definition; findings sorted by line."""
    findings = [
        rule_.finding(power, violation)
        for rule_ in RULES.values()
        if rule_.check is not None
        for violation in rule_.check(power)
    ]
    return sort_findings(findings)


@dataclass
class CatalogReport:
    """The result of checking a set of definition files."""

    powers: list[CompiledPower] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(finding.is_error for finding in self.findings)


def check_catalog(paths: Iterable[Path]) -> CatalogReport:
    """Load, compile and check every definition under the given files or folders."""
    loaded, findings = load_definitions(paths)
    report = CatalogReport(findings=list(findings))
    for item in loaded:
        power = compile_definition(item)
        report.powers.append(power)
        report.findings.extend(run_checks(power))
    report.findings = sort_findings(report.findings)
    return report
