"""Terminal view of two plans compared (rich tables): the decisions level by level, strategic first, each under
its heading (a level whose decisions are the same in both plans says so in one line), then the costs; each
table only when it has a difference.

Supply moved is shown by run of consecutive years (one row for a move repeated from 2014 to 2019),
the rest as the Comparison has it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from rich.console import Console
from rich.table import Table

from footprint.analysis.compare import DEMAND, LOST_SALES, Comparison
from footprint.optimize.model import OWN_CONTENT
from footprint.plan.levels import ADDED, LEVELS, Level
from footprint.views.console import _COMPONENT_LABELS, MAX_ROWS, _money, _objective_name, _text, _year_runs

_KPI_LABELS = {"gap": "gap", "capex": "capex (undiscounted)", "builds": "capacity builds",
               "added_capacity": "capacity added, units/yr", "demand": "units demanded", "served": "units served",
               "lost": "units lost", "utilization": "utilization (all pools and years)",
               "plants_open": "plants open in the last year"}
_CHANGES = {"added": "only in {b}", "removed": "only in {a}", "moved": "moved", "count": "number of builds"}
_MORE = "{more} more rows: the Comparison's table `{table}` has them all (fp.compare)"
_LEVEL_TITLES = {Level.STRATEGIC: "Strategic decisions: capacity built, plants opened and closed",
                 Level.ASSIGNMENTS: "Assignments: the products each plant makes",
                 Level.FLOWS: "Flows: which plant supplies each market"}


def print_comparison(comparison: Comparison, console: Console) -> None:
    """The plans' KPIs side by side, then what differs, level by level up to the comparison's: builds and plant
    decisions (strategic), assignments, supply moved (flows); then the costs by component and by currency."""
    a, b = (_text(name) for name in comparison.names)
    console.print(f"[bold]{b}[/bold] ({_text(comparison.scenarios[1])}) against [bold]{a}[/bold] "
                  f"({_text(comparison.scenarios[0])})")
    for note in comparison.notes:
        console.print(f"[yellow]{_text(note)}[/yellow]")
    _print_kpis(comparison, console)
    if comparison.empty:
        console.print("No differences: the two plans decide, supply and cost the same.")
        return
    printers = {Level.STRATEGIC: (_print_builds, _print_plants), Level.ASSIGNMENTS: (_print_assignments,),
                Level.FLOWS: (_print_flows,)}
    for level in LEVELS:
        heading = f"[bold]── {_LEVEL_TITLES[level]}[/bold]"
        if not comparison.level.holds(level):
            console.print(f"{heading}: not compared (--level {comparison.level})")
        elif all(getattr(comparison, table).empty for table in ADDED[level]):
            console.print(f"{heading}: the same in both plans")
        else:
            console.print(heading)
            for printer in printers[level]:
                printer(comparison, console)
    _print_costs(comparison, console)
    _print_currencies(comparison, console)


def _columns(table: Table, names: tuple[str, ...], labels: int) -> None:
    for i, name in enumerate(names):
        table.add_column(name, justify="left" if i < labels else "right")


def _truncated(table: Table, frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if len(frame) > MAX_ROWS:
        table.caption = _MORE.format(more=len(frame) - MAX_ROWS, table=name)
    return frame.head(MAX_ROWS)


def _change(change: str, comparison: Comparison) -> str:
    a, b = (_text(name) for name in comparison.names)
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
    text = f"{value:,.0f}" if unit in ("units", "count", "units/yr") else _money(value, _text(unit))
    return _difference(value, text) if difference else text


def _print_kpis(comparison: Comparison, console: Console) -> None:
    a, b = (_text(name) for name in comparison.names)
    table = Table(title="Key figures", title_justify="left")
    _columns(table, ("", a, b, f"{b} - {a}"), 1)
    table.add_row("status", _text(comparison.status[0]), _text(comparison.status[1]), "")
    senses = comparison.objective_sense
    for row in comparison.kpis.itertuples():
        label = _KPI_LABELS.get(str(row.kpi), _text(row.kpi))
        if row.kpi == "objective":
            label = _objective_name(senses[0]) if senses[0] == senses[1] else "objective"
        unit = str(row.unit)
        table.add_row(label, _kpi_cell(row.a, unit), _kpi_cell(row.b, unit), _kpi_cell(row.difference, unit, True))
    console.print(table)


def _builds_cell(year: object, count: int) -> str:
    if pd.isna(year):
        return "-"
    return f"{year}" + (f" x{count}" if count > 1 else "")


def _print_builds(comparison: Comparison, console: Console) -> None:
    builds = comparison.builds
    if builds.empty:
        return
    a, b = (_text(name) for name in comparison.names)
    table = Table(title="Capacity built (year online)", title_justify="left")
    _columns(table, ("option", "plant", "pool", a, b, "change"), 6)
    for row in _truncated(table, builds, "builds").itertuples():
        table.add_row(_text(row.option), _text(row.plant), _text(row.pool), _builds_cell(row.year_a, row.count_a),
                      _builds_cell(row.year_b, row.count_b), _change(str(row.change), comparison))
    console.print(table)


def _print_plants(comparison: Comparison, console: Console) -> None:
    plants = comparison.plants
    if plants.empty:
        return
    a, b = (_text(name) for name in comparison.names)
    table = Table(title="Plants opened and closed", title_justify="left")
    _columns(table, ("plant", "", a, b, "change"), 5)
    for row in _truncated(table, plants, "plants").itertuples():
        table.add_row(_text(row.plant), _text(row.event), _builds_cell(row.year_a, 1), _builds_cell(row.year_b, 1),
                      _change(str(row.change), comparison))
    console.print(table)


def _print_assignments(comparison: Comparison, console: Console) -> None:
    """Each plant and product assigned in one plan only, with its years as runs."""
    assignments = comparison.assignments
    if assignments.empty:
        return
    runs = assignments.groupby(["plant", "product", "change"], sort=True)["year"].agg(_year_runs).reset_index()
    table = Table(title="Production assigned in one plan only", title_justify="left")
    _columns(table, ("plant", "product", "assigned", "years"), 4)
    for row in _truncated(table, runs, "assignments").itertuples():
        table.add_row(_text(row.plant), _text(row.product), _change(str(row.change), comparison), row.year)
    console.print(table)


def _source(plant: str, sourcing: object) -> str:
    """A plant, with its sourcing option when it uses one."""
    return _text(plant) if pd.isna(sourcing) or sourcing == OWN_CONTENT else f"{_text(plant)} ({_text(sourcing)})"


def _runs(flows: pd.DataFrame) -> Iterator[tuple[str, str, str, str, str, str, float]]:
    """(product, market, from, to, years, units a year, total units): each move over a run of consecutive
    years; units a year as one figure when the same every year (to the unit), else their range."""
    keys = ["product", "market", "from_plant", "from_sourcing", "to_plant", "to_sourcing"]
    for key, group in flows.groupby(keys, sort=True, dropna=False):
        product, market, from_plant, from_sourcing, to_plant, to_sourcing = key
        years, units = group["year"].tolist(), group["units"].tolist()
        start = 0
        for end in range(1, len(years) + 1):
            if end < len(years) and years[end] == years[end - 1] + 1:
                continue
            run = [round(u) for u in units[start:end]]
            per_year = f"{run[0]:,}" if min(run) == max(run) else f"{min(run):,}-{max(run):,}"
            yield (_text(product), _text(market), _source(from_plant, from_sourcing), _source(to_plant, to_sourcing),
                   _year_runs(years[start:end]), per_year, sum(units[start:end]))
            start = end


def _print_flows(comparison: Comparison, console: Console) -> None:
    if comparison.flows.empty:
        return
    a, b = (_text(name) for name in comparison.names)
    runs = sorted(_runs(comparison.flows), key=lambda run: (-run[-1], run[:-1]))
    table = Table(title=f"Supply moved, from {a}'s source to {b}'s (largest first)", title_justify="left")
    _columns(table, ("product", "market", "from", "to", "years", "units/yr", "total units"), 5)
    for product, market, source, sink, years, per_year, total in runs[:MAX_ROWS]:
        table.add_row(product, market, source, sink, years, per_year, f"{total:,.0f}")
    plants = set(comparison.flows["from_plant"]) | set(comparison.flows["to_plant"])
    captions = [f"{_text(name)}: {meaning}" for name, meaning in ((LOST_SALES, "units left unserved"),
                                                                  (DEMAND, "demand only one plan has"))
                if name in plants]
    if len(runs) > MAX_ROWS:
        captions.append(f"{len(runs) - MAX_ROWS} more moves: the Comparison's table `flows` has them all "
                        "(fp.compare)")
    table.caption = "; ".join(captions) or None
    console.print(table)


def _amounts(row: pd.Series, value: str, currency: str) -> list[str]:
    difference = row[f"{value}_difference"]
    return [_money(row[f"{value}_a"], currency), _money(row[f"{value}_b"], currency),
            _difference(difference, _money(difference, currency))]


def _print_costs(comparison: Comparison, console: Console) -> None:
    """Each component's NPV and undiscounted total in both plans, largest difference first, and the total."""
    costs, currency = comparison.costs, _text(comparison.currency)
    if costs.empty:
        return
    a, b = (_text(name) for name in comparison.names)
    table = Table(title=f"Costs by component ({currency}; revenue is a negative cost)", title_justify="left")
    _columns(table, ("component", f"NPV {a}", f"NPV {b}", f"NPV {b} - {a}", f"total {a}", f"total {b}",
                     f"total {b} - {a}"), 1)
    ordered = costs.reindex(costs["discounted_difference"].abs().sort_values(ascending=False, kind="stable").index)
    for _, row in ordered.iterrows():
        table.add_row(_text(_COMPONENT_LABELS.get(row["component"], row["component"])),
                      *_amounts(row, "discounted", currency), *_amounts(row, "amount", currency))
    total = costs.drop(columns="component").sum()
    table.add_section()
    table.add_row("[bold]total[/bold]", *_amounts(total, "discounted", currency), *_amounts(total, "amount", currency))
    console.print(table)


def _print_currencies(comparison: Comparison, console: Console) -> None:
    """Costs net of revenue by the currency they are incurred in, in the reporting currency and in their own."""
    currencies, currency = comparison.currencies, _text(comparison.currency)
    if currencies.empty:
        return
    a, b = (_text(name) for name in comparison.names)
    table = Table(title=f"Costs by currency (FX exposure, net of revenue; in {currency} and in their own)",
                  title_justify="left")
    _columns(table, ("currency", f"{a} in {currency}", f"{b} in {currency}", f"{b} - {a}", f"{a} in own",
                     f"{b} in own", f"{b} - {a} in own"), 1)
    for _, row in currencies.iterrows():
        own = _text(row["currency"])
        table.add_row(own, *_amounts(row, "amount", currency), *_amounts(row, "amount_in_currency", own))
    console.print(table)
