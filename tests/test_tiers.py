"""Networks of many tiers (issue 17): components and their bills of materials, suppliers, plants that make components
for other plants, and distribution centres; every figure below worked out by hand."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import footprint as fp
from conftest import capability, invoke, make, market, plant, scenario_data, solved, write_yaml
from footprint.analysis.breakeven import find_breakeven
from footprint.analysis.expected import expected_plan
from footprint.analysis.explain import explain
from footprint.analysis.stochastic import stochastic_plan
from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.scenario.formats.files import convert, load_scenario, read_scenario
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.scenario_sets import Future
from footprint.views.report import plan_report
from footprint.views.report_sets import stochastic_report
from footprint.views.stochastic import print_stochastic

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def lane_between(origin: str, destination: str, freight: float) -> dict[str, Any]:
    return {"origin": origin, "destination": destination, "freight": freight}


def supplier(id: str, *supplies: dict[str, Any], country: str = "US", **extra: Any) -> dict[str, Any]:
    return {"id": id, "country": country, "currency": "USD", "supplies": list(supplies), **extra}


def two_level(**extra: Any) -> dict[str, Any]:
    """A car of one engine; an engine of two blocks. Plant a makes both (cars 100, engines 50 each); blocks are
    bought from s at 10. Ten cars for the US: 10 x (100 + 50 + 2 x 10) = 1,700."""
    data = scenario_data(
        plants=[plant("a", products=("car", "engine"))],
        capabilities=[capability("a", "car", 100.0), capability("a", "engine", 50.0)],
        markets=[market("us", 10.0)],
        products=[{"id": "car", "product_class": "8703", "bom": {"engine": 1}}],
        components=[{"id": "engine", "product_class": "8407", "value": 500.0, "bom": {"block": 2}},
                    {"id": "block", "product_class": "8409", "value": 10.0}],
        suppliers=[supplier("s", {"component": "block", "price": 10.0})],
    )
    return data | extra


def test_a_two_level_bill_of_materials_is_bought_made_and_costed() -> None:
    plan = solved(two_level())
    assert plan.objective == pytest.approx(1700.0)
    supplies, transfers = plan.tables["supplies"], plan.tables["transfers"]
    assert supplies[["supplier", "component", "plant", "units"]].values.tolist() == [["s", "block", "a", 20.0]]
    assert transfers[["origin", "component", "destination", "units"]].values.tolist() == [["a", "engine", "a", 10.0]]
    costs = plan.tables["costs"].groupby("component")["amount"].sum()
    assert costs["purchases"] == pytest.approx(200.0)
    assert costs["production_local"] == pytest.approx(1500.0)  # cars' 1,000 and engines' 500
    assert plan.tables["costs"]["discounted"].sum() == pytest.approx(plan.objective)


def engines_made_in_korea() -> dict[str, Any]:
    """two_level with a Korean plant k making engines at 50 (the US plant a at 60), 5 of freight from k to a and
    2.5% duty on engines into the US."""
    data = two_level()
    data["plants"].append(plant("k", products=("engine",), country="KR", currency="USD"))
    data["plants"][0]["pools"][0]["products"] = ["car", "engine"]
    data["capabilities"] = [capability("a", "car", 100.0), capability("a", "engine", 60.0),
                            capability("k", "engine", 50.0)]
    data["lanes"] = [lane_between("k", "a", 5.0)]
    data["tariffs"] = [{"origin": "*", "destination": "US", "product_class": "8407", "rate": 0.025}]
    return data


def test_an_engine_plant_abroad_pays_the_duty_on_its_engines_value() -> None:
    """Engines made in Korea for the US plant: 50 to make, 2 x 10 of blocks, 5 of freight, and 2.5% duty on their
    value (50 + 2 x 10 blocks at value) = 1.75 each: 10 x (100 + 50 + 20 + 5 + 1.75) = 1,767.5 against making them
    in the US at 60: 10 x (100 + 60 + 20) = 1,800."""
    plan = solved(engines_made_in_korea())
    assert plan.objective == pytest.approx(1767.5)
    transfers = plan.tables["transfers"]
    assert transfers[["origin", "destination", "units"]].values.tolist() == [["k", "a", 10.0]]
    assert plan.tables["costs"].groupby("component")["amount"].sum()["duty"] == pytest.approx(17.5)


def distribution(fixed_cost: float, **facility: Any) -> dict[str, Any]:
    """One plant, two markets of 10 each, 100 of freight direct; through a candidate DC: 20 in, 10 out."""
    return scenario_data(
        plants=[plant("p")], capabilities=[capability("p", "car", 0.0)],
        markets=[market("m1", 10.0), market("m2", 10.0)], default_freight=None,
        lanes=[lane_between("p", "m1", 100.0), lane_between("p", "m2", 100.0), lane_between("p", "dc", 20.0),
               lane_between("dc", "m1", 10.0), lane_between("dc", "m2", 10.0)],
        facilities=[{"id": "dc", "country": "US", "currency": "USD", "candidate": True, "fixed_cost": fixed_cost,
                     **facility}])


@pytest.mark.parametrize(("fixed_cost", "opens", "objective"), [(1000.0, True, 1600.0), (1500.0, False, 2000.0)])
def test_a_distribution_centre_opens_only_when_it_pays(fixed_cost: float, opens: bool, objective: float) -> None:
    """Direct: 20 x 100 = 2,000. Through the DC: 20 x (20 + 10) = 600 plus its fixed cost."""
    plan = solved(distribution(fixed_cost))
    assert plan.objective == pytest.approx(objective)
    sites = plan.tables["sites"]
    assert sites[["kind", "site", "open", "opened"]].values.tolist() == [["facility", "dc", opens, opens]]
    assert plan.tables["deliveries"]["units"].sum() == pytest.approx(20.0 if opens else 0.0)
    assert plan.tables["demand"]["served"].tolist() == [10.0, 10.0]
    assert plan.tables["costs"]["discounted"].sum() == pytest.approx(objective)


def test_a_distribution_centres_capacity_and_handling_count() -> None:
    """Capacity 15 and handling 5: 15 units through it (15 x 35 = 525), 5 direct (500), plus 500 fixed: 1,525
    (all direct: 2,000)."""
    plan = solved(distribution(500.0, capacity=15.0, handling_cost=5.0))
    assert plan.objective == pytest.approx(1525.0)
    assert plan.tables["inbound"]["units"].sum() == pytest.approx(15.0)


def test_a_product_through_a_distribution_centre_pays_its_duty_by_its_origin() -> None:
    """A Mexican car through a US DC pays the US duty on Mexican cars (10% of its cost of 100) once, as a direct
    shipment would: 10 x (100 + 20 + 10 + 10) = 1,400."""
    data = scenario_data(
        plants=[plant("mx", country="MX")], capabilities=[capability("mx", "car", 100.0)],
        markets=[market("us", 10.0)], default_freight=None,
        lanes=[lane_between("mx", "dc", 20.0), lane_between("dc", "us", 10.0)],
        facilities=[{"id": "dc", "country": "US", "currency": "USD"}],
        tariffs=[{"origin": "MX", "destination": "US", "product_class": "8703", "rate": 0.1}])
    plan = solved(data)
    assert plan.objective == pytest.approx(1400.0)


def test_a_supplier_to_qualify_and_a_minimum_volume() -> None:
    """Blocks from s at 10, or from candidate t at 8 with a qualification of 30 and at least 50 a year: 20 blocks
    cost 200 from s, 30 + 50 x 8 = 430 from t (it must sell 50): s it is. At 100 cars (200 blocks) t pays:
    30 + 1,600 = 1,630 against 2,000."""
    def with_t(cars: float) -> dict[str, Any]:
        data = two_level(markets=[market("us", cars)])
        data["suppliers"].append(supplier("t", {"component": "block", "price": 8.0, "min_volume": 50.0},
                                          candidate=True, opening_cost=30.0))
        return data

    small, large = solved(with_t(10.0)), solved(with_t(100.0))
    assert small.objective == pytest.approx(1700.0)
    assert large.objective == pytest.approx(100 * 150.0 + 1630.0)
    assert set(large.tables["supplies"]["supplier"]) == {"t"}
    assert large.tables["sites"].query("site == 't'")["opened"].tolist() == [True]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["components"][1].update(bom={"engine": 1}), "component 'block' contains itself: block -> engine "
                                                             "-> block"),
    (lambda d: d["products"][0].update(bom={"turbo": 1}), "products[car].bom.turbo: unknown component 'turbo'"),
    (lambda d: d["suppliers"][0]["supplies"][0].update(component="bolt"), "unknown component 'bolt'"),
    (lambda d: d["lanes"].append(lane_between("s", "us", 1.0)), "a lane from a supplier ('s') to a market ('us') "
                                                                 "carries nothing"),
    (lambda d: d["lanes"].append(lane_between("ghost", "a", 1.0)), "lanes[ghost/a].origin: unknown supplier or "
                                                                    "plant 'ghost'"),
    (lambda d: d["suppliers"].append(dict(d["suppliers"][0])), "suppliers[1]: duplicate supplier id 's'"),
    (lambda d: d.update(facilities=[{"id": "dc", "country": "US", "currency": "USD"}] * 2),
     "facilities[1]: duplicate facility id 'dc'"),
])
def test_what_cannot_make_a_network_is_an_error_by_id(change: Any, message: str) -> None:
    data = two_level(lanes=[])
    change(data)
    with pytest.raises(ScenarioError, match=re.escape(message)):
        make(data)


def test_the_readmes_worked_example_opens_the_engine_plant_and_the_centre() -> None:
    """docs/examples/powertrain.yaml, as the README's tour tells it: Ulsan's engines (1,500 + a 380 block + 10 of
    freight) beat Aichi's (2,600); Nashville saves 50 a unit on Smyrna's 30,000 a year against 1M a year."""
    plan = fp.solve(EXAMPLES / "powertrain.yaml")
    plants, sites = plan.tables["plants"], plan.tables["sites"]
    assert plants.query("plant == 'ulsan'")["open"].all()
    assert sites.query("site == 'nashville-dc'")["open"].all()
    assert set(plan.tables["transfers"]["origin"]) == {"ulsan"}
    assert "aichi-engines" not in set(plan.tables["supplies"]["supplier"])
    deliveries = plan.tables["deliveries"].groupby("year")["units"].sum()
    assert deliveries.tolist() == [30000.0] * 3
    assert plan.tables["utilization"].query("plant == 'ulsan'")["used"].tolist() == [110000.0] * 3
    assert plan.tables["costs"]["discounted"].sum() == pytest.approx(plan.objective)
    result = invoke("run", str(EXAMPLES / "powertrain.yaml"), "--no-store")
    assert result.exit_code == 0, result.output
    assert "Through distribution centres" in result.output
    assert "Components made and moved" in result.output
    html = plan_report(plan)
    assert "Suppliers and facilities opened or closed" in html
    assert "Through distribution centres (units)" in html


@pytest.mark.parametrize("method", ["extensive", "benders"])
def test_a_stochastic_plan_decides_the_distribution_centre_now(method: str) -> None:
    """Demand of 10 or 40 in each market, equally likely; the DC (fixed 1,500) saves 70 a unit: 1,400 at 20 units,
    5,600 at 80. Each future alone: no DC at 10 (cost 2,000), the DC at 40 (1,500 + 80 x 30 = 3,900). Decided now:
    with the DC 0.5 x (1,500 + 600) + 0.5 x 3,900 = 3,000 against without 0.5 x 2,000 + 0.5 x 8,000 = 5,000."""
    futures = [Future(name, 0.5, tuple((f"markets[{k}].demand.car", units) for k in ("m1", "m2")))
               for name, units in (("low", 10.0), ("high", 40.0))]
    plan = stochastic_plan(distribution(1500.0), "dc", futures, options=SolverOptions(mip_gap=0.0), method=method,
                           workers=0)
    assert plan.objective == pytest.approx(3000.0)
    sites = plan.plan.tables["sites"]
    assert sites["open"].all()  # in both futures: one decision, made now
    assert plan.wait_and_see == pytest.approx(0.5 * 2000.0 + 0.5 * 3900.0)
    expected = expected_plan(plan.plan)  # each future's deliveries weighed by its probability: 25 a market
    assert expected.tables["deliveries"]["units"].tolist() == pytest.approx([25.0, 25.0])
    assert expected.tables["inbound"]["units"].tolist() == pytest.approx([50.0])
    assert expected.tables["sites"][["site", "open", "opened"]].values.tolist() == [["dc", True, True]]
    year = int(sites["year"].iloc[0])
    assert plan.plan.summary["site_decisions"] == [{"kind": "facility", "site": "dc", "candidate": True,
                                                    "closable": False, "opened": year, "closed": None}]
    console = Console(width=200, record=True)
    print_stochastic(plan, "USD", console)
    shown = console.export_text()
    assert "Suppliers and facilities (decided now)" in shown
    assert re.search(rf"facility\s+│\s+dc\s+│\s+open\s+│\s+{year}\s+│\s+-\s+│\s+{year}", shown)
    html = stochastic_report(plan)
    assert f"opened (decided now)</dt><dd>dc {year}</dd>" in html  # among the key figures


def test_a_centre_not_decided_now_is_not_among_the_decisions_made_now() -> None:
    """With only the capacity decided now, each future opens the centre or not for itself (low: not, high: it
    does), and the plan lists no supplier or facility decision made now."""
    futures = [Future(name, 0.5, tuple((f"markets[{k}].demand.car", units) for k in ("m1", "m2")))
               for name, units in (("low", 10.0), ("high", 40.0))]
    plan = stochastic_plan(distribution(1500.0), "dc", futures, options=SolverOptions(mip_gap=0.0),
                           blocks=("build",), workers=0)
    assert plan.objective == pytest.approx(plan.wait_and_see) == pytest.approx(0.5 * 2000.0 + 0.5 * 3900.0)
    assert plan.plan.summary["site_decisions"] == []
    console = Console(width=200, record=True)
    print_stochastic(plan, "USD", console)
    assert "Suppliers and facilities" not in console.export_text()


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["suppliers"].clear(), "components[block]: no supplier sells 'block' and no plant makes it: 'engine' "
                                       "cannot be made"),
    (lambda d: d["components"].append({"id": "spare", "product_class": "8708", "value": 1.0}),
     "components[spare]: no bill of materials names 'spare': it is never used"),
])
def test_a_component_without_a_source_or_a_use_is_a_warning(change: Any, message: str, tmp_path: Path) -> None:
    data = two_level()
    data["markets"][0]["lost_sale_penalty"] = {"car": 1e6}  # the car may go unmade: no error, only the warning
    change(data)
    warnings = read_scenario(write_yaml(tmp_path / "tiers.yaml", data), CHECKS).warnings
    assert [warning.message for warning in warnings] == [message.split(": ", 1)[1]]
    assert warnings[0].path == message.split(": ", 1)[0]


@pytest.mark.parametrize("target", ["powertrain", "powertrain.xlsx", "powertrain.yaml"])
def test_a_network_of_many_tiers_converts_to_tables_and_back_losing_nothing(target: str, tmp_path: Path) -> None:
    """Suppliers with their supplies, components with their bills, facilities and lanes between any two nodes, as
    a CSV folder, a workbook and YAML: each reads back as the same scenario."""
    source = EXAMPLES / "powertrain.yaml"
    original = load_scenario(source, CHECKS)
    convert(source, tmp_path / target, CHECKS)
    assert load_scenario(tmp_path / target, CHECKS) == original


def test_breakeven_finds_the_centres_fixed_cost_at_which_it_stops_paying() -> None:
    """The DC saves 70 a unit on 20 units: it pays below a fixed cost of 1,400 (test above)."""
    result = find_breakeven(distribution(1000.0), "facilities[dc].fixed_cost", 1000.0, 2000.0, tolerance=1.0)
    assert result.bracket is not None
    below, above = result.bracket
    assert below.value <= 1400.0 <= above.value
    assert above.value - below.value <= 1.0
    assert ("dc", "opens", 2020) in below.decisions.plants
    assert ("dc", "opens", 2020) not in above.decisions.plants


def test_a_single_sourced_market_takes_a_distribution_centre_or_a_plant_not_both(tmp_path: Path) -> None:
    """The DC costs 30 a unit through it (20 + 10) against 100 direct, fixed 500, and holds 15. Free to split: 15
    through it, 5 direct: 500 + 450 + 500 = 1,450. Single-sourced, each market takes its 10 whole from the DC or
    the plant, and the DC holds one market's: 500 + 300 + 1,000 = 1,800 (all direct: 2,000)."""
    split = solved(distribution(500.0, capacity=15.0))
    assert split.objective == pytest.approx(1450.0)
    data = distribution(500.0, capacity=15.0)
    for market_ in data["markets"]:
        market_["single_source"] = True
    whole = solved(data)
    assert whole.objective == pytest.approx(1800.0)
    deliveries = whole.tables["deliveries"]
    assert deliveries["units"].tolist() == [10.0]
    direct = whole.tables["flows"]
    assert direct["units"].tolist() == [10.0]
    assert set(direct["market"]) | set(deliveries["market"]) == {"m1", "m2"}
    result = invoke("run", str(write_yaml(tmp_path / "single.yaml", data)), "--no-store")
    assert " ".join(result.output.split()).count("Single sources, units per year") == 1


def test_a_count_rule_over_distribution_centres_and_suppliers() -> None:
    """Two candidate DCs alike, 30 a unit through either against 100 direct, fixed 500 each: one serves both
    markets (500 + 20 x 30 = 1,100). min_open 2 over the two forces the second's 500 (1,600); max_open 1 over
    both and the plant, which cannot close, leaves no DC (2,000)."""
    data = distribution(500.0)
    data["facilities"].append({**data["facilities"][0], "id": "dc2"})
    data["lanes"] += [lane_between("p", "dc2", 20.0), lane_between("dc2", "m1", 10.0), lane_between("dc2", "m2", 10.0)]
    assert solved(data).objective == pytest.approx(1100.0)
    data["groups"] = [{"id": "both-centres", "members": ["dc", "dc2"], "min_open": 2}]
    plan = solved(data)
    assert plan.objective == pytest.approx(1600.0)
    assert plan.tables["sites"]["open"].all()
    data["groups"] = [{"id": "no-centre", "members": ["dc", "dc2", "p"], "max_open": 1}]
    assert solved(data).objective == pytest.approx(2000.0)


def test_explain_prices_the_route_through_a_distribution_centre() -> None:
    """A Mexican car for the US: direct, 100 + 50 of freight + 10% of 100 = 160; through the centre, 100 + 20 + 10
    of freight, 5 of handling and the same 10 of duty = 145, the plan's choice for all 10 cars, 15 below direct."""
    data = scenario_data(
        plants=[plant("mx", country="MX")], capabilities=[capability("mx", "car", 100.0)],
        markets=[market("us", 10.0)], default_freight=None,
        lanes=[lane_between("mx", "dc", 20.0), lane_between("dc", "us", 10.0), lane_between("mx", "us", 50.0)],
        facilities=[{"id": "dc", "country": "US", "currency": "USD", "handling_cost": 5.0}],
        tariffs=[{"origin": "MX", "destination": "US", "product_class": "8703", "rate": 0.1}])
    landed = explain(make(data), "us", "car").landed
    rows = {row["via"] if isinstance(row["via"], str) else "direct": row for row in landed.to_dict("records")}
    assert {via: (row["freight"], row["handling"], row["duty"], row["landed"], row["units"], row["margin"])
            for via, row in rows.items()} == {"dc": pytest.approx((30.0, 5.0, 10.0, 145.0, 10.0, 0.0)),
                                              "direct": pytest.approx((50.0, 0.0, 10.0, 160.0, 0.0, 15.0))}
    assert [row["chosen"] for row in rows.values()] == [True, False]
