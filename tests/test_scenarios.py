"""Scenarios: every shipped definition run along its main path and its main alternative.

One test per definition. Each runs twice (one engine in memory; a fresh engine per operation that
reloads the pinned definition and the case from the store) on SQLite, and on PostgreSQL when a
server is available.

Expected dates were counted by hand against the 2025 notice (国办发明电〔2024〕12号: 1/1; 1/28-2/4,
work Sun 1/26 and Sat 2/8; 4/4-6; 5/1-5, work Sun 4/27; 5/31-6/2; 10/1-8, work Sun 9/28 and Sat
10/11) and the 2026 notice (国办发明电〔2025〕7号: 1/1-3, work Sun 1/4; 2/15-23, work Sat 2/14 and
Sat 2/28; 4/4-6; 5/1-5, work Sat 5/9; 6/19-21; 9/25-27; 10/1-7, work Sun 9/20 and Sat 10/10), then
checked with `powerflow calendar add START N [--unit day|month] [--roll-if-off] [--pause A:B]`.
The comments spell out the count wherever a holiday or a 调休 working day decides the date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.engine import CaseEngine, PenaltyDecision
from powerflow.errors import CaseError, IllegalTransition, NotAuthorized
from powerflow.workdays import default_calendar
from tests.conftest import DEFINITIONS, shipped_definition_files
from tests.test_engine import Driver, at, make_engine

D = dt.date

ROAD = "33990100JS-XK-0001"  # 临时占用城市道路许可（联合办理）
ON_THE_SPOT = "33990100GA-CF-0001"  # 非机动车当场处罚（简易程序）
ENFORCEMENT = "33990100ZH-QZ-0001"  # 逾期不缴纳罚款的强制执行
FARMLAND_TAX = "33990100SW-ZS-0001"  # 耕地占用税征收
WORK_INJURY = "33990100RS-QR-0001"  # 工伤认定
ALLOWANCE = "33990100MZ-JF-0001"  # 最低生活保障
FOREST = "33990100ZR-CJ-0001"  # 林木林地权属争议处理
INSPECTION = "33990100SJ-JC-0001"  # 双随机抽查
DISCLOSURE = "33990100ZB-QT-0001"  # 政府信息依申请公开
LICENCE = "33990100SJ-XK-0001"
PENALTY = "33990100SJ-CF-0001"
SEIZURE = "33990100SJ-QZ-0001"

# Post ids repeat across definitions (window, director …): one officer serves them all.
ROSTER: list[tuple[str, list[str], list[str]]] = [
    ("wang", ["window", "registrar", "township_window", "planner"], []),
    (
        "li",
        ["reviewer", "searcher", "traffic_reviewer", "section_chief", "mediator", "township_head"],
        ["执法证"],
    ),
    (
        "zhao",
        [
            "inspector",
            "investigator",
            "officer",
            "traffic_police",
            "case_officer",
            "tax_officer",
            "township_investigator",
        ],
        ["执法证"],
    ),
    (
        "qian",
        [
            "inspector",
            "investigator",
            "officer",
            "traffic_police",
            "case_officer",
            "tax_officer",
            "township_investigator",
        ],
        ["执法证"],
    ),
    ("zhou", ["hearing_host"], ["法律职业资格", "执法证"]),
    ("wu", ["legal_reviewer"], ["法律职业资格"]),
    (
        "boss",
        [
            "director",
            "bureau_meeting",
            "section_chief",
            "traffic_head",
            "office_head",
            "squad_leader",
        ],
        ["执法证"],
    ),
    ("gov", ["county_leader", "province_approver"], []),
    ("cashier", ["finance", "custodian"], []),
]


@pytest.fixture
def engine(database_url: str) -> CaseEngine:
    store.upgrade(store.connect(database_url))
    engine = make_engine(database_url)
    engine.register(check_catalog([DEFINITIONS]).powers)
    for officer, posts, qualifications in ROSTER:
        engine.add_officer(officer, posts, qualifications)
    return engine


@pytest.fixture(params=["in-memory", "round-trip"])
def driver(request: pytest.FixtureRequest, engine: CaseEngine) -> Driver:
    return Driver(engine, request.param == "round-trip")


def step_due(driver: Driver, case_id: int) -> dt.date | None:
    """The stored last day of the step the case is in now."""
    entry = driver.show(case_id).current_entry
    assert entry is not None
    due: dt.date | None = entry.due
    return due


def closed(driver: Driver, case_id: int, officer: str, when: str) -> None:
    case = driver.close(case_id, officer=officer, at=at(when))
    assert case.status == "closed"
    assert driver.verify_chain(case_id) == []


def test_every_shipped_definition_has_a_scenario() -> None:
    codes = {p.code for p in check_catalog(shipped_definition_files()).powers}
    tested = {
        ROAD,
        ON_THE_SPOT,
        ENFORCEMENT,
        FARMLAND_TAX,
        WORK_INJURY,
        ALLOWANCE,
        FOREST,
        INSPECTION,
        DISCLOSURE,
        LICENCE,
        PENALTY,
        SEIZURE,
    }
    assert codes == tested and len(codes) >= 12


# ---------------------------------------------------------------------------------------------
# 行政许可


def test_joint_road_occupation_licence(driver: Driver) -> None:
    # Main path across the 2025 National Day break: accepted Wed 24 Sep 2025.
    case = driver.open_case(
        ROAD,
        officer="wang",
        at=at("2025-09-24"),
        party="某管线公司",
        facts={"materials_complete": True},
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2025-09-24 10:00"))
    assert case.state == "dispatch" and case.clock_started_on == D(2025, 9, 24)
    # 45 WD (joint handling, 许可法 art. 42): Sep 25, 26, Sun 28 (调休), 29, 30 = 5; Oct 1-8 off;
    # Oct 9, 10, Sat 11 (调休) = 8 … Dec 2 is the 45th.
    assert case.legal_due == D(2025, 12, 2)
    # 承诺 10 WD: Sep 25, 26, 28, 29, 30, Oct 9, 10, 11, 13, 14.
    assert case.promised_due == D(2025, 10, 14)
    assert step_due(driver, case.id) == D(2025, 9, 25)  # 转告: 1 WD
    case = driver.act(case.id, "schedule", officers=["li"], at=at("2025-09-25"))
    # 踏勘 5 WD from Thu 25 Sep: 26, Sun 28, 29, 30, Oct 9.
    assert step_due(driver, case.id) == D(2025, 10, 9)
    with pytest.raises(NotAuthorized, match="at least 2 distinct officers"):
        driver.act(case.id, "report", officers=["zhao"], at=at("2025-09-30"))
    case = driver.act(case.id, "report", officers=["zhao", "qian"], at=at("2025-09-30"))
    assert step_due(driver, case.id) == D(2025, 10, 14)  # 交警意见 5 WD: Oct 9, 10, 11, 13, 14
    case = driver.act(
        case.id, "give_opinion", officers=["li"], at=at("2025-10-11")
    )  # a Saturday that works
    assert step_due(driver, case.id) == D(2025, 10, 15)
    case = driver.act(case.id, "propose", officers=["li"], at=at("2025-10-13"))
    case = driver.act(
        case.id, "grant", officers=["boss"], at=at("2025-10-14"), facts={"requirements_met": True}
    )
    assert case.outcome == "准予许可" and case.state == "certificate"
    assert step_due(driver, case.id) == D(2025, 10, 28)  # 发证 10 WD (许可法 art. 44)
    case = driver.act(case.id, "issue", officers=["wang"], at=at("2025-10-15"))
    closed(driver, case.id, "wang", "2025-10-16")

    # Alternative: 补正, an extension approved by the county government, and a refusal (2026).
    case = driver.open_case(
        ROAD, officer="wang", at=at("2026-01-05"), facts={"materials_complete": False}
    )
    case = driver.act(case.id, "request_supplement", officers=["wang"], at=at("2026-01-05 11:00"))
    assert case.paused_since == D(2026, 1, 5) and case.legal_due is None
    case = driver.act(
        case.id,
        "resubmit",
        officers=["wang"],
        at=at("2026-01-12"),
        facts={"materials_complete": True},
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2026-01-12 10:00"))
    # 45 WD from Mon 12 Jan 2026: … Feb 13 = 24, Sat Feb 14 (调休) = 25, Feb 15-23 off,
    # Feb 24-27 = 29, Sat Feb 28 (调休) = 30, … Mar 20 = 45.
    assert case.legal_due == D(2026, 3, 20)
    with pytest.raises(NotAuthorized, match="county_leader"):
        driver.extend(
            case.id,
            officer="boss",
            at=at("2026-03-16"),
            value=15,
            reason="联办部门意见分歧",
            party_notified=True,
        )
    with pytest.raises(CaseError, match="at most 15个工作日"):
        driver.extend(
            case.id,
            officer="gov",
            at=at("2026-03-16"),
            value=16,
            reason="联办部门意见分歧",
            party_notified=True,
        )
    case = driver.extend(
        case.id,
        officer="gov",
        at=at("2026-03-16"),
        value=15,
        reason="联办部门意见分歧",
        party_notified=True,
    )
    # +15 WD from Fri 20 Mar: Mar 23-27, 30, 31, Apr 1-3 = 10; Apr 4-6 (清明) off;
    # Apr 7-10 = 14, Apr 13.
    assert case.legal_due == D(2026, 4, 13) and case.extended_by == 15
    for action, officers in (
        ("schedule", ["li"]),
        ("report", ["zhao", "qian"]),
        ("give_opinion", ["li"]),
        ("propose", ["li"]),
    ):
        case = driver.act(case.id, action, officers=officers, at=at("2026-03-30"))
    case = driver.act(
        case.id, "refuse", officers=["boss"], at=at("2026-03-31"), facts={"requirements_met": False}
    )
    assert case.outcome == "不予许可" and case.state == "refusal_delivery"
    case = driver.act(case.id, "deliver", officers=["wang"], at=at("2026-04-01"))
    closed(driver, case.id, "wang", "2026-04-02")


def test_food_business_licence_supplement_and_refusal(driver: Driver) -> None:
    # The hearing path and the National Day main path are in tests/test_engine.py; here 补正 over
    # the 2026 Spring Festival and a refusal.
    case = driver.open_case(
        LICENCE, officer="wang", at=at("2026-02-10"), facts={"materials_complete": False}
    )
    # 补正 notice due 5 WD from Tue 10 Feb: 11, 12, 13, Sat 14 (调休), 15-23 off, 24.
    assert step_due(driver, case.id) == D(2026, 2, 24)
    case = driver.act(case.id, "request_supplement", officers=["wang"], at=at("2026-02-10 15:00"))
    case = driver.act(
        case.id,
        "resubmit",
        officers=["wang"],
        at=at("2026-02-24"),
        facts={"materials_complete": True},
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2026-02-24 10:00"))
    # 20 WD from Tue 24 Feb: 25, 26, 27, Sat 28 (调休) = 4, … Mar 23 = 20; 承诺 7 WD → Mar 4.
    assert (case.legal_due, case.promised_due) == (D(2026, 3, 23), D(2026, 3, 4))
    case = driver.act(case.id, "order_inspection", officers=["li"], at=at("2026-02-26"))
    case = driver.act(case.id, "report", officers=["zhao", "qian"], at=at("2026-02-28"))
    case = driver.act(case.id, "proceed", officers=["li"], at=at("2026-03-02"))
    case = driver.act(
        case.id, "refuse", officers=["boss"], at=at("2026-03-03"), facts={"requirements_met": False}
    )
    assert case.outcome == "不予许可" and step_due(driver, case.id) == D(2026, 3, 17)
    case = driver.act(case.id, "deliver", officers=["wang"], at=at("2026-03-05"))
    closed(driver, case.id, "wang", "2026-03-06")


# ---------------------------------------------------------------------------------------------
# 行政处罚


def test_on_the_spot_penalty(driver: Driver) -> None:
    # Main path: Friday 30 May 2025 at 17:00, the eve of the 端午 break (5/31-6/2).
    case = driver.open_case(
        ON_THE_SPOT, officer="zhao", at=at("2025-05-30 17:00"), party="电动自行车驾驶人"
    )
    assert case.legal_due == D(2025, 5, 31)  # 当场: one calendar day
    assert driver.show(case.id).current_entry.overdue_at == at("2025-05-30 19:00")  # 2 hours
    with pytest.raises(NotAuthorized, match="at least 2 distinct officers"):
        driver.act(case.id, "inform", officers=["zhao"], at=at("2025-05-30 17:10"))
    case = driver.act(case.id, "inform", officers=["zhao", "qian"], at=at("2025-05-30 17:10"))
    case = driver.act(case.id, "decide", officers=["zhao"], at=at("2025-05-30 17:20"))
    # Above the 简易程序 amount the guard refuses the on-the-spot decision (处罚法 art. 51).
    with pytest.raises(IllegalTransition, match="简易程序"):
        driver.act(
            case.id,
            "impose",
            officers=["zhao"],
            at=at("2025-05-30 17:25"),
            facts={"penalty_type": "罚款", "party_type": "individual", "amount": 300},
        )
    case = driver.act(
        case.id,
        "impose",
        officers=["zhao"],
        at=at("2025-05-30 17:25"),
        facts={"penalty_type": "罚款", "party_type": "individual", "amount": 30},
        decision=PenaltyDecision("GA-JT-89-01", Decimal(30), ("无从轻、从重情节",)),
    )
    assert case.outcome == "给予行政处罚"
    assert driver.show(case.id).current_entry.overdue_at == at("2025-05-30 18:25")  # 当场交付
    case = driver.act(case.id, "file", officers=["zhao"], at=at("2025-05-30 17:30"))
    # 备案 by the next day, the last day of the case's 当场 limit, although it is the 端午 break.
    assert (step_due(driver, case.id), case.legal_due) == (D(2025, 5, 31), D(2025, 5, 31))
    with pytest.raises(NotAuthorized):  # 备案 is reviewed by the squad leader, not the officer
        driver.close(case.id, officer="zhao", at=at("2025-05-30 20:00"))
    closed(driver, case.id, "boss", "2025-05-31 09:00")
    # The party's 15 days to pay (道交法 art. 108) run at the bank, outside the case; they end
    # Sat 14 Jun, a rest day (民事诉讼法 art. 85: the period ends on the next working day).
    assert default_calendar().add(D(2025, 5, 30), 15, "day", roll_if_off=True).due == D(2025, 6, 16)

    # Alternative: the party's 申辩 holds, 口头警告后放行 (no penalty), on a 2026 working Saturday.
    case = driver.open_case(ON_THE_SPOT, officer="qian", at=at("2026-02-14 08:30"))
    case = driver.act(case.id, "inform", officers=["zhao", "qian"], at=at("2026-02-14 08:40"))
    case = driver.act(
        case.id,
        "decide",
        officers=["qian"],
        at=at("2026-02-14 08:50"),
        note="当事人申辩信号灯故障，经核实成立",
    )
    case = driver.act(case.id, "no_penalty", officers=["qian"], at=at("2026-02-14 08:55"))
    assert case.outcome == "不予行政处罚" and case.state == "filing"
    # On Sat 14 Feb 2026, a working day (调休) before the Spring Festival: 备案 by Sun 15 Feb.
    assert step_due(driver, case.id) == D(2026, 2, 15)
    closed(driver, case.id, "boss", "2026-02-14 12:00")


def test_ordinary_penalty_without_hearing_and_no_penalty_after_review(driver: Driver) -> None:
    # Main path (no hearing requested, an ordinary case): 立案 over the 2025 National Day break.
    case = driver.open_case(PENALTY, officer="zhao", at=at("2025-09-26"), party="某超市")
    # 立案核查 15 WD from Fri 26 Sep: Sun 28 (调休), 29, 30 = 3; Oct 9, 10, Sat 11 = 6; … Oct 23.
    assert step_due(driver, case.id) == D(2025, 10, 23)
    case = driver.act(case.id, "open_case", officers=["zhao"], at=at("2025-09-29"))
    assert (case.legal_due, case.promised_due) == (D(2025, 12, 28), D(2025, 11, 28))  # 90 / 60 days
    case = driver.act(
        case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-10-20")
    )
    assert step_due(driver, case.id) == D(2025, 11, 3)  # 法制审核 10 WD
    case = driver.act(case.id, "approve_notice", officers=["wu"], at=at("2025-10-22"))
    case = driver.waive(
        case.id, "听证", officer="zhao", at=at("2025-10-23"), statement="当事人书面放弃听证"
    )
    case = driver.act(case.id, "to_decision", officers=["zhao"], at=at("2025-10-28"))
    decision = PenaltyDecision(
        "SJ-SP-122-01", Decimal(150000), ("无从轻、从重情节",), {"货值金额": Decimal(10000)}
    )
    case = driver.act(case.id, "impose", officers=["boss"], at=at("2025-10-30"), decision=decision)
    case = driver.act(case.id, "delivered", officers=["zhao"], at=at("2025-10-31"))
    case = driver.act(case.id, "performed", officers=["cashier"], at=at("2025-11-10"))
    assert case.state == "archive" and case.outcome == "给予行政处罚"
    closed(driver, case.id, "boss", "2025-11-11")

    # Alternative: 法制审核 sends the case back, then proposes no penalty (处罚法 art. 33).
    case = driver.open_case(PENALTY, officer="zhao", at=at("2025-09-26"))
    case = driver.act(case.id, "open_case", officers=["zhao"], at=at("2025-09-29"))
    case = driver.act(
        case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-10-20")
    )
    case = driver.act(case.id, "return_for_investigation", officers=["wu"], at=at("2025-10-22"))
    assert case.state == "investigation" and step_due(driver, case.id) == D(
        2025, 12, 6
    )  # 45 days again
    case = driver.act(
        case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-10-30")
    )
    case = driver.act(case.id, "propose_no_penalty", officers=["wu"], at=at("2025-11-03"))
    case = driver.act(case.id, "no_penalty", officers=["boss"], at=at("2025-11-04"))
    assert case.outcome == "不予行政处罚"
    assert step_due(driver, case.id) == D(2025, 11, 13)  # 送达 7 WD (处罚法 art. 61)
    assert case.legal_due == D(2025, 12, 28)  # no pause: the 90 days stand


# ---------------------------------------------------------------------------------------------
# 行政强制


def test_enforcement_by_court_application_and_by_auction(driver: Driver) -> None:
    calendar = default_calendar()
    # Main path: the 复议/诉讼 periods ran out on Mon 15 Sep 2025; 3 months to apply (art. 53).
    case = driver.open_case(
        ENFORCEMENT,
        officer="zhao",
        at=at("2025-09-15"),
        party="某餐馆",
        facts={"party_performed": False},
    )
    assert case.legal_due == D(2025, 12, 15)
    # 10 WD from Mon 15 Sep: 16-19 = 4, 22-26 = 9, Sun 28 (调休) = 10.
    assert step_due(driver, case.id) == D(2025, 9, 28)
    case = driver.act(case.id, "remind", officers=["zhao"], at=at("2025-09-19"))
    # 催告 15 WD from Fri 19 Sep: 22-26, 28, 29, 30 = 8; Oct 1-8 off; Oct 9, 10, 11, 13-16 = 15.
    assert step_due(driver, case.id) == D(2025, 10, 16)
    # 催告书送达十日后 (art. 54, min_wait 10 WD): the tenth working day after 19 Sep is Fri 10 Oct.
    assert calendar.add(D(2025, 9, 19), 10, "workday").due == D(2025, 10, 10)
    case = driver.act(case.id, "review_statement", officers=["zhao"], at=at("2025-10-13"))
    case = driver.act(case.id, "apply_to_court", officers=["zhao"], at=at("2025-10-14"))
    assert case.state == "court_application" and step_due(driver, case.id) == D(2026, 1, 14)
    with pytest.raises(NotAuthorized):  # the application is signed by the head (art. 55)
        driver.act(case.id, "file", officers=["zhao"], at=at("2025-10-15"))
    case = driver.act(case.id, "file", officers=["boss"], at=at("2025-10-15"))
    assert step_due(driver, case.id) == D(2025, 11, 24)  # 40 days to follow the court
    case = driver.act(case.id, "ordered", officers=["zhao"], at=at("2025-10-27"))
    assert case.outcome == "人民法院裁定准予执行"
    closed(driver, case.id, "zhao", "2025-10-28")

    # Alternative: property already seized, auctioned on the agency's own decision (art. 46 ¶3).
    case = driver.open_case(
        ENFORCEMENT, officer="zhao", at=at("2026-04-01"), facts={"party_performed": False}
    )
    assert case.legal_due == D(2026, 7, 1)
    # 10 WD from Wed 1 Apr 2026: Apr 2, 3; Apr 4-6 (清明) off; Apr 7-10, 13-16 = 10.
    assert step_due(driver, case.id) == D(2026, 4, 16)
    case = driver.act(case.id, "remind", officers=["zhao"], at=at("2026-04-02"))
    case = driver.act(case.id, "review_statement", officers=["zhao"], at=at("2026-04-20"))
    case = driver.act(case.id, "propose_auction", officers=["zhao"], at=at("2026-04-21"))
    with pytest.raises(NotAuthorized):
        driver.act(case.id, "decide", officers=["zhao"], at=at("2026-04-22"))
    case = driver.act(case.id, "decide", officers=["boss"], at=at("2026-04-22"))
    assert case.outcome == "强制执行（拍卖抵缴罚款）"
    with pytest.raises(NotAuthorized, match="at least 2 distinct officers"):
        driver.act(case.id, "executed", officers=["zhao"], at=at("2026-05-20"))
    case = driver.act(case.id, "executed", officers=["zhao", "qian"], at=at("2026-05-20"))
    assert case.outcome == "执行完毕"
    closed(driver, case.id, "qian", "2026-05-21")


def test_seizure_with_testing_pause_and_release(driver: Driver) -> None:
    # The extension is in tests/test_engine.py; here the testing pause and the release.
    case = driver.open_case(SEIZURE, officer="zhao", at=at("2025-09-29"))
    case = driver.act(case.id, "approve", officers=["boss"], at=at("2025-09-29 10:00"))
    case = driver.act(case.id, "seized", officers=["zhao", "qian"], at=at("2025-09-29 15:00"))
    assert (case.legal_due, case.promised_due) == (D(2025, 10, 29), D(2025, 10, 24))
    case = driver.act(case.id, "send_for_testing", officers=["cashier"], at=at("2025-10-09"))
    assert case.paused_since == D(2025, 10, 9)
    case = driver.act(case.id, "results_received", officers=["zhao"], at=at("2025-10-20"))
    # Testing 9-19 Oct (11 days) is not counted (强制法 art. 25): 30 days end 9 Nov, 25 days 4 Nov.
    assert (case.legal_due, case.promised_due) == (D(2025, 11, 9), D(2025, 11, 4))
    case = driver.act(case.id, "propose_decision", officers=["cashier"], at=at("2025-10-21"))
    case = driver.act(case.id, "reviewed", officers=["wu"], at=at("2025-10-22"))
    case = driver.act(case.id, "lift", officers=["boss"], at=at("2025-10-23"))
    assert case.outcome == "解除强制措施"
    case = driver.act(case.id, "returned", officers=["cashier"], at=at("2025-10-24"))
    closed(driver, case.id, "zhao", "2025-10-27")


# ---------------------------------------------------------------------------------------------
# 行政征收


def test_farmland_occupation_tax(driver: Driver) -> None:
    # Main path: the obligation arises Mon 1 Sep 2025; 30 days end Wed 1 Oct, a holiday: the last
    # day rolls to Thu 9 Oct, the first working day after the break (roll_if_off).
    case = driver.open_case(
        FARMLAND_TAX,
        officer="zhao",
        at=at("2025-09-01"),
        party="某开发公司",
        facts={"party_performed": False},
    )
    assert case.legal_due == D(2025, 10, 9)
    case = driver.act(case.id, "notify", officers=["zhao"], at=at("2025-09-02"))
    assert step_due(driver, case.id) == D(2025, 10, 9)
    case = driver.act(case.id, "accept_declaration", officers=["wang"], at=at("2025-09-15"))
    case = driver.act(case.id, "levy", officers=["qian"], at=at("2025-09-16"))
    assert case.outcome == "征收耕地占用税" and step_due(driver, case.id) == D(2025, 9, 23)
    with pytest.raises(IllegalTransition, match="condition of paid"):
        driver.act(case.id, "paid", officers=["wang"], at=at("2025-09-19"))
    case = driver.act(
        case.id, "paid", officers=["wang"], at=at("2025-09-19"), facts={"party_performed": True}
    )
    case = driver.act(case.id, "issued", officers=["wang"], at=at("2025-09-22"))
    closed(driver, case.id, "zhao", "2025-09-23")

    # Alternative 1: no declaration; 责令限期缴纳 ≤ 15 days (细则 art. 73) with 滞纳金.
    late = driver.open_case(
        FARMLAND_TAX, officer="zhao", at=at("2025-09-01"), facts={"party_performed": False}
    )
    late = driver.act(late.id, "notify", officers=["zhao"], at=at("2025-09-02"))
    assert late.id in {
        c.id for c in driver.list_cases(overdue_on=D(2025, 10, 10))
    }  # 法定时限 passed
    late = driver.act(late.id, "overdue", officers=["wang"], at=at("2025-10-10"))
    # 15 days from Fri 10 Oct end Sat 25 Oct: rolled to Mon 27 Oct (细则 art. 109).
    assert late.state == "order_payment" and step_due(driver, late.id) == D(2025, 10, 27)
    late = driver.act(
        late.id,
        "paid_with_late_fee",
        officers=["zhao"],
        at=at("2025-10-20"),
        facts={"party_performed": True},
    )
    late = driver.act(late.id, "issued", officers=["wang"], at=at("2025-10-21"))
    closed(driver, late.id, "zhao", "2025-10-22")

    # Alternative 2: 延期缴纳 approved by the provincial bureau (征管法 art. 31, ≤ 3 months).
    deferred = driver.open_case(
        FARMLAND_TAX, officer="zhao", at=at("2025-09-01"), facts={"party_performed": False}
    )
    with pytest.raises(NotAuthorized):
        driver.extend(
            deferred.id,
            officer="boss",
            at=at("2025-09-20"),
            value=3,
            reason="特殊困难",
            party_notified=True,
        )
    deferred = driver.extend(
        deferred.id,
        officer="gov",
        at=at("2025-09-20"),
        value=3,
        reason="特殊困难",
        party_notified=True,
    )
    assert deferred.legal_due == D(2026, 1, 9)  # Thu 9 Oct 2025 + 3 months, a Friday


# ---------------------------------------------------------------------------------------------
# 行政确认


def test_work_injury_recognition(driver: Driver) -> None:
    # Main path: 补正, then 中止 while a court decides the labour relation (条例 art. 20 ¶3).
    case = driver.open_case(
        WORK_INJURY,
        officer="wang",
        at=at("2025-09-22"),
        party="某职工",
        facts={"materials_complete": False},
    )
    assert step_due(driver, case.id) == D(2025, 10, 7)  # 15 days to accept (认定办法 art. 8)
    case = driver.act(case.id, "request_supplement", officers=["wang"], at=at("2025-09-23"))
    case = driver.act(
        case.id,
        "resubmit",
        officers=["wang"],
        at=at("2025-09-29"),
        facts={"materials_complete": True},
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2025-09-30"))
    # 60 days from Tue 30 Sep end Sat 29 Nov; 承诺 30 days → 30 Oct.
    assert (case.legal_due, case.promised_due) == (D(2025, 11, 29), D(2025, 10, 30))
    assert step_due(driver, case.id) == D(2025, 10, 10)  # 2 WD over National Day: Oct 9, 10
    case = driver.act(case.id, "investigate", officers=["li"], at=at("2025-10-09"))
    case = driver.act(case.id, "await_conclusion", officers=["zhao", "qian"], at=at("2025-10-20"))
    assert case.paused_since == D(2025, 10, 20)
    case = driver.act(case.id, "conclusion_received", officers=["zhao"], at=at("2025-12-01"))
    # 中止 20 Oct – 30 Nov (42 days) not counted: 29 Nov → 10 Jan 2026; 30 Oct → 11 Dec.
    assert (case.legal_due, case.promised_due) == (D(2026, 1, 10), D(2025, 12, 11))
    case = driver.act(case.id, "propose", officers=["zhao", "qian"], at=at("2025-12-05"))
    case = driver.act(case.id, "recognise", officers=["boss"], at=at("2025-12-10"))
    assert case.outcome == "认定为工伤" and step_due(driver, case.id) == D(2025, 12, 30)
    case = driver.act(case.id, "delivered", officers=["wang"], at=at("2025-12-12"))
    closed(driver, case.id, "wang", "2025-12-15")

    # Alternative: a clear-cut case decided in 15 days (条例 art. 20 ¶2), over the 2026 春节.
    case = driver.open_case(
        WORK_INJURY, officer="wang", at=at("2026-02-11"), facts={"materials_complete": True}
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2026-02-12"))
    assert case.legal_due == D(2026, 4, 13)
    # 2 WD from Thu 12 Feb: Fri 13, Sat 14 (调休).
    assert step_due(driver, case.id) == D(2026, 2, 14)
    case = driver.act(case.id, "fast_track", officers=["li"], at=at("2026-02-13"))
    assert step_due(driver, case.id) == D(2026, 2, 28)
    case = driver.act(case.id, "not_recognise", officers=["boss"], at=at("2026-02-27"))
    assert case.outcome == "不予认定工伤"
    case = driver.act(case.id, "delivered", officers=["wang"], at=at("2026-03-02"))
    closed(driver, case.id, "wang", "2026-03-03")


# ---------------------------------------------------------------------------------------------
# 行政给付


def test_minimum_living_allowance(driver: Driver) -> None:
    # Main path over the 2026 New Year: accepted Mon 29 Dec 2025.
    case = driver.open_case(
        ALLOWANCE,
        officer="wang",
        at=at("2025-12-29"),
        party="某户",
        facts={"materials_complete": True},
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2025-12-29 10:00"))
    # 30 WD: Dec 30, 31 = 2; Jan 1-3 off; Sun Jan 4 (调休) = 3; Jan 5-9 = 8 … Feb 10 = 30.
    # 承诺 20 WD → Tue 27 Jan; 调查 10 WD → Tue 13 Jan.
    assert (case.legal_due, case.promised_due) == (D(2026, 2, 10), D(2026, 1, 27))
    assert step_due(driver, case.id) == D(2026, 1, 13)
    case = driver.act(case.id, "propose", officers=["zhao", "qian"], at=at("2026-01-09"))
    assert step_due(driver, case.id) == D(2026, 1, 16)  # 公示 7 days
    case = driver.act(case.id, "no_objection", officers=["li"], at=at("2026-01-16"))
    case = driver.act(case.id, "submit", officers=["li"], at=at("2026-01-20"))
    case = driver.act(
        case.id, "grant", officers=["boss"], at=at("2026-01-22"), facts={"requirements_met": True}
    )
    assert case.outcome == "准予最低生活保障"
    case = driver.act(case.id, "start_payment", officers=["wang"], at=at("2026-01-26"))
    assert step_due(driver, case.id) == D(2026, 2, 26)  # 按月发放: one month
    case = driver.act(case.id, "first_payment", officers=["cashier"], at=at("2026-02-10"))
    closed(driver, case.id, "li", "2026-02-11")

    # Alternative: objection in the 公示, an extension, and a refusal.
    case = driver.open_case(
        ALLOWANCE, officer="wang", at=at("2026-02-09"), facts={"materials_complete": True}
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2026-02-09 10:00"))
    # 30 WD from Mon 9 Feb: 10-13, Sat 14 (调休) = 5; 15-23 off; 24-27, Sat 28 (调休) = 10 … Mar 27.
    assert case.legal_due == D(2026, 3, 27)
    case = driver.act(case.id, "propose", officers=["zhao", "qian"], at=at("2026-02-27"))
    case = driver.act(case.id, "objection", officers=["li"], at=at("2026-03-06"))
    assert case.state == "investigation"
    case = driver.act(case.id, "propose", officers=["zhao", "qian"], at=at("2026-03-13"))
    case = driver.extend(
        case.id,
        officer="boss",
        at=at("2026-03-20"),
        value=15,
        reason="公示异议重新调查",
        party_notified=True,
    )
    # +15 WD from Fri 27 Mar: Mar 30, 31, Apr 1-3 = 5; Apr 4-6 (清明) off; Apr 7-10, 13-17, 20 = 15.
    assert case.legal_due == D(2026, 4, 20)
    case = driver.act(case.id, "no_objection", officers=["li"], at=at("2026-03-20"))
    case = driver.act(case.id, "submit", officers=["li"], at=at("2026-03-25"))
    case = driver.act(
        case.id, "refuse", officers=["boss"], at=at("2026-03-27"), facts={"requirements_met": False}
    )
    assert case.outcome == "不予批准" and case.state == "refusal_notice"
    case = driver.act(case.id, "notified", officers=["wang"], at=at("2026-03-30"))
    closed(driver, case.id, "li", "2026-03-31")


# ---------------------------------------------------------------------------------------------
# 行政裁决


def test_forest_tenure_dispute(driver: Driver) -> None:
    # Main path: mediation fails, the county government decides (6 months from acceptance).
    case = driver.open_case(
        FOREST,
        officer="wang",
        at=at("2025-03-03"),
        party="甲村、乙村",
        facts={"materials_complete": True},
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2025-03-04"))
    assert (case.legal_due, case.promised_due) == (D(2025, 9, 4), D(2025, 7, 4))
    assert step_due(driver, case.id) == D(2025, 3, 25)  # 副本送达 15 WD
    case = driver.act(case.id, "answered", officers=["wang"], at=at("2025-04-08"))
    case = driver.act(case.id, "investigated", officers=["zhao", "qian"], at=at("2025-04-30"))
    case = driver.act(case.id, "not_settled", officers=["li"], at=at("2025-05-20"))
    # 意见书 10 WD from Tue 20 May: 21-23, 26-30 = 8; 5/31-6/2 (端午) off; Jun 3, 4.
    assert step_due(driver, case.id) == D(2025, 6, 4)
    case = driver.act(case.id, "submit", officers=["boss"], at=at("2025-05-27"))
    case = driver.act(case.id, "passed", officers=["wu"], at=at("2025-06-05"))
    assert step_due(driver, case.id) == D(2025, 6, 26)
    with pytest.raises(NotAuthorized):
        driver.act(case.id, "decide", officers=["boss"], at=at("2025-06-20"))
    case = driver.act(case.id, "decide", officers=["gov"], at=at("2025-06-20"))
    assert case.outcome == "作出林权争议处理决定"
    case = driver.act(case.id, "delivered", officers=["wang"], at=at("2025-06-25"))
    closed(driver, case.id, "boss", "2025-06-30")

    # Alternative: settled by mediation (2026, over 中秋 and National Day).
    case = driver.open_case(
        FOREST, officer="wang", at=at("2026-09-21"), facts={"materials_complete": True}
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2026-09-21 10:00"))
    # 15 WD from Mon 21 Sep: 22-24 = 3; 25-27 (中秋) off; 28-30 = 6; Oct 1-7 off; 8, 9, Sat 10
    # (调休) = 9; 12-16 = 14; 19.
    assert step_due(driver, case.id) == D(2026, 10, 19)
    case = driver.act(case.id, "answered", officers=["wang"], at=at("2026-10-19"))
    case = driver.act(case.id, "investigated", officers=["zhao", "qian"], at=at("2026-11-10"))
    case = driver.act(case.id, "settled", officers=["li"], at=at("2026-11-20"))
    assert case.outcome == "调解结案" and case.state == "closed"
    closed(driver, case.id, "boss", "2026-11-23")


# ---------------------------------------------------------------------------------------------
# 行政检查


def test_random_inspection(driver: Driver) -> None:
    # Main path: nothing found. 60 WD from Wed 1 Apr 2026 cross 清明, 劳动节 (Sat 9 May works)
    # and 端午 (6/19-21): Tue 30 Jun.
    case = driver.open_case(INSPECTION, officer="wang", at=at("2026-04-01"), party="某食品销售企业")
    assert case.legal_due == D(2026, 6, 30)
    assert step_due(driver, case.id) == D(2026, 4, 9)  # 5 WD: Apr 2, 3, 7, 8, 9
    case = driver.act(case.id, "assign", officers=["wang"], at=at("2026-04-02"))
    assert step_due(driver, case.id) == D(2026, 5, 6)  # 20 WD: … Apr 27-30 = 19; May 1-5 off; May 6
    case = driver.act(case.id, "record", officers=["zhao", "qian"], at=at("2026-04-28"))
    case = driver.act(case.id, "no_problem", officers=["li"], at=at("2026-04-30"))
    assert case.outcome == "未发现问题"
    case = driver.act(
        case.id, "published", officers=["wang"], at=at("2026-05-09")
    )  # a working Saturday
    closed(driver, case.id, "wang", "2026-05-11")

    # Alternative: a suspected violation referred to the 执法稽查大队.
    case = driver.open_case(INSPECTION, officer="wang", at=at("2025-06-03"))
    case = driver.act(case.id, "assign", officers=["wang"], at=at("2025-06-03"))
    case = driver.act(case.id, "record", officers=["zhao", "qian"], at=at("2025-06-20"))
    case = driver.act(case.id, "refer", officers=["li"], at=at("2025-06-23"))
    assert case.outcome == "发现涉嫌违法，移送立案查处" and case.state == "referral"
    case = driver.act(case.id, "referred", officers=["li"], at=at("2025-06-24"))
    case = driver.act(case.id, "published", officers=["wang"], at=at("2025-07-10"))
    closed(driver, case.id, "wang", "2025-07-11")


# ---------------------------------------------------------------------------------------------
# 其他行政权力: 政府信息依申请公开


def test_information_disclosure_request(driver: Driver) -> None:
    # Main path over the 2026 Spring Festival with a third-party consultation and an extension.
    case = driver.open_case(DISCLOSURE, officer="wang", at=at("2026-02-09"), party="某申请人")
    # 补正 notice due 7 WD (条例 art. 30): Feb 10-13, Sat 14 (调休) = 5; 15-23 off; 24, 25.
    assert step_due(driver, case.id) == D(2026, 2, 25)
    case = driver.act(case.id, "register", officers=["wang"], at=at("2026-02-09 10:00"))
    # 20 WD (art. 33): … Sat 14 = 5, Feb 24-27 = 9, Sat 28 (调休) = 10, Mar 2-13 = 20;
    # 承诺 15 WD → Mar 6.
    assert (case.legal_due, case.promised_due) == (D(2026, 3, 13), D(2026, 3, 6))
    case = driver.act(case.id, "consult", officers=["li"], at=at("2026-02-12"))
    assert case.paused_since == D(2026, 2, 12)
    case = driver.act(case.id, "third_party_replied", officers=["li"], at=at("2026-03-05"))
    # The consultation 12 Feb – 4 Mar is not counted (art. 33 ¶2): its 11 working days (Feb 12,
    # 13, 14, 24-28, Mar 2-4) move 13 Mar to 30 Mar and 6 Mar to 23 Mar.
    assert (case.legal_due, case.promised_due) == (D(2026, 3, 30), D(2026, 3, 23))
    with pytest.raises(CaseError, match="party to be told"):
        driver.extend(
            case.id,
            officer="boss",
            at=at("2026-03-06"),
            value=20,
            reason="需要调取档案",
            party_notified=False,
        )
    case = driver.extend(
        case.id,
        officer="boss",
        at=at("2026-03-06"),
        value=20,
        reason="需要调取档案",
        party_notified=True,
    )
    # +20 WD from Mon 30 Mar: 31, Apr 1-3 = 4; 4-6 (清明) off; 7-10, 13-17, 20-24 = 18; 27, 28.
    assert case.legal_due == D(2026, 4, 28)
    case = driver.act(case.id, "refuse", officers=["boss"], at=at("2026-03-10"))
    assert case.outcome == "不予公开" and case.state == "refusal_delivery"
    case = driver.act(case.id, "delivered", officers=["wang"], at=at("2026-03-11"))
    closed(driver, case.id, "wang", "2026-03-12")

    # Alternative: 补正, after which the 20 WD run from the corrected request (art. 30), then 公开.
    case = driver.open_case(DISCLOSURE, officer="wang", at=at("2025-04-28"))
    # 7 WD from Mon 28 Apr 2025: 29, 30; May 1-5 off; May 6-9, 12.
    assert step_due(driver, case.id) == D(2025, 5, 12)
    case = driver.act(case.id, "request_supplement", officers=["wang"], at=at("2025-04-29"))
    case = driver.act(case.id, "resubmit", officers=["wang"], at=at("2025-05-12"))
    case = driver.act(case.id, "register", officers=["wang"], at=at("2025-05-12 14:00"))
    # 20 WD from Mon 12 May: 13-16, 19-23, 26-30 = 14; 5/31-6/2 (端午) off; Jun 3-6, 9, 10 = 20.
    assert case.clock_started_on == D(2025, 5, 12) and case.legal_due == D(2025, 6, 10)
    case = driver.act(case.id, "answer", officers=["li"], at=at("2025-05-20"))
    case = driver.act(case.id, "disclose", officers=["boss"], at=at("2025-05-22"))
    assert case.outcome == "予以公开" and case.state == "delivery"
    case = driver.act(case.id, "delivered", officers=["wang"], at=at("2025-05-23"))
    closed(driver, case.id, "wang", "2025-05-26")
