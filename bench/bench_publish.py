"""Benchmark: publishing the catalog a second time, nothing changed, against the first time.

Run: .venv/bin/python bench/bench_publish.py [DEFINITIONS]

One process, one run of each, into a fresh temporary folder; each run is ``publish_site``, what
``powerflow publish`` calls. The first run loads, compiles and checks every definition and
renders every chart (SVG, PNG, PDF) and page; the second finds every file's bytes and digest in
the manifest and must render nothing. The compiler's cache and the publisher's fingerprints
are emptied before each run, as a new process would start. The script exits 1 if the second
run rendered anything or changed any file, and prints the speed ratio (the target is at least
20x). Timing is reported, never asserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import tempfile
import time
from pathlib import Path

from powerflow import compiler, publish
from powerflow.publish import PublishResult, publish_site

TARGET = 20.0


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the site with its content hash."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def publish_once(definitions: Path, out: Path, now: dt.datetime) -> tuple[float, PublishResult]:
    # Start as a fresh ``powerflow publish`` process would: nothing compiled, nothing hashed.
    compiler._cache.clear()
    publish.checker_fingerprint.cache_clear()
    publish.site_generator.cache_clear()
    began = time.perf_counter()
    result = publish_site([definitions], out, now)
    return time.perf_counter() - began, result


def main() -> int:
    definitions = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("definitions")
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory(prefix="powerflow-bench-") as temporary:
        out = Path(temporary) / "site"
        first_seconds, first = publish_once(definitions, out, now)
        before = snapshot(out)
        second_seconds, second = publish_once(definitions, out, now + dt.timedelta(days=1))
        after = snapshot(out)

    print(
        f"definitions: {definitions} "
        f"({len(first.rendered)} published, {len(first.skipped)} skipped)"
    )
    print(f"first publish:  {first_seconds * 1000:9.1f} ms  ({len(first.rendered)} rendered)")
    print(
        f"second publish: {second_seconds * 1000:9.1f} ms  "
        f"({len(second.rendered)} rendered, {len(second.unchanged)} unchanged)"
    )
    ratio = first_seconds / second_seconds
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"ratio: {ratio:.1f}x faster the second time ({verdict} the {TARGET:.0f}x target)")
    if not first.rendered:
        print("error: the first run published nothing", file=sys.stderr)
        return 1
    if second.rendered or after != before:
        print("error: the second run rendered or changed files", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
