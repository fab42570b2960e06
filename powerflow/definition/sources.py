"""A loaded definition with the file it came from and the YAML line of every field."""

from __future__ import annotations

from dataclasses import dataclass

from powerflow.definition.schema import Definition
from powerflow.yamlsource import Lines


@dataclass(frozen=True)
class SourceMap:
    """Where each field path of a definition stands in its YAML file, and the text read."""

    file: str
    lines: dict[str, int]
    text: str = ""

    def line_of(self, field: str) -> int:
        """The line of the field, or of its nearest ancestor that the file spells out."""
        return Lines(self.lines).line_of(field)


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition together with the file it came from and the lines of its fields."""

    definition: Definition
    source: SourceMap

    @property
    def file(self) -> str:
        return self.source.file
