"""Benchmark: one monitor sweep over 1,000,000 open cases in SQLite, 1% of them due.

Run: .venv/bin/python bench/bench_monitor.py [--cases N] [--due-share F] [--naive-sample N]

Targets (printed, never asserted in tests):
- the sweep costs in proportion to the due items, not the open cases, and takes under 2 s;
- against a naive sweep that recomputes every case's deadlines day by day with
  ``chinese_calendar.is_workday`` (the way the anchor systems compute them), at least 100x faster.
  The naive sweep is measured on a sample of cases and scaled to all of them (said in the output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import chinese_calendar

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.engine import SHANGHAI, CaseEngine, overdue_from
from powerflow.monitor import load_policy, sweep
from powerflow.workdays import default_calendar

ROOT = Path(__file__).resolve().parent.parent
LICENCE = "33990100SJ-XK-0001"
SWEEP_AT = dt.datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)
UTC = dt.UTC


def _stored(moment: dt.datetime) -> str:
    """A timestamp as the store keeps it in SQLite (naive UTC text)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def fill(path: Path, cases: int, due_share: float, seed: int) -> tuple[CaseEngine, int]:
    """Create the database and insert open cases at 材料审查, ``due_share`` of them due."""
    url = f"sqlite:///{path}"
    db = store.connect(url)
    store.upgrade(db)
    engine = CaseEngine(db, default_calendar())
    (power,) = engine.register(
        check_catalog([ROOT / "definitions" / "food-business-licence.yaml"]).powers
    )
    calendar = engine.calendar
    rng = random.Random(seed)
    rows = []
    due_count = 0
    for case_id in range(1, cases + 1):
        is_due = rng.random() < due_share
        due_count += is_due
        entered = (
            dt.date(2025, 10, 20)
            if is_due
            else dt.date(2025, 10, 31) + dt.timedelta(days=rng.randint(0, 2))
        )
        entered_at = dt.datetime.combine(entered, dt.time(10), SHANGHAI)
        step_due = calendar.add(entered, 3, "workday").due
        legal_due = calendar.add(entered, 20, "workday").due
        promised_due = calendar.add(entered, 7, "workday").due
        check_at = (
            SWEEP_AT - dt.timedelta(hours=rng.randint(0, 72))
            if is_due
            else SWEEP_AT + dt.timedelta(hours=rng.randint(1, 400))
        )
        rows.append(
            (
                case_id, LICENCE, power.digest, "1.0", '{"materials_complete": true}', "review",
                "open", _stored(entered_at), entered.isoformat(), legal_due.isoformat(), 0,
                promised_due.isoformat(), 0, 0, _stored(entered_at), step_due.isoformat(),
                _stored(overdue_from(step_due)), 0, _stored(check_at), 0, 1, "0" * 64,
            )
        )
    store.dispose(url)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.executemany(
        "INSERT INTO cases (id, code, digest, version, facts, state, status, opened_at, "
        "clock_started_on, legal_due, legal_provisional, promised_due, promised_provisional, "
        "extended_by, step_entered_at, step_due, step_overdue_at, step_provisional, "
        "alert_check_at, lock_version, last_seq, last_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return CaseEngine(store.connect(url), default_calendar()), due_count


def naive_add(start: dt.date, workdays: int) -> dt.date:
    """The Nth working day after start, one day at a time, as chinesecalendar answers it."""
    day = start
    while workdays:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            workdays -= 1
    return day


def naive_sweep_seconds_per_case(path: Path, sample: int, seed: int) -> float:
    """Read cases and recompute their three deadlines and warning days day by day."""
    connection = sqlite3.connect(path)
    ids = random.Random(seed).sample(
        range(1, connection.execute("SELECT max(id) FROM cases").fetchone()[0] + 1), sample
    )
    today = SWEEP_AT.date()
    started = time.perf_counter()
    flagged = 0
    for case_id in ids:
        (entered_text, facts) = connection.execute(
            "SELECT step_entered_at, facts FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        json.loads(facts)
        entered = (
            (dt.datetime.fromisoformat(entered_text).replace(tzinfo=UTC))
            .astimezone(SHANGHAI)
            .date()
        )
        for limit in (3, 7, 20):
            due = naive_add(entered, limit)
            warn = naive_add(entered, max(0, int(limit * 0.8)))
            flagged += today > due or today >= warn
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed / sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--naive-sample", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "monitor.db"
        started = time.perf_counter()
        engine, due = fill(path, args.cases, args.due_share, args.seed)
        print(
            f"filled {args.cases:,} open cases ({due:,} due) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        policy = load_policy("default")
        result = sweep(engine, policy, SWEEP_AT)
        seconds = result.duration_ms / 1000
        second = sweep(engine, policy, SWEEP_AT)
        print(
            f"sweep: examined {result.examined:,} of {args.cases:,} open cases, raised "
            f"{len(result.alerts):,} alerts in {seconds:.2f} s (target < 2 s); an immediate second "
            f"sweep examined {second.examined:,} and raised {len(second.alerts)}"
        )
        per_case = naive_sweep_seconds_per_case(path, args.naive_sample, args.seed)
        naive = per_case * args.cases
        ratio = naive / seconds
        print(
            "naive day-by-day sweep (chinese_calendar.is_workday): "
            f"{per_case * 1e6:.0f} us per case "
            f"measured on {args.naive_sample:,} cases, scaled to {args.cases:,}: {naive:.0f} s; "
            f"powerflow {ratio:.0f}x faster (target >= 100x)"
        )
        store.dispose(f"sqlite:///{path}")
    ok = seconds < 2 and ratio >= 100 and result.examined <= due * 1.01 + 10
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
