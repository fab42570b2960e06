"""`powerflow diff` and the change logic behind it: sections, chart changes, the due date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from powerflow.changes import diff_definitions
from powerflow.cli import main
from powerflow.definition import Definition, load_definition, parse_definition
from tests.conftest import DEFINITIONS

PENALTY = DEFINITIONS / "food-unlicensed-penalty.yaml"


def edited(tmp_path: Path, *edits: tuple[str, str], name: str = "new.yaml") -> Path:
    """A copy of the shipped penalty definition with text replaced (each old text occurs once)."""
    text = PENALTY.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


NEW_VERSION = (('version: "1.0"\neffective: 2025-01-01', 'version: "1.1"\neffective: 2025-09-26'),)
_NOTICE = "  - id: notice\n    name: 行政处罚事先告知\n    post: investigator\n    kind: notice\n"
SHORTER_NOTICE = (_NOTICE + "    limit:\n      value: 5", _NOTICE + "    limit:\n      value: 3")
NEW_PHONE = ("phone: 0570-6012310", "phone: 0570-6012399")
FEES = ("fees:\n  charged: false\n", "fees:\n  charged: false\n  standard: 不收费\n")


def load(path: Path) -> Definition:
    return load_definition(path).definition


def test_identical_versions_have_no_changes() -> None:
    diff = diff_definitions(load(PENALTY), load(PENALTY))
    assert not diff.changed and diff.due is None and not diff.republish_chart


def test_changes_are_filed_by_section_and_chart(tmp_path: Path) -> None:
    removed_right = (
        "      - right: 申请回避\n"
        "        description: 当事人认为主持人与本案有直接利害关系的，有权申请回避。\n"
        "        basis: {law: 中华人民共和国行政处罚法, article: 64, rank: 法律}\n",
        "",
    )
    new = edited(tmp_path, *NEW_VERSION, SHORTER_NOTICE, NEW_PHONE, FEES, removed_right)
    diff = diff_definitions(load(PENALTY), load(new))
    found = {(c.section, c.path, c.kind, c.chart) for c in diff.changes}
    assert found == {
        ("limits", "steps.notice.limit.value", "changed", True),
        ("catalog", "contact.phone", "changed", True),
        ("catalog", "fees.standard", "added", False),
        ("rights", "steps.hearing.rights.申请回避", "removed", True),
    }
    assert diff.republish_chart and diff.version_raised
    assert [c.old for c in diff.changes if c.path == "steps.notice.limit.value"] == [5]


def test_a_catalog_only_change_does_not_redraw_the_chart(tmp_path: Path) -> None:
    diff = diff_definitions(load(PENALTY), load(edited(tmp_path, *NEW_VERSION, FEES)))
    assert diff.changed and not diff.republish_chart


def test_steps_and_benchmarks_are_matched_by_name(tmp_path: Path) -> None:
    old = load(DEFINITIONS / "food-unlicensed-penalty.yaml")
    fewer = old.model_copy(
        update={
            "steps": [s for s in old.steps if s.id != "archive"] + [old.step("archive")],
            "benchmarks": [],
        }
    )
    diff = diff_definitions(old, fewer)
    assert [(c.path, c.kind, c.section, c.chart) for c in diff.changes] == [
        ("benchmarks.SJ-SP-122-01", "removed", "benchmarks", False)
    ]


def test_republication_is_due_20_working_days_after_taking_effect_across_a_holiday(
    tmp_path: Path,
) -> None:
    # 2025-09-26 is a Friday; 国庆 and 中秋 close 10/1-10/8, with 9/28 (Sun) and 10/11 (Sat) worked.
    diff = diff_definitions(load(PENALTY), load(edited(tmp_path, *NEW_VERSION, SHORTER_NOTICE)))
    assert diff.due == dt.date(2025, 10, 30)
    assert not diff.provisional


def test_a_due_date_in_an_uncovered_year_is_provisional(tmp_path: Path) -> None:
    later = (('version: "1.0"\neffective: 2025-01-01', 'version: "2.0"\neffective: 2031-03-03'),)
    diff = diff_definitions(load(PENALTY), load(edited(tmp_path, *later, SHORTER_NOTICE)))
    assert diff.provisional and diff.due == dt.date(2031, 3, 31)


def test_cli_no_changes_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["diff", str(PENALTY), str(PENALTY)])
    assert result.exit_code == 0, result.output
    assert "no changes" in result.stdout


def test_cli_text_lists_changes_and_the_due_date(runner: CliRunner, tmp_path: Path) -> None:
    new = edited(tmp_path, *NEW_VERSION, SHORTER_NOTICE, FEES)
    result = runner.invoke(main, ["diff", str(PENALTY), str(new)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("v1.0 (2025-01-01) → v1.1 (2025-09-26)")
    assert "  ~ steps.notice.limit.value: 5 → 3  [chart]" in lines
    assert "  + fees.standard: 不收费" in lines
    assert lines[-1].startswith("republish the flowchart and the catalog entry by 2025-10-30")
    assert "《政府信息公开条例》第26条" in lines[-1]


def test_cli_warns_when_the_version_was_not_raised(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["diff", str(PENALTY), str(edited(tmp_path, FEES))])
    assert result.exit_code == 1
    assert "warning: the version was not raised (v1.0 → v1.0)" in result.stdout
    assert "republish the catalog entry by" in result.stdout


def test_cli_json(runner: CliRunner, tmp_path: Path) -> None:
    new = edited(tmp_path, *NEW_VERSION, SHORTER_NOTICE)
    result = runner.invoke(main, ["diff", "--format", "json", str(PENALTY), str(new)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["old"] == {"version": "1.0", "effective": "2025-01-01", "file": str(PENALTY)}
    assert data["new"]["file"] == str(new)
    assert data["changes"] == [
        {
            "section": "limits",
            "path": "steps.notice.limit.value",
            "change": "changed",
            "old": 5,
            "new": 3,
            "chart": True,
        }
    ]
    assert data["republish"] == {
        "flowchart": True,
        "catalog": True,
        "due": "2025-10-30",
        "provisional": False,
        "period": "20个工作日",
        "basis": "《政府信息公开条例》第26条",
    }


@pytest.mark.parametrize("bad", ["missing", "broken"])
def test_cli_bad_file_is_a_clear_error(runner: CliRunner, tmp_path: Path, bad: str) -> None:
    path = tmp_path / "new.yaml"
    if bad == "broken":
        path.write_text(PENALTY.read_text(encoding="utf-8").replace("kind: notice", "kind: notise"))
    result = runner.invoke(main, ["diff", str(PENALTY), str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}:" in result.stderr
    assert "Traceback" not in result.output
    assert ("no such file" if bad == "missing" else "did you mean notice") in result.stderr


def test_cli_usage_error_exits_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["diff", str(PENALTY)]).exit_code == 2


def test_parse_definition_round_trip_has_no_changes() -> None:
    text = PENALTY.read_text(encoding="utf-8")
    assert not diff_definitions(load(PENALTY), parse_definition(text).definition).changed
