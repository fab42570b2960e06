"""Commands over the working-day calendar: add, between, is-workday, years, import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from powerflow.definition import TimeUnit
from powerflow.errors import PowerflowError
from powerflow.workdays import (
    Pause,
    WorkCalendar,
    base_layer,
    import_layer,
    layer_files,
    load_calendar,
)

DEFAULT_LAYER_DIR = Path("calendar-layers")


class IsoDate(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.5
    """A calendar date written YYYY-MM-DD."""

    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value} is not a date (expected YYYY-MM-DD, e.g. 2025-10-09)", param, ctx)


class PauseSpan(click.ParamType):  # type: ignore[type-arg]
    """A clock pause FIRST:LAST (both dates included), or one DATE."""

    name = "FIRST:LAST"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Pause:
        if isinstance(value, Pause):
            return value
        first_text, _, last_text = str(value).partition(":")
        first = IsoDate().convert(first_text, param, ctx)
        last = IsoDate().convert(last_text or first_text, param, ctx)
        if last < first:
            self.fail(f"the pause {value} ends before it begins", param, ctx)
        return Pause(first, last)


DATE = IsoDate()


@dataclass(frozen=True)
class LayerStore:
    """Where imported calendar layers live (a folder until the database takes them over)."""

    folder: Path

    def calendar(self) -> WorkCalendar:
        """The national table with every stored layer on top, in import order."""
        return load_calendar(layer_files(self.folder))


pass_store = click.make_pass_decorator(LayerStore)


@click.group("calendar")
@click.option(
    "--layers",
    "layer_dir",
    envvar="POWERFLOW_CALENDAR_DIR",
    default=DEFAULT_LAYER_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of imported calendar layers (local holidays, new notices).",
)
@click.pass_context
def calendar(ctx: click.Context, layer_dir: Path) -> None:
    """Working-day calendar (工作日, 调休): deadlines, counts and the loaded holiday notices."""
    ctx.obj = LayerStore(layer_dir)


# ignore_unknown_options lets a negative N ("-3") reach the range check, not the option parser.
@calendar.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("start", type=DATE)
@click.argument("n", type=click.IntRange(min=0))
@click.option(
    "--unit",
    type=click.Choice([TimeUnit.WORKDAY.value, TimeUnit.DAY.value, TimeUnit.MONTH.value]),
    default=TimeUnit.WORKDAY.value,
    show_default=True,
    help="workday 工作日, day 自然日, month 月.",
)
@click.option(
    "--roll-if-off",
    is_flag=True,
    help="Move a last day that is a rest day to the next working day.",
)
@click.option(
    "--provisional",
    is_flag=True,
    help="Assume weekends only for years without a holiday notice (flagged on stderr).",
)
@click.option(
    "--pause",
    "pauses",
    type=PauseSpan(),
    multiple=True,
    help="Days that do not count (repeatable).",
)
@pass_store
def add_command(
    store: LayerStore,
    start: date,
    n: int,
    unit: str,
    roll_if_off: bool,
    provisional: bool,
    pauses: tuple[Pause, ...],
) -> None:
    """Print the last day of a limit of N units from START (the start day is not counted)."""
    deadline = store.calendar().add(
        start, n, unit, roll_if_off=roll_if_off, pauses=pauses, provisional=provisional
    )
    click.echo(deadline.due.isoformat())
    if deadline.provisional:
        years = ", ".join(str(year) for year in deadline.uncovered_years)
        click.echo(
            f"(provisional) no holiday notice is loaded for {years}: weekends only were assumed",
            err=True,
        )


@calendar.command("between")
@click.argument("start", type=DATE)
@click.argument("end", type=DATE)
@pass_store
def between_command(store: LayerStore, start: date, end: date) -> None:
    """Print the number of working days after START up to and including END."""
    click.echo(store.calendar().between(start, end))


@calendar.command("is-workday")
@click.argument("day", metavar="DATE", type=DATE)
@pass_store
def is_workday_command(store: LayerStore, day: date) -> None:
    """Print yes when DATE is a working day (调休上班 included), no otherwise."""
    click.echo("yes" if store.calendar().is_workday(day) else "no")


@calendar.command("years")
@pass_store
def years_command(store: LayerStore) -> None:
    """List the years the calendar knows, with the notices and layers behind each."""
    cal = store.calendar()
    base_name = base_layer().name
    for year in cal.mentioned_years():
        status = "" if cal.covers(year) else "  (not covered: no complete notice)"
        click.echo(f"{year}{status}")
        for source in cal.provenance(year):
            origin = (
                "base" if source.layer == base_name else f"layer {source.layer}: {source.source}"
            )
            for provenance in source.provenance:
                click.echo(f"  {provenance.label()} [{origin}]")


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_store
def import_command(store: LayerStore, file: Path) -> None:
    """Validate a calendar layer file and add it to the layer store (replacing one of its name)."""
    target, layer = import_layer(file, store.folder)
    years = ", ".join(str(entry.year) for entry in layer.years)
    click.echo(f"imported {layer.name} ({years}) as {target}")
    _recompute_case_deadlines(store)


def _recompute_case_deadlines(store: LayerStore) -> None:
    """Recompute the provisional deadlines of running cases with the calendar just extended."""
    import datetime as dt

    from sqlalchemy.exc import SQLAlchemyError

    from powerflow import store as case_store
    from powerflow.cli.app import Settings
    from powerflow.engine import CaseEngine

    settings = click.get_current_context().find_object(Settings)
    if settings is None:
        return
    try:
        db = case_store.connect(settings.db_url)
        migrated = case_store.current_revision(db) == case_store.head_revision()
    except (PowerflowError, SQLAlchemyError):  # no reachable database: no cases to update
        migrated = False
    if not migrated:
        click.echo("no case database at --db to update", err=True)
        return
    changed = CaseEngine(db, store.calendar()).recompute_provisional(dt.datetime.now(dt.UTC))
    click.echo(f"recomputed the deadlines of {len(changed)} running case(s)")


COMMANDS: list[click.Command] = [calendar]
