"""The overdue sweep (发牌): find the limits that crossed a threshold and raise each alert once.

A sweep first lets the engine take the deemed actions (视为) whose step limit has run out.

The engine marks a case (``cases.alert_check_at``) whenever its deadlines may have moved. A
sweep reads only the cases whose mark has come, evaluates their step limit, 法定时限 and 承诺时限
against the policy, raises the alerts that are due (a unique key per case, subject and level
makes each alert exactly once, however many sweeps or monitors run), and sets the mark to the
next threshold. So a sweep costs in proportion to what is due, not to the open cases.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from powerflow import store
from powerflow.compiler import CompiledPower
from powerflow.definition import Rank, Step, TimeUnit
from powerflow.engine import SHANGHAI, CaseEngine, local_date, overdue_from
from powerflow.monitor.delivery import Webhook, deliver_pending
from powerflow.monitor.policy import AlertPolicy, Level, LimitKind, Recipient
from powerflow.workdays import WorkCalendar

STATUTORY_RANKS = {
    Rank.LAW,
    Rank.ADMINISTRATIVE_REGULATION,
    Rank.LOCAL_REGULATION,
    Rank.DEPARTMENT_RULE,
    Rank.LOCAL_RULE,
}


@dataclass(frozen=True)
class Limit:
    """One running time limit of a case: its step limit, 法定时限 or 承诺时限."""

    kind: LimitKind
    subject: str  # "case" or "step:<step>@<entered_at>"
    start: dt.datetime
    due: dt.date
    overdue_at: dt.datetime
    unit: TimeUnit
    text: str


@dataclass(frozen=True)
class Threshold:
    """The moment a limit draws an alert of a level."""

    level: Level
    moment: dt.datetime
    limit: Limit
    supervise_by: dt.date | None = None


@dataclass(frozen=True)
class Alert:
    """A raised alert, as printed and delivered."""

    id: int
    case: int
    power: str
    subject: str
    step: str | None
    post: str | None
    unit: str | None
    level: Level
    limit_kind: str
    due: dt.date
    limit: str
    overdue_days: int
    recipients: list[str]
    raised_at: dt.datetime
    status: str = "open"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case": self.case,
            "power": self.power,
            "subject": self.subject,
            "step": self.step,
            "post": self.post,
            "unit": self.unit,
            "level": self.level.value,
            "level_label": self.level.label,
            "limit_kind": self.limit_kind,
            "due": self.due.isoformat(),
            "limit": self.limit,
            "overdue_days": self.overdue_days,
            "recipients": self.recipients,
            "raised_at": self.raised_at.isoformat(),
            "status": self.status,
        }


@dataclass
class SweepResult:
    """What one sweep did."""

    swept_at: dt.datetime
    examined: int = 0
    deemed: list[int] = field(default_factory=list)
    """Cases whose deemed action (视为) the sweep took because a step limit ran out."""
    alerts: list[Alert] = field(default_factory=list)
    delivered: int = 0
    failed_deliveries: int = 0
    duration_ms: float = 0.0

    def count(self, level: Level) -> int:
        return sum(1 for alert in self.alerts if alert.level is level)


# ---------------------------------------------------------------------------------------------
# Thresholds


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), SHANGHAI).astimezone(dt.UTC)


def _remaining_from(calendar: WorkCalendar, due: dt.date, workdays: int) -> dt.date:
    """The first day from which at most ``workdays`` working days remain up to ``due``."""
    day, remaining = due, 1 if calendar.is_workday(due, provisional=True) else 0
    while True:
        before = day - dt.timedelta(days=1)
        extra = 1 if calendar.is_workday(before, provisional=True) else 0
        if remaining + extra > workdays:
            return day
        day, remaining = before, remaining + extra


def _used_from(calendar: WorkCalendar, limit: Limit, fraction: float) -> dt.datetime:
    """The moment ``fraction`` of the limit is used up."""
    if limit.unit is TimeUnit.HOUR:
        return limit.start + (limit.overdue_at - limit.start) * fraction
    start = local_date(limit.start)
    if limit.unit is TimeUnit.WORKDAY:
        total = calendar.between(start, limit.due, provisional=True)
        used = math.ceil(total * fraction)
        day = calendar.add(start, used, TimeUnit.WORKDAY, provisional=True).due if used else start
        return overdue_from(day)
    total_days = (limit.due - start).days
    return _midnight(start + dt.timedelta(days=math.ceil(total_days * fraction)))


class Thresholds:
    """Threshold moments under one policy and calendar, cached: a day's intake shares its dates."""

    def __init__(self, policy: AlertPolicy, calendar: WorkCalendar) -> None:
        self.policy, self.calendar = policy, calendar
        self._cache: dict[tuple[Any, ...], list[tuple[Level, dt.datetime, dt.date | None]]] = {}

    def of(self, limit: Limit) -> list[Threshold]:
        """Every threshold of one limit, in time order."""
        key = (limit.kind, limit.start, limit.due, limit.overdue_at, limit.unit)
        moments = self._cache.get(key)
        if moments is None:
            moments = [
                (t.level, t.moment, t.supervise_by)
                for t in thresholds(limit, self.policy, self.calendar)
            ]
            self._cache[key] = moments
        return [Threshold(level, moment, limit, by) for level, moment, by in moments]


def thresholds(limit: Limit, policy: AlertPolicy, calendar: WorkCalendar) -> list[Threshold]:
    """Every threshold of one limit under the policy, in time order."""
    found: list[Threshold] = []
    near = policy.near
    if near is not None and limit.kind in near.limits:
        moments = [_used_from(calendar, limit, near.used_fraction)]
        if limit.unit is not TimeUnit.HOUR:
            moments.append(_midnight(_remaining_from(calendar, limit.due, near.remaining_workdays)))
        moment = max(min(moments), limit.start)
        if moment < limit.overdue_at:
            found.append(Threshold(near.level, moment, limit))
    for rule in policy.overdue:
        if limit.kind not in rule.limits:
            continue
        moment = limit.overdue_at
        if rule.grace_workdays:
            after = calendar.add(limit.due, rule.grace_workdays, TimeUnit.WORKDAY, provisional=True)
            moment = overdue_from(after.due)
        supervise_by = None
        if rule.supervise_within_workdays:
            supervise_by = calendar.add(
                limit.due, rule.supervise_within_workdays, TimeUnit.WORKDAY, provisional=True
            ).due
        found.append(Threshold(rule.level, moment, limit, supervise_by))
    return sorted(found, key=lambda threshold: (threshold.moment, threshold.level.rank))


def _step_kind(step: Step) -> LimitKind:
    basis = step.limit.basis
    return (
        LimitKind.LEGAL
        if basis is not None and basis.rank in STATUTORY_RANKS
        else LimitKind.PROMISED
    )


def case_limits(row: Any, power: CompiledPower) -> list[Limit]:
    """The running limits of an open case: its step limit, and its case limits until decided."""
    limits: list[Limit] = []
    step = power.step(row.state)
    if row.step_due is not None and row.step_overdue_at is not None:
        kind = _step_kind(step)
        limits.append(
            Limit(
                kind=kind,
                subject=f"step:{row.state}@{row.step_entered_at.isoformat()}",
                start=row.step_entered_at,
                due=row.step_due,
                overdue_at=row.step_overdue_at,
                unit=step.limit.unit,
                text=f"{step.name} {step.limit.label()}"
                f"（{'法定' if kind is LimitKind.LEGAL else '承诺'}）",
            )
        )
    case_limits_ = power.definition.limits
    # The 法定时限 and 承诺时限 bound the decision: once a case has its outcome, only the step
    # limits that follow (送达, 发证 …) still run.
    if row.clock_started_on is not None and row.outcome is None:
        start = _midnight(row.clock_started_on)
        if row.legal_due is not None:
            text = f"法定时限 {case_limits_.legal.label()}"
            if row.extended_by and case_limits_.extension is not None:
                text += f"（已延长{row.extended_by}{case_limits_.extension.max.unit.label}）"
            limits.append(
                Limit(LimitKind.LEGAL, "case", start, row.legal_due, overdue_from(row.legal_due),
                      case_limits_.legal.unit, text)
            )
        if row.promised_due is not None and case_limits_.promised is not None:
            limits.append(
                Limit(LimitKind.PROMISED, "case", start, row.promised_due,
                      overdue_from(row.promised_due), case_limits_.promised.unit,
                      f"承诺时限 {case_limits_.promised.label()}")
            )
    return limits


def _recipients(
    policy: AlertPolicy, level: Level, power: CompiledPower, step: Step
) -> tuple[str, ...]:
    names: list[str] = []
    for recipient in policy.recipients.get(level, []):
        if recipient is Recipient.POST:
            post = power.post(step.post)
            names.append(f"{post.name}（{post.unit}）")
        elif recipient is Recipient.UNIT_HEAD:
            heads = [p for p in power.definition.posts if p.head]
            names.extend(f"{p.name}（{p.unit}）" for p in heads[:1])
        else:
            names.append(policy.supervision_office)
    return tuple(names)


# ---------------------------------------------------------------------------------------------
# The sweep

_SWEPT_COLUMNS = (
    "id", "code", "digest", "state", "status", "outcome", "paused_since", "clock_started_on",
    "legal_due", "promised_due", "extended_by", "step_entered_at", "step_due", "step_overdue_at",
    "lock_version",
)
SELECT_DUE = (
    sa.select(*(store.cases.c[name] for name in _SWEPT_COLUMNS))
    .where(store.cases.c.alert_check_at <= sa.bindparam("at"))
    .order_by(store.cases.c.alert_check_at)
)
SET_NEXT_CHECK = (
    store.cases.update()
    .where(
        store.cases.c.id == sa.bindparam("b_id"),
        store.cases.c.lock_version == sa.bindparam("b_version"),
    )
    .values(alert_check_at=sa.bindparam("next_check"))
)


def _insert_ignoring_duplicates(connection: Connection) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(store.alerts)
        .on_conflict_do_nothing(index_elements=["case_id", "subject", "level"])
        .returning(
            store.alerts.c.id, store.alerts.c.case_id, store.alerts.c.subject, store.alerts.c.level
        )
    )


def _last_policy_digest(connection: Connection) -> str | None:
    return connection.execute(
        sa.select(store.sweeps.c.policy_digest).order_by(store.sweeps.c.id.desc()).limit(1)
    ).scalar()


def sweep(
    engine: CaseEngine,
    policy: AlertPolicy,
    at: dt.datetime,
    *,
    monitor: str = "powerflow",
    webhook: Webhook | None = None,
) -> SweepResult:
    """Run one sweep at ``at``: raise due alerts exactly once, deliver, and log the sweep."""
    started_at = engine.clock()
    started = time.perf_counter()
    result = SweepResult(swept_at=at)
    # Deemed actions first (逾期视为受理 …): they move cases, and the new steps are then swept.
    result.deemed = engine.apply_deemed(at)
    db = engine.db
    with store.transaction(db) as connection:
        if _last_policy_digest(connection) not in (None, policy.digest):
            # A new policy may put thresholds elsewhere: look at every open case once.
            connection.execute(
                store.cases.update()
                .where(store.cases.c.status != "closed")
                .values(alert_check_at=at)
            )
    with db.connect() as connection:
        rows = list(connection.execute(SELECT_DUE, {"at": at}))
    result.examined = len(rows)
    pending: list[dict[str, Any]] = []
    next_checks: list[dict[str, Any]] = []
    cache = Thresholds(policy, engine.calendar)
    recipients: dict[tuple[str, str, Level], list[str]] = {}
    for row in rows:
        next_check = None
        if row.status == "open" and row.paused_since is None:
            power = engine.power(row.digest)
            step = power.step(row.state)
            for limit in case_limits(row, power):
                for threshold in cache.of(limit):
                    if threshold.moment <= at:
                        key = (power.digest, step.id, threshold.level)
                        if key not in recipients:
                            recipients[key] = list(
                                _recipients(policy, threshold.level, power, step)
                            )
                        values = _alert_values(row, power, step, threshold, recipients[key], at)
                        values["delivery"] = "pending" if webhook is not None else "none"
                        pending.append(values)
                    elif next_check is None or threshold.moment < next_check:
                        next_check = threshold.moment
        next_checks.append(
            {"b_id": row.id, "b_version": row.lock_version, "next_check": next_check}
        )
    with store.transaction(db) as connection:
        if pending:
            inserted = connection.execute(_insert_ignoring_duplicates(connection), pending).all()
            by_key = {(v["case_id"], v["subject"], v["level"]): v for v in pending}
            for row in sorted(inserted, key=lambda r: r.id):
                result.alerts.append(_alert(row.id, by_key[(row.case_id, row.subject, row.level)]))
        if next_checks:
            connection.execute(SET_NEXT_CHECK, next_checks)
    if webhook is not None:
        result.delivered, result.failed_deliveries = deliver_pending(db, webhook, at)
    result.duration_ms = (time.perf_counter() - started) * 1000
    with store.transaction(db) as connection:
        connection.execute(
            store.sweeps.insert().values(
                swept_at=at,
                started_at=started_at,
                duration_ms=result.duration_ms,
                examined=result.examined,
                warnings=result.count(Level.WARNING),
                yellows=result.count(Level.YELLOW),
                reds=result.count(Level.RED),
                delivered=result.delivered,
                failed_deliveries=result.failed_deliveries,
                policy=policy.name,
                policy_digest=policy.digest,
                monitor=monitor,
            )
        )
    return result


def _alert_values(
    row: Any,
    power: CompiledPower,
    step: Step,
    threshold: Threshold,
    recipients: list[str],
    at: dt.datetime,
) -> dict[str, Any]:
    limit = threshold.limit
    post = power.post(step.post)
    text = limit.text
    if threshold.supervise_by is not None:
        text += f"；督办期限 {threshold.supervise_by.isoformat()}"
    return {
        "case_id": row.id,
        "code": row.code,
        "subject": limit.subject,
        "step": row.state,
        "post": post.id,
        "unit": post.unit,
        "level": threshold.level.value,
        "limit_kind": limit.kind.value,
        "due": limit.due,
        "limit_text": text,
        "overdue_days": max(0, (local_date(at) - limit.due).days),
        "recipients": recipients,
        "raised_at": at,
        "status": "open",
        "delivery": "pending",
        "delivery_attempts": 0,
    }


def _alert(alert_id: int, values: dict[str, Any]) -> Alert:
    return Alert(
        id=alert_id,
        case=values["case_id"],
        power=values["code"],
        subject=values["subject"],
        step=values["step"],
        post=values["post"],
        unit=values["unit"],
        level=Level(values["level"]),
        limit_kind=values["limit_kind"],
        due=values["due"],
        limit=values["limit_text"],
        overdue_days=values["overdue_days"],
        recipients=list(values["recipients"]),
        raised_at=values["raised_at"],
        status=values["status"],
    )


def alert_from_row(row: Any) -> Alert:
    """An alert as stored."""
    return _alert(row.id, dict(row._mapping))


def sweep_log(engine: CaseEngine, limit: int = 50) -> list[dict[str, Any]]:
    """The most recent sweeps, newest first."""
    with engine.db.connect() as connection:
        rows = connection.execute(
            sa.select(store.sweeps).order_by(store.sweeps.c.id.desc()).limit(limit)
        )
        return [dict(row._mapping) for row in rows]


def mark_all_for_check(
    engine: CaseEngine, at: dt.datetime, case_ids: Iterable[int] | None = None
) -> None:
    """Ask the next sweep to look at these open cases (or all) again."""
    query = store.cases.update().where(store.cases.c.status != "closed").values(alert_check_at=at)
    if case_ids is not None:
        query = query.where(store.cases.c.id.in_(list(case_ids)))
    with store.transaction(engine.db) as connection:
        connection.execute(query)


__all__: Sequence[str] = [
    "Alert",
    "Limit",
    "SweepResult",
    "Threshold",
    "alert_from_row",
    "case_limits",
    "mark_all_for_check",
    "sweep",
    "sweep_log",
    "thresholds",
]
