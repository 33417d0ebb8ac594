"""The Python API: load a scenario, solve it, read a Plan back, explain it, find a breakeven, list a set's
futures, compare two Plans, sum up a sweep, keep runs.

    import footprint as fp
    plan = fp.solve(fp.load("net.yaml"))
    print(plan.objective, plan.builds)

It is what the command line does, as functions; ``footprint`` re-exports them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from footprint.analysis.breakeven import Breakeven, Trial, find_breakeven
from footprint.analysis.compare import Comparison
from footprint.analysis.compare import compare as compare_plans
from footprint.analysis.explain import Alternative, ExplainError, Explanation, alternative, explain
from footprint.analysis.summary import SweepSummary, sweep_summary
from footprint.economics.checks import CHECKS
from footprint.economics.futures import expand
from footprint.optimize.highs import SolverOptions
from footprint.optimize.solve import PlanningError
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore, StoreError
from footprint.plan.tables import solve
from footprint.scenario.checks import Problem
from footprint.scenario.files import read_scenario, read_source
from footprint.scenario.scenario import Scenario
from footprint.scenario.sets import Future, ScenarioSet, read_set
from footprint.scenario.sources import ScenarioError


class ScenarioWarning(UserWarning):
    """A scenario that is valid but probably not what was meant (a rate of 25 for 25%)."""


def load(path: str | Path, *, strict: bool = False) -> Scenario:
    """The scenario in a file (YAML, a variant's base merged in), with every check run.

    ScenarioError lists every problem; warnings are issued as ScenarioWarning, or raised as
    problems with ``strict``.
    """
    loaded = read_scenario(path, CHECKS, strict=strict)
    for problem in loaded.warnings:
        warnings.warn(str(problem), ScenarioWarning, stacklevel=2)
    return loaded.scenario


def check(path: str | Path) -> list[Problem]:
    """The warnings of a valid scenario file (ScenarioError if it is not valid)."""
    return read_scenario(path, CHECKS).warnings


def read_plan(folder: str | Path) -> Plan:
    """A Plan written by ``footprint run --out`` or ``Plan.write``."""
    return Plan.read(folder)


def compare(a: Plan | str | Path, b: Plan | str | Path, names: tuple[str, str] = ("A", "B")) -> Comparison:
    """Plan ``b`` against plan ``a`` (each a Plan or a results folder): the decisions, flows, costs and KPIs
    that differ (see :class:`Comparison`)."""
    return compare_plans(*(plan if isinstance(plan, Plan) else Plan.read(plan) for plan in (a, b)), names=names)


def breakeven(scenario: str | Path | dict[str, Any], param: str, low: float, high: float, *,
              tolerance: float | None = None, options: SolverOptions | None = None,
              on_trial: Callable[[Trial], None] | None = None) -> Breakeven:
    """Where between ``low`` and ``high`` the plan's decisions change as ``param`` moves (see the README
    for parameter paths); ``scenario`` is a file or plain scenario data."""
    if isinstance(scenario, dict):
        data, name = scenario, "<scenario>"
    else:
        source = read_source(scenario)
        data, name = source.data, source.name
    return find_breakeven(data, param, low, high, tolerance=tolerance, options=options, on_trial=on_trial,
                          source=name)


def futures(scenario_set: str | Path | ScenarioSet, n: int | None = None, seed: int | None = None) -> list[Future]:
    """The futures of a scenario set (a file, a bundled set such as ``rogue-2012/futures``, or one read with
    ``read_set``), their probabilities adding up to 1. ``n`` replaces the number of samples of each sampling
    generator (with ``combine: sample``, the number of futures drawn), ``seed`` the set's seed. Each future's
    ``apply(data)`` gives its scenario data; ScenarioError for a bad set, naming its lines."""
    read = scenario_set if isinstance(scenario_set, ScenarioSet) else read_set(scenario_set)
    return expand(read, n=n, seed=seed)


__all__ = [
    "Alternative",
    "Breakeven",
    "Comparison",
    "ExplainError",
    "Explanation",
    "Future",
    "Plan",
    "PlanningError",
    "RunStore",
    "Scenario",
    "ScenarioError",
    "ScenarioSet",
    "ScenarioWarning",
    "SolverOptions",
    "StoreError",
    "SweepSummary",
    "alternative",
    "breakeven",
    "check",
    "compare",
    "explain",
    "futures",
    "load",
    "read_plan",
    "read_set",
    "solve",
    "sweep_summary",
]
