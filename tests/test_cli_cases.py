"""`powerflow db`, `staff`, `case` and `audit` through click's runner on a SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from powerflow import store
from powerflow.cli import main
from tests.conftest import DEFINITIONS

LICENCE = "33990100SJ-XK-0001"


class Cli:
    def __init__(self, runner: CliRunner, tmp_path: Path) -> None:
        self.runner = runner
        self.url = f"sqlite:///{tmp_path / 'cases.db'}"
        self.env = {"POWERFLOW_CALENDAR_DIR": str(tmp_path / "layers")}

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(
            main, ["--db", self.url, "--definitions", str(DEFINITIONS), *args], env=self.env
        )


@pytest.fixture
def cli(runner: CliRunner, tmp_path: Path) -> Iterator[Cli]:
    cli = Cli(runner, tmp_path)
    assert cli("db", "upgrade").exit_code == 0
    assert cli("staff", "add", "wang", "--post", "window").exit_code == 0
    assert (
        cli("staff", "add", "li", "--post", "reviewer", "--qualification", "执法证").exit_code == 0
    )
    yield cli
    store.dispose(cli.url)


def _open(cli: Cli) -> str:
    result = cli(
        "case", "open", LICENCE, "--as", "wang", "--party", "某餐饮店",
        "--at", "2025-09-26T09:00", "--fact", "materials_complete=true",
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_open_prints_only_the_case_id(cli: Cli) -> None:
    assert _open(cli) == "1"
    assert _open(cli) == "2"


def test_commands_need_a_migrated_database(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "case", "list"])
    assert result.exit_code == 1
    assert "powerflow db upgrade" in result.stderr
    assert runner.invoke(
        main, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "db", "current"]
    ).stdout.strip() == "none"


def test_actions_act_show_and_list(cli: Cli) -> None:
    case = _open(cli)
    actions = json.loads(cli("case", "actions", case, "--format", "json").stdout)
    assert {"action", "to", "post"} <= set(actions[0])
    assert [a["action"] for a in actions] == ["accept", "request_supplement", "reject"]
    result = cli(
        "case", "act", case, "accept", "--as", "wang", "--at", "2025-09-26T10:00", "--note",
        "材料齐全",
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("case", "show", case, "--format", "json").stdout)
    assert shown["state"] == "review"
    assert shown["legal_due"] == "2025-10-30" and shown["promised_due"] == "2025-10-13"
    assert [h["kind"] for h in shown["history"]] == ["opened", "acted"]
    assert shown["history"][1]["payload"]["note"] == "材料齐全"
    text = cli("case", "show", case).stdout
    assert "法定时限: 2025-10-30" in text and "intake → review (accept)" in text
    listed = json.loads(cli("case", "list", "--power", LICENCE, "--format", "json").stdout)
    assert [c["id"] for c in listed] == [1]
    overdue = json.loads(
        cli("case", "list", "--overdue", "--at", "2025-10-01", "--format", "json").stdout
    )
    assert [c["id"] for c in overdue] == [1], "审查 was due 30 Sep"
    assert (
        cli("case", "list", "--overdue", "--at", "2025-09-30", "--format", "json").stdout.strip()
        == "[]"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["case", "act", "1", "acept", "--as", "wang"],
            "allowed now: accept, request_supplement, reject",
        ),
        (["case", "act", "1", "accept", "--as", "li"], "does not hold the post window"),
        (["case", "act", "7", "accept", "--as", "wang"], "no case 7"),
        (["case", "open", "NOPE", "--as", "wang"], "no definition with code NOPE"),
        (["case", "close", "1", "--as", "wang"], "not final"),
        (
            ["case", "extend", "1", "--as", "wang", "--by", "40", "--reason", "x"],
            "at most 10个工作日",
        ),
        (["case", "waive", "1", "听证", "--as", "wang", "--statement", "x"], "gives no right 听证"),
        (["case", "resume", "1", "--as", "wang"], "not suspended"),
    ],
    ids=[
        "unknown-action", "wrong-post", "unknown-case", "unknown-power", "not-final", "over-max",
        "no-such-right", "not-suspended",
    ],
)
def test_refusals_are_clear_errors_with_exit_1(cli: Cli, args: list[str], message: str) -> None:
    _open(cli)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["case", "open", LICENCE, "--as", "wang", "--at", "yesterday"],
        ["case", "act", "one", "accept", "--as", "wang"],
        ["case", "open", LICENCE, "--as", "wang", "--fact", "novalue"],
        [
            "case", "suspend", "1", "--as", "wang", "--reason", "检验", "--basis", "x",
            "--expected", "ten days",
        ],
        ["case", "extend", "1", "--as", "wang", "--by", "0", "--reason", "x"],
    ],
    ids=["bad-time", "bad-case-id", "bad-fact", "bad-duration", "zero-extension"],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    _open(cli)
    assert cli(*args).exit_code == 2


def test_suspend_resume_extend_waive_close(cli: Cli) -> None:
    assert cli("staff", "add", "boss", "--post", "director").exit_code == 0
    case = _open(cli)
    assert cli(
        "case", "act", case, "accept", "--as", "wang", "--at", "2025-09-26T10:00"
    ).exit_code == 0
    result = cli(
        "case", "suspend", case, "--as", "li", "--reason", "专家评审", "--basis",
        "行政许可法第45条", "--expected", "10 workday", "--party-notified", "--at",
        "2025-09-29T09:00",
    )
    assert result.exit_code == 0, result.output
    assert "clock stopped since 2025-09-29" in result.stdout
    result = cli("case", "resume", case, "--as", "li", "--at", "2025-10-13T09:00")
    assert result.exit_code == 0, result.output
    result = cli(
        "case", "extend", case, "--as", "boss", "--by", "10", "--reason", "情况复杂",
        "--party-notified", "--at", "2025-10-20T09:00",
    )
    assert result.exit_code == 0, result.output
    kinds = [
        h["kind"]
        for h in json.loads(cli("case", "show", case, "--format", "json").stdout)["history"]
    ]
    assert kinds == ["opened", "acted", "suspended", "resumed", "extended"]


def test_staff_list(cli: Cli) -> None:
    rows = json.loads(cli("staff", "list", "--format", "json").stdout)
    assert rows == [
        {"officer": "li", "posts": ["reviewer"], "qualifications": ["执法证"]},
        {"officer": "wang", "posts": ["window"], "qualifications": []},
    ]


def test_audit_verify_detects_tampering(cli: Cli) -> None:
    case = _open(cli)
    cli("case", "act", case, "accept", "--as", "wang", "--at", "2025-09-26T10:00")
    result = cli("audit", "verify")
    assert result.exit_code == 0 and "all chains verify" in result.stdout
    assert cli("audit", "verify", case).exit_code == 0
    engine = store.connect(cli.url)
    with engine.begin() as db:
        db.execute(sa.update(store.events).where(store.events.c.seq == 2).values(actor="mallory"))
    result = cli("audit", "verify", case)
    assert result.exit_code == 1
    assert "case 1: event 2: the event was modified after it was written" in result.stdout


def test_importing_a_year_recomputes_provisional_deadlines(cli: Cli, tmp_path: Path) -> None:
    case = cli(
        "case", "open", LICENCE, "--as", "wang", "--at", "2026-12-21T09:00", "--fact",
        "materials_complete=true",
    ).stdout.strip()
    assert cli(
        "case", "act", case, "accept", "--as", "wang", "--at", "2026-12-21T10:00"
    ).exit_code == 0
    shown = json.loads(cli("case", "show", case, "--format", "json").stdout)
    assert shown["legal_provisional"] is True and shown["legal_due"] == "2027-01-18"
    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "layer: 2027 notice\nyears:\n  2027:\n    complete: true\n"
        "    provenance: 国办发明电〔2026〕99号\n"
        "    holidays:\n      - {name: 元旦, first: 2027-01-01, last: 2027-01-03}\n"
        "      - {name: 假想假日, first: 2027-01-11, last: 2027-01-12}\n",
        encoding="utf-8",
    )
    result = cli("calendar", "import", str(notice))
    assert result.exit_code == 0, result.output
    assert "recomputed the deadlines of 1 running case(s)" in result.stdout
    shown = json.loads(cli("case", "show", case, "--format", "json").stdout)
    assert shown["legal_provisional"] is False and shown["legal_due"] == "2027-01-21"
    assert shown["history"][-1]["kind"] == "deadlines-recomputed"


def test_importing_without_a_case_database(runner: CliRunner, tmp_path: Path) -> None:
    notice = tmp_path / "local.yaml"
    notice.write_text(
        "layer: local\nprovenance: 县政府通知\nyears:\n  2025:\n    holidays:\n"
        "      - {name: 地方节日, date: 2025-03-31}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        main, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "calendar", "import", str(notice)],
        env={"POWERFLOW_CALENDAR_DIR": str(tmp_path / "layers")},
    )
    assert result.exit_code == 0, result.output
    assert "no case database" in result.stderr


def test_penalty_decision_options(cli: Cli) -> None:
    case = _open(cli)
    result = cli(
        "case", "act", case, "accept", "--as", "wang", "--violation", "SJ-SP-122-01", "--amount",
        "70000",
    )
    assert result.exit_code == 1 and "decides no penalty" in result.stderr
    assert cli("case", "act", case, "accept", "--as", "wang", "--amount", "70000").exit_code == 2
    bad = cli("case", "act", case, "accept", "--as", "wang", "--violation", "X", "--amount", "lots")
    assert bad.exit_code == 2 and "not an amount" in bad.stderr
    bad = cli(
        "case", "act", case, "accept", "--as", "wang", "--violation", "X", "--base", "货值金额"
    )
    assert bad.exit_code == 2 and "NAME=AMOUNT" in bad.stderr
