"""Tables as pages draw them: a DataFrame's columns and its first rows as text, numbers right-aligned."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from footprint.views.labels import component_label

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
    title: str = ""
    """Its heading, where not its name."""


def html_table(name: str, frame: pd.DataFrame, max_rows: int = MAX_ROWS) -> HtmlTable:
    """``frame``'s first ``max_rows`` rows as text (the template escapes it); years and ids as they are
    written, not as amounts; cost components as every view names them."""
    shown = frame.head(max_rows)
    naming = tuple(names_a_thing(str(c)) for c in shown.columns)
    numeric = tuple(is_numeric_dtype(shown[c]) and not is_bool_dtype(shown[c]) and not plain
                    for c, plain in zip(shown.columns, naming, strict=True))
    shown = shown.assign(component=shown["component"].map(component_label)) if "component" in shown else shown
    rows = tuple(tuple(label(value) if plain else cell(value) for value, plain in zip(row, naming, strict=True))
                 for row in shown.itertuples(index=False, name=None))
    return HtmlTable(name, tuple(str(c) for c in shown.columns), numeric, rows, max(0, len(frame) - max_rows))


COLUMN_NAMES = {
    "supplies": {"component": "part"},
    "transfers": {"origin": "from plant", "component": "part", "destination": "to plant"},
    "inbound": {"facility": "distribution centre"},
    "deliveries": {"facility": "distribution centre"},
    "sites": {"open": "open", "opened": "opens this year", "closed": "closed from this year"},
    "claims": {"units": "units claimed"},
    "part_claims": {"origin": "from plant", "component": "part", "destination": "to plant", "units": "units claimed"},
    "rvc": {"units": "units claimed", "value": "value per unit", "originating": "originating per unit",
            "rvc": "regional value content", "threshold": "threshold", "duty_saved": "duty saved"},
}
"""Readable names of the tiers' tables' columns (the others read as they are): a part is a component of a bill of
materials, not a cost component."""
SHARES = ("regional value content", "threshold")
"""Columns (after COLUMN_NAMES) that are shares, shown as percentages."""


def readable_table(name: str, title: str, frame: pd.DataFrame, max_rows: int = MAX_ROWS) -> HtmlTable:
    """A plan's table ``name`` under ``title``, its columns named as COLUMN_NAMES has them (``_`` as spaces) and its
    shares as percentages."""
    renamed = frame.rename(columns=COLUMN_NAMES.get(name, {}))
    renamed = renamed.rename(columns=lambda column: column if names_a_thing(column) else column.replace("_", " "))
    for column in SHARES:
        if column in renamed:
            renamed[column] = [("" if pd.isna(value) else f"{value:.1%}") for value in renamed[column]]
    table = html_table(name, renamed, max_rows)
    return HtmlTable(table.name, table.columns, table.numeric, table.rows, table.more, title)


def names_a_thing(column: str) -> bool:
    """Whether a column holds years or ids: numbers that name something, not amounts (``year``, ``year_a``,
    ``id``, ``run_id``, ``iteration``)."""
    return _NAMING.fullmatch(column) is not None


_NAMING = re.compile(r"(year|id|iteration|sweep|run)(_\w+)?|\w+_(year|id)")


def label(value: object) -> str:
    """A year or an id as it is written: ``2026``, never ``2,026``; a missing one as nothing."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item"):  # numpy scalars
        return label(value.item())  # type: ignore[attr-defined]
    return str(value)


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


__all__ = ["COLUMN_NAMES", "MAX_ROWS", "HtmlTable", "cell", "html_table", "label", "names_a_thing", "readable_table"]
