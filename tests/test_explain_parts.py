"""footprint explain for products with a bill of materials (issue 17, point 6): a unit's landed cost by part, where
each part came from, the RVC the plant's units reached and the duty the preference saved. Every figure worked out by
hand, and on generated multi-tier networks, the explained landed costs add up to the plan's costs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from rich.console import Console

import footprint as fp
from conftest import invoke, make, write_yaml
from footprint.analysis.explain import LANDED_COMPONENTS, explain, explanations
from footprint.analysis.parts import PART_COSTS
from footprint.optimize.solve import PlanningError
from footprint.scenario.model.scenario import Scenario
from footprint.views.console import origin_lines, print_explanation
from test_explain import three_plants
from test_origin import korean_car
from test_tiers import EXAMPLES, engines_made_in_korea
from test_tiers_independent import _servable, networks

CENT = 0.005


def _row(frame: pd.DataFrame, **where: Any) -> dict[str, Any]:
    rows = frame.astype({"plant": str})
    direct = {"via": None} if "via" in frame else {}  # explain's lanes: direct unless a centre is named
    for column, value in {**direct, **where}.items():
        rows = rows[rows[column].isna() if value is None else rows[column] == value]
    (row,) = rows.to_dict(orient="records")
    return row


def _printed(explanation: Any) -> str:
    console = Console(width=250, record=True)
    print_explanation(explanation, console)
    return console.export_text()


def test_a_korean_car_claiming_korus_explains_its_parts_its_rvc_and_the_duty_saved() -> None:
    """tests/test_origin.py's car, Korean engines at 3,300: the plan buys 11 Korean engines and 19 Japanese for its
    30 cars and claims KORUS on all 30 (183,300 in all). A car's parts are then, in the shares Busan received them,
    19/30 x 3,000 = 1,900 of Aichi's engines, 11/30 x 3,300 = 1,210 of Ulsan's and a 2,000 Nagoya body: 5,110;
    with Busan's 1,000 of assembly and no duty (the preference saves the 2.5% x 6,000 = 150 a car the general rate
    asks), it lands at 6,110 = 183,300 / 30. RVC, build-down: (6,000 - (3,000 x 19/30 + 2,000)) / 6,000 = (6,000 -
    3,900) / 6,000 = 35%, the threshold. Duty saved: 150 a car, 4,500 on the 30 (2016, the first year: undiscounted)."""
    explanation = explain(make(korean_car(3300.0)), "us", "car")
    assert explanation.plan.objective == pytest.approx(183_300.0)
    landed = _row(explanation.landed, plant="busan")
    assert landed["parts"] == pytest.approx(5110.0, abs=CENT)
    assert landed["production_local"] == pytest.approx(1000.0)
    assert landed["duty"] == pytest.approx(0.0, abs=CENT)
    assert landed["landed"] == pytest.approx(6110.0, abs=CENT)
    assert landed["landed"] == pytest.approx(sum(landed[c] for c in LANDED_COMPONENTS), abs=CENT)
    parts = explanation.parts.set_index("source")
    assert parts[["component", "country", "source_kind"]].to_dict("index") == {
        "aichi": {"component": "engine", "country": "JP", "source_kind": "supplier"},
        "ulsan": {"component": "engine", "country": "KR", "source_kind": "supplier"},
        "nagoya": {"component": "body", "country": "JP", "source_kind": "supplier"}}
    assert parts["units"].to_dict() == pytest.approx({"aichi": 19 / 30, "ulsan": 11 / 30, "nagoya": 1.0})
    assert parts["cost"].to_dict() == pytest.approx({"aichi": 1900.0, "ulsan": 1210.0, "nagoya": 2000.0}, abs=CENT)
    # the parts, the plant's own lines and freight and duty to the market: the landed cost, to the cent
    own = landed["production_local"] + landed["production_imported"] + landed["sourcing"]
    assert parts["cost"].sum() + own + landed["freight"] + landed["duty"] == pytest.approx(landed["landed"], abs=CENT)
    origin = _row(explanation.origin, plant="busan")
    assert (origin["agreement"], origin["method"], origin["year"], origin["claimed"]) == (
        "korus", "build-down", 2016, True)
    assert (origin["rvc"], origin["threshold"], origin["shortfall"]) == pytest.approx((0.35, 0.35, 0.0))
    assert (origin["units"], origin["units_claimed"]) == pytest.approx((30.0, 30.0))
    assert origin["duty_general"] == pytest.approx(0.025 * 6000.0)
    assert (origin["duty_paid"], origin["duty_saved"]) == pytest.approx((0.0, 150.0), abs=CENT)
    assert (origin["duty_saved_total"], origin["duty_saved_discounted"]) == pytest.approx((4500.0, 4500.0))
    assert origin_lines(explanation) == [
        "busan's car reached 35.0% RVC under korus (build-down, threshold 35.0%): duty saved 150 USD a unit, "
        "4.50k USD over 2016 (NPV 4.50k USD)."]
    text = _printed(explanation)
    assert "A unit of car from busan for us, 2016, by part (USD)" in text
    assert "Rules of origin: car for us" in text


def test_a_korean_car_that_does_not_qualify_says_how_far_short_it_fell() -> None:
    """At 3,500 a Korean engine is too dear (tests/test_origin.py): Japanese engines, no claim. A car: 3,000 + 2,000
    of parts, 1,000 of assembly and 150 of duty at the general rate = 6,150 = 184,500 / 30; its RVC 1,000 / 6,000 =
    16.7%, 35% - 16.7% = 18.3 points short of KORUS."""
    explanation = explain(make(korean_car(3500.0)), "us", "car")
    landed = _row(explanation.landed, plant="busan")
    assert (landed["parts"], landed["duty"], landed["landed"]) == pytest.approx((5000.0, 150.0, 6150.0), abs=CENT)
    assert set(explanation.parts["country"]) == {"JP"}
    origin = _row(explanation.origin, plant="busan")
    assert not origin["claimed"]
    assert origin["rvc"] == pytest.approx(1 / 6)
    assert origin["shortfall"] == pytest.approx(0.35 - 1 / 6)
    assert (origin["duty_general"], origin["duty_paid"], origin["duty_saved_total"]) == pytest.approx(
        (150.0, 150.0, 0.0))
    assert origin_lines(explanation) == [
        "busan's car reached 16.7% RVC under korus (build-down, threshold 35.0%) in 2016: 18.3 points short, not "
        "claimed; it pays 150 USD a unit at the general rate."]


def test_a_two_level_bill_of_materials_is_exploded_through_the_plant_that_makes_the_engine() -> None:
    """tests/test_tiers.py's engines made in Korea (plant k) for the US plant a: an engine costs 50 to make there,
    5 of freight and 2.5% x (50 + 2 x 10 blocks at value) = 1.75 of duty into the US; its two blocks are bought from
    s at 10 each, for k. A car: 100 at a + 56.75 + 20 = 176.75 = 1,767.5 / 10."""
    explanation = explain(make(engines_made_in_korea()), "us", "car")
    assert explanation.plan.objective == pytest.approx(1767.5)
    parts = explanation.parts
    columns = ["level", "parent", "component", "source", "source_kind", "country"]
    assert parts[columns].values.tolist() == [[1, "car", "engine", "k", "plant", "KR"],
                                              [2, "engine", "block", "s", "supplier", "US"]]
    assert parts["units"].tolist() == pytest.approx([1.0, 2.0])
    assert parts[list(PART_COSTS)].to_numpy().ravel().tolist() == pytest.approx([0.0, 50.0, 5.0, 1.75, 20.0, 0, 0, 0])
    landed = _row(explanation.landed, plant="a")
    assert (landed["parts"], landed["landed"]) == pytest.approx((76.75, 176.75), abs=CENT)
    assert explanation.origin.empty  # no agreement


def test_a_plant_the_plan_ships_none_from_prices_its_parts_at_their_marginal_cost() -> None:
    """docs/examples/powertrain.yaml: Smyrna ships no SUV to the US direct. Its parts at their marginal cost there:
    an engine from Ulsan, 1,500 + a 380 block + 10 to Ulsan + 110 to Smyrna + 2.5% x (1,500 + 400) = 47.5 of duty =
    2,047.5 (Aichi's: 2,600 + 120 + 65 = 2,785); a CVT from Nagoya, 1,450 + 90 + 36.25 = 1,576.25: 3,623.75. Busan,
    which ships 60,000, routes its engine from Ulsan (1,500 + 15 + its block's 390) and its CVT from Nagoya (1,450 +
    45 + 8% = 116): 3,516, and with 7,600, 1,500 of freight and 2.5% x (7,600 + 3,900) = 287.5 of duty, lands at
    12,903.5. The market's marginal unit comes through Nashville from Smyrna at 9,000 + 3,623.75 + 60 + 40 + 300 =
    13,023.75 (explain's row through it: both legs' freight, 60 + 300, and its handling): Busan's line is worth the
    120.25 between."""
    explanation = explain(_powertrain(), "us", "suv", 2026)
    smyrna, busan = _row(explanation.landed, plant="smyrna"), _row(explanation.landed, plant="busan")
    assert (smyrna["parts"], smyrna["landed"], smyrna["units"]) == pytest.approx((3623.75, 13073.75, 0.0), abs=CENT)
    assert (busan["parts"], busan["duty"], busan["landed"]) == pytest.approx((3516.0, 287.5, 12903.5), abs=CENT)
    assert (busan["capacity"], busan["total"]) == pytest.approx((120.25, 13023.75), abs=CENT)
    through = _row(explanation.landed, plant="smyrna", via="nashville-dc")
    assert (through["freight"], through["handling"], through["landed"], through["capacity"], through["units"]) == (
        pytest.approx((360.0, 40.0, 13023.75, 0.0, 30_000.0), abs=CENT))
    assert through["chosen"]
    assert set(explanation.parts["plant"]) == {"busan", "smyrna"}  # the parts of the routes the plan uses
    parts = explanation.parts
    assert parts[parts["plant"] == "busan"].groupby("component")["cost"].sum().to_dict() == pytest.approx(
        {"engine": 1515.0, "block": 390.0, "cvt": 1611.0})
    assert parts[parts["plant"] == "smyrna"]["cost"].sum() == pytest.approx(3623.75, abs=CENT)
    assert "smyrna via nashville-dc *" in _printed(explanation)


def _powertrain() -> Scenario:
    return fp.load(EXAMPLES / "powertrain.yaml")


def test_a_product_without_a_bill_of_materials_explains_as_before() -> None:
    explanation = explain(make(three_plants()), "m", "car")
    assert explanation.parts.empty
    assert explanation.origin.empty
    landed = explanation.landed.astype({"plant": str}).set_index("plant")
    assert landed["parts"].tolist() == [0.0, 0.0, 0.0]
    assert landed["landed"].to_dict() == pytest.approx({"a": 100.0, "b": 130.0, "c": 150.0})
    assert landed["total"].to_dict() == pytest.approx({"a": 130.0, "b": 130.0, "c": 150.0})
    text = _printed(explanation)
    assert "by part" not in text
    assert "Rules of origin" not in text
    assert "parts" not in text


def test_the_explain_command_writes_its_tables_as_json_and_csv(tmp_path: Path) -> None:
    source = write_yaml(tmp_path / "car.yaml", korean_car(3300.0))
    result = invoke("explain", str(source), "--market", "us", "--product", "car", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["market"], document["product"], document["currency"]) == ("us", "car", "USD")
    assert document["objective"] == pytest.approx(183_300.0)
    assert document["landed"][0]["landed"] == pytest.approx(6110.0, abs=CENT)
    assert {row["source"] for row in document["parts"]} == {"aichi", "ulsan", "nagoya"}
    assert document["origin"][0]["duty_saved_total"] == pytest.approx(4500.0)
    assert document["alternative"] is None
    folder = tmp_path / "explained"
    result = invoke("explain", str(source), "--market", "us", "--product", "car", "--format", "csv", "--out",
                    str(folder), "--forbid", "busan/car@us")
    assert result.exit_code == 3, result.output  # no plan without Busan: the explanation is written first
    assert sorted(path.name for path in folder.iterdir()) == ["capacity_value.csv", "landed.csv", "origin.csv",
                                                              "parts.csv"]
    assert pd.read_csv(folder / "origin.csv")["rvc"].tolist() == pytest.approx([0.35])
    result = invoke("explain", str(source), "--market", "us", "--product", "car", "--format", "csv")
    assert result.exit_code == 1
    assert "--out FOLDER" in result.output


def _without_facilities(data: dict[str, Any]) -> dict[str, Any]:
    """The network without its distribution centres (explain's tables are of the lanes direct from plants), every
    demand still servable."""
    facilities = {f["id"] for f in data["facilities"]}
    data = data | {"facilities": [], "lanes": [lane for lane in data["lanes"] if not {
        lane["origin"], lane["destination"]} & facilities]}
    if data.get("objective") != "maximize_profit":
        _servable(data, 0.0)
    return data


NOT_PER_UNIT = {"fixed", "capex", "opening", "closing", "launch", "lost_sales", "revenue", "sourcing_fixed",
                "mode_fixed"}
"""The costs no unit's landed cost carries: per site, per build, per launch, per mode of a lane, per year."""


@settings(max_examples=40)
@given(networks())
def test_property_the_explained_landed_costs_add_up_to_the_plans_costs(data: dict[str, Any]) -> None:
    """On generated multi-tier networks (tests/test_tiers_independent.py's, without distribution centres): every
    unit sold is on a lane explain lists as chosen, so the units times their landed cost (the parts as routed, the
    plant's own cost, freight and duty) add up, year by year, to every cost of the plan that is per unit, the
    components' purchases, making, freight and duty included; and each chosen plant-year's parts add up to its
    ``parts``."""
    scenario = make(_without_facilities(data))
    pairs = [(m.id, p.id) for m in scenario.markets for p in scenario.products]
    try:
        found = explanations(scenario, pairs)
    except PlanningError:
        return
    plan = found[0].plan
    costs = plan.costs[~plan.costs["component"].isin(NOT_PER_UNIT)].groupby("year")["amount"].sum()
    explained = pd.Series(0.0, index=costs.index)
    for explanation in found:
        landed = explanation.landed[explanation.landed["chosen"]]
        assert landed["landed"].to_numpy() == pytest.approx(landed[list(LANDED_COMPONENTS)].sum(axis=1).to_numpy(),
                                                            abs=CENT)
        explained = explained.add((landed["units"] * landed["landed"]).groupby(landed["year"]).sum(), fill_value=0.0)
        routed = explanation.parts.groupby(["plant", "year"])["cost"].sum()
        for row in landed.itertuples():
            assert row.parts == pytest.approx(routed.get((str(row.plant), row.year), 0.0), abs=CENT)
    assert explained.to_dict() == pytest.approx(costs.to_dict(), rel=1e-6, abs=1e-4)


def test_explain_for_a_year_gives_the_value_of_capacity_of_that_year() -> None:
    """Asked about 2026, the value of capacity is 2026's alone (Busan's assembly, 120.25), as the landed cost is."""
    values = explain(_powertrain(), "us", "suv", 2026).capacity_value
    assert values[["plant", "pool", "year"]].astype({"plant": str, "pool": str}).values.tolist() == [
        ["busan", "assembly", 2026]]
    assert values["value"].tolist() == pytest.approx([120.25], abs=CENT)
