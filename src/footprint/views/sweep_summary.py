"""Terminal view of a sweep's statistics (rich tables): the objective's distribution over the futures,
the futures with no plan, and how often each decision is taken, one line per decision:
``busan-rogue-line  2014 in 83%, 2015 in 11%, never in 6%``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.table import Table

from footprint.plan.decisions import lane_text
from footprint.views.console import MAX_ROWS, _money, _objective_name, _text, _year_runs

if TYPE_CHECKING:
    from footprint.analysis.summary import SweepSummary

STATISTIC_LABELS = {"mean": "mean", "std": "standard deviation", "min": "lowest", "max": "highest",
                     "cvar90": "CVaR 90% (mean of the worst 10%)", "cvar95": "CVaR 95% (mean of the worst 5%)"}


def share_text(probability: float) -> str:
    """A share as a whole percentage; ``<1%`` (or ``>99%``) rather than a share rounded to 0% (or 100%)."""
    if 0 < probability < 0.005:
        return "<1%"
    if 0.995 <= probability < 1:
        return ">99%"
    return f"{probability:.0%}"


def frequency_text(outcomes: list[tuple[object, int, float]]) -> str:
    """``2014 in 83%, 2015 x2 in 11%, never in 6%`` from (year or NA, count, probability) outcomes."""
    return ", ".join(("never" if pd.isna(year) else f"{year}" + (f" x{count}" if count > 1 else ""))
                     + f" in {share_text(probability)}" for year, count, probability in outcomes)


def _assigned_text(cells: list[tuple[int, float]]) -> str:
    """``2014 in 83%, 2015-2019 in 94%``: years with the same share (as printed) joined in runs."""
    parts = []
    for share, run in groupby(cells, key=lambda cell: share_text(cell[1])):
        parts.append(f"{_year_runs(year for year, _ in run)} in {share}")
    return ", ".join(parts)


def decision_lines(summary: SweepSummary, text: Callable[[object], str] = _text) -> Iterator[tuple[str, str, str]]:
    """(kind, decision, frequencies) for each build option, plant event, plant-product pair, single source and
    lane; names written by ``text`` (for the terminal: rich markup shown as written)."""
    for option, group in summary.builds.groupby("option", sort=True):
        yield "capacity built", text(option), frequency_text(
            list(zip(group["year"], group["count"], group["probability"], strict=True)))
    for (plant, event), group in summary.plants.groupby(["plant", "event"], sort=True):
        yield f"plant {event}", text(plant), frequency_text(
            list(zip(group["year"], [1] * len(group), group["probability"], strict=True)))
    for (plant, product), group in summary.assignments.groupby(["plant", "product"], sort=True):
        yield "assigned", f"{text(plant)} {text(product)}", _assigned_text(
            list(zip(group["year"], group["probability"], strict=True)))
    for (plant, product, market), group in summary.single_sources.groupby(["plant", "product", "market"], sort=True):
        yield "single source", f"{text(product)} for {text(market)} from {text(plant)}", _assigned_text(
            list(zip(group["year"], group["probability"], strict=True)))
    for (plant, sourcing, product, market), group in summary.flows.groupby(["plant", "sourcing", "product", "market"],
                                                                           sort=True):
        yield "supplies", text(lane_text(plant, sourcing, product, market)), _assigned_text(
            list(zip(group["year"], group["probability"], strict=True)))


def print_sweep_summary(summary: SweepSummary, console: Console) -> None:
    """How many futures have a plan, their objective's distribution (probability-weighted), the futures
    with none and why, and how often each decision of the summary's level is taken (assignments and lanes only
    where futures differ)."""
    what = _objective_name(summary.objective_sense)
    failed = summary.futures - summary.solved
    console.print(f"[bold]{summary.futures:,} future{'s' if summary.futures != 1 else ''}[/bold]: "
                  f"{summary.solved:,} with a plan "
                  f"({summary.probability_solved:.1%} of the probability)"
                  + (f", {failed:,} without" if failed else ""))
    if summary.solved:
        left_out = (f"; {failed:,} future{'s' if failed != 1 else ''} without a plan "
                    f"({1 - summary.probability_solved:.1%} of the probability) left out: see below" if failed else "")
        table = Table(title=f"{what} in the {summary.solved:,} future{'s' if summary.solved != 1 else ''} with a plan",
                      title_justify="left",
                      caption="weighted by probability; percentiles and CVaR without interpolation" + left_out)
        table.add_column("")
        table.add_column(what, justify="right")
        for statistic, value in summary.npv.items():
            label = STATISTIC_LABELS.get(str(statistic), f"percentile {str(statistic)[1:]}")
            money = _money(value, _text(summary.currency)) if summary.currency else f"{value:,.0f}"
            table.add_row(label, "-" if pd.isna(value) else money)
        console.print(table)
    if not summary.failed.empty:
        table = Table(title="Futures without a plan", title_justify="left")
        for column in ("status", "reason", "futures", "probability"):
            table.add_column(column, justify="right" if column in ("futures", "probability") else "left")
        for row in summary.failed.itertuples():
            table.add_row(_text(row.status), _text(row.message) or "-", f"{row.futures:,}", f"{row.probability:.1%}")
        console.print(table)
    lines = list(decision_lines(summary))
    if not lines:
        return
    table = Table(title=f"How often each decision is taken ({summary.level} level; share of the futures with a plan)",
                  title_justify="left")
    for column in ("decision", "", "in the futures"):
        table.add_column(column)
    for kind, decision, frequencies in lines[:MAX_ROWS]:
        table.add_row(kind, decision, frequencies)
    if len(lines) > MAX_ROWS:
        table.caption = f"{len(lines) - MAX_ROWS} more rows: the SweepSummary's tables have them all"
    console.print(table)
