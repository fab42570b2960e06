"""A worker process for the concurrency and crash tests: acts on shared cases as fast as it can.

Usage: python -m tests.hammer URL CASE[,CASE…] COUNT SEED

Cycles each case between 受理 and 补正 (request_supplement / resubmit) with the version it read,
and prints one line per outcome: ``ok CASE SEQ`` or ``stale CASE``. Exit 0 when done.
"""

from __future__ import annotations

import datetime as dt
import random
import sys

from powerflow import store
from powerflow.engine import CaseEngine
from powerflow.errors import StaleCase
from powerflow.workdays import default_calendar

NEXT_ACTION = {"intake": "request_supplement", "supplement": "resubmit"}


def main(url: str, case_ids: list[int], count: int, seed: int) -> None:
    engine = CaseEngine(store.connect(url), default_calendar())
    rng = random.Random(seed)
    at = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    for _ in range(count):
        case_id = rng.choice(case_ids)
        case = engine.get(case_id)
        try:
            after = engine.act(
                case_id,
                NEXT_ACTION[case.state],
                officers=["wang"],
                at=at,
                expected_version=case.lock_version,
            )
        except StaleCase:
            print(f"stale {case_id}", flush=True)
            continue
        view_seq = after.lock_version
        print(f"ok {case_id} {view_seq}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], [int(c) for c in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]))
