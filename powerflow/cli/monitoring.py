"""E-supervision commands: ``monitor`` (sweep, watch, log), ``alerts`` and ``report``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from powerflow.cli.app import Settings, pass_settings
from powerflow.cli.cases import AT, open_engine
from powerflow.engine import SHANGHAI, utc_now
from powerflow.errors import PowerflowError
from powerflow.monitor import (
    Alert,
    AlertPolicy,
    Level,
    SweepResult,
    Webhook,
    alert_history,
    efficiency,
    handle_alert,
    list_alerts,
    load_policy,
    sweep,
    sweep_log,
)
from powerflow.monitor.scores import month_bounds

POLICY = click.option(
    "--policy",
    "policy_name",
    envvar="POWERFLOW_ALERT_POLICY",
    default="default",
    show_default=True,
    help="Alert policy: a preset (default, supervise-deadline, near-and-late) or a .yaml file.",
)


Command = TypeVar("Command", bound=Callable[..., Any])


def _format(*choices: str) -> Callable[[Command], Command]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def _alert_line(alert: Alert) -> str:
    where = alert.step or "-"
    scope = "案件" if alert.subject == "case" else "环节"
    return (
        f"#{alert.id} {alert.level.label} case {alert.case} {alert.power} {scope} {where} "
        f"({alert.post}) due {alert.due} {alert.limit}"
        + (f" overdue {alert.overdue_days}d" if alert.overdue_days else "")
        + f" → {'、'.join(alert.recipients)}"
        + ("" if alert.status == "open" else f" [{alert.status}]")
    )


def _echo_sweep(result: SweepResult, output_format: str) -> None:
    for alert in result.alerts:
        if output_format == "json":
            click.echo(json.dumps(alert.to_json(), ensure_ascii=False))
        else:
            click.echo(_alert_line(alert))
    for case_id in result.deemed:
        click.echo(
            f"case {case_id}: a step limit ran out; its deemed action (视为) was taken", err=True
        )
    summary = (
        f"swept {result.swept_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}: examined {result.examined}, "
        f"{result.count(Level.WARNING)} 预警, {result.count(Level.YELLOW)} 黄牌, "
        f"{result.count(Level.RED)} 红牌, delivered {result.delivered}, "
        f"failed {result.failed_deliveries}, {result.duration_ms:.0f} ms"
    )
    click.echo(summary, err=True)


@click.group("monitor", invoke_without_command=True)
@AT
@_format("text", "json")
@POLICY
@click.option(
    "--webhook", envvar="POWERFLOW_WEBHOOK", default=None, help="POST each alert here as JSON."
)
@click.option(
    "--retries", type=click.IntRange(min=0), default=3, show_default=True, help="Webhook retries."
)
@click.option(
    "--watch", "interval", type=click.FloatRange(min=0.1), default=None,
    help="Sweep every N seconds until stopped.",
)
@click.pass_context
def monitor_group(
    ctx: click.Context,
    at: dt.datetime | None,
    output_format: str,
    policy_name: str,
    webhook: str | None,
    retries: int,
    interval: float | None,
) -> None:
    """Sweep for overdue steps and cases: raise 预警/黄牌/红牌 once each (电子监察)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = ctx.find_object(Settings)
    assert settings is not None, "the root group puts Settings on the context"
    engine = open_engine(settings)
    policy = load_policy(policy_name)
    hook = Webhook(webhook, retries=retries) if webhook else None
    monitor = f"{socket.gethostname()}:{os.getpid()}"
    if interval is None:
        _echo_sweep(
            sweep(engine, policy, at or utc_now(), monitor=monitor, webhook=hook), output_format
        )
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(
        f"watching every {interval:g} s with policy {policy.name}; stop with Ctrl-C", err=True
    )
    while not stop.is_set():
        _echo_sweep(sweep(engine, policy, utc_now(), monitor=monitor, webhook=hook), output_format)
        stop.wait(interval)
    click.echo("monitor stopped", err=True)


@monitor_group.command("log")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@_format("text", "json")
@pass_settings
def monitor_log(settings: Settings, limit: int, output_format: str) -> None:
    """The most recent sweeps: when, how many cases examined, alerts by level, duration."""
    rows = sweep_log(open_engine(settings), limit)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for row in rows:
        click.echo(
            f"{row['swept_at'].astimezone(SHANGHAI):%Y-%m-%d %H:%M}  examined {row['examined']}  "
            f"预警 {row['warnings']}  黄牌 {row['yellows']}  红牌 {row['reds']}  "
            f"delivered {row['delivered']}  failed {row['failed_deliveries']}  "
            f"{row['duration_ms']:.0f} ms  policy {row['policy']}  by {row['monitor']}"
        )


# ---------------------------------------------------------------------------------------------
# alerts


@click.group("alerts")
def alerts_group() -> None:
    """Alerts raised by the monitor: list, acknowledge, appeal, revoke."""


@alerts_group.command("list")
@click.option("--level", type=click.Choice([level.value for level in Level]), default=None)
@click.option("--open", "open_only", is_flag=True, help="Only alerts still open or under appeal.")
@click.option("--case", "case_id", type=int, default=None)
@_format("text", "json")
@pass_settings
def alerts_list(
    settings: Settings, level: str | None, open_only: bool, case_id: int | None, output_format: str
) -> None:
    """List alerts."""
    alerts = list_alerts(
        open_engine(settings), level=Level(level) if level else None, open_only=open_only,
        case_id=case_id,
    )
    if output_format == "json":
        click.echo(json.dumps([alert.to_json() for alert in alerts], ensure_ascii=False, indent=2))
        return
    for alert in alerts:
        click.echo(_alert_line(alert))


def _handle(
    settings: Settings,
    alert_id: int,
    action: str,
    actor: str | None,
    reason: str | None,
    at: dt.datetime | None,
    policy: AlertPolicy | None = None,
) -> None:
    engine = open_engine(settings)
    alert = handle_alert(
        engine, alert_id, action, at=at or utc_now(), actor=actor, reason=reason, policy=policy
    )
    click.echo(f"alert {alert.id}: {alert.status}")


@alerts_group.command("ack")
@click.argument("alert_id", metavar="ALERT", type=int)
@click.option("--as", "officer", required=True)
@AT
@pass_settings
def alerts_ack(settings: Settings, alert_id: int, officer: str, at: dt.datetime | None) -> None:
    """Acknowledge an alert (签收)."""
    _handle(settings, alert_id, "acknowledge", officer, None, at)


@alerts_group.command("appeal")
@click.argument("alert_id", metavar="ALERT", type=int)
@click.option("--reason", required=True, help="Why the alert is wrong (申诉理由).")
@click.option("--as", "officer", default=None)
@AT
@pass_settings
def alerts_appeal(
    settings: Settings, alert_id: int, reason: str, officer: str | None, at: dt.datetime | None
) -> None:
    """Appeal an alert (申诉)."""
    _handle(settings, alert_id, "appeal", officer, reason, at)


@alerts_group.command("revoke")
@click.argument("alert_id", metavar="ALERT", type=int)
@click.option("--as", "supervisor", required=True, help="A holder of a supervising post.")
@click.option("--reason", required=True)
@POLICY
@AT
@pass_settings
def alerts_revoke(
    settings: Settings,
    alert_id: int,
    supervisor: str,
    reason: str,
    policy_name: str,
    at: dt.datetime | None,
) -> None:
    """Revoke an alert (撤销); only supervisors may."""
    _handle(settings, alert_id, "revoke", supervisor, reason, at, load_policy(policy_name))


@alerts_group.command("show")
@click.argument("alert_id", metavar="ALERT", type=int)
@pass_settings
def alerts_show(settings: Settings, alert_id: int) -> None:
    """An alert and what was done to it."""
    engine = open_engine(settings)
    matching = [a for a in list_alerts(engine) if a.id == alert_id]
    if not matching:
        raise PowerflowError(f"no alert {alert_id}")
    click.echo(_alert_line(matching[0]))
    for action in alert_history(engine, alert_id):
        click.echo(
            f"  {action['at'].astimezone(SHANGHAI):%Y-%m-%d %H:%M} {action['action']} "
            f"by {action['actor'] or '-'}: {action['reason'] or ''}"
        )


# ---------------------------------------------------------------------------------------------
# report


@click.group("report")
def report_group() -> None:
    """Reports for the supervision office."""


class Month(click.ParamType[str]):
    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            month_bounds(str(value))
        except ValueError:
            self.fail(f"{value} is not a month like 2025-10", param, ctx)
        return str(value)


@report_group.command("efficiency")
@click.option("--month", type=Month(), required=True)
@_format("text", "json", "csv")
@POLICY
@pass_settings
def report_efficiency(settings: Settings, month: str, output_format: str, policy_name: str) -> None:
    """效能积分 per agency, unit and post for a month."""
    scores = efficiency(open_engine(settings), month, load_policy(policy_name))
    rows = [score.to_json() for score in scores]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer,
            fieldnames=[
                "subject", "unit", "post", "post_name", "handled", "on_time", "early", "warnings",
                "yellows", "reds", "score",
            ],
        )
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        for row in rows:
            click.echo(
                f"{row['subject']}\t{row['unit']}\t{row['post_name']}\t"
                f"办理 {row['handled']}\t按时 {row['on_time']}\t"
                f"提前 {row['early']}\t预警 {row['warnings']}\t黄牌 {row['yellows']}\t"
                f"红牌 {row['reds']}\t积分 {row['score']:g}"
            )


COMMANDS: Sequence[click.Command] = [monitor_group, alerts_group, report_group]
