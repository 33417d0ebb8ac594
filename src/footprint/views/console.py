"""Terminal views of a Plan (rich tables). They only read the Plan.

Every name and text from a scenario or a results folder is printed with control characters escaped
and rich markup disarmed (``_text``): an id cannot move the cursor or colour the terminal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from footprint.economics.freight import FREIGHT_PARTS
from footprint.optimize.model import OWN_CONTENT
from footprint.plan.decisions import lane_text
from footprint.plan.plan import Plan
from footprint.scenario.model.text import printable
from footprint.views.labels import component_label, per_unit
from footprint.views.labels import money as _money

if TYPE_CHECKING:  # only annotations: printing a plan need not import the analyses
    from footprint.analysis.breakeven import Breakeven, Trial
    from footprint.analysis.explain import Alternative, Explanation
    from footprint.plan.decisions import Decisions
    from footprint.plan.store import Run

MAX_ROWS = 40


def _text(value: object) -> str:
    """A value as table text: control characters escaped, rich markup shown as written."""
    return escape(printable(str(value)))


def _objective_name(objective_sense: str) -> str:
    return "NPV profit" if objective_sense == "maximize_profit" else "NPV cost"


def print_summary(plan: Plan, console: Console) -> None:
    s = plan.summary  # read back from a results folder or the store, what is optional may be missing
    currency = _text(s["currency"])
    what = _objective_name(str(s.get("objective_sense")))
    gap = f", gap {s['gap']:.2%}" if s.get("gap") else ""
    size = (f"; {s['variables']:,} variables ({s['integer_variables']:,} integer), {s['constraints']:,} constraints"
            if all(s.get(key) is not None for key in ("variables", "integer_variables", "constraints")) else "")
    times = [f"{label} in {s[key]:.2f} s" for key, label in (("load_seconds", "loaded"), ("build_seconds", "built"),
                                                              ("solve_seconds", "solved")) if s.get(key) is not None]
    console.print(f"[bold]{_text(s.get('scenario', ''))}[/bold]: {_text(s['status'])}{gap}; {what} "
                  f"{_money(s['objective'], currency)}{size}" + (f"; {', '.join(times)}" if times else ""))
    if s["status"] != "optimal" and s.get("message"):
        console.print(f"[yellow]{_text(s['message'])}[/yellow]")


def print_builds(plan: Plan, console: Console, title: str = "Capacity built", caption: str | None = None) -> None:
    """Each option built and the year it comes online; with a count column when one is built more than once."""
    currency = plan.summary["currency"]
    builds = plan.builds
    counted = bool((builds["count"] > 1).any())
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    columns = ("option", "plant", "pool", "online from", *(("builds",) if counted else ()), "added units/yr", "capex")
    for column in columns:
        table.add_column(column, justify="right" if column in ("builds", "added units/yr", "capex") else "left")
    for row in builds.itertuples():
        table.add_row(_text(row.option), _text(row.plant), _text(row.pool), str(row.year),
                      *((str(row.count),) if counted else ()), f"{row.added_capacity:,.0f}",
                      _money(row.capex, _text(currency)))
    if builds.empty:
        table.add_row("(none)", *[""] * (len(columns) - 1))
    console.print(table)


def _year_runs(years: Iterable[int]) -> str:
    """Years as runs: ``2014-2016, 2019``."""
    runs = [[year for _, year in run]
            for _, run in groupby(enumerate(sorted(years)), key=lambda pair: pair[1] - pair[0])]
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


PLANT_DECISION_COLUMNS = ("plant", "may", "opens", "closes", "open in")
SITE_DECISION_COLUMNS = ("kind", "site", "may", "opens", "closes", "open in")


def plant_decision_rows(plan: Plan, undecided: str = "never") -> list[list[str]]:
    """Each plant the plan may open or close (its summary's ``plant_decisions``) as text, in PLANT_DECISION_COLUMNS:
    what it may do, the year it opens or closes (``undecided`` when it may and does not), the years it is open."""
    plants = plan.tables["plants"]
    return [[str(decision["plant"]), *_decision_cells(decision, plants[plants["plant"] == decision["plant"]],
                                                      undecided)]
            for decision in plan.summary.get("plant_decisions", [])]  # a results folder from before them has none


def site_decision_rows(plan: Plan, undecided: str = "never") -> list[list[str]]:
    """The same for the suppliers and facilities of a summary's ``site_decisions``, in SITE_DECISION_COLUMNS."""
    sites = plan.tables["sites"]
    return [[str(decision["kind"]), str(decision["site"]), *_decision_cells(
        decision, sites[(sites["kind"] == decision["kind"]) & (sites["site"] == decision["site"])], undecided)]
        for decision in plan.summary.get("site_decisions", [])]


def _decision_cells(decision: dict[str, Any], status: pd.DataFrame, undecided: str) -> list[str]:
    """What a site may do, the years it opens and closes, and the years it is open (``status``: its rows)."""
    may = [verb for verb, flag in (("open", "candidate"), ("close", "closable")) if decision[flag]]
    open_years = status["year"][status["open"].astype(bool)]
    return [" and ".join(may), _when(decision["opened"], decision["candidate"], undecided),
            _when(decision["closed"], decision["closable"], undecided), _year_runs(open_years) or "none"]


def print_plant_decisions(plan: Plan, console: Console, title: str = "Plant decisions",
                          undecided: str = "never") -> None:
    """Each plant the plan may open or close: the year it opens or closes, and the years it is open."""
    print_rows(console, title, PLANT_DECISION_COLUMNS, plant_decision_rows(plan, undecided))


def print_rows(console: Console, title: str, columns: Iterable[str], rows: list[list[str]],
               caption: str | None = None) -> None:
    """A table of text rows (nothing when there are none)."""
    if not rows:
        return
    table = Table(title=title, title_justify="left", caption=caption)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*map(_text, row))
    console.print(table)


def _when(year: int | None, may: bool, undecided: str) -> str:
    """The year a plant opens or closes; ``undecided`` when it may and does not, ``-`` when it may not."""
    return str(year) if year is not None else undecided if may else "-"


def _cell(value: object, fmt: str) -> str:
    return "-" if pd.isna(value) else format(value, fmt)


def _pivot_table(title: str, frame: pd.DataFrame, labels: int, fmt: str, results: Path | None = None) -> Table:
    """A table whose first ``labels`` columns are names and the rest numbers in ``fmt``; at most MAX_ROWS
    rows, the rest in the results (when written)."""
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(frame.columns):
        table.add_column(_text(column), justify="left" if i < labels else "right")
    for _, row in frame.head(MAX_ROWS).iterrows():
        table.add_row(*[_text(v) if i < labels else _cell(v, fmt) for i, v in enumerate(row)])
    if len(frame) > MAX_ROWS:
        more = len(frame) - MAX_ROWS
        table.caption = (f"{more} more rows in {_text(results)}" if results is not None
                         else f"{more} more rows: write them all with --out")
    return table


def _by_year(frame: pd.DataFrame, labels: list[str], value: str, fill: float | None = None) -> pd.DataFrame:
    """``value`` summed by ``labels`` (rows) and year (a column each, named as text); ``fill`` where a row has
    no entry for a year (else NaN, shown as -)."""
    wide = frame.groupby([*labels, "year"], observed=True, sort=True)[value].sum().unstack("year", fill_value=fill)
    return wide.reset_index().rename(columns=str)


def print_supply(plan: Plan, console: Console, results: Path | None = None) -> None:
    """Units by plant and market per year, one block per product."""
    flows = plan.flows.astype({"plant": str, "market": str, "product": str})
    if flows.empty:
        return
    wide = _by_year(flows, ["product", "plant", "market"], "units", 0.0)
    console.print(_pivot_table("Supply, units per year", wide, 3, ",.0f", results))


TIER_VIEWS = (("supplies", "Purchases from suppliers, units per year", ["supplier", "component", "plant", "mode"]),
              ("transfers", "Components made and moved, units per year",
               ["origin", "component", "destination", "mode"]),
              ("deliveries", "Through distribution centres, units per year", ["facility", "product", "market", "mode"]),
              ("claims", "Preferences claimed, units per year", ["plant", "product", "agreement", "market"]),
              ("part_claims", "Preferences claimed for parts sent between plants, units per year",
               ["origin", "component", "agreement", "destination"]),
              ("single_sources", "Single sources, units per year", ["market", "product", "plant"]))
"""The tiers' tables (and the claims and single sources) the console and the report show where the plan has any,
with their titles and labels."""


def print_tiers(plan: Plan, console: Console, results: Path | None = None) -> None:
    """The suppliers and facilities the plan opens or closes, what it buys, the components it moves and what goes
    through distribution centres (each only where there is some)."""
    sites = plan.tables["sites"]
    rows = []
    for (kind, site), years in sites.groupby(["kind", "site"], sort=False):
        opened = years.loc[years["opened"].astype(bool), "year"]
        closed = years.loc[years["closed"].astype(bool), "year"]
        open_years = years.loc[years["open"].astype(bool), "year"]
        if len(opened) or len(closed) or open_years.empty:
            rows.append([str(kind), str(site), _when(opened.min() if len(opened) else None, True, "never"),
                         _when(closed.min() if len(closed) else None, bool(len(closed)), "never"),
                         _year_runs(open_years) or "none"])
    print_rows(console, "Suppliers and facilities opened or closed", ("kind", "site", "opens", "closes", "open in"),
               rows)
    for name, title, labels in TIER_VIEWS:
        frame = plan.tables[name]
        if not frame.empty:
            if "mode" in labels:  # none: a plant's own components, or a plan from before modes
                frame = frame.assign(mode=frame["mode"].astype(object).where(frame["mode"].notna(), "-"))
            wide = _by_year(frame.astype(dict.fromkeys(labels, str)), labels, "units", 0.0)
            console.print(_pivot_table(title, wide, len(labels), ",.0f", results))


def print_lost_sales(plan: Plan, console: Console, results: Path | None = None) -> None:
    """Demand the plan leaves unserved, by product, market and year (only when there is some)."""
    demand = plan.demand.astype({"product": str, "market": str})
    lost = demand[demand["lost"] > 1e-6]
    if lost.empty:
        return
    wide = _by_year(lost, ["product", "market"], "lost", 0.0)
    share = lost["lost"].sum() / demand["demand"].sum()
    table = _pivot_table(f"Lost sales, units per year ({share:.1%} of all demand unserved)", wide, 2, ",.0f", results)
    console.print(table)


def print_utilization(plan: Plan, console: Console, results: Path | None = None) -> None:
    utilization = plan.utilization[plan.utilization["capacity"] > 0]
    wide = _by_year(utilization, ["plant", "pool"], "share")
    console.print(_pivot_table("Utilization of capacity pools", wide, 2, ".0%", results))


def print_fx_rates(plan: Plan, console: Console) -> None:
    """The exchange rates the plan used, per currency and year, and where each came from."""
    rates = plan.tables["fx_rates"]
    rates = rates[rates["currency"] != plan.summary["currency"]]
    if rates.empty:
        return
    currency = plan.summary["currency"]
    table = Table(title=f"Exchange rates used (units per {_text(currency)})", title_justify="left")
    years = sorted(rates["year"].unique())
    for column in ("currency", *map(str, years), "from"):
        table.add_column(column, justify="right" if column.isdigit() else "left")
    for name, group in rates.groupby("currency", sort=True):
        by_year = dict(zip(group["year"], group["rate"], strict=True))
        table.add_row(_text(name), *[_rate(by_year.get(year)) for year in years],
                      _text(_sources(list(zip(group["year"], group["source"], strict=True)))))
    console.print(table)


def _rate(rate: float | None) -> str:
    if rate is None or pd.isna(rate):
        return "-"
    return f"{rate:,.4g}" if abs(rate) < 100 else f"{rate:,.1f}"


def _sources(years: list[tuple[int, str]]) -> str:
    """``ECB mean 2012; ECB mean 2012, held 2013-2019``: each source with the years it gave."""
    parts = []
    for source, run in groupby(sorted(years), key=lambda pair: pair[1]):
        span = [year for year, _ in run]
        parts.append(f"{source} {span[0]}" + (f"-{span[-1]}" if len(span) > 1 else ""))
    return "; ".join(parts)


def print_costs(plan: Plan, console: Console) -> None:
    currency = plan.summary["currency"]
    costs = plan.costs.groupby("component", sort=False)[["amount", "discounted"]].sum()
    table = Table(title=f"Costs over the horizon ({currency})", title_justify="left")
    for column in ("component", "total", "discounted (NPV)"):
        table.add_column(column, justify="left" if column == "component" else "right")
    for component, row in costs.iterrows():
        if row["amount"] != 0:
            table.add_row(_text(component_label(component)), _money(row["amount"], currency),
                          _money(row["discounted"], currency))
    console.print(table)


def print_exposure(plan: Plan, console: Console) -> None:
    """Costs over the horizon by the currency they are incurred in: what each exchange rate moves."""
    currency = _text(plan.summary["currency"])
    exposure = plan.tables["exposure"]
    revenue = exposure["component"] == "revenue"
    sums = ["amount", "amount_in_currency"]
    earned = -exposure[revenue].groupby("currency", observed=True)[sums].sum()
    by_currency = exposure[~revenue].groupby("currency", observed=True)[sums].sum().join(
        earned.add_suffix("_revenue"), how="outer").fillna(0.0)
    earns = bool(revenue.any())
    title = f"Costs{' and revenue' if earns else ''} by currency over the horizon (FX exposure; table `exposure` " \
            "by plant and market)"
    table = Table(title=title, title_justify="left")
    columns = ["currency", f"in {currency}", "in its own currency", "share"]
    columns += [f"revenue in {currency}", "revenue in its own currency"] if earns else []
    for column in columns:
        table.add_column(column, justify="left" if column == "currency" else "right")
    total = by_currency["amount"].sum()
    for name, row in by_currency.sort_values("amount", ascending=False).iterrows():
        own = _text(name)
        cells = [own, _money(row["amount"], currency), _money(row["amount_in_currency"], own),
                 f"{row['amount'] / total:.0%}" if total else "-"]
        if earns:
            cells += [_money(row["amount_revenue"], currency), _money(row["amount_in_currency_revenue"], own)]
        table.add_row(*cells)
    console.print(table)


def print_plan(plan: Plan, console: Console, results: Path | None = None) -> None:
    """The plan's summary and tables; ``results`` is where its full tables were written, if they were."""
    print_summary(plan, console)
    print_plant_decisions(plan, console)
    print_builds(plan, console)
    print_supply(plan, console, results)
    print_tiers(plan, console, results)
    print_lost_sales(plan, console, results)
    print_utilization(plan, console, results)
    print_costs(plan, console)
    print_exposure(plan, console)
    print_fx_rates(plan, console)


def print_runs(runs: pd.DataFrame, store: str, console: Console) -> None:
    """The runs of a run store (``RunStore.runs``), newest first; a sweep with its futures stored of those planned."""
    if runs.empty:
        console.print(f"No runs in {_text(store)}")
        return
    console.print(f"Runs in {_text(store)}", soft_wrap=True)  # a long path as one line, not wrapped to the table
    table = Table()
    for column in ("id", "kind", "name", "status", "objective", "created (UTC)", "futures"):
        table.add_column(column, justify="right" if column in ("id", "objective", "futures") else "left")
    for row in runs.itertuples():
        objective = "-" if pd.isna(row.objective) else _money(row.objective, _text(row.currency))
        futures = ("" if pd.isna(row.futures) else f"{row.futures:,}" if pd.isna(row.planned)  # a stochastic plan's
                   else f"{row.futures:,} of {row.planned:,}")
        table.add_row(str(row.id), row.kind, _text(row.name), _text(row.status), objective,
                      row.created.strftime("%Y-%m-%d %H:%M:%S"), futures)
    console.print(table)


def print_sweep(sweep: Run, futures: pd.DataFrame, console: Console) -> None:
    """A stored sweep: its status, and each stored future's status, objective and capacity built."""
    planned = len((sweep.summary or {}).get("futures", []))
    console.print(f"[bold]sweep {sweep.id} {_text(sweep.name)}[/bold]: {_text(sweep.status)}; {len(futures)} of "
                  f"{planned} futures stored (show one with `footprint show {sweep.id}/FUTURE`)")
    if sweep.message:
        console.print(f"[yellow]{_text(sweep.message)}[/yellow]")
    table = Table(title="Futures", title_justify="left")
    for column in ("id", "future", "probability", "status", "objective", "capacity built"):
        table.add_column(column, justify="right" if column in ("id", "probability", "objective") else "left")
    for row in futures.head(MAX_ROWS).itertuples():
        table.add_row(str(row.id), _text(row.name), "-" if pd.isna(row.probability) else f"{row.probability:.3g}",
                      _text(row.status), "-" if pd.isna(row.objective) else _money(row.objective, _text(row.currency)),
                      _text(_builds_text(row.decisions.builds)) if row.decisions is not None
                      else _text(row.message or "-"))
    if len(futures) > MAX_ROWS:
        table.caption = (f"{len(futures) - MAX_ROWS:,} more futures: `footprint sweep-summary {sweep.id}` sums them "
                         "all up")
    console.print(table)


def print_explanation(explanation: Explanation, console: Console) -> None:
    """Landed cost per unit from each capable plant, by component, the value of capacity, and for a product with a
    bill of materials, a unit by part from each plant the plan ships from and what its origin saves."""
    from footprint.analysis.explain import LANDED_COMPONENTS

    landed = explanation.landed
    currency = explanation.currency
    parts = [c for c in LANDED_COMPONENTS if (landed[c].abs() > 0.005).any()]
    through = " (direct and through distribution centres)" if landed["via"].notna().any() else ""
    table = Table(title=f"{explanation.product} for {explanation.market}: cost per unit from each capable "
                        f"plant{through} ({currency})", title_justify="left")
    for column in ("year", "plant", *map(component_label, parts), "landed", "capacity",
                   "total", "units", "margin"):
        table.add_column(column, justify="left" if column in ("year", "plant") else "right")
    for row in landed.itertuples():
        names = {"production_local": row.local_currency, "production_imported": row.imported_currency}
        cells = [f"{getattr(row, c):,.0f}" + (f" {names[c]}" if c in names and getattr(row, c) else "")
                 for c in parts]
        mark = "[bold]" if row.chosen else ""
        table.add_row(str(row.year), f"{mark}{_text(_lane_name(row.plant, row.sourcing_option, row.via))}"
                      f"{' *' if row.chosen else ''}", *cells, f"{row.landed:,.0f}",
                      f"{row.capacity:,.0f}", f"{mark}{row.total:,.0f}", f"{row.units:,.0f}",
                      "chosen" if row.chosen else f"+{row.margin:,.0f}")
    table.caption = ("* chosen. Production columns name the currency the cost is incurred in (shown in "
                     f"{currency}). " + ("parts: the components of a unit as the plan routes them (below), at a "
                                         "plant it ships none from, at their marginal cost there. "
                                         if "parts" in parts else "") +
                     "capacity: value of the capacity a unit uses, from the duals with the "
                     "plan's yes/no decisions fixed. total = landed + capacity; margin = total minus the "
                     "year's lowest.")
    console.print(table)
    values = explanation.capacity_value
    if values.empty:
        console.print("No capacity constraint binds: one more unit of capacity is worth nothing anywhere.")
    else:
        wide = _by_year(values, ["plant", "pool"], "value")
        console.print(_pivot_table(f"Value of one more unit of capacity ({currency} per unit and year)", wide, 2,
                                   ",.0f"))
    print_parts(explanation, console)
    print_origin(explanation, console)


def _lane_name(plant: str, sourcing_option: str, via: str | None = None) -> str:
    """A lane of explain's: its plant, its sourcing option (unless its own content), the centre it goes through."""
    name = plant if sourcing_option == OWN_CONTENT else f"{plant} ({sourcing_option})"
    return name if via is None or pd.isna(via) else f"{name} via {via}"


def _year_groups(rows_by_year: dict[int, list[list[str]]]) -> list[tuple[list[int], list[list[str]]]]:
    """Years whose rows read alike, with their rows; in order of their first year."""
    groups: dict[str, list[int]] = {}
    for year, rows in sorted(rows_by_year.items()):
        groups.setdefault(repr(rows), []).append(year)
    return [(years, rows_by_year[years[0]]) for years in groups.values()]


def print_parts(explanation: Explanation, console: Console) -> None:
    """A unit by part from each lane the plan uses: each component (indented by level) with its units, source and
    costs, the plant's own cost, and freight and duty to the market, adding up to the landed cost. Years that read
    alike are one table."""
    parts, landed, currency = explanation.parts, explanation.landed, explanation.currency
    if parts.empty:
        return
    market = explanation.market
    chosen = landed[landed["chosen"]]
    for (plant, option, via), lane in chosen.groupby(["plant", "sourcing_option", "via"], sort=False, dropna=False):
        rows_by_year = {}
        for row in lane.itertuples():
            mine = parts[(parts["plant"] == plant) & (parts["year"] == row.year)]
            rows = [[("  " * (part.level - 1)) + _text(part.component), f"{part.units:,.3g}",
                     f"{_text(part.source)} ({part.source_kind})", _text(part.country),
                     per_unit(part.purchase + part.making), per_unit(part.freight), per_unit(part.duty),
                     per_unit(part.cost)] for part in mine.itertuples()]
            own = row.production_local + row.production_imported + row.sourcing
            freight = sum(getattr(row, c) for c in ("freight", *FREIGHT_PARTS, "handling"))
            leg = f"to {_text(market)}" + ("" if pd.isna(via) else f" via {_text(via)} (its handling in freight)")
            rows += [[f"{_text(plant)}'s own cost", "", "", "", per_unit(own), "", "", per_unit(own)],
                     [leg, "", "", "", "", per_unit(freight), per_unit(row.duty), per_unit(freight + row.duty)],
                     ["[bold]landed[/bold]", "", "", "", "", "", "", f"[bold]{per_unit(row.landed)}[/bold]"]]
            rows_by_year[row.year] = rows
        for years, rows in _year_groups(rows_by_year):
            table = Table(title=f"A unit of {_text(explanation.product)} from "
                                f"{_text(_lane_name(plant, option, via))} for {_text(market)}, {_year_runs(years)}, "
                                "by part "
                                f"({currency})", title_justify="left")
            for column in ("part", "units", "from", "country", "price or making", "freight", "duty", "cost"):
                table.add_column(column, justify="left" if column in ("part", "from", "country") else "right")
            for cells in rows:
                table.add_row(*cells)
            table.caption = ("Per unit of the product: a part made at a plant is followed by its own parts "
                             "(indented), as that plant received them; a part from several sources is split in "
                             "the shares the plant received that year.")
            console.print(table)


def print_origin(explanation: Explanation, console: Console) -> None:
    """The RVC each plant's units reach under each agreement they may claim into the market, whether they claim it,
    and the duty it saves; then a line per plant and agreement."""
    origin, currency = explanation.origin, explanation.currency
    if origin.empty:
        return
    table = Table(title=f"Rules of origin: {_text(explanation.product)} for {_text(explanation.market)} "
                        f"({currency} per unit)", title_justify="left")
    columns = ("plant", "years", "agreement", "method", "RVC", "threshold", "claimed", "duty at general rate",
               "duty paid", "saved a unit", "saved")
    for column in columns:
        table.add_column(column, justify="left" if column in ("plant", "years", "agreement", "method", "claimed")
                         else "right")
    for (plant, agreement), rows in origin.groupby(["plant", "agreement"], sort=False):
        by_year = {row.year: [[f"{_percent(row.rvc)}", f"{_percent(row.threshold)}",
                               "yes" if row.claimed else f"no, {_points(row.shortfall)} short",
                               per_unit(row.duty_general), per_unit(row.duty_paid), per_unit(row.duty_saved)]]
                   for row in rows.itertuples()}
        saved = rows.set_index("year")["duty_saved_total"]
        for years, (cells,) in _year_groups(by_year):
            table.add_row(_text(plant), _year_runs(years), _text(agreement), rows["method"].iloc[0], *cells,
                          _money(float(saved[years].sum()), currency))
    console.print(table)
    for line in origin_lines(explanation):
        console.print(line, highlight=False)


def _percent(share: float) -> str:
    return "-" if pd.isna(share) else f"{share:.1%}"


def _points(share: float) -> str:
    return f"{share * 100:.1f} points"


def origin_lines(explanation: Explanation) -> list[str]:
    """One line per plant and agreement: the RVC its units reached, the threshold, and the duty the preference saved
    (a unit and in all, over the years claimed), or, where not claimed, how far short it fell."""
    origin, currency = explanation.origin, explanation.currency
    lines = []
    for (plant, agreement), rows in origin.groupby(["plant", "agreement"], sort=False):
        what = f"{_text(plant)}'s {_text(explanation.product)}"
        method = rows["method"].iloc[0]
        for claimed, some in rows.groupby("claimed", sort=False):
            rvc = some["rvc"].dropna()
            reached = (_percent(rvc.min()) if rvc.min() == rvc.max() or rvc.max() - rvc.min() < 5e-4
                       else f"{_percent(rvc.min())}-{_percent(rvc.max())}") if len(rvc) else "an unknown"
            threshold = _percent(some["threshold"].iloc[0])
            years = _year_runs(some["year"])
            head = f"{what} reached {reached} RVC under {_text(agreement)} ({method}, threshold {threshold})"
            if claimed:
                saved, units = some["duty_saved_total"].sum(), some["units"].sum()
                lines.append(f"{head}: duty saved {per_unit(saved / units)} {currency} a unit, "
                             f"{_money(saved, currency)} over {years} "
                             f"(NPV {_money(some['duty_saved_discounted'].sum(), currency)}).")
            else:
                general = (some["duty_general"] * some["units"]).sum() / some["units"].sum()
                lines.append(f"{head} in {years}: {_points(some['shortfall'].max())} short, not claimed; "
                             f"it pays {per_unit(general)} {currency} a unit at the general rate.")
    return lines


def print_alternative(alternative: Alternative, currency: str, console: Console) -> None:
    what = "; ".join(str(change) for change in alternative.changes)
    sign = "+" if alternative.delta >= 0 else "-"
    console.print(f"[bold]With {_text(what)}[/bold]: NPV {_money(alternative.objective, currency)}, "
                  f"{sign}{_money(abs(alternative.delta), currency)} against the optimum.")
    print_builds(alternative.plan, console)
    print_supply(alternative.plan, console)


def value_format(tolerance: float) -> str:
    """A format for parameter values with one digit finer than ``tolerance``: 903.12 for 0.5."""
    return f",.{max(0, 1 - math.floor(math.log10(tolerance)))}f"


def _builds_text(builds: Iterable[tuple[str, int, int]]) -> str:
    """``option year``, with `` x2`` for an option built twice in that year."""
    return ", ".join(f"{option} {year}" + (f" x{count}" if count > 1 else "")
                     for option, year, count in sorted(builds)) or "-"


def _plants_text(plants: Iterable[tuple[str, str, int]]) -> str:
    return ", ".join(f"{plant} {verb} {year}" for plant, verb, year in sorted(plants)) or "-"


def _cells_text(cells: Iterable[tuple[str, str, int]]) -> str:
    """Assigned cells as ``plant product years``, runs of years joined: ``busan rogue 2014-2019``."""
    parts = [f"{plant} {product} {_year_runs(year for _, _, year in group)}"
             for (plant, product), group in groupby(sorted(cells), key=lambda cell: cell[:2])]
    return "; ".join(parts) or "-"


def _lanes_text(lanes: Iterable[tuple[str, str, str, str, int]]) -> str:
    """Lanes as ``product plant→market years`` (the sourcing option in brackets after the plant, when one is used),
    runs of years joined: ``rogue busan→us 2014-2019``."""
    parts = [f"{_text(lane_text(*lane))} {_year_runs(years[-1] for years in group)}"
             for lane, group in groupby(sorted(lanes), key=lambda lane: lane[:4])]
    return "; ".join(parts) or "-"


def print_trial(trial: Trial, number: int, path: str, fmt: str, currency: str, console: Console) -> None:
    """One line per re-solve, as it ends: where bisection is and what the plan built there."""
    console.print(f"  solve {number}: {path} = {trial.value:{fmt}}: objective {_money(trial.objective, currency)}; "
                  f"built {_builds_text(trial.decisions.builds)}"
                  + (f"; plants: {_plants_text(trial.decisions.plants)}" if trial.decisions.plants else ""),
                  markup=False, highlight=False, soft_wrap=True)


def _differences(table: Table, left: Decisions, right: Decisions) -> None:
    if left.builds != right.builds:
        table.add_row("capacity built", _builds_text(left.builds - right.builds),
                      _builds_text(right.builds - left.builds))
    if left.assignments != right.assignments:
        table.add_row("assigned (production)", _cells_text(left.assignments - right.assignments),
                      _cells_text(right.assignments - left.assignments))
    if left.plants != right.plants:
        table.add_row("plants opened, closed", _plants_text(left.plants - right.plants),
                      _plants_text(right.plants - left.plants))
    if left.flows != right.flows:
        table.add_row("supply (plant→market)", _lanes_text(left.flows - right.flows),
                      _lanes_text(right.flows - left.flows))


def print_breakeven(result: Breakeven, console: Console) -> None:
    """The bracket, the objective at each end, the decisions on each side, and which change this is."""
    fmt = value_format(result.tolerance)
    low, high, path = result.low, result.high, escape(result.path)
    span = f"[bold]{path}[/bold] from {low.value:{fmt}} (LO) to {high.value:{fmt}} (HI)"
    solves = f"{len(result.trials)} solves"
    level = f"{result.level} level"
    if result.bracket is None:
        console.print(f"{span}: no change of decision ({level}) between LO and HI ({solves})")
        ends = [(low, "LO"), (high, "HI")]
    else:
        before, after = result.bracket
        console.print(f"{span}: the decisions ({level}) change between a = {before.value:{fmt}} and "
                      f"b = {after.value:{fmt}} (tolerance {result.tolerance:{fmt}}; {solves})")
        ends = [(low, "LO"), (before, "a"), (after, "b"), (high, "HI")]
    objective = _objective_name(result.objective_sense)
    with_plants = any(trial.decisions.plants for trial, _ in ends)
    table = Table(title="Plans at the ends", title_justify="left")
    for column in (path, "", objective, "capacity built", *(("plants opened, closed",) if with_plants else ())):
        table.add_column(column, justify="right" if column in (path, objective) else "left")
    for trial, label in ends:
        table.add_row(f"{trial.value:{fmt}}", label, f"{trial.objective:,.0f} {result.currency}",
                      _builds_text(trial.decisions.builds),
                      *((_plants_text(trial.decisions.plants),) if with_plants else ()))
    console.print(table)
    if result.bracket is None:
        if low.decisions.assignments:
            console.print(f"Production assigned at both ends: {_cells_text(low.decisions.assignments)}",
                          markup=False, highlight=False, soft_wrap=True)
    else:
        before, after = result.bracket
        changes = Table(title="Decisions that differ", title_justify="left")
        for column in ("decision", f"at a = {before.value:{fmt}} (as at LO)", f"at b = {after.value:{fmt}}"):
            changes.add_column(column)
        _differences(changes, before.decisions, after.decisions)
        console.print(changes)
        if result.changes_again:
            console.print(f"Bisection finds one change. The decisions at b are not those at HI: they change at "
                          f"least once more between {after.value:{fmt}} and {high.value:{fmt}} (bisect that "
                          "range to find it).")
        else:
            console.print("Bisection finds one change, from LO's decisions to HI's; the decisions may also "
                          "change and change back elsewhere between LO and HI.")
    if any(trial.status != "optimal" for trial in result.trials):
        console.print("[yellow]Some re-solves stopped at the time limit: their decisions may not be optimal.[/yellow]")
