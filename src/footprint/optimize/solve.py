"""solve_model(scenario): compile, build and solve with HiGHS; say in the user's terms why there is no plan."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import highspy
import numpy as np

from footprint.economics.fx import FxError
from footprint.economics.network import Network, compile_network
from footprint.optimize.changes import Change, apply_changes
from footprint.optimize.highs import (
    ModelRefusedError,
    ProgramArrays,
    Solution,
    SolverOptions,
    SolveStatus,
    run,
    run_with_start,
    to_highs,
)
from footprint.optimize.model import TOLERANCE, FootprintModel, build_model
from footprint.scenario.model.scenario import Scenario


class PlanningError(Exception):
    """The scenario has no plan: infeasible, unbounded, or the solver gave none."""


def solver_options(scenario: Scenario, **overrides: object) -> SolverOptions:
    """The scenario's solver settings, with any CLI overrides that are not None.

    The time limit becomes a deadline from now: every solve made with these options (a command's
    re-solves, its infeasibility diagnosis) shares it.
    """
    settings = scenario.solver
    options = SolverOptions(settings.time_limit, settings.mip_gap, settings.threads)
    options = dataclasses.replace(options, **{k: v for k, v in overrides.items() if v is not None})
    return options.within_one_limit()


@dataclass(frozen=True)
class Solved:
    """A solved model: the model, the solver holding it, and its answer (``plan.tables`` reads it as a Plan)."""

    model: FootprintModel
    highs: highspy.Highs
    """The solver instance holding the model as solved (explain re-solves it with decisions fixed)."""
    solution: Solution
    build_seconds: float


def compile_model(scenario: Scenario) -> FootprintModel:
    """The model of ``scenario``: its network compiled, its variables and constraints built."""
    try:
        network = compile_network(scenario)
    except FxError as error:  # a Scenario validated without the economic checks
        raise PlanningError(f"scenario {scenario.name!r}: {error}") from None
    return build_model(network)


def solve_model(scenario: Scenario, options: SolverOptions | None = None,
                changes: tuple[Change, ...] = (), keep_interrupted: bool = False) -> Solved:
    """Compile, build and solve ``scenario`` (with ``changes`` imposed); PlanningError when there is no plan,
    ChangeError when a change names what the scenario does not have (that is bad input, not a lack of plan).

    Ctrl-C stops the solve: with ``keep_interrupted`` the best plan found is kept (status interrupted),
    else KeyboardInterrupt propagates.
    """
    options = options or solver_options(scenario)
    started = time.perf_counter()
    model = compile_model(scenario)
    return solve_compiled(model, ProgramArrays.of(model.program), options, started, changes, keep_interrupted)


def solve_compiled(model: FootprintModel, arrays: ProgramArrays, options: SolverOptions, started: float,
                   changes: tuple[Change, ...] = (), keep_interrupted: bool = False) -> Solved:
    """Hand ``model`` (as ``arrays``) to a new HiGHS instance and solve it; ``started``: when building began."""
    highs = _to_highs(model, arrays, options, changes)
    build_seconds = time.perf_counter() - started
    if changes:  # made on highs, not on the arrays a start would be found from
        solution = run(highs, model.is_mip, options=options, keep_interrupted=keep_interrupted)
    else:
        solution = run_with_start(highs, arrays, model.is_mip, options, keep_interrupted)
    if solution.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED, SolveStatus.ERROR):
        # HiGHS's presolve has declared feasible models infeasible (upstream issues): ask again without it.
        highs = _to_highs(model, arrays, dataclasses.replace(options, presolve=False), changes)
        solution = run(highs, model.is_mip, options=options, keep_interrupted=keep_interrupted)
    if not solution.status.has_plan:
        raise PlanningError(_no_plan_message(model, solution, options, changes))
    return Solved(model, highs, solution, build_seconds)


def _to_highs(model: FootprintModel, arrays: ProgramArrays, options: SolverOptions,
              changes: tuple[Change, ...]) -> highspy.Highs:
    try:
        highs = to_highs(arrays, options)
        apply_changes(model, highs, changes)
    except ModelRefusedError as error:
        raise PlanningError(f"scenario {model.network.scenario.name!r}: {error}; check the units of the "
                            "largest amounts (demand, capacity, costs)") from None
    return highs


def _no_plan_message(model: FootprintModel, solution: Solution, options: SolverOptions,
                     changes: tuple[Change, ...]) -> str:
    name = model.network.scenario.name
    if solution.status is SolveStatus.INFEASIBLE:
        with_changes = f" with {', '.join(str(change) for change in changes)}" if changes else ""
        return (f"scenario {name!r} has no plan{with_changes} (infeasible): "
                + _explain_infeasible(model.network, options, changes))
    if solution.status is SolveStatus.UNBOUNDED:
        return (f"scenario {name!r} is unbounded: some decision earns without limit "
                "(a price above every cost with unlimited capacity?)")
    if solution.status is SolveStatus.NO_SOLUTION:
        return (f"scenario {name!r}: no feasible plan found within the time limit ({solution.seconds:.1f} s "
                "of solving); allow more time (--time-limit)")
    return (f"scenario {name!r}: the solver stopped without a plan and without proving there is none "
            f"(HiGHS: {solution.message}). This is numerical trouble: amounts of very different sizes in one "
            "model. Check the units of the largest and smallest amounts (demand, capacity and costs in the "
            "same units throughout; FX rates as units of each currency per unit of the reporting currency), "
            "and lost_sale_penalty values far above every other cost.")


def _explain_infeasible(network: Network, options: SolverOptions, changes: tuple[Change, ...]) -> str:
    """Which demand cannot be met: re-solve letting every demand go unserved at a high penalty."""
    penalty = np.where(np.isnan(network.demand_penalty), 1e3 * (1.0 + network.unit_cost.max(initial=1.0)),
                       network.demand_penalty)
    elastic = dataclasses.replace(network, demand_penalty=penalty)
    model = build_model(elastic)
    highs = _to_highs(model, ProgramArrays.of(model.program), options, changes)
    solution = run(highs, model.is_mip, options=options)
    if not solution.status.has_plan:
        return "no plan exists even if demand may go unserved (check minimum volumes and capacity)"
    lost = model.program.values(solution.values, "lost")
    index = model.program.variables["lost"].index
    must_serve = np.isnan(network.demand_penalty)[index["demand"].to_numpy()]
    short = index[(lost > TOLERANCE) & must_serve].assign(units=lost[(lost > TOLERANCE) & must_serve])
    if short.empty:
        return "the constraints conflict (check minimum volumes against capacity and demand)"
    lines = [f"{row.product} in {row.market}, {row.year}: {row.units:,.0f} units cannot be supplied"
             for row in short.head(8).itertuples()]
    more = f" (and {len(short) - 8} more)" if len(short) > 8 else ""
    return ("demand exceeds what capacity and lanes can supply: " + "; ".join(lines) + more
            + ". Add capacity or options, lanes, or a lost_sale_penalty.")


__all__ = ["PlanningError", "Solved", "compile_model", "solve_compiled", "solve_model", "solver_options"]
