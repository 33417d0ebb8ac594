"""A stochastic plan on the terminal: its objective and what uncertainty costs, every decision it makes now (as
`run` prints a plan's), each future, and with revise_from what each future revises; and the decisions made now as
text tables, for the report and the web app."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.table import Table

from footprint.analysis.stochastic import ROUNDING
from footprint.plan.plan import TABLES, Plan
from footprint.views.console import (
    MAX_ROWS,
    PLANT_DECISION_COLUMNS,
    SITE_DECISION_COLUMNS,
    _money,
    _text,
    _year_runs,
    plant_decision_rows,
    print_builds,
    print_plant_decisions,
    print_rows,
    site_decision_rows,
)

if TYPE_CHECKING:
    from footprint.analysis.stochastic import StochasticPlan
    from footprint.optimize.benders import Round
    from footprint.optimize.highs import SolveProgress


def print_round(round_: Round, currency: str, console: Console) -> None:
    """One round of Benders as it ends: its bounds and the gap between them."""
    upper = "none yet" if round_.upper == float("inf") else _money(round_.upper, currency)
    cuts = f"{round_.cuts} cuts" + (f", {round_.feasibility_cuts} feasibility cuts" if round_.feasibility_cuts else "")
    gap = "" if round_.gap == float("inf") else f", gap {round_.gap:.2e}"
    console.print(f"Benders round {round_.iteration}: lower bound {_money(round_.lower, currency)}, upper bound "
                  f"{upper}{gap} ({cuts}, {round_.seconds:.1f} s)", highlight=False, soft_wrap=True)


def print_progress(progress: SolveProgress, currency: str, console: Console) -> None:
    """Where a long MILP stands (the extensive form's): its best plan, HiGHS's proven bound and the gap."""
    if not math.isfinite(progress.incumbent) and not math.isfinite(progress.bound):
        console.print(f"Solving ({progress.seconds:.0f} s): presolve and the first LP relaxation", highlight=False,
                      soft_wrap=True)
        return
    best = _money(progress.incumbent, currency) if math.isfinite(progress.incumbent) else "none yet"
    bound = _money(progress.bound, currency) if math.isfinite(progress.bound) else "none yet"
    gap = f", gap {progress.gap:.2e}" if math.isfinite(progress.gap) else ""
    console.print(f"Solving ({progress.seconds:.0f} s): best plan {best}, lower bound {bound}{gap}, "
                  f"{progress.nodes:,} nodes", highlight=False, soft_wrap=True)


def _method(plan: StochasticPlan, currency: str) -> str:
    if plan.method != "benders":
        return "Solved as the extensive form (one MILP over every future)."
    rounds = plan.iterations
    last = rounds.iloc[-1]
    stopped = {"optimal": "the bounds met", "time_limit": "stopped by the time limit",
               "interrupted": "interrupted (Ctrl-C)", "round_limit": "stopped at its cap of rounds"}.get(
        plan.status, plan.status)
    return (f"Solved by Benders decomposition in {len(rounds)} rounds ({stopped}): lower bound "
            f"{_money(float(last['lower']), currency)}, upper bound {_money(float(last['upper']), currency)}, "
            f"gap {float(last['gap']):.2e}.")


def decided_now_plan(plan: Plan) -> Plan:
    """What a stacked plan decides now as one plan, for the views that print a plan's decisions: its summary's
    builds (decided now, capex the futures' mean), plant decisions, assignments and sourcing decided now; the
    rest (the plants' open years) the first future's, the same in every future for the years decided now. A plan
    stored before its summary held them: the first future's builds, and no plant decisions."""
    first = plan.future(next(iter(plan.probabilities)))
    s = plan.summary
    builds = pd.DataFrame(s["builds"], columns=list(TABLES["builds"])) if "builds" in s else first.builds
    summary = {**first.summary, **{key: s[key] for key in _DECIDED if key in s}}
    return Plan(summary, {**first.tables, "builds": builds})


_DECIDED = ("plant_decisions", "site_decisions", "assignment_decisions", "sourcing_decisions",
            "single_source_decisions")


def choice_tables(now: Plan) -> list[tuple[str, list[str], list[list[str]]]]:
    """The products assigned, the sourcing options chosen and the single sources that a stochastic plan decides now
    (``now``, from :func:`decided_now_plan`), as (title, columns, rows of text); only those it has."""
    assigned = [[d["plant"], d["product"], _year_runs(d["years"])] for d in now.summary.get("assignment_decisions", [])]
    sourced = [[d["plant"], d["product"], d["option"], _year_runs(d["years"])]
               for d in now.summary.get("sourcing_decisions", [])]
    single = [[d["market"], d["product"], d["plant"], _year_runs(d["years"])]
              for d in now.summary.get("single_source_decisions", [])]
    return [table for table in (("Products assigned", ["plant", "product", "years"], assigned),
                                ("Sourcing chosen", ["plant", "product", "option", "years"], sourced),
                                ("Single sources", ["market", "product", "plant", "years"], single)) if table[2]]


def decided_now_tables(plan: StochasticPlan, money: Callable[[float, str], str]
                       ) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every decision a stochastic plan makes now, as (title, columns, rows of text) for a page: the plant
    decisions, the capacity built (amounts written by ``money``), the products assigned and the sourcing chosen."""
    now = decided_now_plan(plan.plan)
    currency = str(now.summary["currency"])
    builds = [[str(r.option), str(r.plant), str(r.pool), str(r.year), str(r.count), f"{r.added_capacity:,.0f}",
               money(r.capex, currency)] for r in now.builds.itertuples()]
    sites = site_decision_rows(now, _undecided(plan))
    return [("Plant decisions", list(PLANT_DECISION_COLUMNS), plant_decision_rows(now, _undecided(plan))),
            *([("Suppliers and facilities", list(SITE_DECISION_COLUMNS), sites)] if sites else []),
            ("Capacity built", ["option", "plant", "pool", "online from", "builds", "added units/yr", "capex"], builds),
            *choice_tables(now)]


def _undecided(plan: StochasticPlan) -> str:
    """A plant decision not made now: never, or with revise_from not before then (each future's from then on)."""
    return "never" if plan.revise_from is None else f"not before {plan.revise_from}"


def decided_when(plan: StochasticPlan) -> str:
    """When the decisions shown as decided now are taken: all now, or those of the years before revise_from."""
    return "decided now" if plan.revise_from is None else f"decided now, before {plan.revise_from}"


def shown(plan: StochasticPlan, measure: str) -> float | None:
    """EVPI or VSS as the views show it: 0 where it is negative by rounding only (see :func:`measure_notes`)."""
    return 0.0 if measure in plan.rounded else plan.evpi if measure == "EVPI" else plan.vss


def shown_measures(plan: StochasticPlan) -> list[tuple[str, float | None]]:
    """The measures as the views show them, labelled; None where there is none (no plan)."""
    rows = [("RP, this plan's objective", plan.objective), ("its expected NPV cost", plan.expected),
            ("WS, each future's own optimum, on average", plan.wait_and_see),
            ("EV, the mean future's optimum", plan.expected_value),
            ("EEV, the mean future's decisions in every future", plan.expected_of_expected_value),
            ("EVPI = RP - WS, knowing the future", shown(plan, "EVPI")),
            ("VSS = EEV - RP, planning for the spread", shown(plan, "VSS"))]
    if plan.revise_from is not None:
        rows.append((f"value of waiting to {plan.revise_from}", plan.waiting))
    return rows


def measure_notes(plan: StochasticPlan, currency: str) -> list[str]:
    """What the measures' table leaves unsaid: why EV or EEV has none, and which measure is shown as 0."""
    notes = []
    if plan.unmeasured is not None:
        notes.append(f"WS, EV and EEV, and with them EVPI and VSS, are not all measured: {plan.unmeasured}")
    elif plan.expected_value is None:
        notes.append("The mean future (every figure at its probability-weighted mean over the futures) has no plan: "
                     "EV and EEV have none, nor VSS")
    elif plan.expected_of_expected_value is None:
        notes.append("The mean future's decisions made now have no plan in some future: EEV has none, nor VSS")
    notes += [f"{name} is {value:.1e} {currency}, negative only by rounding between separate solves (within "
              f"{ROUNDING:g} x RP): shown as 0" for name, value in plan.rounded.items()]
    return notes


def print_stochastic(plan: StochasticPlan, currency: str, console: Console) -> None:
    risk = f", plus {plan.risk_weight:g} x CVaR at {plan.alpha:.0%}" if plan.risk_weight else ""
    table = Table(title=f"Stochastic plan over {len(plan.futures)} futures (expected NPV cost{risk})",
                  title_justify="left")
    table.add_column("measure")
    table.add_column("NPV cost", justify="right")
    missing = "not measured" if plan.unmeasured is not None else "no plan"
    for label, amount in shown_measures(plan):
        table.add_row(label, missing if amount is None else _money(amount, currency))
    console.print(table)
    for note in (*measure_notes(plan, currency), *plan.notes):
        console.print(f"Note: {_text(note)}.", highlight=False)
    console.print(_method(plan, currency), highlight=False)
    _print_decided_now(plan, console)
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


def _print_decided_now(plan: StochasticPlan, console: Console) -> None:
    """The decisions made now, as `run` prints a plan's: plant decisions, capacity built, and the products
    assigned and sourcing chosen where those are decisions."""
    now = decided_now_plan(plan.plan)
    when = decided_when(plan)
    print_plant_decisions(now, console, f"Plant decisions ({when})", _undecided(plan))
    print_builds(now, console, f"Capacity built ({when})",
                 "capex: the futures' probability-weighted mean" if len(plan.futures) > 1 else None)
    print_rows(console, f"Suppliers and facilities ({when})", SITE_DECISION_COLUMNS,
               site_decision_rows(now, _undecided(plan)))
    for title, columns, rows in choice_tables(now):
        print_rows(console, f"{title} ({when})", columns, rows[:MAX_ROWS],
                   f"{len(rows) - MAX_ROWS} more: the summary's {title.lower()} has them all"
                   if len(rows) > MAX_ROWS else None)
    if plan.revise_from is not None:
        console.print(f"From {plan.revise_from} on each future decides for itself: its decisions are in the plan's "
                      "tables by future (`footprint export`), what each revises below.", highlight=False)


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
