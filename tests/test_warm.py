"""Warm re-solves give what a cold solve gives, future after future, and rebuild when the structure changes."""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import capability, make, market, plant, scenario_data, small_network_data
from footprint.optimize.highs import ProgramArrays
from footprint.optimize.solve import PlanningError, compile_model, solve_model
from footprint.optimize.warm import WarmSolver, _Held, structure_key
from footprint.scenario.sets.parameters import apply_overrides


def at(data: dict[str, Any], *settings: tuple[str, Any]) -> dict[str, Any]:
    return apply_overrides(data, settings)


def assert_same_answer(warm: float, cold: float) -> None:
    assert warm == pytest.approx(cold, rel=1e-9, abs=1e-6)


FUTURE = st.tuples(
    st.floats(700.0, 1600.0),  # KRW per USD
    st.floats(60.0, 200.0),  # US demand (capacity is 300, Europe takes 80)
    st.floats(0.0, 0.3),  # US tariff
    st.floats(10.0, 60.0),  # Detroit's cost
)


@settings(max_examples=25)
@given(st.lists(FUTURE, min_size=2, max_size=5))
def test_a_run_of_futures_solved_warm_equals_each_solved_cold(futures: list[tuple[float, ...]]) -> None:
    solver = WarmSolver(adapt=False)
    for krw, demand, tariff, cost in futures:
        scenario = make(at(small_network_data(), ("fx.KRW", krw), ("markets[us].demand.car", demand),
                           ("tariffs[0].rate", tariff), ("capabilities[0].local_cost", cost)))
        warm = solver.solve(scenario)
        cold = solve_model(scenario)
        assert_same_answer(warm.solution.objective, cold.solution.objective)
    assert (solver.cold, solver.warm) == (1, len(futures) - 1)


def test_only_what_changed_reaches_the_solver_and_the_rest_stays() -> None:
    solver = WarmSolver(adapt=False)
    base = small_network_data()
    first = solver.solve(make(base))
    again = solver.solve(make(base))
    assert again.highs is first.highs  # the same instance, re-solved
    assert again.highs.getInfo().simplex_iteration_count == 0  # nothing changed: the last basis is optimal
    assert_same_answer(again.solution.objective, first.solution.objective)


def test_a_change_of_structure_builds_a_new_instance_and_the_old_one_is_kept() -> None:
    solver = WarmSolver(adapt=False)
    base = small_network_data()
    two = make(base)
    other = make({**base, "markets": base["markets"][:1],  # one market: fewer flows
                  "lanes": [entry for entry in base["lanes"] if entry["market"] == "us"]})
    assert structure_key(ProgramArrays.of(compile_model(two).program)) != structure_key(
        ProgramArrays.of(compile_model(other).program))
    solver.solve(two)
    solver.solve(other)
    solver.solve(two)
    assert (solver.cold, solver.warm) == (2, 1)


def test_a_future_without_a_plan_is_diagnosed_as_cold_and_the_next_still_warm() -> None:
    def one_plant(capacity: float) -> dict[str, Any]:
        return scenario_data(plants=[plant("home", capacity)], capabilities=[capability("home", local_cost=5.0)],
                             markets=[market("us", 100.0)])

    solver = WarmSolver(adapt=False)
    solver.solve(make(one_plant(200.0)))
    with pytest.raises(PlanningError, match="50 units cannot be supplied"):
        solver.solve(make(one_plant(50.0)))
    resolved = solver.solve(make(one_plant(300.0)))
    assert_same_answer(resolved.model.npv(resolved.solution.values), 500.0)  # at true cost: without the tie-break


def test_a_milp_re_solved_warm_finds_the_cold_optimum_when_the_decision_flips() -> None:
    # The Busan line pays at 1,100 KRW per USD; at 400 KRW it does not: the warm start's plan is not optimal.
    solver = WarmSolver(adapt=False)
    for krw in (1100.0, 400.0, 1100.0, 2000.0):
        scenario = make(at(small_network_data(), ("fx.KRW", krw)))
        warm, cold = solver.solve(scenario), solve_model(scenario)
        assert_same_answer(warm.solution.objective, cold.solution.objective)
        assert (warm.solution.values[warm.model.program.integrality()].round() ==
                cold.solution.values[cold.model.program.integrality()].round()).all()
    assert solver.warm == 3


def test_warm_re_solves_no_quicker_than_the_cold_solve_stop_after_a_few() -> None:
    def held(*warm: float) -> _Held:
        return _Held(highspy.Highs(), ProgramArrays.of(compile_model(make(small_network_data())).program),
                     np.zeros(0), cold_seconds=0.010, warm_seconds=warm)

    assert held().warm_pays
    assert held(0.5, 0.5).warm_pays  # too few timed to judge
    assert not held(0.012, 0.009, 0.011).warm_pays
    assert held(0.002, 0.003, 0.012).warm_pays
