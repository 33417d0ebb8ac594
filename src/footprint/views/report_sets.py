"""The HTML reports of many plans at once: a stored sweep (the objective's distribution, how often each decision
is taken, the tornado of a sensitivity sweep), a stochastic plan (its here-and-now decisions, VSS, EVPI, the value of
waiting, the regret table) and a comparison of two plans. Same page as a plan's report (views/page.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from footprint.analysis.compare import Comparison
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary
from footprint.plan.store import Run
from footprint.scenario.validation import Loaded
from footprint.views import charts
from footprint.views.page import Section, Table, figure_html, money, render
from footprint.views.report import plan_sections
from footprint.views.sweep_summary import frequency_text, share_text

_STATISTICS = {"mean": "mean", "std": "standard deviation", "min": "lowest", "max": "highest",
               "cvar90": "CVaR 90% (mean of the worst 10%)", "cvar95": "CVaR 95% (mean of the worst 5%)"}


def _amount(value: float | None, currency: str) -> str:
    return "-" if value is None or pd.isna(value) else money(value, currency)


def _tornado(futures: pd.DataFrame, currency: str) -> Section:
    """A sensitivity sweep's bars (its futures are ``base`` and ``PATH@low``, ``PATH@high``), largest swing first."""
    section = Section("tornado", "Tornado")
    objective = dict(zip(futures["name"], pd.to_numeric(futures["objective"], errors="coerce"), strict=True))
    paths = sorted({str(name).rpartition("@")[0] for name in objective if "@" in str(name)})
    ends = [(path, objective.get(f"{path}@low", np.nan), objective.get(f"{path}@high", np.nan)) for path in paths]
    ends.sort(key=lambda end: -(abs(end[2] - end[1]) if np.isfinite(end[1]) and np.isfinite(end[2]) else np.inf))
    base = objective.get("base", np.nan)
    if not ends or not np.isfinite(base):
        return section
    section.figures.append(figure_html(charts.tornado_bars([p for p, _, _ in ends], [lo for _, lo, _ in ends],
                                                           [hi for _, _, hi in ends], float(base), currency)))
    section.notes.append("An input whose end has no plan shows no bar at that end (its swing counts as the largest).")
    return section


def sweep_report(sweep: Run, futures: pd.DataFrame, summary: SweepSummary) -> str:
    """The report of a stored sweep: ``futures`` as RunStore.futures gives them, ``summary`` their statistics
    (analysis/summary.py sweep_summary)."""
    currency = summary.currency or ""
    what = "NPV profit" if summary.objective_sense == "maximize_profit" else "NPV cost"
    facts = [("sweep", f"{sweep.id} ({sweep.name})"), ("status", sweep.status),
             ("futures", f"{summary.futures:,}, {summary.solved:,} with a plan "
                         f"({summary.probability_solved:.1%} of the probability)")]
    distribution = Section("npv", f"{what} over the futures")
    solved = futures[futures["decisions"].notna() & pd.to_numeric(futures["objective"], errors="coerce").notna()]
    if summary.solved:
        values = pd.to_numeric(solved["objective"]).to_numpy(dtype=float)
        weights = pd.to_numeric(solved["probability"]).to_numpy(dtype=float)
        marks = {"mean": float(summary.npv["mean"]), "p5": float(summary.npv["p5"]), "p95": float(summary.npv["p95"])}
        distribution.figures.append(figure_html(charts.histogram(values, weights / weights.sum(),
                                                                 f"{what} (probability-weighted)", currency, marks)))
        distribution.tables.append(Table(f"{what} in the futures with a plan", ["", what],
                                         [[_STATISTICS.get(str(k), f"percentile {str(k)[1:]}"), _amount(v, currency)]
                                          for k, v in summary.npv.items()]))
    if len(summary.failed):
        distribution.tables.append(Table("Futures without a plan", ["status", "reason", "futures", "probability"],
                                         [[r.status, r.message or "-", f"{r.futures:,}", f"{r.probability:.1%}"]
                                          for r in summary.failed.itertuples()]))
    decisions = Section("decisions", "How often each decision is taken")
    built = summary.builds[summary.builds["year"].notna()].groupby("option")["probability"].sum()
    events = summary.plants[summary.plants["year"].notna()].groupby(["plant", "event"])["probability"].sum()
    labels = [f"build {option}" for option in built.index] + [f"{plant} {event}" for plant, event in events.index]
    shares = [*built.to_numpy(), *events.to_numpy()]
    if labels:
        decisions.figures.append(figure_html(charts.share_bars(labels, shares, "Share of the futures taking it")))
    rows = [[f"capacity built: {option}", frequency_text(list(zip(group["year"], group["count"], group["probability"],
                                                                  strict=True)))]
            for option, group in summary.builds.groupby("option", sort=True)]
    rows += [[f"plant {event}: {plant}", frequency_text(list(zip(group["year"], [1] * len(group),
                                                                 group["probability"], strict=True)))]
             for (plant, event), group in summary.plants.groupby(["plant", "event"], sort=True)]
    rows += [[f"assigned: {r.plant} {r.product} {r.year}", share_text(r.probability)]
             for r in summary.assignments.itertuples()]
    decisions.tables.append(Table("Decisions by year", ["decision", "in the futures"], rows))
    if not rows:
        decisions.notes.append(f"Every future with a plan takes the same decisions ({summary.level} level).")
    content = sweep.scenario_data.get("sweep") if isinstance(sweep.scenario_data, dict) else None
    sensitivity = isinstance(content, dict) and "sensitivity" in content  # a sweep of `footprint sensitivity`
    tornado = _tornado(futures, currency) if sensitivity else Section("tornado", "Tornado")
    return render(f"Sweep: {sweep.name}", facts, [distribution, decisions, tornado])


def stochastic_report(plan: StochasticPlan, loaded: Loaded | None = None) -> str:
    """The report of a stochastic plan: its measures, the here-and-now decisions, each future's NPV under it (the
    regret table), the revisions, and the first future's plan drawn as a plan's report draws it."""
    currency = str(plan.plan.summary["currency"])
    first = next(iter(plan.plan.probabilities))
    facts = [("scenario", str(plan.plan.summary.get("scenario", ""))), ("status", plan.status),
             ("method", plan.method), ("objective (RP)", money(plan.objective, currency)),
             ("expected NPV cost", money(plan.expected, currency)),
             ("wait and see (WS)", money(plan.wait_and_see, currency)),
             ("expected value (EV)", money(plan.expected_value, currency)),
             ("EV plan in every future (EEV)", _amount(plan.expected_of_expected_value, currency)),
             ("EVPI (RP - WS)", money(plan.evpi, currency)), ("VSS (EEV - RP)", _amount(plan.vss, currency)),
             ("value of waiting", _amount(plan.waiting, currency) + ("" if plan.revise_from is None
                                                                     else f" (revising from {plan.revise_from})")),
             ("risk", f"weight {plan.risk_weight:g}, CVaR at {plan.alpha:g}")]
    now = Section("now", "Decided now (here and now)")
    builds = plan.builds
    now.tables.append(Table("Capacity built", ["option", "plant", "pool", "year", "count", "added capacity"],
                            [[r.option, r.plant, r.pool, str(r.year), str(r.count), f"{r.added_capacity:,.0f}"]
                             for r in builds.itertuples()]) if len(builds) else Table("Capacity built", ["none"], []))
    regret = Section("regret", "Each future under the plan (regret)")
    futures = plan.futures
    regret.figures.append(figure_html(charts.grouped_bars(
        list(futures["name"].astype(str)), {"under the plan": futures["npv"], "its own optimum": futures["own"],
                                            "under the EV plan": futures["ev_plan"]},
        "NPV cost of each future", currency)))
    regret.tables.append(Table("Regret table", ["future", "probability", "under the plan", "own optimum", "regret",
                                                "under the EV plan"],
                               [[r.name, f"{r.probability:.1%}", _amount(r.npv, currency), _amount(r.own, currency),
                                 _amount(r.npv - r.own, currency), _amount(r.ev_plan, currency)]
                                for r in futures.itertuples()]))
    for name, text in plan.revised.items():
        regret.notes.append(f"{name} revises: {text}")
    drawn = plan_sections(plan.plan.future(first), loaded)
    sections = [now, regret, *(replace(section, title=f"{section.title} (future {first})") for section in drawn)]
    return render(f"Stochastic plan: {plan.plan.summary.get('scenario', '')}", facts, sections)


def compare_report(comparison: Comparison) -> str:
    """The differences of two plans (analysis/compare.py), drawn."""
    a, b = comparison.names
    currency = comparison.currency or ""
    facts = [(a, f"{comparison.scenarios[0]} ({comparison.status[0]})"),
             (b, f"{comparison.scenarios[1]} ({comparison.status[1]})")]
    figures = Section("kpis", "Key figures side by side", notes=list(comparison.notes))
    figures.tables.append(Table("Key figures", ["figure", "unit", a, b, f"{b} - {a}"],
                                [[r.kpi, r.unit, f"{r.a:,.4g}", f"{r.b:,.4g}", f"{r.difference:+,.4g}"]
                                 for r in comparison.kpis.itertuples()]))
    costs = Section("costs", "Costs")
    if len(comparison.costs):
        labels = [charts.COMPONENT_LABELS.get(str(c), str(c)) for c in comparison.costs["component"]]
        costs.figures.append(figure_html(charts.grouped_bars(
            labels, {a: comparison.costs["discounted_a"], b: comparison.costs["discounted_b"]},
            f"NPV by component ({currency})", currency)))
        costs.tables.append(Table(f"NPV by component ({currency})", ["component", a, b, f"{b} - {a}"],
                                  [[label, f"{r.discounted_a:,.0f}", f"{r.discounted_b:,.0f}",
                                    f"{r.discounted_difference:+,.0f}"]
                                   for label, r in zip(labels, comparison.costs.itertuples(), strict=True)]))
    if len(comparison.currencies):
        costs.tables.append(Table(f"By the currency they are incurred in ({currency})", ["currency", a, b,
                                                                                       f"{b} - {a}"],
                                  [[r.currency, f"{r.amount_a:,.0f}", f"{r.amount_b:,.0f}",
                                    f"{r.amount_difference:+,.0f}"] for r in comparison.currencies.itertuples()]))
    decisions = Section("decisions", "Decisions that differ")
    decisions.tables.append(Table("Capacity built", ["option", "plant", "pool", f"year {a}", f"year {b}", "change"],
                                  [[r.option, r.plant, r.pool, _year(r.year_a), _year(r.year_b), r.change]
                                   for r in comparison.builds.itertuples()]))
    decisions.tables.append(Table("Plants opened and closed", ["plant", "event", f"year {a}", f"year {b}", "change"],
                                  [[r.plant, r.event, _year(r.year_a), _year(r.year_b), r.change]
                                   for r in comparison.plants.itertuples()]))
    decisions.tables.append(Table("Assignments", ["plant", "product", "year", "change"],
                                  [[r.plant, r.product, str(r.year), r.change]
                                   for r in comparison.assignments.itertuples()]))
    moved = Section("flows", "Supply moved")
    flows = comparison.flows
    if len(flows):
        lanes = flows.assign(lane=flows["from_plant"].astype(str) + " → " + flows["to_plant"].astype(str))
        moved.figures.append(figure_html(charts.stacked_bars(lanes, "lane", "units", f"Units moved from {a}'s source "
                                                             f"to {b}'s", "units")))
        moved.tables.append(Table("Supply moved", ["product", "market", "year", f"from ({a})", f"to ({b})", "units"],
                                  [[r.product, r.market, str(r.year), r.from_plant, r.to_plant, f"{r.units:,.0f}"]
                                   for r in flows.itertuples()]))
    if comparison.empty:
        figures.notes.append("The plans do not differ.")
    return render(f"Comparison: {comparison.scenarios[1]} against {comparison.scenarios[0]}", facts,
                  [figures, costs, decisions, moved])


def _year(value: object) -> str:
    return "-" if pd.isna(value) else str(value)


__all__ = ["compare_report", "stochastic_report", "sweep_report"]
