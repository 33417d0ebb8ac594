"""A stochastic plan as one Plan: every future's tables stacked under a ``future`` column, its measures and
settings in the summary, the regret table, the revisions and the iterations beside them.

However the plan was solved (the extensive form, or Benders with each future's tables made on a worker),
its Plan is made here: :func:`future_tables` makes each future's tables from its model and column values,
:func:`stochastic_plan_of` stacks made ones into the Plan that ``StochasticPlan.of`` reads (and the run
store keeps).

The revisions (with ``revise_from``) are, per future, the decisions of the years from ``revise_from`` on that
the future takes differently under this plan from under the plan with every decision made now, in that
same future: builds by option and year (how many), plants opened or closed, products assigned to plants
(the Plan's assignments table: a product made at a plant, or assigned to it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from footprint.analysis.sensitivity import describe_change
from footprint.optimize.highs import SolverOptions
from footprint.optimize.model import FootprintModel
from footprint.plan.decisions import Decisions
from footprint.plan.fields import text_names
from footprint.plan.plan import STOCHASTIC, STOCHASTIC_TABLES, TABLES, Plan, stack_plans
from footprint.plan.store import solver_settings
from footprint.plan.tables import plan_tables, plant_decisions
from footprint.plan.tier_tables import site_decisions

Part = tuple[str, Mapping[str, pd.DataFrame]]
"""A future's name and its Plan tables."""
Parts = Sequence[Part]
"""Each future's name and tables, in the futures' order."""

MEASURES = ("objective", "expected", "wait_and_see", "expected_value", "expected_of_expected_value", "waiting")
"""The measures a stochastic plan's summary holds (with evpi and vss, worked out from them); see
analysis/stochastic.py. EEV and waiting may be None (no plan; no revise_from)."""
EXTENSIVE = "extensive"
"""The method of a plan solved as the deterministic equivalent (one MILP)."""
_COST_SENSE = "minimize_cost"
"""A stochastic plan's amounts are NPV costs (a profit a negative cost), whatever the scenario's objective."""


_DTYPES = {"revisions": ("object", "object", "object", "object", "object", "object", "int64", "int64", "int64"),
           "iterations": ("int64", "float64", "float64", "float64", "float64", "int64", "int64")}
"""The types of the columns of STOCHASTIC_TABLES made here (the regret table is given)."""


def future_tables(solved: Sequence[tuple[str, FootprintModel, np.ndarray]]) -> list[Part]:
    """Each future's Plan tables (made when first read) from (future name, its model, its columns' values)."""
    return [(name, plan_tables(model, values)) for name, model, values in solved]


def _empty(name: str) -> pd.DataFrame:
    return text_names(name, pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in zip(
        STOCHASTIC_TABLES[name], _DTYPES[name], strict=True)}))


def no_iterations() -> pd.DataFrame:
    """The iterations table of a plan solved whole: no rows."""
    return _empty("iterations")


def revisions(committed: Parts | None, revised: Parts, revise_from: int | None) -> pd.DataFrame:
    """The decisions each future revises (STOCHASTIC_TABLES["revisions"]): from ``revise_from`` on, what it
    takes differently in ``revised`` (this plan's tables) from ``committed`` (the plan with every decision made
    now, each future's tables; None: it has no plan). No rows without revise_from."""
    if committed is None or revise_from is None:
        return _empty("revisions")
    plant_of = {str(option): str(plant) for _, tables in (*committed, *revised)
                for option, plant in zip(tables["builds"]["option"], tables["builds"]["plant"], strict=True)}
    rows: list[tuple[Any, ...]] = []
    for (name, now), (other, later) in zip(committed, revised, strict=True):
        if name != other:
            raise ValueError(f"the committed plan's futures are not this plan's ({name!r}, {other!r})")
        before, after = Decisions.of_tables(now), Decisions.of_tables(later)
        counts = [{(option, year): count for option, year, count in d.builds if year >= revise_from}
                  for d in (before, after)]
        for option, year in sorted(counts[0].keys() | counts[1].keys()):
            a, b = counts[0].get((option, year), 0), counts[1].get((option, year), 0)
            if a != b:
                rows.append((name, "build", option, plant_of[option], None, None, year, a, b))
        for plant, verb, year in sorted(before.plants ^ after.plants):
            if year >= revise_from:
                rows.append((name, verb, None, plant, None, None, year, int((plant, verb, year) in before.plants),
                             int((plant, verb, year) in after.plants)))
        for plant, product, year in sorted(before.assignments ^ after.assignments):
            if year >= revise_from:
                cell = (plant, product, year)
                rows.append((name, "assignment", None, plant, product, None, year, int(cell in before.assignments),
                             int(cell in after.assignments)))
        for plant, product, market, year in sorted(before.single_sources ^ after.single_sources):
            if year >= revise_from:
                source = (plant, product, market, year)
                rows.append((name, "single_source", None, plant, product, market, year,
                             int(source in before.single_sources), int(source in after.single_sources)))
    if not rows:
        return _empty("revisions")
    frame = pd.DataFrame(rows, columns=list(STOCHASTIC_TABLES["revisions"]))
    typed = frame.astype(dict(zip(frame.columns, _DTYPES["revisions"], strict=True)))
    return text_names("revisions", typed)  # its names typed as a store reads them back


def revision_notes(table: pd.DataFrame) -> dict[str, str]:
    """Per future that revises a decision, what it revises as ``describe_change`` puts it: + what it decides
    that the plan with every decision made now does not, - the reverse."""
    notes = {}
    for name, rows in table.groupby("future", sort=False):
        sides = []
        for side in ("committed", "revised"):
            chosen = rows[rows[side] > 0]
            builds = chosen[chosen["kind"] == "build"]
            plants = chosen[chosen["kind"].isin(("opens", "closes"))]
            assigned = chosen[chosen["kind"] == "assignment"]
            sources = chosen[chosen["kind"] == "single_source"]
            sides.append(Decisions(
                frozenset(zip(builds["option"], builds["year"].astype(int), builds[side].astype(int), strict=True)),
                frozenset(zip(assigned["plant"], assigned["product"], assigned["year"].astype(int), strict=True)),
                frozenset(zip(plants["plant"], plants["kind"], plants["year"].astype(int), strict=True)),
                single_sources=frozenset(zip(sources["plant"], sources["product"], sources["market"],
                                             sources["year"].astype(int), strict=True))))
        notes[str(name)] = describe_change(*sides)
    return notes


def decided_now(parts: Parts, probabilities: Sequence[float], model: FootprintModel, decisions: Sequence[str],
                revise_from: int | None) -> dict[str, Any]:
    """What the plan decides now, for its summary as a plan's summary has its decisions: the decisions of the
    blocks made now (``decisions``), of the years before ``revise_from`` (all of them without), the same in every
    future (``parts``, each future's tables in order, with their ``probabilities``):

    - ``builds``: as a plan's (option, plant, pool, year, count, added_capacity, capex), its capex and capacity the
      futures' probability-weighted means (a future's exchange rates move the capex in the reporting currency);
    - ``plant_decisions``: as a plan's (plant, candidate, closable, opened, closed: the year, or None where it
      is not decided now; none listed when no plant decision is made now);
    - ``site_decisions``: the same for suppliers and facilities (kind, site, candidate, closable, opened,
      closed);
    - ``assignment_decisions``: the products assigned to plants (plant, product, years) where assigning is a
      decision (a launch cost or a minimum volume);
    - ``sourcing_decisions``: the sourcing options chosen (plant, product, option, years) where choosing one is a
      decision (a fixed cost);
    - ``single_source_decisions``: the plant each single-sourced demand comes from (plant, product, market,
      years)."""
    program = model.program
    now = {name: name in decisions and name in program.variables for name in ("build", "opened", "closed",
                                                                               "assign", "source", "single_source")}

    def early(frame: pd.DataFrame) -> pd.Series:
        return frame["year"] < revise_from if revise_from is not None else pd.Series(True, index=frame.index)

    first = parts[0][1]
    builds = pd.concat([tables["builds"].assign(weight=p) for (_, tables), p in zip(parts, probabilities, strict=True)])
    builds = builds[early(builds)] if now["build"] else builds.iloc[:0]
    weighted = builds.assign(capex=builds["capex"] * builds["weight"],
                             added_capacity=builds["added_capacity"] * builds["weight"])
    keys = ["option", "plant", "pool", "year", "count"]
    means = weighted.groupby(keys, sort=False)[["added_capacity", "capex", "weight"]].sum().reset_index()
    means[["added_capacity", "capex"]] = means[["added_capacity", "capex"]].div(means["weight"], axis=0)
    plants, sites = first["plants"].copy(), first["sites"].copy()
    for flag in ("opened", "closed"):
        plants[flag] = plants[flag].astype(bool) & early(plants) & now[flag]
        sites[flag] = sites[flag].astype(bool) & early(sites) & (flag in decisions)
    return {
        "builds": means[list(TABLES["builds"])].to_dict(orient="records"),
        "plant_decisions": plant_decisions(model.network, plants) if now["opened"] or now["closed"] else [],
        "site_decisions": site_decisions(model.network, sites) if {"opened", "closed"} & set(decisions) else [],
        "assignment_decisions": _chosen(first["assignments"][first["assignments"]["assigned"].astype(bool)],
                                        program.variables["assign"].index if now["assign"] else None,
                                        ["plant", "product"], revise_from),
        "sourcing_decisions": _chosen(pd.concat([tables["sourcing"] for _, tables in parts]),
                                      program.variables["source"].index.rename(columns={"sourcing": "option"})
                                      if now["source"] else None, ["plant", "product", "option"], revise_from),
        "single_source_decisions": _chosen(pd.concat([tables["single_sources"] for _, tables in parts]),
                                           program.variables["single_source"].index
                                           if now["single_source"] else None, ["plant", "product", "market"],
                                           revise_from),
    }


def _chosen(rows: pd.DataFrame, cells: pd.DataFrame | None, keys: list[str],
            revise_from: int | None) -> list[dict[str, Any]]:
    """The rows of ``rows`` (with ``keys`` and year) at the decision ``cells`` (their index; None: not decided now)
    before ``revise_from``, each key's years listed: [{key: ..., "years": [...]}]."""
    if cells is None:
        return []
    cells = cells[cells["year"] < revise_from] if revise_from is not None else cells
    columns, texts = [*keys, "year"], dict.fromkeys(keys, str)
    found = rows[columns].astype(texts).merge(cells[columns].astype(texts), on=columns).drop_duplicates()
    return [{**dict(zip(keys, key, strict=True)), "years": sorted(int(year) for year in group["year"])}
            for key, group in found.groupby(keys, sort=True)]


def stochastic_plan_of(parts: Parts, regret: pd.DataFrame, *, model: FootprintModel, status: str,
                       gap: float | None, measures: Mapping[str, float | None], options: SolverOptions,
                       risk_weight: float, alpha: float, revise_from: int | None, decisions: Sequence[str],
                       revisions: pd.DataFrame | None = None, iterations: pd.DataFrame | None = None,
                       method: str = EXTENSIVE, unmeasured: str | None = None, notes: Sequence[str] = ()) -> Plan:
    """The stacked Plan of a stochastic plan: each future's tables (``parts``, in the order of ``regret``, the
    regret table), its summary (kind ``stochastic``; status, objective and gap of its solve; the ``measures``
    of MEASURES with evpi and vss; its settings, the solver's under ``solver``; ``method`` and how many
    iterations it took; the scenario's name, currency and horizon from ``model``, a future's; why the measures
    are not all measured, if they are not; the ``notes`` on how it was solved) and the revisions and iterations
    (none if not given)."""
    missing = [key for key in MEASURES if key not in measures] + [
        key for key in ("objective",) if measures.get(key) is None]
    if missing:
        raise ValueError(f"the measures lack {', '.join(missing)}")
    if [name for name, _ in parts] != [str(name) for name in regret["name"]]:
        raise ValueError("the futures' tables are not in the order of the regret table")
    iterations = no_iterations() if iterations is None else iterations
    objective, wait_and_see = float(measures["objective"]), measures["wait_and_see"]  # type: ignore[arg-type]
    eev = measures["expected_of_expected_value"]
    scenario, years = model.network.scenario, model.network.years
    summary: dict[str, Any] = {
        "kind": STOCHASTIC, "scenario": scenario.name, "status": status, "objective_sense": _COST_SENSE,
        "objective": objective, "gap": gap, "currency": scenario.currency,
        "horizon": [int(years[0]), int(years[-1])],
        **{key: measures[key] for key in MEASURES[1:]},
        "evpi": None if wait_and_see is None else objective - wait_and_see,
        "vss": None if eev is None else eev - objective, "unmeasured": unmeasured, "notes": list(notes),
        "risk_weight": risk_weight, "alpha": alpha, "revise_from": revise_from, "decisions": list(decisions),
        "solver": solver_settings(options), "method": method, "iterations": len(iterations),
        "futures": {str(name): float(p) for name, p in zip(regret["name"], regret["probability"], strict=True)},
    }
    summary |= decided_now(parts, list(regret["probability"]), model, decisions, revise_from)
    tables = {**stack_plans(parts), "regret": regret.reset_index(drop=True),
              "revisions": _empty("revisions") if revisions is None else revisions, "iterations": iterations}
    return Plan(summary, tables, scenario)


def stochastic_settings(plan: Plan) -> dict[str, Any]:
    """The settings a stacked Plan was solved with, as the run store keeps them: the solver's, then the plan's."""
    s = plan.summary
    return {**s["solver"], **{key: s[key] for key in ("risk_weight", "alpha", "revise_from", "decisions", "method")}}


__all__ = ["EXTENSIVE", "MEASURES", "Part", "Parts", "decided_now", "future_tables", "no_iterations", "revision_notes",
           "revisions", "stochastic_plan_of", "stochastic_settings"]
