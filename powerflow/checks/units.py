"""Time units per statute (domain rules §1): a limit's unit must match how the law it cites counts.

The classic mistake is the 行政处罚法 90-day decision limit declared in working days. Each
statute says which of its periods are 工作日 (working days) and which are 自然日:

======================  =====================================================  ==========
statute                 working days (工作日)                                   basis
======================  =====================================================  ==========
行政许可法              every period                                           art. 82
行政处罚法              only 二日, 三日, 五日, 七日; others are calendar days  art. 85
行政强制法              periods of ten days or less; longer ones calendar days art. 69
行政复议法 (2023)       三日, 五日, 七日, 十日; others calendar days            art. 88
行政复议法 (before 2024) 五日, 七日 only                                       art. 40
政府信息公开条例        every period (written 个工作日)                         arts. 26, 30, 33
行政诉讼法              none: court periods follow the 民事诉讼法               art. 101
======================  =====================================================  ==========

Only limits in days are judged (months and hours are what they say). The 行政复议法 in force is
chosen by the definition's effective date (the 2023 revision applies from 2024-01-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from powerflow.checks.common import durations, statute_of
from powerflow.checks.registry import Rule, Violation, register
from powerflow.compiler import CompiledPower
from powerflow.definition import Definition, Duration, TimeUnit
from powerflow.findings import Severity

WARNING = Severity.WARNING
WD, CD = TimeUnit.WORKDAY, TimeUnit.DAY

RECONSIDERATION_2023_IN_FORCE = dt.date(2024, 1, 1)

Expected = Callable[[int, Definition], TimeUnit]
"""The unit a statute expects for a period of n days, for the given definition."""


@dataclass(frozen=True)
class StatuteUnits:
    """How one statute counts its periods: the rule that enforces it and the unit per period."""

    rule: str
    law: str
    article: str
    summary: str
    expected: Expected
    why: str

    def check(self, power: CompiledPower) -> Iterator[Violation]:
        for field, duration in durations(power.definition):
            basis = duration.basis
            if basis is None or duration.unit not in (WD, CD) or statute_of(basis) != self.law:
                continue
            unit = self.expected(duration.value, power.definition)
            if duration.unit is not unit:
                wanted = Duration(value=duration.value, unit=unit).label()
                yield Violation(
                    f"{field}.unit",
                    f"{duration.label()} cites {basis.label()}, but {self.why}: "
                    f"declare it as {wanted} (unit: {unit.value})",
                )


def _reconsideration_unit(n: int, definition: Definition) -> TimeUnit:
    if definition.effective >= RECONSIDERATION_2023_IN_FORCE:
        return WD if n in (3, 5, 7, 10) else CD
    return WD if n in (5, 7) else CD


STATUTES = (
    StatuteUnits(
        "units.licensing",
        "行政许可法",
        "82",
        "a limit citing the 行政许可法 is counted in working days",
        lambda n, d: WD,
        "the 行政许可法 counts its periods in 工作日 (art. 82)",
    ),
    StatuteUnits(
        "units.penalty",
        "行政处罚法",
        "85",
        "a limit citing the 行政处罚法 is in working days only for 二/三/五/七日, else in days",
        lambda n, d: WD if n in (2, 3, 5, 7) else CD,
        "the 行政处罚法 counts only 二日、三日、五日、七日 in 工作日 and every other period "
        "in 自然日 (art. 85)",
    ),
    StatuteUnits(
        "units.compulsion",
        "行政强制法",
        "69",
        "a limit citing the 行政强制法 is in working days up to ten days, else calendar days",
        lambda n, d: WD if n <= 10 else CD,
        "the 行政强制法 counts periods of 十日以内 in 工作日 and longer ones in 自然日 (art. 69)",
    ),
    StatuteUnits(
        "units.reconsideration",
        "行政复议法",
        "88 (2023); 40 (1999/2017)",
        "a limit citing the 行政复议法 is in working days only for 三/五/七/十日 (五/七 pre-2024)",
        _reconsideration_unit,
        "the 行政复议法 counts only 三日、五日、七日、十日 (五日、七日 before 2024) in 工作日 "
        "and other periods in 自然日 (art. 88; art. 40 of the 2017 text)",
    ),
    StatuteUnits(
        "units.disclosure",
        "政府信息公开条例",
        "26, 30, 33",
        "a limit citing the 政府信息公开条例 is counted in working days",
        lambda n, d: WD,
        "the 政府信息公开条例 writes its periods as 个工作日 (arts. 26, 30, 33)",
    ),
    StatuteUnits(
        "units.litigation",
        "行政诉讼法",
        "101",
        "a limit citing the 行政诉讼法 is in calendar days (民事诉讼法 period rules)",
        lambda n, d: CD,
        "court periods follow the 民事诉讼法 and run in 自然日 (行政诉讼法 art. 101)",
    ),
)

for _statute in STATUTES:
    register(
        Rule(
            _statute.rule,
            WARNING,
            _statute.summary,
            _statute.law,
            _statute.article,
            _statute.check,
        )
    )
