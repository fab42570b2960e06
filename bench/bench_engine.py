"""Benchmark: the case engine against raw sqlite3, against SpiffWorkflow, and at scale.

Run: .venv/bin/python bench/bench_engine.py [--acts N] [--rounds N] [--cases N] [--large N]
(SpiffWorkflow comes with the bench extra: .venv/bin/pip install -e '.[bench]')

Three measurements in one process, each printed as a ratio (targets in brackets; timing is
reported, never asserted; bench/README.md explains what is compared and why):

1. durable acts per second on SQLite against the raw rate of the same writes (each act's case-row
   update and event insert, its SQL and values recorded on the engine's connection and replayed
   with sqlite3, one transaction each, WAL, synchronous=FULL), in interleaved rounds so load from
   other processes hits both alike:
   the ordinary act (行政处罚 调查取证 ⇄ 法制审核, two officers with 执法证)          [>= 0.5]
   and, reported beside it, the pause-heavy 补正 loop (each act opens or ends a 特别程序 pause),
   the ceiling (the act's whole SQL, reads and the completed stay included, replayed the same
   way), and a bare pair of writes on two tables of its own (no index, a tiny payload).
2. per step, across whole realistic cases (the full 行政处罚 procedure with a return for further
   investigation, a hearing and collective discussion; a 行政许可 with two 补正 rounds), against
   SpiffWorkflow running the equivalent BPMN process (generated from the same definition) and
   persisting its serialized state to SQLite after every step, as durably as powerflow  [>= 10x]
3. act latency with --large open cases against 1,000 open cases, and the process's memory
   growth between the two                                                           [<= 1.5x]

Exit status 1 when an answer is wrong (a broken hash chain, a case or workflow that did not take
the path asked for), else 0, whatever the timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Self
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa

from powerflow import store
from powerflow.compiler import CompiledPower, compile_definition
from powerflow.definition import load_definition
from powerflow.engine import GENESIS, CaseEngine, PenaltyDecision, event_hash, overdue_from
from powerflow.workdays import default_calendar

ROOT = Path(__file__).resolve().parent.parent
LICENCE = "33990100SJ-XK-0001"
PENALTY = "33990100SJ-CF-0001"
AT = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(days=15)  # each act later, past every waiting period (听证 notice …)
ROSTER: tuple[tuple[str, list[str], list[str]], ...] = (
    ("wang", ["window"], []),
    ("li", ["reviewer"], ["执法证"]),
    ("zhao", ["inspector", "investigator"], ["执法证"]),
    ("qian", ["inspector", "investigator"], ["执法证"]),
    ("zhou", ["hearing_host"], ["法律职业资格", "执法证"]),
    ("wu", ["legal_reviewer"], ["法律职业资格"]),
    ("boss", ["director", "bureau_meeting"], []),
    ("cashier", ["finance"], []),
    ("chief", ["squad_leader"], ["执法证"]),
)

# Whole cases: (action, officers, facts given with the act); None closes the case (办结).
Path_ = list[tuple[str | None, list[str], dict[str, Any]]]
LICENCE_WITH_SUPPLEMENTS: Path_ = [
    ("request_supplement", ["wang"], {}),
    ("resubmit", ["wang"], {}),
    ("request_supplement", ["wang"], {}),
    ("resubmit", ["wang"], {"materials_complete": True}),
    ("accept", ["wang"], {}),
    ("order_inspection", ["li"], {}),
    ("report", ["zhao", "qian"], {}),
    ("proceed", ["li"], {}),
    ("grant", ["boss"], {"requirements_met": True}),
    ("issue", ["wang"], {}),
    (None, ["wang"], {}),
]
FULL_PENALTY: Path_ = [
    ("open_case", ["zhao"], {}),
    ("conclude_investigation", ["zhao", "qian"], {}),
    ("return_for_investigation", ["wu"], {}),
    ("conclude_investigation", ["zhao", "qian"], {}),
    ("approve_notice", ["wu"], {}),
    ("hearing_requested", ["zhao"], {"hearing_requested": True}),
    ("conclude_hearing", ["zhou"], {}),
    ("resolve", ["boss"], {}),
    ("impose", ["boss"], {}),
    ("delivered", ["zhao"], {}),
    ("performed", ["cashier"], {}),
    (None, ["chief"], {}),
]
IMPOSE = PenaltyDecision("SJ-SP-122-01", Decimal(70000), (), {"货值金额": Decimal(8000)})
"""The 裁量基准 decision the penalty path records (一般 tier, 货值金额 8,000 元)."""

CASES: dict[str, tuple[str, dict[str, Any], Path_]] = {
    "行政处罚 full procedure": (PENALTY, {}, FULL_PENALTY),
    "行政许可 with two 补正": (LICENCE, {"materials_complete": False}, LICENCE_WITH_SUPPLEMENTS),
}


class WrongAnswer(Exception):
    """A benchmark run did not do what it was asked: its timing would mean nothing."""


def _powers() -> list[CompiledPower]:
    return [
        compile_definition(load_definition(ROOT / "definitions" / f"{name}.yaml"))
        for name in ("food-business-licence", "food-unlicensed-penalty")
    ]


def _engine(url: str) -> CaseEngine:
    db = store.connect(url)
    store.upgrade(db)
    engine = CaseEngine(db, default_calendar())
    engine.register(_powers())
    for officer, posts, qualifications in ROSTER:
        engine.add_officer(officer, posts, qualifications)
    return engine


def _times(start: dt.datetime = AT, step: dt.timedelta = STEP) -> Iterator[dt.datetime]:
    moment = start
    while True:
        yield moment
        moment += step


def _durable_sqlite(path: Path, *, synchronous: str = "FULL") -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    return connection


def _sqlite_synchronous(url: str, synchronous: str) -> None:
    """Set a SQLite engine's synchronous level on every connection it opens after powerflow's own
    settings (only for measuring both sides without durability; powerflow itself never does)."""
    sa.event.listen(
        store.connect(url),
        "connect",
        lambda dbapi_connection, _record: dbapi_connection.execute(
            f"PRAGMA synchronous={synchronous}"
        ),
    )


# ---------------------------------------------------------------------------------------------
# 1. Against raw sqlite3


class RawWrites:
    """One row update + one insert per transaction, straight on sqlite3, as durable as powerflow."""

    def __init__(self, path: Path) -> None:
        self.connection = _durable_sqlite(path)
        self.connection.execute(
            "CREATE TABLE cases (id INTEGER PRIMARY KEY, state TEXT, lock_version INT)"
        )
        self.connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, case_id INT, seq INT, payload TEXT)"
        )
        self.connection.execute("INSERT INTO cases VALUES (1, 'investigation', 0)")
        self.seq = 0

    def run(self, n: int) -> float:
        connection = self.connection
        started = time.perf_counter()
        for _ in range(n):
            self.seq += 1
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "UPDATE cases SET state = ?, lock_version = lock_version + 1 WHERE id = 1",
                ("legal_review" if self.seq % 2 else "investigation",),
            )
            connection.execute(
                "INSERT INTO events (case_id, seq, payload) VALUES (1, ?, ?)",
                (self.seq, '{"action":"conclude_investigation"}'),
            )
            connection.execute("COMMIT")
        return time.perf_counter() - started


class ActLoop:
    """Cases acted on in a loop of two actions, each act a durable transaction.

    Each case takes ``per_case`` acts of the loop (a case sent back for further investigation
    twice, a licence with two 补正 rounds), then the next case: its record stays the size of a
    real case's (one case looped thousands of times would read thousands of pauses per act).
    The cases are opened before the timing starts.
    """

    def __init__(
        self,
        engine: CaseEngine,
        code: str,
        opener: str,
        facts: dict[str, Any],
        prelude: Path_,
        loop: Path_,
        acts: int,
        per_case: int = 4,
    ) -> None:
        self.engine = engine
        # Thousands of acts: a few minutes apart, so their dates stay inside the calendar.
        self.times = _times(step=dt.timedelta(minutes=7))
        self.cases = []
        for _ in range(-(-acts // per_case)):
            case = engine.open_case(code, officer=opener, at=next(self.times), facts=facts)
            for action, officers, given in prelude:
                assert action is not None
                engine.act(case.id, action, officers=officers, at=next(self.times), facts=given)
            self.cases.append(case.id)
        self.loop = loop
        self.per_case = per_case
        self.done = 0

    def run(self, n: int) -> float:
        act, cases, loop, times, per_case = (
            self.engine.act,
            self.cases,
            self.loop,
            self.times,
            self.per_case,
        )
        started = time.perf_counter()
        for index in range(self.done, self.done + n):
            action, officers, _ = loop[index % per_case % len(loop)]
            assert action is not None
            act(cases[index // per_case], action, officers=officers, at=next(times))
        self.done += n
        return time.perf_counter() - started

    def check(self) -> None:
        for case_id in self.cases[: -(-self.done // self.per_case)]:
            if self.engine.verify_chain(case_id):
                raise WrongAnswer(f"case {case_id}: the hash chain does not verify")
            view = self.engine.show(case_id)
            if view.case.lock_version != len(view.events) - 1:
                raise WrongAnswer(f"case {case_id}: an act was lost")


ORDINARY_LOOP: Path_ = [
    ("conclude_investigation", ["zhao", "qian"], {}),
    ("return_for_investigation", ["wu"], {}),
]
SUPPLEMENT_LOOP: Path_ = [("request_supplement", ["wang"], {}), ("resubmit", ["wang"], {})]


def _ordinary_loop(url: str, acts: int) -> ActLoop:
    engine = _engine(url)
    return ActLoop(engine, PENALTY, "zhao", {}, [("open_case", ["zhao"], {})], ORDINARY_LOOP, acts)


class _Recorder:
    """What the engine's SQLite connections execute while ``on``: (SQL, parameters) pairs."""

    on = False
    statements: ClassVar[list[tuple[str, Any]]] = []


class _RecordingCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        if _Recorder.on:
            _Recorder.statements.append((sql, parameters))
        return super().execute(sql, parameters)


class _RecordingConnection(sqlite3.Connection):
    def cursor(self, factory: Any = _RecordingCursor) -> Any:
        return super().cursor(factory)

    def commit(self) -> None:
        if _Recorder.on:
            _Recorder.statements.append(("COMMIT", ()))
        super().commit()


class RecordedActs:
    """The SQL of real ordinary acts, recorded with its parameters on the engine's own
    connection, and a copy of the database taken just before them."""

    def __init__(self, folder: Path, acts: int, warm_up: int) -> None:
        url = f"sqlite:///{folder / 'recorded.db'}"
        sa.event.listen(
            store.connect(url),
            "do_connect",
            lambda _dialect, _record, _args, params: params.update(factory=_RecordingConnection),
        )
        loop = _ordinary_loop(url, warm_up + acts)
        loop.run(warm_up)
        self.before = sqlite3.connect(":memory:")
        with sqlite3.connect(folder / "recorded.db") as source:
            source.backup(self.before)
        _Recorder.on, _Recorder.statements = True, []
        loop.run(acts)
        _Recorder.on = False
        self.transactions: list[list[tuple[str, Any]]] = []
        for sql, parameters in _Recorder.statements:
            if sql.startswith("BEGIN"):
                self.transactions.append([])
            self.transactions[-1].append((sql, parameters))
        if len(self.transactions) != acts or any(t[-1][0] != "COMMIT" for t in self.transactions):
            raise WrongAnswer(f"recorded {len(self.transactions)} transactions for {acts} acts")


class ReplayedActs:
    """Recorded acts replayed directly with sqlite3 on a copy of the database as it was before
    them: the same statements with the same values, one transaction per act, and no engine at
    all. ``only`` keeps the statements whose SQL starts with one of its prefixes (BEGIN and
    COMMIT are always kept).

    Replayed whole, the rate is the most any engine that reads and writes what an act does (the
    case, the roster, the completed stay, the event) can reach. Only the case-row update and the
    event insert (``SAME_WRITES``): the act's own pair of writes done directly with sqlite3."""

    def __init__(
        self,
        recorded: RecordedActs,
        path: Path,
        synchronous: str,
        only: tuple[str, ...] | None = None,
    ) -> None:
        self.connection = _durable_sqlite(path, synchronous=synchronous)
        recorded.before.backup(self.connection)
        kept = ("BEGIN", "COMMIT", *only) if only is not None else ("",)
        self.transactions = [
            [(sql, parameters) for sql, parameters in statements if sql.startswith(kept)]
            for statements in recorded.transactions
        ]
        self.done = 0

    def run(self, n: int) -> float:
        cursor = self.connection.cursor()
        started = time.perf_counter()
        for statements in self.transactions[self.done : self.done + n]:
            for sql, parameters in statements:
                cursor.execute(sql, parameters).fetchall()
        self.done += n
        return time.perf_counter() - started


SAME_WRITES = ("UPDATE cases ", "INSERT INTO events ")
"""An act's row update and insert: the case row (checked against its lock version) and the event."""


@dataclass
class Rates:
    """Acts (or raw transactions) per second."""

    raw: float
    same_writes: float
    replayed: float
    ordinary: float
    supplement: float
    replayed_unsynced: float
    ordinary_unsynced: float


def act_rates(folder: Path, acts: int, rounds: int) -> Rates:
    """Acts per second: raw writes, an act's own SQL replayed, the ordinary act and the 补正
    loop, and (to show the engine's own time apart from the fsync) the act's SQL and the act
    without fsync, all in interleaved rounds."""
    per_round = max(4, acts // rounds // 4 * 4)
    warm_up = 100
    timed = per_round * rounds
    recorded = RecordedActs(folder, timed, warm_up)
    unsynced_url = f"sqlite:///{folder / 'ordinary-unsynced.db'}"
    _sqlite_synchronous(unsynced_url, "OFF")
    loops: dict[str, RawWrites | ReplayedActs | ActLoop] = {
        "raw": RawWrites(folder / "raw.db"),
        "same_writes": ReplayedActs(recorded, folder / "same-writes.db", "FULL", SAME_WRITES),
        "replayed": ReplayedActs(recorded, folder / "replayed.db", "FULL"),
        "ordinary": _ordinary_loop(f"sqlite:///{folder / 'ordinary.db'}", warm_up + timed),
        "supplement": ActLoop(
            _engine(f"sqlite:///{folder / 'supplement.db'}"),
            LICENCE,
            "wang",
            {"materials_complete": False},
            [],
            SUPPLEMENT_LOOP,
            warm_up + timed,
        ),
        "replayed_unsynced": ReplayedActs(recorded, folder / "replayed-unsynced.db", "OFF"),
        "ordinary_unsynced": _ordinary_loop(unsynced_url, warm_up + timed),
    }
    for loop in loops.values():
        if not isinstance(loop, ReplayedActs):
            loop.run(warm_up)
    seconds = dict.fromkeys(loops, 0.0)
    for _ in range(rounds):
        for name, loop in loops.items():
            seconds[name] += loop.run(per_round)
    for loop in loops.values():
        if isinstance(loop, ActLoop):
            loop.check()
    return Rates(**{name: timed / seconds[name] for name in loops})


# ---------------------------------------------------------------------------------------------
# 2. Against SpiffWorkflow


def bpmn_for(power: CompiledPower) -> str:
    """The definition as a BPMN process: each step a user task; where a step has several
    actions, an exclusive gateway chooses by the ``action`` the task completed with."""
    flows: list[tuple[str, str, str | None]] = [("start", power.start_steps[0].id, None)]
    elements = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
    for step in power.definition.steps:
        elements.append(f"<bpmn:userTask id={quoteattr(step.id)} name={quoteattr(step.name)}/>")
        exits = power.exits(step.id)
        if step.final:
            flows.append((step.id, "end", None))
        elif len(exits) == 1:
            flows.append((step.id, exits[0].target, None))
        else:
            gateway = f"{step.id}_action"
            elements.append(f"<bpmn:exclusiveGateway id={quoteattr(gateway)}/>")
            flows.append((step.id, gateway, None))
            flows += [(gateway, e.target, f"action == '{e.action.action}'") for e in exits]
    for index, (source, target, condition) in enumerate(flows):
        ends = f'id="flow{index}" sourceRef={quoteattr(source)} targetRef={quoteattr(target)}'
        if condition is None:
            elements.append(f"<bpmn:sequenceFlow {ends}/>")
        else:
            elements.append(
                f"<bpmn:sequenceFlow {ends}><bpmn:conditionExpression>{escape(condition)}"
                "</bpmn:conditionExpression></bpmn:sequenceFlow>"
            )
    body = "\n    ".join(elements)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
        'targetNamespace="http://powerflow.example/bench">\n'
        f'  <bpmn:process id="power" isExecutable="true">\n    {body}\n  </bpmn:process>\n'
        "</bpmn:definitions>\n"
    )


@dataclass
class PerStep:
    """Time and steps accumulated over whole cases."""

    seconds: float = 0.0
    steps: int = 0
    largest_state: int = 0

    @property
    def ms(self) -> float:
        return self.seconds / self.steps * 1000


class SpiffCases:
    """Whole cases in SpiffWorkflow. After every step the serialized workflow is written to
    SQLite in its own transaction, as durably as powerflow writes. With ``reload`` each step
    first reads the workflow back from SQLite, as a server handling one request per step does
    (and as powerflow reads its case row); without it the workflow stays in this process."""

    def __init__(
        self, path: Path, power: CompiledPower, route: Path_, *, reload: bool, synchronous: str
    ) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_str(bpmn_for(power).encode("utf-8"), filename=f"{power.code}.bpmn")
        self.spec = parser.get_spec("power")
        self.serializer = BpmnWorkflowSerializer()
        self.connection = _durable_sqlite(path, synchronous=synchronous)
        self.connection.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT)")
        self.route, self.reload = route, reload
        self.expected = _steps_taken(power, route)
        self.result = PerStep()

    def run_case(self) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        connection, serializer, result = self.connection, self.serializer, self.result
        started = time.perf_counter()
        workflow = BpmnWorkflow(self.spec)
        workflow.do_engine_steps()
        connection.execute("BEGIN IMMEDIATE")
        case_id = connection.execute(
            "INSERT INTO workflows (state) VALUES (?)", (serializer.serialize_json(workflow),)
        ).lastrowid
        connection.execute("COMMIT")
        taken = []
        for action, _officers, _facts in self.route:
            if self.reload:
                (text,) = connection.execute(
                    "SELECT state FROM workflows WHERE id = ?", (case_id,)
                ).fetchone()
                workflow = serializer.deserialize_json(text)
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            taken.append(task.task_spec.name)
            task.data["action"] = action
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE workflows SET state = ? WHERE id = ?", (state, case_id))
            connection.execute("COMMIT")
            result.largest_state = max(result.largest_state, len(state))
        result.seconds += time.perf_counter() - started
        result.steps += len(self.route)
        if taken != self.expected or not workflow.is_completed():
            raise WrongAnswer(f"SpiffWorkflow took {taken}, not {self.expected}")


class PowerflowCases:
    """The same whole cases through the engine: open, the actions, close (办结)."""

    def __init__(self, url: str, code: str, facts: dict[str, Any], route: Path_) -> None:
        self.engine = _engine(url)
        self.code, self.facts, self.route = code, facts, route

        self.result = PerStep()

    def run_case(self) -> None:
        # Every case starts on the same day, so its dates stay inside the calendar's years.
        engine, times = self.engine, _times()
        started = time.perf_counter()
        case = engine.open_case(
            self.code, officer=self.route[0][1][0], at=next(times), facts=self.facts
        )
        for action, officers, given in self.route:
            if action is None:
                engine.close(case.id, officer=officers[0], at=next(times))
            else:
                decision = IMPOSE if action == "impose" else None
                engine.act(
                    case.id,
                    action,
                    officers=officers,
                    at=next(times),
                    facts=given,
                    decision=decision,
                )
        self.result.seconds += time.perf_counter() - started
        self.result.steps += len(self.route)
        view = engine.show(case.id)
        expected = _steps_taken(engine.power(case.digest), self.route)
        if [e.step for e in view.entries] != expected or view.case.status != "closed":
            raise WrongAnswer(f"powerflow took {[e.step for e in view.entries]}, not {expected}")
        if engine.verify_chain(case.id):
            raise WrongAnswer(f"case {case.id}: the hash chain does not verify")


def _steps_taken(power: CompiledPower, route: Path_) -> list[str]:
    step = power.start_steps[0].id
    taken = []
    for action, _officers, _facts in route:
        taken.append(step)
        if action is not None:
            exit_ = power.exit(step, action)
            assert exit_ is not None, f"{step} has no action {action}"
            step = exit_.target
    return taken


@dataclass
class Comparison:
    name: str
    spiff_stateless: PerStep
    spiff_in_memory: PerStep
    powerflow: PerStep
    spiff_unsynced: PerStep
    powerflow_unsynced: PerStep


def compare_with_spiff(folder: Path, cases: int) -> list[Comparison]:
    """Per-step cost of whole cases, both sides durable (and, for reference, both not), the
    sides taking turns case by case so load from other processes hits them alike."""
    powers = {power.code: power for power in _powers()}
    results = []
    for index, (name, (code, facts, route)) in enumerate(CASES.items()):
        power = powers[code]
        unsynced_url = f"sqlite:///{folder / f'steps-{index}-unsynced.db'}"
        _sqlite_synchronous(unsynced_url, "OFF")
        sides: dict[str, SpiffCases | PowerflowCases] = {
            "spiff_stateless": SpiffCases(
                folder / f"spiff-{index}.db", power, route, reload=True, synchronous="FULL"
            ),
            "spiff_in_memory": SpiffCases(
                folder / f"spiff-{index}-memory.db", power, route, reload=False, synchronous="FULL"
            ),
            "powerflow": PowerflowCases(
                f"sqlite:///{folder / f'steps-{index}.db'}", code, facts, route
            ),
            "spiff_unsynced": SpiffCases(
                folder / f"spiff-{index}-unsynced.db", power, route, reload=True, synchronous="OFF"
            ),
            "powerflow_unsynced": PowerflowCases(unsynced_url, code, facts, route),
        }
        for _ in range(cases):
            for side in sides.values():
                side.run_case()
        results.append(Comparison(name, **{key: side.result for key, side in sides.items()}))
    return results


# ---------------------------------------------------------------------------------------------
# 3. Flat cost at scale


def fill_open_cases(engine: CaseEngine, total: int) -> None:
    """Bulk-insert open cases at 受理 (step deadline, a valid first event) up to ``total``."""
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
                        "case_id": case_id,
                        "seq": 1,
                        "kind": "opened",
                        "actor": "wang",
                        "payload": payload,
                        "effective_at": AT,
                        "recorded_at": AT,
                        "prev_hash": GENESIS,
                        "hash": digest,
                    }
                )
            db.execute(
                store.cases.insert(),
                [
                    {
                        "id": case_id,
                        "code": LICENCE,
                        "digest": power.digest,
                        "version": "1.0",
                        "facts": {"materials_complete": True},
                        "state": "intake",
                        "status": "open",
                        "opened_at": AT,
                        "step_entered_at": AT,
                        "step_due": due,
                        "step_overdue_at": overdue_from(due),
                        "alert_check_at": AT,
                        "lock_version": 0,
                        "last_seq": 1,
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
            for row in db.execute(
                sa.select(store.cases.c.id).where(store.cases.c.state == "intake")
            )
        ]
    chosen = random.Random(seed).sample(ids, samples)
    times = _times(AT + dt.timedelta(hours=1))
    timings = []
    for case_id in chosen:
        started = time.perf_counter()
        engine.act(case_id, "accept", officers=["wang"], at=next(times))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


# ---------------------------------------------------------------------------------------------


def _timed(what: str, run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = run()
    print(f"   ({what}: {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return result


def report_acts(rates: Rates) -> tuple[bool, str | None]:
    def us(rate: float) -> float:
        return 1e6 / rate

    ordinary, supplement = rates.ordinary / rates.same_writes, rates.supplement / rates.same_writes
    ceiling = rates.replayed / rates.same_writes
    own = us(rates.ordinary) - us(rates.replayed)
    own_unsynced = us(rates.ordinary_unsynced) - us(rates.replayed_unsynced)
    print(
        "1. durable acts on SQLite (WAL, synchronous=FULL, a transaction each), interleaved:\n"
        f"   raw sqlite3, the same writes: each act's case-row update and event insert, with its "
        f"SQL and values, on the same tables and indexes: {us(rates.same_writes):.0f} µs "
        f"({rates.same_writes:,.0f}/s)\n"
        f"   powerflow, ordinary act (调查取证 ⇄ 法制审核): {us(rates.ordinary):.0f} µs "
        f"({rates.ordinary:,.0f}/s); ratio {ordinary:.2f} (target >= 0.5)\n"
        f"   powerflow, 补正 loop (a 特别程序 pause opened or ended every act): "
        f"{us(rates.supplement):.0f} µs ({rates.supplement:,.0f}/s); ratio {supplement:.2f}\n"
        f"   an ordinary act's whole SQL replayed with sqlite3 (its reads, and the completed stay "
        f"it also writes): {us(rates.replayed):.0f} µs; ratio {ceiling:.2f}, the most any engine "
        f"doing that can reach; the engine's own time {own:.0f} µs per act\n"
        f"   without fsync (synchronous=OFF): the act's SQL {us(rates.replayed_unsynced):.0f} µs, "
        f"powerflow {us(rates.ordinary_unsynced):.0f} µs: the engine's own time "
        f"{own_unsynced:.0f} µs per act (the same work runs slower just after each fsync)\n"
        f"   for comparison, one row update + one insert on two bare tables (no index, a 36-byte "
        f"payload): {us(rates.raw):.0f} µs; powerflow's ratio to it "
        f"{rates.ordinary / rates.raw:.2f}"
    )
    if ordinary >= 0.5:
        return True, None
    if ceiling < 0.5:
        return False, f"1 (unreachable here: the act's own SQL alone reaches {ceiling:.2f})"
    room = 2 * us(rates.same_writes) - us(rates.replayed)
    return False, f"1 (the engine's own {own:.0f} µs per act; the target leaves it {room:.0f} µs)"


def report_steps(comparisons: list[Comparison], rates: Rates, cases: int) -> list[str]:
    commit_ms, act_sql_ms = 1000 / rates.raw, 1000 / rates.replayed
    print(
        "2. per step across whole cases, both sides durable (synchronous=FULL, one transaction "
        "per step),\n   SpiffWorkflow storing its serialized workflow and reading it back "
        "before each step (as powerflow reads its case row):"
    )
    missed = []
    for c in comparisons:
        speedup = c.spiff_stateless.ms / c.powerflow.ms
        ceiling = c.spiff_stateless.ms / act_sql_ms
        print(
            f"   {c.name} ({c.powerflow.steps // cases} steps, Spiff's state up to "
            f"{c.spiff_stateless.largest_state / 1024:.0f} KiB): Spiff "
            f"{c.spiff_stateless.ms:.2f} ms, powerflow {c.powerflow.ms:.2f} ms; powerflow "
            f"{speedup:.1f}x faster (target >= 10x)\n"
            f"      the most any engine could be faster: {c.spiff_stateless.ms / commit_ms:.1f}x "
            f"with a step costing one raw durable commit ({commit_ms:.2f} ms), {ceiling:.1f}x "
            f"with an act's own SQL ({act_sql_ms:.2f} ms)\n"
            f"      Spiff keeping its workflow in memory between steps: "
            f"{c.spiff_in_memory.ms:.2f} ms ({c.spiff_in_memory.ms / c.powerflow.ms:.1f}x)\n"
            f"      both sides without fsync (synchronous=OFF): Spiff {c.spiff_unsynced.ms:.2f} "
            f"ms, powerflow {c.powerflow_unsynced.ms:.2f} ms "
            f"({c.spiff_unsynced.ms / c.powerflow_unsynced.ms:.1f}x)"
        )
        if speedup < 10:
            reachable = "unreachable" if ceiling < 10 else "reachable"
            missed.append(f"2 {c.name} ({reachable} with powerflow's rows: {ceiling:.1f}x)")
    return missed


def report_scale(folder: Path, large: int, samples: int) -> bool:
    url = f"sqlite:///{folder / 'scale.db'}"
    engine = _engine(url)
    fill_open_cases(engine, 1000)
    act_latency(engine, 50, seed=0)  # warm caches
    small = act_latency(engine, samples, seed=1)
    memory_small = rss_mib()
    _timed("fill", lambda: fill_open_cases(engine, large))
    large_latency = act_latency(engine, samples, seed=2)
    memory_large = rss_mib()
    store.dispose(url)
    growth = large_latency / small
    print(
        f"3. act latency: {small * 1000:.2f} ms with 1,000 open cases, "
        f"{large_latency * 1000:.2f} ms with {large:,}; ratio {growth:.2f} (target <= 1.5); "
        f"process memory {memory_small:.0f} MiB → {memory_large:.0f} MiB"
    )
    return growth <= 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acts", type=int, default=4000, help="timed acts per loop in 1")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds in 1")
    parser.add_argument("--cases", type=int, default=60, help="whole cases per side in 2")
    parser.add_argument("--large", type=int, default=100_000, help="open cases in 3")
    parser.add_argument("--samples", type=int, default=300, help="acts timed per size in 3")
    args = parser.parse_args()
    missed: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            rates = _timed("acts", lambda: act_rates(folder, args.acts, args.rounds))
            met, why = report_acts(rates)
            missed += [] if met else [why or "1"]
            if importlib.util.find_spec("SpiffWorkflow") is None:
                print("2. not measured: SpiffWorkflow is not installed (pip install -e .[bench])")
                missed.append("2 (not measured)")
            else:
                comparisons = _timed("spiff", lambda: compare_with_spiff(folder, args.cases))
                missed += report_steps(comparisons, rates, args.cases)
            if not report_scale(folder, args.large, args.samples):
                missed.append("3")
    except WrongAnswer as exc:
        print(f"wrong answer: {exc}")
        return 1
    print("all targets met" if not missed else "targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
