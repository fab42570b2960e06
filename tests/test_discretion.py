"""The tier calculator (裁量基准) and the 较大数额 thresholds, on the shipped benchmark."""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerflow.definition import Benchmark, PartyType, TierKind, load_definition
from powerflow.discretion import assess, find_benchmark, hearing_threshold, place
from powerflow.errors import BenchmarkError
from tests.conftest import DEFINITIONS


@pytest.fixture(scope="module")
def benchmark() -> Benchmark:
    definition = load_definition(DEFINITIONS / "food-unlicensed-penalty.yaml").definition
    return find_benchmark(definition, "SJ-SP-122-01")


SMALL = {"货值金额": 8000}
LARGE = {"货值金额": 20000}


@pytest.mark.parametrize(
    ("circumstances", "base", "tier", "low", "high"),
    [
        ((), SMALL, TierKind.ORDINARY, 65000, 85000),
        (("及时停止经营并主动报告",), SMALL, TierKind.LIGHTER, 50000, 65000),
        (("经责令改正拒不改正",), SMALL, TierKind.HEAVIER, 85000, 100000),
        (("及时停止经营并主动报告", "经责令改正拒不改正"), SMALL, TierKind.ORDINARY, 65000, 85000),
        (
            ("主动消除或者减轻违法行为危害后果", "经责令改正拒不改正"),
            SMALL,
            TierKind.MITIGATED,
            25000,
            50000,
        ),
        ((), LARGE, TierKind.ORDINARY, 260000, 340000),
        (("一年内再次实施同一违法行为",), LARGE, TierKind.HEAVIER, 340000, 400000),
    ],
    ids=[
        "none",
        "lighter",
        "heavier",
        "offsetting",
        "mitigation-wins",
        "multiple",
        "multiple-heavier",
    ],
)
def test_assess_chooses_the_tier_and_its_range(
    benchmark: Benchmark,
    circumstances: tuple[str, ...],
    base: dict[str, int],
    tier: TierKind,
    low: int,
    high: int,
) -> None:
    result = assess(benchmark, circumstances, base)
    assert result.tier is tier
    assert result.allowed is not None
    assert (result.allowed.low, result.allowed.high) == (Decimal(low), Decimal(high))
    assert result.band == (0 if base is SMALL else 1)


def test_assess_reports_the_deciding_circumstances(benchmark: Benchmark) -> None:
    result = assess(benchmark, ["经责令改正拒不改正", "经责令改正拒不改正"], SMALL)
    assert result.decisive == ("经责令改正拒不改正",)
    assert (result.statutory.low, result.statutory.high) == (Decimal(50000), Decimal(100000))
    assert assess(benchmark, [], SMALL).decisive == ()


@pytest.mark.parametrize(
    ("fine", "base", "tiers", "within"),
    [
        (70000, SMALL, (TierKind.ORDINARY,), True),
        (65000, SMALL, (TierKind.LIGHTER, TierKind.ORDINARY), True),
        (30000, SMALL, (TierKind.MITIGATED,), False),
        (120000, SMALL, (), False),
        (220000, LARGE, (TierKind.LIGHTER,), True),
        ("399999.5", LARGE, (TierKind.HEAVIER,), True),
    ],
    ids=["ordinary", "boundary", "mitigated", "outside", "multiple", "decimal-text"],
)
def test_place_finds_the_tier_of_a_fine(
    benchmark: Benchmark,
    fine: int | str,
    base: dict[str, int],
    tiers: tuple[TierKind, ...],
    within: bool,
) -> None:
    placement = place(benchmark, fine, base)
    assert placement.tiers == tiers
    assert placement.within_statutory is within
    assert placement.fine == Decimal(str(fine))


def test_unknown_circumstance_is_refused_with_a_suggestion(benchmark: Benchmark) -> None:
    with pytest.raises(BenchmarkError, match="did you mean 经责令改正拒不改正"):
        assess(benchmark, ["经责令改正拒不改"], SMALL)


def test_the_band_needs_its_base_amount(benchmark: Benchmark) -> None:
    with pytest.raises(BenchmarkError, match="depends on 货值金额"):
        assess(benchmark, [])
    with pytest.raises(BenchmarkError, match="must be an amount"):
        place(benchmark, "a lot", SMALL)
    with pytest.raises(BenchmarkError, match="must not be negative"):
        place(benchmark, -1, SMALL)


def test_unknown_violation_code() -> None:
    definition = load_definition(DEFINITIONS / "food-unlicensed-penalty.yaml").definition
    with pytest.raises(BenchmarkError, match="did you mean SJ-SP-122-01"):
        find_benchmark(definition, "SJ-SP-122-1")


@pytest.mark.parametrize(
    ("party", "jurisdiction", "sector", "amount", "fallback"),
    [
        (PartyType.INDIVIDUAL, None, "公安", 2000, False),
        (PartyType.ORGANISATION, "某省", "公安", 10000, False),
        (PartyType.INDIVIDUAL, None, "公安边防", 6000, False),
        (PartyType.ORGANISATION, "云溪县", "市场监管", 100000, False),
        (PartyType.INDIVIDUAL, "某省", "市场监管", 2000, True),
        (PartyType.ORGANISATION, None, None, 10000, True),
    ],
    ids=["police", "police-any-place", "border", "county", "unknown-lowest", "nothing-lowest"],
)
def test_hearing_threshold_lookup(
    party: PartyType, jurisdiction: str | None, sector: str | None, amount: int, fallback: bool
) -> None:
    threshold = hearing_threshold(party, jurisdiction=jurisdiction, sector=sector)
    assert threshold.amount == amount
    assert threshold.fallback is fallback
    assert threshold.source
