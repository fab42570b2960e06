"""What the examples share: the fictional 云溪县's engine on a database, its staff, and printing.

Every example opens the engine the same way through the public API — ``store.connect`` and
``store.upgrade`` for the database, ``check_catalog`` for the shipped definitions,
``CaseEngine(db, default_calendar())``, ``register`` and ``add_officer`` — so the setup lives here
once. Run an example with a database URL (``sqlite:///cases.db``, ``postgresql+psycopg://…``) or
a file path to keep its cases; without one it uses a SQLite file in a new temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.engine import SHANGHAI, Case, CaseEngine, PenaltyDecision
from powerflow.workdays import default_calendar

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"

# (officer, posts, qualifications). Post ids repeat across definitions: one officer serves all.
STAFF: list[tuple[str, list[str], list[str]]] = [
    ("王窗口", ["window", "registrar", "township_window", "planner"], []),
    (
        "李审查",
        ["reviewer", "searcher", "traffic_reviewer", "section_chief", "mediator", "township_head"],
        ["执法证"],
    ),
    (
        "赵执法",
        ["inspector", "investigator", "officer", "case_officer", "township_investigator"],
        ["执法证"],
    ),
    (
        "钱执法",
        ["inspector", "investigator", "officer", "case_officer", "township_investigator"],
        ["执法证"],
    ),
    ("周主持", ["hearing_host"], ["法律职业资格", "执法证"]),
    ("吴法制", ["legal_reviewer"], ["法律职业资格"]),
    (
        "孙局长",
        ["director", "bureau_meeting", "traffic_head", "office_head", "squad_leader"],
        ["执法证"],
    ),
    ("陈出纳", ["finance", "custodian"], []),
]


def database_url(description: str) -> str:
    """The database URL from the command line, or a SQLite file in a new temporary folder."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "database",
        nargs="?",
        help="database URL or SQLite file path (default: a SQLite file in a new temporary folder)",
    )
    given = parser.parse_args().database
    if given is None:
        given = str(Path(tempfile.mkdtemp(prefix="powerflow-example-")) / "powerflow.db")
    url = given if "://" in given else f"sqlite:///{Path(given).resolve()}"
    print(f"database: {url}")
    return url


def county_engine(url: str) -> CaseEngine:
    """The engine on ``url`` with the shipped definitions registered and the staff on the roster."""
    db = store.connect(url)
    store.upgrade(db)
    engine = CaseEngine(db, default_calendar())
    report = check_catalog([DEFINITIONS])
    if report.has_errors:
        raise SystemExit("the shipped definitions do not pass `powerflow check`")
    engine.register(report.powers)
    for officer, posts, qualifications in STAFF:
        engine.add_officer(officer, posts, qualifications)
    return engine


def at(text: str) -> dt.datetime:
    """A moment in Asia/Shanghai from 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def show_step(engine: CaseEngine, case: Case, when: dt.datetime, what: str) -> None:
    """One line: when, what was done, the step the case is in now and its limits."""
    power = engine.power(case.digest)
    step = power.step(case.state)
    limits = [f"本环节至 {case.step_due}" if case.step_due else None]
    if case.legal_due is not None:
        limits.append(f"法定时限至 {case.legal_due}")
    if case.promised_due is not None:
        limits.append(f"承诺时限至 {case.promised_due}")
    if case.paused_since is not None:
        limits.append(f"计时暂停（{step.pause.reason if step.pause else '中止'}）")
    shown = "；".join(item for item in limits if item)
    print(f"  {when:%Y-%m-%d %H:%M}  {what} → {step.name}  [{shown}]")


def act(
    engine: CaseEngine,
    case: Case,
    action: str,
    officers: list[str],
    time: str,
    decision: PenaltyDecision | None = None,
    **facts: object,
) -> Case:
    """Perform an action at ``time`` (Asia/Shanghai) and print the step the case entered."""
    when, name = at(time), action_name(engine, case, action)
    case = engine.act(
        case.id, action, officers=officers, at=when, facts=facts or None, decision=decision
    )
    show_step(engine, case, when, name)
    return case


def action_name(engine: CaseEngine, case: Case, action: str) -> str:
    """The chart's name of an action offered at the case's current step (受理, 准予许可 …)."""
    exit_ = engine.power(case.digest).exit(case.state, action)
    return exit_.action.name if exit_ is not None else action


def show_record(engine: CaseEngine, case_id: int) -> None:
    """The case's outcome, the steps it went through and whether its record is intact."""
    view = engine.show(case_id)
    case = view.case
    print(f"outcome: {case.outcome or '—'}  status: {case.status}")
    power = engine.power(case.digest)
    print("steps: " + " → ".join(power.step(entry.step).name for entry in view.entries))
    problems = engine.verify_chain(case_id)
    print(
        f"record: {len(view.events)} events, hash chain " + ("intact" if not problems else "BROKEN")
    )
