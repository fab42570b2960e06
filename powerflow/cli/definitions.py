"""Commands over definitions: ``check``, ``list`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from powerflow.checks import check_catalog
from powerflow.cli.app import Settings, pass_settings
from powerflow.definition import definition_files, definition_schema, load_definitions
from powerflow.errors import PowerflowError

FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def _paths_or_default(paths: tuple[Path, ...], settings: Settings) -> list[Path]:
    chosen = list(paths) or [settings.definitions_dir]
    for path in chosen:
        if not path.exists():
            raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    if not definition_files(chosen):
        raise PowerflowError(
            f"no definition files (*.yaml) under {', '.join(str(p) for p in chosen)}"
        )
    return chosen


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@FORMAT
@pass_settings
def check_command(settings: Settings, paths: tuple[Path, ...], output_format: str) -> None:
    """Check definitions as the legal office would (default: the definitions folder).

    Exit 0 when no finding is an error, 1 when any is.
    """
    chosen = _paths_or_default(paths, settings)
    report = check_catalog(chosen)
    if output_format == "json":
        click.echo(json.dumps([f.to_json() for f in report.findings], ensure_ascii=False, indent=2))
    else:
        for finding in report.findings:
            click.echo(finding.format_text())
        errors = sum(1 for f in report.findings if f.is_error)
        warnings = len(report.findings) - errors
        files = len(definition_files(chosen))
        click.echo(
            f"checked {files} definition file(s): {errors} error(s), {warnings} warning(s)",
            err=True,
        )
    if report.has_errors:
        click.get_current_context().exit(1)


@click.command("list")
@FORMAT
@pass_settings
def list_command(settings: Settings, output_format: str) -> None:
    """List the definitions in the definitions folder (the 权力目录)."""
    loaded, findings = load_definitions(_paths_or_default((), settings))
    rows = [
        {
            "code": item.definition.code,
            "name": item.definition.name,
            "category": item.definition.category,
            "version": item.definition.version,
            "effective": item.definition.effective.isoformat(),
            "subject": item.definition.subject,
            "file": item.file,
        }
        for item in sorted(loaded, key=lambda item: item.definition.code)
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            click.echo(
                f"{row['code']}  {row['category']}  v{row['version']}  {row['name']}  "
                f"({row['file']})"
            )
    for finding in findings:
        click.echo(finding.format_text(), err=True)
    if findings:
        click.get_current_context().exit(1)


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the definition language (for editors validating YAML)."""
    click.echo(json.dumps(definition_schema(), ensure_ascii=False, indent=2))


COMMANDS: list[click.Command] = [check_command, list_command, schema_command]
