"""A large MILP starts from its rounded relaxation (optimize/highs.py relaxation_start): the LP relaxation solved,
every integer rounded up from any positive value, the rest solved with them fixed. Small programs worked by hand;
tests/test_tiers_independent.py checks that the start keeps every optimum on generated networks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import make, small_network_data, solved
from footprint.optimize.highs import (
    RELAXATION_START_COLUMNS,
    ProgramArrays,
    SolverOptions,
    SolveStatus,
    relaxation_start,
    run,
    run_with_start,
    to_highs,
    wants_relaxation_start,
)
from footprint.optimize.lp import LinearProgram
from footprint.plan.tables import solve


def two_sites(count: float, second_most: float) -> ProgramArrays:
    """Two sites, each open (y, cost 0.1) or not, each serving up to its most (x <= y, x at most 1 and
    ``second_most``, each unit served earning 1), at most ``count`` open in all."""
    program = LinearProgram()
    sites = pd.DataFrame({"site": ["a", "b"]})
    x = program.add_variables("x", sites, upper=np.array([1.0, second_most]), cost=-1.0)
    y = program.add_variables("y", sites, upper=1.0, cost=0.1, integer=True)
    program.add_constraints("link", sites, [(np.arange(2), x.span, 1.0), (np.arange(2), y.span, -1.0)], upper=0.0)
    program.add_constraints("count", pd.DataFrame({"rule": ["open"]}), [(np.zeros(2, np.int64), y.span, 1.0)],
                            upper=count)
    return ProgramArrays.of(program)


def test_a_site_used_in_part_is_opened_and_the_start_is_the_optimum() -> None:
    """The relaxation opens b as far as it serves (0.4): -1.4 + 0.1 x 1.4 = -1.26, a bound. Rounded up, b is open:
    x = (1, 0.4), y = (1, 1), -1.2, the MILP's optimum (opening b for 0.1 earns 0.4); its gap to the bound is
    0.06 / 1.2 = 5%."""
    arrays = two_sites(count=2.0, second_most=0.4)
    start = relaxation_start(arrays, SolverOptions())
    assert start is not None
    assert start.values.tolist() == pytest.approx([1.0, 0.4, 1.0, 1.0])
    assert (start.objective, start.bound, start.gap) == pytest.approx((-1.2, -1.26, 0.05))


def test_a_start_within_the_gap_is_the_answer_with_the_relaxation_as_its_bound() -> None:
    """Asked for 10%, the start's 5% will do: no search, the relaxation's -1.26 the proven bound."""
    arrays = two_sites(count=2.0, second_most=0.4)
    options = SolverOptions(mip_gap=0.1, relaxation_start=True)
    highs = to_highs(arrays, options)
    solution = run_with_start(highs, arrays, True, options)
    assert (solution.status, solution.objective, solution.bound) == (SolveStatus.OPTIMAL, pytest.approx(-1.2),
                                                                      pytest.approx(-1.26))
    assert "rounded relaxation" in solution.message
    assert highs.getRunTime() == 0.0  # HiGHS never ran on the MILP


def test_a_start_outside_the_gap_is_where_the_search_starts() -> None:
    """Asked for an exact optimum, HiGHS searches from the start and proves -1.2 optimal."""
    arrays = two_sites(count=2.0, second_most=0.4)
    options = SolverOptions(mip_gap=0.0, relaxation_start=True)
    solution = run_with_start(to_highs(arrays, options), arrays, True, options)
    assert (solution.status, solution.objective, solution.gap) == (SolveStatus.OPTIMAL, pytest.approx(-1.2), 0.0)


def test_a_rounding_that_breaks_a_count_gives_no_start() -> None:
    """At most 1.5 open: the relaxation serves 1.5 (y = 1 and 0.5), both rounded up break the count, so there is no
    start; the MILP opens one site alone (-0.9)."""
    arrays = two_sites(count=1.5, second_most=1.0)
    assert relaxation_start(arrays, SolverOptions()) is None
    solution = run(to_highs(arrays, SolverOptions(mip_gap=0.0)), True, options=SolverOptions(mip_gap=0.0))
    assert solution.objective == pytest.approx(-0.9)


def test_a_start_is_wanted_by_size_unless_told() -> None:
    small = two_sites(2.0, 1.0)
    assert not wants_relaxation_start(small, SolverOptions())
    assert wants_relaxation_start(small, SolverOptions(relaxation_start=True))
    large = ProgramArrays(small.matrix, np.zeros(RELAXATION_START_COLUMNS), small.lower, small.upper,
                          small.row_lower, small.row_upper, np.ones(RELAXATION_START_COLUMNS, bool), 0.0)
    assert wants_relaxation_start(large, SolverOptions())
    assert not wants_relaxation_start(large, SolverOptions(relaxation_start=False))
    pure_lp = ProgramArrays(small.matrix, small.cost, small.lower, small.upper, small.row_lower, small.row_upper,
                            np.zeros(4, bool), 0.0)
    assert not wants_relaxation_start(pure_lp, SolverOptions(relaxation_start=True))


def test_a_scenario_solved_with_the_start_has_the_same_plan() -> None:
    """The small network (its option a MILP's decision) with the start forced: the same plan, to the cent."""
    plain = solved(small_network_data())
    started = solve(make(small_network_data()), SolverOptions(relaxation_start=True))
    assert started.objective == pytest.approx(plain.objective, rel=1e-9)
    pd.testing.assert_frame_equal(started.tables["builds"], plain.tables["builds"])
