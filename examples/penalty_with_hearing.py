"""An ordinary-procedure 行政处罚 with a hearing, through the public API.

A trader sold food without a 食品经营许可 (食品安全法 art. 122). After 立案 the case runs
调查取证 (two officers), 法制审核 and the 事先告知; the 裁量基准 places the proposed fine,
which reaches the 较大数额 for a 公民, so the trader may ask for a hearing and does. The
hearing's time is not counted in the 90 days (行政处罚法 art. 60, 市场监督管理行政处罚程序规定
art. 64); 集体讨论 precedes the decision, and the fine is collected by the finance post, not by
the one who decided it.

    .venv/bin/python examples/penalty_with_hearing.py [DATABASE_URL_OR_SQLITE_FILE]
"""

from __future__ import annotations

from decimal import Decimal

from yunxi import act, at, county_engine, database_url, show_record, show_step

from powerflow.definition import PartyType
from powerflow.discretion import assess, find_benchmark, hearing_threshold, place
from powerflow.engine import PenaltyDecision

PENALTY = "33990100SJ-CF-0001"
GOODS_VALUE = {"货值金额": Decimal(8000)}
FINE = Decimal(75000)


def main() -> None:
    engine = county_engine(database_url(__doc__.splitlines()[0]))
    definition = engine.newest(PENALTY).definition
    print(f"{definition.code} {definition.name} (v{definition.version})")

    when = at("2025-04-01 09:00")
    case = engine.open_case(PENALTY, officer="赵执法", at=when, party="张某（无证食品摊贩）")
    show_step(engine, case, when, "发现线索")

    case = act(engine, case, "open_case", ["赵执法"], "2025-04-02 10:00")
    case = act(engine, case, "conclude_investigation", ["赵执法", "钱执法"], "2025-04-20 16:00")
    case = act(engine, case, "approve_notice", ["吴法制"], "2025-04-25 11:00")

    benchmark = find_benchmark(definition, "SJ-SP-122-01")
    proposed = assess(benchmark, [], GOODS_VALUE)
    profile = definition.penalty
    assert profile is not None, "a 行政处罚 definition declares its penalty profile"
    threshold = hearing_threshold(
        PartyType.INDIVIDUAL, jurisdiction=profile.jurisdiction, sector=profile.sector
    )
    print(
        f"    裁量基准 {benchmark.violation}: 货值金额 8000 元, 无从轻从重情节 → "
        f"{proposed.tier.value} "
        f"{proposed.allowed.label() if proposed.allowed else '不予罚款'} "
        f"(法定 {proposed.statutory.label()})"
    )
    if threshold.amount <= FINE:
        reaches = f"达到公民较大数额 {threshold.amount} 元"
        print(f"    拟罚款 {FINE} 元，{reaches}：告知听证权利（第六十三条）")

    case = act(
        engine, case, "hearing_requested", ["赵执法"], "2025-04-28 09:30", hearing_requested=True
    )
    case = act(engine, case, "conclude_hearing", ["周主持"], "2025-05-12 17:00")
    case = act(engine, case, "resolve", ["孙局长"], "2025-05-20 10:00")
    decision = PenaltyDecision(
        benchmark.violation,
        FINE,
        ("初次违法且经营时间不足一个月",),
        GOODS_VALUE,
        reason="初次违法但经营规模较大，在从轻档次以上、一般档次内酌定",
    )
    case = act(
        engine, case, "impose", ["孙局长"], "2025-05-21 15:00", decision=decision, fine=int(FINE)
    )
    placed = place(benchmark, FINE, GOODS_VALUE)
    tiers = "、".join(tier.value for tier in placed.tiers) or "无"
    print(f"    决定罚款 {FINE} 元: 档次 {tiers}; 在法定幅度内: {placed.within_statutory}")
    case = act(engine, case, "delivered", ["赵执法"], "2025-05-22 10:00")
    case = act(engine, case, "performed", ["陈出纳"], "2025-06-03 10:00")
    case = engine.close(case.id, officer="孙局长", at=at("2025-06-04 09:00"))
    print()
    show_record(engine, case.id)


if __name__ == "__main__":
    main()
