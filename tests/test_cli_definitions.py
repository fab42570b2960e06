"""`powerflow check`, `list` and `schema` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from powerflow.checks import RULES
from powerflow.cli import main
from powerflow.definition import definition_files
from powerflow.findings import Severity
from tests.conftest import DATA, DEFINITIONS
from tests.test_definition import expectation

INVALID = DATA / "invalid"


def test_check_shipped_definitions_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(DEFINITIONS)])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.stderr


def test_check_defaults_to_the_definitions_option(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--definitions", str(DATA / "valid"), "check"])
    assert result.exit_code == 0
    files = len(definition_files([DATA / "valid"]))
    assert f"checked {files} definition file(s): 0 error(s)" in result.stderr


def test_check_reads_the_definitions_folder_from_the_environment(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check"], env={"POWERFLOW_DEFINITIONS": str(INVALID)})
    assert result.exit_code == 1


def test_check_text_lines_name_file_line_field_rule(runner: CliRunner) -> None:
    path = INVALID / "unknown-post.yaml"
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:49: steps.decide.post: load.unknown-post error: unknown post haed" in result.stdout
    )
    assert "did you mean head?" in result.stdout
    assert "Traceback" not in result.output


def test_check_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--format", "json", str(INVALID / "wrong-unit.yaml")])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)
    assert set(finding) == {"file", "line", "field", "rule", "severity", "message"}
    assert finding["field"] == "steps.decide.limit.unit"
    assert finding["severity"] == "error"


def test_warnings_alone_exit_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(INVALID / "local-category.yaml")])
    assert result.exit_code == 0
    assert "catalog.category warning" in result.stdout


def test_every_invalid_error_fixture_exits_1_without_traceback(runner: CliRunner) -> None:
    warnings_only = {
        path.stem
        for path in INVALID.glob("*.yaml")
        if RULES[expectation(path)[0]].severity is Severity.WARNING
    }
    assert {"local-category", "code-type-mismatch", "unused-post"} <= warnings_only
    for path in sorted(INVALID.glob("*.yaml")):
        result = runner.invoke(main, ["check", str(path)])
        assert result.exit_code == (0 if path.stem in warnings_only else 1), path.name
        assert result.exception is None or isinstance(result.exception, SystemExit), path.name


def test_check_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_check_empty_folder_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "no definition files" in result.stderr


def test_check_bad_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--format", "xml"])
    assert result.exit_code == 2


def test_list_text_and_json(runner: CliRunner) -> None:
    text = runner.invoke(main, ["--definitions", str(DEFINITIONS), "list"])
    assert text.exit_code == 0
    assert "33990100SJ-XK-0001  行政许可  v1.0  食品经营许可（新办）" in text.stdout
    result = runner.invoke(main, ["--definitions", str(DEFINITIONS), "list", "--format", "json"])
    rows = json.loads(result.stdout)
    assert {"code", "name", "category", "version", "file"} <= set(rows[0])
    assert [row["code"] for row in rows] == sorted(row["code"] for row in rows)


def test_list_reports_broken_files_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(
        (DATA / "valid" / "minimal.yaml").read_text("utf-8"), "utf-8"
    )
    (tmp_path / "bad.yaml").write_text("code: [\n", "utf-8")
    result = runner.invoke(main, ["--definitions", str(tmp_path), "list"])
    assert result.exit_code == 1
    assert "33990100MZ-QR-0001" in result.stdout
    assert "bad.yaml:" in result.stderr and "load.yaml-syntax" in result.stderr


def test_schema_is_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert "steps" in schema["required"]
