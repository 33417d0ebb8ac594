"""A tornado as text: each ranged input's NPV at its low and its high, largest swing first, and what the decisions
do at each end. ``tornado_rows`` gives its cells, which the terminal (``print_tornado``), the report and the web
app all show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from footprint.views.console import _money, _text

if TYPE_CHECKING:
    from footprint.analysis.sensitivity import End, Tornado

COLUMNS = ("input", "low", "NPV at low", "high", "NPV at high", "swing", "decisions at low", "decisions at high")
AMOUNTS = ("NPV at low", "NPV at high", "swing")
"""The columns of amounts (right-aligned)."""


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:,.6g}"


def _values(end: End) -> str:
    if not end.values:
        return "-"
    low, high = min(end.values), max(end.values)
    return _number(low) if low == high else f"{_number(low)} to {_number(high)} (by year)"


def _objective(end: End, currency: str) -> str:
    return "no plan" if end.objective is None else _money(end.objective, currency)


def tornado_rows(tornado: Tornado, top: int | None = None) -> tuple[list[list[str]], list[str]]:
    """The cells of the ``top`` bars (all without it), in COLUMNS order and as plain text, and the reasons of the
    ends without a plan, which their cells number: ``no plan (1)``."""
    currency = tornado.currency or ""
    rows, reasons = [], []
    for bar in tornado.bars[:top] if top else tornado.bars:
        swing = "-" if bar.swing == float("inf") else _money(bar.swing, currency)
        cells = []
        for end, which in ((bar.low, "low"), (bar.high, "high")):
            if end.objective is None:
                reasons.append(f"{bar.path} at its {which}: {end.change}")
                cells.append(f"no plan ({len(reasons)})")
            else:
                cells.append(end.change or "same")
        rows.append([bar.path, _values(bar.low), _objective(bar.low, currency), _values(bar.high),
                     _objective(bar.high, currency), swing, *cells])
    return rows, reasons


def tornado_title(tornado: Tornado) -> str:
    base = _money(tornado.base_objective, tornado.currency or "")
    return (f"Sensitivity: NPV at each input's low and high (base {base}; {len(tornado.bars)} inputs, largest swing "
            "first)")


def print_tornado(tornado: Tornado, console: Console, top: int | None = None) -> None:
    table = Table(title=_text(tornado_title(tornado)), title_justify="left")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in AMOUNTS else "left",
                         **({"min_width": 24, "overflow": "fold"} if column == "input" else {}))
    rows, reasons = tornado_rows(tornado, top)
    for row in rows:
        table.add_row(*map(_text, row))
    console.print(table)
    for number, reason in enumerate(reasons, 1):
        console.print(f"({number}) {_text(reason)}")
    if top and len(tornado.bars) > top:
        console.print(f"{len(tornado.bars) - top} more inputs with smaller swings (--top to see them)")
