"""行政处罚裁量基准 (discretion benchmarks, domain rules §10): tiers inside the statutory range,
complete, ordered without overlap, split the way local rules expect, and 减轻/不予处罚 only on
cited grounds.

Each band of a benchmark is one statutory range (法定幅度). Within it the tiers 从轻, 一般 and 从重
are required and must rise without overlapping (they may share a boundary amount) and without a
gap: every amount of the statutory range falls in some tier, so no fine can be decided that no
tier justifies (a fine of 17 元 between 从轻 5-15 元 and 一般 20-35 元 is an error). 减轻 lies
below the statutory minimum (行政处罚法 art. 32 grounds); 不予处罚 sets no fine (art. 33 grounds).
For a range with only a maximum the local rule (domain rules D-03) is read so that it leaves no
gap: 从轻 stays within 20 % of the maximum and 一般 holds 40-60 % of it (it may reach further
down, to where 从轻 ends).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise

from powerflow.checks.registry import Violation, rule
from powerflow.compiler import CompiledPower
from powerflow.definition import Band, FineRange, PenaltyType, TierKind, amount_text
from powerflow.findings import Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING
LAW = "行政处罚法"
REQUIRED = (TierKind.LIGHTER, TierKind.ORDINARY, TierKind.HEAVIER)
ORDER = list(TierKind)


def _bands(power: CompiledPower) -> Iterator[tuple[str, str, Band]]:
    """(field path of the band, violation code, band) for every band of every benchmark."""
    for i, benchmark in enumerate(power.definition.benchmarks):
        for j, band in enumerate(benchmark.bands):
            yield f"benchmarks.{i}.bands.{j}", benchmark.violation, band


def _unit(fine: FineRange) -> str:
    return f"倍{fine.of}" if fine.of else "元"


def _amount(value: Decimal, fine: FineRange) -> str:
    """An amount in the range's units: 15 元, 13 倍货值金额."""
    return f"{amount_text(value)} {_unit(fine)}"


@rule(
    "benchmarks.missing",
    WARNING,
    "a 行政处罚 with fines publishes its 裁量基准",
    statute=LAW,
    article="34",
)
def missing(power: CompiledPower) -> Iterator[Violation]:
    definition = power.definition
    profile = definition.penalty
    if profile is not None and PenaltyType.FINE in profile.types and not definition.benchmarks:
        yield Violation(
            "penalty.types",
            "the penalty includes a fine but the definition publishes no 裁量基准 (benchmarks): "
            "行政机关可以依法制定行政处罚裁量基准…并向社会公布 (art. 34), and the 权力公开 rules "
            "require each department to publish its benchmarks",
        )


@rule(
    "benchmarks.unique-code",
    ERROR,
    "each violation code has one benchmark in a definition",
    statute=LAW,
    article="34",
)
def unique_code(power: CompiledPower) -> Iterator[Violation]:
    seen: set[str] = set()
    for index, benchmark in enumerate(power.definition.benchmarks):
        if benchmark.violation in seen:
            yield Violation(
                f"benchmarks.{index}.violation",
                f"the violation code {benchmark.violation} has a benchmark already",
            )
        seen.add(benchmark.violation)


@rule(
    "benchmarks.within-statutory",
    ERROR,
    "tiers stay in the statutory range (减轻 below it, 不予处罚 without a fine), in its units",
    statute=LAW,
    article="32, 33, 34",
)
def within_statutory(power: CompiledPower) -> Iterator[Violation]:
    for path, code, band in _bands(power):
        law = band.statutory
        for k, tier in enumerate(band.tiers):
            field = f"{path}.tiers.{k}.fine"
            name = f"{code} {tier.tier.value}"
            fine = tier.fine
            if tier.tier is TierKind.NO_PENALTY:
                if fine is not None:
                    yield Violation(field, f"{name} sets a fine: 不予处罚 imposes none")
                continue
            if fine is None:
                yield Violation(f"{path}.tiers.{k}", f"{name} sets no fine range")
                continue
            if fine.of != law.of:
                yield Violation(
                    field,
                    f"{name} is in {_unit(fine)} but the statutory range {law.label()} is in "
                    f"{_unit(law)}: state the tier the way the statute does",
                )
                continue
            if tier.tier is TierKind.MITIGATED:
                if fine.max > law.min or law.min == 0:
                    yield Violation(
                        field,
                        f"{name} {fine.label()} is not below the statutory minimum of "
                        f"{law.label()}: 减轻 means below the minimum (art. 32)",
                    )
            elif fine.min < law.min or fine.max > law.max:
                yield Violation(
                    field,
                    f"{name} {fine.label()} leaves the statutory range {law.label()}",
                )


@rule(
    "benchmarks.tiers-missing",
    ERROR,
    "each statutory range has the tiers 从轻, 一般 and 从重",
    statute="行政处罚裁量基准 local rules (国办发〔2022〕27号)",
    article="D-03",
)
def tiers_missing(power: CompiledPower) -> Iterator[Violation]:
    for path, code, band in _bands(power):
        present = {tier.tier for tier in band.tiers}
        absent = [kind.value for kind in REQUIRED if kind not in present]
        if absent:
            yield Violation(
                f"{path}.tiers",
                f"{code} ({band.statutory.label()}) lacks the tier(s) {'、'.join(absent)}: "
                "从轻、一般、从重 are each made concrete",
            )


@rule(
    "benchmarks.tiers-overlap",
    ERROR,
    "tiers rise from 减轻 to 从重 without overlapping (a shared boundary is allowed)",
    statute="行政处罚裁量基准 local rules (国办发〔2022〕27号)",
    article="D-03",
)
def tiers_overlap(power: CompiledPower) -> Iterator[Violation]:
    for path, code, band in _bands(power):
        ranked = sorted(
            (
                (ORDER.index(tier.tier), k, tier.fine)
                for k, tier in enumerate(band.tiers)
                if tier.fine is not None and tier.fine.of == band.statutory.of
            ),
            key=lambda item: (item[0], item[1]),
        )
        for (rank_a, _, fine_a), (rank_b, k, fine_b) in pairwise(ranked):
            kind_a, kind_b = ORDER[rank_a].value, ORDER[rank_b].value
            if rank_a == rank_b:
                yield Violation(f"{path}.tiers.{k}", f"{code} has the tier {kind_b} twice")
            elif fine_b.min < fine_a.max:
                yield Violation(
                    f"{path}.tiers.{k}.fine",
                    f"{code} {kind_b} {fine_b.label()} overlaps {kind_a} {fine_a.label()}: "
                    f"a heavier tier starts where the lighter one ends",
                )


@rule(
    "benchmarks.tiers-gap",
    ERROR,
    "every amount of the statutory range falls in a tier (从轻 to 从重 leave no gap)",
    statute="行政处罚裁量基准 local rules (国办发〔2022〕27号)",
    article="D-02, D-03",
)
def tiers_gap(power: CompiledPower) -> Iterator[Violation]:
    for path, code, band in _bands(power):
        law = band.statutory
        placed = sorted(
            (tier.fine.min, tier.fine.max, k, f"{tier.tier.value} {tier.fine.label()}")
            for k, tier in enumerate(band.tiers)
            if tier.fine is not None
            and tier.fine.of == law.of
            and tier.tier not in (TierKind.NO_PENALTY, TierKind.MITIGATED)
        )
        if not placed:
            continue  # no tier to place a fine in: benchmarks.tiers-missing says so
        within = f"of the statutory {law.label()}"
        low, reached, k, tier = placed[0]
        if low > law.min:
            yield Violation(
                f"{path}.tiers.{k}.fine",
                f"{code}: a fine from {_amount(law.min, law)} to below {_amount(low, law)} "
                f"{within} falls in no tier: the lowest, {tier}, starts at {_amount(low, law)}; "
                f"let a tier reach down to {_amount(law.min, law)}",
            )
        last_k, last = k, tier
        for low, high, k, tier in placed[1:]:
            if low > reached:
                yield Violation(
                    f"{path}.tiers.{k}.fine",
                    f"{code}: a fine above {_amount(reached, law)} and below {_amount(low, law)} "
                    f"{within} falls in no tier: {last} ends at {_amount(reached, law)} and "
                    f"{tier} starts at {_amount(low, law)}; let one begin where the other ends",
                )
            if high >= reached:
                reached, last_k, last = high, k, tier
        if reached < law.max:
            yield Violation(
                f"{path}.tiers.{last_k}.fine",
                f"{code}: a fine above {_amount(reached, law)} up to {_amount(law.max, law)} "
                f"{within} falls in no tier: the highest, {last}, ends at "
                f"{_amount(reached, law)}; let a tier reach up to {_amount(law.max, law)}",
            )


@rule(
    "benchmarks.local-split",
    WARNING,
    "一般 holds the middle of the range; with only a maximum, 从轻 ≤ 20 % and 一般 holds 40-60 %",
    statute="行政处罚裁量基准 local rules",
    article="D-03",
)
def local_split(power: CompiledPower) -> Iterator[Violation]:
    for path, code, band in _bands(power):
        law = band.statutory
        tiers = {
            tier.tier: (k, tier.fine)
            for k, tier in enumerate(band.tiers)
            if tier.fine is not None and tier.fine.of == law.of
        }
        middle = (law.min + law.max) / 2
        if TierKind.ORDINARY in tiers:
            k, fine = tiers[TierKind.ORDINARY]
            if not fine.min <= middle <= fine.max:
                yield Violation(
                    f"{path}.tiers.{k}.fine",
                    f"{code} 一般 {fine.label()} does not hold the middle "
                    f"({amount_text(middle)}) of "
                    f"{law.label()}: 一般 is the middle tier",
                )
            elif law.min == 0 and (
                fine.min > law.max * Decimal("0.4") or fine.max < law.max * Decimal("0.6")
            ):
                yield Violation(
                    f"{path}.tiers.{k}.fine",
                    f"{code} 一般 {fine.label()} does not hold 40-60 % of the maximum "
                    f"{amount_text(law.max)}: "
                    "the common rule where only a maximum is set",
                )
        if law.min == 0 and TierKind.LIGHTER in tiers:
            k, fine = tiers[TierKind.LIGHTER]
            if fine.max > law.max * Decimal("0.2"):
                yield Violation(
                    f"{path}.tiers.{k}.fine",
                    f"{code} 从轻 {fine.label()} goes above 20 % of the maximum "
                    f"{amount_text(law.max)}: "
                    "the common rule where only a maximum is set",
                )


@rule(
    "benchmarks.reduction-grounds",
    ERROR,
    "减轻 and 不予处罚 tiers cite their statutory grounds",
    statute=LAW,
    article="32, 33",
)
def reduction_grounds(power: CompiledPower) -> Iterator[Violation]:
    articles = {TierKind.MITIGATED: "32", TierKind.NO_PENALTY: "33"}
    for path, code, band in _bands(power):
        for k, tier in enumerate(band.tiers):
            if tier.tier in articles and not tier.grounds:
                yield Violation(
                    f"{path}.tiers.{k}.grounds",
                    f"{code} {tier.tier.value} cites no grounds: it needs the statutory grounds "
                    f"(行政处罚法 art. {articles[tier.tier]}) it rests on",
                )
