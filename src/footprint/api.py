"""The Python API: load a scenario, solve it, read a Plan back, explain it, find a breakeven, keep runs.

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
from footprint.analysis.explain import Alternative, ExplainError, Explanation, alternative, explain
from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.optimize.solve import PlanningError
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore, StoreError
from footprint.plan.tables import solve
from footprint.scenario.checks import Problem
from footprint.scenario.files import read_scenario, read_source
from footprint.scenario.scenario import Scenario
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


__all__ = [
    "Alternative",
    "Breakeven",
    "ExplainError",
    "Explanation",
    "Plan",
    "PlanningError",
    "RunStore",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "SolverOptions",
    "StoreError",
    "alternative",
    "breakeven",
    "check",
    "explain",
    "load",
    "read_plan",
    "solve",
]
