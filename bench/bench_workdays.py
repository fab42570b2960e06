"""Benchmark: WorkCalendar.add_workdays against a day-by-day loop over chinese_calendar.is_workday.

Run: .venv/bin/python bench/bench_workdays.py [--pairs N] [--seed S]

Both sides answer the same random (start date, N working days) pairs in one process; the script
exits 1 if any answer differs and prints the speed ratio (the target is at least 100x). Timing is
reported, never asserted. Starts lie from 2006-01-01: the shipped table deliberately differs from
chinesecalendar on 2005-12-31 (worked under the 2006 notice; see scripts/import-chinesecalendar).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta

import chinese_calendar

from powerflow.workdays import load_calendar

FIRST_START = date(2006, 1, 1)
LAST_START = date(2026, 9, 30)  # + 30 working days stays inside 2026, chinesecalendar's last year
MAX_N = 30


def reference_add(start: date, n: int) -> date:
    """The Nth working day after start, one day at a time, as chinesecalendar answers it."""
    day = start
    while n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20251104)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    span = (LAST_START - FIRST_START).days
    pairs = [
        (FIRST_START + timedelta(days=rng.randrange(span + 1)), rng.randint(0, MAX_N))
        for _ in range(args.pairs)
    ]

    began = time.perf_counter()
    calendar = load_calendar()
    load_seconds = time.perf_counter() - began

    began = time.perf_counter()
    ours = [calendar.add_workdays(start, n).due for start, n in pairs]
    our_seconds = time.perf_counter() - began

    began = time.perf_counter()
    theirs = [reference_add(start, n) for start, n in pairs]
    their_seconds = time.perf_counter() - began

    differ = [(p, a, b) for p, a, b in zip(pairs, ours, theirs, strict=True) if a != b]
    inconsistent = sum(
        calendar.between(start, due) != n for (start, n), due in zip(pairs, ours, strict=True)
    )
    if differ or inconsistent:
        for (start, n), a, b in differ[:10]:
            print(f"DIFFER {start} + {n}: workdays {a}, chinesecalendar {b}", file=sys.stderr)
        print(
            f"workdays.add: {len(differ)} of {len(pairs)} answers differ; "
            f"{inconsistent} between() inconsistencies",
            file=sys.stderr,
        )
        return 1

    ratio = their_seconds / our_seconds
    per_ours, per_theirs = our_seconds * 1e6 / len(pairs), their_seconds * 1e6 / len(pairs)
    print(
        f"workdays.add: {len(pairs)} pairs, identical answers; speedup {ratio:.0f}x over "
        f"chinesecalendar day-by-day ({per_ours:.2f} us vs {per_theirs:.1f} us per pair; "
        f"calendar load {load_seconds * 1e3:.0f} ms)"
    )
    if ratio < 100:
        print(f"note: below the 100x target ({ratio:.0f}x)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
