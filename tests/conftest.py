"""Shared fixtures: paths to the shipped definitions and test data, and a click runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


# ---------------------------------------------------------------------------------------------
# Databases: every store test runs on SQLite, and on PostgreSQL when a server is available
# (scripts/test starts one and sets POWERFLOW_TEST_PG_URL; in CI its absence is a failure).

PG_URL = os.environ.get("POWERFLOW_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_database(base_url: str) -> Iterator[str]:
    import sqlalchemy as sa

    name = f"pf_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from powerflow import store

        store.dispose(url)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'powerflow.db'}"
        yield url
        from powerflow import store

        store.dispose(url)
        return
    if PG_URL is None:
        if IN_CI:
            pytest.fail("CI=true but POWERFLOW_TEST_PG_URL is not set: PostgreSQL tests cannot run")
        pytest.skip("no PostgreSQL server (run scripts/test, or set POWERFLOW_TEST_PG_URL)")
    yield from _postgres_database(PG_URL)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'powerflow.db'}"
    yield url
    from powerflow import store

    store.dispose(url)
