"""Findings: one problem in a definition, located by file, line and field path.

Loading errors and check results share this shape, so ``powerflow check`` prints both the
same way: ``FILE:LINE: FIELD: RULE-ID SEVERITY: message``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is: an error blocks publication and execution, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in one definition file."""

    file: str
    line: int
    field: str
    rule: str
    severity: Severity
    message: str

    def format_text(self) -> str:
        """The one-line text form: ``FILE:LINE: FIELD: RULE SEVERITY: message``."""
        field = self.field or "(file)"
        return (
            f"{self.file}:{self.line}: {field}: {self.rule} {self.severity.value}: {self.message}"
        )

    def to_json(self) -> dict[str, object]:
        """A plain dict for JSON output with keys file, line, field, rule, severity, message."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Order findings by file, then line, then rule, so output is stable."""
    return sorted(findings, key=lambda f: (f.file, f.line, f.field, f.rule, f.message))
