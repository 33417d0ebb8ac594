"""Tables as pages draw them: a DataFrame's columns under readable headers and its first rows as text, numbers
right-aligned."""

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


def html_table(name: str, frame: pd.DataFrame, max_rows: int = MAX_ROWS, title: str = "") -> HtmlTable:
    """``frame``'s first ``max_rows`` rows as text (the template escapes it) under readable headers
    (:func:`column_label`); years and ids as they are written, not as amounts; cost components as every view
    names them; shares as percentages."""
    shown = frame.head(max_rows)
    naming = tuple(names_a_thing(str(c)) for c in shown.columns)
    shares = tuple(str(c) in SHARES for c in shown.columns)
    numeric = tuple(is_numeric_dtype(shown[c]) and not is_bool_dtype(shown[c]) and not plain
                    for c, plain in zip(shown.columns, naming, strict=True))
    shown = shown.assign(component=shown["component"].map(component_label)) if "component" in shown else shown
    rows = tuple(tuple(label(value) if plain else share(value) if percent else cell(value)
                       for value, plain, percent in zip(row, naming, shares, strict=True))
                 for row in shown.itertuples(index=False, name=None))
    return HtmlTable(name, tuple(column_label(name, str(c)) for c in shown.columns), numeric, rows,
                     max(0, len(frame) - max_rows), title)


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
    "plants": {"opened": "opens this year", "closed": "closed from this year"},
    "utilization": {"used": "capacity used", "share": "utilization"},
    "costs": {"amount": "amount (nominal)", "discounted": "amount (discounted)"},
}
"""Readable names of a plan's tables' columns, by table: a part is a component of a bill of materials, not a cost
component."""
COLUMN_LABELS = {"added_capacity": "capacity added", "capex": "capital cost", "per_unit": "cost per unit",
                 "amount_in_currency": "amount in its currency", "fixed_cost": "fixed cost",
                 "transit_days": "transit days", "run_id": "run", "npv": "NPV"}
"""Readable names of columns any table may have; any other column reads with its ``_`` as spaces."""
SHARES = ("rvc", "threshold")
"""Columns that are shares, shown as percentages."""


def column_label(table: str, column: str) -> str:
    """A column of ``table`` as a page heads it: COLUMN_NAMES, else COLUMN_LABELS, else with ``_`` as spaces."""
    return COLUMN_NAMES.get(table, {}).get(column) or COLUMN_LABELS.get(column) or column.replace("_", " ")


def share(value: object) -> str:
    """A share as a percentage to one decimal, a missing one as nothing."""
    return "" if value is None or pd.isna(value) else f"{float(value):.1%}"  # type: ignore[arg-type]


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


__all__ = ["COLUMN_LABELS", "COLUMN_NAMES", "MAX_ROWS", "HtmlTable", "cell", "column_label", "html_table", "label",
           "names_a_thing", "share"]
