"""A Plan as one Excel workbook: a summary sheet, then a sheet per table of ``plan.TABLES`` (no index column); a
stored sweep's tables the same way (``write_sheets``).

Written atomically (a temporary file beside the target, renamed into place), so a reader never
opens half a workbook. Amounts are in the summary's currency, as in the Plan.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from footprint.plan.plan import TABLES, Plan, table_columns
from footprint.scenario.formats.atomic import write_file

SUMMARY_SHEET = "summary"
FUTURES_SHEET = "futures"
"""A sweep's workbook: its futures' summary table, after the summary sheet."""
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


class PlanWorkbookError(Exception):
    """A plan workbook that cannot be written, with a one-line reason."""


def write_workbook(plan: Plan, path: str | Path) -> Path:
    """Write ``plan`` to the workbook ``path`` (``.xlsx``): a ``summary`` sheet of field and value, then one
    sheet per table in ``TABLES`` order (a stacked Plan's with its STOCHASTIC_TABLES after), each with its
    header frozen. It replaces only a plan workbook
    written before. PlanWorkbookError, before anything is written, for a table longer than a sheet holds
    (write the results folder instead: ``Plan.write``), a file there that is not a plan workbook, or a
    place that cannot be written."""
    return write_sheets(plan.summary, {name: plan.tables[name] for name in table_columns(plan.stacked)}, path)


def write_sheets(summary: dict[str, Any], tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a ``summary`` sheet of field and value, then a sheet per table in the order given, as
    :func:`write_workbook` does (a stored sweep's tables too: footprint.plan.sweep_export)."""
    from openpyxl.utils import get_column_letter  # openpyxl only when a workbook is written

    path = Path(path)
    for name, table in tables.items():
        if len(table) + 1 > MAX_SHEET_ROWS:
            raise PlanWorkbookError(f"table {name} has {len(table):,} rows, more than an Excel sheet holds "
                                    f"({MAX_SHEET_ROWS - 1:,}); write the results folder instead")
    if path.exists() and not _is_plan_workbook(path):
        raise PlanWorkbookError(f"{path} exists and is not a plan workbook; name a new file for the results")
    if path.is_file() and not os.access(path, os.W_OK):  # replaced by a rename, it would lose its permissions
        raise PlanWorkbookError(f"cannot write {path}: permission denied (the file is read-only)")

    def write(temporary: Path) -> None:
        taken: set[str] = set()
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            rows = pd.DataFrame(_summary_rows(summary), columns=["field", "value"])
            sheets = [(sheet_name(SUMMARY_SHEET, taken), rows)]
            sheets += [(sheet_name(name, taken), table) for name, table in tables.items()]
            for title, table in sheets:
                table.to_excel(writer, sheet_name=title, index=False)
                worksheet = writer.sheets[title]
                worksheet.freeze_panes = "A2"
                for index, column in enumerate(table.columns):
                    worksheet.column_dimensions[get_column_letter(index + 1)].width = max(10, len(str(column)) + 2)

    try:
        if not path.parent.is_dir():
            raise PlanWorkbookError(f"cannot write {path}: no folder {path.parent}")
        return write_file(path, write)
    except OSError as err:
        raise PlanWorkbookError(f"cannot write {path}: {(err.strerror or str(err)).lower()}") from None


def _is_plan_workbook(path: Path) -> bool:
    """Whether ``path`` is a workbook this module wrote (its sheets: summary, then the Plan's tables, or a
    sweep's futures and tables)."""
    from openpyxl import load_workbook

    try:
        names = load_workbook(path, read_only=True).sheetnames
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return False
    return names[:1] == [SUMMARY_SHEET] and names[1:2] in ([next(iter(TABLES))], [FUTURES_SHEET])


__all__ = ["FUTURES_SHEET", "SUMMARY_SHEET", "PlanWorkbookError", "sheet_name", "write_sheets", "write_workbook"]
