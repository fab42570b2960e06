"""效能积分 (E-04): per agency, unit and post, a month's handled steps, timeliness, alerts, score.

A post belongs to its agency (实施主体): posts of one agency are scored together across its
powers, while two agencies that each have, say, a 局领导班子 with a ``director`` post stay apart.

A post is scored on the steps it completed in the month (on time: before the step's limit ran
out; early: done before the limit's last day) and on the alerts raised against it (revoked
alerts do not count). Score = base + weight × alerts per level + a bonus of ``early_bonus`` for
every full ``early_share_step`` of early completions.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import sqlalchemy as sa

from powerflow import store
from powerflow.engine import SHANGHAI, CaseEngine
from powerflow.monitor.policy import AlertPolicy, Level


@dataclass
class PostScore:
    """One post's month."""

    subject: str
    """The agency (实施主体) the post belongs to."""
    unit: str
    post: str
    post_name: str
    handled: int = 0
    on_time: int = 0
    early: int = 0
    alerts: dict[str, int] = field(default_factory=lambda: {level.value: 0 for level in Level})
    score: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "unit": self.unit,
            "post": self.post,
            "post_name": self.post_name,
            "handled": self.handled,
            "on_time": self.on_time,
            "early": self.early,
            "warnings": self.alerts["warning"],
            "yellows": self.alerts["yellow"],
            "reds": self.alerts["red"],
            "score": self.score,
        }


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next one, Asia/Shanghai, as UTC."""
    first = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=SHANGHAI)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.astimezone(dt.UTC), following.astimezone(dt.UTC)


def efficiency(engine: CaseEngine, month: str, policy: AlertPolicy) -> list[PostScore]:
    """The efficiency scores of every agency's units and posts active in the month, sorted."""
    start, end = month_bounds(month)
    scores: dict[tuple[str, str, str], PostScore] = {}

    def score_for(digest: str, step_id: str) -> PostScore:
        power = engine.power(digest)
        post = power.post(power.step(step_id).post)
        subject = power.definition.subject
        key = (subject, post.unit, post.id)
        if key not in scores:
            scores[key] = PostScore(
                subject=subject, unit=post.unit, post=post.id, post_name=post.name
            )
        return scores[key]

    entries, cases, alerts = store.step_entries, store.cases, store.alerts
    with engine.db.connect() as connection:
        rows = connection.execute(
            sa.select(entries, cases.c.digest)
            .join(cases, cases.c.id == entries.c.case_id)
            .where(entries.c.left_at >= start, entries.c.left_at < end)
        )
        for row in rows:
            score = score_for(row.digest, row.step)
            score.handled += 1
            if row.overdue_at is None or row.left_at < row.overdue_at:
                score.on_time += 1
            if row.due is not None and row.left_at.astimezone(SHANGHAI).date() < row.due:
                score.early += 1
        alert_rows = connection.execute(
            sa.select(alerts.c.level, alerts.c.step, cases.c.digest)
            .join(cases, cases.c.id == alerts.c.case_id)
            .where(
                alerts.c.raised_at >= start, alerts.c.raised_at < end, alerts.c.status != "revoked"
            )
        )
        for row in alert_rows:
            if row.step is not None:
                score_for(row.digest, row.step).alerts[row.level] += 1
    weights = policy.scores
    for score in scores.values():
        points = weights.base
        points += weights.warning * score.alerts["warning"]
        points += weights.yellow * score.alerts["yellow"]
        points += weights.red * score.alerts["red"]
        if score.handled:
            share = score.early / score.handled
            points += weights.early_bonus * math.floor(share / weights.early_share_step + 1e-9)
        score.score = round(points, 2)
    return sorted(scores.values(), key=lambda s: (s.subject, s.unit, s.post))
