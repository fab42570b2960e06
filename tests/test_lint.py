"""The house style holds for the whole repository: ``ruff check .`` and ``mypy`` (which checks
powerflow, tests, bench and examples, as setup.cfg's [mypy] ``files`` lists) both pass."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m module args`` in the repository root; fail (never skip) without it."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(
            f"{module} is not installed for {sys.executable}: install the test extra "
            "(pip install -e '.[test]', as scripts/setup --test does)",
            pytrace=False,
        )
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    command = " ".join(["python", *result.args[1:]])
    assert result.returncode == 0, (
        f"`{command}` exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )


def test_ruff_check_passes() -> None:
    assert_clean(run_tool("ruff", "check", "."))


@pytest.mark.slow
def test_mypy_passes() -> None:
    assert_clean(run_tool("mypy"))
