"""The ``powerflow calendar`` commands through click's CliRunner: output and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from powerflow.cli.app import main

Invoke = Callable[..., Result]

NOTICE_2027 = """\
layer: 2027 notice (imported early)
years:
  2027:
    complete: true
    provenance:
      notice: 国办发明电〔2026〕99号
      title: 国务院办公厅关于2027年部分节假日安排的通知 (test data)
    holidays:
      - {name: 元旦, date: 2027-01-01}
"""

LOCAL_2025 = """\
layer: 某自治县 民族节日
jurisdiction: 某自治县
provenance: 某政办发〔2025〕1号
years:
  2025:
    holidays:
      - {name: 民族节日, date: 2025-03-03}
"""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "calendar-layers"


@pytest.fixture
def run(store: Path) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, ["calendar", "--layers", str(store), *args])

    return invoke


@pytest.mark.parametrize(
    ("args", "stdout"),
    [
        (["add", "2025-09-26", "4"], "2025-10-09\n"),
        (["add", "2025-12-31", "1"], "2026-01-04\n"),
        (["add", "2025-09-26", "20", "--unit", "workday"], "2025-10-30\n"),
        (["add", "2025-09-21", "10", "--unit", "day"], "2025-10-01\n"),
        (["add", "2025-09-21", "10", "--unit", "day", "--roll-if-off"], "2025-10-09\n"),
        (["add", "2025-01-31", "1", "--unit", "month"], "2025-02-28\n"),
        (["add", "2025-09-22", "10", "--pause", "2025-09-29:2025-10-10"], "2025-10-16\n"),
        (["add", "2025-09-22", "10", "--pause", "2025-09-29"], "2025-10-13\n"),
        (["add", "2025-09-26", "4", "--provisional"], "2025-10-09\n"),
        (["between", "2025-09-26", "2025-10-13"], "7\n"),
        (["between", "2025-10-13", "2025-09-26"], "-7\n"),
        (["is-workday", "2025-09-28"], "yes\n"),
        (["is-workday", "2025-10-08"], "no\n"),
        (["is-workday", "2026-02-14"], "yes\n"),
        (["is-workday", "2026-02-23"], "no\n"),
    ],
    ids=[
        "add-across-national-day",
        "add-year-boundary",
        "add-20-workdays",
        "add-days",
        "add-days-roll",
        "add-month-clamped",
        "add-with-pause",
        "add-with-one-day-pause",
        "add-provisional-but-covered",
        "between",
        "between-reversed",
        "makeup-sunday",
        "national-day",
        "makeup-saturday-2026",
        "spring-2026",
    ],
)
def test_commands_print_plain_answers(run: Invoke, args: list[str], stdout: str) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout == stdout
    assert result.stderr == ""


def test_provisional_add_keeps_the_date_first_and_notes_on_stderr(run: Invoke) -> None:
    result = run("add", "2026-12-25", "10", "--provisional")
    assert result.exit_code == 0
    assert result.stdout == "2027-01-08\n"
    assert "(provisional)" in result.stderr and "2027" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["add", "2026-12-25", "10"],
        ["add", "2026-12-25", "10", "--unit", "day", "--roll-if-off"],
        ["between", "2026-12-01", "2027-01-10"],
        ["is-workday", "2027-01-04"],
        ["is-workday", "2003-05-06"],
    ],
    ids=["add", "add-days-roll", "between", "is-workday-2027", "is-workday-2003"],
)
def test_uncovered_year_exits_1_naming_the_year(run: Invoke, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1
    year = "2003" if "2003-05-06" in args else "2027"
    assert result.output.startswith("Error: ")
    assert f"does not cover {year}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "2025-02-30", "3"], "2025-02-30 is not a date"),
        (["add", "tomorrow", "3"], "tomorrow is not a date"),
        (["add", "2025-02-03", "-3"], "-3 is not in the range"),
        (["add", "2025-02-03", "three"], "not a valid integer"),
        (["add", "2025-02-03", "3", "--unit", "week"], "'week' is not one of"),
        (["add", "2025-02-03", "3", "--pause", "2025-03-09:2025-03-01"], "ends before it begins"),
        (["add", "2025-02-03", "3", "--pause", "2025-03-09:later"], "later is not a date"),
        (["between", "2025-01-01", "2025-13-01"], "2025-13-01 is not a date"),
        (["is-workday", "20250101x"], "is not a date"),
        (["is-workday"], "Missing argument 'DATE'"),
        (["import", "/nonexistent/layer.yaml"], "does not exist"),
    ],
    ids=[
        "impossible-date",
        "word-date",
        "negative-n",
        "word-n",
        "unknown-unit",
        "reversed-pause",
        "bad-pause",
        "between-bad-end",
        "is-workday-bad",
        "is-workday-missing",
        "import-missing-file",
    ],
)
def test_usage_errors_exit_2(run: Invoke, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_years_lists_covered_years_with_provenance(run: Invoke) -> None:
    result = run("years")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2004"
    assert "2025" in lines and "2026" in lines
    assert "  国办发明电〔2024〕12号 国务院办公厅关于2025年部分节假日安排的通知 [base]" in lines
    assert "  国办发明电〔2025〕7号 国务院办公厅关于2026年部分节假日安排的通知 [base]" in lines
    assert "2027" not in result.stdout.split()


def test_import_persists_between_invocations(run: Invoke, store: Path, tmp_path: Path) -> None:
    notice = tmp_path / "notice-2027.yaml"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL_2025, encoding="utf-8")

    assert run("add", "2026-12-25", "10").exit_code == 1
    imported = run("import", str(notice))
    assert imported.exit_code == 0, imported.output
    assert "imported 2027 notice (imported early) (2027)" in imported.stdout
    assert (store / "0001-notice-2027.yaml").read_text(encoding="utf-8") == NOTICE_2027

    after = run("add", "2026-12-25", "10")
    assert (after.exit_code, after.stdout, after.stderr) == (0, "2027-01-11\n", "")

    assert run("import", str(local)).exit_code == 0
    assert run("is-workday", "2025-03-03").stdout == "no\n"

    years = run("years").stdout
    assert "2027\n  国办发明电〔2026〕99号" in years
    assert "某政办发〔2025〕1号 [layer 某自治县 民族节日: " in years
    assert sorted(p.name for p in store.iterdir()) == ["0001-notice-2027.yaml", "0002-local.yaml"]


def test_layers_dir_from_environment(store: Path, tmp_path: Path) -> None:
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL_2025, encoding="utf-8")
    runner = CliRunner(env={"POWERFLOW_CALENDAR_DIR": str(store)})
    assert runner.invoke(main, ["calendar", "import", str(local)]).exit_code == 0
    assert (store / "0001-local.yaml").exists()
    assert runner.invoke(main, ["calendar", "is-workday", "2025-03-03"]).stdout == "no\n"


def test_years_marks_a_year_only_a_local_layer_mentions(run: Invoke, tmp_path: Path) -> None:
    local = tmp_path / "future.yaml"
    local.write_text(
        "layer: future local\nprovenance: 某文号\nyears:\n  2028:\n"
        "    holidays: [{name: 节日, date: 2028-03-01}]\n",
        encoding="utf-8",
    )
    assert run("import", str(local)).exit_code == 0
    assert "2028  (not covered: no complete notice)" in run("years").stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("layer: x\nyears:\n  2025:\n    holidays: oops\n", "bad.yaml:4: years.2025.holidays"),
        ("layer: x\nprovenance: n\nyears:\n  2025:\n    workdays: [2025-02-29]\n", "2025-02-29"),
        ("layer: x\nyears: [\n", "YAML syntax error"),
        ("layer: x\nprovenance: n\nyaers: {}\n", "did you mean years"),
    ],
    ids=["not-a-list", "impossible-date", "syntax", "misspelt-key"],
)
def test_import_of_an_invalid_layer_exits_1_and_writes_nothing(
    run: Invoke, store: Path, tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert not store.exists()


def test_invalid_import_leaves_an_existing_store_untouched(
    run: Invoke, store: Path, tmp_path: Path
) -> None:
    good = tmp_path / "local.yaml"
    good.write_text(LOCAL_2025, encoding="utf-8")
    assert run("import", str(good)).exit_code == 0
    before = {p.name: p.read_bytes() for p in store.iterdir()}
    # Same layer name, broken body: must not replace the stored copy.
    good.write_text(LOCAL_2025.replace("2025-03-03", "2025-03-32"), encoding="utf-8")
    result = run("import", str(good))
    assert result.exit_code == 1 and "2025-03-32 is not a date" in result.output
    assert {p.name: p.read_bytes() for p in store.iterdir()} == before


def test_a_broken_stored_layer_is_reported_not_ignored(run: Invoke, store: Path) -> None:
    store.mkdir()
    (store / "0001-hand-edited.yaml").write_text("layer: x\nyears: {}\n", encoding="utf-8")
    result = run("is-workday", "2025-03-03")
    assert result.exit_code == 1
    assert "0001-hand-edited.yaml:2: years" in result.output
