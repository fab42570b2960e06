"""The layer store: validated layer files kept in a folder, in the order they apply."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from powerflow.errors import CalendarError
from powerflow.workdays.layers import Layer
from powerflow.workdays.reading import load_layer, parse_layer, read_layer_text


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
    text = read_layer_text(file)
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
