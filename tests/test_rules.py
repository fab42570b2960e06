"""The rule pack beyond its fixtures: comparing limits, statute versions, joint handling, hearing
triggers, the override mechanism and the documented path decisions."""

from __future__ import annotations

import pytest

from powerflow.checks import RULES, run_checks
from powerflow.checks.common import compare, day_bounds
from powerflow.checks.registry import Violation
from powerflow.compiler import compile_definition
from powerflow.definition import Citation, Duration, TimeUnit, parse_definition
from powerflow.findings import Finding, Severity
from tests.conftest import DATA, DEFINITIONS

VALID = DATA / "valid"
WD, CD, M, H = TimeUnit.WORKDAY, TimeUnit.DAY, TimeUnit.MONTH, TimeUnit.HOUR


def findings(base: str, *edits: tuple[str, str]) -> list[Finding]:
    """Check a valid base after replacing text in it (each old text must occur once)."""
    text = (VALID / f"{base}.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return run_checks(compile_definition(parse_definition(text, f"{base}.yaml")))


def rules(found: list[Finding]) -> set[str]:
    return {finding.rule for finding in found}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((20, WD), (30, WD), "within"),
        ((31, WD), (30, WD), "beyond"),
        ((20, CD), (20, WD), "within"),
        ((20, WD), (20, CD), "unclear"),
        ((60, WD), (30, CD), "beyond"),
        ((1, M), (28, CD), "unclear"),
        ((24, H), (1, WD), "within"),
        ((6, M), (180, CD), "unclear"),
    ],
)
def test_compare_limits_across_units(
    a: tuple[int, TimeUnit], b: tuple[int, TimeUnit], expected: str
) -> None:
    assert compare(Duration(value=a[0], unit=a[1]), Duration(value=b[0], unit=b[1])) == expected


def test_working_day_bounds_cover_a_long_holiday() -> None:
    # 2026: 20 working days from Friday 13 February span the nine-day 春节 break (35 days).
    low, high = day_bounds(Duration(value=20, unit=WD))
    assert low == 20 and high >= 35


def test_reconsideration_units_follow_the_version_in_force() -> None:
    ten_workdays = ("period: {value: 60, unit: day,", "period: {value: 10, unit: workday,")
    assert "units.reconsideration" not in rules(findings("minimal", ten_workdays))
    before_2024 = ("effective: 2025-01-01", "effective: 2023-06-01")
    (finding,) = [
        f for f in findings("minimal", ten_workdays, before_2024) if f.rule.startswith("units")
    ]
    assert finding.rule == "units.reconsideration"
    assert "declare it as 10日" in finding.message


def test_joint_handling_allows_45_plus_15_working_days() -> None:
    longer = (
        (
            "legal: {value: 20, unit: workday, basis: {law: 中华人民共和国行政许可法, article: 42",
            "legal: {value: 45, unit: workday, basis: {law: 中华人民共和国行政许可法, article: 42",
        ),
        (
            "max: {value: 10, unit: workday, basis: {law: 中华人民共和国行政许可法, article: 42",
            "max: {value: 15, unit: workday, basis: {law: 中华人民共和国行政许可法, article: 42",
        ),
    )
    assert {"licensing.decision-limit", "licensing.extension"} <= rules(
        findings("licensing", *longer)
    )
    joint = ("category: 行政许可", "category: 行政许可\njoint: true")
    assert findings("licensing", *longer, joint) == []


def test_small_fines_below_the_threshold_need_no_hearing() -> None:
    no_hearing_right = (
        "      - right: 听证\n        window: {value: 5, unit: workday, basis: "
        "{law: 中华人民共和国行政处罚法, "
        "article: 64, rank: 法律}}\n",
        "",
    )
    assert "penalty.hearing-right" in rules(findings("penalty", no_hearing_right))
    small = (
        "  jurisdiction: 云溪县\n",
        "  jurisdiction: 云溪县\n  max_fine: {individual: 4000, organisation: 90000}\n",
    )
    assert "penalty.hearing-right" not in rules(findings("penalty", no_hearing_right, small))
    revocation = ("penalty:\n  types: [罚款]\n", "penalty:\n  types: [罚款, 吊销许可证件]\n")
    (finding,) = [
        f
        for f in findings("penalty", no_hearing_right, small, revocation)
        if f.rule == "penalty.hearing-right"
    ]
    assert "吊销许可证件" in finding.message


IMPOSE = "outcome: 给予行政处罚, outcome_kind: penalty}"
INTO_DECISION = (
    "{action: propose_no_penalty, name: 拟不予处罚, to: waive}",
    "{action: propose_no_penalty, name: 拟不予处罚, to: decision}",
)


def test_a_no_penalty_route_into_the_penalty_decision_needs_the_notice() -> None:
    # Documented decision: 不予处罚 may skip the 告知, but not through a step that can also impose.
    found = findings("penalty", INTO_DECISION)
    assert "penalty.prior-notice" in rules(found)
    assert all(
        f.field == "steps.decision.actions.impose"
        for f in found
        if f.rule == "penalty.prior-notice"
    )


@pytest.mark.parametrize(
    ("impose", "penalty"),
    [
        (IMPOSE, True),
        ("outcome: 不予行政处罚, outcome_kind: penalty}", True),
        ("outcome: 给予行政处罚, outcome_kind: no_penalty}", False),
        ("outcome: 移送司法机关, outcome_kind: penalty}", True),
    ],
    ids=["as-shipped", "refusal-words", "penalty-words", "transfer-words"],
)
def test_the_outcome_kind_decides_a_penalty_not_its_words(impose: str, penalty: bool) -> None:
    # An ungated route reaches the decision step: only a penalty exit there needs the 告知.
    found = findings("penalty", INTO_DECISION, (IMPOSE, impose))
    assert ("penalty.prior-notice" in rules(found)) is penalty


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("refusal", set()),
        ("grant", {"licensing.certificate"}),
        ("partial", {"licensing.certificate"}),
    ],
)
def test_the_outcome_kind_decides_a_grant_not_its_words(kind: str, expected: set[str]) -> None:
    # The refusal leads straight to the final step: a grant there would skip the delivery.
    refuse = (
        "outcome: 不予许可, outcome_kind: refusal}",
        f"outcome: 不予许可, outcome_kind: {kind}}}",
    )
    assert rules(findings("licensing", refuse)) == expected


def test_a_refusal_owes_its_reasons_whatever_its_words() -> None:
    quiet = ("outcome: 不予许可, outcome_kind: refusal}", "outcome: 驳回, outcome_kind: refusal}")
    no_reasons = ("      - right: 要求说明理由\n", "")
    found = findings("licensing", quiet, no_reasons)
    assert "licensing.refusal-reasons" in rules(found)


LIGHTER = "fine: {min: 10000, max: 20000}"
ORDINARY = "fine: {min: 20000, max: 40000}"
HEAVIER = "fine: {min: 40000, max: 50000}"


@pytest.mark.parametrize(
    ("edits", "field", "words"),
    [
        (
            [(LIGHTER, "fine: {min: 12000, max: 20000}")],
            "tiers.2.fine",
            ["from 10000 元 to below 12000 元", "the lowest, 从轻 12000元以上20000元以下"],
        ),
        (
            [(ORDINARY, "fine: {min: 21000, max: 40000}")],
            "tiers.3.fine",
            ["above 20000 元 and below 21000 元", "从轻 10000元以上20000元以下 ends at 20000 元"],
        ),
        (
            [(HEAVIER, "fine: {min: 40000, max: 48000}")],
            "tiers.4.fine",
            ["above 48000 元 up to 50000 元", "the highest, 从重 40000元以上48000元以下"],
        ),
        (
            # 一般 swallows 从轻: the gap is measured from the furthest tier reached, not the last.
            [
                (ORDINARY, "fine: {min: 10000, max: 30000}"),
                (HEAVIER, "fine: {min: 35000, max: 50000}"),
            ],
            "tiers.4.fine",
            ["above 30000 元 and below 35000 元", "一般 10000元以上30000元以下 ends at 30000 元"],
        ),
    ],
    ids=["below-the-lowest", "between-tiers", "above-the-highest", "after-a-wide-tier"],
)
def test_an_amount_in_no_tier_is_a_gap_naming_its_boundaries(
    edits: list[tuple[str, str]], field: str, words: list[str]
) -> None:
    (finding,) = [f for f in findings("penalty", *edits) if f.rule == "benchmarks.tiers-gap"]
    assert finding.field == f"benchmarks.0.bands.0.{field}"
    assert finding.severity is Severity.ERROR
    assert all(word in finding.message for word in words), finding.message


def test_tiers_sharing_a_boundary_leave_no_gap_and_reductions_do_not_count() -> None:
    # 减轻 lies below the range and 不予处罚 sets no fine: neither has to meet the tiers.
    mitigated = ("fine: {min: 5000, max: 10000}", "fine: {min: 1000, max: 2000}")
    assert "benchmarks.tiers-gap" not in rules(findings("penalty", mitigated))


@pytest.mark.parametrize(
    ("lighter", "ordinary", "expected"),
    [
        ("fine: {max: 40}", "fine: {min: 40, max: 120}", set()),
        (
            "fine: {max: 40}",
            "fine: {min: 100, max: 120}",
            {"benchmarks.tiers-gap", "benchmarks.local-split"},
        ),
        ("fine: {max: 60}", "fine: {min: 60, max: 120}", {"benchmarks.local-split"}),
    ],
    ids=["covering", "gap-below-40-percent", "lighter-above-20-percent"],
)
def test_only_a_maximum_asks_lighter_up_to_20_and_ordinary_holding_40_to_60_percent(
    lighter: str, ordinary: str, expected: set[str]
) -> None:
    # 200 元以下: 从轻 up to 40 元, 一般 holding 80-120 元, reaching down to where 从轻 ends.
    edits = (("fine: {max: 40}", lighter), ("fine: {min: 40, max: 120}", ordinary))
    found = rules(findings("simple-penalty", *edits))
    assert found & {"benchmarks.tiers-gap", "benchmarks.local-split"} == expected


def test_a_gap_in_multiples_is_named_in_multiples() -> None:
    # The shipped 食品安全法 art. 122 band: 10-20 倍货值金额, 从轻 10-13, 一般 13-17.
    text = (DEFINITIONS / "food-unlicensed-penalty.yaml").read_text(encoding="utf-8")
    old = "fine: {min: 13, max: 17, of: 货值金额}"
    assert text.count(old) == 1
    text = text.replace(old, "fine: {min: 14, max: 17, of: 货值金额}")
    found = run_checks(compile_definition(parse_definition(text, "food-unlicensed-penalty.yaml")))
    (finding,) = [f for f in found if f.rule == "benchmarks.tiers-gap"]
    assert "above 13 倍货值金额 and below 14 倍货值金额" in finding.message


def test_simple_procedure_refuses_heavy_types() -> None:
    heavy = ("  types: [警告, 罚款]\n  max_fine", "  types: [警告, 罚款, 吊销许可证件]\n  max_fine")
    (finding,) = [
        f for f in findings("simple-penalty", heavy) if f.rule == "penalty.simple-procedure-amount"
    ]
    assert finding.field == "penalty.types" and finding.severity is Severity.ERROR


def test_path_limits_skip_paused_steps_and_loops() -> None:
    # Counted, the 20-day hearing would take the licensing base's route (3+5+5+20+2) past 20+10;
    # paused, it is left out, and the 补正 loop back to intake is ignored.
    assert findings("licensing") == []
    slow_review = (
        "limit: {value: 3, unit: workday, basis: {law: 示例办理规范, article: 2",
        "limit: {value: 19, unit: workday, basis: {law: 示例办理规范, article: 2",
    )
    (finding,) = findings("licensing", slow_review)
    assert finding.rule == "limits.path-fits-case"
    assert "review → inspection → hearing_notice → decide" in finding.message


def test_an_action_post_counts_as_handling_for_separation() -> None:
    hosted = (
        "{action: inspect, name: 指派现场核查, to: inspection}",
        "{action: inspect, name: 指派现场核查, to: inspection, post: host}",
    )
    assert "separation.hearing-host" in rules(findings("licensing", hosted))


def test_override_without_a_rank_stays_an_error() -> None:
    rule = RULES["penalty.decision-limit"]
    power = compile_definition(
        parse_definition((VALID / "penalty.yaml").read_text(encoding="utf-8"))
    )
    violation = Violation("limits.legal", "too long", Citation(law="某规定", article="3"))
    finding = rule.finding(power, violation)
    assert finding.severity is Severity.ERROR
    assert "(位阶 not stated) cannot override it" in finding.message


def test_a_shorter_litigation_period_set_by_a_law_is_an_override() -> None:
    # 复议前置 (行政复议法 art. 23): 诉讼 within 15 days of the 复议决定 (行政诉讼法 art. 45).
    after_reconsideration = (
        "period: {value: 6, unit: month, basis: {law: 中华人民共和国行政诉讼法, article: 46",
        "period: {value: 15, unit: day, basis: {law: 中华人民共和国行政诉讼法, article: 45",
    )
    found = findings("minimal", after_reconsideration)
    (finding,) = [f for f in found if f.rule == "remedies.periods"]
    assert finding.severity is Severity.WARNING
    assert "accepted as an override citing 《行政诉讼法》第45条" in finding.message
    by_a_rule = (
        ("value: 6, unit: month", "value: 15, unit: day"),
        ("行政诉讼法, article: 46, rank: 法律", "行政诉讼规章, article: 45, rank: 部门规章"),
    )
    (finding,) = [f for f in findings("minimal", *by_a_rule) if f.rule == "remedies.periods"]
    assert finding.severity is Severity.ERROR


def test_every_rule_names_its_statute_and_article() -> None:
    for rule in RULES.values():
        if rule.check is None:
            continue  # the loader's rules concern the file format
        if rule.id.split(".")[0] in ("structure", "element", "catalog"):
            continue
        assert rule.statute and rule.article, rule.id
        assert not rule.overridable or rule.default, rule.id
