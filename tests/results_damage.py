"""Damage done to a results folder as a person editing it would: a summary field replaced, a table's cell
edited in its CSV (its Parquet removed, so that the CSV is what is read) with the manifest recomputed, so that
only the content itself can give the damage away."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from footprint.plan.plan import SUMMARY_FILE
from footprint.plan.results import MANIFEST


def set_summary(folder: Path, key: str, value: Any) -> None:
    """``key`` of summary.json set to ``value`` (``...``: removed); NaN and Infinity written as Python writes
    them."""
    path = folder / SUMMARY_FILE
    summary = json.loads(path.read_text(encoding="utf-8"))
    if value is ...:
        summary.pop(key, None)
    else:
        summary[key] = value
    path.write_text(json.dumps(summary), encoding="utf-8")


def rows_of(folder: Path, table: str) -> list[list[str]]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def set_cell(folder: Path, table: str, column: str, row: int, text: str) -> None:
    """The cell of ``column`` in the ``row``-th row (0: the first after the header) of ``table``.csv set to
    ``text`` (a row shorter than the header is lengthened to it), the table's Parquet removed and the manifest
    recomputed."""
    rows = rows_of(folder, table)
    cells, at = rows[row + 1], rows[0].index(column)
    cells += [""] * (at + 1 - len(cells))  # a row cut short (by an earlier damage) gets the cell
    cells[at] = text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (folder / f"{table}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (folder / f"{table}.parquet").unlink(missing_ok=True)
    remanifest(folder)


def remanifest(folder: Path) -> None:
    """The manifest of summary.json made again from the files there: the folder looks as written."""
    path = folder / SUMMARY_FILE
    summary = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(summary.get(MANIFEST), dict):  # the manifest itself damaged: nothing to make again
        return
    files = {}
    for name in summary[MANIFEST]:
        if (folder / name).is_file():
            content = (folder / name).read_bytes()
            files[name] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    summary[MANIFEST] = files
    path.write_text(json.dumps(summary), encoding="utf-8")
