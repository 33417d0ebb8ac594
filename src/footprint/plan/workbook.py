"""A Plan as one Excel workbook: a summary sheet, then a sheet per table of ``plan.TABLES`` (no index column).

Written atomically (a temporary file beside the target, renamed into place), so a reader never
opens half a workbook. Amounts are in the summary's currency, as in the Plan.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from footprint.plan.plan import TABLES, Plan
from footprint.scenario.atomic import write_file

SUMMARY_SHEET = "summary"
MAX_SHEET_ROWS = 1_048_576
"""Rows an Excel sheet holds, its header included."""
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as a valid sheet name, unique among ``taken`` (Excel's rules: at most 31 characters, none of
    ``[]:*?/\\``, not blank, unique whatever the case)."""
    base = _NOT_IN_SHEET_NAMES.sub("_", name).strip("'").strip()[:31] or "sheet"
    candidate, number = base, 1
    while candidate.lower() in {other.lower() for other in taken}:
        number += 1
        suffix = f" ({number})"
        candidate = base[:31 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def _summary_rows(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    """The summary as (field, value) rows: numbers and text as they are, anything else as JSON."""
    return [(key, value if isinstance(value, (str, int, float, bool)) or value is None
             else json.dumps(value, default=_plain)) for key, value in summary.items()]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def write_workbook(plan: Plan, path: str | Path) -> Path:
    """Write ``plan`` to the workbook ``path`` (``.xlsx``): a ``summary`` sheet of field and value, then one
    sheet per table in ``TABLES`` order, each with its header frozen. ValueError, before anything is written,
    for a table longer than a sheet holds (write the results folder instead: ``Plan.write``)."""
    from openpyxl.utils import get_column_letter  # openpyxl only when a workbook is written

    path = Path(path)
    for name in TABLES:
        rows = len(plan.tables[name])
        if rows + 1 > MAX_SHEET_ROWS:
            raise ValueError(f"table {name} has {rows:,} rows, more than an Excel sheet holds "
                             f"({MAX_SHEET_ROWS - 1:,}); write the results folder instead")

    def write(temporary: Path) -> None:
        taken: set[str] = set()
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            summary = pd.DataFrame(_summary_rows(plan.summary), columns=["field", "value"])
            sheets = [(sheet_name(SUMMARY_SHEET, taken), summary)]
            sheets += [(sheet_name(name, taken), plan.tables[name]) for name in TABLES]
            for title, table in sheets:
                table.to_excel(writer, sheet_name=title, index=False)
                worksheet = writer.sheets[title]
                worksheet.freeze_panes = "A2"
                for index, column in enumerate(table.columns):
                    worksheet.column_dimensions[get_column_letter(index + 1)].width = max(10, len(str(column)) + 2)

    return write_file(path, write)


__all__ = ["SUMMARY_SHEET", "sheet_name", "write_workbook"]
