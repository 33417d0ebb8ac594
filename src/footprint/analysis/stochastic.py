"""One plan for all futures: the two-stage stochastic plan of a scenario set, and what uncertainty costs.

The plan (RP) shares its here-and-now decisions across the futures (see optimize/stochastic.py) and
minimizes the expected NPV cost, plus ``risk_weight`` times its CVaR at ``alpha``. Beside it:

- WS, wait and see: the mean of each future's own optimum (a planner who knew the future);
- EV: the plan of the mean future (numbers averaged by probability; a name, such as a regime, the
  likeliest), and EEV: the EV plan's here-and-now decisions held in every future;
- EVPI = RP - WS, what knowing the future would be worth; VSS = EEV - RP, what planning for the spread
  of futures is worth over planning for their mean;
- with ``revise_from``, the value of waiting: the objective with every decision made now minus that
  when decisions from that year on may differ by future.

Amounts are NPV costs (a profit is a negative cost) in the scenario's currency, as the model minimizes
them. This is the deterministic equivalent: one MILP over every future, for small sets. Its Plan, every
future's tables stacked with the measures in its summary, is made in analysis/stochastic_tables.py.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from footprint.analysis.stochastic_tables import future_tables, revision_notes, revisions, stochastic_plan_of
from footprint.economics.checks import ERROR_CHECKS
from footprint.optimize.highs import Solution, SolverOptions, SolveStatus, run, set_bounds, to_highs
from footprint.optimize.model import FootprintModel
from footprint.optimize.solve import PlanningError, compile_model
from footprint.optimize.stochastic import HERE_AND_NOW, ExtensiveForm, extensive_form
from footprint.plan.plan import Plan
from footprint.scenario.files import scenario_from_data
from footprint.scenario.parameters import apply_overrides
from footprint.scenario.sets import Future

MEAN_FUTURE = "mean future"


@dataclass(frozen=True)
class StochasticPlan:
    """A stochastic plan's objective, its measures and each future's NPV cost under it."""

    objective: float
    """RP: expected NPV cost, plus risk_weight x CVaR."""
    expected: float
    """The plan's expected NPV cost (without the risk term)."""
    wait_and_see: float
    """WS: the probability-weighted mean of the futures' own optima."""
    expected_value: float
    """EV: the optimum of the mean future."""
    expected_of_expected_value: float | None
    """EEV: the EV plan's here-and-now decisions held in every future (None: infeasible in some future)."""
    waiting: float | None
    """With revise_from: the objective with every decision made now minus this plan's (None otherwise)."""
    futures: pd.DataFrame
    """Per future: name, probability, npv (under this plan), own (its own optimum), ev_plan (under the EV
    plan's decisions, NaN where those have no plan)."""
    builds: pd.DataFrame
    """The capacity the plan builds in the first future (the Plan's builds table); the same in every future
    for the years decided now."""
    risk_weight: float
    alpha: float
    revise_from: int | None
    plan: Plan
    """Every future's tables under this plan, stacked under a ``future`` column, with the regret table
    (``regret``: :attr:`futures`), the revisions and the iterations; its summary holds the measures and settings."""
    method: str
    """How it was solved: ``extensive`` (the deterministic equivalent) or ``benders``."""
    iterations: pd.DataFrame
    """Per iteration of a decomposition: iteration, lower, upper (bounds on the objective), gap, seconds (none
    for the extensive form)."""
    revisions: pd.DataFrame
    """With revise_from: per future, the decisions from then on that it takes differently from the plan with
    every decision made now (see analysis/stochastic_tables.py); :attr:`revised` says it in words."""
    run: int | None = None
    """Its id in the run store, when stored."""

    @property
    def evpi(self) -> float:
        return self.objective - self.wait_and_see

    @property
    def vss(self) -> float | None:
        eev = self.expected_of_expected_value
        return None if eev is None else eev - self.objective

    @property
    def revised(self) -> dict[str, str]:
        """Per future that revises a decision, what it revises: + what it decides that the plan with every
        decision made now does not, - the reverse."""
        return revision_notes(self.revisions)

    @classmethod
    def of(cls, plan: Plan, run: int | None = None) -> StochasticPlan:
        """The stochastic plan a stacked Plan holds (made by ``stochastic_plan_of``, or read from the store)."""
        if not plan.stacked:
            raise ValueError(f"the plan of {plan.summary.get('scenario', 'a scenario')!r} is not a stochastic plan")
        s = plan.summary
        first = next(iter(plan.probabilities))
        return cls(float(s["objective"]), float(s["expected"]), float(s["wait_and_see"]),
                   float(s["expected_value"]), _number(s["expected_of_expected_value"]), _number(s["waiting"]),
                   plan.tables["regret"], plan.future(first).builds, float(s["risk_weight"]), float(s["alpha"]),
                   None if s["revise_from"] is None else int(s["revise_from"]), plan, str(s["method"]),
                   plan.tables["iterations"], plan.tables["revisions"], run)


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _models(data: dict[str, Any], source: str, futures: Sequence[Future]) -> list[FootprintModel]:
    return [compile_model(scenario_from_data(apply_overrides(data, future.overrides), f"{source} [{future.name}]",
                                             ERROR_CHECKS)) for future in futures]


def mean_overrides(futures: Sequence[Future]) -> tuple[tuple[str, Any], ...]:
    """The mean future's overrides: each number (and each year of a per-year value) averaged by probability
    over the futures that set it; any other value (a regime's name, the rules a regime switch writes out)
    the likeliest one."""
    numbers: dict[str, dict[Any, float]] = defaultdict(dict)
    names: dict[str, dict[str, float]] = defaultdict(dict)
    values: dict[str, dict[str, Any]] = defaultdict(dict)
    weights: dict[str, float] = defaultdict(float)
    for future in futures:
        for path, value in future.overrides:
            weights[path] += future.probability
            if isinstance(value, dict):
                for year, rate in value.items():
                    numbers[path][year] = numbers[path].get(year, 0.0) + future.probability * float(rate)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers[path][None] = numbers[path].get(None, 0.0) + future.probability * float(value)
            else:  # a name, or the rules a regime switch writes out (lists): told apart by their JSON
                key = json.dumps(value, sort_keys=True, default=str)
                names[path][key] = names[path].get(key, 0.0) + future.probability
                values[path][key] = value
    mean: list[tuple[str, Any]] = []
    for path in weights:
        if path in names:
            likeliest = max(names[path], key=lambda key: names[path][key])
            mean.append((path, values[path][likeliest]))
        elif None in numbers[path]:
            mean.append((path, numbers[path][None] / weights[path]))
        else:
            mean.append((path, {year: total / weights[path] for year, total in numbers[path].items()}))
    return tuple(mean)


def _costs(form: ExtensiveForm, models: Sequence[FootprintModel], values: np.ndarray) -> np.ndarray:
    return np.array([float(model.program.cost() @ form.future_values(values, f) + model.program.offset)
                     for f, model in enumerate(models)])


def _solve_form(form: ExtensiveForm, options: SolverOptions, fixed: np.ndarray | None = None) -> Solution | None:
    """The extensive form's solution, with its shared columns held at ``fixed`` if given; None: no plan."""
    highs = to_highs(form.arrays, options)
    if fixed is not None:
        shared = np.flatnonzero(form.shared)
        set_bounds(highs, shared, fixed, fixed)
    solution = run(highs, bool(form.arrays.integer.any()), options=options)
    if solution.status is SolveStatus.INFEASIBLE:
        return None
    if not solution.status.has_plan:
        raise PlanningError(f"the stochastic plan could not be solved: {solution.message}")
    return solution


def stochastic_plan(data: dict[str, Any], source: str, futures: Sequence[Future], *,
                    options: SolverOptions | None = None, risk_weight: float = 0.0, alpha: float = 0.9,
                    revise_from: int | None = None, blocks: Sequence[str] = HERE_AND_NOW) -> StochasticPlan:
    """The stochastic plan of ``futures`` of the base scenario ``data``, with RP, WS, EV, EEV and the regret
    table (see the module's docstring). PlanningError when the plan or a future's own optimum has none."""
    options = options or SolverOptions()
    probabilities = np.array([future.probability for future in futures])
    models = _models(data, source, futures)
    settings = {"risk_weight": risk_weight, "alpha": alpha, "blocks": blocks}
    form = extensive_form(models, probabilities, revise_from=revise_from, **settings)
    solution = _solve_form(form, options)
    if solution is None:
        raise PlanningError("no plan holds in every future (the futures' constraints conflict with one set of "
                            "decisions made now); check each future alone with `footprint sweep`")
    values = solution.values
    objective = float(form.arrays.cost @ values + form.arrays.offset)
    costs = _costs(form, models, values)
    parts = future_tables([(f.name, model, form.future_values(values, i))
                           for i, (f, model) in enumerate(zip(futures, models, strict=True))])
    waiting, committed_parts = None, None
    if revise_from is not None:
        committed = extensive_form(models, probabilities, **settings)
        now = _solve_form(committed, options)
        if now is not None:
            waiting = float(committed.arrays.cost @ now.values + committed.arrays.offset) - objective
            committed_parts = future_tables([(f.name, model, committed.future_values(now.values, i))
                                             for i, (f, model) in enumerate(zip(futures, models, strict=True))])
    own = np.array([solve_model_of(model, options) for model in models])
    mean = _models(data, source, [Future(MEAN_FUTURE, 1.0, mean_overrides(futures))])[0]
    ev = solve_model_of(mean, options)
    ev_form = extensive_form([mean], [1.0], revise_from=revise_from, **settings)
    ev_solution = _solve_form(ev_form, options)
    if ev_solution is None:
        raise PlanningError("the mean future has no plan")
    held = _solve_form(form, options, fixed=np.round(ev_solution.values[np.flatnonzero(ev_form.shared)], 9))
    eev = None if held is None else float(form.arrays.cost @ held.values + form.arrays.offset)
    ev_costs = _costs(form, models, held.values) if held is not None else np.full(len(models), np.nan)
    table = pd.DataFrame({"name": [f.name for f in futures], "probability": probabilities, "npv": costs,
                          "own": own, "ev_plan": ev_costs})
    measures = {"objective": objective, "expected": float(probabilities @ costs),
                "wait_and_see": float(probabilities @ own), "expected_value": ev,
                "expected_of_expected_value": eev, "waiting": waiting}
    plan = stochastic_plan_of(parts, table, model=models[0], status=solution.status.value, gap=solution.gap,
                              measures=measures, options=options, risk_weight=risk_weight, alpha=alpha,
                              revise_from=revise_from, decisions=blocks,
                              revisions=revisions(committed_parts, parts, revise_from))
    return StochasticPlan.of(plan)


def solve_model_of(model: FootprintModel, options: SolverOptions) -> float:
    """The optimal NPV cost of one model (a future alone, or the mean future)."""
    form = extensive_form([model], [1.0])
    solution = _solve_form(form, options)
    if solution is None:
        raise PlanningError(f"scenario {model.network.scenario.name!r} has no plan on its own")
    return float(form.arrays.cost @ solution.values + form.arrays.offset)


__all__ = ["MEAN_FUTURE", "StochasticPlan", "mean_overrides", "solve_model_of", "stochastic_plan"]
