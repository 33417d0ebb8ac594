"""Benders decomposition of a two-stage plan (the L-shaped method, one cut per future).

The decisions made now (x, the shared columns) go to a master MILP; each future's own columns (its
flows and lost sales) are that future's subproblem, an LP once x is fixed, since every integer
decision is made now. Each round the master proposes x; every future solves its LP at x and returns
its own cost there and how that cost changes with x (the reduced costs of the fixed columns): an
optimality cut theta_f >= v + g (x - x_hat). A future that cannot carry x out returns the least total
violation of its rows at x and its slope instead, a feasibility cut that rules x out. The master's
optimum bounds the plan's objective from below; the best x every future carried out bounds it from
above; they meet at the optimum.

Memory is that of one future: a worker holds one HiGHS instance and each of its futures as its
difference from the first one it saw (costs, bounds, right-hand sides, coefficients) and its last
basis, handing the instance only what changed (optimize/warm.py) and starting each future's LP from
where it ended the round before; the master holds the shared columns and the cuts.

The master's objective is sum_f p_f (c_f x + theta_f), plus risk_weight times the CVaR at alpha of the
futures' costs c_f x + theta_f in the Rockafellar-Uryasev form, as in optimize/stochastic.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from footprint.optimize.highs import ProgramArrays, SolverOptions, SolveStatus, add_row, run, set_bounds, to_highs
from footprint.optimize.lp import ColumnMatrix
from footprint.optimize.stochastic import amount_scale
from footprint.optimize.warm import _Changes, structure_key

FEASIBLE = 1e-9
"""A future's least total violation at or below this (relative to its right-hand sides) is no violation."""


class BendersError(ValueError):
    """Benders cannot solve this plan: a decision per future is integer, a future's costs are unbounded, or the
    master proposes what no future accepts."""


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
    """A future's answer at x_hat: its own cost there and its slope (optimality), or its least violation and
    the violation's slope (feasibility)."""

    future: int
    feasible: bool
    value: float
    slope: np.ndarray
    total: float = float("nan")
    """The future's whole NPV cost at x_hat (c_f x_hat + own cost), when feasible."""


def _digest(*parts: np.ndarray | str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def shared_rows(arrays: ProgramArrays, shared: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows whose every entry is in a shared column, renumbered: (row, shared column, value, lower, upper)."""
    matrix = arrays.matrix
    columns = np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.starts))
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


@dataclass
class Subproblems:
    """One worker's futures, each an LP with the shared columns fixed, solved one after another on one HiGHS
    instance per structure (the least recently used let go beyond ``keep``)."""

    shared: np.ndarray
    """Which columns of a future's program are decided now."""
    options: SolverOptions
    keep: int = 1
    _references: dict[str, ProgramArrays] = field(default_factory=dict)
    _futures: dict[int, _Delta] = field(default_factory=dict)
    _held: dict[str, tuple[highspy.Highs, ProgramArrays]] = field(default_factory=dict)
    _bases: dict[int, highspy.HighsBasis] = field(default_factory=dict)
    """Each future's last optimal basis (a few bytes a column): its next LP starts there."""

    def __contains__(self, future: int) -> bool:
        return future in self._futures

    def add(self, future: int, arrays: ProgramArrays, labels: str) -> SharedPart:
        """Hold ``future``'s program (its model's arrays) and say what it shares."""
        if len(arrays.integer) != len(self.shared):
            raise BendersError(f"future {future} has {len(arrays.integer)} columns where the first has "
                               f"{len(self.shared)}; a stochastic plan needs one set of decisions to share")
        if (arrays.integer & ~self.shared).any():
            raise BendersError("an integer decision is made per future (revise_from, or the decisions made now "
                               "narrowed): Benders needs every integer decision made now")
        integer = arrays.integer[self.shared]
        arrays = _relaxed(arrays)
        key = structure_key(arrays)
        reference = self._references.setdefault(key, arrays)
        positions, values = {}, {}
        for name in _FIELDS:
            new = _field(arrays, name)
            changed = np.flatnonzero(_field(reference, name) != new).astype(np.int32)
            positions[name], values[name] = changed, new[changed]
        self._futures[future] = _Delta(key, positions, values, arrays.offset)
        own_cost = np.where(self.shared, 0.0, arrays.cost)
        bound = self._solve(future, _with_cost(arrays, own_cost), None)
        if bound.status is not SolveStatus.OPTIMAL:
            raise BendersError(f"future {future}'s own costs are unbounded below or it has no plan even with the "
                               f"decisions made now free ({bound.message}); use the extensive form")
        return SharedPart(labels, arrays.lower[self.shared], arrays.upper[self.shared], integer,
                          arrays.cost[self.shared], shared_rows(arrays, self.shared), bound.objective)

    def arrays(self, future: int) -> ProgramArrays:
        """``future``'s program, rebuilt from its reference and its difference."""
        delta = self._futures[future]
        reference = self._references[delta.key]
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

    def _solve(self, future: int, arrays: ProgramArrays, x: np.ndarray | None) -> _Answer:
        key = self._futures[future].key
        highs = self._instance(key, arrays)
        columns = np.flatnonzero(self.shared)
        if x is not None:
            set_bounds(highs, columns, x, x)
        if future in self._bases:  # from where this future's LP ended last round: only x has moved since
            highs.setBasis(self._bases[future])
        solution = run(highs, False, duals=True, options=self.options)
        if solution.status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):  # warm start lost its way
            self._held.pop(key, None)
            highs = self._instance(key, arrays)
            if x is not None:
                set_bounds(highs, columns, x, x)
            solution = run(highs, False, duals=True, options=self.options)
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
        if answer.status is not SolveStatus.INFEASIBLE:
            raise BendersError(f"future {future}'s LP at the master's decisions stopped: {answer.message}")
        return self._feasibility_cut(future, arrays, x)

    def _feasibility_cut(self, future: int, arrays: ProgramArrays, x: np.ndarray) -> Cut:
        """The least total violation of ``future``'s rows at ``x`` (each row may break its bounds at a cost of 1 a
        unit) and its slope in x: where it is positive, x is ruled out by violation + slope (x' - x) <= 0."""
        elastic = _elastic(arrays)
        highs = to_highs(elastic, self.options)
        columns = np.flatnonzero(self.shared)
        set_bounds(highs, columns, x, x)
        solution = run(highs, False, duals=True, options=self.options)
        if solution.status is not SolveStatus.OPTIMAL or solution.reduced_costs is None:
            raise BendersError(f"future {future}: its rows' least violation could not be found ({solution.message})")
        bounds = np.concatenate([arrays.row_lower, arrays.row_upper])
        scale = 1.0 + float(np.abs(bounds[np.isfinite(bounds)]).max(initial=0.0))
        if solution.objective <= FEASIBLE * scale:  # the simplex called it infeasible, but it is not: solve cold
            self._held.pop(self._futures[future].key, None)
            answer = self._solve(future, arrays, x)
            if answer.status is SolveStatus.OPTIMAL:
                return self._optimality_cut(future, arrays, answer, x)
        return Cut(future, False, solution.objective, solution.reduced_costs[columns])

    def _optimality_cut(self, future: int, arrays: ProgramArrays, answer: _Answer, x: np.ndarray) -> Cut:
        """theta's cut from an optimal LP at ``x``: its own cost there (all but the shared columns' costs) and the
        slope of that cost in x (the fixed columns' reduced costs less their costs)."""
        assert answer.slope is not None
        shared_cost = arrays.cost[self.shared]
        return Cut(future, True, answer.objective - float(shared_cost @ x), answer.slope - shared_cost,
                   answer.objective)

    def values(self, future: int, x: np.ndarray) -> np.ndarray | None:
        """``future``'s column values with the shared columns at ``x`` (None: it has no plan there)."""
        answer = self._solve(future, self.arrays(future), x)
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
    excess = np.maximum(costs[None, :] - costs[:, None], 0.0) @ probabilities
    return float((costs + excess / (1 - alpha)).min())


@dataclass(frozen=True)
class Round:
    """One round of the master and the futures."""

    iteration: int
    lower: float
    upper: float
    gap: float
    seconds: float
    cuts: int
    feasibility_cuts: int


class Master:
    """The master MILP: the shared columns, one theta per future bounded by its cuts, and the CVaR's columns."""

    def __init__(self, parts: Sequence[SharedPart], probabilities: np.ndarray, *, risk_weight: float, alpha: float,
                 options: SolverOptions) -> None:
        first = parts[0]
        for number, part in enumerate(parts[1:], start=1):
            if part.labels != first.labels:
                raise BendersError(f"future {number}'s decisions made now are not those of the first future (the "
                                   "futures differ in options, plants, products or years); a stochastic plan needs "
                                   "one set of decisions to share")
        self.parts = parts
        self.probabilities = probabilities
        self.risk_weight, self.alpha = risk_weight, alpha
        self.n_shared = n = len(first.cost)
        futures = len(parts)
        self.theta = n + np.arange(futures)
        risk = risk_weight > 0
        self.eta = n + futures if risk else None
        n_cols = n + futures + ((1 + futures) if risk else 0)
        lower = np.full(n_cols, -np.inf)
        upper = np.full(n_cols, np.inf)
        lower[:n] = np.max([part.lower for part in parts], axis=0)
        upper[:n] = np.min([part.upper for part in parts], axis=0)
        lower[self.theta] = [part.own_bound for part in parts]
        cost = np.zeros(n_cols)
        expected_shared = probabilities @ np.array([part.cost for part in parts])
        cost[:n] = expected_shared
        cost[self.theta] = probabilities
        integer = np.zeros(n_cols, bool)
        integer[:n] = first.integer
        self.integer = first.integer
        if risk:
            assert self.eta is not None
            cost[self.eta] = risk_weight
            excess = self.eta + 1 + np.arange(futures)
            lower[excess] = 0.0
            cost[excess] = risk_weight * probabilities / (1 - alpha)
        empty = ColumnMatrix(np.zeros(n_cols + 1, dtype=np.int32), np.zeros(0, np.int32), np.zeros(0), (0, n_cols))
        self.highs = to_highs(ProgramArrays(empty, cost, lower, upper, np.zeros(0), np.zeros(0), integer, 0.0),
                              options)
        self.options = options
        self.is_mip = bool(integer.any())
        self._add_shared_rows()
        self.scale = amount_scale(np.array([part.cost for part in parts]))
        """What rows of whole costs are divided by (as the extensive form's CVaR rows: see amount_scale)."""
        if risk:
            assert self.eta is not None
            for f, part in enumerate(parts):  # excess_f - c_f x - theta_f + eta >= 0
                used = np.flatnonzero(part.cost)
                add_row(self.highs, np.concatenate([used, [self.theta[f], self.eta, self.eta + 1 + f]]),
                        np.concatenate([-part.cost[used], [-1.0, 1.0, 1.0]]) / self.scale, 0.0, np.inf)

    def _add_shared_rows(self) -> None:
        seen: set[str] = set()
        for part in self.parts:
            rows, columns, values, lower, upper = part.rows
            bounds = np.searchsorted(rows, np.arange(len(lower) + 1))
            for r in range(len(lower)):
                span = slice(bounds[r], bounds[r + 1])
                key = _digest(columns[span], values[span], np.array([lower[r], upper[r]]))
                if key not in seen:
                    seen.add(key)
                    add_row(self.highs, columns[span], values[span], float(lower[r]), float(upper[r]))

    def solve(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The master's x, its thetas and its lower bound of the plan's objective."""
        solution = run(self.highs, self.is_mip, options=self.options)
        if solution.status is SolveStatus.INFEASIBLE:
            raise BendersError("no decisions made now can be carried out in every future (the feasibility cuts "
                               "rule every choice out)")
        if not solution.status.has_plan:
            raise BendersError(f"the master problem stopped without a plan: {solution.message}")
        x = solution.values[:self.n_shared]
        x = np.where(self.integer, np.round(x), x)
        return x, solution.values[self.theta], float(solution.bound)

    def add(self, cut: Cut, x: np.ndarray) -> None:
        """theta_f - g x >= v - g x_hat (optimality), or g x <= g x_hat - violation (feasibility)."""
        used = np.flatnonzero(cut.slope)
        if cut.feasible:
            columns = np.concatenate([used, [self.theta[cut.future]]])
            add_row(self.highs, columns, np.concatenate([-cut.slope[used], [1.0]]) / self.scale,
                    (cut.value - float(cut.slope @ x)) / self.scale, np.inf)
        else:
            add_row(self.highs, used, cut.slope[used], -np.inf, float(cut.slope @ x) - cut.value)

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
    """Each future's whole NPV cost under x."""
    objective: float
    lower: float
    rounds: list[Round]
    status: SolveStatus
    """OPTIMAL when the bounds met within the gap; TIME_LIMIT when time ran out first (x the best found)."""

    @property
    def gap(self) -> float:
        return _gap(self.lower, self.objective)


def _gap(lower: float, upper: float) -> float:
    return (upper - lower) / max(abs(upper), 1.0) if np.isfinite(upper) else float("inf")


MAX_ROUNDS = 500
"""Rounds of the master before Benders gives up (each adds a cut per future whose cost the master underrates)."""


def decompose(parts: Sequence[SharedPart], probabilities: np.ndarray, evaluate: Callable[[np.ndarray], list[Cut]], *,
              risk_weight: float, alpha: float, options: SolverOptions, gap: float,
              on_round: Callable[[Round], None] = lambda r: None) -> Decomposed:
    """Benders over the futures whose shared parts are ``parts``: ``evaluate(x)`` gives every future's cut at x (in
    the order of ``parts``). Stops once the bounds are within ``gap`` (relative to the objective, or 1)."""
    started = time.perf_counter()
    master_options = dataclasses.replace(options, mip_gap=min(options.mip_gap, gap / 10))
    master = Master(parts, probabilities, risk_weight=risk_weight, alpha=alpha, options=master_options)
    upper, best = np.inf, None
    rounds: list[Round] = []
    status = SolveStatus.TIME_LIMIT
    for iteration in range(1, MAX_ROUNDS + 1):
        x, theta, lower = master.solve()
        cuts = evaluate(x)
        if all(cut.feasible for cut in cuts):
            totals = np.array([cut.total for cut in cuts])
            value = master.objective(totals)
            if value < upper:
                upper, best = value, (x, totals)
        added = [cut for cut in cuts if not cut.feasible or
                 cut.value - theta[cut.future] > FEASIBLE * max(1.0, abs(cut.value))]
        for cut in added:
            master.add(cut, x)
        lower = min(lower, upper)
        infeasible = sum(not cut.feasible for cut in added)
        rounds.append(Round(iteration, lower, upper, _gap(lower, upper), time.perf_counter() - started,
                            len(added) - infeasible, infeasible))
        on_round(rounds[-1])
        if best is not None and (_gap(lower, upper) <= gap or not added):
            status = SolveStatus.OPTIMAL
            break
        left = options.seconds_left()
        if left is not None and left <= 0:
            break
    else:
        if best is None:
            raise BendersError(f"no decisions made now that every future can carry out were found in {MAX_ROUNDS} "
                               "rounds")
    if best is None:
        raise BendersError("the time ran out before Benders found decisions made now that every future can carry "
                           "out; allow more time (--time-limit) or use the extensive form")
    return Decomposed(best[0], best[1], upper, rounds[-1].lower, rounds, status)


__all__ = ["BendersError", "Cut", "Decomposed", "Master", "Round", "SharedPart", "Subproblems", "cvar", "decompose",
           "plan_objective", "shared_rows"]
