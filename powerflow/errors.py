"""The one exception hierarchy of powerflow.

::

    PowerflowError                    every error powerflow raises on purpose
    ├── DefinitionError               a definition file cannot be loaded (carries findings)
    ├── CheckFailed                   checks found errors where a clean definition is required
    ├── UnknownDefinition             no definition with that code or file
    ├── BenchmarkError                no 裁量基准 for a violation, or a circumstance it lacks
    ├── CalendarError                 bad calendar data or a bad calendar query
    │   └── CalendarNotCovered        a strict query touches a year with no holiday notice
    ├── CaseError                     a case operation was refused or is impossible
    │   ├── UnknownCase
    │   ├── IllegalTransition         the action is not allowed from the current step
    │   ├── NotAuthorized             the officer does not hold the post or qualification
    │   └── StaleCase                 another officer changed the case first (optimistic lock)
    ├── PolicyError                   an alert policy (预警/黄牌/红牌 preset) is invalid
    ├── AlertError                    an alert operation was refused (unknown alert, wrong state)
    └── StoreError                    the database cannot be reached or is inconsistent

Every message says where (file:line and field path, or case id), what went wrong, and what
was expected. The CLI turns these into ``Error: <message>`` and exit code 1; click's own usage
errors exit 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from powerflow.findings import Finding


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean X?)' for the closest candidate, or '' when none is close."""
    matches = get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]}?)" if matches else ""


class PowerflowError(Exception):
    """Base of every error powerflow raises on purpose; the CLI shows its message, exit 1."""

    exit_code: int = 1


class DefinitionError(PowerflowError):
    """A definition file could not be loaded; ``findings`` holds every problem found."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(finding.format_text() for finding in self.findings))


class CheckFailed(PowerflowError):
    """Checks reported errors where a clean definition is required (e.g. before running cases)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(finding.format_text() for finding in self.findings))


class UnknownDefinition(PowerflowError):
    """No definition with the given code (or no such file)."""


class BenchmarkError(PowerflowError):
    """No discretion benchmark (裁量基准) for a violation, or a circumstance or amount it lacks."""


class CalendarError(PowerflowError):
    """Calendar data is malformed or a calendar query is malformed."""


class CalendarNotCovered(CalendarError):
    """A strict calendar query needs a year that has no holiday notice loaded."""

    def __init__(self, year: int, detail: str = "") -> None:
        self.year = year
        message = (
            f"the working-day calendar does not cover {year}: no State Council holiday notice "
            f"is loaded for it; import one with `powerflow calendar import FILE`"
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class CaseError(PowerflowError):
    """A case operation was refused or cannot be carried out."""


class UnknownCase(CaseError):
    """No case with that id."""


class IllegalTransition(CaseError):
    """The action is not allowed from the case's current step."""


class NotAuthorized(CaseError):
    """The acting officer does not hold the required post or qualification."""


class StaleCase(CaseError):
    """The case was changed by someone else since it was read (optimistic locking)."""


class StoreError(PowerflowError):
    """The database cannot be reached, is not migrated, or holds inconsistent data."""


class PolicyError(PowerflowError):
    """An alert policy file is invalid; the message names the file, line and field."""


class AlertError(PowerflowError):
    """An alert operation was refused: unknown alert, wrong state, or an unqualified officer."""
