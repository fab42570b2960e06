"""The definition language: loading, error locations, shipped definitions, import direction."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from powerflow.checks import check_catalog, run_checks
from powerflow.compiler import compile_definition
from powerflow.definition import (
    Action,
    Definition,
    OutcomeKind,
    TimeUnit,
    definition_schema,
    load_definition,
    load_definitions,
    parse_definition,
)
from powerflow.errors import DefinitionError
from powerflow.findings import Severity
from tests.conftest import DATA, shipped_definition_files

INVALID = sorted((DATA / "invalid").glob("*.yaml"))
VALID = sorted((DATA / "valid").glob("*.yaml"))
OVERRIDES = sorted((DATA / "valid" / "overrides").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (?P<rule>\S+) (?P<field>\S+) line (?P<line>\d+)")
STATUTE_FAMILIES = (
    "units",
    "limits",
    "licensing",
    "penalty",
    "compulsion",
    "remedies",
    "other",
    "separation",
    "benchmarks",
)


def expectation(path: Path) -> tuple[str, str, int]:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} lacks an '# expect: RULE FIELD line N' header"
    field = "" if match["field"] == "-" else match["field"]
    return match["rule"], field, int(match["line"])


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_reports_rule_file_line_and_field(path: Path) -> None:
    rule, field, line = expectation(path)
    report = check_catalog([path])
    hits = [f for f in report.findings if f.rule == rule]
    assert hits, f"expected {rule}, got {[f.format_text() for f in report.findings]}"
    assert any(f.field == field and f.line == line and f.file == str(path) for f in hits), [
        f.format_text() for f in hits
    ]
    marked = [n for n, text in enumerate(path.read_text().splitlines(), 1) if "#<" in text]
    assert marked in ([], [line]), "the #< marker must stand on the expected line"


def test_invalid_fixtures_cover_every_registered_rule() -> None:
    from powerflow.checks import RULES

    covered = {expectation(path)[0] for path in INVALID}
    # These cannot be written as a single definition file: they concern the file system or the
    # set of files, and are tested below.
    testable = set(RULES) - {
        "load.file",
        "load.empty",
        "load.not-a-mapping",
        "load.duplicate-code",
        "load.too-large",
    }
    assert testable <= covered, f"rules without an invalid fixture: {sorted(testable - covered)}"


STATUTE_FIXTURES = [p for p in INVALID if expectation(p)[0].split(".")[0] in STATUTE_FAMILIES]


@pytest.mark.parametrize("path", STATUTE_FIXTURES, ids=[p.stem for p in STATUTE_FIXTURES])
def test_statute_fixture_breaks_exactly_its_rule(path: Path) -> None:
    rule, _, _ = expectation(path)
    report = check_catalog([path])
    assert {f.rule for f in report.findings} == {rule}, [f.format_text() for f in report.findings]


def test_minimal_valid_definition_loads_and_checks_clean() -> None:
    report = check_catalog([DATA / "valid" / "minimal.yaml"])
    assert report.findings == []
    assert [p.code for p in report.powers] == ["33990100MZ-QR-0001"]


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_base_checks_clean(path: Path) -> None:
    report = check_catalog([path])
    assert [f.format_text() for f in report.findings] == []
    assert len(report.powers) == 1


def test_valid_folder_has_no_errors_and_warns_only_for_overrides() -> None:
    report = check_catalog([DATA / "valid"])
    assert not report.has_errors
    assert {f.file for f in report.findings} == {str(p) for p in OVERRIDES}
    assert len(report.powers) == len(VALID) + len(OVERRIDES)


_CITED = re.compile(
    r"accepted as an override citing 《(?P<law>[^》]+)》第(?P<article>\d+)条 \((?P<rank>[^)]+)\)"
)


@pytest.mark.parametrize("path", OVERRIDES, ids=[p.stem for p in OVERRIDES])
def test_override_citing_enough_rank_is_a_warning_quoting_the_citation(path: Path) -> None:
    rule, field, line = expectation(path)
    report = check_catalog([path])
    (finding,) = report.findings
    assert (finding.rule, finding.field, finding.line) == (rule, field, line)
    assert finding.severity is Severity.WARNING
    cited = _CITED.search(finding.message)
    assert cited, finding.message
    text = path.read_text(encoding="utf-8")
    citation = f"law: {cited['law']}, article: {cited['article']}, rank: {cited['rank']}}}"
    assert citation in text
    # The same deviation citing a 规范性文件 stays an error and says why.
    weaker = text.replace(
        citation, f"law: {cited['law']}, article: {cited['article']}, rank: 规范性文件}}"
    )
    power = compile_definition(parse_definition(weaker, str(path)))
    (error,) = [f for f in run_checks(power) if f.rule == rule]
    assert error.severity is Severity.ERROR
    assert "cannot override it" in error.message


@pytest.mark.parametrize("path", shipped_definition_files(), ids=lambda p: p.stem)
def test_shipped_definition_loads_checks_clean_and_compiles(path: Path) -> None:
    report = check_catalog([path])
    errors = [f.format_text() for f in report.findings if f.severity is Severity.ERROR]
    assert errors == []
    (power,) = report.powers
    assert power.machine.get_triggers(power.start_steps[0].id)
    assert len(power.digest) == 64


def test_at_least_three_shipped_definitions_cover_the_required_categories() -> None:
    loaded, findings = load_definitions(shipped_definition_files())
    assert findings == []
    categories = {item.definition.category for item in loaded}
    assert {"行政许可", "行政处罚", "行政强制"} <= categories


def test_definition_is_frozen() -> None:
    loaded = load_definition(DATA / "valid" / "minimal.yaml")
    with pytest.raises(ValueError):
        loaded.definition.name = "changed"  # type: ignore[misc]


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(tmp_path / "absent.yaml")
    (finding,) = caught.value.findings
    assert finding.rule == "load.file"
    assert str(tmp_path / "absent.yaml") in str(caught.value)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "load.empty"),
        ("# only a comment\n", "load.empty"),
        ("- a\n- b\n", "load.not-a-mapping"),
    ],
    ids=["empty", "comment-only", "a-list"],
)
def test_documents_that_are_not_definitions(text: str, rule: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "x.yaml")
    assert [f.rule for f in caught.value.findings] == [rule]


def test_binary_file_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.findings[0].rule == "load.file"


def test_duplicate_codes_across_files(tmp_path: Path) -> None:
    text = (DATA / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    loaded, findings = load_definitions([tmp_path])
    assert [item.file for item in loaded] == [str(tmp_path / "a.yaml")]
    (finding,) = findings
    assert finding.rule == "load.duplicate-code"
    assert finding.file == str(tmp_path / "b.yaml")
    assert finding.field == "code" and finding.line == 2
    assert "a.yaml" in finding.message


def test_all_errors_of_a_file_are_reported_together() -> None:
    text = (DATA / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("unit: workday,", "unit: workdayz,").replace(
        "    kind: intake", "    kind: intak"
    )
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "many.yaml")
    fields = {f.field for f in caught.value.findings}
    assert {"steps.intake.kind", "steps.intake.limit.unit", "steps.decide.limit.unit"} <= fields


def test_article_numbers_are_read_as_text() -> None:
    loaded = load_definition(DATA / "valid" / "minimal.yaml")
    citation = loaded.definition.basis[0]
    assert citation.article == "10"
    assert citation.label() == "《示例条例》第10条"


def test_schema_describes_the_language_with_chinese_terms() -> None:
    schema = definition_schema()
    assert schema["title"].startswith("powerflow definition")
    assert schema["additionalProperties"] is False
    assert "法定时限" in str(schema["$defs"]["CaseLimits"])
    assert set(Definition.model_fields) <= set(schema["properties"])
    assert [u.value for u in TimeUnit] == ["workday", "day", "month", "hour"]


@pytest.mark.parametrize(
    ("kind", "penalty", "grants", "refuses", "transfers"),
    [
        (OutcomeKind.PENALTY, True, False, False, False),
        (OutcomeKind.NO_PENALTY, False, False, False, False),
        (OutcomeKind.GRANT, False, True, False, False),
        (OutcomeKind.PARTIAL, False, True, True, False),
        (OutcomeKind.REFUSAL, False, False, True, False),
        (OutcomeKind.TRANSFER, False, False, False, True),
        (OutcomeKind.DECISION, False, False, False, False),
        (OutcomeKind.RELEASE, False, False, False, False),
        (OutcomeKind.REPLY, False, False, False, False),
        (OutcomeKind.CLOSURE, False, False, False, False),
    ],
    ids=lambda value: value.value if isinstance(value, OutcomeKind) else None,
)
def test_outcome_kind_properties(
    kind: OutcomeKind, penalty: bool, grants: bool, refuses: bool, transfers: bool
) -> None:
    action = Action(action="decide", name="决定", to="done", outcome="结果", outcome_kind=kind)
    assert (action.imposes_penalty, action.grants, action.refuses, action.transfers) == (
        penalty,
        grants,
        refuses,
        transfers,
    )


def test_an_action_without_outcome_decides_nothing() -> None:
    action = Action(action="accept", name="受理", to="review")
    assert not (action.imposes_penalty or action.grants or action.refuses or action.transfers)


def test_every_outcome_kind_is_used_by_a_shipped_definition() -> None:
    used = {
        action.outcome_kind
        for path in shipped_definition_files()
        for step in load_definition(path).definition.steps
        for action in step.actions
    }
    assert set(OutcomeKind) <= used


def test_schema_lists_the_outcome_kinds_with_their_chinese_terms() -> None:
    schema = definition_schema()
    assert schema["$defs"]["OutcomeKind"]["enum"] == [kind.value for kind in OutcomeKind]
    described = schema["$defs"]["Action"]["properties"]["outcome_kind"]["description"]
    assert all(term in described for term in ("处罚决定", "不予处罚", "不予许可", "移送"))


def test_loading_definitions_does_not_import_the_heavy_layers() -> None:
    code = (
        "import sys, powerflow.definition\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'graphviz', 'transitions', 'networkx')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
