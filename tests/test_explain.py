"""footprint explain: landed cost from each capable plant, the value of capacity, forced alternatives."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import REPRO, capability, invoke, make, market, plant, repro, scenario_data, write_yaml
from footprint.analysis.explain import ExplainError, alternative, explain
from footprint.cli import app
from footprint.economics.network import UNIT_COMPONENTS
from footprint.optimize.changes import Change
from footprint.optimize.solve import PlanningError


def three_plants() -> dict:
    # A: 100 a unit, 10 units of capacity; B: 130, unlimited; C: 150, unlimited. 15 units demanded.
    # An option adds 10 units at A for 500: 5 units x 30 saved = 150 < 500, so it is not built.
    return scenario_data(
        plants=[plant("a", 10.0), plant("b"), plant("c")],
        capabilities=[capability("a", local_cost=100.0), capability("b", local_cost=130.0),
                      capability("c", local_cost=150.0)],
        markets=[market("m", 15.0)],
        options=[{"id": "more-a", "plant": "a", "pool": "main", "capacity": 10.0, "capex": 500.0}],
    )


def test_landed_cost_by_component_sums_to_the_plan_s_landed_cost() -> None:
    explanation = explain(make(three_plants()), "m", "car")
    landed = explanation.landed.set_index("plant")
    assert landed[list(UNIT_COMPONENTS)].sum(axis=1).to_dict() == pytest.approx(landed["landed"].to_dict())
    assert landed["landed"].to_dict() == pytest.approx({"a": 100.0, "b": 130.0, "c": 150.0})
    plan_landed = explanation.plan.tables["landed_cost"].astype({"plant": str})
    by_plant = plan_landed.groupby("plant")["per_unit"].sum().to_dict()
    assert by_plant == pytest.approx({"a": 100.0, "b": 130.0})  # the lanes the plan uses


def test_capacity_is_priced_by_the_next_plant_and_the_margin_is_to_the_cheapest() -> None:
    explanation = explain(make(three_plants()), "m", "car")
    landed = explanation.landed.set_index("plant")
    # A's capacity is worth what B costs more: 30 a unit; totals meet at the market's marginal cost, 130.
    assert landed["capacity"].to_dict() == pytest.approx({"a": 30.0, "b": 0.0, "c": 0.0})
    assert landed["total"].to_dict() == pytest.approx({"a": 130.0, "b": 130.0, "c": 150.0})
    assert landed["units"].to_dict() == pytest.approx({"a": 10.0, "b": 5.0, "c": 0.0})
    assert landed["chosen"].to_dict() == {"a": True, "b": True, "c": False}
    assert landed["margin"].to_dict() == pytest.approx({"a": 0.0, "b": 0.0, "c": 20.0})
    value = explanation.capacity_value
    assert value[["plant", "pool", "year"]].astype({"plant": str}).to_dict("records") == [
        {"plant": "a", "pool": "main", "year": 2020}]
    assert value["value"].tolist() == pytest.approx([30.0])


def _plants_by_year(explanation) -> dict[int, list[str]]:
    landed = explanation.landed.astype({"plant": str})
    return {int(year): sorted(rows["plant"]) for year, rows in landed.groupby("year")}


def test_a_candidate_is_no_alternative_before_it_can_open() -> None:
    """tests/repro/explain-candidate-before-open.yaml: new (1,550 a unit landed) opens in 2028 at the earliest;
    in 2026 and 2027 it is no tied alternative to old, and its line has no value then."""
    explanation = explain(repro("explain-candidate-before-open.yaml"), "de", "hp")
    assert _plants_by_year(explanation) == {2026: ["old"], 2027: ["old"], 2028: ["new", "old"],
                                            2029: ["new", "old"]}
    landed = explanation.landed.astype({"plant": str}).set_index(["year", "plant"])
    assert landed.loc[(2028, "old"), "margin"] == pytest.approx(500.0)  # 2,050 against new's 1,550
    assert explanation.capacity_value.empty


def test_a_plant_the_plan_closes_is_no_alternative_once_closed() -> None:
    # a makes at 100 and costs 50 a year while open; b makes at 110. 20 units in 2020, then 2: a saves 200 - 50
    # in 2020 but only 20 - 50 after, so the plan closes it in 2021 (it cannot reopen): 2050 + 220 + 220.
    explanation = explain(make(scenario_data(
        start=2020, end=2022,
        plants=[plant("a", closable=True, fixed_cost=50.0), plant("b")],
        capabilities=[capability("a", local_cost=100.0), capability("b", local_cost=110.0)],
        markets=[market("m", {2020: 20.0, 2021: 2.0, 2022: 2.0})],
    )), "m", "car")
    assert explanation.plan.objective == pytest.approx(2490.0)
    assert _plants_by_year(explanation) == {2020: ["a", "b"], 2021: ["b"], 2022: ["b"]}
    value = explanation.capacity_value.astype({"plant": str})
    assert not ((value["plant"] == "a") & (value["year"] > 2020)).any()


@pytest.mark.parametrize(("changes", "delta"), [
    ((Change("forbid", "a/car"),), 15 * 130.0 - 1650.0),          # all from B
    ((Change("force", "c/car@m"),), 15 * 150.0 - 1650.0),        # all from C
    ((Change("force", "more-a"),), 15 * 100.0 + 500.0 - 1650.0),  # build A's option
    ((Change("force", "more-a@2020"),), 350.0),
    ((Change("forbid", "more-a"),), 0.0),                         # not built anyway
])
def test_a_forced_or_forbidden_decision_costs_its_delta(changes: tuple[Change, ...], delta: float) -> None:
    scenario = make(three_plants())
    optimum = explain(scenario, "m", "car").plan.objective
    assert optimum == pytest.approx(1650.0)
    assert alternative(scenario, changes, optimum).delta == pytest.approx(delta)


@pytest.mark.parametrize(("change", "message"), [
    (Change("force", "nowhere"), "unknown option 'nowhere'"),
    (Change("force", "more-a@2031"), "cannot come online in '2031'"),
    (Change("forbid", "z/car"), "unknown plant 'z'"),
    (Change("force", "a/car@mars"), "unknown market 'mars'"),
])
def test_unknown_names_in_a_change_are_reported(change: Change, message: str) -> None:
    with pytest.raises(ExplainError, match=message):
        alternative(make(three_plants()), (change,), 0.0)


def test_a_change_that_leaves_no_plan_says_so() -> None:
    data = three_plants()
    data["capabilities"] = data["capabilities"][:1]
    data["plants"] = data["plants"][:1]  # only A, 10 units of capacity without its option
    with pytest.raises(PlanningError, match="no plan with forbid more-a \\(infeasible\\): demand exceeds"):
        alternative(make(data), (Change("forbid", "more-a"),), 0.0)


def test_unknown_market_or_product_is_a_clear_error() -> None:
    with pytest.raises(ExplainError, match="unknown market 'mars'"):
        explain(make(three_plants()), "mars", "car")
    with pytest.raises(ExplainError, match="unknown product 'bike'"):
        explain(make(three_plants()), "m", "bike")


def test_the_explain_command_prints_the_lanes_and_the_cost_of_an_alternative(tmp_path) -> None:
    path = write_yaml(tmp_path / "three.yaml", three_plants())
    result = CliRunner().invoke(app, ["explain", str(path), "--market", "m", "--product", "car",
                                      "--force", "c/car@m"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "car for m: cost per unit from each capable plant (USD)" in text
    # year, plant, local content, landed, capacity, total, units, margin
    assert "│ 2020 │ c │ 150 USD │ 150 │ 0 │ 150 │ 0 │ +20 │" in text
    assert "With force c/car@m: NPV 2.25k USD, +600.00 USD against the optimum." in text


def test_the_explain_command_reports_an_unknown_market_without_a_traceback(tmp_path) -> None:
    path = write_yaml(tmp_path / "three.yaml", three_plants())
    result = CliRunner().invoke(app, ["explain", str(path), "--market", "mars", "--product", "car"])
    assert result.exit_code == 1
    assert "unknown market 'mars'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("change", "message"), [
    ("--force=open:new@2027", "plant 'new' cannot open in '2027'; possible years: 2028, 2029"),
    ("--forbid=open:new@2026", "plant 'new' cannot open in '2026'; possible years: 2028, 2029"),
    ("--force=open:nwe", "unknown plant 'nwe'; known: old, new"),
    ("--force=open:old", "plant 'old' is not a candidate"),
    ("--force=close:new", "plant 'new' is not closable"),
    ("--forbid=old-line", "unknown option 'old-line'"),
])
def test_explain_refuses_a_change_the_scenario_cannot_make_as_invalid_input(change: str, message: str) -> None:
    """Exit 1 (the input is invalid), not 3 (no plan), and nothing of the explanation printed before it."""
    result = invoke("explain", str(REPRO / "explain-candidate-before-open.yaml"), "--market", "de", "--product",
                    "hp", change)
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())
    assert "cost per unit" not in result.output


def test_explain_with_a_change_that_leaves_no_plan_exits_3_after_the_explanation(tmp_path) -> None:
    data = three_plants()
    data["capabilities"] = data["capabilities"][:1]
    data["plants"] = data["plants"][:1]  # only A, 10 units of capacity without its option
    result = invoke("explain", str(write_yaml(tmp_path / "a.yaml", data)), "--market", "m", "--product", "car",
                    "--forbid", "more-a")
    assert result.exit_code == 3, result.output
    assert "car for m: cost per unit from each capable plant" in " ".join(result.output.split())
    assert "no plan with forbid more-a (infeasible)" in " ".join(result.output.split())
