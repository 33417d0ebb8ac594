"""A stochastic (stacked) plan as one plan to compare: its expected plan, and the decisions it takes by future.

The rule, so that a stochastic plan compares with a deterministic one (or another stochastic one) as one plan:

- amounts are weighted by the futures' probabilities: units (flows, production, demand served and lost,
  sourcing, each product's units at a plant), capacity and its use, costs (undiscounted and discounted),
  FX exposure; a row a future does not have counts as zero there. Per-unit figures (landed cost, FX
  rates, the capex and capacity of a build) are the probability-weighted mean over the futures that
  have them; a utilization share is the expected use over the expected capacity;
- decisions are those taken in every future: a build (option, year and count), a plant open, opened or
  closed in a year, a product assigned to or launched at a plant in a year, the plant a single-sourced demand
  comes from in a year (its units the expected units). With every decision made
  now these are all of them; with ``revise_from`` the later ones may differ by future, and
  :func:`decided_by_future` lists those taken in some futures only, with the probability of the futures
  that take them (compare reports them in its notes, never drops them silently);
- its objective is the expected NPV cost (without a CVaR term, which is not an NPV); its status, gap,
  currency and horizon are the stochastic plan's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from footprint.analysis.sensitivity import year_ranges
from footprint.plan.decisions import Decisions, Level, by_future
from footprint.plan.plan import FUTURE, TABLES, Plan

_WEIGHT = "__weight"
_ALL = 1 - 1e-9
"""A flag taken in futures of this much probability (all of them, but for rounding) is taken in every future."""

_SUMS = {"flows": ("units",), "production": ("units",), "utilization": ("capacity", "used"),
         "assignments": ("units",), "single_sources": ("units",), "demand": ("demand", "served", "lost"),
         "sourcing": ("units", "fixed_cost"),
         "costs": ("amount", "discounted"), "exposure": ("amount", "amount_in_currency"), "claims": ("units",),
         "part_claims": ("units",), "rvc": ("units", "duty_saved"),
         **dict.fromkeys(("supplies", "transfers", "inbound", "deliveries"), ("units",))}
_MEANS = {"builds": ("added_capacity", "capex"), "landed_cost": ("per_unit",), "fx_rates": ("rate",),
          "rvc": ("value", "originating", "threshold")}
_FLAGS = {"plants": ("open", "opened", "closed"), "assignments": ("assigned", "launched"),
          "sites": ("open", "opened", "closed")}
_TEXTS = {"fx_rates": ("source",)}
"""Text that may differ by future (where a rate comes from): the futures' distinct values, joined."""
_RATIOS = {"utilization": {"share": ("used", "capacity")}, "rvc": {"rvc": ("originating", "value")}}
"""Shares of two expected amounts (none where the second is 0, as in a Plan)."""


def expected_plan(plan: Plan) -> Plan:
    """The expected plan of a stacked ``plan`` (see the module's docstring); ValueError for a deterministic one."""
    if not plan.stacked:
        raise ValueError("expected_plan takes a stochastic plan (its tables stacked by future)")
    weights = plan.probabilities
    tables = {name: _expected(name, plan.tables[name], weights) for name in TABLES}
    tables["builds"] = _common_builds(tables["builds"], Decisions.of(plan, Level.STRATEGIC))
    tables["single_sources"] = _common_sources(tables["single_sources"], Decisions.of(plan, Level.ASSIGNMENTS))
    keys = ("scenario", "status", "objective_sense", "currency", "horizon", "gap")
    summary = {key: plan.summary[key] for key in keys if key in plan.summary}
    summary["objective"] = float(plan.summary["expected"])
    return Plan(summary, tables, plan.scenario)


def _expected(name: str, table: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    sums, means, flags, texts = (group.get(name, ()) for group in (_SUMS, _MEANS, _FLAGS, _TEXTS))
    ratios = _RATIOS.get(name, {})
    keys = [column for column in TABLES[name] if column not in (*sums, *means, *flags, *texts, *ratios)]
    frame = table.drop(columns=FUTURE).assign(**{_WEIGHT: table[FUTURE].astype(str).map(weights).astype(float)})
    weighted = frame.assign(**{column: frame[column].astype(float) * frame[_WEIGHT]
                               for column in (*sums, *means, *flags)})
    grouped = weighted.groupby(keys, sort=False, observed=True, dropna=False)
    result = grouped[[*sums, *means, *flags, _WEIGHT]].sum()
    for column in means:
        result[column] = result[column] / result[_WEIGHT]
    for column in flags:
        result[column] = result[column] >= _ALL
    for column in texts:
        result[column] = grouped[column].agg(lambda values: "; ".join(sorted(set(map(str, values)))))
    for column, (part, whole) in ratios.items():
        result[column] = result[part] / result[whole].where(result[whole] > 0)
    result = result.reset_index()
    return result[list(TABLES[name])].astype({column: table[column].dtype for column in keys})


def _common_builds(builds: pd.DataFrame, common: Decisions) -> pd.DataFrame:
    """The builds taken in every future (option, year and count)."""
    taken = [(str(option), int(year), int(count)) in common.builds
             for option, year, count in zip(builds["option"], builds["year"], builds["count"], strict=True)]
    return builds[np.array(taken, dtype=bool)].reset_index(drop=True)


def _common_sources(sources: pd.DataFrame, common: Decisions) -> pd.DataFrame:
    """The single sources taken in every future (plant, product, market and year)."""
    taken = [(str(plant), str(product), str(market), int(year)) in common.single_sources
             for plant, product, market, year in zip(*(sources[column] for column in TABLES["single_sources"][:4]),
                                                     strict=True)]
    return sources[np.array(taken, dtype=bool)].reset_index(drop=True)


def decided_by_future(plan: Plan, level: Level = Level.ASSIGNMENTS) -> list[tuple[str, float]]:
    """The decisions a stacked plan takes in some of its futures only, each with the probability of the futures
    that take it: builds, plant openings and closings, then (from the assignments level) assignments (a
    product's years at a plant that share a probability as ranges) and single sources (a market's source of a
    product, its years so too). Flows are not listed: they are each
    future's own by design, decided once the future is known."""
    weights = plan.probabilities
    each = by_future(plan, level)
    found: list[tuple[str, float]] = []
    for kind in ("builds", "plants", "assignments", "single_sources"):
        taken: dict[tuple[Any, ...], float] = {}
        for name, decisions in each.items():
            for item in getattr(decisions, kind):
                taken[item] = taken.get(item, 0.0) + weights[name]
        partly = {item: share for item, share in taken.items() if share < _ALL}
        if kind in _RUNS:
            found += _runs(partly, _RUNS[kind])
        else:
            found += [(_decision(kind, item), share) for item, share in sorted(partly.items())]
    return found


def _decision(kind: str, item: tuple[Any, ...]) -> str:
    if kind == "builds":
        option, year, count = item
        return f"{option} {year}" + (f" x{count}" if count != 1 else "")
    plant, verb, year = item
    return f"{plant} {verb} {year}"


_RUNS = {"assignments": lambda plant, product: f"{product} at {plant}",
         "single_sources": lambda plant, product, market: f"{product} for {market} from {plant}"}
"""How a decision taken by year reads, from its item without the year: its years follow as ranges."""


def _runs(partly: dict[tuple[Any, ...], float], text: Any) -> list[tuple[str, float]]:
    """Each decision's years that share a probability, as ranges after its text."""
    years: dict[tuple[Any, ...], list[int]] = {}
    for (*cell, year), share in sorted(partly.items()):
        years.setdefault((*cell, round(share, 9)), []).append(year)
    return [(f"{text(*cell)} {year_ranges(ys)}", share) for (*cell, share), ys in sorted(years.items())]


__all__ = ["decided_by_future", "expected_plan"]
