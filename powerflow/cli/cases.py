"""Commands that run cases: ``db``, ``staff``, ``case`` and ``audit``."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import yaml

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.cli.app import Settings, pass_settings
from powerflow.definition import Duration, TimeUnit, definition_files
from powerflow.engine import (
    SHANGHAI,
    Case,
    CaseEngine,
    CaseView,
    PenaltyDecision,
    local_date,
    utc_now,
)
from powerflow.errors import PowerflowError
from powerflow.workdays import layer_files, load_calendar

FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


class Moment(click.ParamType[dt.datetime]):
    """An ISO date or date-time; without a zone it is Asia/Shanghai time."""

    name = "ISO"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(
                f"{value} is not an ISO date or date-time (e.g. 2025-03-04T09:30)", param, ctx
            )
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


class Amount(click.ParamType[Decimal]):
    """An amount of money in 元."""

    name = "AMOUNT"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        try:
            amount = Decimal(str(value))
        except ArithmeticError:
            self.fail(f"{value} is not an amount in 元", param, ctx)
        if not amount.is_finite() or amount < 0:
            self.fail(f"{value} is not an amount in 元", param, ctx)
        return amount


AT = click.option(
    "--at",
    type=Moment(),
    default=None,
    help="When it happens (ISO; Asia/Shanghai unless a zone is given). Default: now. For drills.",
)


def _fact(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"{text} is not KEY=VALUE", param_hint="--fact")
    return key.strip(), yaml.safe_load(raw) if raw else ""


FACTS = click.option(
    "--fact",
    "facts",
    multiple=True,
    help="A fact recorded on the case, KEY=VALUE (YAML value: true, 3000, text).",
)


def open_engine(settings: Settings) -> CaseEngine:
    """The case engine for the CLI: the migrated database, the calendar and the definitions."""
    db = store.connect(settings.db_url)
    store.require_schema(db)
    layer_dir = Path(os.environ.get("POWERFLOW_CALENDAR_DIR", "calendar-layers"))
    engine = CaseEngine(db, load_calendar(layer_files(layer_dir)), clock=utc_now)
    if settings.definitions_dir.is_dir() and definition_files([settings.definitions_dir]):
        report = check_catalog([settings.definitions_dir])
        broken = {f.file for f in report.findings if f.is_error}
        engine.register(p for p in report.powers if p.file not in broken)
    return engine


def _at(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else utc_now()


def _shown(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "power": case.code,
        "version": case.version,
        "digest": case.digest,
        "party": case.party,
        "state": case.state,
        "status": case.status,
        "outcome": case.outcome,
        "facts": case.facts,
        "opened_at": case.opened_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "clock_started_on": case.clock_started_on.isoformat() if case.clock_started_on else None,
        "legal_due": case.legal_due.isoformat() if case.legal_due else None,
        "legal_provisional": case.legal_provisional,
        "promised_due": case.promised_due.isoformat() if case.promised_due else None,
        "promised_provisional": case.promised_provisional,
        "extended_by": case.extended_by,
        "paused_since": case.paused_since.isoformat() if case.paused_since else None,
        "lock_version": case.lock_version,
    }


def _due(day: dt.date | None, provisional: bool) -> str:
    if day is None:
        return "-"
    return f"{day.isoformat()} (provisional)" if provisional else day.isoformat()


# ---------------------------------------------------------------------------------------------
# db


@click.group("db")
def db_group() -> None:
    """The case database: schema migrations."""


@db_group.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Create or migrate the schema to the newest revision."""
    engine = store.connect(settings.db_url)
    store.upgrade(engine)
    click.echo(f"database at revision {store.current_revision(engine)}")


@db_group.command("current")
@pass_settings
def db_current(settings: Settings) -> None:
    """Print the schema revision of the database (none when never migrated)."""
    revision = store.current_revision(store.connect(settings.db_url))
    click.echo(revision or "none")


# ---------------------------------------------------------------------------------------------
# staff


@click.group("staff")
def staff_group() -> None:
    """The staff roster: officers, their posts (岗位) and qualifications (资格)."""


@staff_group.command("add")
@click.argument("officer")
@click.option("--post", "posts", multiple=True, required=True, help="A post id the officer holds.")
@click.option("--qualification", "qualifications", multiple=True, help="e.g. 执法证, 法律职业资格.")
@pass_settings
def staff_add(
    settings: Settings, officer: str, posts: tuple[str, ...], qualifications: tuple[str, ...]
) -> None:
    """Add an officer (or replace their posts and qualifications)."""
    open_engine(settings).add_officer(officer, posts, qualifications)
    click.echo(
        f"{officer}: posts {', '.join(posts)}; qualifications {', '.join(qualifications) or '-'}"
    )


@staff_group.command("list")
@FORMAT
@pass_settings
def staff_list(settings: Settings, output_format: str) -> None:
    """List the roster."""
    roster = open_engine(settings).officers()
    if output_format == "json":
        _echo_json([{"officer": o, "posts": p, "qualifications": q} for o, p, q in roster])
        return
    for officer, posts, qualifications in roster:
        click.echo(f"{officer}\t{','.join(posts)}\t{','.join(qualifications) or '-'}")


# ---------------------------------------------------------------------------------------------
# case


@click.group("case")
def case_group() -> None:
    """Run cases: open, act, suspend/resume, extend, waive, close, show, list."""


@case_group.command("open")
@click.argument("code")
@click.option("--as", "officer", required=True, help="The officer opening the case.")
@click.option("--party", default=None, help="The counterparty (相对人).")
@AT
@FACTS
@pass_settings
def case_open(
    settings: Settings,
    code: str,
    officer: str,
    party: str | None,
    at: dt.datetime | None,
    facts: tuple[str, ...],
) -> None:
    """Open a case on the newest version of a power; print only the new case id."""
    case = open_engine(settings).open_case(
        code, officer=officer, at=_at(at), party=party, facts=dict(map(_fact, facts))
    )
    click.echo(case.id)


@case_group.command("actions")
@click.argument("case_id", metavar="CASE", type=int)
@FORMAT
@pass_settings
def case_actions(settings: Settings, case_id: int, output_format: str) -> None:
    """List the actions allowed from the case's current step."""
    actions = open_engine(settings).actions(case_id)
    if output_format == "json":
        _echo_json(
            [
                {
                    "action": a.action,
                    "name": a.name,
                    "to": a.to,
                    "post": a.post,
                    "condition": a.condition,
                    "guard": a.guard,
                    "guard_holds": a.guard_holds,
                }
                for a in actions
            ]
        )
        return
    for a in actions:
        holds = (
            ""
            if a.guard is None
            else (" [condition holds]" if a.guard_holds else " [condition not met]")
        )
        click.echo(f"{a.action}\t→ {a.to}\t{a.name}\tby {a.post}{holds}")


@case_group.command("act")
@click.argument("case_id", metavar="CASE", type=int)
@click.argument("action")
@click.option(
    "--as", "officers", multiple=True, required=True, help="Acting officer (repeat for two)."
)
@click.option("--note", default=None, help="A note for the record.")
@AT
@FACTS
@click.option(
    "--violation", default=None, help="Penalty decisions: the violation code of the 裁量基准."
)
@click.option(
    "--circumstance", "circumstances", multiple=True,
    help="A circumstance (情节) as the 裁量基准 lists it.",
)
@click.option(
    "--amount", type=Amount(), default=None, help="The fine in 元 (omit when no fine is imposed)."
)
@click.option(
    "--base", "bases", multiple=True, help="A base amount, NAME=VALUE (e.g. 货值金额=8000)."
)
@click.option("--reason", default=None, help="裁量理由 when the fine lies outside the tier.")
@pass_settings
def case_act(
    settings: Settings,
    case_id: int,
    action: str,
    officers: tuple[str, ...],
    note: str | None,
    at: dt.datetime | None,
    facts: tuple[str, ...],
    violation: str | None,
    circumstances: tuple[str, ...],
    amount: Decimal | None,
    bases: tuple[str, ...],
    reason: str | None,
) -> None:
    """Perform an action (a penalty decision names its violation, circumstances and fine)."""
    decision = None
    if violation is not None:
        decision = PenaltyDecision(
            violation, amount, circumstances, dict(map(_base_amount, bases)), reason
        )
    elif amount is not None or circumstances or bases or reason:
        raise click.UsageError("--amount, --circumstance, --base and --reason go with --violation")
    case = open_engine(settings).act(
        case_id,
        action,
        officers=officers,
        at=_at(at),
        note=note,
        facts=dict(map(_fact, facts)),
        decision=decision,
    )
    click.echo(f"case {case.id}: {action} → {case.state}")


def _base_amount(text: str) -> tuple[str, Decimal]:
    name, sep, value = text.partition("=")
    try:
        if not sep or not name.strip():
            raise ValueError(text)
        return name.strip(), Decimal(value)
    except (ValueError, ArithmeticError):
        raise click.BadParameter(
            f"{text} is not NAME=AMOUNT (e.g. 货值金额=8000)", param_hint="--base"
        ) from None


@case_group.command("suspend")
@click.argument("case_id", metavar="CASE", type=int)
@click.option("--as", "officer", required=True)
@click.option("--reason", required=True, help="e.g. 检验, 鉴定, 等待司法机关结论.")
@click.option("--basis", required=True, help="The article that allows it.")
@click.option("--expected", default=None, help="Expected duration, e.g. '10 workday'.")
@click.option("--party-notified", is_flag=True, help="The party has been told in writing.")
@AT
@pass_settings
def case_suspend(
    settings: Settings,
    case_id: int,
    officer: str,
    reason: str,
    basis: str,
    expected: str | None,
    party_notified: bool,
    at: dt.datetime | None,
) -> None:
    """Stop the case clock (特别程序 / 中止)."""
    case = open_engine(settings).suspend(
        case_id,
        officer=officer,
        at=_at(at),
        reason=reason,
        basis=basis,
        party_notified=party_notified,
        expected=_duration(expected) if expected else None,
    )
    click.echo(f"case {case.id}: clock stopped since {case.paused_since}")


def _duration(text: str) -> Duration:
    value, _, unit = text.strip().partition(" ")
    try:
        return Duration(value=int(value), unit=TimeUnit(unit.strip()))
    except ValueError as exc:
        raise click.BadParameter(
            f"{text} is not a duration like '10 workday' (units: workday, day, month, hour)",
            param_hint="--expected",
        ) from exc


@case_group.command("resume")
@click.argument("case_id", metavar="CASE", type=int)
@click.option("--as", "officer", required=True)
@AT
@pass_settings
def case_resume(settings: Settings, case_id: int, officer: str, at: dt.datetime | None) -> None:
    """Restart the case clock."""
    case = open_engine(settings).resume(case_id, officer=officer, at=_at(at))
    click.echo(
        f"case {case.id}: resumed; legal limit {_due(case.legal_due, case.legal_provisional)}"
    )


@case_group.command("extend")
@click.argument("case_id", metavar="CASE", type=int)
@click.option("--as", "officer", required=True, help="An officer holding the approving post.")
@click.option("--by", "value", type=click.IntRange(min=1), required=True, help="How many units.")
@click.option("--reason", required=True)
@click.option("--party-notified", is_flag=True, help="The party has been told the reasons.")
@AT
@pass_settings
def case_extend(
    settings: Settings,
    case_id: int,
    officer: str,
    value: int,
    reason: str,
    party_notified: bool,
    at: dt.datetime | None,
) -> None:
    """Extend the case's legal limit within the definition's maximum."""
    case = open_engine(settings).extend(
        case_id, officer=officer, at=_at(at), value=value, reason=reason,
        party_notified=party_notified,
    )
    click.echo(f"case {case.id}: legal limit now {_due(case.legal_due, case.legal_provisional)}")


@case_group.command("waive")
@click.argument("case_id", metavar="CASE", type=int)
@click.argument("right")
@click.option("--as", "officer", required=True, help="The officer recording the waiver.")
@click.option("--statement", required=True, help="The party's statement (放弃声明).")
@AT
@pass_settings
def case_waive(
    settings: Settings,
    case_id: int,
    right: str,
    officer: str,
    statement: str,
    at: dt.datetime | None,
) -> None:
    """Record that the party waived a right of the current step (e.g. 听证)."""
    case = open_engine(settings).waive(
        case_id, right, officer=officer, at=_at(at), statement=statement
    )
    click.echo(f"case {case.id}: waiver of {right} recorded")


@case_group.command("close")
@click.argument("case_id", metavar="CASE", type=int)
@click.option("--as", "officer", required=True)
@AT
@pass_settings
def case_close(settings: Settings, case_id: int, officer: str, at: dt.datetime | None) -> None:
    """Close a case that has reached a final step (办结)."""
    case = open_engine(settings).close(case_id, officer=officer, at=_at(at))
    click.echo(f"case {case.id}: closed ({case.outcome or 'no outcome'})")


@case_group.command("show")
@click.argument("case_id", metavar="CASE", type=int)
@FORMAT
@pass_settings
def case_show(settings: Settings, case_id: int, output_format: str) -> None:
    """Show a case: state, deadlines and history."""
    view = open_engine(settings).show(case_id)
    if output_format == "json":
        _echo_json(_view_json(view))
        return
    case, entry = view.case, view.current_entry
    click.echo(f"case {case.id}  {case.code} v{case.version}  party: {case.party or '-'}")
    click.echo(f"state: {case.state} ({case.status})  outcome: {case.outcome or '-'}")
    if entry is not None:
        click.echo(f"step limit: {_due(entry.due, entry.provisional)}")
    click.echo(f"法定时限: {_due(case.legal_due, case.legal_provisional)}")
    click.echo(f"承诺时限: {_due(case.promised_due, case.promised_provisional)}")
    if case.paused_since:
        click.echo(f"clock stopped since {case.paused_since}")
    click.echo("history:")
    for event in view.events:
        click.echo(
            f"  {event.seq:3d} {_shown(event.effective_at)}  {event.kind:<22} "
            f"{event.actor or '-'}  {_summary(event.payload)}"
        )


def _summary(payload: dict[str, Any]) -> str:
    if "action" in payload:
        return f"{payload['from']} → {payload['to']} ({payload['action']})"
    keys = ("step", "reason", "right", "value", "attempted")
    return ", ".join(f"{k}={payload[k]}" for k in keys if payload.get(k) is not None)


def _view_json(view: CaseView) -> dict[str, Any]:
    data = _case_json(view.case)
    data["steps"] = [
        {
            "step": e.step,
            "entered_at": e.entered_at.isoformat(),
            "left_at": e.left_at.isoformat() if e.left_at else None,
            "action": e.action,
            "officers": e.officers,
            "due": e.due.isoformat() if e.due else None,
            "overdue_at": e.overdue_at.isoformat() if e.overdue_at else None,
            "provisional": e.provisional,
        }
        for e in view.entries
    ]
    data["history"] = [
        {
            "seq": e.seq,
            "kind": e.kind,
            "actor": e.actor,
            "payload": e.payload,
            "effective_at": e.effective_at.isoformat(),
            "recorded_at": e.recorded_at.isoformat(),
            "hash": e.hash,
        }
        for e in view.events
    ]
    return data


@case_group.command("list")
@click.option("--power", "code", default=None, help="Only cases of this power code.")
@click.option("--state", default=None, help="Only cases at this step.")
@click.option("--overdue", is_flag=True, help="Only open cases past a legal or step deadline.")
@AT
@FORMAT
@pass_settings
def case_list(
    settings: Settings,
    code: str | None,
    state: str | None,
    overdue: bool,
    at: dt.datetime | None,
    output_format: str,
) -> None:
    """List cases."""
    cases = open_engine(settings).list_cases(
        code=code, state=state, overdue_on=local_date(_at(at)) if overdue else None
    )
    if output_format == "json":
        _echo_json([_case_json(case) for case in cases])
        return
    for case in cases:
        click.echo(
            f"{case.id}\t{case.code}\t{case.state}\t{case.status}\t"
            f"法定 {_due(case.legal_due, case.legal_provisional)}\t{case.party or '-'}"
        )


# ---------------------------------------------------------------------------------------------
# audit


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident case record."""


@audit_group.command("verify")
@click.argument("case_id", metavar="[CASE]", type=int, required=False)
@pass_settings
def audit_verify(settings: Settings, case_id: int | None) -> None:
    """Verify the hash chains (one case or all); exit 1 if any event was changed or removed."""
    problems = open_engine(settings).verify_chain(case_id)
    for problem in problems:
        where = f"event {problem.seq}" if problem.seq is not None else "record"
        click.echo(f"case {problem.case_id}: {where}: {problem.message}")
    if problems:
        raise PowerflowError(
            f"{len({p.case_id for p in problems})} case record(s) fail verification"
        )
    click.echo("all chains verify" if case_id is None else f"case {case_id}: chain verifies")


COMMANDS: Sequence[click.Command] = [db_group, staff_group, case_group, audit_group]
