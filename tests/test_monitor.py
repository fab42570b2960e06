"""E-supervision: thresholds at their edges, pauses, idempotent sweeps, presets, webhook delivery,
alert handling, efficiency scores, and two monitors on one PostgreSQL database."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.cli import main
from powerflow.compiler import compile_definition
from powerflow.definition import parse_definition
from powerflow.engine import SHANGHAI, CaseEngine
from powerflow.errors import AlertError, PolicyError
from powerflow.monitor import (
    AlertPolicy,
    Level,
    Webhook,
    alert_history,
    efficiency,
    handle_alert,
    list_alerts,
    load_policy,
    parse_policy,
    sweep,
    sweep_log,
)
from powerflow.workdays import default_calendar
from tests.conftest import DEFINITIONS, ROOT

LICENCE = "33990100SJ-XK-0001"
PENALTY = "33990100SJ-CF-0001"
DEFAULT = load_policy("default")
SECOND = dt.timedelta(seconds=1)


def at(text: str) -> dt.datetime:
    if len(text) == 10:
        text += " 00:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def prepare(url: str) -> CaseEngine:
    store.upgrade(store.connect(url))
    engine = CaseEngine(store.connect(url), default_calendar())
    engine.register(check_catalog([DEFINITIONS]).powers)
    for officer, posts, qualifications in (
        ("wang", ["window"], []),
        ("li", ["reviewer"], ["执法证"]),
        ("zhao", ["inspector", "investigator"], ["执法证"]),
        ("qian", ["inspector", "investigator"], ["执法证"]),
        ("zhou", ["hearing_host"], ["法律职业资格", "执法证"]),
        ("boss", ["director"], []),
        ("jian", ["supervision"], []),
    ):
        engine.add_officer(officer, posts, qualifications)
    return engine


@pytest.fixture
def engine(database_url: str) -> CaseEngine:
    return prepare(database_url)


def accepted_licence(engine: CaseEngine, day: str = "2025-09-26") -> int:
    case = engine.open_case(
        LICENCE, officer="wang", at=at(f"{day} 09:00"), facts={"materials_complete": True}
    )
    engine.act(case.id, "accept", officers=["wang"], at=at(f"{day} 10:00"))
    return case.id


def raised(
    engine: CaseEngine, moment: dt.datetime, policy: AlertPolicy = DEFAULT
) -> list[tuple[str, str, str]]:
    result = sweep(engine, policy, moment)
    return [(a.level.value, a.subject.split("@")[0], a.limit_kind) for a in result.alerts]


# ---------------------------------------------------------------------------------------------
# Threshold edges across National Day 2025 (1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked)


def test_step_warning_and_yellow_at_their_edges(engine: CaseEngine) -> None:
    accepted_licence(engine)  # 审查: 3 working days (internal rule) → due Tue 30 Sep
    assert raised(engine, at("2025-09-29 23:59:59")) == []
    assert raised(engine, at("2025-09-30")) == [("warning", "step:review", "promised")]
    assert raised(engine, at("2025-09-30 23:59:59")) == []
    assert raised(engine, at("2025-10-01")) == [("yellow", "step:review", "promised")]


def test_case_promised_and_legal_limits(engine: CaseEngine) -> None:
    case_id = accepted_licence(engine)
    # Keep the step on time so only the case limits speak.
    engine.act(case_id, "order_inspection", officers=["li"], at=at("2025-09-29 09:00"))
    engine.act(case_id, "report", officers=["zhao", "qian"], at=at("2025-10-09 09:00"))
    engine.act(case_id, "proceed", officers=["li"], at=at("2025-10-10 09:00"))
    # 承诺时限 7 WD → Mon 13 Oct; with Sat 11 Oct worked, one working day remains from Sun 12 Oct.
    assert raised(engine, at("2025-10-11 23:59:59")) == []
    # 审批决定 (2 WD from Fri 10 Oct → Mon 13 Oct) nears at the same time.
    assert set(raised(engine, at("2025-10-12"))) == {
        ("warning", "case", "promised"),
        ("warning", "step:decision", "promised"),
    }
    assert set(raised(engine, at("2025-10-14"))) == {
        ("yellow", "case", "promised"),
        ("yellow", "step:decision", "promised"),
    }
    # 法定时限 20 WD → Thu 30 Oct; red from Fri 31 Oct. The case warning was already raised.
    assert raised(engine, at("2025-10-30 23:59:59")) == []
    assert raised(engine, at("2025-10-31")) == [("red", "case", "legal")]


def test_a_step_late_while_the_case_is_on_time(engine: CaseEngine) -> None:
    accepted_licence(engine, "2025-03-03")
    alerts = raised(engine, at("2025-03-07"))
    assert ("yellow", "step:review", "promised") in alerts
    assert not any(subject == "case" for _, subject, _ in alerts)


def test_a_statutory_step_limit_draws_red(engine: CaseEngine) -> None:
    case_id = accepted_licence(engine, "2025-03-03")
    engine.act(case_id, "order_inspection", officers=["li"], at=at("2025-03-04 09:00"))
    engine.act(case_id, "report", officers=["zhao", "qian"], at=at("2025-03-05 09:00"))
    # 告知听证权利: 5 WD under 行政许可法 art. 47 → due Wed 12 Mar; red from Thu 13 Mar.
    sweep(engine, DEFAULT, at("2025-03-12"))
    assert ("red", "step:interested_parties", "legal") in raised(engine, at("2025-03-13"))


def test_paused_clock_never_alerts(engine: CaseEngine) -> None:
    case_id = accepted_licence(engine, "2026-01-05")
    engine.act(case_id, "order_inspection", officers=["li"], at=at("2026-01-06 09:00"))
    engine.act(case_id, "report", officers=["zhao", "qian"], at=at("2026-01-07 09:00"))
    engine.act(
        case_id, "hold_hearing", officers=["li"], at=at("2026-01-08 09:00"),
        facts={"hearing_requested": True},
    )
    # The case's 20 WD would end Mon 2 Feb, but the clock stops during the hearing.
    assert raised(engine, at("2026-02-10")) == []
    engine.act(case_id, "conclude", officers=["zhou"], at=at("2026-02-11 09:00"))
    # Paused 8 Jan – 10 Feb; the clock restarts on 11 Feb, across the 2026 Spring Festival
    # (15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked).
    case = engine.get(case_id)
    assert case.legal_due == dt.date(2026, 3, 12)
    alerts = raised(engine, at("2026-02-11 10:00"))
    assert ("red", "case", "legal") not in alerts


def test_suspension_stops_alerts_until_resumed(engine: CaseEngine) -> None:
    case_id = accepted_licence(engine, "2025-03-03")
    engine.suspend(
        case_id, officer="li", at=at("2025-03-04 09:00"), reason="专家评审",
        basis="行政许可法第45条", party_notified=True,
    )
    assert raised(engine, at("2025-04-30")) == []
    engine.resume(case_id, officer="li", at=at("2025-05-06 09:00"))
    assert ("yellow", "step:review", "promised") in raised(engine, at("2025-05-20"))


def test_sweeps_are_idempotent(engine: CaseEngine) -> None:
    accepted_licence(engine)
    first = raised(engine, at("2025-11-05"))
    assert {level for level, _, _ in first} == {"warning", "yellow", "red"}
    assert raised(engine, at("2025-11-05")) == []
    assert raised(engine, at("2025-11-20")) == []
    assert len(list_alerts(engine)) == len(first)
    log = sweep_log(engine)
    assert [row["examined"] for row in log][:3] == [0, 0, 1]


# ---------------------------------------------------------------------------------------------
# Presets


def test_supervise_deadline_preset(engine: CaseEngine) -> None:
    policy = load_policy("supervise-deadline")
    accepted_licence(engine, "2025-03-03")  # 审查 due Thu 6 Mar
    sweep(engine, policy, at("2025-03-06 12:00"))
    result = sweep(engine, policy, at("2025-03-07"))
    (yellow,) = [a for a in result.alerts if a.level is Level.YELLOW and a.step == "review"]
    assert "督办期限 2025-03-11" in yellow.limit
    assert raised(engine, at("2025-03-11 23:59:59"), policy) == []
    assert ("red", "step:review", "promised") in raised(engine, at("2025-03-12"), policy)


def test_near_and_late_preset(engine: CaseEngine) -> None:
    policy = load_policy("near-and-late")
    accepted_licence(engine, "2025-03-03")
    assert raised(engine, at("2025-03-06"), policy) == [("yellow", "step:review", "promised")]
    assert raised(engine, at("2025-03-07"), policy) == [("red", "step:review", "promised")]


def test_policy_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\ntitle: x\noverdue:\n  - {level: orange, limits: [legal]}\n"
        "recipients: {red: [post]}\nsupervision_office: x\ncolour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    text = str(caught.value)
    assert f"{path}:4: overdue.0.level:" in text
    assert f"{path}:7: colour: unknown key colour" in text
    with pytest.raises(PolicyError, match="did you mean default"):
        load_policy("defualt")
    with pytest.raises(PolicyError, match="no one is told of level red"):
        parse_policy(
            "name: x\ntitle: x\noverdue: [{level: red, limits: [legal]}]\nrecipients: {}\n"
            "supervision_office: x\n"
        )


# ---------------------------------------------------------------------------------------------
# Webhook delivery


class Receiver(http.server.BaseHTTPRequestHandler):
    failures_left = 0
    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.failures_left > 0:
            Receiver.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            return
        Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.failures_left = 0
    Receiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()
    server.server_close()
    thread.join()


def test_webhook_receives_each_alert(engine: CaseEngine, receiver: str) -> None:
    accepted_licence(engine)
    result = sweep(engine, DEFAULT, at("2025-10-01"), webhook=Webhook(receiver, retries=0))
    assert result.delivered == len(result.alerts) == 2
    keys = {"case", "power", "step", "post", "level", "due", "limit", "overdue_days"}
    assert all(keys <= set(alert) for alert in Receiver.received)
    assert {a["level"] for a in Receiver.received} == {"warning", "yellow"}


def test_failed_delivery_stays_pending_and_is_retried(engine: CaseEngine, receiver: str) -> None:
    accepted_licence(engine)
    Receiver.failures_left = 100
    hook = Webhook(receiver, retries=1, backoff_seconds=0)
    result = sweep(engine, DEFAULT, at("2025-09-30"), webhook=hook)
    assert (result.delivered, result.failed_deliveries) == (0, 1)
    (alert,) = list_alerts(engine)
    # fails once more, then recovers: the retry inside the sweep succeeds
    Receiver.failures_left = 1
    result = sweep(engine, DEFAULT, at("2025-09-30 01:00"), webhook=hook)
    assert result.alerts == [] and result.delivered == 1
    assert [a["id"] for a in Receiver.received] == [alert.id]
    result = sweep(engine, DEFAULT, at("2025-09-30 02:00"), webhook=hook)
    assert result.delivered == 0, "delivered once, never again"


def test_unreachable_webhook_loses_nothing(engine: CaseEngine) -> None:
    accepted_licence(engine)
    hook = Webhook("http://127.0.0.1:9/nowhere", retries=0, timeout_seconds=2)
    result = sweep(engine, DEFAULT, at("2025-10-01"), webhook=hook)
    assert result.failed_deliveries == 2
    with engine.db.connect() as connection:
        rows = connection.execute(store.alerts.select()).all()
    assert {row.delivery for row in rows} == {"pending"}
    assert all(row.delivery_error for row in rows)


# ---------------------------------------------------------------------------------------------
# Handling and scores


def test_acknowledge_appeal_revoke_are_recorded(engine: CaseEngine) -> None:
    accepted_licence(engine)
    sweep(engine, DEFAULT, at("2025-10-01"))
    warning, yellow = list_alerts(engine)
    handle_alert(engine, warning.id, "acknowledge", at=at("2025-10-01 09:00"), actor="li")
    with pytest.raises(AlertError, match="give the reason"):
        handle_alert(engine, yellow.id, "appeal", at=at("2025-10-01 09:00"), actor="li", reason=" ")
    handle_alert(
        engine, yellow.id, "appeal", at=at("2025-10-01 09:10"), actor="li",
        reason="完成时间录入错误",
    )
    with pytest.raises(AlertError, match="may not revoke"):
        handle_alert(
            engine, yellow.id, "revoke", at=at("2025-10-01 10:00"), actor="li", reason="x",
            policy=DEFAULT,
        )
    revoked = handle_alert(
        engine, yellow.id, "revoke", at=at("2025-10-02 10:00"), actor="jian",
        reason="核实属录入错误", policy=DEFAULT,
    )
    assert revoked.status == "revoked"
    with pytest.raises(AlertError, match="cannot be appealed"):
        handle_alert(engine, yellow.id, "appeal", at=at("2025-10-03"), actor="li", reason="again")
    history = alert_history(engine, yellow.id)
    assert [(h["action"], h["actor"]) for h in history] == [("appeal", "li"), ("revoke", "jian")]
    assert history[1]["reason"] == "核实属录入错误"
    assert [a.id for a in list_alerts(engine, open_only=True)] == []
    with pytest.raises(AlertError, match="no alert 999"):
        handle_alert(engine, 999, "acknowledge", at=at("2025-10-03"), actor="li")


def test_efficiency_scores(engine: CaseEngine) -> None:
    late = accepted_licence(engine, "2025-03-03")
    early = accepted_licence(engine, "2025-03-03")
    engine.act(early, "order_inspection", officers=["li"], at=at("2025-03-04 09:00"))
    sweep(engine, DEFAULT, at("2025-03-07"))  # 审查 of the other case: warning and yellow
    engine.act(late, "order_inspection", officers=["li"], at=at("2025-03-10 09:00"))
    scores = {s.post: s for s in efficiency(engine, "2025-03", DEFAULT)}
    reviewer = scores["reviewer"]
    assert (reviewer.handled, reviewer.on_time, reviewer.early) == (2, 1, 1)
    assert reviewer.alerts == {"warning": 1, "yellow": 1, "red": 0}
    assert reviewer.score == 100 - 5 + 5  # one yellow; half early → 5 bonus points
    assert scores["window"].handled == 2


def test_efficiency_scores_keep_agencies_apart(engine: CaseEngine) -> None:
    # Another county agency with the same 窗口 unit and post ids: its posts are its own.
    source = (DEFINITIONS / "food-business-licence.yaml").read_text(encoding="utf-8")
    other = source.replace(LICENCE, "33990100ZZ-XK-0001").replace(
        "subject: 云溪县市场监督管理局", "subject: 云溪县某某局"
    )
    engine.register([compile_definition(parse_definition(other, "other-licence.yaml"))])
    accepted_licence(engine, "2025-03-03")
    case = engine.open_case(
        "33990100ZZ-XK-0001", officer="wang", at=at("2025-03-03 09:00"),
        facts={"materials_complete": True},
    )
    engine.act(case.id, "accept", officers=["wang"], at=at("2025-03-03 10:00"))
    windows = [s for s in efficiency(engine, "2025-03", DEFAULT) if s.post == "window"]
    assert [(s.subject, s.handled) for s in windows] == [
        ("云溪县市场监督管理局", 1),
        ("云溪县某某局", 1),
    ]
    assert windows[0].unit == windows[1].unit


# ---------------------------------------------------------------------------------------------
# CLI


def test_cli_monitor_alerts_and_report(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = prepare(url)
    accepted_licence(engine)
    base = ["--db", url, "--definitions", str(DEFINITIONS)]
    result = runner.invoke(main, [*base, "monitor", "--at", "2025-10-01T08:00", "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"case", "power", "step", "post", "level", "due", "limit", "overdue_days"} <= set(
        lines[0]
    )
    assert "examined 1" in result.stderr
    again = runner.invoke(main, [*base, "monitor", "--at", "2025-10-01T08:00"])
    assert again.stdout == "" and "examined 0" in again.stderr
    log = runner.invoke(main, [*base, "monitor", "log", "--format", "json"])
    assert [row["examined"] for row in json.loads(log.stdout)] == [0, 1]
    listed = runner.invoke(main, [*base, "alerts", "list", "--level", "yellow"])
    assert "黄牌" in listed.stdout and "预警" not in listed.stdout
    alert_id = str(lines[0]["id"])
    assert runner.invoke(main, [*base, "alerts", "ack", alert_id, "--as", "li"]).exit_code == 0
    refused = runner.invoke(
        main, [*base, "alerts", "revoke", alert_id, "--as", "li", "--reason", "x"]
    )
    assert refused.exit_code == 1 and "may not revoke" in refused.stderr
    assert runner.invoke(
        main, [*base, "alerts", "revoke", alert_id, "--as", "jian", "--reason", "误报"]
    ).exit_code == 0
    shown = runner.invoke(main, [*base, "alerts", "show", alert_id])
    assert "revoke by jian: 误报" in shown.stdout
    csv_out = runner.invoke(
        main, [*base, "report", "efficiency", "--month", "2025-09", "--format", "csv"]
    )
    assert csv_out.stdout.splitlines()[0].startswith("subject,unit,post,post_name,handled")
    assert runner.invoke(main, [*base, "report", "efficiency", "--month", "2025-13"]).exit_code == 2
    assert runner.invoke(main, [*base, "monitor", "--policy", "nope"]).exit_code == 1
    store.dispose(url)


def test_watch_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    prepare(url)
    store.dispose(url)
    process = subprocess.Popen(
        [sys.executable, "-m", "powerflow.cli", "--db", url, "--definitions", str(DEFINITIONS),
         "monitor", "--watch", "0.2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    assert "watching" in process.stderr.readline()
    assert "swept" in process.stderr.readline()
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "monitor stopped" in err


def test_two_monitors_raise_each_alert_once(database_url: str) -> None:
    engine = prepare(database_url)
    for _ in range(30):
        accepted_licence(engine)
    store.dispose(database_url)
    command = [
        sys.executable, "-m", "powerflow.cli", "--db", database_url, "--definitions",
        str(DEFINITIONS), "monitor", "--at", "2025-11-05T09:00", "--format", "json",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    monitors = [
        subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    printed: list[int] = []
    for process in monitors:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        printed.extend(json.loads(line)["id"] for line in out.splitlines())
    engine = CaseEngine(store.connect(database_url), default_calendar())
    stored = [alert.id for alert in list_alerts(engine)]
    assert len(stored) == 30 * 5  # step warning + yellow, case warning + yellow + red, per case
    assert sorted(printed) == sorted(stored), "every alert printed by exactly one monitor"


def test_case_limits_stop_at_the_decision(engine: CaseEngine) -> None:
    case_id = accepted_licence(engine)
    engine.act(case_id, "order_inspection", officers=["li"], at=at("2025-09-29 09:00"))
    engine.act(case_id, "report", officers=["zhao", "qian"], at=at("2025-10-09 09:00"))
    engine.act(case_id, "proceed", officers=["li"], at=at("2025-10-10 09:00"))
    engine.act(
        case_id, "grant", officers=["boss"], at=at("2025-10-11 09:00"),
        facts={"requirements_met": True},
    )
    # Decided on time; 制证发证 (10 WD, 行政许可法 art. 44) runs on alone until Fri 24 Oct.
    alerts = raised(engine, at("2025-10-27"))
    assert ("red", "step:certificate", "legal") in alerts
    assert not any(subject == "case" for _, subject, _ in alerts)
