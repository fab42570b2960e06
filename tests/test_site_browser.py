"""The published site in a real browser: Debian's headless Chromium driven by Playwright, file://.

Playwright's own browser download is not used (``playwright install`` is never run): the test
launches /usr/bin/chromium (Debian package ``chromium``, installed by ``scripts/setup --test``)
through ``executable_path``. Set POWERFLOW_CHROMIUM to use another binary.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from powerflow.publish import publish_site
from tests.conftest import DEFINITIONS

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")

CHROMIUM = os.environ.get("POWERFLOW_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"{CHROMIUM} not found: scripts/setup --test installs Debian's chromium",
)


# A fixed set of shipped definitions: what a search finds must not move as the catalog grows.
FOOD = ("food-business-licence.yaml", "food-seizure.yaml", "food-unlicensed-penalty.yaml")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = publish_site([DEFINITIONS / name for name in FOOD], out, dt.datetime.now(dt.UTC))
    assert result.ok, result.skipped
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=FLAGS, headless=True
        )
        yield context
        context.close()


class Watched:
    """A page with every console error, page error and failed or off-site request recorded."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda msg: (
                self.problems.append(f"console {msg.type}: {msg.text}")
                if msg.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("requestfailed", lambda req: self.problems.append(f"failed: {req.url}"))
        self.page.on(
            "request",
            lambda req: (
                None
                if req.url.startswith(("file://", "data:"))
                else self.problems.append(f"off-site request: {req.url}")
            ),
        )

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    page.close()


def visible_rows(page: Any) -> list[str]:
    rows = page.locator("#catalog tr.power:visible td.code")
    return sorted(rows.all_inner_texts())


def test_index_search_and_filters_narrow_the_list(site: Path, watched: Watched) -> None:
    page = watched.page
    page.goto((site / "index.html").as_uri())
    everything = ["33990100SJ-CF-0001", "33990100SJ-QZ-0001", "33990100SJ-XK-0001"]
    assert visible_rows(page) == everything
    assert page.locator("#count").inner_text() == "显示 3 / 3 项"

    page.fill("#q", "许可")  # in the licence's name and in the penalty's name
    assert visible_rows(page) == ["33990100SJ-CF-0001", "33990100SJ-XK-0001"]
    page.fill("#q", "查封")
    assert visible_rows(page) == ["33990100SJ-QZ-0001"]
    assert page.locator("#count").inner_text() == "显示 1 / 3 项"
    page.fill("#q", "sj-xk")  # codes match case-insensitively
    assert visible_rows(page) == ["33990100SJ-XK-0001"]
    page.fill("#q", "没有这个事项")
    assert visible_rows(page) == []
    assert page.locator("#empty").is_visible()

    page.fill("#q", "")
    page.select_option("#category", "行政处罚")
    assert visible_rows(page) == ["33990100SJ-CF-0001"]
    page.select_option("#category", "")
    page.select_option("#unit", "云溪县市场监督管理局｜执法稽查大队")
    assert visible_rows(page) == ["33990100SJ-CF-0001", "33990100SJ-QZ-0001"]
    page.select_option("#category", "行政许可")
    assert visible_rows(page) == []
    page.select_option("#unit", "")
    assert visible_rows(page) == ["33990100SJ-XK-0001"]
    assert watched.problems == []


def test_power_page_shows_the_chart(site: Path, watched: Watched) -> None:
    page = watched.page
    page.goto((site / "index.html").as_uri())
    page.click("text=食品经营许可（新办）")
    page.wait_for_load_state()
    assert page.url.endswith("/powers/33990100SJ-XK-0001.html")
    svg = page.locator("figure.chart svg")
    assert svg.count() == 1
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 400
    assert "不计入办理时限" in (svg.text_content() or "")
    assert page.locator("h1").inner_text() == "食品经营许可（新办）"
    css_applied = page.evaluate("getComputedStyle(document.querySelector('figure.chart')).overflow")
    assert css_applied == "auto"  # site.css loaded from the relative path
    for fmt in ("png", "pdf"):
        link = page.locator(f'a[href="../charts/33990100SJ-XK-0001.{fmt}"]')
        assert link.count() == 1
    page.click("text=权力目录 >> nth=0")
    page.wait_for_load_state()
    assert page.url.endswith("/index.html")
    assert watched.problems == []


def test_every_power_page_loads_cleanly(site: Path, watched: Watched) -> None:
    for html_file in sorted((site / "powers").glob("*.html")):
        watched.page.goto(html_file.as_uri())
        assert watched.page.locator("figure.chart svg").is_visible()
    assert watched.problems == []
