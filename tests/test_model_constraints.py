"""Each constraint family and cost of the model on an instance small enough to solve by hand.

Every instance is built so that the family under test binds: without it the optimum would
differ. The expected objective is worked out in the test; comments show the arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import (
    assert_costs_match,
    capability,
    costs_by,
    flows_of,
    lane,
    make,
    market,
    plant,
    pool,
    product,
    repro,
    scenario_data,
    solved,
)
from footprint.optimize.highs import SolverOptions
from footprint.optimize.solve import PlanningError
from footprint.plan.tables import solve


def served(plan, market_id: str, year: int) -> tuple[float, float, float]:
    rows = plan.demand[(plan.demand["market"] == market_id) & (plan.demand["year"] == year)]
    assert len(rows) == 1
    row = rows.iloc[0]
    return float(row["demand"]), float(row["served"]), float(row["lost"])


def built(plan) -> list[tuple[str, int]]:
    return [(str(option), int(year)) for option, year in zip(plan.builds["option"], plan.builds["year"], strict=True)]


# --- demand balance -----------------------------------------------------------------------------


def test_demand_balance_serves_each_market_exactly():
    plan = solved(scenario_data(
        plants=[plant("p")],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("m1", 100.0), market("m2", 50.0)],
        lanes=[lane("p", "m1", 1.0), lane("p", "m2", 3.0)],
        default_freight=None,
    ))
    # 100 * (2 + 1) + 50 * (2 + 3) = 300 + 250
    assert plan.objective == pytest.approx(550.0)
    assert served(plan, "m1", 2020) == pytest.approx((100.0, 100.0, 0.0))
    assert served(plan, "m2", 2020) == pytest.approx((50.0, 50.0, 0.0))
    assert_costs_match(plan)


def test_demand_balance_is_an_equality_when_selling_pays():
    """With a price above cost, profit would grow with every unit: demand caps what is sold."""
    plan = solved(scenario_data(
        objective="maximize_profit",
        plants=[plant("p")],
        capabilities=[capability("p", local_cost=3.0)],
        markets=[market("m", 100.0, price={"car": 10.0})],
    ))
    # 100 units at a margin of 10 - 3
    assert plan.objective == pytest.approx(700.0)
    assert served(plan, "m", 2020) == pytest.approx((100.0, 100.0, 0.0))
    assert_costs_match(plan)


# --- capacity pools ---------------------------------------------------------------------------


def test_capacity_of_a_cheap_plant_binds():
    plan = solved(scenario_data(
        plants=[plant("cheap", 60.0), plant("dear", 1000.0)],
        capabilities=[capability("cheap", local_cost=1.0), capability("dear", local_cost=4.0)],
        markets=[market("m", 100.0)],
    ))
    # cheap makes its 60 at 1, dear the other 40 at 4: 60 + 160
    assert plan.objective == pytest.approx(220.0)
    assert flows_of(plan) == pytest.approx({("cheap", "m", 2020): 60.0, ("dear", "m", 2020): 40.0})
    utilization = plan.utilization.set_index(["plant", "pool", "year"])
    assert utilization.loc[("cheap", "main", 2020), "share"] == pytest.approx(1.0)
    assert utilization.loc[("dear", "main", 2020), "share"] == pytest.approx(40.0 / 1000.0)
    assert_costs_match(plan)


def test_utilization_share_is_used_over_capacity():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("a", {2020: 80.0, 2021: 50.0}), plant("b", 400.0)],
        capabilities=[capability("a", local_cost=1.0), capability("b", local_cost=2.0)],
        markets=[market("m", {2020: 100.0, 2021: 30.0})],
    ))
    table = plan.utilization
    assert list(table.columns) == ["plant", "pool", "year", "capacity", "used", "share"]
    assert np.allclose(table["share"], table["used"] / table["capacity"])
    by_key = table.set_index(["plant", "year"])
    # 2020: a full (80 of 80), b the other 20 of 400; 2021: a makes all 30 of 50
    assert by_key.loc[("a", 2020), ["capacity", "used"]].tolist() == pytest.approx([80.0, 80.0])
    assert by_key.loc[("b", 2020), ["capacity", "used"]].tolist() == pytest.approx([400.0, 20.0])
    assert by_key.loc[("a", 2021), ["capacity", "used"]].tolist() == pytest.approx([50.0, 30.0])
    assert by_key.loc[("b", 2021), "used"] == pytest.approx(0.0)


def test_product_in_two_pools_is_limited_by_the_tighter_one():
    two_pools = [pool("body", ["car"], 100.0), pool("paint", ["car"], 30.0)]
    plan = solved(scenario_data(
        plants=[plant("p", pools=two_pools), plant("q")],
        capabilities=[capability("p", local_cost=1.0), capability("q", local_cost=5.0)],
        markets=[market("m", 50.0)],
    ))
    # paint (30) binds before body (100): 30 * 1 + 20 * 5
    assert plan.objective == pytest.approx(130.0)
    production = plan.production[plan.production["plant"] == "p"].set_index("pool")["units"]
    assert production.to_dict() == pytest.approx({"body": 30.0, "paint": 30.0})


def test_shared_pool_binds_when_another_product_fills_it():
    products = [product("car"), product("suv")]
    pools = [pool("body", ["car", "suv"], 100.0), pool("paint", ["car"], 30.0)]
    plan = solved(scenario_data(
        products=products,
        plants=[plant("p", pools=pools), plant("q", products=("car",))],
        capabilities=[capability("p", "car", 1.0), capability("p", "suv", 2.0), capability("q", "car", 5.0)],
        markets=[{"id": "m", "country": "US", "demand": {"car": 50.0, "suv": 80.0}}],
    ))
    # suv only at p: 80 * 2 = 160; body leaves 100 - 80 = 20 for cars (tighter than paint's 30): 20 * 1;
    # q makes the other 30 cars: 30 * 5 = 150. Total 160 + 20 + 150
    assert plan.objective == pytest.approx(330.0)
    assert_costs_match(plan)


# --- capacity options ------------------------------------------------------------------------


def option(id: str, plant_id: str, capacity: float, capex: float, **extra) -> dict:
    return {"id": id, "plant": plant_id, "pool": "main", "capacity": capacity, "capex": capex, **extra}


def test_option_not_online_before_its_earliest_year():
    plan = solved(scenario_data(
        start=2020, end=2023,
        plants=[plant("new", 0.0), plant("old", 1000.0)],
        capabilities=[capability("new", local_cost=1.0), capability("old", local_cost=3.0)],
        options=[option("line", "new", 100.0, 250.0, earliest_year=2022)],
        markets=[market("m", 100.0)],
    ))
    # Without the earliest year it would be built in 2020. From 2022: 2020-21 old at 3: 2 * 300 = 600;
    # 2022-23 new at 1: 2 * 100 = 200; capex 250. Total 1050.
    assert built(plan) == [("line", 2022)]
    assert plan.objective == pytest.approx(1050.0)
    assert {key for key, units in flows_of(plan).items() if key[0] == "new"} == {
        ("new", "m", 2022), ("new", "m", 2023)}
    assert costs_by(plan, "capex") == pytest.approx({2020: 0.0, 2021: 0.0, 2022: 250.0, 2023: 0.0})
    assert_costs_match(plan)


def test_option_built_in_the_year_demand_growth_makes_it_pay():
    plan = solved(scenario_data(
        start=2020, end=2022,
        discount_rate=0.25,
        plants=[plant("new", 0.0), plant("old", 1000.0)],
        capabilities=[capability("new", local_cost=1.0), capability("old", local_cost=2.0)],
        options=[option("line", "new", 200.0, 100.0)],
        markets=[market("m", {2020: 10.0, 2021: 10.0, 2022: 200.0})],
    ))
    # Discount factors 1, 0.8, 0.64. The option saves 1 per unit made on it.
    # Built 2020: capex 100, saves 10 + 8 + 128 = 146 -> net -46
    # Built 2021: capex 80, saves 8 + 128 = 136 -> net -56
    # Built 2022: capex 64, saves 128 -> net -64 (best)
    # Cost without it: 20 + 16 + 256 = 292; with it from 2022: 292 - 64 = 228
    assert built(plan) == [("line", 2022)]
    assert plan.objective == pytest.approx(228.0)
    builds = plan.builds.iloc[0]
    assert (builds["plant"], builds["pool"], builds["added_capacity"], builds["capex"]) == (
        "new", "main", 200.0, pytest.approx(100.0))
    assert_costs_match(plan)


def test_option_built_at_most_once():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("new", 0.0), plant("old", 1000.0)],
        capabilities=[capability("new", local_cost=1.0), capability("old", local_cost=5.0)],
        options=[option("line", "new", 50.0, 10.0)],
        markets=[market("m", 100.0)],
    ))
    # Building twice (2020 and again 2021) would double 2021's capacity and save 4 * 50 for 10 more.
    # Once, in 2020: per year 50 * 1 + 50 * 5 = 300, twice, plus capex 10
    assert built(plan) == [("line", 2020)]
    assert plan.objective == pytest.approx(610.0)
    capacity = plan.utilization.set_index(["plant", "year"])["capacity"]
    assert capacity[("new", 2020)] == capacity[("new", 2021)] == pytest.approx(50.0)


def test_option_never_built_when_it_does_not_pay():
    plan = solved(scenario_data(
        plants=[plant("new", 0.0), plant("old", 1000.0)],
        capabilities=[capability("new", local_cost=1.0), capability("old", local_cost=2.0)],
        options=[option("line", "new", 100.0, 101.0)],
        markets=[market("m", 100.0)],
    ))
    # Saves 100 * (2 - 1) = 100 < capex 101: keep old, 100 * 2
    assert built(plan) == []
    assert plan.objective == pytest.approx(200.0)


# --- discounting -----------------------------------------------------------------------------


def test_discounting_over_several_years():
    plan = solved(scenario_data(
        start=2020, end=2022,
        discount_rate=0.1,
        plants=[plant("p", fixed_cost=10.0)],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("m", 100.0)],
    ))
    # Each year 100 * 2 + fixed 10 = 210, discounted by 1, 1/1.1, 1/1.21
    expected = 210.0 * (1 + 1 / 1.1 + 1 / 1.21)
    assert plan.objective == pytest.approx(expected, rel=1e-9)
    costs = plan.costs
    for year, factor in ((2020, 1.0), (2021, 1 / 1.1), (2022, 1 / 1.21)):
        rows = costs[costs["year"] == year]
        assert rows["amount"].sum() == pytest.approx(210.0)
        assert rows["discounted"].sum() == pytest.approx(210.0 * factor)
    assert_costs_match(plan)


# --- FX --------------------------------------------------------------------------------------


def test_fx_by_year_changes_the_plant_of_local_cost():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("busan", country="KR", currency="KRW"), plant("smyrna")],
        capabilities=[capability("busan", local_cost=1_100_000.0), capability("smyrna", local_cost=950.0)],
        markets=[market("us", 10.0)],
        fx={"KRW": {2020: 1100.0, 2021: 1400.0}},
    ))
    # 2020: busan 1,100,000 / 1100 = 1000 USD > smyrna 950 -> smyrna, 10 * 950 = 9500
    # 2021: busan 1,100,000 / 1400 = 785.71 USD < 950 -> busan, 10 * 785.71
    assert plan.objective == pytest.approx(9500.0 + 10 * 1_100_000.0 / 1400.0)
    assert flows_of(plan) == pytest.approx({("smyrna", "us", 2020): 10.0, ("busan", "us", 2021): 10.0})
    landed = plan.landed_cost
    busan = landed[(landed["plant"] == "busan") & (landed["component"] == "production_local")]
    # The plan's landed costs cover the lanes it uses: busan in 2021 only.
    assert dict(zip(busan["year"], busan["per_unit"], strict=True)) == pytest.approx({2021: 1_100_000.0 / 1400.0})
    assert_costs_match(plan)


def test_fx_of_imported_content_changes_the_plant():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("us"), plant("ca", country="CA", currency="CAD")],
        capabilities=[
            capability("us", local_cost=100.0, imported_cost=80.0, imported_currency="EUR"),
            capability("ca", local_cost=300.0),
        ],
        markets=[market("m", 10.0)],
        fx={"EUR": {2020: 0.8, 2021: 0.5}, "CAD": 1.25},
    ))
    # us: 100 + 80 / 0.8 = 200 (2020), 100 + 80 / 0.5 = 260 (2021); ca: 300 / 1.25 = 240 both years
    # 2020 us: 10 * 200; 2021 ca: 10 * 240
    assert plan.objective == pytest.approx(2000.0 + 2400.0)
    assert flows_of(plan) == pytest.approx({("us", "m", 2020): 10.0, ("ca", "m", 2021): 10.0})
    landed = plan.landed_cost
    imported = landed[(landed["plant"] == "us") & (landed["component"] == "production_imported")]
    assert dict(zip(imported["year"], imported["per_unit"], strict=True)) == pytest.approx({2020: 100.0})
    assert costs_by(plan, "production_imported") == pytest.approx({2020: 1000.0, 2021: 0.0})
    assert_costs_match(plan)


def test_fx_converts_fixed_cost_capex_and_launch_cost_from_plant_currency():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("tokyo", 0.0, country="JP", currency="JPY", fixed_cost=50_000.0)],
        capabilities=[capability("tokyo", local_cost=1_000.0, launch_cost=20_000.0)],
        options=[option("line", "tokyo", 100.0, 300_000.0)],
        markets=[market("m", 10.0)],
        fx={"JPY": {2020: 100.0, 2021: 200.0}},
    ))
    # fixed: 50,000/100 + 50,000/200 = 500 + 250; capex (2020) 300,000/100 = 3000; launch (2020) 20,000/100 = 200;
    # production: 10 * 1000/100 + 10 * 1000/200 = 100 + 50
    assert plan.objective == pytest.approx(750.0 + 3000.0 + 200.0 + 150.0)
    assert costs_by(plan, "fixed") == pytest.approx({2020: 500.0, 2021: 250.0})
    assert plan.builds["capex"].tolist() == pytest.approx([3000.0])
    assert costs_by(plan, "launch") == pytest.approx({2020: 200.0, 2021: 0.0})
    assert_costs_match(plan)


# --- freight ---------------------------------------------------------------------------------


def test_freight_from_lanes_and_default_freight():
    plan = solved(scenario_data(
        plants=[plant("p")],
        capabilities=[capability("p", local_cost=1.0)],
        markets=[market("listed", 10.0), market("unlisted", 10.0), market("yen", 10.0)],
        lanes=[lane("p", "listed", 5.0), lane("p", "yen", 300.0, currency="JPY")],
        default_freight=7.0,
        fx={"JPY": 100.0},
    ))
    # listed: 10 * (1 + 5); unlisted: 10 * (1 + 7); yen: 10 * (1 + 300 / 100)
    assert plan.objective == pytest.approx(60.0 + 80.0 + 40.0)
    assert costs_by(plan, "freight") == pytest.approx({2020: 50.0 + 70.0 + 30.0})


def test_missing_lane_cannot_be_used_without_default_freight():
    plan = solved(scenario_data(
        plants=[plant("cheap"), plant("dear")],
        capabilities=[capability("cheap", local_cost=1.0), capability("dear", local_cost=3.0)],
        markets=[market("m", 10.0)],
        lanes=[lane("dear", "m", 1.0)],
        default_freight=None,
    ))
    # cheap has no lane to m: dear serves it, 10 * (3 + 1)
    assert plan.objective == pytest.approx(40.0)
    assert set(flows_of(plan)) == {("dear", "m", 2020)}
    assert set(plan.landed_cost["plant"].astype(str)) == {"dear"}


# --- duty ------------------------------------------------------------------------------------


def duty_scenario(customs_basis: str) -> dict:
    return scenario_data(
        start=2020, end=2022,
        plants=[plant("busan", country="KR")],
        capabilities=[capability("busan", local_cost=1000.0)],
        markets=[market("us", 10.0, customs_basis=customs_basis)],
        lanes=[lane("busan", "us", 100.0)],
        default_freight=None,
        tariffs=[
            {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025},
            {"origin": "KR", "destination": "US", "product_class": "8703", "from_year": 2021, "to_year": 2021,
             "rate": 0.01},
            {"origin": "KR", "destination": "US", "product_class": "8703", "year": 2022, "rate": 0.0},
            {"origin": "*", "destination": "US", "product_class": "other", "rate": 0.5},
        ],
    )


@pytest.mark.parametrize(("basis", "customs_value"), [("fob", 1000.0), ("cif", 1000.0 + 100.0)])
def test_duty_wildcard_origin_override_and_phase_out(basis, customs_value):
    plan = solved(duty_scenario(basis))
    # Rates: 2020 the MFN rate 2.5% (no KR rate); 2021 KR's own 1%; 2022 KR's own 0%.
    # Class "other" is not the car's class. Customs value: fob 1000, cif 1000 + 100 freight.
    rates = {2020: 0.025, 2021: 0.01, 2022: 0.0}
    duty = {year: 10 * rate * customs_value for year, rate in rates.items()}
    assert costs_by(plan, "duty") == pytest.approx(duty)
    assert plan.objective == pytest.approx(3 * 10 * 1100.0 + sum(duty.values()))
    landed = plan.landed_cost[plan.landed_cost["component"] == "duty"]
    assert dict(zip(landed["year"], landed["per_unit"], strict=True)) == pytest.approx(
        {year: rate * customs_value for year, rate in rates.items()})
    assert_costs_match(plan)


def test_duty_wildcard_does_not_tax_domestic_supply_and_can_change_the_plant():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("busan", country="KR"), plant("smyrna", country="US")],
        capabilities=[capability("busan", local_cost=1000.0), capability("smyrna", local_cost=1020.0)],
        markets=[market("us", 10.0)],
        tariffs=[{"origin": "*", "destination": "US", "product_class": "8703", "year": 2020, "rate": 0.025}],
    ))
    # 2020: busan 1000 + 25 duty > smyrna 1020 (no duty at home) -> smyrna; 2021 no rate -> busan at 1000
    assert flows_of(plan) == pytest.approx({("smyrna", "us", 2020): 10.0, ("busan", "us", 2021): 10.0})
    assert plan.objective == pytest.approx(10 * 1020.0 + 10 * 1000.0)
    assert costs_by(plan, "duty") == pytest.approx({2020: 0.0, 2021: 0.0})


# --- lost sales and profit --------------------------------------------------------------------


@pytest.mark.parametrize(("penalty", "expected_lost"), [(50.0, 40.0), (1.0, 100.0)])
def test_lost_sales_priced_at_the_penalty(penalty, expected_lost):
    plan = solved(scenario_data(
        plants=[plant("p", 60.0)],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("m", 100.0, lost_sale_penalty={"car": penalty})],
    ))
    # penalty 50 > cost 2: make the 60 the plant can, lose 40: 60 * 2 + 40 * 50 = 2120
    # penalty 1 < cost 2: lose all 100: 100 * 1 = 100
    assert served(plan, "m", 2020) == pytest.approx((100.0, 100.0 - expected_lost, expected_lost))
    assert plan.objective == pytest.approx((100.0 - expected_lost) * 2.0 + expected_lost * penalty)
    assert costs_by(plan, "lost_sales") == pytest.approx({2020: expected_lost * penalty})
    assert_costs_match(plan)


def test_lost_sale_penalty_in_market_currency():
    plan = solved(scenario_data(
        plants=[plant("p", 60.0)],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("m", 100.0, currency="EUR", lost_sale_penalty={"car": 40.0})],
        fx={"EUR": 0.8},
    ))
    # penalty 40 EUR / 0.8 = 50 USD: 60 * 2 + 40 * 50
    assert plan.objective == pytest.approx(2120.0)


def test_maximize_profit_skips_an_unprofitable_market():
    plan = solved(scenario_data(
        objective="maximize_profit",
        plants=[plant("p")],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("rich", 100.0, price={"car": 10.0}), market("poor", 100.0, price={"car": 3.0})],
        lanes=[lane("p", "rich", 1.0), lane("p", "poor", 2.0)],
        default_freight=None,
    ))
    # rich: margin 10 - 2 - 1 = 7, sell 100 -> 700; poor: 3 - 2 - 2 = -1, skip
    assert plan.objective == pytest.approx(700.0)
    assert served(plan, "poor", 2020) == pytest.approx((100.0, 0.0, 100.0))
    assert served(plan, "rich", 2020) == pytest.approx((100.0, 100.0, 0.0))
    assert costs_by(plan, "revenue") == pytest.approx({2020: -1000.0})
    assert plan.costs["discounted"].sum() == pytest.approx(-700.0)
    assert_costs_match(plan)


def test_maximize_profit_with_discounting_and_market_currency():
    plan = solved(scenario_data(
        objective="maximize_profit",
        start=2020, end=2021,
        discount_rate=0.25,
        plants=[plant("p", 50.0)],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("eu", 100.0, country="EU", currency="EUR", price={"car": {2020: 8.0, 2021: 4.0}})],
        fx={"EUR": 0.5},
    ))
    # price 16 then 8 USD; capacity 50: margins 14 and 6 -> 50 * 14 + 50 * 6 * 0.8 = 700 + 240
    assert plan.objective == pytest.approx(940.0)
    assert_costs_match(plan)


# --- assignments: launch cost and minimum volume ----------------------------------------------


@pytest.mark.parametrize(("in_production", "expected"), [(False, 300.0), (True, 200.0)])
def test_launch_cost_paid_once_unless_in_production(in_production, expected):
    plan = solved(scenario_data(
        start=2020, end=2022,
        plants=[plant("new"), plant("old")],
        capabilities=[capability("new", local_cost=1.0, launch_cost=100.0, in_production=in_production),
                      capability("old", local_cost=3.0)],
        markets=[market("m", {2020: 100.0, 2021: 0.0, 2022: 100.0})],
    ))
    # new makes 100 in 2020 and 2022 at 1 (vs 3 at old): 2 * 100 = 200; it stays assigned through 2021
    # (no demand) rather than launch again, so it launches once: + 100, or + 0 when already in production.
    # Old alone would cost 2 * 300 = 600; launching twice 400.
    assert plan.objective == pytest.approx(expected)
    launches = plan.assignments[plan.assignments["launched"]]
    assert [(str(p), int(y)) for p, y in zip(launches["plant"], launches["year"], strict=True)] == (
        [] if in_production else [("new", 2020)])
    assert costs_by(plan, "launch") == pytest.approx({2020: expected - 200.0, 2021: 0.0, 2022: 0.0})
    assert_costs_match(plan)


def test_launch_cost_that_does_not_pay_keeps_the_old_plant():
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("new"), plant("old")],
        capabilities=[capability("new", local_cost=1.0, launch_cost=500.0), capability("old", local_cost=3.0)],
        markets=[market("m", 100.0)],
    ))
    # new saves 2 * 100 * 2 = 400 < launch 500: old, 2 * 300
    assert plan.objective == pytest.approx(600.0)
    assert not plan.assignments["launched"].any()
    assert set(flows_of(plan)) == {("old", "m", 2020), ("old", "m", 2021)}


def _assigned_and_launched(plan) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    rows = plan.assignments
    pairs = {flag: {(str(p), int(y)) for p, y in zip(rows[rows[flag]]["plant"], rows[rows[flag]]["year"], strict=True)}
             for flag in ("assigned", "launched")}
    return pairs["assigned"], pairs["launched"]


def _open_years(plan) -> set[tuple[str, int]]:
    rows = plan.tables["plants"]
    rows = rows[rows["open"]]
    return {(str(p), int(y)) for p, y in zip(rows["plant"], rows["year"], strict=True)}


def test_a_product_is_not_launched_at_a_candidate_plant_before_it_can_open():
    """tests/repro/launch-while-closed.yaml: new opens in 2021 at the earliest; launching there in 2020, at 2 EUR
    a dollar, would cost 50 USD instead of 200 in 2021. Launch 100 EUR in 2021 (200 USD) + 10 x 1 EUR (20 USD)."""
    plan = solve(repro("launch-while-closed.yaml"))
    assert plan.objective == pytest.approx(220.0)
    assert costs_by(plan, "launch") == pytest.approx({2020: 0.0, 2021: 200.0})
    assigned, launched = _assigned_and_launched(plan)
    assert assigned == launched == {("new", 2021)}


def test_a_product_is_launched_only_once_the_plan_opens_its_plant():
    """A candidate that may open in any year: the launch is cheapest in 2020 (100 EUR at 2 EUR a dollar), so
    the plan opens the plant in 2020 to launch then, rather than launch while closed and open in 2022."""
    plan = solved(scenario_data(
        start=2020, end=2022,
        plants=[plant("new", candidate=True, currency="EUR", fixed_cost=10.0), plant("old")],
        capabilities=[capability("new", local_cost=1.0, launch_cost=100.0), capability("old", local_cost=100.0)],
        markets=[market("m", {2020: 0.0, 2021: 0.0, 2022: 10.0})],
        fx={"EUR": {"path": {2020: 2.0, 2021: 1.0, 2022: 0.5}}},
    ))
    # Open 2020: fixed 5 + 10 + 20, launch 50, 10 x 1 EUR = 20 -> 105 (it stays assigned, idle, to 2022).
    # Open 2021: 10 + 20 + 100 + 20 = 150; open 2022: 20 + 200 + 20 = 240; old: 1000.
    # Launched in 2020 while closed and opened in 2022: 20 + 50 + 20 = 90, which a closed plant cannot do.
    assert plan.objective == pytest.approx(105.0)
    assigned, launched = _assigned_and_launched(plan)
    assert launched == {("new", 2020)}
    assert assigned == {("new", 2020), ("new", 2021), ("new", 2022)}
    assert assigned <= _open_years(plan)
    assert_costs_match(plan)


def test_launched_means_assigned_after_a_year_without_when_the_launch_is_free():
    """Minimum volumes make assignment a decision at launch cost 0: a plant whose product is never assigned is
    never launched (the free start variable is no launch)."""
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("small", 10.0, candidate=True, opening_cost=50.0, fixed_cost=20.0),
                plant("big", 100.0, candidate=True, fixed_cost=5.0), plant("backup")],
        capabilities=[capability("small", local_cost=1.0, min_volume=3.0),
                      capability("big", local_cost=1.0, min_volume=3.0, in_production=True),
                      capability("backup", local_cost=20.0)],
        markets=[market("m", {2020: 0.0, 2021: 20.0})],
    ))
    # big opens in 2021 (fixed 5) and makes 20 at 1: 25; small would add 50 + 20; backup 400.
    assert plan.objective == pytest.approx(25.0)
    assigned, launched = _assigned_and_launched(plan)
    # big was in production before 2020, but not assigned in 2020 (closed): it starts again in 2021.
    assert assigned == launched == {("big", 2021)}


def test_min_volume_forces_zero_or_at_least_the_minimum():
    data = scenario_data(
        plants=[plant("a"), plant("b")],
        capabilities=[capability("a", local_cost=1.0, min_volume=80.0), capability("b", local_cost=2.0)],
        markets=[market("near", 50.0), market("far", 100.0)],
        lanes=[lane("a", "near", 0.0), lane("a", "far", 2.0), lane("b", "near", 0.0), lane("b", "far", 0.0)],
        default_freight=None,
    )
    plan = solved(data)
    # Unconstrained, a would make only near's 50: 50 * 1 + 100 * 2 = 250.
    # With min 80: a makes 80 (near 50, far 30 at 1 + 2): 50 + 90 + 70 * 2 = 280; b alone: 150 * 2 = 300
    assert plan.objective == pytest.approx(280.0)
    made = plan.assignments.set_index(["plant", "year"])["units"]
    assert made[("a", 2020)] == pytest.approx(80.0)
    free = dict(data, capabilities=[capability("a", local_cost=1.0), capability("b", local_cost=2.0)])
    assert solved(free).objective == pytest.approx(250.0)


def test_min_volume_above_capacity_rules_a_plant_out():
    plan = solved(scenario_data(
        plants=[plant("a", 60.0), plant("b")],
        capabilities=[capability("a", local_cost=1.0, min_volume=80.0), capability("b", local_cost=2.0)],
        markets=[market("m", 100.0)],
    ))
    # a could make at most 60 < 80: it makes nothing, b makes 100 at 2 (without the minimum: 60 + 80 = 140)
    assert plan.objective == pytest.approx(200.0)
    made = plan.assignments.set_index(["plant", "year"])
    assert made.loc[("a", 2020), "units"] == pytest.approx(0.0)
    assert not made.loc[("a", 2020), "assigned"]


# --- operating years and fixed cost -----------------------------------------------------------


def test_operating_years_and_fixed_cost_per_operating_year():
    plan = solved(scenario_data(
        start=2020, end=2022,
        plants=[plant("a", fixed_cost=5.0, operating_years={"start": 2021, "end": 2021}),
                plant("b"),
                plant("idle", fixed_cost=7.0)],
        capabilities=[capability("a", local_cost=1.0), capability("b", local_cost=2.0),
                      capability("idle", local_cost=100.0)],
        markets=[market("m", 10.0)],
    ))
    # a only in 2021: 2020 b 20, 2021 a 10, 2022 b 20 -> 50.
    # fixed: a 5 in 2021 only; idle 7 in each of three years although it makes nothing -> 5 + 21
    assert plan.objective == pytest.approx(50.0 + 5.0 + 21.0)
    assert {key for key in flows_of(plan) if key[0] == "a"} == {("a", "m", 2021)}
    assert costs_by(plan, "fixed") == pytest.approx({2020: 7.0, 2021: 12.0, 2022: 7.0})
    capacity = plan.utilization.set_index(["plant", "year"])["capacity"]
    assert capacity[("a", 2020)] == capacity[("a", 2022)] == 0.0
    assert_costs_match(plan)


def test_scenario_without_demand_costs_its_fixed_cost():
    """Nothing to make and nothing to build: the model has no variables, the plan is the fixed cost."""
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("p", fixed_cost=7.0)],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("m", 0.0)],
    ))
    # 7 in each of two years
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(14.0)
    assert plan.flows.empty
    assert_costs_match(plan)


# --- no plan ---------------------------------------------------------------------------------


def test_infeasible_scenario_names_what_is_short():
    scenario = make(scenario_data(
        start=2020, end=2021,
        plants=[plant("p", 60.0)],
        capabilities=[capability("p", local_cost=2.0)],
        markets=[market("detroit", {2020: 50.0, 2021: 100.0})],
    ))
    with pytest.raises(PlanningError) as caught:
        solve(scenario)
    message = str(caught.value)
    assert "infeasible" in message
    # 2021 needs 100, capacity is 60: 40 units short; 2020 is fine
    assert "car in detroit, 2021: 40 units cannot be supplied" in message
    assert "2020" not in message


def test_infeasible_when_the_only_plant_is_closed_that_year():
    scenario = make(scenario_data(
        start=2020, end=2021,
        plants=[plant("p", operating_years={"start": 2021})],
        capabilities=[capability("p")],
        markets=[market("m", 10.0)],
    ))
    with pytest.raises(PlanningError, match=r"car in m, 2020: 10 units cannot be supplied"):
        solve(scenario)


# --- time limit ------------------------------------------------------------------------------


def facility_location(sites: int, customers: int, seed: int, capacity_ratio: float) -> dict:
    """A random capacitated facility location instance in footprint terms (one year, options open sites)."""
    rng = np.random.default_rng(seed)
    site_xy, customer_xy = rng.random((sites, 2)), rng.random((customers, 2))
    demand = rng.integers(5, 35, customers).astype(float)
    mean_capacity = demand.sum() * capacity_ratio / sites
    capacity = rng.integers(int(mean_capacity * 0.5), int(mean_capacity * 1.5), sites).astype(float)
    fixed = rng.integers(300, 700, sites).astype(float)
    distance = 10 * np.hypot(*(site_xy[:, None, :] - customer_xy[None, :, :]).transpose(2, 0, 1))
    names = [f"s{i}" for i in range(sites)]
    return scenario_data(
        start=2000,
        plants=[plant(name, 0.0) for name in names],
        capabilities=[capability(name) for name in names],
        options=[option(f"open-{name}", name, capacity[i], fixed[i]) for i, name in enumerate(names)],
        markets=[market(f"c{j}", demand[j]) for j in range(customers)],
        lanes=[lane(names[i], f"c{j}", float(distance[i, j])) for i in range(sites) for j in range(customers)],
        default_freight=None,
    )


def test_a_solve_stopped_by_a_limit_returns_the_incumbent_with_its_gap():
    # A node limit rather than a time limit, so that the machine's speed does not decide: HiGHS finds a plan at
    # the root of this one but needs more nodes to prove it optimal. The time limit stops a solve the same way.
    plan = solve(make(facility_location(30, 80, seed=3, capacity_ratio=1.6)), SolverOptions(max_nodes=1))
    assert plan.status == "time_limit"
    assert "not proven optimal" in plan.summary["message"]
    assert math.isfinite(plan.objective)
    assert plan.summary["gap"] > 1e-4  # not within the default gap: it was stopped
    assert plan.summary["bound"] <= plan.objective + 1e-6
    # The incumbent is a real plan: all demand served within the capacity of the sites it opens.
    assert (plan.demand["served"] - plan.demand["demand"]).abs().max() < 1e-6
    assert (plan.utilization["used"] <= plan.utilization["capacity"] + 1e-6).all()
    assert not plan.builds.empty
    assert_costs_match(plan)
