"""Monthly enforcement results (执法结果公开): figures from the case record, no personal data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.cli import main
from powerflow.engine import SHANGHAI, CaseEngine
from powerflow.publish import publish_results
from powerflow.results import monthly_results
from powerflow.workdays import default_calendar
from tests.conftest import DEFINITIONS

LICENCE = "33990100SJ-XK-0001"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _engine(url: str) -> CaseEngine:
    store.upgrade(store.connect(url))
    engine = CaseEngine(store.connect(url), default_calendar())
    engine.register(check_catalog([DEFINITIONS]).powers)
    engine.add_officer("wang", ["window"])
    engine.add_officer("li", ["reviewer"], ["执法证"])
    engine.add_officer("zhao", ["inspector"], ["执法证"])
    engine.add_officer("qian", ["inspector"], ["执法证"])
    engine.add_officer("boss", ["director"])
    return engine


def _decide(engine: CaseEngine, opened: str, decided: str, grant: bool) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at(opened), party="张三（个人）",
        facts={"materials_complete": True, "requirements_met": grant},
    )
    engine.act(case.id, "accept", officers=["wang"], at=at(opened))
    engine.act(case.id, "order_inspection", officers=["li"], at=at(opened))
    engine.act(case.id, "report", officers=["zhao", "qian"], at=at(opened))
    engine.act(case.id, "proceed", officers=["li"], at=at(opened))
    engine.act(case.id, "grant" if grant else "refuse", officers=["boss"], at=at(decided))


def test_monthly_results_and_page(tmp_path: Path, runner: CliRunner) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = _engine(url)
    _decide(engine, "2025-09-01T09:00", "2025-09-10T09:00", grant=True)
    _decide(engine, "2025-09-01T09:00", "2025-09-30T09:00", grant=False)  # after 20 WD: late
    _decide(engine, "2025-08-01T09:00", "2025-08-05T09:00", grant=True)  # another month
    engine.open_case(
        LICENCE, officer="wang", at=at("2025-09-02T09:00"), facts={"materials_complete": True}
    )
    results = {r.code: r for r in monthly_results(engine, "2025-09")}
    licence = results[LICENCE]
    assert licence.decisions == 2
    assert dict(licence.outcomes) == {"准予许可": 1, "不予许可": 1}
    assert licence.on_time == 1 and licence.on_time_rate == 0.5
    assert {r.decisions for code, r in results.items() if code != LICENCE} == {0}

    out = tmp_path / "site"
    rows = [r.to_json() for r in results.values()]
    html, data = publish_results("2025-09", rows, out)
    before = html.stat().st_mtime_ns
    assert publish_results("2025-09", rows, out) == [html, data]
    assert html.stat().st_mtime_ns == before, "unchanged figures are not written again"
    page = html.read_text(encoding="utf-8")
    assert "不予许可 1；准予许可 1" in page and "50.0%（1/2）" in page
    assert "张三" not in page and "张三" not in data.read_text(encoding="utf-8")
    assert json.loads(data.read_text(encoding="utf-8"))["month"] == "2025-09"

    base = ["--db", url, "--definitions", str(DEFINITIONS)]
    result = runner.invoke(
        main, [*base, "publish", "results", "--month", "2025-08", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    august = json.loads((out / "results" / "2025-08.json").read_text(encoding="utf-8"))
    assert [p["decisions"] for p in august["powers"] if p["code"] == LICENCE] == [1]
    assert runner.invoke(
        main, [*base, "publish", "results", "--month", "2025-13", "-o", str(out)]
    ).exit_code == 2
    store.dispose(url)
