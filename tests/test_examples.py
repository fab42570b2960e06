"""The runnable examples in examples/: each runs as a subprocess against a temporary SQLite file
(or output folder) given as its argument, exits 0 and prints what a person would look for."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=600,
    )


def lines_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return [line.strip() for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param(
            "licensing_case.py",
            [
                "33990100SJ-XK-0001 食品经营许可（新办） (v1.0)",
                # Accepted Tue 30 Sep 2025: 20 working days to 4 Nov, the promise (7) to 16 Oct …
                "2025-09-30 10:00  受理 → 材料审查  [本环节至 2025-10-11；法定时限至 2025-11-04；"
                "承诺时限至 2025-10-16]",
                # … and the hearing 13-26 Oct (10 working days) moves both.
                "2025-10-27 11:00  形成听证笔录 → 审批决定  [本环节至 2025-10-29；"
                "法定时限至 2025-11-18；承诺时限至 2025-10-30]",
                "outcome: 准予许可  status: closed",
                "record: 11 events, hash chain intact",
            ],
            id="licensing",
        ),
        pytest.param(
            "penalty_with_hearing.py",
            [
                "裁量基准 SJ-SP-122-01: 货值金额 8000 元, 无从轻从重情节 → 一般 65000–85000 元 "
                "(法定 50000–100000 元)",
                "拟罚款 75000 元，达到公民较大数额 5000 元：告知听证权利（第六十三条）",
                # The hearing 28 Apr – 11 May (14 days) is not counted: 1 Jul → 15 Jul.
                "2025-05-12 17:00  听证结束 → 集体讨论  [本环节至 2025-05-26；"
                "法定时限至 2025-07-15；承诺时限至 2025-06-15]",
                "决定罚款 75000 元: 档次 一般; 在法定幅度内: True",
                "outcome: 给予行政处罚  status: closed",
                "record: 11 events, hash chain intact",
            ],
            id="penalty",
        ),
        pytest.param(
            "supervision_drill.py",
            [
                "cases opened: 45, closed: 15, open at the end: 30",
                "效能积分 2025-10 (policy default):",
            ],
            id="drill",
        ),
    ],
)
def test_case_examples(script: str, expected: list[str], tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'example.db'}"
    lines = lines_of(run(script, database))
    assert lines[0] == f"database: {database}"
    for line in expected:
        assert line in lines, f"{line!r} not in the output of {script}"


def test_the_drill_raises_every_kind_of_alert_and_scores_the_month(tmp_path: Path) -> None:
    lines = lines_of(run("supervision_drill.py", str(tmp_path / "drill.db")))
    (summary,) = [line for line in lines if line.startswith("sweeps: 47 (daily at 18:00)")]
    counts = {label: int(n) for label, n in re.findall(r"(预警|黄牌|红牌) (\d+)", summary)}
    assert counts["预警"] > 0 and counts["黄牌"] > 0 and counts["红牌"] > 0
    cards = [line for line in lines if re.match(r"\d\d-\d\d (黄牌|红牌) 案件\d+ ", line)]
    assert len(cards) == counts["黄牌"] + counts["红牌"]
    scores = lines[lines.index("效能积分 2025-10 (policy default):") + 2 :]
    assert len(scores) >= 10
    assert all(re.search(r"  \d+ \d+ \d+ \d+ \d+ \d+  \d+(\.\d+)?$", line) for line in scores)


def test_an_example_runs_again_on_the_same_database(tmp_path: Path) -> None:
    database = str(tmp_path / "again.db")  # a file path is taken as a SQLite database
    first, second = (lines_of(run("licensing_case.py", database)) for _ in range(2))
    assert first[0] == second[0] == f"database: sqlite:///{tmp_path / 'again.db'}"
    assert "outcome: 准予许可  status: closed" in second


def test_publish_catalog(tmp_path: Path) -> None:
    out = tmp_path / "site"
    lines = lines_of(run("publish_catalog.py", str(out)))
    assert lines[0] == f"12 powers published into {out}"
    assert "行政许可: 2" in lines and "行政裁决: 1" in lines
    assert any(
        line.startswith("33990100ZB-QT-0001  其他行政权力  政府信息依申请公开  (rendered;")
        for line in lines
    )
    assert lines[-1] == f"open {out / 'index.html'}"
    assert (out / "index.html").exists() and (out / "powers" / "33990100RS-QR-0001.html").exists()
    again = lines_of(run("publish_catalog.py", str(out)))
    assert all("(rendered;" not in line for line in again)  # nothing changed: nothing drawn again
