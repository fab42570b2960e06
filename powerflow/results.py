"""执法结果公开: a month's decisions per power, by outcome, and how many came within the 法定时限.

Read from the case record (the ``acted`` events that carry an outcome), so the published
figures are the ones the record proves. Nothing about the parties or officers is included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from powerflow import store
from powerflow.engine import SHANGHAI, CaseEngine, local_date


@dataclass
class PowerResults:
    """One power's month."""

    code: str
    name: str
    category: str
    subject: str
    decisions: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decisions if self.decisions else None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "subject": self.subject,
            "decisions": self.decisions,
            "outcomes": dict(sorted(self.outcomes.items())),
            "on_time": self.on_time,
            "on_time_rate": None if self.on_time_rate is None else round(self.on_time_rate, 4),
        }


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next one (Asia/Shanghai), in UTC."""
    first = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=SHANGHAI)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.astimezone(dt.UTC), following.astimezone(dt.UTC)


def monthly_results(engine: CaseEngine, month: str) -> list[PowerResults]:
    """Every registered power with its decisions of the month, sorted by code."""
    start, end = month_range(month)
    results: dict[str, PowerResults] = {}
    definitions, events, cases = store.definition_versions, store.events, store.cases
    with engine.db.connect() as connection:
        for row in connection.execute(sa.select(definitions.c.code, definitions.c.digest)):
            power = engine.newest(row.code) if row.code not in results else None
            if power is not None:
                definition = power.definition
                results[row.code] = PowerResults(
                    definition.code, definition.name, definition.category, definition.subject
                )
        decided = connection.execute(
            sa.select(events.c.payload, events.c.effective_at, cases.c.code)
            .join(cases, cases.c.id == events.c.case_id)
            .where(
                events.c.kind == "acted",
                events.c.effective_at >= start,
                events.c.effective_at < end,
            )
        )
        for row in decided:
            outcome = row.payload.get("outcome")
            if not outcome or row.code not in results:
                continue
            power_results = results[row.code]
            power_results.decisions += 1
            power_results.outcomes[outcome] += 1
            legal_due = (row.payload.get("deadlines") or {}).get("legal_due")
            if legal_due is None or local_date(row.effective_at) <= dt.date.fromisoformat(
                legal_due
            ):
                power_results.on_time += 1
    return [results[code] for code in sorted(results)]
