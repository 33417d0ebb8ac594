"""footprint: plan a global manufacturing footprint.

    import footprint as fp
    plan = fp.solve(fp.load("net.yaml"))

The names below are those of :mod:`footprint.api`, imported when first used, so that the
command line starts without loading the solver, pandas or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "Alternative",
    "Breakeven",
    "Comparison",
    "ExplainError",
    "Explanation",
    "Future",
    "Level",
    "Plan",
    "PlanningError",
    "RunStore",
    "Scenario",
    "ScenarioError",
    "ScenarioSet",
    "ScenarioWarning",
    "SolverOptions",
    "StochasticPlan",
    "StoreError",
    "SweepOutcome",
    "SweepSummary",
    "Tornado",
    "alternative",
    "breakeven",
    "check",
    "compare",
    "explain",
    "futures",
    "load",
    "read_plan",
    "read_set",
    "read_stochastic",
    "save_stochastic",
    "sensitivity",
    "solve",
    "stochastic",
    "sweep",
    "sweep_summary",
]

if TYPE_CHECKING:
    from footprint.api import (
        Alternative,
        Breakeven,
        Comparison,
        ExplainError,
        Explanation,
        Future,
        Level,
        Plan,
        PlanningError,
        RunStore,
        Scenario,
        ScenarioError,
        ScenarioSet,
        ScenarioWarning,
        SolverOptions,
        StoreError,
        SweepSummary,
        alternative,
        breakeven,
        check,
        compare,
        explain,
        futures,
        load,
        read_plan,
        read_set,
        solve,
        sweep_summary,
    )


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("footprint.api"), name)
    raise AttributeError(f"module 'footprint' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
