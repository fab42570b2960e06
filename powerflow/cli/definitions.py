"""Commands over definitions: check, list, schema."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
