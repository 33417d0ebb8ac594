"""The one place that talks to HiGHS: pass a LinearProgram, solve, read back a Solution.

The rest of footprint sees only :class:`SolveStatus` and :class:`Solution`. Ctrl-C stops a solve
at once: the best plan found so far is kept and labelled interrupted (or KeyboardInterrupt is
raised, where the caller cannot use it).
"""

from __future__ import annotations

import dataclasses
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np

from footprint.optimize.lp import ColumnMatrix, LinearProgram


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    """Stopped by the time limit with a feasible plan (the incumbent), not proven optimal."""
    INTERRUPTED = "interrupted"
    """Stopped by the user (Ctrl-C) with a feasible plan, not proven optimal."""
    ROUND_LIMIT = "round_limit"
    """A decomposition stopped at its cap of rounds with a feasible plan, not proven optimal."""
    NO_SOLUTION = "no_solution"
    """Stopped by a limit before any feasible plan was found."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT, SolveStatus.INTERRUPTED, SolveStatus.ROUND_LIMIT)


@dataclass(frozen=True)
class SolverOptions:
    """How HiGHS solves: the time limit, the MIP gap (relative), threads, its log, presolve; the command line's
    ``--time-limit``, ``--mip-gap``, ``--threads`` and ``--log``."""

    time_limit: float | None = None
    """Seconds for one solve; see also deadline."""
    mip_gap: float = 1e-4
    """The relative MIP gap at which a solve stops, proven."""
    threads: int | None = None
    """HiGHS's threads (None: its default)."""
    log: bool = False
    """Whether HiGHS writes its log to the terminal."""
    deadline: float | None = None
    """time.monotonic() by which every solve made with these options must end (a command's whole budget)."""
    presolve: bool = True
    """Whether HiGHS presolves (off only to check a model HiGHS's presolve called infeasible)."""
    max_nodes: int | None = None
    """Branch-and-bound nodes a MIP solve may take (the best plan found by then is kept, as by the time limit):
    a limit that, unlike time, does not depend on the machine."""
    relaxation_start: bool | None = None
    """Whether a MILP starts from its rounded relaxation (optimize/highs.py relaxation_start); None: by its size
    (RELAXATION_START_COLUMNS)."""

    def within_one_limit(self) -> SolverOptions:
        """These options with the time limit made a deadline from now, where it is not one yet: every solve made
        with them shares it."""
        if self.time_limit is None or self.deadline is not None:
            return self
        return dataclasses.replace(self, deadline=time.monotonic() + self.time_limit)

    def seconds_left(self) -> float | None:
        """The time a solve started now may take: the time limit, cut to what the deadline leaves."""
        left = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        if self.time_limit is None:
            return left
        return self.time_limit if left is None else min(self.time_limit, left)


@dataclass(frozen=True)
class Solution:
    status: SolveStatus
    objective: float
    bound: float
    gap: float
    seconds: float
    values: np.ndarray
    duals: np.ndarray | None
    """Row duals, for a pure LP solved to optimality; None otherwise."""
    message: str
    reduced_costs: np.ndarray | None = None
    """Column duals (cost minus the rows' duals times the column), when duals are."""


class ModelRefusedError(ValueError):
    """HiGHS refused the model as given (numbers it cannot take)."""


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kModelEmpty: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kInterrupt: SolveStatus.INTERRUPTED,
}


@dataclass(frozen=True)
class ProgramArrays:
    """A LinearProgram as the arrays HiGHS takes (a warm re-solve compares them with the last ones)."""

    matrix: ColumnMatrix
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    integer: np.ndarray
    offset: float

    @classmethod
    def of(cls, program: LinearProgram) -> ProgramArrays:
        lower, upper = program.bounds()
        row_lower, row_upper = program.row_bounds()
        return cls(program.matrix(), program.cost(), lower, upper, row_lower, row_upper, program.integrality(),
                   program.offset)


def set_options(highs: highspy.Highs, options: SolverOptions) -> None:
    highs.setOptionValue("output_flag", options.log)
    highs.setOptionValue("mip_rel_gap", options.mip_gap)
    if options.threads is not None:  # more threads than cores only slow HiGHS down
        highs.setOptionValue("threads", min(int(options.threads), os.cpu_count() or 1))
    highs.setOptionValue("presolve", "choose" if options.presolve else "off")
    if options.max_nodes is not None:
        highs.setOptionValue("mip_max_nodes", options.max_nodes)


def to_highs(program: LinearProgram | ProgramArrays, options: SolverOptions) -> highspy.Highs:
    """A HiGHS instance holding ``program``, with ``options`` set."""
    arrays = program if isinstance(program, ProgramArrays) else ProgramArrays.of(program)
    highs = highspy.Highs()
    set_options(highs, options)
    highs.HandleUserInterrupt = True  # cancelSolve() (on Ctrl-C) stops the solve at its next check
    matrix = arrays.matrix
    num_rows, num_cols = matrix.shape
    integrality = (arrays.integer.astype(np.int32) * np.int32(highspy.HighsVarType.kInteger) if arrays.integer.any()
                   else np.zeros(num_cols, dtype=np.int32))  # kContinuous is 0
    # The array form of passModel: about five times faster than filling a HighsLp field by field.
    status = highs.passModel(
        num_cols, num_rows, matrix.nnz, int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize), arrays.offset, arrays.cost, arrays.lower, arrays.upper,
        arrays.row_lower, arrays.row_upper, matrix.starts, matrix.indices, matrix.values, integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise ModelRefusedError("the solver refused the model: some numbers are out of the range it takes "
                           f"(largest coefficient {np.abs(matrix.values).max(initial=0):.3g}, largest cost "
                           f"{np.abs(arrays.cost).max(initial=0):.3g})")
    return highs


@dataclass(frozen=True)
class SolveProgress:
    """Where a long solve stands: HiGHS's proven bound and best plan so far (a MILP's; -inf and inf before the
    first), their gap and the nodes explored."""

    seconds: float
    bound: float
    incumbent: float
    gap: float
    nodes: int


PROGRESS_SECONDS = 10.0
"""How often a long solve reports its progress."""
WAKE_SECONDS = 0.2
"""How often the waiting thread looks whether Ctrl-C was pressed."""
STOP_GRACE = 1.0
"""Seconds HiGHS has to stop after Ctrl-C before the solve is left to stop on its own (see _solve_interruptibly)."""


@dataclass
class _Watch:
    """What HiGHS's callbacks tell of a MILP as it runs (written on HiGHS's thread, read on the waiting one): the
    proven bound, the best plan and its objective, the nodes."""

    bound: float = -math.inf
    incumbent: float = math.inf
    nodes: int = 0
    values: np.ndarray | None = None

    def progress(self, event: highspy.cb.HighsCallbackEvent) -> None:
        out = event.data_out
        self.bound, self.incumbent, self.nodes = out.mip_dual_bound, out.mip_primal_bound, int(out.mip_node_count)

    def improved(self, event: highspy.cb.HighsCallbackEvent) -> None:
        self.progress(event)
        self.values = np.array(event.data_out.mip_solution)

    @property
    def gap(self) -> float:
        if not (math.isfinite(self.bound) and math.isfinite(self.incumbent)):
            return math.inf
        return abs(self.incumbent - self.bound) / max(abs(self.incumbent), 1.0)

    def now(self, seconds: float) -> SolveProgress:
        return SolveProgress(seconds, self.bound, self.incumbent, self.gap, self.nodes)


SOLVE_THREAD = "footprint-highs-solve"


def solves_running() -> bool:
    """Whether a solve is still running in a thread of its own (one abandoned after Ctrl-C: AbandonedError)."""
    return any(thread.name == SOLVE_THREAD and thread.is_alive() for thread in threading.enumerate())


class AbandonedError(Exception):
    """Ctrl-C was pressed and HiGHS did not stop within STOP_GRACE: it is in a phase without interrupt checks (its
    thread goes on to its next check; the instance must not be touched). ``watch``: what it had found by then."""

    def __init__(self, watch: _Watch) -> None:
        super().__init__("HiGHS did not stop within the grace after Ctrl-C")
        self.watch = watch


def _solve_interruptibly(highs: highspy.Highs, on_progress: Callable[[SolveProgress], None] | None) -> bool:
    """Solve, with Ctrl-C asking HiGHS to stop at its next check; True if it was pressed.

    HiGHS checks for an interrupt only at its callbacks, and it calls none in presolve, in a MILP's root LP or
    between its cut rounds (a minute and more on a large network). So it solves in a thread of its own while this
    thread, the one signals reach, waits: Ctrl-C is taken at once, and if HiGHS has not stopped STOP_GRACE seconds
    later, the solve is abandoned (AbandonedError, with the best plan its callbacks reported, if any), its thread
    left to stop at HiGHS's next check. (The waiting thread sleeps on a lock between its looks, so HiGHS's
    callbacks seldom wait for the interpreter.) ``on_progress`` is told every PROGRESS_SECONDS where the solve
    stands, from this thread.
    """
    if threading.current_thread() is not threading.main_thread():  # no signals here: solve in place
        highs.run()
        return False
    watch = _Watch()
    highs.cbMipInterrupt.subscribe(watch.progress)
    highs.cbMipImprovingSolution.subscribe(watch.improved)
    pressed = _wait_for(highs, watch, on_progress)  # AbandonedError: HiGHS still runs, its callbacks untouched
    highs.cbMipInterrupt.unsubscribe(watch.progress)
    highs.cbMipImprovingSolution.unsubscribe(watch.improved)
    return pressed


def _wait_for(highs: highspy.Highs, watch: _Watch, on_progress: Callable[[SolveProgress], None] | None) -> bool:
    pressed: list[int] = []
    done = threading.Event()
    failed: list[BaseException] = []

    def solve() -> None:
        try:
            highs.run()
        except BaseException as error:  # handed to the waiting thread
            failed.append(error)
        finally:
            done.set()

    def stop(signum: int, frame: object) -> None:
        pressed.append(signum)
        highs.cancelSolve()

    started = time.monotonic()
    report_at = started + PROGRESS_SECONDS
    previous = signal.signal(signal.SIGINT, stop)
    try:
        threading.Thread(target=solve, name=SOLVE_THREAD, daemon=True).start()
        while not done.wait(WAKE_SECONDS):  # a signal runs its handler but does not end a wait: look every so often
            if pressed:
                if not done.wait(STOP_GRACE):
                    raise AbandonedError(watch)
                break
            if on_progress is not None and time.monotonic() >= report_at:
                report_at += PROGRESS_SECONDS
                on_progress(watch.now(time.monotonic() - started))
    finally:
        signal.signal(signal.SIGINT, previous)
    if failed:
        raise failed[0]
    return bool(pressed)


def run(highs: highspy.Highs, is_mip: bool, duals: bool = False, options: SolverOptions | None = None,
        keep_interrupted: bool = False, on_progress: Callable[[SolveProgress], None] | None = None) -> Solution:
    """Solve the model held by ``highs`` and read back status, values, bounds and, if asked for
    (a pure LP solved to optimality), the row duals.

    ``options`` gives the time left (its deadline); Ctrl-C stops the solve: with ``keep_interrupted``
    the Solution is labelled INTERRUPTED (with its best plan, if any), else KeyboardInterrupt is raised.
    """
    seconds_left = options.seconds_left() if options is not None else None
    if seconds_left is not None and seconds_left <= 0:  # the command's time is used up: no more solving
        return Solution(SolveStatus.NO_SOLUTION, float("nan"), float("nan"), float("inf"), 0.0, np.zeros(0), None,
                        "the time limit was used up before this solve")
    # HiGHS counts the limit against the instance's solving time so far, summed over its runs
    highs.setOptionValue("time_limit", float("inf") if seconds_left is None else highs.getRunTime() + seconds_left)
    started = time.perf_counter()
    try:
        interrupted = _solve_interruptibly(highs, on_progress)
    except AbandonedError as abandoned:  # HiGHS cannot be asked to stop now: keep the best plan it reported
        watch = abandoned.watch
        if watch.values is None or not keep_interrupted:
            raise KeyboardInterrupt from None
        return Solution(SolveStatus.INTERRUPTED, watch.incumbent, watch.bound, watch.gap,
                        time.perf_counter() - started, watch.values, None, "interrupted (Ctrl-C)")
    seconds = time.perf_counter() - started
    model_status = highs.getModelStatus()
    interrupted = interrupted and model_status != highspy.HighsModelStatus.kOptimal  # else it finished anyway
    if interrupted and not keep_interrupted:
        raise KeyboardInterrupt
    info = highs.getInfo()
    status = _STATUS.get(model_status, SolveStatus.ERROR)
    if model_status == highspy.HighsModelStatus.kModelEmpty:  # no variables: the offset is all there is
        return Solution(status, highs.getLp().offset_, highs.getLp().offset_, 0.0, seconds,
                        np.zeros(highs.getNumCol()), np.zeros(highs.getNumRow()), "Optimal (empty model)",
                        np.zeros(highs.getNumCol()))
    has_values = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if interrupted:
        status = SolveStatus.INTERRUPTED
    if status in (SolveStatus.TIME_LIMIT, SolveStatus.INTERRUPTED) and not has_values:
        if status is SolveStatus.INTERRUPTED:
            raise KeyboardInterrupt  # nothing to keep
        status = SolveStatus.NO_SOLUTION
    solution = highs.getSolution()
    values = np.asarray(solution.col_value) if has_values else np.zeros(0)
    objective = info.objective_function_value if has_values else float("nan")
    if is_mip:
        bound, gap = info.mip_dual_bound, info.mip_gap
    else:
        bound, gap = objective, 0.0
    row_duals = reduced_costs = None
    if duals and not is_mip and status is SolveStatus.OPTIMAL:
        row_duals, reduced_costs = np.asarray(solution.row_dual), np.asarray(solution.col_dual)
    message = "interrupted (Ctrl-C)" if interrupted else highs.modelStatusToString(model_status)
    return Solution(status, objective, bound, gap, seconds, values, row_duals, message, reduced_costs)


def set_bounds(highs: highspy.Highs, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """New bounds for some columns (to fix or forbid decisions)."""
    columns = np.asarray(columns, dtype=np.int32)
    highs.changeColsBounds(len(columns), columns, np.asarray(lower, dtype=np.float64),
                           np.asarray(upper, dtype=np.float64))


def add_row(highs: highspy.Highs, columns: np.ndarray, coefficients: np.ndarray, lower: float, upper: float) -> None:
    """One more constraint lower <= coefficients @ x[columns] <= upper (to force a decision)."""
    columns = np.asarray(columns, dtype=np.int32)
    highs.addRow(lower, upper, len(columns), columns, np.asarray(coefficients, dtype=np.float64))


RELAXATION_START_COLUMNS = 100_000
"""A MILP of at least this many columns starts from its rounded relaxation (relaxation_start) unless told not to:
on a network that large HiGHS's own heuristics can leave a poor first plan for most of the time limit (the tiers
benchmark's 635,250 columns sat at a 7.3% gap for 400 s), while the relaxation of a network's open-or-build
decisions is tight. Below it HiGHS finds good plans by itself, sooner than an extra LP solve."""


ROUNDING_SLACK = 1e-6
"""Rounding up a relaxation's value, what is within this of a whole number below counts as it (LP noise)."""


def wants_relaxation_start(arrays: ProgramArrays, options: SolverOptions) -> bool:
    """Whether a MILP of ``arrays`` starts from its rounded relaxation: as ``options`` say, else by its size."""
    if not arrays.integer.any():
        return False
    if options.relaxation_start is not None:
        return options.relaxation_start
    return len(arrays.cost) >= RELAXATION_START_COLUMNS


@dataclass(frozen=True)
class Start:
    """A MILP's rounded relaxation (relaxation_start): the plan, what it costs, and the relaxation's optimum (a
    proven bound on the MILP's)."""

    values: np.ndarray
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        """As HiGHS measures a MILP's gap: |plan - bound| / max(1, |plan|)."""
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


def relaxation_start(arrays: ProgramArrays, options: SolverOptions) -> Start | None:
    """A plan for the MILP of ``arrays`` to start from: its LP relaxation solved, every integer variable rounded up
    from any positive value (a site, line or lane used at all is opened, built or used), and the LP of the rest
    solved with them fixed there; None where either LP ends without an optimum (a rounding that breaks a count
    rule, a time limit). Within ``options``' time."""
    started = time.perf_counter()
    relaxed = to_highs(dataclasses.replace(arrays, integer=np.zeros_like(arrays.integer)), options)
    relaxation = run(relaxed, False, options=options)
    if relaxation.status is not SolveStatus.OPTIMAL:
        return None
    rounded = np.minimum(np.ceil(relaxation.values - ROUNDING_SLACK), arrays.upper)
    fix_integers(relaxed, arrays.integer, np.where(arrays.integer, rounded, relaxation.values))
    fixed = run(relaxed, False, options=options)
    if fixed.status is not SolveStatus.OPTIMAL:
        return None
    return Start(fixed.values, fixed.objective, relaxation.objective, time.perf_counter() - started)


def run_with_start(highs: highspy.Highs, arrays: ProgramArrays, is_mip: bool, options: SolverOptions,
                   keep_interrupted: bool = False) -> Solution:
    """run(), a MILP started from its rounded relaxation where that pays (wants_relaxation_start): their time limit
    made one deadline for both. Where the start is already within the gap asked of the relaxation's optimum, it
    is the answer, with that optimum as its proven bound: HiGHS's search is not needed."""
    if not wants_relaxation_start(arrays, options):
        return run(highs, is_mip, options=options, keep_interrupted=keep_interrupted)
    options = options.within_one_limit()
    start = relaxation_start(arrays, options)
    if start is None:
        return run(highs, is_mip, options=options, keep_interrupted=keep_interrupted)
    if start.gap <= options.mip_gap:
        return Solution(SolveStatus.OPTIMAL, start.objective, start.bound, start.gap, start.seconds, start.values,
                        None, "Optimal (the rounded relaxation, within the gap of the relaxation's optimum)")
    set_start(highs, start.values)
    solution = run(highs, is_mip, options=options, keep_interrupted=keep_interrupted)
    return dataclasses.replace(solution, seconds=solution.seconds + start.seconds)


def set_start(highs: highspy.Highs, values: np.ndarray) -> None:
    """A plan for a MILP to start from, its first incumbent (HiGHS drops it if it is not a plan)."""
    start = highspy.HighsSolution()
    start.col_value = np.asarray(values, dtype=np.float64).tolist()
    highs.setSolution(start)


def fix_integers(highs: highspy.Highs, integer: np.ndarray, values: np.ndarray) -> None:
    """Fix the integer columns at their (rounded) values and relax them: what is left is an LP,
    whose duals price capacity and demand given the yes/no decisions."""
    columns = np.flatnonzero(integer).astype(np.int32)
    if len(columns) == 0:
        return
    fixed = np.round(values[columns])
    set_bounds(highs, columns, fixed, fixed)
    highs.changeColsIntegrality(len(columns), columns,
                                np.zeros(len(columns), dtype=np.uint8))  # kContinuous is 0
