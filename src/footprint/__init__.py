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

if TYPE_CHECKING:
    from footprint.api import (
        Alternative,
        Breakeven,
        ExplainError,
        Explanation,
        Plan,
        PlanningError,
        RunStore,
        Scenario,
        ScenarioError,
        ScenarioWarning,
        SolverOptions,
        StoreError,
        alternative,
        breakeven,
        check,
        explain,
        load,
        read_plan,
        solve,
    )


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("footprint.api"), name)
    raise AttributeError(f"module 'footprint' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
