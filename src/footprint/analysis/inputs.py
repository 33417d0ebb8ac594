"""A scenario's figures as one table: each input's value, its range and where it comes from (for the report)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from footprint.scenario.model.checks import loc_text
from footprint.scenario.sets.ranges import parameter_path, walk_figures

INPUTS = ("input", "value", "low", "high", "source")
"""The columns of :func:`input_figures`."""


def input_figures(data: dict[str, Any]) -> pd.DataFrame:
    """Every figure written with its provenance (a ``value`` with a source, an assumption or a range) in a
    scenario's plain data: input (its parameter path, else its key path), value, low, high (NaN: none) and
    source (the source, or ``assumption: ...``)."""
    rows = []
    for loc, raw in walk_figures(data, ()):
        source = raw.get("source") or (f"assumption: {raw['assumption']}" if raw.get("assumption") else "")
        rows.append((parameter_path(data, loc) or loc_text(loc), raw["value"], raw.get("low"), raw.get("high"),
                     source))
    table = pd.DataFrame(rows, columns=list(INPUTS))
    return table.astype({"value": float, "low": float, "high": float, "source": str})


__all__ = ["INPUTS", "input_figures"]
