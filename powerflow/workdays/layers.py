"""The calendar's data: layers, year entries, day spans, provenance, pauses, deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a year's days come from: the notice's 文号 (or title), date, address and a note."""

    notice: str
    title: str | None = None
    issued: date | None = None
    url: str | None = None
    note: str | None = None

    def label(self) -> str:
        """The notice and its title on one line."""
        return " ".join(part for part in (self.notice, self.title) if part)


@dataclass(frozen=True, slots=True)
class DaySpan:
    """A closed range of dates [first, last] with the name of the holiday it concerns."""

    first: date
    last: date
    name: str | None = None

    def days(self) -> Iterator[date]:
        """Every date of the span, in order."""
        for ordinal in range(self.first.toordinal(), self.last.toordinal() + 1):
            yield date.fromordinal(ordinal)


@dataclass(frozen=True, slots=True)
class YearEntry:
    """What one layer says about one notice year."""

    year: int
    provenance: tuple[Provenance, ...]
    complete: bool = False
    holidays: tuple[DaySpan, ...] = ()
    workdays: tuple[DaySpan, ...] = ()
    remove: tuple[DaySpan, ...] = ()


@dataclass(frozen=True, slots=True)
class Layer:
    """One calendar layer: the national table or a local override file."""

    name: str
    years: tuple[YearEntry, ...]
    jurisdiction: str | None = None
    source: str = "<string>"


@dataclass(frozen=True, slots=True)
class YearSource:
    """One layer's contribution to one year, as ``powerflow calendar years`` lists it."""

    layer: str
    source: str
    complete: bool
    provenance: tuple[Provenance, ...]


class Pause(NamedTuple):
    """A clock pause (听证, 检验, 鉴定, 专家评审, 补正 …): the closed interval [first, last]."""

    first: date
    last: date


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed last day; ``provisional`` when it assumed weekends for ``uncovered_years``."""

    due: date
    provisional: bool = False
    uncovered_years: tuple[int, ...] = ()
    due_at: datetime | None = None
    """The exact moment for hour limits; None for day-based limits (the whole day counts)."""


PauseLike = Pause | tuple[date, date]
"""A pause as a Pause or a plain (first, last) pair of dates."""
