"""Warm re-solves: one process solving scenario after scenario keeps each model structure's HiGHS instance.

A sweep's futures usually differ only in numbers (FX rates, tariffs, demand): the model has the
same variables, rows and matrix pattern, and only costs, bounds, right-hand sides or a few
coefficients change. For such a future the solver is handed just what changed, and HiGHS starts
from where it stopped: the last basis for an LP (a hot-started simplex), the last plan as a
starting incumbent for a MILP. Any other change of structure builds a new instance. A warm
re-solve that finds no plan is done again cold, so a future's answer never depends on the one
solved before it.

HiGHS objects never leave the process that made them: the sweep keeps one WarmSolver per worker.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

import highspy
import numpy as np

from footprint.optimize.highs import ProgramArrays, SolverOptions, run, set_options
from footprint.optimize.solve import Solved, compile_model, solve_compiled, solver_options
from footprint.scenario.scenario import Scenario

MAX_CHANGED_COEFFICIENTS = 0.25
"""Beyond this share of the matrix's entries changed, a new instance is cheaper than entry-by-entry edits."""


SIMPLEX_STRATEGY = {"choose": 0, "dual": 1, "primal": 4}
"""HiGHS's simplex_strategy option values."""


def structure_key(arrays: ProgramArrays) -> str:
    """What must be equal for a warm re-solve: sizes, which variables are integer, the matrix's pattern."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.asarray(arrays.matrix.shape, dtype=np.int64).tobytes())
    for part in (arrays.matrix.starts, arrays.matrix.indices, np.packbits(arrays.integer)):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


@dataclass
class _Held:
    highs: highspy.Highs
    arrays: ProgramArrays
    values: np.ndarray
    """The last plan (a MILP's starting incumbent for the next re-solve)."""


def _changed(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    return np.flatnonzero(old != new).astype(np.int32)


def _hand_over_changes(held: _Held, arrays: ProgramArrays) -> str | None:
    """Give ``held``'s solver what differs in ``arrays`` (same structure), and say which simplex suits the
    re-solve; None if too much changed for edits to be worth it."""
    highs, old = held.highs, held.arrays
    coefficients = _changed(old.matrix.values, arrays.matrix.values)
    if len(coefficients) > MAX_CHANGED_COEFFICIENTS * max(arrays.matrix.nnz, 1):
        return None
    if len(coefficients):
        columns = np.searchsorted(arrays.matrix.starts, coefficients, side="right") - 1
        for entry, column in zip(coefficients.tolist(), columns.tolist(), strict=True):
            highs.changeCoeff(int(arrays.matrix.indices[entry]), column, float(arrays.matrix.values[entry]))
    if len(cost := _changed(old.cost, arrays.cost)):
        highs.changeColsCost(len(cost), cost, arrays.cost[cost])
    if len(bounds := np.union1d(_changed(old.lower, arrays.lower), _changed(old.upper, arrays.upper))):
        bounds = bounds.astype(np.int32)
        highs.changeColsBounds(len(bounds), bounds, arrays.lower[bounds], arrays.upper[bounds])
    if len(rows := np.union1d(_changed(old.row_lower, arrays.row_lower), _changed(old.row_upper, arrays.row_upper))):
        rows = rows.astype(np.int32)
        highs.changeRowsBounds(len(rows), rows, arrays.row_lower[rows], arrays.row_upper[rows])
    if old.offset != arrays.offset:
        highs.changeObjectiveOffset(arrays.offset)
    # The last basis stays primal feasible when only costs change (primal simplex goes on from it) and
    # dual feasible when only limits do (dual simplex); after both, HiGHS's own choice.
    if len(cost) and not (len(coefficients) or len(bounds) or len(rows)):
        return "primal"
    if not len(cost) and not len(coefficients):
        return "dual"
    return "choose"


class WarmSolver:
    """Solves scenarios one after another, re-solving warm where the model's structure was seen before.

    ``keep``: how many structures' solver instances to hold (the least recently used goes first).
    A Solved it returns shares its HiGHS instance with the solver: read it, do not change it.
    """

    def __init__(self, keep: int = 2) -> None:
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._keep = keep
        self.warm = 0
        """Re-solves made warm so far."""
        self.cold = 0
        """Solves made from a new instance so far."""

    def solve(self, scenario: Scenario, options: SolverOptions | None = None) -> Solved:
        """The solved model of ``scenario``, as ``solve_model`` gives it; PlanningError when there is no plan."""
        options = options or solver_options(scenario)
        started = time.perf_counter()
        model = compile_model(scenario)
        arrays = ProgramArrays.of(model.program)
        key = structure_key(arrays)
        held = self._held.pop(key, None)
        simplex = None if held is None else _hand_over_changes(held, arrays)
        if held is not None and simplex is not None:
            set_options(held.highs, options)
            held.highs.setOptionValue("simplex_strategy", SIMPLEX_STRATEGY[simplex])
            if model.is_mip and len(held.values):
                start = highspy.HighsSolution()
                start.col_value = held.values.tolist()
                held.highs.setSolution(start)  # an incumbent from the first node: HiGHS drops it if infeasible
            build_seconds = time.perf_counter() - started
            solution = run(held.highs, model.is_mip, options=options)
            if solution.status.has_plan:
                self.warm += 1
                self._hold(key, _Held(held.highs, arrays, solution.values))
                return Solved(model, held.highs, solution, build_seconds)
        # A new structure, too many changes, or no plan found warm: solve afresh (with its diagnosis).
        self.cold += 1
        solved = solve_compiled(model, arrays, options, started)
        self._hold(key, _Held(solved.highs, arrays, solved.solution.values))
        return solved

    def _hold(self, key: str, held: _Held) -> None:
        self._held[key] = held
        while len(self._held) > self._keep:
            self._held.popitem(last=False)


__all__ = ["WarmSolver", "structure_key"]
