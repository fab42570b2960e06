"""`powerflow rules` (and docs/rules.md) and `powerflow benchmarks`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from powerflow.checks import FAMILIES, RULES
from powerflow.cli import main
from tests.conftest import DATA, DEFINITIONS, ROOT


def test_rules_text_lists_every_rule(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    assert [line.split()[0] for line in lines][:2] == ["load.file", "load.empty"]
    (penalty,) = [line for line in lines if line.startswith("penalty.decision-limit ")]
    assert "[行政处罚法 60]" in penalty
    assert "(override: 法律、行政法规、地方性法规、部门规章、地方政府规章)" in penalty


def test_rules_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {item["id"] for item in data} == set(RULES)
    (extension,) = [item for item in data if item["id"] == "compulsion.seizure-extension"]
    assert extension == {
        "id": "compulsion.seizure-extension",
        "severity": "error",
        "statute": "行政强制法",
        "article": "25, 32",
        "summary": RULES["compulsion.seizure-extension"].summary,
        "overridable_by": ["法律", "行政法规"],
        "default": "30 日",
    }
    assert {item["id"].split(".")[0] for item in data} == set(FAMILIES)


def test_rules_markdown_is_docs_rules_md(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "--format", "markdown"])
    assert result.exit_code == 0
    assert "| `units.penalty` | warning | 行政处罚法 | 85 |" in result.stdout
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert docs == result.stdout, (
        "docs/rules.md is stale: run `.venv/bin/powerflow rules --format markdown > docs/rules.md`"
    )


def test_readme_links_the_rules_reference() -> None:
    assert "(docs/rules.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_benchmarks_text(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--definitions", str(DEFINITIONS), "benchmarks"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # One heading line per penalty item, in code order; the food penalty is one of them.
    assert lines[0].startswith("33990100")
    assert any(
        line.startswith("33990100SJ-CF-0001 对未取得食品经营许可从事食品经营活动的行政处罚")
        for line in lines
    )
    assert "  SJ-SP-122-01 未取得食品经营许可从事食品经营活动" in lines
    assert "    违法生产经营的食品货值金额不足一万元: 50000元以上100000元以下" in lines
    assert any(
        line.startswith("      从重  货值金额17倍以上20倍以下  情形: 经责令改正拒不改正")
        for line in lines
    )


def test_benchmarks_json_and_filter_by_violation(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["--definitions", str(DATA / "valid"), "benchmarks", "SL-0002", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["code"] == "33990100SJ-CF-0102"
    (benchmark,) = entry["benchmarks"]
    assert benchmark["violation"] == "SL-0002"
    assert [tier["tier"] for tier in benchmark["bands"][0]["tiers"]] == ["从轻", "一般", "从重"]


def test_benchmarks_markdown_by_item_code(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "--definitions",
            str(DEFINITIONS),
            "benchmarks",
            "33990100SJ-CF-0001",
            "--format",
            "markdown",
        ],
    )
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("# 行政处罚裁量基准\n")
    assert "### SJ-SP-122-01 未取得食品经营许可从事食品经营活动" in text
    assert (
        "| 违法生产经营的食品货值金额一万元以上 | 货值金额10倍以上20倍以下 | 一般 | "
        "无从轻、从重情节 | 货值金额13倍以上17倍以下 |  |" in text
    )


def test_benchmarks_unknown_code(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--definitions", str(DEFINITIONS), "benchmarks", "SJ-SP-122-1"])
    assert result.exit_code == 1
    assert "did you mean SJ-SP-122-01" in result.stderr
