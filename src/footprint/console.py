"""Terminal views of a Plan (rich tables). They only read the Plan."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from footprint.plan import Plan

MAX_ROWS = 40


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


def print_plan(plan: Plan, console: Console) -> None:
    print_summary(plan, console)
    print_builds(plan, console)
    print_supply(plan, console)
    print_utilization(plan, console)
    print_costs(plan, console)
