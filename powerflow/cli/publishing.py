"""Commands that draw and publish: ``render`` (one flowchart) and ``publish`` (the catalog site)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from powerflow.cli.app import Settings, pass_settings
from powerflow.cli.cases import AT, open_engine
from powerflow.definition import definition_files
from powerflow.errors import PowerflowError
from powerflow.publish import publish_results, publish_site
from powerflow.render import FORMATS, CaseOverlay, case_overlay, find_definition, render_to


def _output_format(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower().lstrip(".") not in FORMATS:
        raise click.BadParameter(
            f"{value}: the extension names the format; use one of "
            + ", ".join(f".{fmt}" for fmt in FORMATS),
            ctx=ctx,
            param=param,
        )
    return value


@click.command("render")
@click.argument("target", metavar="CODE|FILE")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_output_format,
    help="Output file; its extension picks the format: .svg, .png, .pdf or .dot.",
)
@click.option(
    "--case",
    "case_id",
    type=int,
    default=None,
    help="Draw this case over the chart: path taken, current step, late steps in red.",
)
@AT
@pass_settings
def render_command(
    settings: Settings, target: str, output: Path, case_id: int | None, at: dt.datetime | None
) -> None:
    """Draw the flowchart (权力运行流程图) of one power, named by its code or its file.

    A code is looked up among the definitions in the definitions folder. With --case the chart
    is the definition version the case runs on, with the case drawn over it (late as of --at).
    """
    overlay: CaseOverlay | None = None
    if case_id is None:
        power = find_definition(target, [settings.definitions_dir])
    else:
        engine = open_engine(settings)
        view = engine.show(case_id)
        power = engine.power(view.case.digest)
        if target != view.case.code:
            named = find_definition(target, [settings.definitions_dir]).code
            if named != view.case.code:
                raise PowerflowError(
                    f"case {case_id} is a case of {view.case.code}, not of {named}"
                )
        overlay = case_overlay(view, at or dt.datetime.now(dt.UTC))
    render_to(power, output, overlay)
    click.echo(f"{power.code} {power.definition.name} → {output}", err=True)


class _PublishGroup(click.Group):
    """``publish [DEFINITIONS] -o DIR`` builds the site; ``publish NAME …`` runs a subcommand.

    The site is the default subcommand, so later subcommands (the monthly 执法结果公开) can be
    added without changing how the site is published.
    """

    default_command = "site"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[DEFINITIONS]... -o DIR")


@click.group("publish", cls=_PublishGroup)
def publish_group() -> None:
    """Publish the catalog site (权力目录 and flowcharts) into a folder."""


@publish_group.command("site")
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[DEFINITIONS]..."
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the static site (created if missing; earlier output is updated in place).",
)
@pass_settings
def publish_site_command(settings: Settings, paths: tuple[Path, ...], out_dir: Path) -> None:
    """Publish every definition that checks without errors (default: the definitions folder).

    Unchanged definitions are not rendered again. A definition with errors is reported
    (file:line) and skipped; the command then exits 1.
    """
    chosen = list(paths) or [settings.definitions_dir]
    files = definition_files(chosen)
    if not files:
        raise PowerflowError(f"no definition files (*.yaml) under {', '.join(map(str, chosen))}")
    now = dt.datetime.now(dt.UTC)
    bar: Any
    with click.progressbar(
        length=len(files), label="publishing", file=sys.stderr, show_pos=True
    ) as bar:
        result = publish_site(chosen, out_dir, now, progress=lambda code, status: bar.update(1))
    for file, findings in sorted(result.skipped.items()):
        for finding in findings:
            click.echo(finding.format_text(), err=True)
        click.echo(f"{file}: not published ({len(findings)} error(s))", err=True)
    click.echo(
        f"published {len(result.rendered)} rendered, {len(result.unchanged)} unchanged, "
        f"{len(result.withdrawn)} withdrawn, {len(result.skipped)} skipped → {out_dir}",
        err=True,
    )
    if not result.ok:
        click.get_current_context().exit(1)


@publish_group.command("results")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to publish.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The site folder; the month goes to results/YYYY-MM.html and .json.",
)
@pass_settings
def publish_results_command(settings: Settings, month: str, out_dir: Path) -> None:
    """Publish a month's enforcement results (执法结果公开) from the case store.

    Per power: decisions by outcome and the share made within the 法定时限; no personal data.
    """
    from powerflow.results import month_range, monthly_results

    try:
        month_range(month)
    except ValueError:
        raise click.BadParameter(
            f"{month} is not a month like 2025-10", param_hint="--month"
        ) from None
    results = monthly_results(open_engine(settings), month)
    files = publish_results(month, [r.to_json() for r in results], out_dir)
    decided = sum(r.decisions for r in results)
    click.echo(
        f"{month}: {decided} decision(s) over {len(results)} power(s) → {files[0]}", err=True
    )


COMMANDS: list[click.Command] = [render_command, publish_group]
