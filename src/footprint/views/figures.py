"""The figures of a plan, a sweep and a stochastic plan that both the report and a notebook draw, each from the
object alone: the report's sections and the notebook accessors (views/notebook.py) call these, so a figure is drawn
one way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from footprint.analysis.sensitivity import Tornado
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import SweepSummary
from footprint.plan.plan import Plan
from footprint.scenario.model.scenario import Scenario
from footprint.views import charts
from footprint.views.labels import COMPONENT_GROUPS, component_group, money
from footprint.views.world import places, world_map

IN_THAT_YEAR, IN_ANY_YEAR = "in that year", "in any year"
"""The series of how often each decision is taken: in each year, and in any year."""


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


def plan_map(plan: Plan, scenario: Scenario) -> go.Figure:
    """The world map of ``plan``, its sites placed where ``scenario`` (the plan's) puts them."""
    placed, _ = places(scenario)
    return world_map(plan.tables, placed)


def cost_bars(plan: Plan) -> go.Figure:
    """Costs by year, each family of cost components (views/labels.py) a series, stacked; revenue negative."""
    currency = str(plan.summary["currency"])
    costs = plan.costs.assign(family=plan.costs["component"].map(component_group))
    return charts.stacked_bars(costs, "family", "amount", f"Costs by component ({currency}; revenue negative)",
                               currency, text=money, order=list(dict.fromkeys([*COMPONENT_GROUPS, *costs["family"]])))


def regret_bars(plan: StochasticPlan) -> go.Figure:
    """Each future's regret (its NPV cost minus its own optimum) under the plan and under the mean future's plan."""
    futures = plan.futures
    return charts.grouped_bars(
        list(futures["name"].astype(str)), {"this plan": futures["npv"] - futures["own"],
                                            "the mean future's plan": futures["ev_plan"] - futures["own"]},
        "Regret of each future: its NPV cost under a plan minus its own optimum", str(plan.plan.summary["currency"]))


def decision_bars(summary: SweepSummary) -> go.Figure:
    """How often each decision is taken, by year (and in any year where the futures take it in several)."""
    return charts.share_bars(decision_shares(summary), "Share of the futures taking it, by year",
                             (IN_THAT_YEAR, IN_ANY_YEAR))


def npv_histogram(futures: pd.DataFrame, summary: SweepSummary) -> go.Figure:
    """The NPV over a sweep's ``futures`` with a plan (RunStore.futures), weighted by probability, with the mean and
    percentiles 5 and 95 of ``summary`` (their statistics) marked."""
    what = "NPV profit" if summary.objective_sense == "maximize_profit" else "NPV cost"
    objective = pd.to_numeric(futures["objective"], errors="coerce")
    solved = futures[futures["decisions"].notna() & objective.notna()]
    weights = pd.to_numeric(solved["probability"]).to_numpy(dtype=float)
    marks = {name: float(summary.npv[key]) for name, key in (("mean", "mean"), ("p5", "p5"), ("p95", "p95"))}
    return charts.histogram(pd.to_numeric(solved["objective"]).to_numpy(dtype=float), weights / weights.sum(),
                            f"{what} (probability-weighted)", summary.currency or "", marks)


def tornado_figure(tornado: Tornado) -> go.Figure:
    """Each input's NPV at its low and at its high, as bars from the base, largest swing first (an end without a
    plan has no bar)."""
    bars = tornado.bars
    return charts.tornado_bars(
        [bar.path for bar in bars], [np.nan if bar.low.objective is None else bar.low.objective for bar in bars],
        [np.nan if bar.high.objective is None else bar.high.objective for bar in bars], tornado.base_objective,
        tornado.currency or "")


__all__ = ["IN_ANY_YEAR", "IN_THAT_YEAR", "cost_bars", "decision_bars", "decision_shares", "npv_histogram", "plan_map",
           "regret_bars", "tornado_figure"]
