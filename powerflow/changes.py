"""What changed between two versions of a definition, and by when the change must be published.

The legal office reviews every change to a power before it takes effect; the department must
then publish the revised flowchart and catalog entry within 20 working days (政府信息公开条例
art. 26: 自该政府信息形成或者变更之日起20个工作日内; the local 权力公开 rules, F-07, say the same),
counted from the new version's effective date.

``diff_definitions(old, new)`` compares the two versions field by field. List items are matched
by what names them (a step's or post's ``id``, an action's ``action``, a right's ``right``, a
benchmark's ``violation``, a tier's ``tier``, a checkpoint's or channel's ``kind``) when that name
is unique in both versions, else by position. Each change is filed under a section (catalog,
basis, conditions, posts, steps, limits, rights, checkpoints, supervision, benchmarks) and marked
``chart`` when it touches what the published flowchart shows; ``version`` and ``effective``
identify the versions and are not changes themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from powerflow.definition import Citation, Definition, Duration, Rank, TimeUnit
from powerflow.workdays import WorkCalendar, default_calendar

REPUBLICATION_PERIOD = Duration(
    value=20,
    unit=TimeUnit.WORKDAY,
    basis=Citation(law="政府信息公开条例", article="26", rank=Rank.ADMINISTRATIVE_REGULATION),
)
"""Publish a changed flowchart or catalog entry within 20 working days of the change."""

IDENTITY = frozenset({"version", "effective"})
NOT_ON_CHART = frozenset({"fees", "disclosure", "joint", "entrusted_by", "penalty", "benchmarks"})
"""Top-level fields the catalog page publishes but the flowchart does not draw."""

_CATALOG = ("code", "name", "category", "procedure", "subject", "handling_unit", "level", "contact")
SECTIONS = (
    "catalog",
    "basis",
    "conditions",
    "posts",
    "steps",
    "limits",
    "rights",
    "checkpoints",
    "supervision",
    "benchmarks",
)
_KEYS = ("id", "action", "right", "violation", "tier", "kind")
_MISSING: Any = object()

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: where (section and field path), what kind, the old and the new value."""

    section: str
    path: str
    kind: ChangeKind
    old: Any
    new: Any
    chart: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "path": self.path,
            "change": self.kind,
            "old": self.old,
            "new": self.new,
            "chart": self.chart,
        }


@dataclass(frozen=True, slots=True)
class DefinitionDiff:
    """The changes between two versions and the republication they call for."""

    old: Definition
    new: Definition
    changes: tuple[Change, ...]
    due: dt.date | None
    """Last day to publish the revised chart and catalog entry; None when nothing changed."""
    provisional: bool = False
    """The due date assumed weekends only for a year with no holiday notice loaded."""

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def republish_chart(self) -> bool:
        """The published flowchart shows something that changed."""
        return any(change.chart for change in self.changes)

    @property
    def version_raised(self) -> bool:
        return _version_key(self.new.version) > _version_key(self.old.version)

    def by_section(self) -> dict[str, list[Change]]:
        grouped: dict[str, list[Change]] = {section: [] for section in SECTIONS}
        for change in self.changes:
            grouped[change.section].append(change)
        return {section: items for section, items in grouped.items() if items}

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.new.code,
            "old": {"version": self.old.version, "effective": self.old.effective.isoformat()},
            "new": {"version": self.new.version, "effective": self.new.effective.isoformat()},
            "changed": self.changed,
            "version_raised": self.version_raised,
            "changes": [change.to_json() for change in self.changes],
            "republish": {
                "flowchart": self.republish_chart,
                "catalog": self.changed,
                "due": self.due.isoformat() if self.due else None,
                "provisional": self.provisional,
                "period": REPUBLICATION_PERIOD.label(),
                "basis": _basis_label(),
            },
        }


def diff_definitions(
    old: Definition, new: Definition, *, calendar: WorkCalendar | None = None
) -> DefinitionDiff:
    """Compare two versions of a definition; the due date uses ``calendar`` (default: national)."""
    before = old.model_dump(mode="json")
    after = new.model_dump(mode="json")
    changes = tuple(
        change
        for key in _ordered_union(before, after)
        if key not in IDENTITY
        for change in _walk(key, before.get(key, _MISSING), after.get(key, _MISSING))
    )
    if not changes:
        return DefinitionDiff(old, new, changes, None)
    deadline = (calendar or default_calendar()).add_workdays(
        new.effective, REPUBLICATION_PERIOD.value, provisional=True
    )
    return DefinitionDiff(old, new, changes, deadline.due, deadline.provisional)


def describe(value: Any) -> str:
    """A short human form of a dumped value: a limit, a citation, a named part, or JSON."""
    if value is None or value is _MISSING:
        return "(none)"
    if isinstance(value, dict):
        if {"value", "unit"} <= value.keys():
            return f"{value['value']}{TimeUnit(value['unit']).label}"
        if {"law", "article"} <= value.keys():
            return Citation.model_validate(value).label()
        for key in ("name", "right", "how"):
            if isinstance(value.get(key), str):
                ident = value.get("id") or value.get("action")
                return f"{ident} ({value[key]})" if ident else str(value[key])
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


# ---------------------------------------------------------------------------------------------


def _walk(path: str, old: Any, new: Any) -> Iterator[Change]:
    if old == new:
        return
    old = _MISSING if old is None else old
    new = _MISSING if new is None else new
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _ordered_union(old, new):
            yield from _walk(f"{path}.{key}", old.get(key, _MISSING), new.get(key, _MISSING))
    elif isinstance(old, list) and isinstance(new, list) and _is_records(old + new):
        yield from _walk_list(path, old, new)
    elif old is _MISSING:
        yield _change(path, "added", None, new)
    elif new is _MISSING:
        yield _change(path, "removed", old, None)
    else:
        yield _change(path, "changed", old, new)


def _walk_list(path: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    key = next((k for k in _KEYS if _unique_key(old, k) and _unique_key(new, k)), None)
    if key is not None:
        before = {item[key]: item for item in old}
        after = {item[key]: item for item in new}
        for name in _ordered_union(before, after):
            yield from _walk(
                f"{path}.{name}", before.get(name, _MISSING), after.get(name, _MISSING)
            )
    elif len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _walk(f"{path}.{index}", a, b)
    else:
        for index, item in enumerate(old):
            if item not in new:
                yield _change(f"{path}.{index}", "removed", item, None)
        for index, item in enumerate(new):
            if item not in old:
                yield _change(f"{path}.{index}", "added", None, item)


def _change(path: str, kind: ChangeKind, old: Any, new: Any) -> Change:
    top = path.split(".", 1)[0]
    return Change(_section(path), path, kind, old, new, top not in NOT_ON_CHART)


def _section(path: str) -> str:
    parts = path.split(".")
    top = parts[0]
    if top == "steps" and len(parts) > 2:
        leaf = parts[2]
        if leaf in ("limit", "advance_notice", "min_wait", "pause"):
            return "limits"
        if leaf in ("rights", "checkpoints"):
            return leaf
    if top in _CATALOG or top in ("fees", "disclosure", "joint", "entrusted_by"):
        return "catalog"
    if top in ("penalty", "benchmarks"):
        return "benchmarks"
    return top if top in SECTIONS else "catalog"


def _is_records(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) for item in items)


def _unique_key(items: list[dict[str, Any]], key: str) -> bool:
    names = [item.get(key) for item in items]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _ordered_union(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _basis_label() -> str:
    basis = REPUBLICATION_PERIOD.basis
    return basis.label() if basis is not None else ""
