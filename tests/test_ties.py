"""Ties between lanes: two identical plants serve each market from the same one in every year and every future
(cold or warm, as a sweep's worker solves them); the tie-break never outweighs a real difference in cost, and the
objective and costs a plan reports leave it out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conftest import capability, lane, make, market, plant, scenario_data, solved
from footprint.analysis.sweep import Task, similarity_order, solve_futures
from footprint.optimize.model import TIE_BREAK, flow_preference
from footprint.optimize.solve import compile_model, solve_model
from footprint.plan.store import decode_tables
from footprint.plan.tables import plan_of

DEMAND = ((120.0, 0.02), (80.0, 0.06), (150.0, 0.0), (60.0, 0.09))
"""Each market's first-year demand and growth."""
FREIGHT = ((300.0, 900.0), (700.0, 400.0), (500.0, 1500.0), (200.0, 600.0))
"""Each market's freight from east and west (the same) and from near."""
FUTURES = ((146, 90, 56, 52), (172, 187, 141, 159), (132, 190, 172, 50), (179, 55, 159, 76), (179, 131, 95, 113),
           (54, 69, 151, 147), (142, 108, 200, 197), (153, 148, 153, 108))
"""Each future's first-year demand in the four markets."""


def twins(west_cost: float = 20_000.0) -> dict[str, Any]:
    """East and west make and ship alike (west's cost aside); near is cheaper but small, so the LP is not trivial:
    which of the twins serves a market is a tie wherever west costs what east does."""
    return scenario_data(
        start=2020, end=2025, discount_rate=0.08,
        plants=[plant("east", 2000.0), plant("west", 2000.0), plant("near", 250.0)],
        capabilities=[capability("east", local_cost=20_000.0), capability("west", local_cost=west_cost),
                      capability("near", local_cost=19_000.0)],
        markets=[market(f"m{j}", {"from": units, "growth": growth}) for j, (units, growth) in enumerate(DEMAND)],
        lanes=[lane(source, f"m{j}", cost) for j, (twin, near) in enumerate(FREIGHT)
               for source, cost in (("east", twin), ("west", twin), ("near", near))],
        default_freight=None)


def twins_serving(flows: list[Any]) -> dict[str, set[str]]:
    """For each market, the twins that serve it in any of the plans' years."""
    serving: dict[str, set[str]] = {}
    for table in flows:
        table = table.astype({"plant": str, "market": str})
        for row in table[table["plant"] != "near"].itertuples():
            serving.setdefault(row.market, set()).add(row.plant)
    return serving


def test_identical_plants_serve_each_market_from_the_same_one_every_year_and_in_every_future() -> None:
    tasks = [Task(f"f{i}", 1 / len(FUTURES), tuple((f"markets[{j}].demand.car.from", float(units))
                                                   for j, units in enumerate(demand)), f"key{i}")
             for i, demand in enumerate(FUTURES)]
    # As a sweep's worker solves them: in a chain, each warm from the one before.
    results = solve_futures(twins(), "twins", similarity_order(tasks), {"time_limit": None, "mip_gap": 1e-4})
    warm = [decode_tables(result.tables)["flows"] for result in results if result.tables is not None]
    assert len(warm) == len(FUTURES)
    cold = [solved(twins()).flows]
    serving = twins_serving(warm + cold)
    assert set(serving) == {"m0", "m1", "m2", "m3"}
    assert all(len(twins) == 1 for twins in serving.values()), serving  # before the tie-break, both twins by turns


def test_the_tie_break_never_outweighs_a_real_difference_in_cost() -> None:
    network = compile_model(make(twins())).network
    preference = flow_preference(network)
    assert preference.max() < 3 * TIE_BREAK * np.median(network.unit_cost)
    preferred = str(np.array(network.plants)[network.cap_plant[network.flow_capability[np.argmin(preference)]]])
    assert preferred in ("east", "west")
    other = "west" if preferred == "east" else "east"
    # The other twin dearer by a cent on 20,000 (the tie-break is below 3e-7 of the median unit cost, 0.0062):
    # the preferred twin serves all the twins do. Cheaper by a cent: the other does, whatever the preference says.
    for dearer, expected in ((0.01, preferred), (-0.01, other)):
        data = twins()
        data["capabilities"][1 if other == "west" else 0]["local_cost"] = 20_000.0 + dearer
        serving = twins_serving([solved(data).flows])
        assert serving  # near is small: the twins serve some markets
        assert {twin for twins in serving.values() for twin in twins} == {expected}


def test_futures_whose_costs_move_a_little_share_the_very_same_tie_break() -> None:
    """So that a warm re-solve is handed only the costs that really changed."""
    dearer = twins(west_cost=20_400.0)
    dearer["capabilities"][0]["local_cost"] = 20_400.0  # the twins 2% dearer: so is the median unit cost
    networks = [compile_model(make(data)).network for data in (twins(), dearer)]
    assert np.median(networks[1].unit_cost) > np.median(networks[0].unit_cost) + 100.0
    preferences = [flow_preference(network) for network in networks]
    assert (preferences[0] == preferences[1]).all()


def test_a_network_of_small_unit_costs_has_no_tie_break() -> None:
    """Below about 100 a unit, the tie-break would sit within HiGHS's tolerances: there is none."""
    data = scenario_data(plants=[plant("a"), plant("b")],
                         capabilities=[capability("a", local_cost=5.0), capability("b", local_cost=5.0)],
                         markets=[market("us", 100.0)])
    solved_model = solve_model(make(data))
    assert not flow_preference(solved_model.model.network).any()
    assert plan_of(solved_model).objective == solved_model.solution.objective == pytest.approx(500.0)


def test_the_objective_and_the_costs_are_the_true_costs_without_the_tie_break() -> None:
    # One plant, one market, 100 units a year for two years at 500 a unit, 10% discount: 50,000 + 45,454.54...
    data = scenario_data(start=2020, end=2021, discount_rate=0.1, plants=[plant("home")],
                         capabilities=[capability("home", local_cost=500.0)], markets=[market("us", 100.0)])
    solved_model = solve_model(make(data))
    plan = plan_of(solved_model)
    exact = 50_000.0 + 50_000.0 / 1.1
    assert solved_model.solution.objective > exact  # what HiGHS minimized has the tie-break in it
    assert plan.objective == pytest.approx(exact, rel=1e-12)  # what the plan reports has not
    assert plan.summary["bound"] == pytest.approx(exact, rel=1e-12)
    assert float(plan.costs["discounted"].sum()) == pytest.approx(exact, rel=1e-12)
