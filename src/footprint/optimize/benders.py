"""Benders decomposition of a two-stage plan (the L-shaped method, one cut per future).

The decisions made now (x, the shared columns) go to a master MILP; each future's own columns (its
flows and lost sales) are that future's subproblem, an LP once x is fixed, since every integer
decision is made now. Each round the master proposes x; every future solves its LP at x and returns
its own cost there and how that cost changes with x (the reduced costs of the fixed columns): an
optimality cut theta_f >= v + g (x - x_hat). A future that cannot carry x out returns the least total
violation of its rows at x and its slope instead, a feasibility cut that rules x out.

The bounds are proven, and checked:
- the lower bound is the master's proven bound (HiGHS's dual bound of the MILP, or the optimum of its LP
  relaxation), kept as a running maximum. The master holds only valid cuts, so a bound that falls by more
  than the master's own gap, or rises above a plan's cost, is a numerical failure: BoundError, never a
  silent answer. The bound that ends the run is confirmed by solving the final master again from nothing,
  with presolve off;
- the upper bound is the objective of the best x that every future carried out, each future's cost
  measured by its own LP.

Converging where cost or feasibility drives the plan:
- the master's rows are scaled (theta_f = own_bound_f + S t_f with t_f >= 0, S a power of ten near the
  costs) and it is built afresh for each solve: HiGHS then keeps its tolerances on every row, where a
  master holding costs of tens of billions beside coefficients of 1e-5 returned bounds above the optimum;
- the LP relaxation of the master is solved first (Kelley's cutting planes with in-out stabilization:
  cuts separated between the master's point and a core point that moves towards it), so that the MILP
  starts from a good outer approximation (McDaniel and Devine's two phases; Ben-Ameur and Neto's in-out;
  Fischetti, Ljubic and Sinnl's redesign for facility location);
- a feasibility cut comes first from the future's program without its variable-upper-bound rows (a flow
  at most U times a decision made now: redundant once the decision is whole): its cut says how much
  capacity must open ("open capacity covering demand"), where the cut of the full program says only
  "open one more site". Only where that relaxation can carry x out is the full program's cut used.

Memory is that of one future: a worker holds one HiGHS instance and each of its futures as its
difference from the first one it saw of its structure (costs, bounds, right-hand sides, coefficients)
and its last basis (optimize/warm.py's hand-over); the master holds the shared columns and the cuts.

The master's objective is sum_f p_f (c_f x + theta_f), plus risk_weight times the CVaR at alpha of the
futures' costs c_f x + theta_f in the Rockafellar-Uryasev form, as in optimize/stochastic.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np

from footprint.optimize.highs import ProgramArrays, SolverOptions, SolveStatus, run, set_bounds, set_start, to_highs
from footprint.optimize.lp import ColumnMatrix
from footprint.optimize.stochastic import amount_scale
from footprint.optimize.warm import _Changes, structure_key

FEASIBLE = 1e-9
"""A future's least total violation at or below this (relative to its right-hand sides) is no violation."""
NUMERICS = 1e-9
"""Relative slack of the bound checks beyond the master's own gap: what floating point leaves between solves."""


class BendersError(ValueError):
    """Benders cannot solve this plan: a decision per future is integer, a future's costs are unbounded, or the
    master proposes what no future accepts."""


class BoundError(BendersError):
    """The bounds failed their check (the lower bound fell, or rose above a plan's cost): a numerical failure of
    a solve, not a property of the plan."""


class CutKind(StrEnum):
    OPTIMALITY = "optimality"
    FEASIBILITY = "feasibility"
    STOPPED = "stopped"
    """The future's LP stopped (time limit, interrupted) before it had an answer."""


@dataclass(frozen=True)
class SharedPart:
    """What one future tells the master about the decisions made now."""

    labels: str
    """A digest of the shared columns' blocks and index rows: equal for futures that share the same decisions."""
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    cost: np.ndarray
    """The future's costs of the shared columns (c_f)."""
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    """The future's rows over shared columns alone: (row of each entry, shared column, value, lower, upper)."""
    own_bound: float
    """A lower bound of the future's own cost, whatever x (its LP relaxation's own cost, x free)."""


@dataclass(frozen=True)
class Cut:
    """A future's answer at x_hat: its own cost there and its slope (optimality), its least violation and the
    violation's slope (feasibility), or why its LP stopped."""

    future: int
    kind: CutKind
    value: float
    slope: np.ndarray
    total: float = float("nan")
    """The future's whole NPV cost at x_hat (c_f x_hat + own cost), as its program has it, when feasible."""
    true_total: float = float("nan")
    """The same without the flows' tie-break (optimize/model.py): what the plan reports."""
    message: str = ""

    @property
    def feasible(self) -> bool:
        return self.kind is CutKind.OPTIMALITY


def _digest(*parts: np.ndarray | str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def _entry_columns(matrix: ColumnMatrix) -> np.ndarray:
    return np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.starts))


def shared_rows(arrays: ProgramArrays, shared: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows whose every entry is in a shared column, renumbered: (row, shared column, value, lower, upper)."""
    matrix = arrays.matrix
    columns = _entry_columns(matrix)
    rows = matrix.indices.astype(np.int64)
    elsewhere = np.zeros(matrix.shape[0], bool)
    elsewhere[rows[~shared[columns]]] = True
    touched = np.zeros(matrix.shape[0], bool)
    touched[rows] = True
    pure = touched & ~elsewhere
    keep = pure[rows]
    number = np.cumsum(pure) - 1
    position = np.cumsum(shared) - 1
    order = np.argsort(rows[keep], kind="stable")
    return (number[rows[keep]][order], position[columns[keep]][order], matrix.values[keep][order],
            arrays.row_lower[pure], arrays.row_upper[pure])


def upper_bound_rows(arrays: ProgramArrays, shared: np.ndarray) -> np.ndarray:
    """Rows that bound one own column by decisions made now (flow - U x <= 0, one-sided): the per-flow links of
    facility location, implied by the capacity rows once x is whole."""
    matrix = arrays.matrix
    rows = matrix.indices.astype(np.int64)
    own = ~shared[_entry_columns(matrix)]
    n_rows = matrix.shape[0]
    own_count = np.bincount(rows[own], minlength=n_rows)
    shared_count = np.bincount(rows[~own], minlength=n_rows)
    one_sided = ~np.isfinite(arrays.row_lower) | ~np.isfinite(arrays.row_upper)
    return (own_count == 1) & (shared_count > 0) & one_sided


def _with_rows(arrays: ProgramArrays, keep: np.ndarray) -> ProgramArrays:
    """``arrays`` with only the rows where ``keep`` holds (renumbered)."""
    matrix = arrays.matrix
    rows = matrix.indices.astype(np.int64)
    entries = keep[rows]
    number = (np.cumsum(keep) - 1).astype(np.int32)
    counts = np.bincount(_entry_columns(matrix)[entries], minlength=matrix.shape[1])
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    kept = ColumnMatrix(starts, number[rows[entries]], matrix.values[entries], (int(keep.sum()), matrix.shape[1]))
    return ProgramArrays(kept, arrays.cost, arrays.lower, arrays.upper, arrays.row_lower[keep],
                         arrays.row_upper[keep], arrays.integer, arrays.offset)


def _relaxed(arrays: ProgramArrays) -> ProgramArrays:
    return ProgramArrays(arrays.matrix, arrays.cost, arrays.lower, arrays.upper, arrays.row_lower,
                         arrays.row_upper, np.zeros_like(arrays.integer), arrays.offset)


@dataclass
class _Delta:
    """A future's program as its difference from a reference program of the same structure."""

    key: str
    positions: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    offset: float


_FIELDS = ("cost", "lower", "upper", "row_lower", "row_upper", "coefficients")


def _field(arrays: ProgramArrays, name: str) -> np.ndarray:
    return arrays.matrix.values if name == "coefficients" else getattr(arrays, name)


@dataclass(frozen=True)
class _Structure:
    """What futures of one structure (the same columns, rows and matrix pattern) share."""

    reference: ProgramArrays
    shared: np.ndarray
    """Which of its columns are decided now."""
    links: np.ndarray
    """Its variable-upper-bound rows (upper_bound_rows)."""


@dataclass
class Subproblems:
    """One worker's futures, each an LP with the shared columns fixed, solved one after another on one HiGHS
    instance per structure (the least recently used let go beyond ``keep``). Futures may differ in structure
    (a demand of 0 leaves out its flows): only their decisions made now must line up."""

    options: SolverOptions
    keep: int = 1
    _structures: dict[str, _Structure] = field(default_factory=dict)
    _futures: dict[int, _Delta] = field(default_factory=dict)
    _held: dict[str, tuple[highspy.Highs, ProgramArrays]] = field(default_factory=dict)
    _bases: dict[int, highspy.HighsBasis] = field(default_factory=dict)
    """Each future's last optimal basis (a few bytes a column): its next LP starts there."""
    _ties: dict[str, np.ndarray] = field(default_factory=dict)
    _tie_of: dict[int, str] = field(default_factory=dict)
    """Each future's tie-break per column (what its costs include beyond the true ones), kept once for futures
    that share it."""

    def __contains__(self, future: int) -> bool:
        return future in self._futures

    def add(self, future: int, arrays: ProgramArrays, shared: np.ndarray, labels: str,
            tie: np.ndarray | None = None) -> SharedPart:
        """Hold ``future``'s program (its model's arrays, ``shared`` its columns decided now, ``tie`` what its
        costs include beyond the true ones: the flows' tie-break) and say what it shares."""
        if (arrays.integer & ~shared).any():
            raise BendersError("an integer decision is made per future (revise_from, or the decisions made now "
                               "narrowed): Benders needs every integer decision made now")
        integer = arrays.integer[shared]
        arrays = _relaxed(arrays)
        key = structure_key(arrays)
        structure = self._structures.setdefault(key, _Structure(arrays, shared, upper_bound_rows(arrays, shared)))
        positions, values = {}, {}
        for name in _FIELDS:
            new = _field(arrays, name)
            changed = np.flatnonzero(_field(structure.reference, name) != new).astype(np.int32)
            positions[name], values[name] = changed, new[changed]
        self._futures[future] = _Delta(key, positions, values, arrays.offset)
        tie = np.zeros(len(arrays.cost)) if tie is None else tie
        self._tie_of[future] = _digest(tie)
        self._ties.setdefault(self._tie_of[future], tie)
        own_cost = np.where(shared, 0.0, arrays.cost)
        bound = self._solve(future, _with_cost(arrays, own_cost), None)
        if bound.status in (SolveStatus.NO_SOLUTION, SolveStatus.TIME_LIMIT):
            raise BendersError(f"the time limit ran out while future {future} was set up, before any plan was found")
        if bound.status is not SolveStatus.OPTIMAL:
            raise BendersError(f"future {future}'s own costs are unbounded below or it has no plan even with the "
                               f"decisions made now free ({bound.message}); use the extensive form")
        return SharedPart(labels, arrays.lower[shared], arrays.upper[shared], integer, arrays.cost[shared],
                          shared_rows(arrays, shared), bound.objective)

    def _structure(self, future: int) -> _Structure:
        return self._structures[self._futures[future].key]

    def arrays(self, future: int) -> ProgramArrays:
        """``future``'s program, rebuilt from its reference and its difference."""
        delta = self._futures[future]
        reference = self._structures[delta.key].reference
        fields = {}
        for name in _FIELDS:
            values = _field(reference, name).copy()
            values[delta.positions[name]] = delta.values[name]
            fields[name] = values
        matrix = ColumnMatrix(reference.matrix.starts, reference.matrix.indices, fields["coefficients"],
                              reference.matrix.shape)
        return ProgramArrays(matrix, fields["cost"], fields["lower"], fields["upper"], fields["row_lower"],
                             fields["row_upper"], reference.integer, delta.offset)

    def _instance(self, key: str, arrays: ProgramArrays) -> highspy.Highs:
        held = self._held.pop(key, None)
        if held is None:
            highs = to_highs(arrays, self.options)
        else:
            highs, before = held
            _Changes.between(before, arrays).hand_over(highs, arrays)
        self._held[key] = (highs, arrays)
        while len(self._held) > self.keep:
            self._held.pop(next(iter(self._held)))
        return highs

    def _solve(self, future: int, arrays: ProgramArrays, x: np.ndarray | None, *, limited: bool = True) -> _Answer:
        """``future``'s LP with the shared columns at ``x`` (free if None), from its last basis; within the time left
        unless not ``limited``."""
        key = self._futures[future].key
        try:
            return self._solve_on(key, future, arrays, x, self.options if limited else None)
        except BaseException:  # Ctrl-C in the middle: the instance's state is unknown, let it go
            self._held.pop(key, None)
            raise

    def _solve_on(self, key: str, future: int, arrays: ProgramArrays, x: np.ndarray | None,
                  options: SolverOptions | None) -> _Answer:
        columns = np.flatnonzero(self._structures[key].shared)
        highs = self._instance(key, arrays)
        if x is not None:
            set_bounds(highs, columns, x, x)
        if future in self._bases:  # from where this future's LP ended last round: only x has moved since
            highs.setBasis(self._bases[future])
        solution = run(highs, False, duals=True, options=options)
        if solution.status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION,
                                   SolveStatus.TIME_LIMIT):  # the warm start lost its way: once more, cold
            self._held.pop(key, None)
            highs = self._instance(key, arrays)
            if x is not None:
                set_bounds(highs, columns, x, x)
            solution = run(highs, False, duals=True, options=options)
        if solution.status is SolveStatus.OPTIMAL:
            self._bases[future] = highs.getBasis()
        if x is not None:  # the instance holds the future's own bounds again for the next hand-over
            set_bounds(highs, columns, arrays.lower[columns], arrays.upper[columns])
        slope = solution.reduced_costs[columns] if solution.reduced_costs is not None else None
        return _Answer(solution.status, solution.objective, slope, solution.values, solution.message)

    def cut(self, future: int, x: np.ndarray) -> Cut:
        """``future``'s cut at ``x`` (the shared columns' values)."""
        arrays = self.arrays(future)
        answer = self._solve(future, arrays, x)
        if answer.status is SolveStatus.OPTIMAL:
            return self._optimality_cut(future, arrays, answer, x)
        if answer.status is SolveStatus.INFEASIBLE:
            return self._feasibility_cut(future, arrays, x)
        if answer.status in (SolveStatus.NO_SOLUTION, SolveStatus.TIME_LIMIT):
            return Cut(future, CutKind.STOPPED, math.nan, np.zeros(len(x)), message=answer.message)
        raise BendersError(f"future {future}'s LP at the master's decisions stopped: {answer.message}")

    def _feasibility_cut(self, future: int, arrays: ProgramArrays, x: np.ndarray) -> Cut:
        """The least total violation of ``future``'s rows at ``x`` and its slope in x: where it is positive, x is
        ruled out by violation + slope (x' - x) <= 0. From the program without its per-flow links first (a
        relaxation, so its cut is valid too, and it says how much must open), else from the whole program."""
        structure = self._structure(future)
        bounds = np.concatenate([arrays.row_lower, arrays.row_upper])
        least = FEASIBLE * (1.0 + float(np.abs(bounds[np.isfinite(bounds)]).max(initial=0.0)))
        programs = [arrays] if not structure.links.any() else [_with_rows(arrays, ~structure.links), arrays]
        for program in programs:
            violation, slope = self._least_violation(future, program, x)
            if violation > least:
                if not np.any(slope):
                    raise BendersError(f"future {future} has no plan whatever the decisions made now (its rows "
                                       "conflict on their own); check it alone with `footprint sweep`")
                return Cut(future, CutKind.FEASIBILITY, violation, slope)
        # The simplex called it infeasible, but its rows can all be met: solve it cold.
        self._held.pop(self._futures[future].key, None)
        self._bases.pop(future, None)
        answer = self._solve(future, arrays, x)
        if answer.status is SolveStatus.OPTIMAL:
            return self._optimality_cut(future, arrays, answer, x)
        raise BendersError(f"future {future}: HiGHS calls its LP at the master's decisions infeasible, but each of "
                           "its rows can be met")

    def _least_violation(self, future: int, arrays: ProgramArrays, x: np.ndarray) -> tuple[float, np.ndarray]:
        highs = to_highs(_elastic(arrays), self.options)
        columns = np.flatnonzero(self._structure(future).shared)
        set_bounds(highs, columns, x, x)
        solution = run(highs, False, duals=True, options=self.options)
        if solution.status is not SolveStatus.OPTIMAL or solution.reduced_costs is None:
            raise BendersError(f"future {future}: its rows' least violation could not be found ({solution.message})")
        return solution.objective, solution.reduced_costs[columns]

    def _optimality_cut(self, future: int, arrays: ProgramArrays, answer: _Answer, x: np.ndarray) -> Cut:
        """theta's cut from an optimal LP at ``x``: its own cost there (all but the shared columns' costs) and the
        slope of that cost in x (the fixed columns' reduced costs less their costs)."""
        assert answer.slope is not None
        shared_cost = arrays.cost[self._structure(future).shared]
        tie = float(self._ties[self._tie_of[future]] @ answer.values)
        return Cut(future, CutKind.OPTIMALITY, answer.objective - float(shared_cost @ x),
                   answer.slope - shared_cost, answer.objective, answer.objective - tie)

    def values(self, future: int, x: np.ndarray) -> np.ndarray | None:
        """``future``'s column values with the shared columns at ``x`` (None: it has no plan there), whatever time
        is left: the plan's tables are made even once its time has run out."""
        answer = self._solve(future, self.arrays(future), x, limited=False)
        return answer.values if answer.status is SolveStatus.OPTIMAL else None


@dataclass(frozen=True)
class _Answer:
    status: SolveStatus
    objective: float
    slope: np.ndarray | None
    values: np.ndarray
    message: str


def _with_cost(arrays: ProgramArrays, cost: np.ndarray) -> ProgramArrays:
    return ProgramArrays(arrays.matrix, cost, arrays.lower, arrays.upper, arrays.row_lower, arrays.row_upper,
                         arrays.integer, arrays.offset)


def _elastic(arrays: ProgramArrays) -> ProgramArrays:
    """``arrays`` with costs zero and each row free to go below its lower bound and above its upper bound at a cost
    of 1 a unit (two more columns per row): its optimum is the least total violation."""
    n_rows, n_cols = arrays.matrix.shape
    matrix = arrays.matrix
    rows = np.arange(n_rows, dtype=np.int32)
    starts = np.concatenate([matrix.starts, matrix.nnz + np.arange(1, 2 * n_rows + 1)]).astype(np.int32)
    indices = np.concatenate([matrix.indices, rows, rows]).astype(np.int32)
    values = np.concatenate([matrix.values, np.ones(n_rows), -np.ones(n_rows)])
    extra = 2 * n_rows
    return ProgramArrays(ColumnMatrix(starts, indices, values, (n_rows, n_cols + extra)),
                         np.concatenate([np.zeros(n_cols), np.ones(extra)]),
                         np.concatenate([arrays.lower, np.zeros(extra)]),
                         np.concatenate([arrays.upper, np.full(extra, np.inf)]),
                         arrays.row_lower, arrays.row_upper, np.zeros(n_cols + extra, bool), 0.0)


def cvar(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> float:
    """The CVaR at ``alpha`` of ``costs``: min over eta of eta + E[(cost - eta)+] / (1 - alpha), which is reached at
    one of the costs."""
    return _cvar_threshold(costs, probabilities, alpha)[1]


def _cvar_threshold(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> tuple[float, float]:
    """The threshold eta at which the CVaR's minimum is reached (one of the costs), and the CVaR."""
    excess = np.maximum(costs[None, :] - costs[:, None], 0.0) @ probabilities
    values = costs + excess / (1 - alpha)
    best = int(np.argmin(values))
    return float(costs[best]), float(values[best])


@dataclass(frozen=True)
class Round:
    """One round of the master and the futures."""

    iteration: int
    lower: float
    """The proven lower bound so far (the running maximum of the master's bounds)."""
    upper: float
    gap: float
    seconds: float
    cuts: int
    feasibility_cuts: int
    phase: str = "master"
    """"lp": the master's LP relaxation (cuts at stabilized points); "master": the master itself."""


@dataclass(frozen=True)
class MasterPoint:
    """A solve of the master: its decisions, each future's theta there, its proven bound."""

    x: np.ndarray
    theta: np.ndarray
    bound: float
    objective: float


class Master:
    """The master program: the shared columns, one theta per future bounded by its cuts, and the CVaR's columns.

    Columns, scaled (S: amount_scale of the shared costs, L_f: future f's own bound): x; t_f with
    theta_f = L_f + S t_f, t_f >= 0; with risk, e and u_f with eta = S e and excess_f = S u_f. Rows: the futures'
    rows over x alone, the CVaR rows u_f - c_f x / S - t_f + e >= L_f / S, and the cuts. Each solve builds a
    HiGHS instance afresh from these arrays."""

    def __init__(self, parts: Sequence[SharedPart], probabilities: np.ndarray, *, risk_weight: float, alpha: float,
                 options: SolverOptions) -> None:
        first = parts[0]
        for number, part in enumerate(parts[1:], start=1):
            if part.labels != first.labels:
                raise BendersError(f"future {number}'s decisions made now are not those of the first future (the "
                                   "futures differ in options, plants, products or years); a stochastic plan needs "
                                   "one set of decisions to share")
        self.probabilities = probabilities
        self.risk_weight, self.alpha = risk_weight, alpha
        self.options = options
        self.n_shared = n = len(first.cost)
        futures = len(parts)
        self.costs = np.array([part.cost for part in parts])
        self.own_bounds = np.array([part.own_bound for part in parts])
        self.scale = amount_scale(self.costs)
        self.theta = n + np.arange(futures)
        risk = risk_weight > 0
        self.eta = n + futures if risk else None
        n_cols = n + futures + ((1 + futures) if risk else 0)
        self.lower, self.upper = np.full(n_cols, -np.inf), np.full(n_cols, np.inf)
        self.lower[:n] = np.max([part.lower for part in parts], axis=0)
        self.upper[:n] = np.min([part.upper for part in parts], axis=0)
        self.lower[self.theta] = 0.0
        self.cost = np.zeros(n_cols)
        self.cost[:n] = probabilities @ self.costs
        self.cost[self.theta] = probabilities * self.scale
        self.offset = float(probabilities @ self.own_bounds)
        self.integer = np.zeros(n_cols, bool)
        self.integer[:n] = first.integer
        self.is_mip = bool(first.integer.any())
        self._rows: list[tuple[np.ndarray, np.ndarray, float, float]] = []
        self._add_shared_rows(parts)
        if risk:
            assert self.eta is not None
            self.cost[self.eta] = risk_weight * self.scale
            excess = self.eta + 1 + np.arange(futures)
            self.lower[excess] = 0.0
            self.cost[excess] = risk_weight * self.scale * probabilities / (1 - alpha)
            for f, cost in enumerate(self.costs):  # u_f - c_f x / S - t_f + e >= L_f / S
                used = np.flatnonzero(cost)
                self._rows.append((np.concatenate([used, [self.theta[f], self.eta, excess[f]]]),
                                   np.concatenate([-cost[used] / self.scale, [-1.0, 1.0, 1.0]]),
                                   self.own_bounds[f] / self.scale, np.inf))
        self._cuts: list[list[tuple[np.ndarray, float]]] = [[] for _ in range(futures)]
        """Per future, its optimality cuts as t_f >= a x + b, for theta at a given x."""

    def _add_shared_rows(self, parts: Sequence[SharedPart]) -> None:
        seen: set[str] = set()
        for part in parts:
            rows, columns, values, lower, upper = part.rows
            bounds = np.searchsorted(rows, np.arange(len(lower) + 1))
            for r in range(len(lower)):
                span = slice(bounds[r], bounds[r + 1])
                key = _digest(columns[span], values[span], np.array([lower[r], upper[r]]))
                if key not in seen:
                    seen.add(key)
                    self._rows.append((columns[span], values[span], float(lower[r]), float(upper[r])))

    def _highs(self, relax: bool, options: SolverOptions) -> highspy.Highs:
        n_cols = len(self.cost)
        empty = ColumnMatrix(np.zeros(n_cols + 1, dtype=np.int32), np.zeros(0, np.int32), np.zeros(0), (0, n_cols))
        integer = np.zeros(n_cols, bool) if relax else self.integer
        highs = to_highs(ProgramArrays(empty, self.cost, self.lower, self.upper, np.zeros(0), np.zeros(0), integer,
                                       self.offset), options)
        if self._rows:
            lengths = np.array([len(columns) for columns, _, _, _ in self._rows])
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
            highs.addRows(len(self._rows), np.array([row[2] for row in self._rows]),
                          np.array([row[3] for row in self._rows]), int(lengths.sum()), starts,
                          np.concatenate([row[0] for row in self._rows]).astype(np.int32),
                          np.concatenate([row[1] for row in self._rows]).astype(np.float64))
        return highs

    def solve(self, *, relax: bool = False, start: np.ndarray | None = None, careful: bool = False) -> MasterPoint:
        """The master's x, its thetas, its proven bound and its objective. ``relax``: its LP relaxation; ``start``:
        an x every future carried out, a first incumbent; ``careful``: presolve off (to confirm a bound)."""
        options = dataclasses.replace(self.options, presolve=False) if careful else self.options
        highs = self._highs(relax, options)
        mip = self.is_mip and not relax
        if mip and start is not None:
            set_start(highs, self._point(start))
        solution = run(highs, mip, options=options)
        if solution.status is SolveStatus.INFEASIBLE:
            raise BendersError("no decisions made now can be carried out in every future (the feasibility cuts "
                               "rule every choice out)")
        if solution.status is SolveStatus.NO_SOLUTION:
            raise TimeoutError(solution.message)
        if not solution.status.has_plan:
            raise BendersError(f"the master problem stopped without a plan: {solution.message}")
        values = solution.values
        x = values[:self.n_shared]
        if mip:
            x = np.where(self.integer[:self.n_shared], np.round(x), x)
        bound = solution.bound if mip else solution.objective
        return MasterPoint(x, self.own_bounds + self.scale * values[self.theta], float(bound),
                           float(solution.objective))

    def theta_at(self, x: np.ndarray) -> np.ndarray:
        """Each future's theta at ``x`` as the cuts so far have it (its least value in the master)."""
        t = np.array([max([0.0, *(float(a @ x) + b for a, b in cuts)]) for cuts in self._cuts])
        return self.own_bounds + self.scale * t

    def _point(self, x: np.ndarray) -> np.ndarray:
        """The master's columns at ``x`` with the least thetas (and CVaR columns) the rows allow: a feasible start."""
        theta = self.theta_at(x)
        point = np.zeros(len(self.cost))
        point[:self.n_shared] = x
        point[self.theta] = (theta - self.own_bounds) / self.scale
        if self.eta is not None:
            totals = self.costs @ x + theta
            eta, _ = _cvar_threshold(totals, self.probabilities, self.alpha)
            point[self.eta] = eta / self.scale
            point[self.eta + 1:] = np.maximum(totals - eta, 0.0) / self.scale
        return point

    def add(self, cut: Cut, x: np.ndarray) -> None:
        """theta_f >= v + g (x' - x), as t_f - g x' / S >= (v - L_f - g x) / S (optimality), or
        g x' <= g x - violation, divided by the largest |g| (feasibility)."""
        used = np.flatnonzero(cut.slope)
        if cut.kind is CutKind.OPTIMALITY:
            f = cut.future
            a = cut.slope / self.scale
            b = (cut.value - self.own_bounds[f] - float(cut.slope @ x)) / self.scale
            self._cuts[f].append((a, b))
            self._rows.append((np.concatenate([used, [self.theta[f]]]), np.concatenate([-a[used], [1.0]]), b, np.inf))
        elif cut.kind is CutKind.FEASIBILITY:
            largest = float(np.abs(cut.slope).max())
            self._rows.append((used, cut.slope[used] / largest, -np.inf,
                               (float(cut.slope @ x) - cut.value) / largest))

    def objective(self, totals: np.ndarray) -> float:
        """The plan's objective from its futures' whole costs."""
        return plan_objective(totals, self.probabilities, self.risk_weight, self.alpha)


def plan_objective(totals: np.ndarray, probabilities: np.ndarray, risk_weight: float, alpha: float) -> float:
    """A plan's objective from its futures' whole costs: expected, plus risk_weight x CVaR at alpha."""
    expected = float(probabilities @ totals)
    return expected if risk_weight == 0 else expected + risk_weight * cvar(totals, probabilities, alpha)


@dataclass(frozen=True)
class Decomposed:
    """Benders' answer: the best decisions made now that every future carried out, and how the bounds met."""

    x: np.ndarray
    totals: np.ndarray
    """Each future's whole NPV cost under x, at true costs (without the flows' tie-break)."""
    objective: float
    """The plan's objective from those."""
    upper: float
    lower: float
    """The proven bounds (of the objective the programs minimize: with the tie-break, at most a few 1e-7 more)."""
    rounds: list[Round]
    status: SolveStatus
    """OPTIMAL when the bounds met within the gap; TIME_LIMIT, INTERRUPTED or ROUND_LIMIT when Benders stopped
    first (x the best found, with its gap)."""

    @property
    def gap(self) -> float:
        return relative_gap(self.lower, self.upper)


def relative_gap(lower: float, upper: float) -> float:
    """(upper - lower) / |upper| (|upper| taken as 1 where it is less: an amount of less than one currency unit is
    nothing); infinite without an upper bound; 0 where the lower bound lies above the upper by rounding (beyond it,
    the bound checks raise BoundError)."""
    if not np.isfinite(upper) or not np.isfinite(lower):
        return float("inf")
    return max(0.0, (upper - lower) / max(abs(upper), 1.0))


MAX_ROUNDS = 500
"""Rounds of the master before Benders gives up, with the best plan found and its gap (status round_limit)."""
IN_OUT = 0.5
"""In the LP phase, cuts are separated at IN_OUT x the master's point plus the rest x the core point."""
LP_STALL_ROUNDS, LP_STALL = 5, 1e-4
"""The LP phase ends once its bound has risen less than LP_STALL (relative) over LP_STALL_ROUNDS rounds."""


def _tolerance(value: float, gap: float) -> float:
    return (gap + NUMERICS) * max(1.0, abs(value))


@dataclass
class _Progress:
    """The loop's state: the proven bounds, the best plan, the rounds."""

    master: Master
    master_gap: float
    started: float
    lower: float = -np.inf
    upper: float = np.inf
    best: tuple[np.ndarray, np.ndarray] | None = None
    rounds: list[Round] = field(default_factory=list)

    def bound(self, bound: float) -> None:
        """Take a bound the master proved: checked against the kept one and the upper bound."""
        if bound < self.lower - _tolerance(self.lower, self.master_gap):
            raise BoundError(f"the master's lower bound fell from {self.lower:,.2f} to {bound:,.2f}, though it only "
                             "gains cuts")
        self.lower = max(self.lower, bound)
        self._check()

    def _check(self) -> None:
        if self.lower > self.upper + _tolerance(self.upper, self.master_gap):
            raise BoundError(f"the master's lower bound {self.lower:,.2f} is above the cost of a plan every future "
                             f"carried out ({self.upper:,.2f})")

    def offer(self, x: np.ndarray, cuts: list[Cut]) -> None:
        """A whole x and every future's answer there: a new upper bound if every future carried it out."""
        if all(cut.feasible for cut in cuts):
            totals = np.array([cut.total for cut in cuts])  # as the master has them: the bounds compare alike
            value = self.master.objective(totals)
            if value < self.upper:
                self.upper, self.best = value, (x, np.array([cut.true_total for cut in cuts]))
                self._check()

    @property
    def gap(self) -> float:
        return relative_gap(self.lower, self.upper)

    def record(self, added: list[Cut], phase: str, on_round: Callable[[Round], None]) -> None:
        infeasible = sum(cut.kind is CutKind.FEASIBILITY for cut in added)
        self.rounds.append(Round(len(self.rounds) + 1, self.lower, self.upper, self.gap,
                                 time.perf_counter() - self.started, len(added) - infeasible, infeasible, phase))
        on_round(self.rounds[-1])


def _whole(x: np.ndarray, integer: np.ndarray) -> bool:
    return bool(np.all(np.abs(x[integer] - np.round(x[integer])) <= 1e-9))


def decompose(parts: Sequence[SharedPart], probabilities: np.ndarray, evaluate: Callable[[np.ndarray], list[Cut]], *,
              risk_weight: float, alpha: float, options: SolverOptions, gap: float,
              on_round: Callable[[Round], None] = lambda r: None, max_rounds: int | None = None) -> Decomposed:
    """Benders over the futures whose shared parts are ``parts``: ``evaluate(x)`` gives every future's cut at x (in
    the order of ``parts``). Stops once the proven bounds are within ``gap`` (relative to the objective), when time
    runs out, on Ctrl-C or after ``max_rounds`` rounds (MAX_ROUNDS), with the best plan found and its gap. BoundError
    when the bounds fail their check."""
    max_rounds = MAX_ROUNDS if max_rounds is None else max_rounds
    master_gap = min(options.mip_gap, gap / 10)
    master = Master(parts, probabilities, risk_weight=risk_weight, alpha=alpha,
                    options=dataclasses.replace(options, mip_gap=master_gap))
    state = _Progress(master, master_gap, time.perf_counter())
    relaxing = master.is_mip
    core: np.ndarray | None = None
    status = SolveStatus.ROUND_LIMIT
    while len(state.rounds) < max_rounds:
        phase = "lp" if relaxing else "master"
        try:
            point = master.solve(relax=relaxing, start=None if state.best is None else state.best[0])
            state.bound(point.bound)
            if relaxing:
                added, core, relaxing = _lp_round(master, point, core, evaluate, state)
            else:
                added = _master_round(master, point, evaluate, state)
            state.record(added, phase, on_round)
            if not relaxing and state.best is not None and state.gap <= gap and _confirmed(master, state):
                status = SolveStatus.OPTIMAL
                break
            left = options.seconds_left()
            if left is not None and left <= 0:
                status = SolveStatus.TIME_LIMIT
                break
        except TimeoutError:
            status = SolveStatus.TIME_LIMIT
        except KeyboardInterrupt:
            status = SolveStatus.INTERRUPTED
        else:
            continue
        state.record([], phase, on_round)  # the round that stopped, with the bounds proven by then
        break
    if state.best is None:
        why = {SolveStatus.TIME_LIMIT: "the time ran out", SolveStatus.INTERRUPTED: "it was interrupted",
               SolveStatus.ROUND_LIMIT: f"{max_rounds} rounds passed"}[status]
        raise BendersError(f"{why} before Benders found decisions made now that every future can carry out; "
                           "allow more time (--time-limit) or use the extensive form")
    x, totals = state.best
    return Decomposed(x, totals, master.objective(totals), state.upper, state.lower, state.rounds, status)


def _evaluated(evaluate: Callable[[np.ndarray], list[Cut]], at: np.ndarray) -> list[Cut]:
    """Every future's cut at ``at``; TimeoutError when a future's LP ran out of time."""
    cuts = evaluate(at)
    if any(cut.kind is CutKind.STOPPED for cut in cuts):
        raise TimeoutError("a future's LP ran out of time")
    return cuts


def _master_round(master: Master, point: MasterPoint, evaluate: Callable[[np.ndarray], list[Cut]],
                  state: _Progress) -> list[Cut]:
    """One round of the master itself: every future's cut at its whole x, which offers an upper bound, and, where
    the best plan so far is elsewhere, at the point halfway to it too (in-out around the incumbent: cuts where the
    optimum is likely, which the master's next x would otherwise have to find one at a time)."""
    cuts = _evaluated(evaluate, point.x)
    state.offer(point.x, cuts)
    added = [cut for cut in cuts if _cuts_off(cut, point.x, point)]
    for cut in added:
        master.add(cut, point.x)
    best = None if state.best is None else state.best[0]
    if best is not None and not np.array_equal(best, point.x):
        halfway = 0.5 * (point.x + best)
        fresh = _new_at(master, _evaluated(evaluate, halfway), halfway)
        for cut in fresh:
            master.add(cut, halfway)
        added += fresh
    return added


def _new_at(master: Master, cuts: list[Cut], at: np.ndarray) -> list[Cut]:
    """The cuts made at ``at`` that say more there than the master's cuts so far: feasibility cuts, and optimality
    cuts above the theta the master has at ``at``."""
    theta = master.theta_at(at)
    return [cut for cut in cuts if cut.kind is CutKind.FEASIBILITY or (
        cut.kind is CutKind.OPTIMALITY and cut.value - theta[cut.future] > FEASIBLE * max(1.0, abs(cut.value)))]


def _lp_round(master: Master, point: MasterPoint, core: np.ndarray | None,
              evaluate: Callable[[np.ndarray], list[Cut]], state: _Progress) -> tuple[list[Cut], np.ndarray, bool]:
    """One round of the LP phase: cuts at the in-out point between the master's point and the core, or at the
    master's point when those cut nothing off there; the moved core; whether the phase goes on (not once no cut
    cuts the master's point off, or its bound has stalled). A whole point evaluated offers its upper bound."""
    integer = master.integer[:master.n_shared]
    core = point.x if core is None else core
    added: list[Cut] = []
    for at in (IN_OUT * point.x + (1 - IN_OUT) * core, point.x):
        cuts = _evaluated(evaluate, at)
        if _whole(at, integer):
            state.offer(at, cuts)
        fresh = [cut for cut in cuts if _cuts_off(cut, at, point)]
        for cut in fresh:
            master.add(cut, at)
        added += fresh
        if fresh or at is point.x:
            break
    return added, 0.5 * (core + point.x), bool(added) and not _stalled(state)


def _cuts_off(cut: Cut, at: np.ndarray, point: MasterPoint) -> bool:
    """Whether ``cut``, made at ``at``, cuts off the master's ``point``: a feasibility cut, or an optimality cut that
    has more of theta there than the master."""
    if cut.kind is not CutKind.OPTIMALITY:
        return cut.kind is CutKind.FEASIBILITY
    value = cut.value + float(cut.slope @ (point.x - at))
    return value - point.theta[cut.future] > FEASIBLE * max(1.0, abs(value))


def _stalled(state: _Progress) -> bool:
    """Whether the LP phase's bound has stopped rising."""
    lp = [r.lower for r in state.rounds if r.phase == "lp"] + [state.lower]
    if len(lp) <= LP_STALL_ROUNDS:
        return False
    before = lp[-1 - LP_STALL_ROUNDS]
    return state.lower - before <= LP_STALL * max(1.0, abs(state.lower))


def _confirmed(master: Master, state: _Progress) -> bool:
    """Whether the bound that ends the run holds when the final master is solved again from nothing with presolve
    off; BoundError if it comes out lower (beyond the master's gap)."""
    again = master.solve(careful=True, start=None if state.best is None else state.best[0])
    if again.bound < state.lower - _tolerance(state.lower, state.master_gap):
        raise BoundError(f"the master's lower bound {state.lower:,.2f} was not confirmed: solved again from nothing "
                         f"it is {again.bound:,.2f}")
    return True


__all__ = ["BendersError", "BoundError", "Cut", "CutKind", "Decomposed", "Master", "Round", "SharedPart",
           "Subproblems", "cvar", "decompose", "plan_objective", "relative_gap", "shared_rows", "upper_bound_rows"]
