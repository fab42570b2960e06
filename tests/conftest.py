"""Shared fixtures: paths to the shipped definitions and test data, and a click runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def shipped_definition_files() -> list[Path]:
    return sorted(DEFINITIONS.glob("*.yaml"))
