"""Two plans compared, as tables of text: ``comparison_tables`` builds them (the same headers and cells for the
terminal, the web app and the report), ``print_comparison`` prints those with a difference as rich tables: the
decisions level by level, strategic first, each under its heading (a level whose decisions are the same in both
plans says so in one line), then the costs.

Supply moved is shown by run of consecutive years (one row for a move repeated from 2014 to 2019),
the rest as the Comparison has it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pandas as pd
from rich.console import Console
from rich.table import Table

from footprint.analysis.compare import DEMAND, FACILITY, LOST_SALES, Comparison
from footprint.optimize.model import OWN_CONTENT
from footprint.plan.levels import ADDED, LEVELS, Level
from footprint.views.console import MAX_ROWS, _objective_name, _text, _year_runs
from footprint.views.labels import component_label, money

_KPI_LABELS = {"gap": "gap", "capex": "capex (undiscounted)", "builds": "capacity builds",
               "added_capacity": "capacity added, units/yr", "demand": "units demanded", "served": "units served",
               "lost": "units lost", "utilization": "utilization (all pools and years)",
               "plants_open": "plants open in the last year"}
_CHANGES = {"added": "only in {b}", "removed": "only in {a}", "moved": "moved", "count": "number of builds"}
_MORE = "{more} more rows: the Comparison's table `{table}` has them all (fp.compare)"
_LEVEL_TITLES = {Level.STRATEGIC: "Strategic decisions: capacity built, plants opened and closed",
                 Level.ASSIGNMENTS: "Assignments: the products each plant makes, the source of each single-sourced "
                                    "demand",
                 Level.FLOWS: "Flows: which plant or facility supplies each market, and each plant's parts"}
_SHOWN = {**ADDED, Level.FLOWS: (*ADDED[Level.FLOWS], "parts")}
"""The tables shown at each level: the decisions' own, and at the flows level the parts' supply moved."""


@dataclass(frozen=True)
class ShownTable:
    """One table of a comparison as every view shows it: plain text (each view escapes it as it must)."""

    name: str
    """The Comparison's table it shows (``kpis``, ``builds``, ``plants``, ``assignments``, ``single_sources``,
    ``flows``, ``parts``, ``costs``, ``currencies``)."""
    title: str
    columns: tuple[str, ...]
    labels: int
    """The first columns are labels (left-aligned), the others figures."""
    rows: list[list[str]]
    caption: str = ""
    total: list[str] | None = None
    """A total row, shown apart below the others."""


def comparison_tables(comparison: Comparison) -> list[ShownTable]:
    """Every table of the comparison, in order: key figures, capacity built, plants opened and closed,
    production assigned in one plan only, single-sourced demand served from another plant, supply moved, parts'
    supply moved, costs by component and by currency (those without a difference with no rows)."""
    return [_kpis(comparison), _builds(comparison), _plants(comparison), _assignments(comparison),
            _single_sources(comparison), _flows(comparison), _parts(comparison), _costs(comparison),
            _currencies(comparison)]


def print_comparison(comparison: Comparison, console: Console) -> None:
    """The plans' KPIs side by side, then what differs, level by level up to the comparison's: builds and plant
    decisions (strategic), assignments, supply moved (flows); then the costs by component and by currency."""
    a, b = (_text(name) for name in comparison.names)
    console.print(f"[bold]{b}[/bold] ({_text(comparison.scenarios[1])}) against [bold]{a}[/bold] "
                  f"({_text(comparison.scenarios[0])})")
    for note in comparison.notes:
        console.print(f"[yellow]{_text(note)}[/yellow]")
    kpis, *differences = comparison_tables(comparison)
    _print(kpis, console)
    if comparison.empty:
        console.print("No differences: the two plans decide, supply and cost the same.")
        return
    shown = {table.name: table for table in differences}
    for level in LEVELS:
        heading = f"[bold]── {_LEVEL_TITLES[level]}[/bold]"
        if not comparison.level.holds(level):
            console.print(f"{heading}: not compared (--level {comparison.level})")
        elif not any(shown[name].rows for name in _SHOWN[level]):
            console.print(f"{heading}: the same in both plans")
        else:
            console.print(heading)
            for name in _SHOWN[level]:
                if shown[name].rows:
                    _print(shown[name], console)
    for name in ("costs", "currencies"):
        if shown[name].rows:
            _print(shown[name], console)


def _print(shown: ShownTable, console: Console) -> None:
    table = Table(title=_text(shown.title), title_justify="left")
    for i, name in enumerate(shown.columns):
        table.add_column(_text(name), justify="left" if i < shown.labels else "right")
    for row in shown.rows[:MAX_ROWS]:
        table.add_row(*map(_text, row))
    captions = [shown.caption] if shown.caption else []
    if len(shown.rows) > MAX_ROWS:
        more = len(shown.rows) - MAX_ROWS
        captions.append(f"{more} more moves: the Comparison's table `{shown.name}` has them all (fp.compare)"
                        if shown.name in ("flows", "parts") else _MORE.format(more=more, table=shown.name))
    table.caption = _text("; ".join(captions)) or None
    if shown.total is not None:
        table.add_section()
        label, *cells = map(_text, shown.total)
        table.add_row(f"[bold]{label}[/bold]", *cells)
    console.print(table)


def _change(change: str, comparison: Comparison) -> str:
    a, b = comparison.names
    return _CHANGES.get(change, change).format(a=a, b=b)


def _difference(value: float, text: str) -> str:
    """A difference as printed with its sign; nothing where it prints as zero (rounding left it)."""
    if not any(digit in text for digit in "123456789"):
        return ""
    return f"+{text}" if value > 0 else text


def _kpi_cell(value: float, unit: str, difference: bool = False) -> str:
    if pd.isna(value):
        return "-"
    if unit == "share":
        return _difference(value, f"{value * 100:,.1f} pts") if difference else f"{value:.1%}"
    text = f"{value:,.0f}" if unit in ("units", "count", "units/yr") else money(value, unit)
    return _difference(value, text) if difference else text


def _kpis(comparison: Comparison) -> ShownTable:
    a, b = comparison.names
    rows = [["status", comparison.status[0], comparison.status[1], ""]]
    senses = comparison.objective_sense
    for row in comparison.kpis.itertuples():
        label = _KPI_LABELS.get(str(row.kpi), str(row.kpi))
        if row.kpi == "objective":
            label = _objective_name(senses[0]) if senses[0] == senses[1] else "objective"
        unit = str(row.unit)
        rows.append([label, _kpi_cell(row.a, unit), _kpi_cell(row.b, unit), _kpi_cell(row.difference, unit, True)])
    return ShownTable("kpis", "Key figures", ("", a, b, f"{b} - {a}"), 1, rows)


def _builds_cell(year: object, count: int) -> str:
    if pd.isna(year):
        return "-"
    return f"{year}" + (f" x{count}" if count > 1 else "")


def _builds(comparison: Comparison) -> ShownTable:
    a, b = comparison.names
    rows = [[str(row.option), str(row.plant), str(row.pool), _builds_cell(row.year_a, row.count_a),
             _builds_cell(row.year_b, row.count_b), _change(str(row.change), comparison)]
            for row in comparison.builds.itertuples()]
    return ShownTable("builds", "Capacity built (year online)", ("option", "plant", "pool", a, b, "change"), 6, rows)


def _plants(comparison: Comparison) -> ShownTable:
    a, b = comparison.names
    rows = [[str(row.plant), str(row.event), _builds_cell(row.year_a, 1), _builds_cell(row.year_b, 1),
             _change(str(row.change), comparison)] for row in comparison.plants.itertuples()]
    return ShownTable("plants", "Plants opened and closed", ("plant", "", a, b, "change"), 5, rows)


def _assignments(comparison: Comparison) -> ShownTable:
    """Each plant and product assigned in one plan only, with its years as runs."""
    assignments = comparison.assignments
    rows = []
    if len(assignments):
        runs = assignments.groupby(["plant", "product", "change"], sort=True)["year"].agg(_year_runs).reset_index()
        rows = [[str(row.plant), str(row.product), _change(str(row.change), comparison), str(row.year)]
                for row in runs.itertuples()]
    return ShownTable("assignments", "Production assigned in one plan only", ("plant", "product", "assigned", "years"),
                      4, rows)


def _single_sources(comparison: Comparison) -> ShownTable:
    """Each single-sourced demand whose source differs, the plant in each plan (- for none), its years as runs."""
    a, b = comparison.names
    sources = comparison.single_sources.fillna("-")
    rows = []
    if len(sources):
        runs = sources.groupby(["product", "market", "plant_a", "plant_b"], sort=True)["year"].agg(_year_runs)
        rows = [[str(product), str(market), str(plant_a), str(plant_b), str(years)]
                for (product, market, plant_a, plant_b), years in runs.items()]
    return ShownTable("single_sources", "Single-sourced demand served from another plant",
                      ("product", "market", a, b, "years"), 5, rows)


def _source(plant: str, sourcing: object) -> str:
    """A plant with its sourcing option when it uses one, a facility, a part's source with its kind."""
    if pd.isna(sourcing) or sourcing == OWN_CONTENT:
        return str(plant)
    return f"{plant} (facility)" if sourcing == FACILITY else f"{plant} ({sourcing})"


def _runs(moves: pd.DataFrame) -> Iterator[tuple[str, str, str, str, str, str, float]]:
    """(the two cell names, from, to, years, units a year, total units) of a table of moves (flows: product and
    market; parts: component and plant): each move over a run of consecutive years; units a year as one figure
    when the same every year (to the unit), else their range."""
    keys = [column for column in moves.columns if column not in ("year", "units")]
    for key, group in moves.groupby(keys, sort=True, dropna=False):
        first, second, from_plant, from_sourcing, to_plant, to_sourcing = key
        years, units = group["year"].tolist(), group["units"].tolist()
        start = 0
        for end in range(1, len(years) + 1):
            if end < len(years) and years[end] == years[end - 1] + 1:
                continue
            run = [round(u) for u in units[start:end]]
            per_year = f"{run[0]:,}" if min(run) == max(run) else f"{min(run):,}-{max(run):,}"
            yield (str(first), str(second), _source(from_plant, from_sourcing), _source(to_plant, to_sourcing),
                   _year_runs(years[start:end]), per_year, sum(units[start:end]))
            start = end


def _flows(comparison: Comparison) -> ShownTable:
    a, b = comparison.names
    runs = sorted(_runs(comparison.flows), key=lambda run: (-run[-1], run[:-1])) if len(comparison.flows) else []
    plants = set(comparison.flows["from_plant"]) | set(comparison.flows["to_plant"])
    caption = "; ".join(f"{name}: {meaning}" for name, meaning in ((LOST_SALES, "units left unserved"),
                                                                    (DEMAND, "demand only one plan has"))
                        if name in plants)
    return ShownTable("flows", f"Supply moved, from {a}'s source to {b}'s (largest first)",
                      ("product", "market", "from", "to", "years", "units/yr", "total units"), 5,
                      [[*cells, f"{total:,.0f}"] for *cells, total in runs], caption)


def _parts(comparison: Comparison) -> ShownTable:
    a, b = comparison.names
    parts = comparison.parts
    runs = sorted(_runs(parts), key=lambda run: (-run[-1], run[:-1])) if len(parts) else []
    caption = f"{DEMAND}: parts only one plan's plant uses" if DEMAND in set(parts["from_source"]) | set(
        parts["to_source"]) else ""
    return ShownTable("parts", f"Parts' supply moved, from {a}'s source to {b}'s (largest first)",
                      ("component", "plant", "from", "to", "years", "units/yr", "total units"), 5,
                      [[*cells, f"{total:,.0f}"] for *cells, total in runs], caption)


def _amounts(row: pd.Series, value: str, currency: str) -> list[str]:
    difference = row[f"{value}_difference"]
    return [money(row[f"{value}_a"], currency), money(row[f"{value}_b"], currency),
            _difference(difference, money(difference, currency))]


def _costs(comparison: Comparison) -> ShownTable:
    """Each component's NPV and undiscounted total in both plans, largest difference first, and the total."""
    costs, currency = comparison.costs, comparison.currency or ""
    a, b = comparison.names
    columns = ("component", f"NPV {a}", f"NPV {b}", f"NPV {b} - {a}", f"total {a}", f"total {b}", f"total {b} - {a}")
    title = f"Costs by component ({currency}; revenue is a negative cost)"
    if costs.empty:
        return ShownTable("costs", title, columns, 1, [])
    ordered = costs.reindex(costs["discounted_difference"].abs().sort_values(ascending=False, kind="stable").index)
    rows = [[component_label(row["component"]), *_amounts(row, "discounted", currency),
             *_amounts(row, "amount", currency)] for _, row in ordered.iterrows()]
    total = costs.drop(columns="component").sum()
    return ShownTable("costs", title, columns, 1, rows, total=["total", *_amounts(total, "discounted", currency),
                                                              *_amounts(total, "amount", currency)])


def _currencies(comparison: Comparison) -> ShownTable:
    """Costs net of revenue by the currency they are incurred in, in the reporting currency and in their own."""
    currencies, currency = comparison.currencies, comparison.currency or ""
    a, b = comparison.names
    rows = [[str(row["currency"]), *_amounts(row, "amount", currency),
             *_amounts(row, "amount_in_currency", str(row["currency"]))] for _, row in currencies.iterrows()]
    return ShownTable("currencies", f"Costs by currency (FX exposure, net of revenue; in {currency} and in their own)",
                      ("currency", f"{a} in {currency}", f"{b} in {currency}", f"{b} - {a}", f"{a} in own",
                       f"{b} in own", f"{b} - {a} in own"), 1, rows)


def shown_rows(shown: ShownTable) -> Sequence[Sequence[str]]:
    """Its rows with the total row last, for a view that does not set it apart."""
    return [*shown.rows, *([shown.total] if shown.total is not None else [])]


__all__ = ["ShownTable", "comparison_tables", "print_comparison", "shown_rows"]
