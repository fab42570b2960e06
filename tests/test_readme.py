"""Every command the README shows is run here, in order, in a fresh folder.

The walkthrough blocks run against a SQLite file and the shipped definitions; a trailing
``# exits N`` says the command is meant to fail with that code. The two top commands
(``scripts/main`` and ``scripts/test``) are exercised by ``test_main_job`` and by CI itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
EXIT = re.compile(r"#\s*exits\s+(\d+)\s*$")


def walkthrough_commands() -> list[tuple[str, int]]:
    """(command, expected exit code) of every ```sh block under '## Walkthroughs'."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Walkthroughs", 1)[1].split("\n## ", 1)[0]
    commands: list[tuple[str, int]] = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            match = EXIT.search(line)
            expected = int(match.group(1)) if match else 0
            commands.append((EXIT.sub("", line).strip(), expected))
    return commands


def test_the_readme_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    fence = lines.index("```sh")
    assert lines[fence + 1].startswith("scripts/main")
    assert lines[fence + 2].startswith("scripts/test")
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_walkthroughs_run_as_written(tmp_path: Path) -> None:
    for name in ("definitions", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "POWERFLOW_DB": f"sqlite:///{tmp_path / 'walkthrough.db'}",
        "POWERFLOW_CALENDAR_DIR": str(tmp_path / "calendar-layers"),
    }
    commands = walkthrough_commands()
    assert len(commands) >= 30
    for command, expected in commands:
        result = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300,
        )
        assert result.returncode == expected, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, command
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "results" / "2025-10.html").exists()
    assert (tmp_path / "licence.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.slow
def test_main_job(tmp_path: Path) -> None:
    """scripts/main, in a copy of the project so the real rendering/ and database stay as they
    are."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT, copy, symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "powerflow.db*", "*.egg-info", "__pycache__", ".pytest_cache"
        ),
    )
    (copy / ".venv").symlink_to(Path(sys.prefix))
    result = subprocess.run(
        ["bash", "scripts/main"], cwd=copy, capture_output=True, text=True, timeout=1800,
        env={
            **os.environ, "POWERFLOW_CALENDAR_DIR": str(tmp_path / "layers"),
            "POWERFLOW_SKIP_PIP": "1",
        },
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "rendering/index.html" in result.stdout
    assert (copy / "rendering" / "index.html").exists()
