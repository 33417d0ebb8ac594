"""Terminal views of a Plan (rich tables). They only read the Plan."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from footprint.explain import Alternative, Explanation, own_or_option
from footprint.network import UNIT_COMPONENTS
from footprint.plan import Plan

MAX_ROWS = 40
_COMPONENT_LABELS = {"production_local": "local content", "production_imported": "imported content",
                     "sea_freight": "sea freight", "port_handling": "port handling", "land_freight": "land freight"}


def _money(amount: float, currency: str) -> str:
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:,.2f}{suffix} {currency}"
    return f"{amount:,.2f} {currency}"


def print_summary(plan: Plan, console: Console) -> None:
    s = plan.summary
    currency = s["currency"]
    what = "NPV profit" if s["objective_sense"] == "maximize_profit" else "NPV cost"
    gap = f", gap {s['gap']:.2%}" if s["gap"] else ""
    console.print(f"[bold]{s['scenario']}[/bold]: {s['status']}{gap}; {what} {_money(s['objective'], currency)}; "
                  f"{s['variables']:,} variables ({s['integer_variables']:,} integer), "
                  f"{s['constraints']:,} constraints; built in {s['build_seconds']:.2f} s, "
                  f"solved in {s['solve_seconds']:.2f} s")
    if s["status"] != "optimal":
        console.print(f"[yellow]{s['message']}[/yellow]")


def print_builds(plan: Plan, console: Console) -> None:
    currency = plan.summary["currency"]
    table = Table(title="Capacity built", title_justify="left")
    for column in ("option", "plant", "pool", "online from", "added units/yr", "capex"):
        table.add_column(column, justify="right" if column in ("added units/yr", "capex") else "left")
    for row in plan.builds.itertuples():
        table.add_row(row.option, row.plant, row.pool, str(row.year), f"{row.added_capacity:,.0f}",
                      _money(row.capex, currency))
    if plan.builds.empty:
        table.add_row("(none)", "", "", "", "", "")
    console.print(table)


def _cell(value: object, fmt: str) -> str:
    return "-" if pd.isna(value) else format(value, fmt)


def _pivot_table(title: str, frame: pd.DataFrame, labels: int, fmt: str) -> Table:
    """A table whose first ``labels`` columns are names and the rest numbers in ``fmt``."""
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(frame.columns):
        table.add_column(str(column), justify="left" if i < labels else "right")
    for _, row in frame.head(MAX_ROWS).iterrows():
        table.add_row(*[str(v) if i < labels else _cell(v, fmt) for i, v in enumerate(row)])
    if len(frame) > MAX_ROWS:
        table.caption = f"{len(frame) - MAX_ROWS} more rows in the results folder"
    return table


def print_supply(plan: Plan, console: Console) -> None:
    """Units by plant and market per year, one block per product."""
    flows = plan.flows.astype({"plant": str, "market": str, "product": str})
    if flows.empty:
        return
    wide = flows.pivot_table(index=["product", "plant", "market"], columns="year", values="units",
                             aggfunc="sum", fill_value=0.0).reset_index()
    console.print(_pivot_table("Supply, units per year", wide.rename(columns=str), 3, ",.0f"))


def print_utilization(plan: Plan, console: Console) -> None:
    utilization = plan.utilization[plan.utilization["capacity"] > 0]
    wide = utilization.pivot_table(index=["plant", "pool"], columns="year", values="share").reset_index()
    console.print(_pivot_table("Utilization of capacity pools", wide.rename(columns=str), 2, ".0%"))


def print_costs(plan: Plan, console: Console) -> None:
    currency = plan.summary["currency"]
    costs = plan.costs.groupby("component", sort=False)[["amount", "discounted"]].sum()
    table = Table(title=f"Costs over the horizon ({currency})", title_justify="left")
    for column in ("component", "total", "discounted (NPV)"):
        table.add_column(column, justify="left" if column == "component" else "right")
    for component, row in costs.iterrows():
        if row["amount"] != 0:
            table.add_row(str(component), _money(row["amount"], currency), _money(row["discounted"], currency))
    console.print(table)


def print_exposure(plan: Plan, console: Console) -> None:
    """Costs over the horizon by the currency they are incurred in: what each exchange rate moves."""
    currency = plan.summary["currency"]
    exposure = plan.tables["exposure"]
    costs = exposure[exposure["component"] != "revenue"]
    by_currency = costs.groupby("currency")[["amount", "amount_in_currency"]].sum()
    table = Table(title="Costs by currency over the horizon (FX exposure; table `exposure` by plant and "
                        "market)", title_justify="left")
    for column in ("currency", f"in {currency}", "in its own currency", "share"):
        table.add_column(column, justify="left" if column == "currency" else "right")
    total = by_currency["amount"].sum()
    for name, row in by_currency.sort_values("amount", ascending=False).iterrows():
        table.add_row(str(name), _money(row["amount"], currency), _money(row["amount_in_currency"], str(name)),
                      f"{row['amount'] / total:.0%}" if total else "-")
    console.print(table)


def print_plan(plan: Plan, console: Console) -> None:
    print_summary(plan, console)
    print_builds(plan, console)
    print_supply(plan, console)
    print_utilization(plan, console)
    print_costs(plan, console)
    print_exposure(plan, console)


def print_explanation(explanation: Explanation, console: Console) -> None:
    """Landed cost per unit from each capable plant, by component, and the value of capacity."""
    landed = explanation.landed
    currency = explanation.currency
    parts = [c for c in UNIT_COMPONENTS if (landed[c].abs() > 0.005).any()]
    table = Table(title=f"{explanation.product} for {explanation.market}: cost per unit from each capable "
                        f"plant ({currency})", title_justify="left")
    for column in ("year", "plant", *[_COMPONENT_LABELS.get(c, c) for c in parts], "landed", "capacity",
                   "total", "units", "margin"):
        table.add_column(column, justify="left" if column in ("year", "plant") else "right")
    for row in landed.itertuples():
        plant = f"{row.plant}{own_or_option(row.sourcing_option)}"
        names = {"production_local": row.local_currency, "production_imported": row.imported_currency}
        cells = [f"{getattr(row, c):,.0f}" + (f" {names[c]}" if c in names and getattr(row, c) else "")
                 for c in parts]
        mark = "[bold]" if row.chosen else ""
        table.add_row(str(row.year), f"{mark}{plant}{' *' if row.chosen else ''}", *cells, f"{row.landed:,.0f}",
                      f"{row.capacity:,.0f}", f"{mark}{row.total:,.0f}", f"{row.units:,.0f}",
                      "chosen" if row.chosen else f"+{row.margin:,.0f}")
    table.caption = ("* chosen. Production columns name the currency the cost is incurred in (shown in "
                     f"{currency}). capacity: value of the capacity a unit uses, from the duals with the "
                     "plan's yes/no decisions fixed. total = landed + capacity; margin = total minus the "
                     "year's lowest.")
    console.print(table)
    values = explanation.capacity_value
    if values.empty:
        console.print("No capacity constraint binds: one more unit of capacity is worth nothing anywhere.")
        return
    wide = values.pivot_table(index=["plant", "pool"], columns="year", values="value").reset_index()
    console.print(_pivot_table(f"Value of one more unit of capacity ({currency} per unit and year)",
                               wide.rename(columns=str), 2, ",.0f"))


def print_alternative(alternative: Alternative, currency: str, console: Console) -> None:
    what = "; ".join(str(change) for change in alternative.changes)
    sign = "+" if alternative.delta >= 0 else "-"
    console.print(f"[bold]With {what}[/bold]: NPV {_money(alternative.objective, currency)}, "
                  f"{sign}{_money(abs(alternative.delta), currency)} against the optimum.")
    print_builds(alternative.plan, console)
    print_supply(alternative.plan, console)
