"""The catalog site: pages, fields, manifest and history, incremental runs, errors, safety, CLI.

Also checks that the committed site in rendering/ was published from the current definitions.
To refresh it: ``.venv/bin/powerflow publish definitions -o rendering``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from powerflow import publish
from powerflow.checks import check_catalog
from powerflow.cli import main
from powerflow.compiler import CompiledPower
from powerflow.publish import MANIFEST, PublishError, load_manifest, publish_site
from powerflow.render import channel_text, checkpoint_text, right_text
from tests.conftest import DATA, DEFINITIONS, ROOT, shipped_definition_files
from tests.test_render import HOSTILE, hostile_definition

NOW = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2025, 4, 1, 2, 0, tzinfo=dt.UTC)
RENDERING = ROOT / "rendering"
SHIPPED = len(shipped_definition_files())


class Page(HTMLParser):
    """Collects what the tests look at in a page: links, scripts, metas and the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.metas: dict[str, str] = {}
        self.text: list[str] = []
        self.svgs = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("href", "src", "xlink:href"):
            if values.get(key):
                self.links.append(str(values[key]))
        if tag == "script":
            self.scripts.append(values)
        if tag == "meta" and values.get("name"):
            self.metas[str(values["name"])] = str(values.get("content"))
        if tag == "svg":
            self.svgs += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", "", "".join(self.text))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CompiledPower]]:
    out = tmp_path_factory.mktemp("site")
    report = check_catalog([DEFINITIONS])
    result = publish_site([DEFINITIONS], out, NOW)
    assert result.ok and len(result.rendered) == SHIPPED
    return out, report.powers


def page_of(out: Path, code: str) -> tuple[str, Page]:
    text = (out / "powers" / f"{code}.html").read_text(encoding="utf-8")
    return text, Page(text)


# ---------------------------------------------------------------------------------------------
# The site's shape


def test_site_files(site: tuple[Path, list[CompiledPower]]) -> None:
    out, powers = site
    assert (out / "index.html").is_file() and (out / "site.css").is_file()
    for power in powers:
        assert (out / "powers" / f"{power.code}.html").is_file()
        for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
            data = (out / "charts" / f"{power.code}.{fmt}").read_bytes()
            assert data.startswith(magic)
            assert len(data) < 600_000, f"{power.code}.{fmt} is {len(data)} bytes"


def test_manifest_records_digest_version_effective_and_history(
    site: tuple[Path, list[CompiledPower]],
) -> None:
    out, powers = site
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["powers"]) == sorted(power.code for power in powers)
    for power in powers:
        entry = manifest["powers"][power.code]
        assert entry["digest"] == power.digest
        assert entry["version"] == power.definition.version
        assert entry["effective"] == power.definition.effective.isoformat()
        assert entry["history"] == [
            {
                "digest": power.digest,
                "version": power.definition.version,
                "effective": power.definition.effective.isoformat(),
                "published_at": "2025-03-03T02:00:00+00:00",
            }
        ]


def test_links_are_relative_and_resolve(site: tuple[Path, list[CompiledPower]]) -> None:
    out, _ = site
    for html_file in sorted(out.rglob("*.html")):
        page = Page(html_file.read_text(encoding="utf-8"))
        assert page.links, html_file
        for link in page.links:
            assert not re.match(r"^(?:[a-z]+:|//|/)", link), f"{html_file}: {link} is not relative"
            target = link.split("#", 1)[0]
            if target:
                assert (html_file.parent / target).resolve().is_file(), f"{html_file}: {link}"


def test_no_external_resources(site: tuple[Path, list[CompiledPower]]) -> None:
    out, _ = site
    for path in sorted(out.rglob("*")):
        if path.suffix in (".html", ".css", ".svg"):
            text = path.read_text(encoding="utf-8")
            # The SVG namespace URIs are names, not fetches; nothing else may point off-site.
            text = text.replace("http://www.w3.org/2000/svg", "").replace(
                "http://www.w3.org/1999/xlink", ""
            )
            assert not re.search(r"https?://|@import|url\(", text), path


def test_index_lists_every_power_with_filters(site: tuple[Path, list[CompiledPower]]) -> None:
    out, powers = site
    text = (out / "index.html").read_text(encoding="utf-8")
    page = Page(text)
    for power in powers:
        assert f"powers/{power.code}.html" in page.links
        assert power.definition.name in page.plain
    assert 'id="q"' in text and 'id="category"' in text and 'id="unit"' in text
    for category in ("行政处罚", "行政强制", "行政许可"):
        assert f'<option value="{category}">' in text
    assert '<optgroup label="云溪县市场监督管理局">' in text
    assert len(page.scripts) == 1 and "src" not in page.scripts[0]  # one inline script


def test_power_page_carries_every_catalog_field(site: tuple[Path, list[CompiledPower]]) -> None:
    out, powers = site
    for power in powers:
        d = power.definition
        text, page = page_of(out, power.code)
        plain = page.plain
        assert page.metas["powerflow-digest"] == power.digest
        assert page.svgs == 1, "the chart is inline SVG"
        for fmt in ("png", "pdf"):
            assert f"../charts/{power.code}.{fmt}" in page.links
        values = [
            d.code,
            d.name,
            d.category,
            d.subject,
            d.handling_unit,
            d.version,
            d.effective.isoformat(),
            d.contact.phone,
            d.disclosure.content,
            d.disclosure.scope,
            d.disclosure.form,
            d.disclosure.time_limit,
            d.conditions.description,
            d.limits.legal.label(),
        ]
        values += [v for v in (d.procedure, d.level, d.contact.address, d.contact.hours) if v]
        values += [v for v in (d.contact.website, d.fees.standard) if v]
        values += [c.label() for c in (*d.basis, *d.conditions.basis, *d.fees.basis)]
        values += [c.text for c in (*d.basis, *d.fees.basis) if c.text]
        values += list(d.conditions.materials)
        values += [p.name for p in d.posts] + [p.unit for p in d.posts]
        values += [s.name for s in d.steps] + [s.limit.label() for s in d.steps]
        values += [right_text(r) for s in d.steps for r in s.rights]
        values += [checkpoint_text(d, c) for s in d.steps for c in s.checkpoints]
        values += [channel_text(c) for c in d.supervision.external]
        values += [b.name for b in d.supervision.internal]
        if d.limits.promised is not None:
            values.append(d.limits.promised.label())
        if d.limits.extension is not None:
            values.append(d.limits.extension.max.label())
        for value in values:
            assert squash(value) in plain, f"{power.code}: {value} missing from the page"
        assert "不收费" in plain or "收费" in plain
        assert "版本与变更记录" in plain and power.digest[:12] in plain
        assert (
            "依申请" if d.conditions.initiation.value == "on_application" else "依职权"
        ) in plain
        for step in d.steps:
            if step.pause is not None:
                assert squash(f"特别程序（{step.pause.reason}）：不计入办理时限") in plain
        assert "<script" not in text  # a power page runs no script at all


# ---------------------------------------------------------------------------------------------
# Incremental publishing and history


def copy_definitions(tmp_path: Path) -> Path:
    folder = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, folder)
    return folder


def test_second_run_renders_nothing_and_touches_no_file(tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = check_catalog([DEFINITIONS])
    publish_site([DEFINITIONS], out, NOW)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    seen: list[tuple[str, str]] = []
    result = publish_site([DEFINITIONS], out, LATER, progress=lambda *a: seen.append(a))
    assert result.rendered == [] and sorted(result.unchanged) == sorted(
        p.code for p in report.powers
    )
    assert sorted(seen) == sorted((p.code, "unchanged") for p in report.powers)
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_changed_definition_is_rerendered_and_its_history_grows(tmp_path: Path) -> None:
    folder = copy_definitions(tmp_path)
    out = tmp_path / "site"
    publish_site([folder], out, NOW)
    licence = folder / "food-business-licence.yaml"
    text = licence.read_text(encoding="utf-8")
    text = text.replace('version: "1.0"', 'version: "1.1"').replace(
        "effective: 2025-01-01", "effective: 2025-05-01"
    )
    licence.write_text(text.replace("承诺时限", "承诺时限", 1), encoding="utf-8")
    untouched = (out / "charts" / "33990100SJ-CF-0001.png").stat().st_mtime_ns
    result = publish_site([folder], out, LATER)
    assert result.rendered == ["33990100SJ-XK-0001"]
    assert len(result.unchanged) == SHIPPED - 1
    assert {"33990100SJ-CF-0001", "33990100SJ-QZ-0001"} <= set(result.unchanged)
    assert (out / "charts" / "33990100SJ-CF-0001.png").stat().st_mtime_ns == untouched
    entry = load_manifest(out)["powers"]["33990100SJ-XK-0001"]
    assert [h["version"] for h in entry["history"]] == ["1.0", "1.1"]
    assert [h["published_at"] for h in entry["history"]] == [
        "2025-03-03T02:00:00+00:00",
        "2025-04-01T02:00:00+00:00",
    ]
    assert entry["version"] == "1.1" and entry["effective"] == "2025-05-01"
    _, page = page_of(out, "33990100SJ-XK-0001")
    plain = page.plain
    assert "1.1（现行）" in plain and "2025-05-01" in plain and "2025-03-0310:00" in plain
    assert "1.0" in plain and "2025-04-0110:00" in plain  # both versions, Beijing time
    assert page.metas["powerflow-digest"] == entry["digest"]


def test_a_missing_chart_is_rendered_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish_site([DEFINITIONS], out, NOW)
    (out / "charts" / "33990100SJ-QZ-0001.pdf").unlink()
    result = publish_site([DEFINITIONS], out, LATER)
    assert result.rendered == ["33990100SJ-QZ-0001"]
    assert (out / "charts" / "33990100SJ-QZ-0001.pdf").exists()
    history = load_manifest(out)["powers"]["33990100SJ-QZ-0001"]["history"]
    assert len(history) == 1  # same digest: no new version in the history


def spy_on_checks(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    """Record the files every check_catalog call of the publisher is given."""
    checked: list[list[Path]] = []
    real = check_catalog

    def spy(paths: list[Path]) -> Any:
        checked.append(list(paths))
        return real(paths)

    monkeypatch.setattr(publish, "check_catalog", spy)
    return checked


def test_unchanged_files_are_not_even_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_definitions(tmp_path)
    out = tmp_path / "site"
    publish_site([folder], out, NOW)
    checked = spy_on_checks(monkeypatch)
    publish_site([folder], out, LATER)
    assert checked == []
    penalty = folder / "food-unlicensed-penalty.yaml"
    penalty.write_text(penalty.read_text(encoding="utf-8") + "\n# a comment only\n", "utf-8")
    result = publish_site([folder], out, LATER)
    assert checked == [[penalty]]
    # The bytes changed but the digest did not: checked again, not rendered again.
    assert result.rendered == [] and "33990100SJ-CF-0001" in result.unchanged
    entry = load_manifest(out)["powers"]["33990100SJ-CF-0001"]
    assert len(entry["history"]) == 1
    publish_site([folder], out, LATER)
    assert len(checked) == 1  # the new bytes are remembered


def test_a_changed_package_rechecks_every_file_without_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    publish_site([DEFINITIONS], out, NOW)
    monkeypatch.setattr(publish, "checker_fingerprint", lambda: "new-rules")
    checked = spy_on_checks(monkeypatch)
    result = publish_site([DEFINITIONS], out, LATER)
    assert len(checked) == 1 and len(checked[0]) == SHIPPED
    assert result.rendered == [] and len(result.unchanged) == SHIPPED


def test_a_changed_generator_renders_again_without_a_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    publish_site([DEFINITIONS], out, NOW)
    monkeypatch.setattr(publish, "site_generator", lambda: "new-templates")
    result = publish_site([DEFINITIONS], out, LATER)
    assert len(result.rendered) == SHIPPED
    for entry in load_manifest(out)["powers"].values():
        assert entry["generator"] == "new-templates" and len(entry["history"]) == 1


def test_a_new_file_reusing_a_published_code_is_refused(tmp_path: Path) -> None:
    folder = copy_definitions(tmp_path)
    out = tmp_path / "site"
    publish_site([folder], out, NOW)
    twin = folder / "zz-twin.yaml"
    twin.write_text(
        (folder / "food-seizure.yaml").read_text(encoding="utf-8").replace("扣押", "扣留"), "utf-8"
    )
    result = publish_site([folder], out, LATER)
    (finding,) = result.skipped[str(twin)]
    assert finding.rule == "load.duplicate-code" and "food-seizure.yaml" in finding.message
    assert load_manifest(out)["powers"]["33990100SJ-QZ-0001"]["file"].endswith("food-seizure.yaml")


def test_a_removed_definition_is_withdrawn(tmp_path: Path) -> None:
    folder = copy_definitions(tmp_path)
    out = tmp_path / "site"
    publish_site([folder], out, NOW)
    (folder / "food-seizure.yaml").unlink()
    result = publish_site([folder], out, LATER)
    assert result.withdrawn == ["33990100SJ-QZ-0001"]
    assert not (out / "powers" / "33990100SJ-QZ-0001.html").exists()
    assert not list((out / "charts").glob("33990100SJ-QZ-0001.*"))
    entry = load_manifest(out)["powers"]["33990100SJ-QZ-0001"]
    assert entry["withdrawn_at"] == "2025-04-01T02:00:00+00:00" and len(entry["history"]) == 1
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert "powers/33990100SJ-QZ-0001.html" not in index.links
    assert "已停止公布的事项" in index.plain
    # Publishing it again brings it back with its history.
    shutil.copy(DEFINITIONS / "food-seizure.yaml", folder)
    result = publish_site([folder], out, LATER)
    assert result.rendered == ["33990100SJ-QZ-0001"]
    assert "withdrawn_at" not in load_manifest(out)["powers"]["33990100SJ-QZ-0001"]


# ---------------------------------------------------------------------------------------------
# Definitions with errors are not published


def test_definitions_with_errors_are_skipped_and_reported(tmp_path: Path) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    shutil.copy(DEFINITIONS / "food-seizure.yaml", folder)
    shutil.copy(DATA / "invalid" / "unknown-post.yaml", folder)  # a load error
    shutil.copy(DATA / "invalid" / "no-rights.yaml", folder)  # a check error
    out = tmp_path / "site"
    result = publish_site([folder], out, NOW)
    assert not result.ok
    assert sorted(Path(f).name for f in result.skipped) == ["no-rights.yaml", "unknown-post.yaml"]
    assert result.rendered == ["33990100SJ-QZ-0001"]
    assert sorted(load_manifest(out)["powers"]) == ["33990100SJ-QZ-0001"]


def test_a_published_power_whose_revision_has_errors_stays_published(tmp_path: Path) -> None:
    folder = copy_definitions(tmp_path)
    out = tmp_path / "site"
    publish_site([folder], out, NOW)
    seizure = folder / "food-seizure.yaml"
    seizure.write_text(
        seizure.read_text(encoding="utf-8").replace("post: officer", "post: oficer", 1),
        encoding="utf-8",
    )
    result = publish_site([folder], out, LATER)
    assert str(seizure) in result.skipped and result.withdrawn == []
    assert (out / "powers" / "33990100SJ-QZ-0001.html").exists()
    assert "withdrawn_at" not in load_manifest(out)["powers"]["33990100SJ-QZ-0001"]


def test_cli_publish_reports_errors_with_file_and_line_and_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "definitions"
    folder.mkdir()
    shutil.copy(DEFINITIONS / "food-seizure.yaml", folder)
    shutil.copy(DATA / "invalid" / "unknown-post.yaml", folder)
    out = tmp_path / "site"
    result = runner.invoke(main, ["publish", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    bad = folder / "unknown-post.yaml"
    assert f"{bad}:49: steps.decide.post: load.unknown-post error" in result.stderr
    assert f"{bad}: not published (1 error(s))" in result.stderr
    assert "1 rendered, 0 unchanged, 0 withdrawn, 1 skipped" in result.stderr
    assert (out / "powers" / "33990100SJ-QZ-0001.html").exists()


def test_cli_publish_defaults_to_the_definitions_folder_and_shows_progress(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = runner.invoke(main, ["--definitions", str(DEFINITIONS), "publish", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "publishing" in result.stderr
    assert f"{SHIPPED} rendered, 0 unchanged" in result.stderr
    again = runner.invoke(main, ["--definitions", str(DEFINITIONS), "publish", "-o", str(out)])
    assert again.exit_code == 0 and f"0 rendered, {SHIPPED} unchanged" in again.stderr


def test_cli_publish_needs_an_output_folder(runner: CliRunner) -> None:
    result = runner.invoke(main, ["publish", str(DEFINITIONS)])
    assert result.exit_code == 2 and "-o" in result.output


def test_cli_publish_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["publish", "--help"])
    assert result.exit_code == 0 and "[DEFINITIONS]" in result.output


def test_an_unreadable_manifest_is_an_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(PublishError, match="cannot read the site manifest"):
        publish_site([DEFINITIONS], tmp_path, NOW)


def test_now_must_be_aware(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        publish_site([DEFINITIONS], tmp_path, dt.datetime(2025, 1, 1))


# ---------------------------------------------------------------------------------------------
# Hostile text is escaped in the pages


def test_hostile_text_is_escaped_in_html(tmp_path: Path) -> None:
    path = hostile_definition(tmp_path)
    report = check_catalog([path])
    out = tmp_path / "site"
    result = publish_site([path], out, NOW)
    assert result.ok, result.skipped
    (power,) = report.powers
    for html_file in (out / "index.html", out / "powers" / f"{power.code}.html"):
        text = html_file.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        page = Page(text)
        assert len(page.scripts) == (1 if html_file.name == "index.html" else 0)
        assert squash(HOSTILE) in page.plain  # the text reads as written
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert all(not link.startswith("javascript:") for link in index.links)


# ---------------------------------------------------------------------------------------------
# The committed site


def test_rendering_folder_is_fresh() -> None:
    """rendering/ must be republished when a definition changes (compare digests, not images)."""
    report = check_catalog([DEFINITIONS])
    current = {power.code: power.digest for power in report.powers}
    manifest = load_manifest(RENDERING)
    published = {
        code: entry["digest"]
        for code, entry in manifest["powers"].items()
        if not entry.get("withdrawn_at")
    }
    hint = "rendering/ is stale: run `.venv/bin/powerflow publish definitions -o rendering`"
    assert published == current, hint
    for code, digest in current.items():
        page = Page((RENDERING / "powers" / f"{code}.html").read_text(encoding="utf-8"))
        assert page.metas["powerflow-digest"] == digest, hint
        for fmt in ("svg", "png", "pdf"):
            assert (RENDERING / "charts" / f"{code}.{fmt}").is_file(), hint
