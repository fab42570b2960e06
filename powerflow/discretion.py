"""行政处罚裁量 (discretion): the tier a case falls in, the fine it allows, the 较大数额 threshold.

Pure functions over a definition's benchmarks (裁量基准, ``Definition.benchmarks``); nothing here
reads a clock, a database or a case. The engine calls them when a penalty is decided:

* ``assess(benchmark, circumstances, base)``: the tier the circumstances call for and the fine it
  allows, in 元 (multiples of 违法所得 or 货值金额 resolved from ``base``);
* ``place(benchmark, fine, base)``: which tier(s) a decided fine falls in, and whether it lies in
  the statutory range at all;
* ``hearing_threshold(party, jurisdiction=, sector=)``: the 较大数额 from which a hearing must be
  offered (行政处罚法 art. 63), from ``powerflow/data/hearing_thresholds.yaml``.

How circumstances choose the tier (the rule the legal office signs off):

1. 不予处罚 when any of its circumstances is present (行政处罚法 art. 33);
2. else 减轻 when any of its circumstances is present (art. 32);
3. else 从轻 or 从重 when only that tier's circumstances are present;
4. else 一般: no listed circumstance, or 从轻 and 从重 circumstances together (they offset and the
   case is weighed as a whole, 综合裁量).

A circumstance that no tier of the benchmark lists is an error (with a did-you-mean): a tier must
never be chosen on a tag the published benchmark does not contain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

import yaml

from powerflow.definition import (
    Band,
    Benchmark,
    Definition,
    FineRange,
    PartyType,
    Tier,
    TierKind,
    amount_text,
)
from powerflow.errors import BenchmarkError, did_you_mean

Amounts = Mapping[str, Decimal | int | float | str]
"""Base amounts by name, e.g. {"货值金额": 8000, "违法所得": 1200}, in 元."""

_TIER_ORDER = list(TierKind)


@dataclass(frozen=True, slots=True)
class YuanRange:
    """A closed range of fines in 元."""

    low: Decimal
    high: Decimal

    def __contains__(self, amount: object) -> bool:
        return isinstance(amount, Decimal | int) and self.low <= amount <= self.high

    def label(self) -> str:
        return f"{amount_text(self.low)}–{amount_text(self.high)} 元"


@dataclass(frozen=True, slots=True)
class Assessment:
    """The tier a case's circumstances call for and the fine that tier allows."""

    violation: str
    band: int
    """Index of the statutory band applied (``Benchmark.bands``)."""
    tier: TierKind
    decisive: tuple[str, ...]
    """The given circumstances that decided the tier (empty for a default 一般)."""
    allowed: YuanRange | None
    """The tier's fine in 元; None when the tier sets no fine (不予处罚)."""
    statutory: YuanRange


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a decided fine lies: its tier(s) and whether the statutory range holds it."""

    violation: str
    band: int
    fine: Decimal
    tiers: tuple[TierKind, ...]
    """Every tier whose range holds the fine (two at a shared boundary); empty: outside all."""
    within_statutory: bool
    statutory: YuanRange


@dataclass(frozen=True, slots=True)
class Threshold:
    """The 较大数额 for one party type, where it comes from, and whether it is a fallback."""

    party: PartyType
    amount: Decimal
    jurisdiction: str
    sector: str
    source: str
    fallback: bool = False


def find_benchmark(definition: Definition, violation: str) -> Benchmark:
    """The benchmark of a violation code in a definition; BenchmarkError when there is none."""
    for benchmark in definition.benchmarks:
        if benchmark.violation == violation:
            return benchmark
    codes = [b.violation for b in definition.benchmarks]
    raise BenchmarkError(
        f"{definition.code} has no 裁量基准 for violation {violation}"
        f"{did_you_mean(violation, codes)}; it has: {', '.join(codes) or 'none'}"
    )


def assess(
    benchmark: Benchmark, circumstances: Iterable[str] = (), base: Amounts | None = None
) -> Assessment:
    """The tier the circumstances call for and the fine it allows (see the module docstring)."""
    amounts = _amounts(base)
    index, band = _band(benchmark, amounts)
    given = list(dict.fromkeys(circumstances))
    known = [c for tier in band.tiers for c in tier.circumstances]
    for circumstance in given:
        if circumstance not in known:
            raise BenchmarkError(
                f"{benchmark.violation}: no tier lists the circumstance {circumstance}"
                f"{did_you_mean(circumstance, known)}"
            )
    present = {
        tier.tier: tuple(c for c in given if c in tier.circumstances)
        for tier in band.tiers
        if any(c in tier.circumstances for c in given)
    }
    chosen = TierKind.ORDINARY
    for kind in (TierKind.NO_PENALTY, TierKind.MITIGATED):
        if kind in present:
            chosen = kind
            break
    else:
        lighter, heavier = TierKind.LIGHTER in present, TierKind.HEAVIER in present
        if lighter != heavier:
            chosen = TierKind.LIGHTER if lighter else TierKind.HEAVIER
    tier = _tier(benchmark, band, chosen)
    allowed = resolve(tier.fine, amounts) if tier.fine is not None else None
    return Assessment(
        benchmark.violation,
        index,
        chosen,
        present.get(chosen, ()),
        allowed,
        resolve(band.statutory, amounts),
    )


def place(
    benchmark: Benchmark, fine: Decimal | int | str, base: Amounts | None = None
) -> Placement:
    """The tier(s) a decided fine falls in and whether the statutory range holds it."""
    amounts = _amounts(base)
    amount = _decimal("the fine", fine)
    index, band = _band(benchmark, amounts)
    tiers = tuple(
        tier.tier
        for tier in sorted(band.tiers, key=lambda t: _TIER_ORDER.index(t.tier))
        if tier.fine is not None and amount in resolve(tier.fine, amounts)
    )
    statutory = resolve(band.statutory, amounts)
    return Placement(benchmark.violation, index, amount, tiers, amount in statutory, statutory)


def resolve(fine: FineRange, base: Amounts | None = None) -> YuanRange:
    """A fine range in 元: multiples are multiplied by the named base amount."""
    if fine.of is None:
        return YuanRange(fine.min, fine.max)
    amounts = _amounts(base)
    if fine.of not in amounts:
        raise BenchmarkError(f"the fine is a multiple of {fine.of}: give its amount")
    factor = amounts[fine.of]
    return YuanRange(fine.min * factor, fine.max * factor)


def hearing_threshold(
    party: PartyType, *, jurisdiction: str | None = None, sector: str | None = None
) -> Threshold:
    """The 较大数额 for a party type in a jurisdiction and sector (行政处罚法 art. 63, P-23)."""
    table = [row for row in _thresholds() if row.party is party]
    for key in ((jurisdiction, sector), (jurisdiction, "*"), ("全国", sector), ("全国", "*")):
        match = next((row for row in table if (row.jurisdiction, row.sector) == key), None)
        if match is not None:
            return match
    lowest = min(table, key=lambda row: row.amount)
    return Threshold(party, lowest.amount, lowest.jurisdiction, lowest.sector, lowest.source, True)


# ---------------------------------------------------------------------------------------------


@cache
def _thresholds() -> tuple[Threshold, ...]:
    text = (
        resources.files("powerflow").joinpath("data", "hearing_thresholds.yaml").read_text("utf-8")
    )
    rows = yaml.safe_load(text)["thresholds"]
    return tuple(
        Threshold(
            PartyType(row["party"]),
            Decimal(str(row["amount"])),
            str(row["jurisdiction"]),
            str(row["sector"]),
            str(row["source"]),
        )
        for row in rows
    )


def _amounts(base: Amounts | None) -> dict[str, Decimal]:
    return {name: _decimal(name, value) for name, value in (base or {}).items()}


def _decimal(name: str, value: Decimal | int | float | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise BenchmarkError(f"{name} must be an amount in 元, got {value}") from exc
    if amount < 0:
        raise BenchmarkError(f"{name} must not be negative, got {value}")
    return amount


def _band(benchmark: Benchmark, amounts: Mapping[str, Decimal]) -> tuple[int, Band]:
    for index, band in enumerate(benchmark.bands):
        if band.measure and band.measure not in amounts:
            raise BenchmarkError(
                f"{benchmark.violation}: the statutory range depends on {band.measure}: "
                "give its amount"
            )
        if band.selects(amounts):
            return index, band
    raise BenchmarkError(f"{benchmark.violation}: no statutory band covers the amounts given")


def _tier(benchmark: Benchmark, band: Band, kind: TierKind) -> Tier:
    for tier in band.tiers:
        if tier.tier is kind:
            return tier
    raise BenchmarkError(f"{benchmark.violation}: the benchmark has no {kind.value} tier")
