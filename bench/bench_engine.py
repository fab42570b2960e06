"""Benchmark: the case engine against raw sqlite3, against SpiffWorkflow, and at scale.

Run: .venv/bin/python bench/bench_engine.py [--acts N] [--spiff-cases N] [--large N]

Three measurements in one process, each printed as a ratio (targets in brackets; timing is
reported, never asserted):

1. durable acts per second on SQLite against the raw rate of the same writes (one row update +
   one insert per transaction, WAL, synchronous=FULL) done directly with sqlite3   [>= 0.5]
2. per-step cost against SpiffWorkflow running the equivalent BPMN process (the 食品经营许可 main
   path) and persisting its serialized state to SQLite after every step          [>= 10x]
3. act latency with --large open cases against 1,000 open cases, and the process's memory
   growth between the two                                                           [<= 1.5x]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.engine import GENESIS, CaseEngine, event_hash, overdue_from
from powerflow.workdays import default_calendar

ROOT = Path(__file__).resolve().parent.parent
LICENCE = "33990100SJ-XK-0001"
AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)
MAIN_PATH = [
    ("accept", ["wang"]),
    ("order_inspection", ["li"]),
    ("report", ["zhao", "qian"]),
    ("proceed", ["li"]),
    ("grant", ["boss"]),
    ("issue", ["wang"]),
]


def _engine(url: str) -> CaseEngine:
    db = store.connect(url)
    store.upgrade(db)
    engine = CaseEngine(db, default_calendar())
    engine.register(check_catalog([ROOT / "definitions" / "food-business-licence.yaml"]).powers)
    for officer, posts, qualifications in (
        ("wang", ["window"], []),
        ("li", ["reviewer"], ["执法证"]),
        ("zhao", ["inspector"], ["执法证"]),
        ("qian", ["inspector"], ["执法证"]),
        ("boss", ["director"], []),
    ):
        engine.add_officer(officer, posts, qualifications)
    return engine


# ---------------------------------------------------------------------------------------------
# 1. Against raw sqlite3


def raw_sqlite_rate(path: Path, n: int) -> float:
    """Transactions per second of one UPDATE + one INSERT, as durable as powerflow's."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, state TEXT, lock_version INT)")
    connection.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, case_id INT, seq INT, payload TEXT)"
    )
    connection.execute("INSERT INTO cases VALUES (1, 'intake', 0)")
    started = time.perf_counter()
    for seq in range(n):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE cases SET state = ?, lock_version = lock_version + 1 WHERE id = 1",
            ("supplement" if seq % 2 == 0 else "intake",),
        )
        connection.execute(
            "INSERT INTO events (case_id, seq, payload) VALUES (1, ?, ?)", (seq, '{"action":"x"}')
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return n / elapsed


def powerflow_rate(url: str, n: int) -> float:
    """Durable acts per second: the 补正 loop (request_supplement / resubmit) on one case."""
    engine = _engine(url)
    case = engine.open_case(LICENCE, officer="wang", at=AT, facts={"materials_complete": False})
    actions = ["request_supplement", "resubmit"]
    started = time.perf_counter()
    for index in range(n):
        engine.act(case.id, actions[index % 2], officers=["wang"], at=AT)
    elapsed = time.perf_counter() - started
    assert engine.verify_chain(case.id) == []
    return n / elapsed


# ---------------------------------------------------------------------------------------------
# 2. Against SpiffWorkflow

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://powerflow.example/bench">
  <bpmn:process id="licence" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="intake" name="受理"/>
    <bpmn:exclusiveGateway id="intake_exit" default="to_review"/>
    <bpmn:userTask id="supplement" name="补正"/>
    <bpmn:userTask id="review" name="材料审查"/>
    <bpmn:userTask id="inspection" name="现场核查"/>
    <bpmn:userTask id="interested_parties" name="告知听证权利"/>
    <bpmn:exclusiveGateway id="hearing_exit" default="to_decision"/>
    <bpmn:userTask id="hearing" name="听证"/>
    <bpmn:userTask id="decision" name="审批决定"/>
    <bpmn:exclusiveGateway id="decision_exit" default="to_certificate"/>
    <bpmn:userTask id="certificate" name="制证发证"/>
    <bpmn:userTask id="refusal" name="送达不予许可决定书"/>
    <bpmn:userTask id="closed" name="办结归档"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="intake"/>
    <bpmn:sequenceFlow id="f1" sourceRef="intake" targetRef="intake_exit"/>
    <bpmn:sequenceFlow id="to_supplement" sourceRef="intake_exit" targetRef="supplement">
      <bpmn:conditionExpression>materials_complete == False</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_review" sourceRef="intake_exit" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="supplement" targetRef="intake"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="inspection"/>
    <bpmn:sequenceFlow id="f4" sourceRef="inspection" targetRef="interested_parties"/>
    <bpmn:sequenceFlow id="f5" sourceRef="interested_parties" targetRef="hearing_exit"/>
    <bpmn:sequenceFlow id="to_hearing" sourceRef="hearing_exit" targetRef="hearing">
      <bpmn:conditionExpression>hearing_requested == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_decision" sourceRef="hearing_exit" targetRef="decision"/>
    <bpmn:sequenceFlow id="f6" sourceRef="hearing" targetRef="decision"/>
    <bpmn:sequenceFlow id="f7" sourceRef="decision" targetRef="decision_exit"/>
    <bpmn:sequenceFlow id="to_refusal" sourceRef="decision_exit" targetRef="refusal">
      <bpmn:conditionExpression>requirements_met == False</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_certificate" sourceRef="decision_exit" targetRef="certificate"/>
    <bpmn:sequenceFlow id="f8" sourceRef="certificate" targetRef="closed"/>
    <bpmn:sequenceFlow id="f9" sourceRef="refusal" targetRef="closed"/>
    <bpmn:sequenceFlow id="f10" sourceRef="closed" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def spiff_seconds_per_step(path: Path, cases: int) -> tuple[float, int]:
    """Run the main path in SpiffWorkflow, persisting the serialized workflow after each step."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.encode("utf-8"), filename="licence.bpmn")
    spec = parser.get_spec("licence")
    serializer = BpmnWorkflowSerializer()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT)")
    steps = 0
    started = time.perf_counter()
    for case_id in range(cases):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        connection.execute("INSERT INTO workflows VALUES (?, ?)", (case_id, serializer.serialize_json(workflow)))
        data = {"materials_complete": True, "hearing_requested": False, "requirements_met": True}
        while not workflow.is_completed():
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "UPDATE workflows SET state = ? WHERE id = ?",
                (serializer.serialize_json(workflow), case_id),
            )
            connection.execute("COMMIT")
            steps += 1
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed / steps, steps


def powerflow_seconds_per_step(url: str, cases: int) -> tuple[float, int]:
    """Run the same main path (open, six actions, close) through the engine."""
    engine = _engine(url)
    steps = 0
    started = time.perf_counter()
    for _ in range(cases):
        case = engine.open_case(
            LICENCE, officer="wang", at=AT, facts={"materials_complete": True, "requirements_met": True}
        )
        for action, officers in MAIN_PATH:
            engine.act(case.id, action, officers=officers, at=AT)
            steps += 1
        engine.close(case.id, officer="wang", at=AT)
        steps += 1
    elapsed = time.perf_counter() - started
    return elapsed / steps, steps


# ---------------------------------------------------------------------------------------------
# 3. Flat cost at scale


def fill_open_cases(engine: CaseEngine, total: int) -> None:
    """Bulk-insert open cases at 受理 (with their step deadline and a valid first event) up to total."""
    power = engine.newest(LICENCE)
    with engine.db.connect() as db:
        have = db.execute(sa.select(sa.func.count()).select_from(store.cases)).scalar_one()
    batch = 5000
    due = dt.date(2025, 3, 10)
    for first in range(have, total, batch):
        count = min(batch, total - first)
        with engine.db.begin() as db:
            start_id = (db.execute(sa.select(sa.func.max(store.cases.c.id))).scalar() or 0) + 1
            ids = range(start_id, start_id + count)
            events = []
            for case_id in ids:
                payload = {"code": LICENCE, "step": "intake"}
                digest = event_hash(case_id, 1, "opened", "wang", payload, AT, AT, GENESIS)
                events.append(
                    {
                        "case_id": case_id, "seq": 1, "kind": "opened", "actor": "wang",
                        "payload": payload, "effective_at": AT, "recorded_at": AT,
                        "prev_hash": GENESIS, "hash": digest,
                    }
                )
            db.execute(
                store.cases.insert(),
                [
                    {
                        "id": case_id, "code": LICENCE, "digest": power.digest, "version": "1.0",
                        "facts": {"materials_complete": True}, "state": "intake", "status": "open",
                        "opened_at": AT, "step_entered_at": AT, "step_due": due,
                        "step_overdue_at": overdue_from(due), "lock_version": 0, "last_seq": 1,
                        "last_hash": events[index]["hash"],
                    }
                    for index, case_id in enumerate(ids)
                ],
            )
            db.execute(store.events.insert(), events)


def act_latency(engine: CaseEngine, samples: int, seed: int) -> float:
    """Median seconds per act (accept) on random open cases at 受理."""
    with engine.db.connect() as db:
        ids = [
            row.id
            for row in db.execute(sa.select(store.cases.c.id).where(store.cases.c.state == "intake"))
        ]
    chosen = random.Random(seed).sample(ids, samples)
    timings = []
    for case_id in chosen:
        started = time.perf_counter()
        engine.act(case_id, "accept", officers=["wang"], at=AT)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acts", type=int, default=2000)
    parser.add_argument("--spiff-cases", type=int, default=100)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        raw = raw_sqlite_rate(folder / "raw.db", args.acts)
        ours = powerflow_rate(f"sqlite:///{folder / 'acts.db'}", args.acts)
        ratio = ours / raw
        ok &= ratio >= 0.5
        print(
            f"1. durable acts/s on SQLite: powerflow {ours:,.0f}/s, raw sqlite3 update+insert "
            f"{raw:,.0f}/s; ratio {ratio:.2f} (target >= 0.5)"
        )

        spiff, spiff_steps = spiff_seconds_per_step(folder / "spiff.db", args.spiff_cases)
        mine, my_steps = powerflow_seconds_per_step(f"sqlite:///{folder / 'path.db'}", args.spiff_cases)
        speedup = spiff / mine
        ok &= speedup >= 10
        print(
            f"2. per step, 食品经营许可 main path: SpiffWorkflow + serialized state in SQLite "
            f"{spiff * 1000:.2f} ms ({spiff_steps} steps), powerflow {mine * 1000:.2f} ms "
            f"({my_steps} steps); powerflow {speedup:.1f}x faster (target >= 10x)"
        )

        engine = _engine(f"sqlite:///{folder / 'scale.db'}")
        fill_open_cases(engine, 1000)
        act_latency(engine, 50, seed=0)  # warm caches
        small = act_latency(engine, args.samples, seed=1)
        memory_small = rss_mib()
        fill_open_cases(engine, args.large)
        large = act_latency(engine, args.samples, seed=2)
        memory_large = rss_mib()
        growth = large / small
        ok &= growth <= 1.5
        print(
            f"3. act latency: {small * 1000:.2f} ms with 1,000 open cases, {large * 1000:.2f} ms "
            f"with {args.large:,}; ratio {growth:.2f} (target <= 1.5); "
            f"process memory {memory_small:.0f} MiB → {memory_large:.0f} MiB"
        )
        store.dispose(f"sqlite:///{folder / 'scale.db'}")
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
