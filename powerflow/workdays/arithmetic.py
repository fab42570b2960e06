"""Plain date arithmetic: months, merged pauses, counts and units checked."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import date, datetime

from powerflow.definition import TimeUnit
from powerflow.errors import CalendarError, did_you_mean
from powerflow.workdays.layers import PauseLike


def shift_months(day: date, n: int) -> date:
    """The same day of the month ``n`` months later, clamped to that month's last day."""
    years, month_index = divmod(day.month - 1 + n, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def merged_pauses(pauses: Iterable[PauseLike]) -> list[tuple[int, int]]:
    """Pauses as sorted, non-overlapping ordinal intervals (touching ones joined)."""
    spans: list[tuple[int, int]] = []
    for pause in pauses:
        begins, ends = as_date(pause[0]), as_date(pause[1])
        if ends < begins:
            raise CalendarError(f"a pause ends ({ends}) before it begins ({begins})")
        spans.append((begins.toordinal(), ends.toordinal()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def extend_by_pauses(origin: int, due: int, pauses: Iterable[PauseLike]) -> int:
    """Push a calendar-day last day back by the paused days after ``origin`` that it reaches."""
    for first, last in merged_pauses(pauses):
        first = max(first, origin + 1)
        if last < first:
            continue
        if first > due:
            break
        due += last - first + 1
    return due


def as_date(value: date) -> date:
    """The date of a date or of a datetime."""
    return value.date() if isinstance(value, datetime) else value


def check_count(n: int) -> None:
    """Refuse a time limit that is not a whole, non-negative number."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise CalendarError(f"a time limit is a whole number, got {n!s}")
    if n < 0:
        raise CalendarError(f"a time limit cannot be negative, got {n}")


def time_unit(unit: TimeUnit | str) -> TimeUnit:
    """The TimeUnit named, or a CalendarError with a did-you-mean."""
    try:
        return TimeUnit(unit)
    except ValueError:
        names = [member.value for member in TimeUnit]
        raise CalendarError(
            f"unknown time unit {unit}{did_you_mean(str(unit), names)}; "
            f"expected one of {', '.join(names)}"
        ) from None
