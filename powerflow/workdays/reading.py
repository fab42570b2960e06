"""Reading calendar layer YAML, with file, line and field in every error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from powerflow.errors import CalendarError, did_you_mean
from powerflow.workdays.layers import DaySpan, Layer, Provenance, YearEntry

BASE_RESOURCE = "holidays.yaml"
"""The national table inside ``powerflow/data``."""

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    return parse_layer(read_layer_text(Path(path)), str(path))


def read_layer_text(path: Path) -> str:
    """The text of a layer file; CalendarError when it cannot be read."""
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
