"""Working-day calendar (工作日, 调休, 节假日) and statutory time arithmetic on dates.

The calendar is a stack of *layers*. The first is the national table shipped as package data
(``powerflow/data/holidays.yaml``: one entry per State Council holiday notice, 国务院办公厅关于
YYYY年部分节假日安排的通知, with its provenance). Later layers are local overrides in the same
YAML format: extra local holidays, extra make-up working days, removals, or a whole new year's
notice imported before a library update. ``load_calendar(layers)`` stacks them into a
:class:`WorkCalendar`; nothing here touches a database or the clock.

Layer format (``powerflow calendar import FILE`` validates a file and stores a copy)::

    layer: 广西 壮族三月三                    # required: the layer's name (re-import replaces it)
    jurisdiction: 广西壮族自治区              # optional: where it applies
    provenance: 桂政办电〔2025〕1号            # optional default for every year below
    years:
      2025:                                   # the year of the notice (its dates lie in that year
                                              #   or in December of the year before)
        complete: false                       # true: a whole national notice: the year is covered
        provenance:                           # a 文号, or a mapping, or a list of mappings
          - notice: 桂政办电〔2025〕1号         # required: 文号, or the title when there is none
            title: 关于2025年壮族三月三放假的通知
            issued: 2025-03-01
            url: https://…
            note: free text
        holidays:                             # days off (放假): one date or a closed range
          - {name: 壮族三月三, first: 2025-03-31, last: 2025-04-01}
          - {name: 某纪念日, date: 2025-06-10}
        workdays:                             # make-up working days (调休上班), usually weekends
          - {name: 春节, date: 2025-01-26}
        remove:                               # days that revert to the plain Mon–Fri rule
          - 2025-05-05

Layers apply in order, day by day: ``holidays`` makes a day a rest day, ``workdays`` makes it a
working day, ``remove`` drops whatever a lower layer said about it. A year is *covered* when some
layer has a ``complete`` entry for it. Every weekday not overridden is a working day and every
Saturday and Sunday not overridden is a rest day.

Time limits (期限):

* The start day is not counted (民事诉讼法 art. 85; 行政许可法 art. 82 counts in 工作日).
* ``workday`` (工作日): the limit ends at the end of the Nth working day after the start day.
* ``day`` (自然日): start + N days. With ``roll_if_off`` a last day that is not a working day
  rolls to the next working day (期间届满的最后一日是法定休假日的，以法定休假日后的第一日为
  期间届满的日期).
* ``month`` (月): the same day of the month N months later, clamped to the month's end
  (Jan 31 + 1 month = Feb 28 or 29); ``roll_if_off`` as for days.
* ``hour`` (小时): ``datetime`` arithmetic, start + N hours; never rolls.

Clock pauses (听证, 检验, 检测, 鉴定, 专家评审, 补正 …; 行政许可法 art. 45): a pause is a closed
date interval [first, last] whose days do not count. Pauses may be unsorted, may overlap each other
and may span holidays; they are merged first. Only the part of a pause after the start day
matters, and a pause that begins after the (extended) last day does not move it.

* ``workday``: working days inside a pause are not counted; the last day is the Nth *counted*
  working day after the start day.
* ``day``: each paused day after the start day, up to the running last day, pushes the last day
  one day later (the clock stops while paused), so the limit is N unpaused days.
* ``month``: the month-based last day is computed first, then extended like ``day`` by the paused
  days after the start day up to the running last day; ``roll_if_off`` applies after extension.
* ``hour``: each paused date removes its whole 24 hours (00:00 to 24:00 in the start's own time
  zone) from the running clock.

Uncovered years: a strict query whose answer depends on a day of a year without a ``complete``
entry raises :class:`CalendarNotCovered` naming the year. With ``provisional=True`` the
calendar uses the weekend rule (plus any days a layer does state) for such years and returns a
:class:`Deadline` flagged ``provisional`` with the years it guessed, so a case opened in December
still gets a date; recompute it once :meth:`WorkCalendar.covers` is true for those years.

Speed: a working-day index over the whole computable range (cumulative working-day counts per
day and the position of every working day) makes :meth:`WorkCalendar.add_workdays` and
:meth:`WorkCalendar.between` O(1) lookups, O(1) per pause.
"""

from __future__ import annotations

import os
import re
import tempfile
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import yaml

from powerflow.definition import TimeUnit
from powerflow.errors import CalendarError, CalendarNotCovered, did_you_mean

BASE_RESOURCE = "holidays.yaml"
"""The national table inside ``powerflow/data``."""

_YEARS_BEFORE = 10
_YEARS_AFTER = 30
"""How far beyond the years the layers mention the index reaches (for provisional answers)."""

_FALLBACK_YEARS = frozenset({2000, 2030})
"""The years an index spans (padded as above) when no layer mentions any year at all."""

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ---------------------------------------------------------------------------------------------
# Layer data


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


# ---------------------------------------------------------------------------------------------
# Reading layer YAML with file, line and field in every error


@dataclass(frozen=True, slots=True)
class _At:
    """A YAML node together with the file and field path it stands at."""

    source: str
    path: str
    node: yaml.Node
    scalars: yaml.SafeLoader
    """Builds scalar values (dates, flags); one per parse, as it remembers every node it built."""

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def error(self, message: str) -> CalendarError:
        return CalendarError(f"{self.source}:{self.line}: {self.path or '(file)'}: {message}")

    def child(self, name: str, node: yaml.Node) -> _At:
        return _At(self.source, f"{self.path}.{name}" if self.path else name, node, self.scalars)

    def value(self) -> object:
        try:
            return self.scalars.construct_object(self.node, deep=True)
        except (ValueError, yaml.YAMLError) as exc:
            raise self.error(f"cannot read the value {self.text_form()}: {exc}") from exc

    def text_form(self) -> str:
        return str(self.node.value) if isinstance(self.node, yaml.ScalarNode) else "(a collection)"


def _mapping(at: _At, required: Sequence[str], optional: Sequence[str]) -> dict[str, _At]:
    if not isinstance(at.node, yaml.MappingNode):
        raise at.error(f"expected a mapping with the keys {', '.join(required or optional)}")
    allowed = [*required, *optional]
    found: dict[str, _At] = {}
    for key_node, value_node in at.node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "(a collection)"
        where = at.child(key, key_node)
        if key not in allowed:
            raise where.error(
                f"unknown key {key}{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}"
            )
        if key in found:
            raise where.error(f"the key {key} appears twice (first on line {found[key].line})")
        found[key] = at.child(key, value_node)
    for key in required:
        if key not in found:
            raise at.error(f"missing the required key {key}")
    return found


def _sequence(at: _At) -> list[_At]:
    if not isinstance(at.node, yaml.SequenceNode):
        raise at.error("expected a list (one item per line starting with '- ')")
    return [at.child(str(index), item) for index, item in enumerate(at.node.value)]


def _text(at: _At) -> str:
    value = at.value() if isinstance(at.node, yaml.ScalarNode) else None
    if not isinstance(value, str) or not value.strip():
        raise at.error(f"expected non-empty text, got {at.text_form()}")
    return value.strip()


def _flag(at: _At) -> bool:
    value = at.value() if isinstance(at.node, yaml.ScalarNode) else None
    if not isinstance(value, bool):
        raise at.error(f"expected true or false, got {at.text_form()}")
    return value


def _day(at: _At) -> date:
    if not isinstance(at.node, yaml.ScalarNode):
        raise at.error("expected a date YYYY-MM-DD")
    try:
        value = at.scalars.construct_object(at.node, deep=True)
    except (ValueError, yaml.YAMLError):
        value = None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise at.error(f"{at.text_form()} is not a date (expected YYYY-MM-DD)")
    return value


def _year_key(at: _At) -> int:
    text = str(at.node.value) if isinstance(at.node, yaml.ScalarNode) else ""
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise at.error(f"a year key is four digits (e.g. 2026), got {at.text_form()}")
    return int(text)


def _provenance(at: _At) -> tuple[Provenance, ...]:
    if isinstance(at.node, yaml.SequenceNode):
        items = _sequence(at)
        if not items:
            raise at.error("the provenance list is empty; name at least the notice")
        return tuple(one for item in items for one in _provenance(item))
    if isinstance(at.node, yaml.ScalarNode):
        return (Provenance(notice=_text(at)),)
    keys = _mapping(at, ["notice"], ["title", "issued", "url", "note"])
    return (
        Provenance(
            notice=_text(keys["notice"]),
            title=_text(keys["title"]) if "title" in keys else None,
            issued=_day(keys["issued"]) if "issued" in keys else None,
            url=_text(keys["url"]) if "url" in keys else None,
            note=_text(keys["note"]) if "note" in keys else None,
        ),
    )


def _span(at: _At, year: int, *, name_required: bool) -> tuple[DaySpan, _At]:
    if isinstance(at.node, yaml.ScalarNode):
        if name_required:
            raise at.error("a holiday is a mapping {name: …, date: …} or {name, first, last}")
        day = _day(at)
        span, where = DaySpan(day, day), at
    else:
        optional = ["date", "first", "last", "note"] + ([] if name_required else ["name"])
        keys = _mapping(at, ["name"] if name_required else [], optional)
        name = _text(keys["name"]) if "name" in keys else None
        if "date" in keys:
            if "first" in keys or "last" in keys:
                raise keys["date"].error("give either date, or first and last, not both")
            day = _day(keys["date"])
            span, where = DaySpan(day, day, name), keys["date"]
        elif "first" in keys and "last" in keys:
            first, last = _day(keys["first"]), _day(keys["last"])
            if last < first:
                raise keys["last"].error(f"last {last} is before first {first}")
            span, where = DaySpan(first, last, name), keys["first"]
        else:
            raise at.error("give date, or both first and last")
    earliest = date(year - 1, 12, 1)
    for bound in (span.first, span.last):
        if not earliest <= bound <= date(year, 12, 31):
            raise where.error(
                f"{bound} is outside the notice year {year} (allowed: {earliest} to {year}-12-31; "
                f"a notice may arrange the last days of the December before)"
            )
    return span, where


def _year_entry(at: _At, year: int, default: tuple[Provenance, ...]) -> YearEntry:
    keys = _mapping(at, [], ["complete", "provenance", "holidays", "workdays", "remove"])
    provenance = _provenance(keys["provenance"]) if "provenance" in keys else default
    complete = _flag(keys["complete"]) if "complete" in keys else False
    lists: dict[str, tuple[DaySpan, ...]] = {}
    seen: dict[int, tuple[str, _At]] = {}
    for kind in ("holidays", "workdays", "remove"):
        spans: list[DaySpan] = []
        for item in _sequence(keys[kind]) if kind in keys else []:
            span, where = _span(item, year, name_required=kind == "holidays")
            for day in span.days():
                if day.toordinal() in seen:
                    other_kind, other = seen[day.toordinal()]
                    raise where.error(
                        f"{day} is already listed under {other_kind} on line {other.line}"
                    )
                seen[day.toordinal()] = (kind, where)
            spans.append(span)
        lists[kind] = tuple(spans)
    if not complete and not seen:
        raise at.error("the entry says nothing: list holidays, workdays or remove, or set complete")
    if not provenance:
        raise at.error("missing provenance: name the notice these days come from")
    return YearEntry(
        year=year,
        provenance=provenance,
        complete=complete,
        holidays=lists["holidays"],
        workdays=lists["workdays"],
        remove=lists["remove"],
    )


def parse_layer(text: str, source: str = "<string>") -> Layer:
    """Parse and fully validate layer YAML; raise CalendarError naming source, line and field."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise CalendarError(f"{source}:{line}: YAML syntax error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise CalendarError(f"{source}:1: YAML error: {exc}") from exc
    if node is None:
        raise CalendarError(f"{source}:1: the file is empty; a calendar layer is a mapping")
    top = _At(source, "", node, yaml.SafeLoader(""))
    keys = _mapping(top, ["layer", "years"], ["jurisdiction", "provenance"])
    default = _provenance(keys["provenance"]) if "provenance" in keys else ()
    years_at = keys["years"]
    if not isinstance(years_at.node, yaml.MappingNode) or not years_at.node.value:
        raise years_at.error("expected a mapping from year (e.g. 2026) to that year's days")
    entries: dict[int, YearEntry] = {}
    for key_node, value_node in years_at.node.value:
        year = _year_key(years_at.child(str(getattr(key_node, "value", "")), key_node))
        where = years_at.child(str(year), value_node)
        if year in entries:
            raise years_at.child(str(year), key_node).error(f"the year {year} appears twice")
        entries[year] = _year_entry(where, year, default)
    return Layer(
        name=_text(keys["layer"]),
        years=tuple(entries[year] for year in sorted(entries)),
        jurisdiction=_text(keys["jurisdiction"]) if "jurisdiction" in keys else None,
        source=source,
    )


def load_layer(path: Path | str) -> Layer:
    """Read and validate one layer file."""
    return parse_layer(_read_layer_text(Path(path)), str(path))


def _read_layer_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CalendarError(f"{path}: no such calendar layer file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{path}: cannot read the calendar layer: {exc}") from exc


@cache
def base_layer() -> Layer:
    """The national table shipped with powerflow (State Council notices, see holidays.yaml)."""
    text = resources.files("powerflow").joinpath("data", BASE_RESOURCE).read_text(encoding="utf-8")
    return parse_layer(text, f"powerflow/data/{BASE_RESOURCE}")


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


# ---------------------------------------------------------------------------------------------
# The layer store (files until the database takes over)


def layer_files(directory: Path) -> list[Path]:
    """The stored layer files of a store folder, in the order they apply (none if it is missing)."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.glob("*.yaml") if path.is_file())


def import_layer(file: Path, directory: Path) -> tuple[Path, Layer]:
    """Validate a layer file and store a copy in ``directory`` atomically; return where and what.

    Nothing is written unless the file and every stored layer are valid. A layer whose name is
    already stored replaces that file and keeps its place in the order; a new one goes last.
    """
    text = _read_layer_text(file)
    layer = parse_layer(text, str(file))
    stored = [(path, load_layer(path)) for path in layer_files(directory)]
    target = next((path for path, old in stored if old.name == layer.name), None)
    if target is None:
        number = 1 + max((_order_number(path) for path, _ in stored), default=0)
        slug = re.sub(r"[^\w-]+", "-", file.stem).strip("-") or "layer"
        target = directory / f"{number:04d}-{slug}.yaml"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".import-", suffix=".tmp")
    except OSError as exc:
        raise CalendarError(f"{directory}: cannot write to the layer store: {exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)  # atomic: readers see the old file or the new one
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CalendarError(f"{target}: cannot store the layer: {exc}") from exc
        raise
    return target, layer


def _order_number(path: Path) -> int:
    match = re.match(r"(\d+)-", path.name)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------------------------------
# The calendar


PauseLike = Pause | tuple[date, date]
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
        day = _as_date(day)
        if not provisional and not self.covers(day.year):
            raise CalendarNotCovered(day.year, f"asked whether {day} is a working day")
        ordinal = self._within(day.toordinal())
        return self._count[ordinal - self._lo + 1] != self._count[ordinal - self._lo]

    def next_workday(self, day: date, *, provisional: bool = False) -> date:
        """The first working day on or after ``day``."""
        day = _as_date(day)
        ordinal = self._within(day.toordinal())
        due = self._roll(ordinal)
        return self._finish(
            ordinal, due, provisional, lambda: f"the first working day from {day}"
        ).due

    def between(self, start: date, end: date, *, provisional: bool = False) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
        start, end = _as_date(start), _as_date(end)
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
        unit = _unit(unit)
        if unit is TimeUnit.HOUR:
            if not isinstance(start, datetime):
                raise CalendarError(f"an hour limit needs a start time, got the date {start}")
            return self.add_hours(start, value, pauses=pauses)
        day = _as_date(start)
        if unit is TimeUnit.WORKDAY:
            return self.add_workdays(day, value, pauses=pauses, provisional=provisional)
        shift = self.add_days if unit is TimeUnit.DAY else self.add_months
        return shift(day, value, roll_if_off=roll_if_off, pauses=pauses, provisional=provisional)

    def add_workdays(
        self, start: date, n: int, *, pauses: Iterable[PauseLike] = (), provisional: bool = False
    ) -> Deadline:
        """The Nth working day after ``start``, not counting working days inside ``pauses``."""
        start = _as_date(start)
        _check_count(n)
        if n == 0:
            return Deadline(start)
        origin = self._within(start.toordinal())

        def what() -> str:
            return f"{start} + {n} working days"

        target = self._count[origin - self._lo + 1] + n
        due = self._nth_workday(target, origin + 1, provisional, what)
        if pauses:
            for first, last in _merged(pauses):
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
        start = _as_date(start)
        _check_count(n)
        due = _extend(start.toordinal(), start.toordinal() + n, pauses)
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
        start = _as_date(start)
        _check_count(n)
        due = _extend(start.toordinal(), shift_months(start, n).toordinal(), pauses)
        return self._rolled(due, roll_if_off, provisional, lambda: f"{start} + {n} months")

    def add_hours(self, start: datetime, n: int, *, pauses: Iterable[PauseLike] = ()) -> Deadline:
        """Start + N hours, the paused dates' whole days excluded; needs no holiday data."""
        _check_count(n)
        clock, remaining = start, timedelta(hours=n)
        for first, last in _merged(pauses):
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


# ---------------------------------------------------------------------------------------------
# Plain date helpers


def shift_months(day: date, n: int) -> date:
    """The same day of the month ``n`` months later, clamped to that month's last day."""
    years, month_index = divmod(day.month - 1 + n, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _merged(pauses: Iterable[PauseLike]) -> list[tuple[int, int]]:
    """Pauses as sorted, non-overlapping ordinal intervals (touching ones joined)."""
    spans: list[tuple[int, int]] = []
    for pause in pauses:
        begins, ends = _as_date(pause[0]), _as_date(pause[1])
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


def _extend(origin: int, due: int, pauses: Iterable[PauseLike]) -> int:
    """Push a calendar-day last day back by the paused days after ``origin`` that it reaches."""
    for first, last in _merged(pauses):
        first = max(first, origin + 1)
        if last < first:
            continue
        if first > due:
            break
        due += last - first + 1
    return due


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise CalendarError(f"a time limit is a whole number, got {n!s}")
    if n < 0:
        raise CalendarError(f"a time limit cannot be negative, got {n}")


def _unit(unit: TimeUnit | str) -> TimeUnit:
    try:
        return TimeUnit(unit)
    except ValueError:
        names = [member.value for member in TimeUnit]
        raise CalendarError(
            f"unknown time unit {unit}{did_you_mean(str(unit), names)}; "
            f"expected one of {', '.join(names)}"
        ) from None


__all__ = [
    "BASE_RESOURCE",
    "DaySpan",
    "Deadline",
    "Layer",
    "Pause",
    "Provenance",
    "WorkCalendar",
    "YearEntry",
    "YearSource",
    "base_layer",
    "default_calendar",
    "import_layer",
    "layer_files",
    "load_calendar",
    "load_layer",
    "parse_layer",
    "shift_months",
]
