"""Tables as pages draw them: a DataFrame's columns and its first rows as text, numbers right-aligned."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

MAX_ROWS = 200
"""Rows a page shows of a table; the download has them all."""


@dataclass(frozen=True)
class HtmlTable:
    name: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int
    """Rows left off the page."""


def html_table(name: str, frame: pd.DataFrame, max_rows: int = MAX_ROWS) -> HtmlTable:
    """``frame``'s first ``max_rows`` rows as text (the template escapes it)."""
    shown = frame.head(max_rows)
    numeric = tuple(is_numeric_dtype(shown[c]) and not is_bool_dtype(shown[c]) for c in shown.columns)
    rows = tuple(tuple(cell(value) for value in row) for row in shown.itertuples(index=False, name=None))
    return HtmlTable(name, tuple(str(c) for c in shown.columns), numeric, rows, max(0, len(frame) - max_rows))


def cell(value: object) -> str:
    """A value as a table shows it: whole numbers with thousands separators, others to two decimals, a
    missing value as nothing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if round(value, 2) else f"{value:.3g}"
    if hasattr(value, "item"):  # numpy scalars
        return cell(value.item())  # type: ignore[attr-defined]
    return str(value)


__all__ = ["MAX_ROWS", "HtmlTable", "cell", "html_table"]
