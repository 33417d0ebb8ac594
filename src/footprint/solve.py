"""solve(scenario) -> Plan: compile, build, solve with HiGHS, and read the answer back as tables."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import highspy
import numpy as np

from footprint.changes import Change, ChangeError, apply_changes
from footprint.highs import Solution, SolverOptions, SolveStatus, run, to_highs
from footprint.model import FootprintModel, build_model
from footprint.network import Network, compile_network
from footprint.plan import Plan
from footprint.scenario import Scenario
from footprint.tables import TOLERANCE, plan_tables


class PlanningError(Exception):
    """The scenario has no plan: infeasible, unbounded, or the solver gave none."""


def solver_options(scenario: Scenario, **overrides: object) -> SolverOptions:
    """The scenario's solver settings, with any CLI overrides that are not None."""
    settings = scenario.solver
    options = SolverOptions(settings.time_limit, settings.mip_gap, settings.threads)
    return dataclasses.replace(options, **{k: v for k, v in overrides.items() if v is not None})


def solve(scenario: Scenario, options: SolverOptions | None = None, changes: tuple[Change, ...] = ()) -> Plan:
    """The best plan for ``scenario`` (with forced or forbidden decisions); PlanningError when there is none."""
    return solve_model(scenario, options, changes).plan


@dataclass(frozen=True)
class Solved:
    """A plan with the model and solver answer it came from (for explaining it)."""

    model: FootprintModel
    highs: highspy.Highs
    """The solver instance holding the model as solved (explain re-solves it with decisions fixed)."""
    solution: Solution
    plan: Plan


def solve_model(scenario: Scenario, options: SolverOptions | None = None,
                changes: tuple[Change, ...] = ()) -> Solved:
    options = options or solver_options(scenario)
    started = time.perf_counter()
    network = compile_network(scenario)
    model = build_model(network)
    highs = to_highs(model.program, options)
    try:
        apply_changes(model, highs, changes)
    except ChangeError as error:
        raise PlanningError(str(error)) from None
    build_seconds = time.perf_counter() - started
    solution = run(highs, model.is_mip)
    if not solution.status.has_plan:
        raise PlanningError(_no_plan_message(model, solution, options, changes))
    return Solved(model, highs, solution, plan_from_solution(model, solution, build_seconds))


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
        return (f"scenario {name!r}: no feasible plan found within the time limit of "
                f"{options.time_limit:g} s; allow more time")
    return f"scenario {name!r}: the solver stopped without a plan ({solution.message})"


def _explain_infeasible(network: Network, options: SolverOptions, changes: tuple[Change, ...]) -> str:
    """Which demand cannot be met: re-solve letting every demand go unserved at a high penalty."""
    penalty = np.where(np.isnan(network.demand_penalty), 1e3 * (1.0 + network.unit_cost.max(initial=1.0)),
                       network.demand_penalty)
    elastic = dataclasses.replace(network, demand_penalty=penalty)
    model = build_model(elastic)
    highs = to_highs(model.program, dataclasses.replace(options, time_limit=options.time_limit or 60))
    apply_changes(model, highs, changes)
    solution = run(highs, model.is_mip)
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


def plan_from_solution(model: FootprintModel, solution: Solution, build_seconds: float) -> Plan:
    """The Plan's summary, and its tables (each made when first read) from a solved model."""
    network, program = model.network, model.program
    tables = plan_tables(model, solution.values)
    scenario = network.scenario
    objective = -solution.objective if model.profit else solution.objective
    bound = -solution.bound if model.profit else solution.bound
    summary = {
        "scenario": scenario.name,
        "status": solution.status.value,
        "objective_sense": scenario.objective,
        "objective": objective,
        "bound": bound,
        "gap": solution.gap,
        "currency": scenario.currency,
        "horizon": [int(network.years[0]), int(network.years[-1])],
        "build_seconds": build_seconds,
        "solve_seconds": solution.seconds,
        "variables": program.num_cols,
        "integer_variables": program.num_integer,
        "constraints": program.num_rows,
        "builds": tables["builds"].to_dict(orient="records"),
        "message": ("time limit reached: this is the best plan found, not proven optimal"
                    if solution.status is SolveStatus.TIME_LIMIT else solution.message),
    }
    return Plan(summary, tables)


__all__ = ["PlanningError", "Solved", "solve", "solve_model", "solver_options"]
