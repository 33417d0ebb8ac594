"""Breakeven: the value of one scenario parameter at which the plan's decisions change, by bisection.

The decisions are those of a level (plan/decisions.py): by default the strategic ones, the capacity
built (option, year and count) and the plants opened or closed (plant and year); at the assignments
level also the products each plant makes (plant, product, year), at the flows level also which plant
supplies which market.

A parameter is named by a path into the scenario's plain data (see ``footprint.scenario.sets.parameters``).

Every trial value is written into a copy of the data (only the containers on the path are
copied, so YAML anchors elsewhere stay shared), validated and solved afresh.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.optimize.solve import PlanningError, solver_options
from footprint.plan.decisions import Decisions, Level
from footprint.plan.tables import solve
from footprint.scenario.formats.files import ScenarioError, scenario_from_data
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.sets.parameters import Parameter, ParameterError

RELATIVE_TOLERANCE = 1e-3
"""Default width of the final bracket, as a share of HI - LO: ten bisection steps."""


class BreakevenError(ParameterError):
    """A bad range, or a value the scenario refuses."""


@dataclass(frozen=True)
class Trial:
    """One re-solve: the parameter's value and what the plan decided and cost there."""

    value: float
    objective: float
    status: str
    decisions: Decisions


@dataclass(frozen=True)
class Breakeven:
    """Where the decisions change between LO and HI, as far as bisection can tell."""

    path: str
    """The parameter varied, by its path (``fx.KRW``, ``markets[us].demand.rogue``)."""
    tolerance: float
    """The bracket's width at which bisection stops, in the parameter's unit."""
    currency: str
    """The currency of the trials' objectives."""
    objective_sense: str
    """``minimize_cost`` or ``maximize_profit``."""
    level: Level
    """The decisions looked at (plan/decisions.py)."""
    trials: tuple[Trial, ...]
    """Every re-solve in the order made: LO, HI, then each midpoint."""
    bracket: tuple[Trial, Trial] | None
    """(a, b): a, the highest value tried with LO's decisions; b, the lowest above it with others.
    None when LO and HI have the same decisions."""

    @property
    def low(self) -> Trial:
        """The trial at LO: its value, objective and decisions."""
        return self.trials[0]

    @property
    def high(self) -> Trial:
        """The trial at HI: its value, objective and decisions."""
        return self.trials[1]

    @property
    def changes_again(self) -> bool:
        """b's decisions are not HI's: there is at least one more change between b and HI."""
        return self.bracket is not None and self.bracket[1].decisions != self.high.decisions


def default_tolerance(low: float, high: float) -> float:
    return (high - low) * RELATIVE_TOLERANCE


def find_breakeven(
    data: Any,
    path: str,
    low: float,
    high: float,
    *,
    tolerance: float | None = None,
    options: SolverOptions | None = None,
    on_trial: Callable[[Trial], None] | None = None,
    source: str = "<scenario>",
    level: Level | str = Level.STRATEGIC,
) -> Breakeven:
    """Bisect [low, high] on ``path`` to a bracket of width <= ``tolerance`` where the decisions at ``level``
    change.

    Decisions may change more than once in the range; bisection keeps the half whose ends differ
    and so finds one change. ``on_trial`` hears of each re-solve as it ends (for progress).
    ScenarioError for invalid data, ParameterError for a bad path, BreakevenError for a bad range or a value the
    scenario refuses, PlanningError (naming the value) where a re-solve has no plan.
    """
    parameter, level = Parameter.parse(path), Level(level)
    tolerance = default_tolerance(low, high) if tolerance is None else tolerance
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise BreakevenError(f"{path}: expected a range LO < HI, found {low:g} {high:g}")
    if not (math.isfinite(tolerance) and tolerance > 0):
        raise BreakevenError(f"{path}: expected a tolerance > 0, found {tolerance:g}")
    base = scenario_from_data(data, source, CHECKS)
    parameter.check(base)
    options = options or solver_options(base)
    trials: list[Trial] = []

    def trial(value: float) -> Trial:
        scenario = _scenario_at(parameter, data, value, source)
        try:
            plan = solve(scenario, options)
        except PlanningError as err:
            raise PlanningError(f"{path} = {value:g}: {err}") from None
        trials.append(Trial(value, plan.objective, plan.status, Decisions.of(plan, level)))
        if on_trial is not None:
            on_trial(trials[-1])
        return trials[-1]

    before, after = trial(low), trial(high)
    changed = before.decisions != after.decisions
    while changed and after.value - before.value > tolerance:
        middle = trial((before.value + after.value) / 2)
        if middle.decisions == before.decisions:
            before = middle
        else:
            after = middle
    return Breakeven(path, tolerance, base.currency, base.objective, level, tuple(trials),
                     (before, after) if changed else None)


def _scenario_at(parameter: Parameter, data: dict[str, Any], value: float, source: str) -> Scenario:
    try:
        return scenario_from_data(parameter.apply(data, value), source, CHECKS)
    except ScenarioError as err:
        problems = "; ".join(map(str, err.problems))
        raise BreakevenError(f"{parameter.path} = {value:g}: the scenario refuses it: {problems}") from None


__all__ = ["Breakeven", "BreakevenError", "Trial", "default_tolerance", "find_breakeven"]
