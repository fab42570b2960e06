"""The root click group: global options, the shared context and the one place errors become
exit codes.

Exit codes: 0 ok; 1 the command ran and found problems (check findings, refused act, a
PowerflowError); 2 usage errors (click's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from powerflow import __version__
from powerflow.errors import PowerflowError


@dataclass(frozen=True)
class Settings:
    """What every command may need: where the database and the definitions are."""

    db_url: str
    definitions_dir: Path


pass_settings = click.make_pass_decorator(Settings)


class PowerflowGroup(click.Group):
    """A click group that shows PowerflowError as ``Error: message`` with its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PowerflowError as exc:
            error = click.ClickException(str(exc))
            # click types exit_code as a ClassVar, yet reads it from the exception it catches.
            error.exit_code = exc.exit_code  # type: ignore[misc]
            raise error from exc


@click.group(cls=PowerflowGroup)
@click.version_option(__version__, prog_name="powerflow")
@click.option(
    "--db",
    "db_url",
    envvar="POWERFLOW_DB",
    default="sqlite:///powerflow.db",
    show_default=True,
    help="Database URL (sqlite:///FILE or postgresql+psycopg://…).",
)
@click.option(
    "--definitions",
    "definitions_dir",
    envvar="POWERFLOW_DEFINITIONS",
    default="definitions",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding the power definitions (*.yaml).",
)
@click.pass_context
def main(ctx: click.Context, db_url: str, definitions_dir: Path) -> None:
    """powerflow: administrative powers defined once, checked, run, supervised and published."""
    ctx.obj = Settings(db_url=db_url, definitions_dir=definitions_dir)


def _register_commands() -> None:
    # Imported here so each command family lives in its own module and registers itself once.
    from powerflow.cli import cases, definitions, monitoring, publishing, review, workdays

    for module in (definitions, workdays, cases, monitoring, publishing, review):
        for command in module.COMMANDS:
            main.add_command(command)


_register_commands()
