"""The case engine: scenarios, deadlines, pauses, extensions, authorization, versions, the record.

Scenarios run twice: on one in-memory engine, and with a store round trip between every step
(a fresh engine that reloads the pinned definition and the case from the database).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from powerflow import store
from powerflow.checks import check_catalog
from powerflow.compiler import compile_definition
from powerflow.definition import parse_definition
from powerflow.engine import SHANGHAI, CaseEngine, PenaltyDecision, local_date
from powerflow.errors import (
    CaseError,
    IllegalTransition,
    NotAuthorized,
    PowerflowError,
    StaleCase,
    UnknownCase,
    UnknownDefinition,
)
from powerflow.workdays import default_calendar, load_calendar, parse_layer
from tests.conftest import DEFINITIONS

LICENCE = "33990100SJ-XK-0001"
PENALTY = "33990100SJ-CF-0001"
SEIZURE = "33990100SJ-QZ-0001"

ROSTER: list[tuple[str, list[str], list[str]]] = [
    ("wang", ["window"], []),
    ("li", ["reviewer"], ["执法证"]),
    ("zhao", ["inspector", "investigator", "officer"], ["执法证"]),
    ("qian", ["inspector", "investigator", "officer"], ["执法证"]),
    ("sun", ["inspector"], []),
    ("zhou", ["hearing_host"], ["法律职业资格", "执法证"]),
    ("wu", ["legal_reviewer"], ["法律职业资格"]),
    ("boss", ["director", "bureau_meeting", "section_chief"], []),
    ("cashier", ["finance", "custodian"], []),
    ("chief", ["squad_leader"], ["执法证"]),
]


def at(text: str) -> dt.datetime:
    """A moment in Asia/Shanghai from 'YYYY-MM-DD HH:MM' (or a date: 09:00)."""
    if len(text) == 10:
        text += " 09:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_engine(url: str, calendar: Any = None) -> CaseEngine:
    return CaseEngine(store.connect(url), calendar or default_calendar())


@pytest.fixture
def engine(database_url: str) -> CaseEngine:
    db = store.connect(database_url)
    store.upgrade(db)
    engine = make_engine(database_url)
    engine.register(check_catalog([DEFINITIONS]).powers)
    for officer, posts, qualifications in ROSTER:
        engine.add_officer(officer, posts, qualifications)
    return engine


class Driver:
    """Runs operations either on one engine or on a fresh engine each time (store round trip)."""

    def __init__(self, engine: CaseEngine, round_trip: bool) -> None:
        self.engine = engine
        self.round_trip = round_trip
        self.url = engine.db.url.render_as_string(hide_password=False)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        engine = make_engine(self.url) if self.round_trip else self.engine
        method: Callable[..., Any] = getattr(engine, name)
        return method


@pytest.fixture(params=["in-memory", "round-trip"])
def driver(request: pytest.FixtureRequest, engine: CaseEngine) -> Driver:
    return Driver(engine, request.param == "round-trip")


# ---------------------------------------------------------------------------------------------
# Scenarios on the shipped definitions, deadlines checked against the 2025 and 2026 notices


def test_licence_main_path_across_national_day(driver: Driver) -> None:
    case = driver.open_case(
        LICENCE, officer="wang", at=at("2025-09-26"), party="某餐饮店",
        facts={"materials_complete": True},
    )
    assert case.state == "intake" and case.legal_due is None, "the clock starts at acceptance"
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2025-09-26 10:00"))
    # 20 working days from Fri 26 Sep 2025: Sun 28 Sep is a make-up day, 1–8 Oct are off,
    # Sat 11 Oct is a make-up day.
    assert case.clock_started_on == dt.date(2025, 9, 26)
    assert case.legal_due == dt.date(2025, 10, 30)
    assert case.promised_due == dt.date(2025, 10, 13)
    view = driver.show(case.id)
    assert view.current_entry.due == dt.date(2025, 9, 30)  # 审查: 3 working days
    case = driver.act(case.id, "order_inspection", officers=["li"], at=at("2025-09-28"))
    # 28 Sep + 5 WD (Sat 11 Oct works)
    assert driver.show(case.id).current_entry.due == dt.date(2025, 10, 11)
    case = driver.act(case.id, "report", officers=["zhao", "qian"], at=at("2025-10-09"))
    case = driver.act(case.id, "proceed", officers=["li"], at=at("2025-10-10"))
    case = driver.act(
        case.id, "grant", officers=["boss"], at=at("2025-10-11"), facts={"requirements_met": True}
    )
    assert case.outcome == "准予许可"
    assert driver.show(case.id).current_entry.due == dt.date(2025, 10, 24)  # Sat 11 Oct + 10 WD
    case = driver.act(case.id, "issue", officers=["wang"], at=at("2025-10-13"))
    case = driver.close(case.id, officer="wang", at=at("2025-10-14"))
    assert case.status == "closed" and case.closed_at == at("2025-10-14")
    view = driver.show(case.id)
    assert [e.kind for e in view.events] == ["opened"] + ["acted"] * 6 + ["closed"]
    assert [e.step for e in view.entries] == [
        "intake", "review", "inspection", "interested_parties", "decision", "certificate", "closed"
    ]
    assert driver.verify_chain(case.id) == []


def test_licence_hearing_pause_is_not_counted(driver: Driver) -> None:
    case = driver.open_case(
        LICENCE, officer="wang", at=at("2026-01-05"), facts={"materials_complete": True}
    )
    case = driver.act(case.id, "accept", officers=["wang"], at=at("2026-01-05"))
    # 20 WD from Mon 5 Jan 2026 → Mon 2 Feb 2026.
    assert case.legal_due == dt.date(2026, 2, 2)
    case = driver.act(case.id, "order_inspection", officers=["li"], at=at("2026-01-06"))
    case = driver.act(case.id, "report", officers=["zhao", "qian"], at=at("2026-01-07"))
    case = driver.act(
        case.id, "hold_hearing", officers=["li"], at=at("2026-01-08"),
        facts={"hearing_requested": True},
    )
    assert case.state == "hearing" and case.paused_since == dt.date(2026, 1, 8)
    case = driver.act(case.id, "conclude", officers=["zhou"], at=at("2026-01-22"))
    # Paused 8–21 Jan: 10 working days (8, 9, 12–16, 19–21) → the limit moves 10 working days,
    # from Mon 2 Feb to Mon 16 Feb? 14 Feb (Sat) is a make-up working day, 15–23 Feb are off.
    assert case.paused_since is None
    assert case.legal_due == dt.date(2026, 2, 14)
    events = driver.show(case.id).events
    assert events[-1].payload["deadlines"]["legal_due"] == "2026-02-14"


def test_penalty_with_hearing_and_collective_discussion(driver: Driver) -> None:
    case = driver.open_case(PENALTY, officer="zhao", at=at("2025-04-01"), party="某食品店")
    assert case.legal_due is None
    case = driver.act(case.id, "open_case", officers=["zhao"], at=at("2025-04-02"))
    # 90 calendar days from 立案 on 2 Apr 2025 → 1 Jul 2025; promised 60 days → 1 Jun 2025.
    assert case.legal_due == dt.date(2025, 7, 1)
    assert case.promised_due == dt.date(2025, 6, 1)
    with pytest.raises(NotAuthorized, match="at least 2 distinct officers"):
        driver.act(case.id, "conclude_investigation", officers=["zhao"], at=at("2025-04-20"))
    case = driver.act(
        case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-04-20")
    )
    case = driver.act(case.id, "approve_notice", officers=["wu"], at=at("2025-04-25"))
    # 告知 has a 5-working-day window: 25 Apr + 5 WD, with Sun 27 Apr a make-up day and 1–5 May off.
    assert driver.show(case.id).current_entry.due == dt.date(2025, 5, 6)
    case = driver.act(
        case.id, "hearing_requested", officers=["zhao"], at=at("2025-04-28"),
        facts={"hearing_requested": True},
    )
    assert case.paused_since == dt.date(2025, 4, 28)
    case = driver.act(case.id, "conclude_hearing", officers=["zhou"], at=at("2025-05-12"))
    # Paused 28 Apr – 11 May: 14 calendar days → the 90-day limit ends 15 Jul.
    assert case.legal_due == dt.date(2025, 7, 15)
    case = driver.act(case.id, "resolve", officers=["boss"], at=at("2025-05-20"))
    decision = PenaltyDecision(
        "SJ-SP-122-01", Decimal(70000), ("无从轻、从重情节",), {"货值金额": Decimal(8000)}
    )
    case = driver.act(case.id, "impose", officers=["boss"], at=at("2025-05-21"), decision=decision)
    assert case.outcome == "给予行政处罚"
    case = driver.act(case.id, "delivered", officers=["zhao"], at=at("2025-05-22"))
    assert driver.show(case.id).current_entry.due == dt.date(2025, 6, 6)  # 15 days to pay
    case = driver.act(case.id, "performed", officers=["cashier"], at=at("2025-06-03"))
    case = driver.close(case.id, officer="chief", at=at("2025-06-04"))
    assert case.status == "closed"
    assert driver.verify_chain() == []


def test_penalty_hearing_waived(driver: Driver) -> None:
    case = driver.open_case(PENALTY, officer="zhao", at=at("2025-06-02"))
    case = driver.act(case.id, "open_case", officers=["zhao"], at=at("2025-06-02"))
    case = driver.act(
        case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-06-10")
    )
    case = driver.act(case.id, "approve_notice", officers=["wu"], at=at("2025-06-11"))
    case = driver.waive(
        case.id, "听证", officer="zhao", at=at("2025-06-12"), statement="当事人书面放弃听证"
    )
    assert case.facts["waived"] == ["听证"] and case.facts["hearing_requested"] is False
    with pytest.raises(IllegalTransition, match="condition of hearing_requested does not hold"):
        driver.act(case.id, "hearing_requested", officers=["zhao"], at=at("2025-06-13"))
    case = driver.act(case.id, "to_decision", officers=["zhao"], at=at("2025-06-13"))
    assert case.state == "decision"


def test_seizure_extension_within_maximum(driver: Driver) -> None:
    case = driver.open_case(SEIZURE, officer="zhao", at=at("2025-09-15"))
    case = driver.act(case.id, "approve", officers=["boss"], at=at("2025-09-15 10:00"))
    case = driver.act(case.id, "seized", officers=["zhao", "qian"], at=at("2025-09-15 15:00"))
    assert case.legal_due == dt.date(2025, 10, 15)  # 30 calendar days
    with pytest.raises(CaseError, match="party to be told"):
        driver.extend(
            case.id, officer="boss", at=at("2025-10-10"), value=30, reason="案情复杂",
            party_notified=False,
        )
    with pytest.raises(NotAuthorized):
        driver.extend(
            case.id, officer="zhao", at=at("2025-10-10"), value=30, reason="案情复杂",
            party_notified=True,
        )
    case = driver.extend(
        case.id, officer="boss", at=at("2025-10-10"), value=20, reason="案情复杂",
        party_notified=True,
    )
    assert case.legal_due == dt.date(2025, 11, 4) and case.extended_by == 20
    with pytest.raises(CaseError, match="at most 30日"):
        driver.extend(
            case.id, officer="boss", at=at("2025-10-20"), value=11, reason="再延",
            party_notified=True,
        )
    case = driver.extend(
        case.id, officer="boss", at=at("2025-10-20"), value=10, reason="再延", party_notified=True
    )
    assert case.legal_due == dt.date(2025, 11, 14)
    kinds = [e.kind for e in driver.show(case.id).events]
    assert kinds.count("extended") == 2 and kinds.count("refused") == 1


def test_seizure_testing_pause_and_urgent_hour_limit(driver: Driver) -> None:
    case = driver.open_case(
        SEIZURE, officer="zhao", at=at("2025-03-03 20:00"), facts={"urgent": True}
    )
    case = driver.act(case.id, "act_urgently", officers=["zhao"], at=at("2025-03-03 20:30"))
    entry = driver.show(case.id).current_entry
    assert entry.overdue_at == at("2025-03-04 20:30"), "24 hours to report and obtain approval"
    case = driver.act(case.id, "ratify", officers=["boss"], at=at("2025-03-04 09:00"))
    assert case.legal_due == dt.date(2025, 4, 3)
    case = driver.act(case.id, "send_for_testing", officers=["cashier"], at=at("2025-03-10"))
    case = driver.act(case.id, "results_received", officers=["zhao"], at=at("2025-03-20"))
    assert case.legal_due == dt.date(2025, 4, 13), "10 days of testing are not counted"


def test_suspend_and_resume_move_case_and_step_deadlines(driver: Driver) -> None:
    case = driver.open_case(PENALTY, officer="zhao", at=at("2025-09-01"))
    case = driver.act(case.id, "open_case", officers=["zhao"], at=at("2025-09-01"))
    assert case.legal_due == dt.date(2025, 11, 30)
    step_due = driver.show(case.id).current_entry.due
    case = driver.suspend(
        case.id,
        officer="zhao",
        at=at("2025-09-10"),
        reason="等待检验结论",
        basis="市场监督管理行政处罚程序规定第64条",
        party_notified=True,
    )
    assert case.status == "suspended" and case.paused_since == dt.date(2025, 9, 10)
    with pytest.raises(IllegalTransition, match="suspended"):
        driver.act(
            case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-09-11")
        )
    with pytest.raises(CaseError, match="only an open case"):
        driver.suspend(
            case.id, officer="zhao", at=at("2025-09-11"), reason="x", basis="y", party_notified=True
        )
    case = driver.resume(case.id, officer="zhao", at=at("2025-09-20"))
    assert case.status == "open" and case.paused_since is None
    assert case.legal_due == dt.date(2025, 12, 10), "10 suspended days move the limit"
    assert driver.show(case.id).current_entry.due == step_due + dt.timedelta(days=10)


def test_waiver_of_a_right_the_step_does_not_give(driver: Driver) -> None:
    case = driver.open_case(PENALTY, officer="zhao", at=at("2025-06-02"))
    with pytest.raises(CaseError, match="gives no right 听证"):
        driver.waive(case.id, "听证", officer="zhao", at=at("2025-06-02"), statement="放弃")


# ---------------------------------------------------------------------------------------------
# Authorization, refusals and errors


@pytest.mark.parametrize(
    ("officers", "message"),
    [
        (["boss"], "does not hold the post window"),
        (["nobody"], "not on the staff roster"),
        (["wnag"], "did you mean wang"),
    ],
    ids=["wrong-post", "unknown-officer", "mistyped-officer"],
)
def test_refused_acts_change_nothing_but_are_recorded(
    engine: CaseEngine, officers: list[str], message: str
) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    with pytest.raises(NotAuthorized, match=message):
        engine.act(case.id, "accept", officers=officers, at=at("2025-03-03"))
    after = engine.get(case.id)
    assert after.state == "intake" and after.legal_due is None
    last = engine.show(case.id).events[-1]
    assert last.kind == "refused" and message.split()[-1] in last.payload["reason"]
    assert engine.verify_chain(case.id) == []


def test_missing_qualification_is_refused(engine: CaseEngine) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    engine.act(case.id, "accept", officers=["wang"], at=at("2025-03-03"))
    engine.act(case.id, "order_inspection", officers=["li"], at=at("2025-03-04"))
    with pytest.raises(NotAuthorized, match="lacks the qualification 执法证"):
        engine.act(case.id, "report", officers=["zhao", "sun"], at=at("2025-03-05"))
    with pytest.raises(NotAuthorized, match="2 distinct officers"):
        engine.act(case.id, "report", officers=["zhao", "zhao"], at=at("2025-03-05"))


def test_opening_needs_the_start_post(engine: CaseEngine) -> None:
    with pytest.raises(NotAuthorized):
        engine.open_case(LICENCE, officer="boss", at=at("2025-03-03"))
    with pytest.raises(UnknownDefinition, match="did you mean 33990100SJ-XK-0001"):
        engine.open_case("33990100SJ-XK-0002", officer="wang", at=at("2025-03-03"))


def test_illegal_and_unknown(engine: CaseEngine) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    with pytest.raises(IllegalTransition, match="allowed now: accept, request_supplement, reject"):
        engine.act(case.id, "grant", officers=["boss"], at=at("2025-03-03"))
    with pytest.raises(IllegalTransition, match="condition of request_supplement does not hold"):
        engine.act(case.id, "request_supplement", officers=["wang"], at=at("2025-03-03"))
    with pytest.raises(UnknownCase):
        engine.act(9999, "accept", officers=["wang"], at=at("2025-03-03"))
    with pytest.raises(IllegalTransition, match="not final"):
        engine.close(case.id, officer="wang", at=at("2025-03-03"))
    engine.act(case.id, "reject", officers=["wang"], at=at("2025-03-03"))
    closed = engine.close(case.id, officer="wang", at=at("2025-03-04"))
    assert closed.outcome == "不予受理"
    with pytest.raises(IllegalTransition, match="closed"):
        engine.act(case.id, "accept", officers=["wang"], at=at("2025-03-05"))
    assert engine.actions(case.id) == []
    with pytest.raises(CaseError, match="timezone"):
        engine.open_case(LICENCE, officer="wang", at=dt.datetime(2025, 3, 3))


def test_stale_version_is_refused(engine: CaseEngine) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    engine.act(
        case.id, "accept", officers=["wang"], at=at("2025-03-03"),
        expected_version=case.lock_version,
    )
    with pytest.raises(StaleCase):
        engine.act(
            case.id, "order_inspection", officers=["li"], at=at("2025-03-04"),
            expected_version=case.lock_version,
        )


def test_two_readers_one_writer_wins(engine: CaseEngine) -> None:
    """Two officers read the case, both act: the second write finds a newer version."""
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    with engine.db.connect() as db:
        stale_row = engine._case_row(db, case.id)
    engine.act(case.id, "accept", officers=["wang"], at=at("2025-03-03"))
    power = engine.power(stale_row.digest)
    exit_ = power.exit("intake", "reject")
    assert exit_ is not None
    with pytest.raises(StaleCase):
        engine._move(stale_row, power, exit_, [], at("2025-03-03"), ["wang"], None, {})
    assert engine.get(case.id).state == "review"
    assert [e.kind for e in engine.show(case.id).events] == ["opened", "acted"]


# ---------------------------------------------------------------------------------------------
# Versions


def _changed_licence(version: str, limit: int) -> Any:
    text = (DEFINITIONS / "food-business-licence.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "1.0"', f'version: "{version}"')
    text = text.replace("  promised:\n    value: 7\n", f"  promised:\n    value: {limit}\n")
    return compile_definition(parse_definition(text, f"licence-{version}.yaml"))


def test_cases_keep_their_version_and_new_cases_take_the_newest(engine: CaseEngine) -> None:
    old = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    assert engine.register([_changed_licence("1.1", 5)])
    new = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    assert (old.version, new.version) == ("1.0", "1.1") and old.digest != new.digest
    old = engine.act(old.id, "accept", officers=["wang"], at=at("2025-03-03"))
    new = engine.act(new.id, "accept", officers=["wang"], at=at("2025-03-03"))
    assert old.promised_due == dt.date(2025, 3, 12)  # 7 WD, the old version
    assert new.promised_due == dt.date(2025, 3, 10)  # 5 WD, the new version
    # A fresh engine reloads the pinned version from the store.
    fresh = make_engine(engine.db.url.render_as_string(hide_password=False))
    promised = fresh.power(old.digest).definition.limits.promised
    assert promised is not None and promised.value == 7


def test_changed_content_needs_a_new_version(engine: CaseEngine) -> None:
    with pytest.raises(CaseError, match="new version number"):
        engine.register([_changed_licence("1.0", 6)])


# ---------------------------------------------------------------------------------------------
# Provisional deadlines


def test_provisional_deadline_recomputed_when_the_year_is_imported(sqlite_url: str) -> None:
    db = store.connect(sqlite_url)
    store.upgrade(db)
    engine = make_engine(sqlite_url)
    engine.register(check_catalog([DEFINITIONS]).powers)
    for officer, posts, qualifications in ROSTER:
        engine.add_officer(officer, posts, qualifications)
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2026-12-21"), facts={"materials_complete": True}
    )
    case = engine.act(case.id, "accept", officers=["wang"], at=at("2026-12-21"))
    # 2027 has no notice yet: weekends only → 20 WD from Mon 21 Dec 2026 = Mon 18 Jan 2027.
    assert case.legal_provisional and case.legal_due == dt.date(2027, 1, 18)
    notice = parse_layer(
        "layer: 2027 notice\nyears:\n  2027:\n    complete: true\n"
        "    provenance: 国办发明电〔2026〕99号\n"
        "    holidays:\n      - {name: 元旦, first: 2027-01-01, last: 2027-01-03}\n"
        "      - {name: 假想假日, first: 2027-01-11, last: 2027-01-12}\n",
        "2027.yaml",
    )
    updated = make_engine(sqlite_url, load_calendar([notice]))
    assert updated.recompute_provisional(at("2026-12-22")) == [case.id]
    case = updated.get(case.id)
    assert not case.legal_provisional and case.legal_due == dt.date(2027, 1, 21)
    event = updated.show(case.id).events[-1]
    assert event.kind == "deadlines-recomputed"
    assert event.payload["before"]["legal_due"] == "2027-01-18"
    assert event.payload["after"]["legal_due"] == "2027-01-21"
    assert updated.recompute_provisional(at("2026-12-23")) == []
    assert updated.verify_chain() == []


# ---------------------------------------------------------------------------------------------
# Tamper evidence


@pytest.fixture
def closed_case(engine: CaseEngine) -> int:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    engine.act(case.id, "reject", officers=["wang"], at=at("2025-03-03"))
    engine.close(case.id, officer="wang", at=at("2025-03-04"))
    return case.id


def _sql(engine: CaseEngine, statement: sa.Executable) -> None:
    with engine.db.begin() as db:
        db.execute(statement)


def test_modified_event_is_detected(engine: CaseEngine, closed_case: int) -> None:
    events = store.events
    _sql(
        engine,
        events.update()
        .where(events.c.case_id == closed_case, events.c.seq == 2)
        .values(actor="someone-else"),
    )
    (problem,) = engine.verify_chain(closed_case)
    assert problem.seq == 2 and "modified" in problem.message


def test_deleted_last_event_is_detected(engine: CaseEngine, closed_case: int) -> None:
    _sql(
        engine,
        store.events.delete().where(store.events.c.case_id == closed_case, store.events.c.seq == 3),
    )
    (problem,) = engine.verify_chain(closed_case)
    assert "deleted" in problem.message


def test_deleted_middle_event_is_detected(engine: CaseEngine, closed_case: int) -> None:
    _sql(
        engine,
        store.events.delete().where(store.events.c.case_id == closed_case, store.events.c.seq == 2),
    )
    (problem,) = engine.verify_chain(closed_case)
    assert "missing or out of order" in problem.message


def test_reordered_events_are_detected(engine: CaseEngine, closed_case: int) -> None:
    events = store.events
    _sql(
        engine,
        events.update().where(events.c.case_id == closed_case, events.c.seq == 2).values(seq=99),
    )
    _sql(
        engine,
        events.update().where(events.c.case_id == closed_case, events.c.seq == 3).values(seq=2),
    )
    _sql(
        engine,
        events.update().where(events.c.case_id == closed_case, events.c.seq == 99).values(seq=3),
    )
    problems = engine.verify_chain(closed_case)
    assert problems and problems[0].seq == 2


def test_listing_cases(engine: CaseEngine) -> None:
    a = engine.open_case(
        LICENCE, officer="wang", at=at("2025-03-03"), facts={"materials_complete": True}
    )
    b = engine.open_case(PENALTY, officer="zhao", at=at("2025-03-03"))
    engine.act(a.id, "accept", officers=["wang"], at=at("2025-03-03"))
    assert [c.id for c in engine.list_cases(code=PENALTY)] == [b.id]
    assert [c.id for c in engine.list_cases(state="review")] == [a.id]
    # 审查 is due 6 Mar; 立案 15 WD is due 24 Mar.
    assert [c.id for c in engine.list_cases(overdue_on=dt.date(2025, 3, 6))] == []
    assert [c.id for c in engine.list_cases(overdue_on=dt.date(2025, 3, 7))] == [a.id]
    assert [c.id for c in engine.list_cases(overdue_on=dt.date(2025, 3, 25))] == [a.id, b.id]
    assert local_date(at("2025-03-03 23:30")) == dt.date(2025, 3, 3)


def test_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    from powerflow.errors import StoreError

    db = store.connect(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError, match="powerflow db upgrade"):
        store.require_schema(db)


def test_migration_matches_the_tables(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = store.connect(database_url)
    store.upgrade(db)
    with db.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), store.metadata) == []


# ---------------------------------------------------------------------------------------------
# The write path: the event hash, threads


def _reference_event_hash(
    case_id: int,
    seq: int,
    kind: str,
    actor: str | None,
    payload: dict[str, Any],
    effective_at: dt.datetime,
    recorded_at: dt.datetime,
    prev_hash: str,
) -> str:
    """The event hash as the record defines it: SHA-256 of the canonical JSON of the body."""
    import hashlib
    import json

    def default(value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat()
        return str(value.isoformat())

    body = {
        "case": case_id, "seq": seq, "kind": kind, "actor": actor, "payload": payload,
        "effective_at": effective_at.astimezone(dt.UTC).isoformat(),
        "recorded_at": recorded_at.astimezone(dt.UTC).isoformat(), "prev": prev_hash,
    }
    text = json.dumps(
        body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=default
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("actor", "payload"),
    [
        ("zhao,qian", {"action": "conclude", "officers": ["zhao", "qian"], "note": None}),
        (None, {}),
        ('王"五\\', {"理由": "案情复杂\n\u2028", "amount": 1.5e16, "due": dt.date(2025, 7, 1)}),
        ("wang", {"at": at("2025-04-01 08:30"), "nested": [{"b": 1, "a": [True, None]}]}),
    ],
    ids=["act", "empty", "escapes", "dates"],
)
def test_the_event_hash_is_the_canonical_body_hash(
    actor: str | None, payload: dict[str, Any]
) -> None:
    from powerflow.engine import event_hash

    moments = at("2025-04-01 08:30"), at("2025-04-01 08:30:01")
    args = (7, 3, "acted", actor, payload, *moments, "a" * 64)
    assert event_hash(*args) == _reference_event_hash(*args)


def test_threads_act_at_once_each_on_its_own_connection(engine: CaseEngine) -> None:
    import threading

    facts = {"materials_complete": False}
    cases = [
        engine.open_case(LICENCE, officer="wang", at=at("2025-03-03"), facts=facts).id
        for _ in range(4)
    ]
    errors: list[BaseException] = []

    def work(case_id: int) -> None:
        try:
            for index in range(10):
                action = "request_supplement" if index % 2 == 0 else "resubmit"
                engine.act(case_id, action, officers=["wang"], at=at("2025-03-04"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(case_id,)) for case_id in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [engine.get(case_id).lock_version for case_id in cases] == [10] * 4
    assert engine.verify_chain() == []


# ---------------------------------------------------------------------------------------------
# Penalty decisions against the 裁量基准, waiting periods, the night/holiday guard, deemed acts

GOODS = {"货值金额": Decimal(8000)}  # 货值金额不足一万元: 50,000–100,000 元


def _at_decision(engine: CaseEngine, facts: dict[str, object] | None = None) -> int:
    case = engine.open_case(PENALTY, officer="zhao", at=at("2025-06-02"), facts=facts)
    engine.act(case.id, "open_case", officers=["zhao"], at=at("2025-06-02"))
    engine.act(case.id, "conclude_investigation", officers=["zhao", "qian"], at=at("2025-06-10"))
    engine.act(case.id, "approve_notice", officers=["wu"], at=at("2025-06-11"))
    engine.waive(
        case.id, "听证", officer="zhao", at=at("2025-06-12"), statement="当事人书面放弃听证"
    )
    engine.act(case.id, "to_decision", officers=["zhao"], at=at("2025-06-13"))
    return case.id


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (None, "imposes a penalty: record the decision"),
        (PenaltyDecision("SJ-SP-122-02", Decimal(70000), (), GOODS), "did you mean SJ-SP-122-01"),
        (
            PenaltyDecision("SJ-SP-122-01", Decimal(120000), (), GOODS),
            "outside the statutory range 50000–100000 元",
        ),
        (
            PenaltyDecision("SJ-SP-122-01", Decimal(90000), (), GOODS),
            "outside the 一般 tier (65000–85000 元)",
        ),
        (
            PenaltyDecision("SJ-SP-122-01", Decimal(40000), ("无从轻、从重情节",), GOODS),
            "outside the statutory range",
        ),
        (
            PenaltyDecision("SJ-SP-122-01", Decimal(70000), ("情节很轻",), GOODS),
            "no tier lists the circumstance",
        ),
    ],
    ids=[
        "missing", "unknown-violation", "above-statutory", "outside-tier", "below-statutory",
        "unknown-circumstance",
    ],
)
def test_penalty_decisions_that_are_refused(
    engine: CaseEngine, decision: PenaltyDecision | None, message: str
) -> None:
    case_id = _at_decision(engine)
    with pytest.raises(PowerflowError, match=re.escape(message)):
        engine.act(case_id, "impose", officers=["boss"], at=at("2025-06-16"), decision=decision)
    assert engine.get(case_id).state == "decision"


def test_penalty_decision_in_tier_and_with_a_reason(engine: CaseEngine) -> None:
    case_id = _at_decision(engine)
    decision = PenaltyDecision(
        "SJ-SP-122-01", Decimal(90000), (), GOODS, reason="违法经营时间长、规模大，酌定从高"
    )
    case = engine.act(case_id, "impose", officers=["boss"], at=at("2025-06-16"), decision=decision)
    recorded = case.facts["decision"]
    assert recorded["tier"] == "一般" and recorded["within_tier"] is False
    assert recorded["reason"] == "违法经营时间长、规模大，酌定从高"
    event = engine.show(case_id).events[-1]
    assert event.payload["decision"]["amount"] == "90000"
    with pytest.raises(CaseError, match="decides no penalty"):
        engine.act(case_id, "delivered", officers=["zhao"], at=at("2025-06-17"), decision=decision)


def test_mitigation_below_the_statutory_minimum_on_its_grounds(engine: CaseEngine) -> None:
    case_id = _at_decision(engine)
    decision = PenaltyDecision(
        "SJ-SP-122-01", Decimal(30000), ("主动消除或者减轻违法行为危害后果",), GOODS
    )
    case = engine.act(case_id, "impose", officers=["boss"], at=at("2025-06-16"), decision=decision)
    assert (
        case.facts["decision"]["tier"] == "减轻" and case.facts["decision"]["within_tier"] is True
    )


def test_no_heavier_penalty_than_proposed(engine: CaseEngine) -> None:
    case_id = _at_decision(engine, facts={"proposed_amount": 70000})
    decision = PenaltyDecision("SJ-SP-122-01", Decimal(80000), (), GOODS)
    with pytest.raises(CaseError, match="heavier than the 70000 元 proposed"):
        engine.act(case_id, "impose", officers=["boss"], at=at("2025-06-16"), decision=decision)


def test_hearing_cannot_conclude_before_its_notice_period(engine: CaseEngine) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2026-01-05"), facts={"materials_complete": True}
    )
    engine.act(case.id, "accept", officers=["wang"], at=at("2026-01-05"))
    engine.act(case.id, "order_inspection", officers=["li"], at=at("2026-01-06"))
    engine.act(case.id, "report", officers=["zhao", "qian"], at=at("2026-01-07"))
    engine.act(
        case.id, "hold_hearing", officers=["li"], at=at("2026-01-08"),
        facts={"hearing_requested": True},
    )
    # 7 working days' notice from Thu 8 Jan 2026: the hearing is held from Mon 19 Jan.
    with pytest.raises(IllegalTransition, match="completed from 2026-01-19 on"):
        engine.act(case.id, "conclude", officers=["zhou"], at=at("2026-01-16"))
    assert (
        engine.act(case.id, "conclude", officers=["zhou"], at=at("2026-01-19")).state == "decision"
    )


def test_deemed_acceptance_when_no_supplement_notice_in_time(engine: CaseEngine) -> None:
    case = engine.open_case(
        LICENCE, officer="wang", at=at("2025-09-26"), facts={"materials_complete": False}
    )
    # 受理 has 5 working days (行政许可法 art. 32): Sun 28, Mon 29, Tue 30 Sep, Thu 9, Fri 10 Oct.
    assert engine.apply_deemed(at("2025-10-10 23:00")) == []
    assert engine.apply_deemed(at("2025-10-11 09:00")) == [case.id]
    case = engine.get(case.id)
    assert case.state == "review"
    assert case.clock_started_on == dt.date(2025, 9, 26), "deemed accepted from receipt"
    assert case.legal_due == dt.date(2025, 10, 30)
    event = engine.show(case.id).events[-1]
    assert event.actor == "system" and "视为" in event.payload["note"]
    assert event.effective_at == at("2025-10-11 00:00")
    assert engine.apply_deemed(at("2025-10-12")) == []
    assert engine.verify_chain(case.id) == []


def test_waiting_period_and_no_enforcement_at_night_or_on_holidays(engine: CaseEngine) -> None:
    enforcement = "33990100ZH-QZ-0001"
    engine.add_officer("xu", ["case_officer"], ["执法证"])
    engine.add_officer("he", ["case_officer"], ["执法证"])
    engine.add_officer("ma", ["director"], [])
    facts = {"party_performed": False}
    case = engine.open_case(enforcement, officer="xu", at=at("2025-09-01"), facts=facts)
    engine.act(case.id, "remind", officers=["xu"], at=at("2025-09-02"))
    # 催告书送达十日后 (行政强制法 art. 54): 10 working days from Tue 2 Sep end Tue 16 Sep.
    with pytest.raises(IllegalTransition, match="completed from 2025-09-17 on"):
        engine.act(case.id, "review_statement", officers=["xu"], at=at("2025-09-16"))
    engine.act(case.id, "review_statement", officers=["xu"], at=at("2025-09-17"))
    engine.act(case.id, "propose_auction", officers=["xu"], at=at("2025-09-18"))
    engine.act(case.id, "decide", officers=["ma"], at=at("2025-09-19"))
    with pytest.raises(IllegalTransition, match="at night"):
        engine.act(case.id, "executed", officers=["xu", "he"], at=at("2025-09-22 23:00"))
    with pytest.raises(IllegalTransition, match="on a rest day"):
        engine.act(case.id, "executed", officers=["xu", "he"], at=at("2025-10-02 10:00"))
    case = engine.act(case.id, "executed", officers=["xu", "he"], at=at("2025-09-28 10:00"))
    assert case.state == "archive", "Sun 28 Sep 2025 is a make-up working day"
