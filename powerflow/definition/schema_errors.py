"""Pydantic validation errors turned into findings naming file, line and field path."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ValidationError

from powerflow.definition.parts import REQUIRED_HERE
from powerflow.definition.schema import Definition
from powerflow.definition.sources import SourceMap
from powerflow.errors import did_you_mean
from powerflow.findings import Finding, Severity
from powerflow.yamlsource import display_path


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional[...], list[...] and Annotated[...]."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None) and arg is not Ellipsis:
                found.extend(_unwrap(arg))
        return found
    return [annotation]


def _type_at(loc: Sequence[int | str]) -> list[Any]:
    """The types a location may hold, walking the definition schema."""
    candidates: list[Any] = [Definition]
    for element in loc:
        if isinstance(element, int):
            continue
        following: list[Any] = []
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                field = candidate.model_fields.get(element)
                if field is not None:
                    following.extend(_unwrap(field.annotation))
        candidates = following
    return candidates


def _allowed_values(loc: Sequence[int | str]) -> list[str]:
    values: list[str] = []
    for candidate in _type_at(loc):
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            values.extend(member.value for member in candidate)
        elif typing.get_origin(candidate) is Literal:
            values.extend(str(arg) for arg in typing.get_args(candidate))
    return values


def _allowed_keys(loc: Sequence[int | str]) -> list[str]:
    keys: list[str] = []
    for candidate in _type_at(loc):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            keys.extend(candidate.model_fields)
    return keys


def error_finding(file: str, line: int, field: str, rule: str, message: str) -> Finding:
    """An error finding of the loader (rule ``load.*``)."""
    return Finding(file, line, field, rule, Severity.ERROR, message)


def schema_findings(exc: ValidationError, data: Any, source: SourceMap) -> Iterator[Finding]:
    for error in exc.errors():
        loc = error["loc"]
        kind = error["type"]
        # Errors inside a union report the union branch name in loc; drop those.
        loc = tuple(part for part in loc if not (isinstance(part, str) and "[" in part))
        field = display_path(tuple(loc), data)
        line = source.line_of(field)
        value = error.get("input")
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            hint = did_you_mean(name, allowed)
            expected = ", ".join(allowed)
            message = f"unknown key {name}{hint}; allowed here: {expected}"
            rule = "load.unknown-key"
        elif kind == "missing":
            message = f"the field {loc[-1]} is required here"
            rule = "load.missing-field"
        elif kind == REQUIRED_HERE:
            field = display_path((*loc, *error["ctx"]["path"]), data)
            line = source.line_of(field)
            message = str(error["ctx"]["message"])
            rule = "load.missing-field"
        elif kind in ("enum", "literal_error"):
            allowed_values = _allowed_values(loc)
            hint = did_you_mean(str(value), allowed_values)
            message = f"{value} is not allowed{hint}; expected one of: {', '.join(allowed_values)}"
            rule = "load.invalid-value"
        elif kind == "string_pattern_mismatch":
            message = f"{value} does not have the expected form ({error['ctx']['pattern']})"
            rule = "load.invalid-value"
        else:
            message = _plain_message(error["msg"], value)
            rule = (
                "load.wrong-type"
                if kind.endswith("_type") or "parsing" in kind
                else "load.invalid-value"
            )
        yield error_finding(source.file, line, field, rule, message)


def _plain_message(message: str, value: Any) -> str:
    message = message.removeprefix("Value error, ")
    if isinstance(value, dict | list) or value is None:
        return message
    return f"{message} (got {value})"
