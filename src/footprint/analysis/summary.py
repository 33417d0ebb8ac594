"""The statistics of a sweep: how the objective is distributed over the futures, and how often each
decision is taken (the decisions of a level, plan/decisions.py: by default the strategic ones).

Every figure is weighted by the futures' probabilities, over the futures that have a plan (their
probabilities scaled to sum to 1): a future with no plan (infeasible, out of time) is counted, with its
reason, and left out of the distribution. Percentiles and CVaR are those of the discrete distribution
the futures make, without interpolation: the p-th percentile is the least objective x with P(X <= x) >= p
(x at the first atom where the distribution function reaches p, as a value at risk), and CVaR at level
alpha is the probability-weighted mean of the worst 1 - alpha of probability, the atom at the
quantile counted for the part of it inside the tail (Rockafellar and Uryasev, "Conditional value-at-risk
for general loss distributions", 2002). Worst is the highest cost when minimizing cost, the lowest NPV
when maximizing profit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from footprint.plan.decisions import Decisions, Level
from footprint.plan.extensions import Accessor, html_of

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
CVAR_TAILS = {"cvar90": 0.10, "cvar95": 0.05}
"""Each CVaR and the share of probability in its tail."""
STATISTICS = ("mean", "std", "min", *(f"p{p}" for p in PERCENTILES), "max", *CVAR_TAILS)
"""The index of SweepSummary.npv, in order."""
_SENSES = {"cost": "minimize_cost", "minimize_cost": "minimize_cost",
           "profit": "maximize_profit", "maximize_profit": "maximize_profit"}
_EPSILON = 1e-12  # cumulative probabilities this close to a percentile reach it (sums of 0.1s are not exact)

_YEAR = "Int64"  # a year, or NA: never
FAILED = {"status": "str", "message": "str", "futures": "int64", "probability": "float64"}
BUILDS = {"option": "str", "year": _YEAR, "count": "int64", "probability": "float64", "futures": "int64"}
PLANTS = {"plant": "str", "event": "str", "year": _YEAR, "probability": "float64", "futures": "int64"}
ASSIGNMENTS = {"plant": "str", "product": "str", "year": "int64", "probability": "float64", "futures": "int64"}
SINGLE_SOURCES = {"plant": "str", "product": "str", "market": "str", "year": "int64", "probability": "float64",
                  "futures": "int64"}
FLOWS = {"plant": "str", "sourcing": "str", "product": "str", "market": "str", "year": "int64",
         "probability": "float64", "futures": "int64"}
"""Each table of a SweepSummary: its columns, in order, and their types."""


@dataclass(frozen=True)
class SweepSummary:
    """A sweep's futures summed up. Every probability is a share of the futures that have a plan. In a notebook it
    shows its NPV's spread and how often each decision is taken, and ``summary.plot.decisions()`` draws the latter
    (views/notebook.py)."""

    objective_sense: str
    """``minimize_cost`` or ``maximize_profit``: which end of the distribution is the worst."""
    level: Level
    """The decisions counted: builds and plants at every level, assignments and flows at theirs."""
    currency: str | None
    """The objective's currency, when the caller says it."""
    futures: int
    """Futures in the sweep."""
    solved: int
    """Futures with a plan."""
    probability_solved: float
    """Their share of the sweep's total probability."""
    npv: pd.Series
    """The objective's distribution, indexed by STATISTICS: mean, std, min, p5 ... p95, max, cvar90,
    cvar95 (NaN when no future has a plan)."""
    failed: pd.DataFrame
    """status, message, futures, probability (of all the sweep's): the futures with no plan, by reason."""
    builds: pd.DataFrame
    """option, year (NA: never), count (built that year; 0: never), probability, futures: for each option some
    future builds, the share of the futures that build it ``count`` times in ``year``, by year, and the share
    that never build it. A future that builds an option in several years counts in each of those years, so
    an option's shares sum to more than 1 where some future builds it more than once; 1 minus its share of
    never is the share of the futures that build it at all."""
    plants: pd.DataFrame
    """plant, event (``opens``, ``closes``), year (NA: never), probability, futures: for each plant some
    future opens or closes; each plant and event's probabilities sum to 1."""
    assignments: pd.DataFrame
    """plant, product, year, probability, futures: the share of futures that make the product at the plant
    that year, for the cells some futures make it in and others do not (empty below the assignments level)."""
    single_sources: pd.DataFrame
    """plant, product, market, year, probability, futures: the share of futures that serve the single-sourced
    demand from the plant that year, where some futures do and others do not (empty below the assignments
    level)."""
    flows: pd.DataFrame
    """plant, sourcing, product, market, year, probability, futures: the share of futures that supply the
    market from the plant (with that sourcing) that year, for the lanes some futures use and others do not
    (empty below the flows level)."""

    plot = Accessor("plot")
    """``summary.plot.decisions()``: how often each decision is taken, as a plotly Figure (views/notebook.py)."""

    def _repr_html_(self) -> str | None:
        return html_of(self)


def sweep_summary(futures: pd.DataFrame, objective_sense: str = "cost", *, currency: str | None = None,
                  level: Level | str = Level.STRATEGIC) -> SweepSummary:
    """The statistics of a sweep's ``futures``: one row each, with columns name, probability, status,
    objective, decisions (a Decisions, or None for a future with no plan) and message; the decisions counted
    are those of ``level`` (strategic, assignments or flows: ValueError where a future's decisions are of a
    coarser level; RunStore.futures reads a sweep's futures at a level).

    ``objective_sense``: ``cost`` or ``profit`` (or the scenario's ``minimize_cost``, ``maximize_profit``);
    ``currency``, the objective's (the reporting currency), for the views.
    ValueError for a missing column, a probability that is negative or not a number, or none that is
    positive.
    """
    level = Level(level)
    if objective_sense not in _SENSES:
        raise ValueError(f"objective_sense: expected one of {', '.join(_SENSES)}, found {objective_sense!r}")
    missing = [c for c in ("name", "probability", "status", "objective", "decisions", "message")
               if c not in futures.columns]
    if missing:
        raise ValueError(f"futures: missing column(s) {', '.join(missing)}")
    probability = pd.to_numeric(futures["probability"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(probability) | (probability < 0)
    if bad.any():
        names = ", ".join(map(str, futures["name"][bad].head(5)))
        raise ValueError(f"futures: a probability must be a number >= 0; not so for {names}")
    total = probability.sum()
    if total <= 0:
        raise ValueError("futures: no future has a positive probability")
    objective = pd.to_numeric(futures["objective"], errors="coerce").to_numpy(dtype=float)
    has_plan = futures["decisions"].map(lambda d: isinstance(d, Decisions)).to_numpy(dtype=bool) & np.isfinite(
        objective)
    weight = np.where(has_plan, probability, 0.0)
    solved_mass = weight.sum()
    if solved_mass > 0:
        weight = weight / solved_mass
    sense = _SENSES[objective_sense]
    plans = [(decisions.at(level), w) for decisions, w, ok in zip(futures["decisions"], weight, has_plan, strict=True)
             if ok]
    return SweepSummary(
        objective_sense=sense,
        level=level,
        currency=currency,
        futures=len(futures),
        solved=int(has_plan.sum()),
        probability_solved=float(solved_mass / total),
        npv=_distribution(objective[has_plan], weight[has_plan], worst_high=sense == "minimize_cost"),
        failed=_failed(futures[~has_plan], probability[~has_plan] / total),
        builds=_builds(plans),
        plants=_plants(plans),
        assignments=_differing(plans, "assignments", ASSIGNMENTS),
        single_sources=_differing(plans, "single_sources", SINGLE_SOURCES),
        flows=_differing(plans, "flows", FLOWS),
    )


def weighted_percentile(values: np.ndarray, weights: np.ndarray, share: float) -> float:
    """The least value x with P(X <= x) >= ``share`` (weights summing to 1; share in (0, 1])."""
    order = np.argsort(values, kind="stable")
    reached = np.cumsum(weights[order]) >= share - _EPSILON
    return float(values[order][np.argmax(reached)] if reached.any() else values[order][-1])


def tail_mean(values: np.ndarray, weights: np.ndarray, share: float, worst_high: bool) -> float:
    """CVaR: the weighted mean of the worst ``share`` of probability (weights summing to 1), the atom at the
    tail's edge counted for its part inside it. Worst: the highest values, or the lowest."""
    order = np.argsort(-values if worst_high else values, kind="stable")
    mass = weights[order]
    before = np.cumsum(mass) - mass
    taken = np.clip(share - before, 0.0, mass)
    return float(np.dot(taken, values[order]) / taken.sum())


def _distribution(values: np.ndarray, weights: np.ndarray, worst_high: bool) -> pd.Series:
    if weights.sum() <= 0:  # no future with a plan, or none with a probability
        return pd.Series(math.nan, index=list(STATISTICS), name="npv")
    mean = float(np.dot(weights, values))
    figures = {"mean": mean, "std": math.sqrt(max(0.0, float(np.dot(weights, (values - mean) ** 2)))),
               "min": float(values.min())}
    figures |= {f"p{p}": weighted_percentile(values, weights, p / 100) for p in PERCENTILES}
    figures["max"] = float(values.max())
    figures |= {name: tail_mean(values, weights, share, worst_high) for name, share in CVAR_TAILS.items()}
    return pd.Series(figures, name="npv")[list(STATISTICS)]


def _failed(futures: pd.DataFrame, probability: np.ndarray) -> pd.DataFrame:
    reasons = pd.DataFrame({"status": futures["status"].fillna("").astype(str),
                            "message": futures["message"].fillna("").astype(str), "probability": probability})
    grouped = reasons.groupby(["status", "message"], sort=True).agg(
        futures=("probability", "size"), probability=("probability", "sum")).reset_index()
    return grouped[list(FAILED)].astype(FAILED)


_Plans = list[tuple[Decisions, float]]


def _shares(outcomes: dict[tuple[object, ...], list[float]]) -> list[tuple[object, ...]]:
    """(*outcome, probability, futures) from each outcome's weights, sorted (NA years last)."""
    rows = [(*outcome, math.fsum(weights), len(weights)) for outcome, weights in outcomes.items()]
    return sorted(rows, key=lambda row: tuple((value is None, value) for value in row[:-2]))


def _builds(plans: _Plans) -> pd.DataFrame:
    """For each option some future builds: each year and number it is built, or never, per future."""
    options = {option for decisions, _ in plans for option, _, _ in decisions.builds}
    outcomes: dict[tuple[object, ...], list[float]] = defaultdict(list)
    for decisions, weight in plans:
        for build in decisions.builds:  # (option, year, count): at most one per option and year
            outcomes[build].append(weight)
        for option in options - {option for option, _, _ in decisions.builds}:
            outcomes[(option, None, 0)].append(weight)
    return pd.DataFrame(_shares(outcomes), columns=list(BUILDS)).astype(BUILDS)


def _plants(plans: _Plans) -> pd.DataFrame:
    """For each plant and event (opens, closes) some future has: the year of it, or never, per future."""
    events = sorted({(plant, event) for decisions, _ in plans for plant, event, _ in decisions.plants})
    outcomes: dict[tuple[object, ...], list[float]] = defaultdict(list)
    for decisions, weight in plans:
        when = {(plant, event): year for plant, event, year in decisions.plants}
        for key in events:
            outcomes[(*key, when.get(key))].append(weight)
    return pd.DataFrame(_shares(outcomes), columns=list(PLANTS)).astype(PLANTS)


def _differing(plans: _Plans, kind: str, schema: dict[str, str]) -> pd.DataFrame:
    """The items of one kind (assignments: plant, product, year; single sources: plant, product, market, year;
    flows: lanes) some futures take and others do not, with the share that do."""
    outcomes: dict[tuple[object, ...], list[float]] = defaultdict(list)
    for decisions, weight in plans:
        for item in getattr(decisions, kind):
            outcomes[item].append(weight)
    differing = {item: weights for item, weights in outcomes.items() if len(weights) < len(plans)}
    return pd.DataFrame(_shares(differing), columns=list(schema)).astype(schema)


__all__ = ["STATISTICS", "SweepSummary", "sweep_summary", "tail_mean", "weighted_percentile"]
