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

import dataclasses
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

import highspy
import numpy as np

from footprint.optimize.highs import ProgramArrays, SolverOptions, SolveStatus, run, set_options, set_start
from footprint.optimize.model import FootprintModel
from footprint.optimize.solve import Solved, compile_model, solve_compiled, solver_options
from footprint.scenario.model.scenario import Scenario

MAX_CHANGED_COEFFICIENTS = 0.25
"""Beyond this share of the matrix's entries changed, a new instance is cheaper than entry-by-entry edits."""


CHOOSE_SIMPLEX = 0
"""HiGHS's simplex_strategy for "primal or dual, as suits the basis"."""
WARM_TRIALS = 3
"""Warm re-solves timed before deciding whether they pay for a structure."""
WARM_TIME_SHARE, WARM_TIME_MARGIN = 1.0, 0.05
"""A warm re-solve may take the structure's cold solve time times the share, plus the margin (seconds)."""


def structure_key(arrays: ProgramArrays) -> str:
    """What must be equal for a warm re-solve: sizes, which variables are integer, the matrix's pattern."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.asarray(arrays.matrix.shape, dtype=np.int64).tobytes())
    for part in (arrays.matrix.starts, arrays.matrix.indices, np.packbits(arrays.integer)):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def _changed(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    return np.flatnonzero(old != new).astype(np.int32)


@dataclass(frozen=True)
class _Changes:
    """What differs between two programs of one structure, by position."""

    coefficients: np.ndarray
    cost: np.ndarray
    bounds: np.ndarray
    rows: np.ndarray
    offset: bool

    @classmethod
    def between(cls, old: ProgramArrays, new: ProgramArrays) -> _Changes:
        return cls(_changed(old.matrix.values, new.matrix.values), _changed(old.cost, new.cost),
                   np.union1d(_changed(old.lower, new.lower), _changed(old.upper, new.upper)).astype(np.int32),
                   np.union1d(_changed(old.row_lower, new.row_lower),
                              _changed(old.row_upper, new.row_upper)).astype(np.int32),
                   old.offset != new.offset)

    def hand_over(self, highs: highspy.Highs, arrays: ProgramArrays) -> None:
        """Give ``highs`` (holding the old program) the new values."""
        columns = np.searchsorted(arrays.matrix.starts, self.coefficients, side="right") - 1
        for entry, column in zip(self.coefficients.tolist(), columns.tolist(), strict=True):
            highs.changeCoeff(int(arrays.matrix.indices[entry]), column, float(arrays.matrix.values[entry]))
        if len(self.cost):
            highs.changeColsCost(len(self.cost), self.cost, arrays.cost[self.cost])
        if len(self.bounds):
            highs.changeColsBounds(len(self.bounds), self.bounds, arrays.lower[self.bounds],
                                   arrays.upper[self.bounds])
        if len(self.rows):
            highs.changeRowsBounds(len(self.rows), self.rows, arrays.row_lower[self.rows], arrays.row_upper[self.rows])
        if self.offset:
            highs.changeObjectiveOffset(arrays.offset)


@dataclass
class _Held:
    highs: highspy.Highs
    arrays: ProgramArrays
    values: np.ndarray
    """The last plan (a MILP's starting incumbent for the next re-solve)."""
    cold_seconds: float
    """How long this structure took to solve from nothing: a warm re-solve taking longer is stopped."""
    costs_warm: bool = True
    """Whether futures that change costs still go warm: not once one has taken longer than a cold solve."""
    warm_seconds: tuple[float, ...] = ()
    """How long the warm re-solves of this structure took (the last few)."""

    @property
    def warm_pays(self) -> bool:
        """Whether warm re-solves are quicker than the cold solve, once a few have been timed (on a small MILP
        the branch and bound takes as long either way and the hand-over is extra)."""
        timed = len(self.warm_seconds)
        return timed < WARM_TRIALS or sum(self.warm_seconds) / timed < self.cold_seconds


class WarmSolver:
    """Solves scenarios one after another, re-solving warm where the model's structure was seen before.

    ``keep``: how many structures' solver instances to hold (the least recently used goes first);
    ``adapt``: whether to go cold where warm does not pay (below).
    A Solved it returns shares its HiGHS instance with the solver: read it, do not change it.

    Whether warm pays depends on how far the answer moves. New limits (demand, capacity) leave the
    last basis dual feasible and the dual simplex goes on from it in a few iterations; new costs
    (FX, tariffs) leave it primal feasible, and when many change the primal simplex from there can
    take longer than a cold solve, which HiGHS presolves first. So a warm re-solve may take at most
    as long as this structure's cold solve did (and a little more); one that runs out is solved cold,
    and the structure's cost-changing futures go cold from then on. And where warm re-solves turn out
    no quicker than the cold solve on average (a small MILP), the structure is solved cold.
    """

    def __init__(self, keep: int = 2, *, adapt: bool = True) -> None:
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._keep = keep
        self._adapt = adapt
        """False: re-solve warm whenever the structure allows, however long it takes (for tests)."""
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
        if held is not None:
            solved = self._warm(held, model, arrays, options, started)
            if solved is not None:
                self.warm += 1
                timed = (*held.warm_seconds, solved.solution.seconds)[-WARM_TRIALS:]
                self._hold(key, _Held(held.highs, arrays, solved.solution.values, held.cold_seconds, held.costs_warm,
                                      timed))
                return solved
        # A new structure, too many changes, or no plan found warm in time: solve afresh (with its diagnosis).
        self.cold += 1
        solved = solve_compiled(model, arrays, options, started)
        self._hold(key, _Held(solved.highs, arrays, solved.solution.values, solved.solution.seconds,
                              held.costs_warm if held is not None else True,
                              held.warm_seconds if held is not None else ()))
        return solved

    def _warm(self, held: _Held, model: FootprintModel, arrays: ProgramArrays, options: SolverOptions,
              started: float) -> Solved | None:
        if self._adapt and not held.warm_pays:
            return None
        changes = _Changes.between(held.arrays, arrays)
        if len(changes.coefficients) > MAX_CHANGED_COEFFICIENTS * max(arrays.matrix.nnz, 1):
            return None
        costs = bool(len(changes.cost) or len(changes.coefficients))
        if self._adapt and costs and not held.costs_warm:
            return None
        changes.hand_over(held.highs, arrays)
        set_options(held.highs, options)
        held.highs.setOptionValue("simplex_strategy", CHOOSE_SIMPLEX)  # primal or dual, whichever the basis suits
        if model.is_mip and len(held.values):
            set_start(held.highs, held.values)  # an incumbent from the first node
        cap = held.cold_seconds * WARM_TIME_SHARE + WARM_TIME_MARGIN
        left = options.seconds_left()
        capped = self._adapt and (left is None or cap < left)
        warm_options = dataclasses.replace(options, time_limit=min(cap, options.time_limit or cap)) if capped \
            else options
        build_seconds = time.perf_counter() - started
        solution = run(held.highs, model.is_mip, options=warm_options)
        if solution.status is SolveStatus.TIME_LIMIT and capped:
            held.costs_warm = held.costs_warm and not costs
            return None
        return Solved(model, held.highs, solution, build_seconds) if solution.status.has_plan else None

    def _hold(self, key: str, held: _Held) -> None:
        self._held[key] = held
        while len(self._held) > self._keep:
            self._held.popitem(last=False)


__all__ = ["WarmSolver", "structure_key"]
