"""Canonical JSON: the one text of a value that the case record hashes and the store keeps.

Keys sorted, no spaces, Chinese kept as it is (not escaped), moments as UTC ISO text and dates as
ISO dates. The store serializes every JSON column with ``dumps`` (``store.connect``), so an
event's payload is encoded once: the text that is hashed is the text that is stored
(``Encoded``), and parsing it back and encoding it again gives the same text.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def _moment_or_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(
        f"cannot record a {type(value).__name__} as JSON: only text, numbers, true/false, null, "
        "lists, mappings, dates and times"
    )


# Built once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_moment_or_date
)


def dumps(value: Any) -> str:
    """The canonical JSON text of a value."""
    return _ENCODER.encode(value)


def plain(value: Any) -> Any:
    """A JSON-native copy (dates become ISO text): what reading the stored text back gives."""
    return json.loads(dumps(value))


def text_of(value: dt.date | dt.datetime | None) -> str | None:
    """A date or moment as the text the record holds, or None."""
    return None if value is None else _moment_or_date(value)


class Encoded(str):
    """A value already encoded as canonical JSON text: the store writes the text as it is."""

    __slots__ = ()
