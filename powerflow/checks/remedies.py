"""Counterparty remedies (行政复议法 2023, 行政诉讼法): every decision tells the party where and
within what period to seek 复议 and 诉讼.

A route counts as stated when it comes with its period: a 复议 or 诉讼 right with a ``window`` on
the decision step or on the step the exit leads to (the 决定书 送达), or a 复议 or 诉讼 channel with
a ``period`` in ``supervision.external`` (the definition's standing notice, printed on every
决定书). Exits whose ``outcome_kind`` is ``transfer`` (移送) decide nothing on the party and are
skipped.

A 诉讼 period shorter than 6 months is an override when it cites a 法律 (行政诉讼法 art. 46:
"法律另有规定的除外"), e.g. the 15 days after a 复议前置 decision (art. 45) or 森林法 art. 22;
a 复议 period is never shorter than 60 days (复议法 art. 20 admits only longer ones).

On-the-spot penalties (简易程序) must go to 复议 first (复议前置, 行政复议法 art. 23 (一), in force
2024-01-01): their 诉讼 route is the 15 days after the 复议决定 (行政诉讼法 art. 45), never the
direct 6 months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from powerflow.checks.common import (
    action_field,
    channel_field,
    decision_exits,
    is_simple_procedure,
    limit,
    right_field,
    shorter_than,
)
from powerflow.checks.registry import LAWS, Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.definition import ChannelKind, Duration, RightKind, TimeUnit
from powerflow.findings import Severity

ERROR = Severity.ERROR
ROUTES = {
    RightKind.RECONSIDERATION: ChannelKind.RECONSIDERATION,
    RightKind.LITIGATION: ChannelKind.LITIGATION,
}
RECONSIDERATION_FIRST_FROM = dt.date(2024, 1, 1)


def stated_periods(power: CompiledPower) -> Iterator[tuple[RightKind, str, Duration]]:
    """Every stated 复议/诉讼 period: right windows on steps and channel periods."""
    definition = power.definition
    for step in definition.steps:
        for index, right in enumerate(step.rights):
            if right.right in ROUTES and right.window is not None:
                yield right.right, right_field(step, index, "window"), right.window
    for index, channel in enumerate(definition.supervision.external):
        for route, kind in ROUTES.items():
            if channel.kind is kind and channel.period is not None:
                yield route, channel_field(index, "period"), channel.period


def _simple_penalty(power: CompiledPower) -> bool:
    definition = power.definition
    return (
        definition.category == "行政处罚"
        and is_simple_procedure(definition)
        and definition.effective >= RECONSIDERATION_FIRST_FROM
    )


@rule(
    "remedies.decision-routes",
    ERROR,
    "every decision exit states the 复议 and 诉讼 routes with their periods",
    statute="行政复议法; 行政诉讼法",
    article="复议法 20; 行诉法 46",
)
def decision_routes(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    standing = {
        right
        for channel in definition.supervision.external
        for right, kind in ROUTES.items()
        if channel.kind is kind and channel.period is not None
    }
    for exit_ in decision_exits(power):
        if exit_.action.transfers:
            continue
        stated = set(standing)
        for step in (power.step(exit_.source), power.step(exit_.target)):
            stated |= {r.right for r in step.rights if r.right in ROUTES and r.window is not None}
        missing = [right.value for right in ROUTES if right not in stated]
        if missing:
            yield Violation(
                action_field(exit_.source, exit_.action),
                f"the decision exit {exit_.action.action} states no {'/'.join(missing)} route with "
                "its period: give the decision (or the step it leads to) the rights with a window, "
                "or list the channels with their period in supervision.external",
            )


@rule(
    "remedies.periods",
    ERROR,
    "stated periods are not shorter than 60 days (复议) and 6 months (诉讼)",
    statute="行政复议法; 行政诉讼法",
    article="复议法 20; 行诉法 46",
    overridable_by=LAWS,
    default="60 日 (复议, never shorter); 6 个月 (诉讼, unless a 法律 says otherwise)",
)
def periods(power: CompiledPower) -> Iterator[Violation]:
    minimum = {
        RightKind.RECONSIDERATION: limit(60, TimeUnit.DAY, "行政复议法", "20"),
        RightKind.LITIGATION: limit(6, TimeUnit.MONTH, "行政诉讼法", "46"),
    }
    simple = _simple_penalty(power)
    for right, field, period in stated_periods(power):
        if right is RightKind.LITIGATION and simple:
            continue  # 复议前置: the 15 days after the 复议决定 (remedies.reconsideration-first)
        floor = minimum[right]
        if shorter_than(period, floor):
            assert floor.basis is not None
            # 行诉法 art. 46 yields to "法律另有规定" (森林法 art. 22, the 15 days after a 复议前置
            # decision in art. 45); 复议法 art. 20 admits only longer periods, never shorter.
            cited = period.basis if right is RightKind.LITIGATION else None
            yield Violation(
                field,
                f"the {right.value} period {period.label()} is shorter than the "
                f"{floor.label()} of {floor.basis.label()}: the party may not be told less",
                cited,
            )


@rule(
    "remedies.reconsideration-first",
    ERROR,
    "简易程序 penalties offer 复议 first, not a direct 诉讼",
    statute="行政复议法",
    article="23",
)
def reconsideration_first(power: CompiledPower) -> Iterator[Violation]:
    if not _simple_penalty(power):
        return
    after_reconsideration = Duration(value=15, unit=TimeUnit.DAY)
    for right, field, period in stated_periods(power):
        if right is RightKind.LITIGATION and shorter_than(after_reconsideration, period):
            yield Violation(
                field,
                f"an on-the-spot penalty offers 诉讼 within {period.label()}, a direct suit: "
                "当场作出的行政处罚决定 must go to 复议 first (复议前置, 行政复议法 art. 23); "
                "state "
                "诉讼 as 15 日 after the 复议决定 (行政诉讼法 art. 45)",
            )
