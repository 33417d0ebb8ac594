"""Terminal view of a scenario set's futures: each one's probability and the values it sets."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from footprint.scenario.model.text import printable
from footprint.scenario.sets.scenario_sets import Future
from footprint.views.console import MAX_ROWS

MAX_PATHS = 6
"""Columns of values beyond the name and probability; the other paths are named in the caption."""


def _text(value: object) -> str:
    """A name from a file as table text: control characters escaped, rich markup shown as written."""
    return escape(printable(str(value)))


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def value_text(value: Any) -> str:
    """An override's value in a cell: a number, a name, a series by its last year (where a path ends), a list by its
    size."""
    if value is None:
        return "none"
    if isinstance(value, bool) or not isinstance(value, (int, float, dict, list)):
        return _text(value)
    if isinstance(value, list):
        return f"{len(value)} entries"
    if isinstance(value, dict):
        years = sorted(value)
        if not years:
            return "{}"
        first, last = value[years[0]], value[years[-1]]
        if not all(isinstance(v, (int, float)) for v in (first, last)):
            return f"{len(value)} entries"
        return _number(first) if len(years) == 1 else f"{_number(last)} in {years[-1]}"
    if isinstance(value, int) and 1900 <= value <= 2200:  # a year as written, not 2,030
        return str(value)
    return _number(value)


def print_futures(futures: list[Future], title: str, console: Console) -> None:
    """A table of ``futures``: name, probability and each path's value (``-``: the base's), at most MAX_ROWS
    rows and MAX_PATHS paths; the caption counts the rest."""
    paths = list(dict.fromkeys(path for future in futures for path, _ in future.overrides))
    shown = paths[:MAX_PATHS]
    table = Table(title=_text(title), title_justify="left")
    table.add_column("future", no_wrap=True)
    table.add_column("probability", justify="right")
    for path in shown:
        table.add_column(_text(path), justify="right", overflow="fold")
    for future in futures[:MAX_ROWS]:
        values = dict(future.overrides)
        table.add_row(_text(future.name), f"{future.probability:.4g}",
                      *[value_text(values[path]) if path in values else "-" for path in shown])
    notes = []
    if len(futures) > MAX_ROWS:
        notes.append(f"{len(futures) - MAX_ROWS} more futures")
    if len(paths) > MAX_PATHS:
        rest = paths[MAX_PATHS:]
        named = ", ".join(rest[:6]) + (f" and {len(rest) - 6} more" if len(rest) > 6 else "")
        notes.append(f"{len(rest)} more paths set: {_text(named)}")
    total = math.fsum(future.probability for future in futures)
    notes.append(f"probabilities add up to {total:.12g}; - : the base's value")
    table.caption = "; ".join(notes)
    console.print(table)


__all__ = ["MAX_PATHS", "print_futures", "value_text"]
