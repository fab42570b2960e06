"""Publish the county's 权力目录 and 权力运行流程图 as a static site, through the public API.

Every shipped definition that passes the legal office's checks gets a page with its chart (SVG
inline, PNG and PDF to download); ``index.html`` lists them with filters and a search box and
works from ``file://``. Publishing again into the same folder renders only what changed.

    .venv/bin/python examples/publish_catalog.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

from yunxi import DEFINITIONS

from powerflow.checks import check_catalog
from powerflow.publish import load_manifest, publish_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="output folder (default: a new temporary folder)")
    given = parser.parse_args().out
    out = Path(given) if given else Path(tempfile.mkdtemp(prefix="powerflow-site-"))

    report = check_catalog([DEFINITIONS])
    result = publish_site([DEFINITIONS], out, dt.datetime.now(dt.UTC))
    for code, findings in result.skipped.items():
        print(f"skipped {code}: {len(findings)} error(s)")
    catalog = load_manifest(out)["powers"]
    print(f"{len(catalog)} powers published into {out}")
    for category, count in sorted(Counter(p.definition.category for p in report.powers).items()):
        print(f"  {category}: {count}")
    for power in sorted(report.powers, key=lambda power: power.code):
        definition = power.definition
        status = "rendered" if power.code in result.rendered else "unchanged"
        limit = catalog[power.code]["catalog"]["legal_limit"]
        print(f"  {power.code}  {definition.category}  {definition.name}  ({status}; {limit})")
    print(f"open {out / 'index.html'}")


if __name__ == "__main__":
    main()
