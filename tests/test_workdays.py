"""Working-day calendar: the 2025/2026 notices, limits, pauses, uncovered years and layers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerflow.definition import TimeUnit
from powerflow.errors import CalendarError, CalendarNotCovered
from powerflow.workdays import (
    Deadline,
    Layer,
    Pause,
    WorkCalendar,
    base_layer,
    default_calendar,
    import_layer,
    layer_files,
    load_calendar,
    load_layer,
    parse_layer,
    shift_months,
)

D = date.fromisoformat
CAL = default_calendar()


def days(first: str, last: str) -> list[date]:
    """Every date from first to last, both included."""
    start, end = D(first), D(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# ---------------------------------------------------------------------------------------------
# The 2025 and 2026 notices exactly as domain-rules.md W-02 / W-03 state them

NOTICE_BLOCKS = {
    "2025-元旦": ("2025-01-01", "2025-01-01"),
    "2025-春节": ("2025-01-28", "2025-02-04"),
    "2025-清明": ("2025-04-04", "2025-04-06"),
    "2025-劳动": ("2025-05-01", "2025-05-05"),
    "2025-端午": ("2025-05-31", "2025-06-02"),
    "2025-国庆中秋": ("2025-10-01", "2025-10-08"),
    "2026-元旦": ("2026-01-01", "2026-01-03"),
    "2026-春节": ("2026-02-15", "2026-02-23"),
    "2026-清明": ("2026-04-04", "2026-04-06"),
    "2026-劳动": ("2026-05-01", "2026-05-05"),
    "2026-端午": ("2026-06-19", "2026-06-21"),
    "2026-中秋": ("2026-09-25", "2026-09-27"),
    "2026-国庆": ("2026-10-01", "2026-10-07"),
}
MAKEUP_DAYS = {
    "2025-春节-Sun": "2025-01-26",
    "2025-春节-Sat": "2025-02-08",
    "2025-劳动-Sun": "2025-04-27",
    "2025-国庆-Sun": "2025-09-28",
    "2025-国庆-Sat": "2025-10-11",
    "2026-元旦-Sun": "2026-01-04",
    "2026-春节-Sat-before": "2026-02-14",
    "2026-春节-Sat-after": "2026-02-28",
    "2026-劳动-Sat": "2026-05-09",
    "2026-国庆-Sun": "2026-09-20",
    "2026-国庆-Sat": "2026-10-10",
}
OFF = {day for first, last in NOTICE_BLOCKS.values() for day in days(first, last)}
ON = {D(day) for day in MAKEUP_DAYS.values()}


def notice_is_workday(day: date) -> bool:
    """The W-02/W-03 rule, written independently of the shipped table."""
    return day in ON or (day.weekday() < 5 and day not in OFF)


def notice_add(start: date, n: int) -> date:
    """Day-by-day reference: the Nth working day after start under W-02/W-03."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= notice_is_workday(day)
    return day


@pytest.mark.parametrize(("first", "last"), NOTICE_BLOCKS.values(), ids=NOTICE_BLOCKS.keys())
def test_every_day_of_each_holiday_block_is_off(first: str, last: str) -> None:
    assert [day for day in days(first, last) if CAL.is_workday(day)] == []


@pytest.mark.parametrize("day", MAKEUP_DAYS.values(), ids=MAKEUP_DAYS.keys())
def test_each_makeup_day_is_a_weekend_day_worked(day: str) -> None:
    assert D(day).weekday() >= 5
    assert CAL.is_workday(D(day))


@pytest.mark.parametrize("year", [2025, 2026], ids=["2025", "2026"])
def test_whole_year_matches_the_notice_day_by_day(year: int) -> None:
    wrong = [
        d
        for d in days(f"{year}-01-01", f"{year}-12-31")
        if CAL.is_workday(d) != notice_is_workday(d)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("year", "notice", "issued"),
    [
        (2025, "国办发明电〔2024〕12号", D("2024-11-12")),
        (2026, "国办发明电〔2025〕7号", D("2025-11-04")),
    ],
    ids=["2025", "2026"],
)
def test_provenance_names_the_notice(year: int, notice: str, issued: date) -> None:
    (source,) = CAL.provenance(year)
    assert source.complete
    assert source.provenance[0].notice == notice
    assert source.provenance[0].issued == issued
    assert f"{year}年部分节假日安排" in (source.provenance[0].title or "")


def test_every_shipped_year_from_2004_to_2026_is_covered_with_provenance() -> None:
    assert set(range(2004, 2027)) <= set(CAL.covered_years())
    for year in range(2004, 2027):
        assert CAL.provenance(year)[0].provenance[0].notice


def test_shipped_table_agrees_with_chinesecalendar_except_documented_corrections() -> None:
    corrections = {D("2005-12-31")}  # the 2006 notice: 12月31日(星期六)上班
    differ = {
        day
        for year in CAL.covered_years()
        for day in days(f"{year}-01-01", f"{year}-12-31")
        if CAL.is_workday(day) != chinese_calendar.is_workday(day)
    }
    assert differ == corrections


def test_amendments_are_in_the_table() -> None:
    # 2020: the Spring Festival was extended to 2 February, so Saturday 1 February was not worked.
    assert not CAL.is_workday(D("2020-01-31")) and not CAL.is_workday(D("2020-02-01"))
    # 2019: Labour Day changed to 1-4 May with Sunday 5 May worked.
    assert [CAL.is_workday(d) for d in days("2019-05-01", "2019-05-05")] == [False] * 4 + [True]
    assert len(CAL.provenance(2019)[0].provenance) == 2


# ---------------------------------------------------------------------------------------------
# Working days (工作日)

ADD_WORKDAYS = [
    # (start, n, expected, id)
    ("2025-01-24", 1, "2025-01-26", "2025-fri-before-spring-lands-on-sunday-makeup"),
    ("2025-01-24", 3, "2025-02-05", "2025-fri-before-spring-skips-block"),
    ("2025-01-27", 1, "2025-02-05", "2025-eve-of-block"),
    ("2025-01-30", 1, "2025-02-05", "2025-inside-spring"),
    ("2025-02-04", 5, "2025-02-10", "2025-last-day-of-block-through-sat-makeup"),
    ("2025-04-03", 1, "2025-04-07", "2025-before-qingming"),
    ("2025-04-25", 1, "2025-04-27", "2025-fri-to-sunday-makeup"),
    ("2025-04-27", 3, "2025-04-30", "2025-from-makeup-day"),
    ("2025-04-27", 4, "2025-05-06", "2025-across-labour-day"),
    ("2025-05-30", 1, "2025-06-03", "2025-before-dragon-boat"),
    ("2025-09-26", 3, "2025-09-30", "2025-before-national-day"),
    ("2025-09-26", 4, "2025-10-09", "2025-across-national-day"),
    ("2025-09-30", 1, "2025-10-09", "2025-eve-of-national-day"),
    ("2025-10-05", 3, "2025-10-11", "2025-inside-national-day-to-sat-makeup"),
    ("2025-09-26", 20, "2025-10-30", "2025-licensing-20-workdays"),
    ("2025-12-30", 1, "2025-12-31", "2025-year-end"),
    ("2025-12-31", 1, "2026-01-04", "2025-to-2026-sunday-makeup"),
    ("2025-12-31", 2, "2026-01-05", "2025-to-2026-after-makeup"),
    ("2026-02-13", 1, "2026-02-14", "2026-fri-to-sat-makeup"),
    ("2026-02-13", 2, "2026-02-24", "2026-across-spring"),
    ("2026-02-20", 1, "2026-02-24", "2026-inside-spring"),
    ("2026-02-27", 1, "2026-02-28", "2026-sat-makeup-after-spring"),
    ("2026-04-03", 1, "2026-04-07", "2026-before-qingming"),
    ("2026-04-30", 1, "2026-05-06", "2026-before-labour-day"),
    ("2026-05-08", 1, "2026-05-09", "2026-sat-makeup-after-labour"),
    ("2026-06-18", 1, "2026-06-22", "2026-before-dragon-boat"),
    ("2026-09-18", 1, "2026-09-20", "2026-fri-to-sunday-makeup"),
    ("2026-09-24", 1, "2026-09-28", "2026-before-mid-autumn"),
    ("2026-09-30", 1, "2026-10-08", "2026-before-national-day"),
    ("2026-10-09", 1, "2026-10-10", "2026-sat-makeup-after-national"),
    ("2026-03-02", 0, "2026-03-02", "zero-is-the-start-day"),
]


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [case[:3] for case in ADD_WORKDAYS],
    ids=[case[3] for case in ADD_WORKDAYS],
)
def test_add_workdays_table(start: str, n: int, expected: str) -> None:
    result = CAL.add_workdays(D(start), n)
    assert result == Deadline(D(expected))
    assert notice_add(D(start), n) == D(expected)  # the table itself agrees with W-02/W-03


def _around_blocks() -> Iterator[tuple[date, int]]:
    for first, last in NOTICE_BLOCKS.values():
        for start in (
            D(first) - timedelta(days=3),
            D(first) - timedelta(days=1),
            D(first),
            D(last),
        ):
            for n in (1, 2, 3, 5, 10, 20):
                yield start, n
    for day in MAKEUP_DAYS.values():
        for start in (D(day) - timedelta(days=1), D(day)):
            for n in (1, 2, 5):
                yield start, n


AROUND = sorted(set(_around_blocks()))


@pytest.mark.parametrize(("start", "n"), AROUND, ids=[f"{s}+{n}" for s, n in AROUND])
def test_add_workdays_before_inside_after_each_block(start: date, n: int) -> None:
    assert CAL.add_workdays(start, n).due == notice_add(start, n)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-09-26", "2025-10-13", 7),
        ("2025-10-13", "2025-09-26", -7),
        ("2025-12-31", "2026-01-05", 2),
        ("2026-02-13", "2026-02-28", 6),
        ("2025-06-06", "2025-06-06", 0),
        ("2025-01-27", "2025-02-04", 0),
    ],
    ids=["national-day", "reversed", "year-boundary", "spring-2026", "same-day", "inside-block"],
)
def test_between(start: str, end: str, expected: int) -> None:
    assert CAL.between(D(start), D(end)) == expected


def test_next_workday_and_datetime_inputs() -> None:
    assert CAL.next_workday(D("2025-10-01")) == D("2025-10-09")
    assert CAL.next_workday(D("2025-10-11")) == D("2025-10-11")
    assert CAL.is_workday(datetime(2025, 10, 11, 9, 30))
    assert CAL.add(datetime(2025, 9, 30, 17, 0), 1, TimeUnit.WORKDAY).due == D("2025-10-09")


# ---------------------------------------------------------------------------------------------
# Calendar days, months, rolling

SHIFTS = [
    # (start, n, unit, roll, expected, id)
    ("2025-09-21", 10, "day", False, "2025-10-01", "day-lands-on-holiday"),
    ("2025-09-21", 10, "day", True, "2025-10-09", "day-rolls-past-national-day"),
    ("2025-01-21", 10, "day", True, "2025-02-05", "day-rolls-past-spring"),
    ("2025-10-01", 10, "day", True, "2025-10-11", "day-on-sat-makeup-stays"),
    ("2025-03-01", 8, "day", True, "2025-03-10", "day-sunday-rolls-to-monday"),
    ("2025-01-01", 90, "day", False, "2025-04-01", "penalty-90-days"),
    ("2025-12-27", 7, "day", True, "2026-01-04", "day-rolls-into-2026-makeup"),
    ("2025-01-31", 1, "month", False, "2025-02-28", "month-clamped-feb"),
    ("2024-01-31", 1, "month", False, "2024-02-29", "month-clamped-leap"),
    ("2025-03-31", 1, "month", False, "2025-04-30", "month-clamped-30"),
    ("2024-02-29", 12, "month", False, "2025-02-28", "year-from-leap-day"),
    ("2025-11-30", 2, "month", False, "2026-01-30", "month-across-year"),
    ("2025-07-01", 3, "month", True, "2025-10-09", "month-rolls-past-national-day"),
    ("2025-07-01", 3, "month", False, "2025-10-01", "month-no-roll"),
    ("2025-08-16", 6, "month", True, "2026-02-24", "month-6-rolls-past-2026-spring"),
]


@pytest.mark.parametrize(
    ("start", "n", "unit", "roll", "expected"),
    [case[:5] for case in SHIFTS],
    ids=[case[5] for case in SHIFTS],
)
def test_calendar_day_and_month_limits(
    start: str, n: int, unit: str, roll: bool, expected: str
) -> None:
    assert CAL.add(D(start), n, unit, roll_if_off=roll) == Deadline(D(expected))


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),
        ("2025-01-31", 13, "2026-02-28"),
        ("2025-05-15", -5, "2024-12-15"),
    ],
    ids=["clamp", "clamp-next-year", "backwards"],
)
def test_shift_months(day: str, n: int, expected: str) -> None:
    assert shift_months(D(day), n) == D(expected)


def test_hours_are_datetime_arithmetic() -> None:
    start = datetime(2025, 10, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert CAL.add(start, 24, TimeUnit.HOUR).due_at == start + timedelta(hours=24)
    assert CAL.add(start, 24, "hour").due == D("2025-10-02")


# ---------------------------------------------------------------------------------------------
# Clock pauses

P = Pause


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        ([], "2025-10-11"),
        ([P(D("2025-09-29"), D("2025-10-10"))], "2025-10-16"),
        ([P(D("2025-09-29"), D("2025-10-03")), P(D("2025-10-02"), D("2025-10-10"))], "2025-10-16"),
        ([P(D("2025-10-02"), D("2025-10-10")), P(D("2025-09-29"), D("2025-10-03"))], "2025-10-16"),
        ([P(D("2025-09-29"), D("2025-09-30")), P(D("2025-10-01"), D("2025-10-10"))], "2025-10-16"),
        ([P(D("2025-10-01"), D("2025-10-08"))], "2025-10-11"),
        ([P(D("2025-09-20"), D("2025-09-24"))], "2025-10-14"),
        ([P(D("2025-09-01"), D("2025-09-22"))], "2025-10-11"),
        ([P(D("2025-11-01"), D("2025-11-30"))], "2025-10-11"),
        ([(D("2025-09-29"), D("2025-09-29")), (D("2025-10-13"), D("2025-10-13"))], "2025-10-14"),
    ],
    ids=[
        "no-pause",
        "pause-spanning-national-day",
        "overlapping",
        "overlapping-unsorted",
        "touching",
        "pause-inside-holiday-only",
        "pause-straddling-start",
        "pause-before-start",
        "pause-after-deadline",
        "two-single-days-tuples",
    ],
)
def test_workday_pauses(pauses: list[Pause], expected: str) -> None:
    # 2025-09-22 + 10 working days: 23 24 25 26, Sun 28 (调休), 29 30, Oct 9 10, Sat 11 (调休).
    assert CAL.add_workdays(D("2025-09-22"), 10, pauses=pauses).due == D(expected)


def _reference_with_pauses(start: date, n: int, pauses: Iterable[Pause]) -> date:
    paused = {day for p in pauses for day in days(p.first.isoformat(), p.last.isoformat())}
    day = start
    while n:
        day += timedelta(days=1)
        n -= notice_is_workday(day) and day not in paused
    return day


@pytest.mark.parametrize(
    ("unit", "start", "n", "pauses", "expected"),
    [
        ("day", "2025-09-21", 10, [P(D("2025-10-01"), D("2025-10-08"))], "2025-10-09"),
        ("day", "2025-03-01", 30, [P(D("2025-03-10"), D("2025-03-19"))], "2025-04-10"),
        (
            "day",
            "2025-03-01",
            10,
            [P(D("2025-03-12"), D("2025-03-13")), P(D("2025-03-05"), D("2025-03-06"))],
            "2025-03-15",
        ),
        ("day", "2025-03-01", 10, [P(D("2025-02-20"), D("2025-03-02"))], "2025-03-12"),
        ("day", "2025-03-01", 10, [P(D("2025-03-20"), D("2025-03-25"))], "2025-03-11"),
        ("month", "2025-01-15", 1, [P(D("2025-01-20"), D("2025-01-29"))], "2025-02-25"),
        ("month", "2025-01-31", 1, [P(D("2025-02-01"), D("2025-02-03"))], "2025-03-03"),
    ],
    ids=[
        "days-pause-over-holiday",
        "days-ten-paused",
        "days-chained-unsorted",
        "days-pause-straddling-start",
        "days-pause-after-deadline",
        "months-extended",
        "months-clamped-then-extended",
    ],
)
def test_calendar_day_and_month_pauses(
    unit: str, start: str, n: int, pauses: list[Pause], expected: str
) -> None:
    assert CAL.add(D(start), n, unit, pauses=pauses).due == D(expected)


def test_pause_extension_then_roll() -> None:
    # 2025-09-11 + 10 days = 09-21; a 10-day pause moves it to 10-01, which rolls to 10-09.
    pause = [P(D("2025-09-15"), D("2025-09-24"))]
    assert CAL.add_days(D("2025-09-11"), 10, pauses=pause, roll_if_off=True).due == D("2025-10-09")


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        ([], "2025-10-02T09:00"),
        ([P(D("2025-10-01"), D("2025-10-01"))], "2025-10-03T00:00"),
        ([P(D("2025-10-02"), D("2025-10-02"))], "2025-10-03T09:00"),
        (
            [P(D("2025-10-02"), D("2025-10-03")), P(D("2025-10-03"), D("2025-10-04"))],
            "2025-10-05T09:00",
        ),
        ([P(D("2025-10-05"), D("2025-10-06"))], "2025-10-02T09:00"),
    ],
    ids=["none", "start-inside-pause", "pause-next-day", "overlapping", "after-deadline"],
)
def test_hour_pauses(pauses: list[Pause], expected: str) -> None:
    zone = timezone(timedelta(hours=8))
    start = datetime(2025, 10, 1, 9, 0, tzinfo=zone)
    result = CAL.add_hours(start, 24, pauses=pauses)
    assert result.due_at == datetime.fromisoformat(expected).replace(tzinfo=zone)


def test_pause_that_ends_before_it_begins_is_refused() -> None:
    with pytest.raises(CalendarError, match="ends"):
        CAL.add_workdays(D("2025-03-03"), 5, pauses=[P(D("2025-03-10"), D("2025-03-05"))])


# ---------------------------------------------------------------------------------------------
# Bad queries


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: CAL.add_workdays(D("2025-03-03"), -1), "negative"),
        (lambda: CAL.add(D("2025-03-03"), 3, "weekday"), "did you mean workday"),
        (lambda: CAL.add(D("2025-03-03"), 3, TimeUnit.HOUR), "start time"),
        (lambda: CAL.add_days(D("2025-03-03"), 2.5), "whole number"),  # type: ignore[arg-type]
        (lambda: CAL.add_workdays(D("2025-03-03"), 20_000, provisional=True), "last year"),
    ],
    ids=["negative", "unknown-unit", "hours-need-datetime", "fraction", "past-the-index"],
)
def test_bad_queries_raise_calendar_error(call: object, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        call()  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------
# Years without a notice


@pytest.mark.parametrize(
    ("call", "year"),
    [
        (lambda: CAL.is_workday(D("2027-01-04")), 2027),
        (lambda: CAL.is_workday(D("2003-06-02")), 2003),
        (lambda: CAL.add_workdays(D("2026-12-25"), 10), 2027),
        (lambda: CAL.add_workdays(D("2026-12-31"), 1), 2027),
        (lambda: CAL.add_workdays(D("2026-12-20"), 3000), 2027),
        (lambda: CAL.add_days(D("2026-12-25"), 10, roll_if_off=True), 2027),
        (lambda: CAL.add_months(D("2026-12-15"), 1, roll_if_off=True), 2027),
        (lambda: CAL.between(D("2026-12-01"), D("2027-01-10")), 2027),
        (lambda: CAL.between(D("2027-01-10"), D("2026-12-01")), 2027),
        (lambda: CAL.next_workday(D("2027-01-02")), 2027),
    ],
    ids=[
        "is-workday-2027",
        "is-workday-2003",
        "workdays-into-2027",
        "first-day-counted-in-2027",
        "far-past-the-table",
        "roll-into-2027",
        "month-roll-into-2027",
        "between-into-2027",
        "between-reversed",
        "next-workday",
    ],
)
def test_strict_queries_name_the_uncovered_year(call: object, year: int) -> None:
    with pytest.raises(CalendarNotCovered) as raised:
        call()  # type: ignore[operator]
    assert raised.value.year == year
    assert str(year) in str(raised.value)


def test_provisional_deadline_is_flagged_with_the_guessed_years() -> None:
    # 2026-12-25 (Fri) + 10: Dec 28 29 30 31, then 2027 by weekends only: Jan 1 4 5 6 7 8.
    result = CAL.add_workdays(D("2026-12-25"), 10, provisional=True)
    assert result == Deadline(D("2027-01-08"), provisional=True, uncovered_years=(2027,))
    assert CAL.is_workday(D("2027-01-02"), provisional=True) is False
    assert CAL.between(D("2026-12-25"), D("2027-01-08"), provisional=True) == 10


def test_provisional_inside_covered_years_is_not_flagged() -> None:
    assert CAL.add_workdays(D("2025-12-31"), 1, provisional=True) == Deadline(D("2026-01-04"))


def test_calendar_days_without_roll_need_no_notice() -> None:
    assert CAL.add_days(D("2026-12-25"), 30) == Deadline(D("2027-01-24"))


def test_importing_the_notice_turns_a_provisional_date_into_a_final_one() -> None:
    before = CAL.add_workdays(D("2026-12-25"), 10, provisional=True)
    notice_2027 = parse_layer(LAYER_2027)
    calendar = load_calendar([notice_2027])
    assert before.provisional and not CAL.covers(2027)
    assert calendar.covers(2027) and 2027 in calendar.covered_years()
    after = calendar.add_workdays(D("2026-12-25"), 10, provisional=True)
    assert after == Deadline(D("2027-01-11"))  # 2027-01-01 is 元旦 in the (test) notice


# ---------------------------------------------------------------------------------------------
# Local layers

LAYER_2027 = """\
layer: 2027 notice (imported early)
years:
  2027:
    complete: true
    provenance:
      notice: 国办发明电〔2026〕99号
      title: 国务院办公厅关于2027年部分节假日安排的通知 (test data)
      issued: 2026-11-01
    holidays:
      - {name: 元旦, date: 2027-01-01}
      - {name: 春节, first: 2027-02-05, last: 2027-02-12}
    workdays:
      - {name: 春节, date: 2027-02-14}
"""

LOCAL_2025 = """\
layer: 某自治县 民族节日
jurisdiction: 某自治县
provenance: 某政办发〔2025〕1号
years:
  2025:
    holidays:
      - {name: 民族节日, date: 2025-03-03}
    remove:
      - 2025-10-08
      - {first: 2025-10-11, last: 2025-10-11}
"""


def test_local_layer_adds_a_holiday_and_removes_days() -> None:
    calendar = load_calendar([parse_layer(LOCAL_2025, "local.yaml")])
    assert not calendar.is_workday(D("2025-03-03"))
    assert calendar.add_workdays(D("2025-02-28"), 1).due == D("2025-03-04")
    assert calendar.is_workday(D("2025-10-08"))  # national holiday removed: a plain Wednesday
    assert not calendar.is_workday(D("2025-10-11"))  # make-up Saturday removed: a plain Saturday
    assert CAL.is_workday(D("2025-03-03")) and not CAL.is_workday(D("2025-10-08"))
    sources = calendar.provenance(2025)
    assert [s.layer for s in sources] == [
        "国务院办公厅部分节假日安排 (national)",
        "某自治县 民族节日",
    ]
    assert sources[1].provenance[0].notice == "某政办发〔2025〕1号" and not sources[1].complete


def test_a_local_layer_alone_does_not_cover_a_year() -> None:
    local = parse_layer(
        "layer: x\nprovenance: y\nyears:\n  2027:\n"
        "    holidays:\n      - {name: z, date: 2027-03-01}\n"
    )
    calendar = load_calendar([local])
    assert not calendar.covers(2027)
    assert not calendar.is_workday(D("2027-03-01"), provisional=True)  # stated days still apply
    assert 2027 in calendar.mentioned_years()


def test_later_layers_win_and_order_matters() -> None:
    make_working = parse_layer(
        "layer: a\nprovenance: n\nyears:\n  2025:\n    workdays: [2025-03-03]\n"
    )
    local = parse_layer(LOCAL_2025)
    assert load_calendar([local, make_working]).is_workday(D("2025-03-03"))
    assert not load_calendar([make_working, local]).is_workday(D("2025-03-03"))


def test_december_days_of_the_next_notice() -> None:
    # The 2019 notice arranged 2018-12-29 (worked) and 2018-12-30/31 (off): keyed 2019.
    assert CAL.is_workday(D("2018-12-29")) and not CAL.is_workday(D("2018-12-31"))
    layer = parse_layer(
        "layer: a\nprovenance: n\nyears:\n  2027:\n    complete: true\n"
        "    holidays: [{name: 元旦, first: 2026-12-31, last: 2027-01-01}]\n"
    )
    assert not load_calendar([layer]).is_workday(D("2026-12-31"))


def test_load_calendar_from_paths_and_without_base(tmp_path: Path) -> None:
    path = tmp_path / "n2027.yaml"
    path.write_text(LAYER_2027, encoding="utf-8")
    calendar = load_calendar([path])
    assert calendar.covers(2027) and calendar.covers(2025)
    alone = load_calendar([path], base=False)
    assert alone.covered_years() == (2027,)
    assert isinstance(load_layer(path), Layer)
    assert base_layer().years[0].year == 2004
    assert WorkCalendar([]).covered_years() == ()


INVALID_LAYERS = [
    ("layer: x\nyears: {}\n", 2, "years", "expected a mapping from year"),
    (
        "layer: x\nyears:\n  2025:\n    holiday: []\n",
        4,
        "years.2025.holiday",
        "did you mean holidays",
    ),
    (
        "layer: x\nprovenance: n\nyears:\n  2025:\n"
        "    holidays:\n      - {name: a, date: 2025-02-30}\n",
        6,
        "years.2025.holidays.0.date",
        "2025-02-30 is not a date",
    ),
    (
        "layer: x\nprovenance: n\nyears:\n  2025:\n    holidays:\n"
        "      - {name: a, first: 2025-03-05, last: 2025-03-01}\n",
        6,
        "years.2025.holidays.0.last",
        "before first",
    ),
    (
        "layer: x\nprovenance: n\nyears:\n  2025:\n    workdays: [2026-01-04]\n",
        5,
        "years.2025.workdays.0",
        "outside the notice year 2025",
    ),
    (
        "layer: x\nprovenance: n\nyears:\n  2025:\n"
        "    holidays:\n      - {name: a, date: 2025-03-03}\n"
        "    remove: [2025-03-03]\n",
        7,
        "years.2025.remove.0",
        "already listed under holidays on line 6",
    ),
    (
        "layer: x\nyears:\n  2025:\n    workdays: [2025-03-01]\n",
        4,
        "years.2025",
        "missing provenance",
    ),
    ("layer: x\nprovenance: n\nyears:\n  2025: {}\n", 4, "years.2025", "says nothing"),
    ("layer: x\nprovenance: n\nyears:\n  25:\n    complete: true\n", 4, "years.25", "four digits"),
    (
        "layer: x\nprovenance: n\nyears:\n  2025:\n    holidays: [2025-03-03]\n",
        5,
        "years.2025.holidays.0",
        "a holiday is a mapping",
    ),
    (
        "layer: x\nprovenance: n\nyears:\n  2025:\n    complete: sure\n",
        5,
        "years.2025.complete",
        "true or false",
    ),
    ("- just\n- a list\n", 1, "(file)", "expected a mapping"),
    ("layer: x\nyears:\n  2025: [\n", 4, "", "YAML syntax error"),
    ("years:\n  2025:\n    complete: true\n", 1, "(file)", "missing the required key layer"),
    (
        "layer: x\nprovenance: {title: t}\nyears:\n  2025:\n    complete: true\n",
        2,
        "provenance",
        "missing the required key notice",
    ),
    ("layer: x\nlayer: y\nyears: {}\n", 2, "layer", "appears twice"),
    ("", 1, "", "empty"),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    INVALID_LAYERS,
    ids=[
        "empty-years",
        "misspelt-key",
        "impossible-date",
        "reversed-range",
        "date-outside-year",
        "day-listed-twice",
        "no-provenance",
        "empty-entry",
        "short-year",
        "holiday-without-name",
        "not-a-flag",
        "not-a-mapping",
        "yaml-syntax",
        "no-name",
        "provenance-without-notice",
        "duplicate-key",
        "empty-file",
    ],
)
def test_invalid_layers_name_file_line_and_field(
    text: str, line: int, field: str, message: str
) -> None:
    with pytest.raises(CalendarError) as raised:
        parse_layer(text, "local/bad.yaml")
    shown = str(raised.value)
    assert shown.startswith(f"local/bad.yaml:{line}: ")
    assert f": {field}: " in shown or not field
    assert message in shown


def test_layer_file_errors(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="no such calendar layer file"):
        load_layer(tmp_path / "missing.yaml")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CalendarError, match="cannot read"):
        load_layer(tmp_path / "binary.yaml")


# ---------------------------------------------------------------------------------------------
# The layer store


def test_import_layer_stores_a_copy_in_order_and_replaces_by_name(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = tmp_path / "n2027.yaml"
    first.write_text(LAYER_2027, encoding="utf-8")
    local = tmp_path / "某县 local.yaml"
    local.write_text(LOCAL_2025, encoding="utf-8")

    target, layer = import_layer(first, store)
    assert target == store / "0001-n2027.yaml" and layer.name == "2027 notice (imported early)"
    assert target.read_text(encoding="utf-8") == LAYER_2027
    target2, _ = import_layer(local, store)
    assert target2 == store / "0002-某县-local.yaml"

    first.write_text(LAYER_2027.replace("2027-02-14", "2027-02-20"), encoding="utf-8")
    again, _ = import_layer(first, store)
    assert again == target  # same layer name: replaced in place, order kept
    assert layer_files(store) == [target, target2]
    assert "2027-02-20" in target.read_text(encoding="utf-8")
    assert [p.name for p in store.iterdir() if p.name.startswith(".")] == []


def test_import_of_an_invalid_layer_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "layer: x\nprovenance: n\nyears:\n  2025:\n    holidays: oops\n", encoding="utf-8"
    )
    with pytest.raises(CalendarError, match=r"bad.yaml:5: years.2025.holidays"):
        import_layer(bad, store)
    assert not store.exists()
    assert layer_files(store) == []


def test_import_into_an_unusable_store_is_a_calendar_error(tmp_path: Path) -> None:
    blocker = tmp_path / "store"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL_2025, encoding="utf-8")
    with pytest.raises(CalendarError, match="cannot write to the layer store"):
        import_layer(local, blocker)


# ---------------------------------------------------------------------------------------------
# Properties against a day-by-day reference built from the shipped table's own spans

REF_OFF: set[date] = set()
REF_ON: set[date] = set()
for _entry in base_layer().years:
    for _span in _entry.holidays:
        REF_OFF.update(_span.days())
    for _span in _entry.workdays:
        REF_ON.update(_span.days())


def ref_is_workday(day: date) -> bool:
    return day in REF_ON or (day.weekday() < 5 and day not in REF_OFF)


def ref_add(start: date, n: int, paused: Collection[date] = ()) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= ref_is_workday(day) and day not in paused
    return day


starts = st.dates(min_value=D("2004-01-01"), max_value=D("2026-06-30"))


@settings(max_examples=400, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=120))
def test_add_workdays_matches_day_by_day_reference(start: date, n: int) -> None:
    due = CAL.add_workdays(start, n).due
    assert due == ref_add(start, n)
    assert CAL.between(start, due) == n


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    n=st.integers(min_value=0, max_value=60),
    raw=st.lists(
        st.tuples(st.integers(min_value=-10, max_value=80), st.integers(min_value=0, max_value=20)),
        max_size=4,
    ),
)
def test_add_workdays_with_pauses_matches_reference(
    start: date, n: int, raw: list[tuple[int, int]]
) -> None:
    pauses = [
        Pause(start + timedelta(days=a), start + timedelta(days=a + length)) for a, length in raw
    ]
    paused = {day for p in pauses for day in days(p.first.isoformat(), p.last.isoformat())}
    assert CAL.add_workdays(start, n, pauses=pauses).due == ref_add(start, n, paused)


@settings(max_examples=300, deadline=None)
@given(a=starts, b=starts)
def test_between_counts_working_days(a: date, b: date) -> None:
    low, high = sorted((a, b))
    if (high - low).days > 400:
        high = low + timedelta(days=400)
    counted = sum(ref_is_workday(low + timedelta(days=i)) for i in range(1, (high - low).days + 1))
    assert CAL.between(low, high) == counted
    assert CAL.between(high, low) == -counted


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    n=st.integers(min_value=0, max_value=200),
    raw=st.lists(
        st.tuples(
            st.integers(min_value=-10, max_value=200), st.integers(min_value=0, max_value=30)
        ),
        max_size=4,
    ),
)
def test_calendar_day_pauses_stop_the_clock(
    start: date, n: int, raw: list[tuple[int, int]]
) -> None:
    pauses = [
        Pause(start + timedelta(days=a), start + timedelta(days=a + length)) for a, length in raw
    ]
    paused = {day for p in pauses for day in days(p.first.isoformat(), p.last.isoformat())}
    day, left = start, n
    while left:
        day += timedelta(days=1)
        left -= day not in paused
    # With n == 0 nothing elapses; otherwise the last day is the Nth unpaused day after start.
    assert CAL.add_days(start, n, pauses=pauses).due == day


def test_every_day_of_the_table_matches_the_reference() -> None:
    wrong = [d for d in days("2004-01-01", "2026-12-31") if CAL.is_workday(d) != ref_is_workday(d)]
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# Layering


def test_workdays_imports_no_heavy_or_foreign_modules() -> None:
    code = textwrap.dedent(
        """
        import sys
        import powerflow.workdays
        banned = ["sqlmodel", "graphviz", "transitions", "networkx", "chinese_calendar"]
        print(",".join(name for name in banned if name in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
