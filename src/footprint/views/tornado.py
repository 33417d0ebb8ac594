"""A tornado on the terminal: each ranged input's NPV at its low and its high, largest swing first,
and what the decisions do at each end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from footprint.views.console import _money, _text

if TYPE_CHECKING:
    from footprint.analysis.sensitivity import End, Tornado


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:,.6g}"


def _values(end: End) -> str:
    low, high = min(end.values), max(end.values)
    return _number(low) if low == high else f"{_number(low)} to {_number(high)} (by year)"


def _objective(end: End, currency: str) -> str:
    return "no plan" if end.objective is None else _money(end.objective, currency)


def print_tornado(tornado: Tornado, console: Console, top: int | None = None) -> None:
    currency = tornado.currency or ""
    bars = tornado.bars[:top] if top else tornado.bars
    base = _money(tornado.base_objective, currency)
    table = Table(title=f"Sensitivity: NPV at each input's low and high (base {base}; {len(tornado.bars)} inputs, "
                        "largest swing first)", title_justify="left")
    table.add_column("input", min_width=24, overflow="fold")
    for column in ("low", "NPV at low", "high", "NPV at high", "swing", "decisions at low", "decisions at high"):
        table.add_column(column, justify="right" if column.startswith(("NPV", "swing")) else "left")
    reasons = []
    for bar in bars:
        swing = "-" if bar.swing == float("inf") else _money(bar.swing, currency)
        cells = []
        for end, which in ((bar.low, "low"), (bar.high, "high")):
            if end.objective is None:
                reasons.append(f"{bar.path} at its {which}: {end.change}")
                cells.append(f"no plan ({len(reasons)})")
            else:
                cells.append(end.change or "same")
        table.add_row(_text(bar.path), _values(bar.low), _objective(bar.low, currency), _values(bar.high),
                      _objective(bar.high, currency), swing, *map(_text, cells))
    console.print(table)
    for number, reason in enumerate(reasons, 1):
        console.print(f"({number}) {_text(reason)}")
    if top and len(tornado.bars) > top:
        console.print(f"{len(tornado.bars) - top} more inputs with smaller swings (--top to see them)")
    console.print(f"stored as sweep {tornado.sweep}")
