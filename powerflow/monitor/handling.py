"""Handling alerts: list, acknowledge (签收), appeal (申诉) and revoke (撤销), each recorded.

False alarms happen (wrong dates entered, completion not confirmed: E-05), so an officer may
appeal an alert and a supervisor (a holder of a post the policy names) may revoke it. Every
change is kept in ``alert_actions`` with who, when and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from powerflow import store
from powerflow.engine import CaseEngine
from powerflow.errors import AlertError
from powerflow.monitor.policy import AlertPolicy, Level
from powerflow.monitor.sweep import Alert, alert_from_row

# Which states each action may start from.
ALLOWED_FROM = {
    "acknowledge": {"open"},
    "appeal": {"open", "acknowledged"},
    "revoke": {"open", "acknowledged", "appealed"},
}
RESULT = {"acknowledge": "acknowledged", "appeal": "appealed", "revoke": "revoked"}


def list_alerts(
    engine: CaseEngine,
    *,
    level: Level | None = None,
    open_only: bool = False,
    case_id: int | None = None,
) -> list[Alert]:
    """Alerts, oldest first; ``open_only`` leaves out revoked ones and acknowledged ones."""
    query = sa.select(store.alerts).order_by(store.alerts.c.id)
    if level is not None:
        query = query.where(store.alerts.c.level == level.value)
    if open_only:
        query = query.where(store.alerts.c.status.in_(["open", "appealed"]))
    if case_id is not None:
        query = query.where(store.alerts.c.case_id == case_id)
    with engine.db.connect() as connection:
        return [alert_from_row(row) for row in connection.execute(query)]


def alert_history(engine: CaseEngine, alert_id: int) -> list[dict[str, Any]]:
    """What was done to an alert, oldest first."""
    with engine.db.connect() as connection:
        rows = connection.execute(
            sa.select(store.alert_actions)
            .where(store.alert_actions.c.alert_id == alert_id)
            .order_by(store.alert_actions.c.id)
        )
        return [dict(row._mapping) for row in rows]


def _officer_posts(engine: CaseEngine, officer: str) -> set[str]:
    roster = {name: set(posts) for name, posts, _ in engine.officers()}
    if officer not in roster:
        raise AlertError(f"{officer} is not on the staff roster")
    return roster[officer]


def handle_alert(
    engine: CaseEngine,
    alert_id: int,
    action: str,
    *,
    at: dt.datetime,
    actor: str | None,
    reason: str | None = None,
    policy: AlertPolicy | None = None,
) -> Alert:
    """Acknowledge, appeal or revoke an alert; the change and its reason are recorded."""
    if action not in ALLOWED_FROM:
        raise AlertError(f"unknown alert action {action}")
    if action in ("appeal", "revoke") and not (reason and reason.strip()):
        raise AlertError(f"to {action} an alert, give the reason")
    if actor is not None:
        posts = _officer_posts(engine, actor)
        if action == "revoke":
            supervisors = set(policy.supervisors) if policy else set()
            if not posts & supervisors:
                raise AlertError(
                    f"{actor} may not revoke alerts: only holders of the supervising posts "
                    f"({', '.join(sorted(supervisors)) or 'none configured'}) may"
                )
    elif action in ("acknowledge", "revoke"):
        raise AlertError(f"say who does it (--as) to {action} an alert")
    alerts = store.alerts
    with store.transaction(engine.db) as connection:
        row = connection.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise AlertError(f"no alert {alert_id}")
        if row.status not in ALLOWED_FROM[action]:
            raise AlertError(f"alert {alert_id} is {row.status}; it cannot be {RESULT[action]} now")
        updated = connection.execute(
            alerts.update()
            .where(alerts.c.id == alert_id, alerts.c.status == row.status)
            .values(status=RESULT[action])
        )
        if updated.rowcount != 1:
            raise AlertError(f"alert {alert_id} was changed by someone else; look again")
        connection.execute(
            store.alert_actions.insert().values(
                alert_id=alert_id, action=action, actor=actor, reason=reason, at=at
            )
        )
        row = connection.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
    return alert_from_row(row)
