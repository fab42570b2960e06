"""Publish the public catalog site (权力目录 and 权力运行流程图) from checked definitions.

The site is static and self-contained: ``index.html`` (the catalog with filters by category
and unit and a search box, plain inline JS), one page per power under ``powers/`` with the
chart inline as SVG plus PNG and PDF downloads under ``charts/``, and ``site.css``. Every link
is relative and nothing is fetched from the network, so it works from ``file://`` and on any
static host.

``manifest.json`` records, per code, the published digest, version and effective date, the
file it came from, and the history of published versions (appended whenever a new digest is
published; F-07 asks that published artefacts carry version and effective date). Publishing is
incremental: a power whose digest and generator fingerprint match the manifest, and whose
files are in place, is not rendered again. Only definitions whose checks report no error are
published; a power already on the site whose new revision has errors keeps its published page.
A code that is no longer among the definitions is withdrawn: its page and charts are removed
and the manifest keeps its history with ``withdrawn_at``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from powerflow import render
from powerflow.checks import CatalogReport, check_catalog
from powerflow.compiler import CompiledPower
from powerflow.definition import KNOWN_CATEGORIES, Definition, Initiation, definition_files
from powerflow.errors import PowerflowError
from powerflow.findings import Finding, Severity

__all__ = [
    "CHART_FORMATS",
    "MANIFEST",
    "PublishError",
    "PublishResult",
    "load_manifest",
    "publish_site",
    "site_generator",
]

MANIFEST = "manifest.json"
CHART_FORMATS: tuple[str, ...] = ("svg", "png", "pdf")
_MANIFEST_FORMAT = 1
_CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

Progress = Callable[[str, str], None]
"""Called once per definition file with its code (or file name, when it could not be loaded)
and what happened: rendered, unchanged or skipped."""


class PublishError(PowerflowError):
    """The site cannot be written (unreadable manifest, output folder not writable …)."""


@dataclass
class PublishResult:
    """What one publish run did."""

    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    skipped: dict[str, list[Finding]] = field(default_factory=dict)
    """Files not published because their checks report errors, with those error findings."""

    @property
    def ok(self) -> bool:
        return not self.skipped


# ---------------------------------------------------------------------------------------------
# Templates and the generator fingerprint


_PACKAGE = Path(__file__).resolve().parent


def _fingerprint(files: Iterable[Path]) -> str:
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()[:16]


def _package_files(*parts: str) -> list[Path]:
    folder = _PACKAGE.joinpath(*parts)
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
    )


@cache
def site_generator() -> str:
    """A fingerprint of what draws the site (templates, renderer, publisher).

    A page is re-rendered when its definition digest or this fingerprint changes.
    """
    return _fingerprint([*_package_files("templates"), Path(render.__file__), Path(__file__)])


@cache
def checker_fingerprint() -> str:
    """A fingerprint of the whole package (loader, compiler, checks and their data).

    A definition file whose bytes and this fingerprint are unchanged since it was published
    clean is still clean, with the same digest: it need not be parsed or checked again.
    """
    return _fingerprint(_package_files())


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("powerflow", "templates"),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["china_time"] = _china_time
    env.globals.update(
        right_text=render.right_text,
        checkpoint_text=render.checkpoint_text,
        limits_text=render.limits_text,
        channel_text=render.channel_text,
    )
    return env


def _china_time(value: str) -> str:
    """An ISO UTC timestamp shown in Asia/Shanghai, to the minute."""
    moment = dt.datetime.fromisoformat(value)
    return moment.astimezone(_CHINA).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------------
# The manifest


def load_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest of a published site (an empty one when the folder has none yet)."""
    path = out_dir / MANIFEST
    if not path.exists():
        return {"format": _MANIFEST_FORMAT, "powers": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path}: cannot read the site manifest: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != _MANIFEST_FORMAT:
        raise PublishError(
            f"{path}: not a powerflow site manifest (format {_MANIFEST_FORMAT} expected)"
        )
    data.setdefault("powers", {})
    return data


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically, and not at all when it already holds these bytes."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _catalog_row(definition: Definition) -> dict[str, Any]:
    legal, promised = render.limits_text(definition)
    return {
        "name": definition.name,
        "category": definition.category,
        "procedure": definition.procedure,
        "subject": definition.subject,
        "handling_unit": definition.handling_unit,
        "level": definition.level,
        "legal_limit": legal,
        "promised_limit": promised,
    }


def _paths(code: str) -> dict[str, str]:
    paths = {"page": f"powers/{code}.html"}
    paths.update({fmt: f"charts/{code}.{fmt}" for fmt in CHART_FORMATS})
    return paths


# ---------------------------------------------------------------------------------------------
# Publishing


def publish_site(
    paths: Iterable[Path],
    out_dir: Path,
    now: dt.datetime,
    progress: Progress | None = None,
) -> PublishResult:
    """Publish every definition under ``paths`` that checks without errors into ``out_dir``.

    Incremental: a file whose bytes are those of its published version (and the package is
    unchanged) is neither parsed nor checked nor rendered again; a changed file is checked,
    and rendered only when its digest changed. ``now`` (timezone-aware) stamps newly published
    versions in the manifest's history. ``progress`` hears of every definition file.
    """
    if now.tzinfo is None:
        raise ValueError("publish_site needs a timezone-aware now")
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    manifest = load_manifest(out_dir)
    entries: dict[str, dict[str, Any]] = manifest["powers"]
    generator, checker = site_generator(), checker_fingerprint()
    result = PublishResult()

    # Files unchanged since they were published clean need no parsing at all.
    published_from = {
        entry["source"]["file"]: entry
        for entry in entries.values()
        if "source" in entry and not entry.get("withdrawn_at")
    }
    kept: dict[str, dict[str, Any]] = {}  # file → entry
    sources: dict[str, dict[str, str]] = {}  # file → source record, for the files to check
    for file in definition_files(paths):
        name = str(file)
        try:
            sha = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            sha = ""  # the loader reports it with file and line
        source = {"file": name, "sha256": sha, "checker": checker}
        entry = published_from.get(name)
        if (
            entry is not None
            and entry["source"] == source
            and _is_current(entry, entry["digest"], generator, out_dir)
        ):
            kept[name] = entry
        else:
            sources[name] = source

    report = check_catalog([Path(name) for name in sources]) if sources else CatalogReport()
    kept_codes = {entry["code"]: name for name, entry in kept.items()}
    findings = list(report.findings)
    for power in report.powers:
        if power.code in kept_codes:
            findings.append(_duplicate_code(power, kept_codes[power.code]))
    for finding in findings:
        if finding.is_error:
            result.skipped.setdefault(finding.file, []).append(finding)

    for entry in sorted(kept.values(), key=lambda entry: entry["code"]):
        result.unchanged.append(entry["code"])
        if progress is not None:
            progress(entry["code"], "unchanged")
    for power in sorted(report.powers, key=lambda power: power.code):
        if power.file in result.skipped:
            if progress is not None:
                progress(power.code, "skipped")
            continue
        entry = entries.get(power.code)
        if entry is not None and _is_current(entry, power.digest, generator, out_dir):
            result.unchanged.append(power.code)
            status = "unchanged"
        else:
            entry = _publish_power(power, entry, out_dir, stamp, generator)
            entries[power.code] = entry
            result.rendered.append(power.code)
            status = "rendered"
        entry["source"] = sources[power.file]
        entry["file"] = power.file
        if progress is not None:
            progress(power.code, status)
    loaded = {power.file for power in report.powers}
    for name in sorted(set(sources) - loaded):
        if progress is not None:
            progress(name, "skipped")  # could not be loaded: no code to name it by

    published = set(kept_codes) | {
        power.code for power in report.powers if power.file not in result.skipped
    }
    for code, entry in sorted(entries.items()):
        if code in published or entry.get("withdrawn_at") or entry.get("file") in result.skipped:
            continue
        _withdraw(out_dir, entry, stamp)
        result.withdrawn.append(code)

    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    manifest_path = out_dir / MANIFEST
    if (
        result.rendered
        or result.withdrawn
        or not manifest_path.exists()
        or manifest_path.read_text(encoding="utf-8") != text
        or not (out_dir / "index.html").exists()
    ):
        # The index and stylesheet change only with the manifest (or a new generator, which
        # changes every entry); rendering them costs more than the rest of an unchanged run.
        out_dir.mkdir(parents=True, exist_ok=True)
        _write(out_dir / "site.css", _static("site.css"))
        _write(out_dir / "index.html", _render_index(entries).encode("utf-8"))
        _write(manifest_path, text.encode("utf-8"))
    return result


def _duplicate_code(power: CompiledPower, other: str) -> Finding:
    return Finding(
        power.file,
        power.source.line_of("code"),
        "code",
        "load.duplicate-code",
        Severity.ERROR,
        f"the code {power.code} is already used by {other}",
    )


def _is_current(entry: Mapping[str, Any], digest: str, generator: str, out_dir: Path) -> bool:
    """Whether the published files of an entry are those of ``digest`` drawn by ``generator``."""
    if entry.get("withdrawn_at"):
        return False
    if entry.get("digest") != digest or entry.get("generator") != generator:
        return False
    return all((out_dir / path).exists() for path in _paths(entry["code"]).values())


def _publish_power(
    power: CompiledPower,
    previous: Mapping[str, Any] | None,
    out_dir: Path,
    stamp: str,
    generator: str,
) -> dict[str, Any]:
    definition = power.definition
    paths = _paths(power.code)
    dot_source = render.build_dot(power)
    charts = {
        fmt: render.render_bytes(dot_source, fmt, definition.effective) for fmt in CHART_FORMATS
    }
    for fmt, data in charts.items():
        _write(out_dir / paths[fmt], data)

    history: list[dict[str, str]] = list(previous.get("history", [])) if previous else []
    if not history or history[-1]["digest"] != power.digest:
        history.append(
            {
                "digest": power.digest,
                "version": definition.version,
                "effective": definition.effective.isoformat(),
                "published_at": stamp,
            }
        )
    entry: dict[str, Any] = {
        "code": power.code,
        "digest": power.digest,
        "version": definition.version,
        "effective": definition.effective.isoformat(),
        "file": power.file,
        "generator": generator,
        "paths": paths,
        "catalog": _catalog_row(definition),
        "history": history,
    }
    page = (
        _environment()
        .get_template("power.html")
        .render(
            power=power,
            d=definition,
            entry=entry,
            svg=render.svg_fragment(charts["svg"]),
            root="../",
            on_application=definition.conditions.initiation is Initiation.ON_APPLICATION,
        )
    )
    _write(out_dir / paths["page"], page.encode("utf-8"))
    return entry


def _withdraw(out_dir: Path, entry: dict[str, Any], stamp: str) -> None:
    for path in _paths(entry["code"]).values():
        (out_dir / path).unlink(missing_ok=True)
    entry["withdrawn_at"] = stamp


def _category_order(categories: Iterable[str]) -> list[str]:
    rank = {name: index for index, name in enumerate(KNOWN_CATEGORIES)}
    return sorted(set(categories), key=lambda name: (rank.get(name, len(rank)), name))


def _render_index(entries: Mapping[str, Mapping[str, Any]]) -> str:
    current = [entries[code] for code in sorted(entries) if not entries[code].get("withdrawn_at")]
    withdrawn = [entries[code] for code in sorted(entries) if entries[code].get("withdrawn_at")]
    units: dict[str, set[str]] = {}
    for entry in current:
        catalog = entry["catalog"]
        units.setdefault(catalog["subject"], set()).add(catalog["handling_unit"])
    return (
        _environment()
        .get_template("index.html")
        .render(
            powers=current,
            withdrawn=withdrawn,
            categories=_category_order(entry["catalog"]["category"] for entry in current),
            units={subject: sorted(names) for subject, names in sorted(units.items())},
            root="",
        )
    )


def _static(name: str) -> bytes:
    return (_PACKAGE / "templates" / name).read_bytes()


# ---------------------------------------------------------------------------------------------
# Monthly results (执法结果公开)


def publish_results(month: str, powers: Iterable[Mapping[str, Any]], out_dir: Path) -> list[Path]:
    """Write a month's results page and its JSON into ``out_dir/results``; return the files.

    ``powers`` are plain per-power figures (code, name, category, subject, decisions,
    outcomes, on_time, on_time_rate) — counts only, never a party's name. The same figures
    give the same bytes, so republishing an unchanged month changes nothing.
    """
    rows = [dict(power) for power in powers]
    folder = out_dir / "results"
    page = _environment().get_template("results.html").render(root="../", month=month, powers=rows)
    html_path, json_path = folder / f"{month}.html", folder / f"{month}.json"
    _write(html_path, page.encode("utf-8"))
    document = {"month": month, "powers": rows}
    _write(json_path, json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"))
    if not (out_dir / "site.css").exists():
        _write(out_dir / "site.css", _static("site.css"))
    return [html_path, json_path]
