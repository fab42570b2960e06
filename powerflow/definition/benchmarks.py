"""处罚种类与数额 and 裁量基准 (discretion benchmarks) of a 行政处罚 definition."""

from __future__ import annotations

import itertools
import typing
from decimal import Decimal

from pydantic import Field, model_validator

from powerflow.definition.parts import Citation, DefinitionPart, Text
from powerflow.definition.vocabulary import PartyType, PenaltyType, TierKind


class PenaltyProfile(DefinitionPart):
    """处罚种类与数额 of a 行政处罚: decide the hearing right and the 简易程序 guard."""

    types: list[PenaltyType] = Field(min_length=1, description="处罚种类 (行政处罚法 art. 9)")
    parties: list[PartyType] = Field(
        default_factory=lambda: [PartyType.INDIVIDUAL, PartyType.ORGANISATION],
        min_length=1,
        description="当事人类型: individual 公民, organisation 法人或者其他组织",
    )
    max_fine: dict[PartyType, Decimal] = Field(
        default_factory=dict,
        description="最高罚款数额 (元) per party type; leave a party out when the fine has no "
        "fixed ceiling (a multiple of 违法所得 or 货值金额) or comes from the benchmarks",
    )
    jurisdiction: str | None = Field(
        default=None, description="较大数额标准适用的地区 (jurisdiction), e.g. 浙江省"
    )
    sector: str | None = Field(default=None, description="行业 (sector), e.g. 市场监管, 公安")
    basis: Citation | None = Field(
        default=None,
        description="依据 of the types and amounts, e.g. a law allowing a higher 简易程序 amount",
    )


class FineRange(DefinitionPart):
    """罚款幅度: an amount in 元, or multiples of a base amount such as 违法所得 or 货值金额."""

    min: Decimal = Field(default=Decimal(0), ge=0, description="下限; 0 when only a maximum is set")
    max: Decimal = Field(gt=0, description="上限")
    of: str | None = Field(
        default=None, description="倍数基数, e.g. 货值金额, 违法所得; omit for amounts in 元"
    )

    @model_validator(mode="after")
    def _ordered(self) -> FineRange:
        if self.min > self.max:
            raise ValueError(f"the minimum {self.min} is above the maximum {self.max}")
        return self

    def label(self) -> str:
        low, high = amount_text(self.min), amount_text(self.max)
        if self.of:
            return f"{self.of}{low}倍以上{high}倍以下"
        return f"{low}元以上{high}元以下" if self.min else f"{high}元以下"


def amount_text(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 50000, 0.5."""
    return format(value.normalize(), "f")


class Tier(DefinitionPart):
    """裁量档次: the circumstances that place a case in this tier and the fine it allows."""

    tier: TierKind = Field(description="档次: 不予处罚, 减轻, 从轻, 一般, 从重")
    circumstances: list[str] = Field(default_factory=list, description="适用情形")
    fine: FineRange | None = Field(default=None, description="罚款幅度; none for 不予处罚")
    grounds: list[Citation] = Field(
        default_factory=list,
        description="法定依据 for 减轻 and 不予处罚 (行政处罚法 arts. 32, 33)",
    )
    description: str | None = Field(default=None, description="说明 (e.g. 其他处罚种类)")


class Band(DefinitionPart):
    """One statutory range of a violation, chosen by a base amount (e.g. 货值金额不足一万元)."""

    when: str | None = Field(default=None, description="适用条件 as the statute words it")
    measure: str | None = Field(
        default=None, description="the base amount that selects this band, e.g. 货值金额"
    )
    at_least: Decimal | None = Field(default=None, ge=0, description="以上 (≥), in 元")
    below: Decimal | None = Field(default=None, gt=0, description="不足 (<), in 元")
    statutory: FineRange = Field(description="法定处罚幅度")
    tiers: list[Tier] = Field(min_length=1, description="裁量档次")

    @model_validator(mode="after")
    def _selector(self) -> Band:
        if (self.at_least is not None or self.below is not None) and not self.measure:
            raise ValueError("a band chosen by at_least or below must name its measure")
        if self.at_least is not None and self.below is not None and self.at_least >= self.below:
            raise ValueError(f"at_least {self.at_least} must be below below {self.below}")
        return self

    def selects(self, amounts: typing.Mapping[str, Decimal]) -> bool:
        """True when the base amounts fall in this band (a band without a measure always does)."""
        if not self.measure:
            return True
        value = amounts[self.measure]
        if self.at_least is not None and value < self.at_least:
            return False
        return self.below is None or value < self.below


class Benchmark(DefinitionPart):
    """裁量基准 of one violation (违法行为): statutory range(s) and tiers (行政处罚法 art. 34)."""

    violation: Text = Field(description="违法行为编码, e.g. SJ-SP-122-01")
    name: Text = Field(description="违法行为名称")
    basis: list[Citation] = Field(min_length=1, description="违法依据与处罚依据")
    types: list[PenaltyType] = Field(default_factory=list, description="处罚种类")
    bands: list[Band] = Field(min_length=1, description="法定幅度 (one per statutory range)")

    @model_validator(mode="after")
    def _bands_partition(self) -> Benchmark:
        measures = {band.measure for band in self.bands}
        if len(self.bands) > 1 and (None in measures or len(measures) > 1):
            raise ValueError("several bands must all be chosen by the same measure")
        spans = sorted(
            ((band.at_least or Decimal(0), band.below) for band in self.bands),
            key=lambda span: span[0],
        )
        for (_, first_below), (second_low, _) in itertools.pairwise(spans):
            if first_below is None or first_below > second_low:
                raise ValueError("the bands' at_least/below ranges overlap")
        return self
