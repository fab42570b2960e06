"""The stacked working-day calendar and its O(1) deadline arithmetic."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from powerflow.definition import TimeUnit
from powerflow.errors import CalendarError, CalendarNotCovered
from powerflow.workdays.arithmetic import (
    as_date,
    check_count,
    extend_by_pauses,
    merged_pauses,
    shift_months,
    time_unit,
)
from powerflow.workdays.layers import Deadline, Layer, PauseLike, YearSource
from powerflow.workdays.reading import base_layer, load_layer

_YEARS_BEFORE = 10
_YEARS_AFTER = 30
"""How far beyond the years the layers mention the index reaches (for provisional answers)."""

_FALLBACK_YEARS = frozenset({2000, 2030})
"""The years an index spans (padded as above) when no layer mentions any year at all."""


_Describe = Callable[[], str]
"""Builds the "what was asked" part of an error message, only when there is an error."""


class WorkCalendar:
    """Layers stacked into one working-day calendar with an O(1) working-day index."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers: tuple[Layer, ...] = tuple(layers)
        overrides: dict[int, bool] = {}
        covered: set[int] = set()
        mentioned: set[int] = set()
        self._sources: dict[int, list[YearSource]] = {}
        for layer in self.layers:
            for entry in layer.years:
                mentioned.add(entry.year)
                if entry.complete:
                    covered.add(entry.year)
                self._sources.setdefault(entry.year, []).append(
                    YearSource(layer.name, layer.source, entry.complete, entry.provenance)
                )
                for spans, working in ((entry.holidays, False), (entry.workdays, True)):
                    for span in spans:
                        for ordinal in range(span.first.toordinal(), span.last.toordinal() + 1):
                            overrides[ordinal] = working
                for span in entry.remove:
                    for ordinal in range(span.first.toordinal(), span.last.toordinal() + 1):
                        overrides.pop(ordinal, None)
        self._covered = frozenset(covered)
        years = mentioned or _FALLBACK_YEARS
        self.first_year = min(years) - _YEARS_BEFORE
        self.last_year = max(years) + _YEARS_AFTER
        self._lo = date(self.first_year, 1, 1).toordinal()
        self._hi = date(self.last_year, 12, 31).toordinal()
        # _count[i]: working days in [lo, lo + i - 1]; _nth[k]: offset of the (k+1)-th working day.
        count = [0] * (self._hi - self._lo + 2)
        nth: list[int] = []
        running = 0
        for offset in range(self._hi - self._lo + 1):
            ordinal = self._lo + offset
            stated = overrides.get(ordinal)
            # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday.
            if stated if stated is not None else (ordinal - 1) % 7 < 5:
                running += 1
                nth.append(offset)
            count[offset + 1] = running
        self._count = count
        self._nth = nth

    # -- coverage -------------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """True when a complete holiday notice for ``year`` is loaded."""
        return year in self._covered

    def covered_years(self) -> tuple[int, ...]:
        """Every covered year, ascending."""
        return tuple(sorted(self._covered))

    def provenance(self, year: int) -> tuple[YearSource, ...]:
        """Each layer's entry for ``year`` with its provenance, in layer order."""
        return tuple(self._sources.get(year, ()))

    def mentioned_years(self) -> tuple[int, ...]:
        """Every year some layer says something about, covered or not, ascending."""
        return tuple(sorted(self._sources))

    def uncovered_years(self, first: date, last: date) -> tuple[int, ...]:
        """The years from ``first`` to ``last`` (inclusive) that no complete notice covers."""
        return tuple(y for y in range(first.year, last.year + 1) if y not in self._covered)

    # -- single days ----------------------------------------------------------------------

    def is_workday(self, day: date, *, provisional: bool = False) -> bool:
        """True when ``day`` is a working day (调休上班 days are, holidays and weekends are not)."""
        day = as_date(day)
        if not provisional and not self.covers(day.year):
            raise CalendarNotCovered(day.year, f"asked whether {day} is a working day")
        ordinal = self._within(day.toordinal())
        return self._count[ordinal - self._lo + 1] != self._count[ordinal - self._lo]

    def next_workday(self, day: date, *, provisional: bool = False) -> date:
        """The first working day on or after ``day``."""
        day = as_date(day)
        ordinal = self._within(day.toordinal())
        due = self._roll(ordinal)
        return self._finish(
            ordinal, due, provisional, lambda: f"the first working day from {day}"
        ).due

    def between(self, start: date, end: date, *, provisional: bool = False) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
        start, end = as_date(start), as_date(end)
        a, b = start.toordinal(), end.toordinal()
        if not provisional and a != b and not self._all_covered(min(a, b) + 1, max(a, b)):
            low, high = sorted((start, end))
            self._require(
                low + timedelta(days=1), high, lambda: f"working days from {start} to {end}"
            )
        return self._worked(self._within(b)) - self._worked(self._within(a))

    # -- limits ---------------------------------------------------------------------------

    def add(
        self,
        start: date,
        value: int,
        unit: TimeUnit | str,
        *,
        roll_if_off: bool = False,
        pauses: Iterable[PauseLike] = (),
        provisional: bool = False,
    ) -> Deadline:
        """The last day of a limit of ``value`` ``unit`` from ``start`` (start day not counted)."""
        unit = time_unit(unit)
        if unit is TimeUnit.HOUR:
            if not isinstance(start, datetime):
                raise CalendarError(f"an hour limit needs a start time, got the date {start}")
            return self.add_hours(start, value, pauses=pauses)
        day = as_date(start)
        if unit is TimeUnit.WORKDAY:
            return self.add_workdays(day, value, pauses=pauses, provisional=provisional)
        shift = self.add_days if unit is TimeUnit.DAY else self.add_months
        return shift(day, value, roll_if_off=roll_if_off, pauses=pauses, provisional=provisional)

    def add_workdays(
        self, start: date, n: int, *, pauses: Iterable[PauseLike] = (), provisional: bool = False
    ) -> Deadline:
        """The Nth working day after ``start``, not counting working days inside ``pauses``."""
        start = as_date(start)
        check_count(n)
        if n == 0:
            return Deadline(start)
        origin = self._within(start.toordinal())

        def what() -> str:
            return f"{start} + {n} working days"

        target = self._count[origin - self._lo + 1] + n
        due = self._nth_workday(target, origin + 1, provisional, what)
        if pauses:
            for first, last in merged_pauses(pauses):
                first = max(first, origin + 1)
                if last < first:
                    continue
                if first > due:
                    break
                target += self._worked(self._within(last)) - self._worked(first - 1)
                due = self._nth_workday(target, origin + 1, provisional, what)
        return self._finish(origin + 1, due, provisional, what)

    def add_days(
        self,
        start: date,
        n: int,
        *,
        roll_if_off: bool = False,
        pauses: Iterable[PauseLike] = (),
        provisional: bool = False,
    ) -> Deadline:
        """Start + N calendar days (自然日), extended by pauses, rolled off rest days if asked."""
        start = as_date(start)
        check_count(n)
        due = extend_by_pauses(start.toordinal(), start.toordinal() + n, pauses)
        return self._rolled(due, roll_if_off, provisional, lambda: f"{start} + {n} days")

    def add_months(
        self,
        start: date,
        n: int,
        *,
        roll_if_off: bool = False,
        pauses: Iterable[PauseLike] = (),
        provisional: bool = False,
    ) -> Deadline:
        """The same day N months later (clamped to month end), extended by pauses, maybe rolled."""
        start = as_date(start)
        check_count(n)
        due = extend_by_pauses(start.toordinal(), shift_months(start, n).toordinal(), pauses)
        return self._rolled(due, roll_if_off, provisional, lambda: f"{start} + {n} months")

    def add_hours(self, start: datetime, n: int, *, pauses: Iterable[PauseLike] = ()) -> Deadline:
        """Start + N hours, the paused dates' whole days excluded; needs no holiday data."""
        check_count(n)
        clock, remaining = start, timedelta(hours=n)
        for first, last in merged_pauses(pauses):
            opens = datetime.combine(date.fromordinal(first), time(), tzinfo=start.tzinfo)
            closes = datetime.combine(date.fromordinal(last + 1), time(), tzinfo=start.tzinfo)
            if closes <= clock:
                continue
            if opens > clock:
                if clock + remaining <= opens:
                    break
                remaining -= opens - clock
            clock = max(clock, closes)
        due_at = clock + remaining
        return Deadline(due_at.date(), due_at=due_at)

    # -- index internals ------------------------------------------------------------------

    def _within(self, ordinal: int) -> int:
        if not self._lo <= ordinal <= self._hi:
            raise CalendarError(
                f"{date.fromordinal(ordinal)} is outside the years this calendar can compute "
                f"({self.first_year}–{self.last_year})"
            )
        return ordinal

    def _worked(self, ordinal: int) -> int:
        """Working days from the start of the index up to and including ``ordinal``."""
        return self._count[ordinal - self._lo + 1]

    def _nth_workday(self, k: int, first_used: int, provisional: bool, what: _Describe) -> int:
        """The ordinal of the k-th working day of the index; past its end is an error."""
        if k > len(self._nth):
            if not provisional:
                self._require(date.fromordinal(first_used), date(self.last_year, 12, 31), what)
            raise CalendarError(
                f"{what()} goes past {self.last_year}-12-31, "
                "the last year this calendar can compute"
            )
        return self._lo + self._nth[k - 1]

    def _roll(self, ordinal: int) -> int:
        """The first working day on or after ``ordinal``."""
        k = self._worked(ordinal - 1) + 1 if ordinal > self._lo else 1
        if k > len(self._nth):
            raise CalendarError(
                f"no working day from {date.fromordinal(ordinal)} to {self.last_year}-12-31"
            )
        return self._lo + self._nth[k - 1]

    def _rolled(self, due: int, roll_if_off: bool, provisional: bool, what: _Describe) -> Deadline:
        if not roll_if_off:
            return Deadline(date.fromordinal(due))
        if not provisional:
            self._require(date.fromordinal(due), date.fromordinal(due), what)
        return self._finish(due, self._roll(self._within(due)), provisional, what)

    def _finish(self, first_used: int, due: int, provisional: bool, what: _Describe) -> Deadline:
        """Judge coverage of the days [first_used, due] the answer depended on."""
        last = date.fromordinal(due)
        if self._all_covered(first_used, due):
            return Deadline(last)
        first = date.fromordinal(first_used)
        if not provisional:
            self._require(first, last, what)
            return Deadline(last)
        guessed = self.uncovered_years(first, last)
        return Deadline(last, provisional=bool(guessed), uncovered_years=guessed)

    def _all_covered(self, first: int, last: int) -> bool:
        """True when every year from ordinal ``first`` to ordinal ``last`` is covered."""
        low, high = date.fromordinal(first).year, date.fromordinal(last).year
        if high - low < 2:  # the hot path: no year in between to miss
            return low in self._covered and high in self._covered
        return all(year in self._covered for year in range(low, high + 1))

    def _require(self, first: date, last: date, what: _Describe) -> None:
        missing = self.uncovered_years(first, last)
        if missing:
            raise CalendarNotCovered(missing[0], what())


def load_calendar(
    layers: Sequence[Path] | Sequence[Layer] = (), *, base: bool = True
) -> WorkCalendar:
    """Stack the national table (unless ``base=False``) and the given layers, in order."""
    loaded = [layer if isinstance(layer, Layer) else load_layer(layer) for layer in layers]
    return WorkCalendar([base_layer(), *loaded] if base else loaded)


@cache
def default_calendar() -> WorkCalendar:
    """The national table alone, built once per process."""
    return load_calendar()
