"""The HTML reports of many plans at once: a stored sweep (the objective's distribution, how often each decision
is taken, the tornado of a sensitivity sweep), a stochastic plan (its here-and-now decisions, VSS, EVPI, the value of
waiting, the regret table) and a comparison of two plans. Same page as a plan's report (views/page.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from footprint.analysis.compare import Comparison
from footprint.analysis.expected import expected_plan
from footprint.analysis.sensitivity import Tornado
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary
from footprint.plan.store import Run
from footprint.scenario.formats.validation import Loaded
from footprint.views import charts
from footprint.views.compare import comparison_tables, shown_rows
from footprint.views.labels import component_label, money
from footprint.views.page import Section, Table, figure_html, render
from footprint.views.report import map_section, plan_sections
from footprint.views.stochastic import (
    choice_tables,
    decided_now_plan,
    decided_now_tables,
    decided_when,
    measure_notes,
    shown,
)
from footprint.views.sweep_summary import frequency_text, share_text
from footprint.views.tornado import COLUMNS, tornado_rows, tornado_title

IN_THAT_YEAR, IN_ANY_YEAR = "in that year", "in any year"
"""The series of the chart of how often each decision is taken."""
_STATISTICS = {"mean": "mean", "std": "standard deviation", "min": "lowest", "max": "highest",
               "cvar90": "CVaR 90% (mean of the worst 10%)", "cvar95": "CVaR 95% (mean of the worst 5%)"}


def _amount(value: float | None, currency: str) -> str:
    return "-" if value is None or pd.isna(value) else money(value, currency)


def _tornado(tornado: Tornado) -> Section:
    """A sensitivity sweep's bars, largest swing first, and its table: the NPV at each end, the swing, and what the
    decisions do there."""
    currency = tornado.currency or ""
    section = Section("tornado", "Tornado")
    bars = tornado.bars
    section.figures.append(figure_html(charts.tornado_bars(
        [bar.path for bar in bars], [np.nan if bar.low.objective is None else bar.low.objective for bar in bars],
        [np.nan if bar.high.objective is None else bar.high.objective for bar in bars], tornado.base_objective,
        currency)))
    rows, reasons = tornado_rows(tornado)
    section.tables.append(Table(tornado_title(tornado), list(COLUMNS), rows,
                                "; ".join(f"({number}) {reason}" for number, reason in enumerate(reasons, 1))))
    section.notes.append("Each input at its low and at its high, the others at their values (a per-year series "
                         "moves as one). Decisions: what each end builds, opens, closes or assigns (+) and no "
                         "longer does (-) against the base. An end without a plan has no bar; its swing counts as "
                         "the largest.")
    return section


def decision_shares(summary: SweepSummary) -> list[tuple[str, float, str]]:
    """The bars of how often each decision is taken: (label, share of the futures, series ``in that year`` or
    ``in any year``), each build option and plant decision by year."""
    bars = [bar for option, group in summary.builds.groupby("option", sort=True)
            for bar in _by_year(f"build {option}", group)]
    return bars + [bar for (plant, event), group in summary.plants.groupby(["plant", "event"], sort=True)
                   for bar in _by_year(f"{plant} {event}", group)]


def _by_year(decision: str, outcomes: pd.DataFrame) -> list[tuple[str, float, str]]:
    """A decision's bars: the share of the futures taking it in each year (a SweepSummary's rows of it, year NA
    for never), and, when that is several years, in any year."""
    taken = outcomes[outcomes["year"].notna()].groupby("year", sort=True)["probability"].sum()
    bars = [(f"{decision} {year}", float(share), IN_THAT_YEAR) for year, share in taken.items()]
    if len(bars) > 1:
        never = float(outcomes.loc[outcomes["year"].isna(), "probability"].sum())
        bars.insert(0, (f"{decision}, any year", 1.0 - never, IN_ANY_YEAR))
    return bars


def sweep_report(sweep: Run, futures: pd.DataFrame, summary: SweepSummary, tornado: Tornado | None = None) -> str:
    """The report of a stored sweep: ``futures`` as RunStore.futures gives them, ``summary`` their statistics
    (analysis/summary.py sweep_summary); a sensitivity sweep's ``tornado`` in place of the statistics (its
    futures are each input at its ends, not draws of a distribution)."""
    currency = summary.currency or ""
    what = "NPV profit" if summary.objective_sense == "maximize_profit" else "NPV cost"
    facts = [("sweep", f"{sweep.id} ({sweep.name})"), ("status", sweep.status),
             ("futures", f"{summary.futures:,}, {summary.solved:,} with a plan "
                         f"({summary.probability_solved:.1%} of the probability)")]
    failed = Table("Futures without a plan", ["status", "reason", "futures", "probability"],
                   [[r.status, r.message or "-", f"{r.futures:,}", f"{r.probability:.1%}"]
                    for r in summary.failed.itertuples()])
    if tornado is not None:
        facts[2] = ("futures", f"{summary.futures:,}: the base and each of {len(tornado.bars):,} inputs at its low "
                               f"and its high, {summary.solved:,} with a plan")
        facts.append(("base", _amount(tornado.base_objective, currency)))
        section = _tornado(tornado)
        if len(summary.failed):
            section.tables.append(failed)
        return render(f"Sensitivity: {sweep.name}", facts, [section])
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
        distribution.tables.append(failed)
    decisions = Section("decisions", "How often each decision is taken")
    bars = decision_shares(summary)
    if bars:
        decisions.figures.append(figure_html(charts.share_bars(bars, "Share of the futures taking it, by year",
                                                               (IN_THAT_YEAR, IN_ANY_YEAR))))
        decisions.notes.append("Each decision in each year it is taken; where the futures take it in several "
                               "years, also the share that take it in any year.")
    rows = [[f"capacity built: {option}", frequency_text(list(zip(group["year"], group["count"], group["probability"],
                                                                  strict=True)))]
            for option, group in summary.builds.groupby("option", sort=True)]
    rows += [[f"plant {event}: {plant}", frequency_text(list(zip(group["year"], [1] * len(group),
                                                                 group["probability"], strict=True)))]
             for (plant, event), group in summary.plants.groupby(["plant", "event"], sort=True)]
    rows += [[f"assigned: {r.plant} {r.product} {r.year}", share_text(r.probability)]
             for r in summary.assignments.itertuples()]
    rows += [[f"single source: {r.product} for {r.market} from {r.plant} {r.year}", share_text(r.probability)]
             for r in summary.single_sources.itertuples()]
    decisions.tables.append(Table("Decisions by year", ["decision", "in the futures"], rows))
    if not rows:
        decisions.notes.append(f"Every future with a plan takes the same decisions ({summary.level} level).")
    return render(f"Sweep: {sweep.name}", facts, [distribution, decisions])


def stochastic_report(plan: StochasticPlan, loaded: Loaded | None = None) -> str:
    """The report of a stochastic plan: its measures, the here-and-now decisions, each future's NPV under it (the
    regret table), the revisions, and the first future's plan drawn as a plan's report draws it."""
    currency = str(plan.plan.summary["currency"])
    first = next(iter(plan.plan.probabilities))
    facts = [("scenario", str(plan.plan.summary.get("scenario", ""))), ("status", plan.status),
             ("method", plan.method), ("objective (RP)", money(plan.objective, currency)),
             ("expected NPV cost", money(plan.expected, currency)),
             ("wait and see (WS)", _amount(plan.wait_and_see, currency)),
             ("expected value (EV)", _amount(plan.expected_value, currency)),
             ("EV plan in every future (EEV)", _amount(plan.expected_of_expected_value, currency)),
             ("EVPI (RP - WS)", _amount(shown(plan, "EVPI"), currency)),
             ("VSS (EEV - RP)", _amount(shown(plan, "VSS"), currency)),
             ("value of waiting", _amount(plan.waiting, currency) + ("" if plan.revise_from is None
                                                                     else f" (revising from {plan.revise_from})")),
             ("risk", f"weight {plan.risk_weight:g}, CVaR at {plan.alpha:g}"),
             *_decision_facts(plan), *(("note", note) for note in measure_notes(plan, currency))]
    when = decided_when(plan)
    now = Section("now", f"Decided now ({'here and now' if plan.revise_from is None else when})")
    now.tables.extend(Table(title, columns, rows) if rows else Table(title, ["none"], [])
                      for title, columns, rows in decided_now_tables(plan, money))
    if len(plan.futures) > 1:
        now.notes.append("capex: the futures' probability-weighted mean (their exchange rates move it).")
    if plan.revise_from is not None:
        now.notes.append(f"From {plan.revise_from} on each future decides for itself: see each future's revisions "
                         "below, and the plan's tables by future.")
    regret = Section("regret", "Each future under the plan (regret)")
    futures = plan.futures
    regret.figures.append(figure_html(charts.grouped_bars(
        list(futures["name"].astype(str)), {"this plan": futures["npv"] - futures["own"],
                                            "the mean future's plan": futures["ev_plan"] - futures["own"]},
        "Regret of each future: its NPV cost under a plan minus its own optimum", currency)))
    regret.notes.append("What each future pays for not being known in advance, under this plan and under the mean "
                        "future's (EV) plan: the futures' NPV costs themselves are in the table, their differences "
                        "would not show beside them.")
    regret.tables.append(Table("Regret table", ["future", "probability", "under the plan", "own optimum", "regret",
                                                "under the EV plan"],
                               [[r.name, f"{r.probability:.1%}", _amount(r.npv, currency), _amount(r.own, currency),
                                 _amount(r.npv - r.own, currency), _amount(r.ev_plan, currency)]
                                for r in futures.itertuples()]))
    for name, text in plan.revised.items():
        regret.notes.append(f"{name} revises: {text}")
    drawn = plan_sections(plan.plan.future(first), loaded)
    sections = [now, regret, *(_plan_map(plan, loaded) if section.id == "map" else
                               replace(section, title=f"{section.title} (future {first})") for section in drawn)]
    return render(f"Stochastic plan: {plan.plan.summary.get('scenario', '')}", facts, sections)


def _plan_map(plan: StochasticPlan, loaded: Loaded | None) -> Section:
    """A stochastic plan's map: the plan itself, its expected plan (the decisions taken in every future, the flows
    weighted by the futures' probabilities), not one future's."""
    section = map_section(expected_plan(plan.plan), loaded)
    section.notes.insert(0, "The plan: what it decides in every future (sites open, capacity) and its expected flows "
                            "(each future's weighted by its probability).")
    return replace(section, title="Map (the plan: decisions in every future, expected flows)")


def _decision_facts(plan: StochasticPlan) -> list[tuple[str, str]]:
    """The key figures of the decisions made now: plants opened and closed, builds, products assigned, sourcing."""
    now = decided_now_plan(plan.plan)
    when = decided_when(plan)
    facts = []
    for what, key, name in (("plants", "plant_decisions", "plant"), ("suppliers and facilities", "site_decisions",
                                                                       "site")):
        decisions = now.summary.get(key, [])
        facts += [(f"{what} {verb} ({when})", ", ".join(f"{d[name]} {d[verb]}" for d in decisions
                                                         if d[verb] is not None) or "none")
                  for verb in ("opened", "closed") if decisions]
    builds = now.builds
    facts.append((f"capacity built ({when})", f"{int(builds['count'].sum()):,} build(s) of "
                                              f"{builds['option'].nunique():,} option(s)"))
    for title, _, rows in choice_tables(now):
        facts.append((f"{title.lower()} ({when})", f"{len(rows):,}"))
    return facts


def compare_report(comparison: Comparison) -> str:
    """The differences of two plans (analysis/compare.py), drawn, and the tables `footprint compare` prints."""
    a, b = comparison.names
    currency = comparison.currency or ""
    facts = [(a, f"{comparison.scenarios[0]} ({comparison.status[0]})"),
             (b, f"{comparison.scenarios[1]} ({comparison.status[1]})")]
    shown = {table.name: Table(table.title, list(table.columns), shown_rows(table), table.caption)
             for table in comparison_tables(comparison)}
    figures = Section("kpis", "Key figures side by side", tables=[shown["kpis"]], notes=list(comparison.notes))
    costs = Section("costs", "Costs")
    if len(comparison.costs):
        labels = [component_label(c) for c in comparison.costs["component"]]
        costs.figures.append(figure_html(charts.grouped_bars(
            labels, {a: comparison.costs["discounted_a"], b: comparison.costs["discounted_b"]},
            f"NPV by component ({currency})", currency)))
        costs.tables.append(shown["costs"])
    if len(comparison.currencies):
        costs.tables.append(shown["currencies"])
    decisions = Section("decisions", "Decisions that differ", tables=[shown["builds"], shown["plants"],
                                                                      shown["assignments"], shown["single_sources"]])
    moved = Section("flows", "Supply moved")
    flows = comparison.flows
    if len(flows):
        lanes = flows.assign(lane=flows["from_plant"].astype(str) + " → " + flows["to_plant"].astype(str))
        moved.figures.append(figure_html(charts.stacked_bars(lanes, "lane", "units", f"Units moved from {a}'s source "
                                                             f"to {b}'s", "units")))
        moved.tables.append(shown["flows"])
    if len(comparison.parts):
        moved.tables.append(shown["parts"])
    if comparison.empty:
        figures.notes.append("The plans do not differ.")
    return render(f"Comparison: {comparison.scenarios[1]} against {comparison.scenarios[0]}", facts,
                  [figures, costs, decisions, moved])


__all__ = ["compare_report", "decision_shares", "stochastic_report", "sweep_report"]
