"""Named guards (条件) that a definition may put on an action.

A definition never carries an expression to evaluate: it names a guard from this registry, and
the engine evaluates the guard against the facts recorded on the case. The chart shows the
action's human-readable ``condition`` text instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class Guard:
    """A named predicate over the case facts, described for the legal office."""

    name: str
    description: str
    facts: tuple[str, ...]
    test: Callable[[Facts], bool]


def _flag(name: str) -> Callable[[Facts], bool]:
    return lambda facts: bool(facts.get(name, False))


def _not_flag(name: str) -> Callable[[Facts], bool]:
    return lambda facts: not bool(facts.get(name, False))


def _amount(facts: Facts) -> float:
    value = facts.get("amount", 0)
    return float(value) if isinstance(value, int | float) else 0.0


def _within_simple_procedure(facts: Facts) -> bool:
    # 行政处罚法 art. 51: 警告, or a fine up to 200 yuan (公民) / 3,000 yuan (法人、其他组织).
    if facts.get("penalty_type") == "警告":
        return True
    limit = 200.0 if facts.get("party_type", "individual") == "individual" else 3000.0
    return _amount(facts) <= limit


GUARDS: dict[str, Guard] = {
    guard.name: guard
    for guard in (
        Guard(
            "materials_complete",
            "申请材料齐全、符合法定形式 (materials complete and in legal form)",
            ("materials_complete",),
            _flag("materials_complete"),
        ),
        Guard(
            "materials_incomplete",
            "申请材料不齐全或不符合法定形式 (materials incomplete)",
            ("materials_complete",),
            _not_flag("materials_complete"),
        ),
        Guard(
            "hearing_requested",
            "当事人在期限内申请听证 (the party asked for a hearing in time)",
            ("hearing_requested",),
            _flag("hearing_requested"),
        ),
        Guard(
            "hearing_not_requested",
            "当事人未申请听证或放弃听证 (no hearing requested, or waived)",
            ("hearing_requested",),
            _not_flag("hearing_requested"),
        ),
        Guard(
            "complex_or_serious",
            "情节复杂或者重大违法行为 (complex or serious case; 行政处罚法 art. 57)",
            ("complex_or_serious",),
            _flag("complex_or_serious"),
        ),
        Guard(
            "not_complex_or_serious",
            "非情节复杂或者重大违法行为 (ordinary case)",
            ("complex_or_serious",),
            _not_flag("complex_or_serious"),
        ),
        Guard(
            "within_simple_procedure",
            "事实确凿并有法定依据，罚款数额在简易程序限额内 (行政处罚法 art. 51)",
            ("penalty_type", "party_type", "amount"),
            _within_simple_procedure,
        ),
        Guard(
            "requirements_met",
            "符合法定条件、标准 (statutory conditions and standards met)",
            ("requirements_met",),
            _flag("requirements_met"),
        ),
        Guard(
            "requirements_not_met",
            "不符合法定条件、标准 (statutory conditions not met)",
            ("requirements_met",),
            _not_flag("requirements_met"),
        ),
        Guard(
            "urgent",
            "情况紧急，需要当场实施 (urgent; 行政强制法 art. 19)",
            ("urgent",),
            _flag("urgent"),
        ),
        Guard(
            "party_performed",
            "当事人已自动履行 (the party has performed the obligation)",
            ("party_performed",),
            _flag("party_performed"),
        ),
        Guard(
            "party_not_performed",
            "当事人逾期仍未履行 (the party has not performed by the deadline)",
            ("party_performed",),
            _not_flag("party_performed"),
        ),
    )
}


def evaluate_guard(name: str, facts: Facts) -> bool:
    """Evaluate the named guard on the case facts; unknown names raise KeyError."""
    return GUARDS[name].test(facts)
