"""Several engine processes on one database: exactly one writer wins, nothing is lost or doubled,
and a worker killed mid-run leaves every case consistent with its chain intact."""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.engine import CaseEngine
from powerflow.workdays import default_calendar
from tests.conftest import DEFINITIONS, ROOT

LICENCE = "33990100SJ-XK-0001"
WORKERS = 4


def _prepare(url: str, cases: int) -> list[int]:
    db = store.connect(url)
    store.upgrade(db)
    engine = CaseEngine(db, default_calendar())
    engine.register(check_catalog([DEFINITIONS]).powers)
    engine.add_officer("wang", ["window"])
    at = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    ids = [
        engine.open_case(LICENCE, officer="wang", at=at, facts={"materials_complete": False}).id
        for _ in range(cases)
    ]
    store.dispose(url)
    return ids


def _worker(url: str, ids: list[int], count: int, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.hammer", url, ",".join(map(str, ids)), str(count), str(seed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _check_consistent(url: str, ids: list[int]) -> dict[int, int]:
    """Every case: chain verifies, one open step entry matching its state; return acted counts."""
    engine = CaseEngine(store.connect(url), default_calendar())
    assert engine.verify_chain() == []
    acted: dict[int, int] = {}
    for case_id in ids:
        view = engine.show(case_id)
        open_entries = [e for e in view.entries if e.left_at is None]
        assert [e.step for e in open_entries] == [view.case.state]
        acted_events = [e for e in view.events if e.kind == "acted"]
        assert len(view.entries) == len(acted_events) + 1
        if acted_events:
            assert acted_events[-1].payload["to"] == view.case.state
        assert view.case.lock_version == len(view.events) - 1
        acted[case_id] = len(acted_events)
    store.dispose(url)
    return acted


def test_four_processes_hammering_the_same_cases(database_url: str) -> None:
    ids = _prepare(database_url, cases=3)
    workers = [_worker(database_url, ids, count=40, seed=seed) for seed in range(WORKERS)]
    successes: collections.Counter[int] = collections.Counter()
    stale = 0
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        for line in out.splitlines():
            kind, case_id, *_ = line.split()
            if kind == "ok":
                successes[int(case_id)] += 1
            else:
                stale += 1
    assert sum(successes.values()) + stale == WORKERS * 40
    acted = _check_consistent(database_url, ids)
    assert acted == {case_id: successes[case_id] for case_id in ids}, "no act lost or doubled"


def test_killed_worker_leaves_every_case_consistent(database_url: str) -> None:
    ids = _prepare(database_url, cases=2)
    worker = _worker(database_url, ids, count=100000, seed=7)
    survivor = _worker(database_url, ids, count=30, seed=8)
    assert worker.stdout is not None
    successes = 0
    for line in worker.stdout:
        successes += line.startswith("ok")
        if successes >= 15:
            break
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=60)
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err
    acted = _check_consistent(database_url, ids)
    survivor_ok = sum(1 for line in out.splitlines() if line.startswith("ok"))
    assert sum(acted.values()) >= successes + survivor_ok


@pytest.mark.parametrize("kill_during", ["write"], ids=["sqlite-write-lock"])
def test_a_writer_killed_holding_the_sqlite_lock_does_not_block_others(
    sqlite_url: str, kill_during: str
) -> None:
    """SQLite releases the write lock of a killed process; the next writer proceeds."""
    ids = _prepare(sqlite_url, cases=1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
            "c.execute('BEGIN IMMEDIATE'); c.execute('UPDATE cases SET party = \"x\"');"
            "print('locked', flush=True); sys.stdin.read()",
            sqlite_url.removeprefix("sqlite:///"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.communicate(timeout=60)
    worker = _worker(sqlite_url, ids, count=5, seed=1)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert out.count("ok") == 5
    engine = CaseEngine(store.connect(sqlite_url), default_calendar())
    with engine.db.connect() as db:
        assert db.execute(sa.select(store.cases.c.party)).scalar() is None, (
            "the killed write is gone"
        )
    _check_consistent(sqlite_url, ids)
