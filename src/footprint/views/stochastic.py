"""A stochastic plan on the terminal: its objective and what uncertainty costs, what it builds, each future,
and with revise_from what each future revises."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from footprint.views.console import MAX_ROWS, _money, _text

if TYPE_CHECKING:
    from footprint.analysis.stochastic import StochasticPlan
    from footprint.optimize.benders import Round


def print_round(round_: Round, currency: str, console: Console) -> None:
    """One round of Benders as it ends: its bounds and the gap between them."""
    upper = "none yet" if round_.upper == float("inf") else _money(round_.upper, currency)
    cuts = f"{round_.cuts} cuts" + (f", {round_.feasibility_cuts} feasibility cuts" if round_.feasibility_cuts else "")
    gap = "" if round_.gap == float("inf") else f", gap {round_.gap:.2e}"
    console.print(f"Benders round {round_.iteration}: lower bound {_money(round_.lower, currency)}, upper bound "
                  f"{upper}{gap} ({cuts}, {round_.seconds:.1f} s)", highlight=False)


def _method(plan: StochasticPlan, currency: str) -> str:
    if plan.method != "benders":
        return "Solved as the extensive form (one MILP over every future)."
    rounds = plan.iterations
    last = rounds.iloc[-1]
    stopped = "the bounds met" if plan.status == "optimal" else "stopped by the time limit"
    return (f"Solved by Benders decomposition in {len(rounds)} rounds ({stopped}): lower bound "
            f"{_money(float(last['lower']), currency)}, upper bound {_money(float(last['upper']), currency)}, "
            f"gap {float(last['gap']):.2e}.")


def print_stochastic(plan: StochasticPlan, currency: str, console: Console) -> None:
    risk = f", plus {plan.risk_weight:g} x CVaR at {plan.alpha:.0%}" if plan.risk_weight else ""
    table = Table(title=f"Stochastic plan over {len(plan.futures)} futures (expected NPV cost{risk})",
                  title_justify="left")
    table.add_column("measure")
    table.add_column("NPV cost", justify="right")
    rows = [("RP, this plan's objective", plan.objective), ("its expected NPV cost", plan.expected),
            ("WS, each future's own optimum, on average", plan.wait_and_see),
            ("EV, the mean future's optimum", plan.expected_value),
            ("EEV, the mean future's decisions in every future", plan.expected_of_expected_value),
            ("EVPI = RP - WS, knowing the future", plan.evpi), ("VSS = EEV - RP, planning for the spread", plan.vss)]
    if plan.revise_from is not None:
        rows.append((f"value of waiting to {plan.revise_from}", plan.waiting))
    for label, amount in rows:
        table.add_row(label, "no plan" if amount is None else _money(amount, currency))
    console.print(table)
    for note in plan.notes:
        console.print(f"Note: {_text(note)}.", highlight=False)
    console.print(_method(plan, currency), highlight=False)
    title = ("Capacity built (decided now)" if plan.revise_from is None else
             f"Capacity built in the first future (decided now before {plan.revise_from}; from then on each "
             "future's own)")
    builds = Table(title=title, title_justify="left")
    for column in ("option", "plant", "year", "count"):
        builds.add_column(column)
    for row in plan.builds.itertuples():
        builds.add_row(_text(row.option), _text(row.plant), str(row.year), str(row.count))
    console.print(builds if len(plan.builds) else "Capacity built: none")
    regret = Table(title="Each future: NPV cost under this plan, under the mean future's, and its own optimum",
                   title_justify="left")
    for column in ("future", "probability", "this plan", "mean future's plan", "its own optimum"):
        regret.add_column(column, justify="left" if column == "future" else "right")
    for row in plan.futures.head(MAX_ROWS).itertuples():
        regret.add_row(_text(row.name), f"{row.probability:.3g}", _money(row.npv, currency),
                       "no plan" if row.ev_plan != row.ev_plan else _money(row.ev_plan, currency),
                       _money(row.own, currency))
    console.print(regret)
    if len(plan.futures) > MAX_ROWS:
        console.print(f"{len(plan.futures) - MAX_ROWS} more futures")
    if plan.revise_from is not None:
        _print_revisions(plan, console)


def _print_revisions(plan: StochasticPlan, console: Console) -> None:
    """Per future, the decisions from revise_from on that it takes differently from the plan with every
    decision made now."""
    revised = plan.revised
    if not revised:
        console.print(f"Revised from {plan.revise_from}: no future decides otherwise than the plan with every "
                      "decision made now")
        return
    table = Table(title=f"Revised from {plan.revise_from}: what each future decides otherwise than the plan with "
                        "every decision made now (+ only this future, - only that plan)", title_justify="left")
    table.add_column("future")
    table.add_column("revises")
    for name, change in list(revised.items())[:MAX_ROWS]:
        table.add_row(_text(name), _text(change))
    if len(revised) > MAX_ROWS:
        table.caption = f"{len(revised) - MAX_ROWS} more futures: the plan's table `revisions` has them all"
    console.print(table)
