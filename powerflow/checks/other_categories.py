"""Other powers (行政给付, 行政裁决, 行政确认, 行政征收, 行政检查, 行政奖励, 其他): no general
procedure statute sets their limits, so powerflow ships no defaults and every limit must cite its
source.

Only 行政许可, 行政处罚 and 行政强制 have a cross-cutting statute behind their limits; for every
other category (including local variants) a limit without ``basis`` would be a number nobody can
check (domain rules O-05).
"""

from __future__ import annotations

from collections.abc import Iterator

from powerflow.checks.common import durations
from powerflow.checks.registry import Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.findings import Severity

STATUTE_CATEGORIES = frozenset({"行政许可", "行政处罚", "行政强制"})


@rule(
    "other.limit-basis",
    Severity.ERROR,
    "outside 许可/处罚/强制, every limit cites the article that sets it",
    statute="sector law (no general procedure statute)",
    article="O-05",
)
def limit_basis(power: CompiledPower) -> Iterator[Violation]:
    category = power.definition.category
    if category in STATUTE_CATEGORIES:
        return
    for field, duration in durations(power.definition):
        if duration.basis is None:
            yield Violation(
                f"{field}.basis",
                f"the limit {duration.label()} cites no basis: a {category} has no statutory "
                "default, so name the sector article that sets it",
            )
