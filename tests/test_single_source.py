"""Single sourcing (issue 17, point 5): a market's demand for a product served by one plant at most each year,
through every layer: the model, the Plan's single_sources table, decisions, compare, explain, force and forbid,
stochastic plans and Benders, validation, files. Each instance is worked out by hand in its comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, update

from conftest import capability, invoke, make, market, plant, scenario_data, solved, write_yaml
from footprint.analysis.compare import compare
from footprint.analysis.explain import alternative, explain
from footprint.analysis.stochastic import stochastic_plan
from footprint.economics.checks import CHECKS
from footprint.economics.network import compile_network
from footprint.optimize.changes import Change
from footprint.optimize.highs import SolverOptions
from footprint.optimize.model import build_model, single_source_cells
from footprint.plan.decisions import Decisions, Level
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore, encode_tables, run_record
from footprint.plan.store_schema import runs, tables
from footprint.scenario.formats.files import load_scenario, read_scenario, save_scenario
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.scenario_sets import Future

EXACT = SolverOptions(mip_gap=0.0)


def two_plants(single_source: Any = False, **markets: Any) -> dict[str, Any]:
    """A (10 a year) and B (20 a year) make cars; k1 wants 6, k2 6, k3 8. Freight per car:

            k1   k2   k3
        A   1    1.5  2
        B   3    3    3

    Many sources: A's 10 go where they save most over B: k1 (2 a car), then k2 (1.5): k1 6 from A, k2 4 from
    A and 2 from B, k3 8 from B: 6 + 6 + 6 + 24 = 42."""
    lanes = [{"plant": p, "market": k, "freight": f} for p, costs in (("a", (1.0, 1.5, 2.0)), ("b", (3.0, 3.0, 3.0)))
             for k, f in zip(("k1", "k2", "k3"), costs, strict=True)]
    return scenario_data(
        plants=[plant("a", 10.0), plant("b", 20.0)],
        capabilities=[capability("a"), capability("b")],
        markets=[market(k, units, single_source=markets.get(k, single_source))
                 for k, units in (("k1", 6.0), ("k2", 6.0), ("k3", 8.0))],
        default_freight=None, lanes=lanes, solver={"mip_gap": 0.0})


def k1_only(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with market k1 alone."""
    return {**data, "markets": data["markets"][:1], "lanes": [lane for lane in data["lanes"] if lane["market"] == "k1"]}


def supply(plan: Plan) -> dict[tuple[str, str], float]:
    flows = plan.flows.astype({"plant": str, "market": str})
    return {(p, k): float(u) for p, k, u in zip(flows["plant"], flows["market"], flows["units"], strict=True)}


def sources(plan: Plan) -> set[tuple[str, str, str, int]]:
    table = plan.tables["single_sources"]
    return set(zip(table["plant"].astype(str), table["product"].astype(str), table["market"].astype(str),
                   table["year"].astype(int), strict=True))


# --- the model, on instances worked out by hand ----------------------------------------------------------------------

def test_without_single_sourcing_k2_splits() -> None:
    plan = solved(two_plants())
    assert plan.objective == pytest.approx(42.0)
    assert supply(plan) == pytest.approx({("a", "k1"): 6, ("a", "k2"): 4, ("b", "k2"): 2, ("b", "k3"): 8})
    assert plan.tables["single_sources"].empty


def test_single_sourcing_k2_makes_one_plant_take_it_and_k1_split_instead() -> None:
    # k2 single-sourced: from A (6 x 1.5 = 9; A's other 4 to k1, its 2 more from B: 4 + 6; k3 24): 43; from B
    # (18; A's 10 to k1 6 and k3 4: 6 + 8; k3's other 4 from B: 12): 44. So A, and k1 splits.
    plan = solved(two_plants(k2=True))
    assert plan.objective == pytest.approx(43.0)
    assert supply(plan) == pytest.approx({("a", "k2"): 6, ("a", "k1"): 4, ("b", "k1"): 2, ("b", "k3"): 8})
    assert sources(plan) == {("a", "car", "k2", 2020)}
    assert plan.tables["single_sources"]["units"].tolist() == [6.0]


def test_every_market_single_sourced_gives_a_the_market_it_saves_most_on() -> None:
    # A can take one market whole (10 < 6 + 6): k1 saves 12, k2 9, k3 8 over B (all from B: 60). 60 - 12 = 48.
    plan = solved(two_plants(single_source=True))
    assert plan.objective == pytest.approx(48.0)
    assert sources(plan) == {("a", "car", "k1", 2020), ("b", "car", "k2", 2020), ("b", "car", "k3", 2020)}
    assert Decisions.of(plan).single_sources == sources(plan)


def test_a_list_of_products_single_sources_only_those() -> None:
    data = two_plants()
    data["products"].append({"id": "van", "product_class": "8704"})
    data["plants"] = [plant("a", 10.0, products=("car", "van")), plant("b", 20.0, products=("car", "van"))]
    data["capabilities"] += [capability("a", "van"), capability("b", "van")]
    data["markets"][1]["demand"]["van"] = 1.0
    data["markets"][1]["single_source"] = ["van"]  # k2's cars may split; its van comes from one plant
    plan = solved(data)
    vans = plan.flows[plan.flows["product"] == "van"]
    assert vans["units"].tolist() == pytest.approx([1.0])
    assert {cell[1] for cell in sources(plan)} == {"van"}
    cars = plan.flows[(plan.flows["product"] == "car") & (plan.flows["market"] == "k2")]
    assert len(cars) == 2  # A's 9 left after the van: k1 6, k2 3 (+3 from B)


def test_where_lost_sales_are_allowed_one_plant_at_most_serves_and_the_rest_may_go_unserved() -> None:
    # k1 alone, 6 cars, a lost sale costs 10. A can make only 4 (1 a car), B any (3 a car). Split: 4 + 6 = 10.
    # Single-sourced: A and 2 lost (4 + 20 = 24) or B (18): B.
    data = k1_only(two_plants(k1=True))
    data["plants"][0]["pools"][0]["capacity"] = 4.0
    data["markets"][0]["lost_sale_penalty"] = {"car": 10.0}
    plan = solved(data)
    assert plan.objective == pytest.approx(18.0)
    assert supply(plan) == pytest.approx({("b", "k1"): 6})
    # At 2.5 a lost sale, A's 4 and 2 lost (4 + 5 = 9) beat B (18): a single source may leave demand unserved.
    data["markets"][0]["lost_sale_penalty"] = {"car": 2.5}
    plan = solved(data)
    assert plan.objective == pytest.approx(9.0)
    assert supply(plan) == pytest.approx({("a", "k1"): 4})
    assert float(plan.demand["lost"].sum()) == pytest.approx(2.0)


def test_maximizing_profit_a_single_source_or_none() -> None:
    # Each car sells for 4. k1 single-sourced: A (4 cars, capacity 4: 4 x 3 = 12 profit) or B (6 x 1 = 6); split
    # would make 12 + 2 = 14.
    data = k1_only(two_plants(k1=True))
    data["plants"][0]["pools"][0]["capacity"] = 4.0
    data["markets"][0]["price"] = {"car": 4.0}
    data["objective"] = "maximize_profit"
    plan = solved(data)
    assert plan.objective == pytest.approx(12.0)
    assert supply(plan) == pytest.approx({("a", "k1"): 4})


def with_sourcing_option() -> dict[str, Any]:
    """k2 single-sourced; A may make its cars with a sourcing option (Korean content, +0.5 a car) too: one choice
    of source for A whichever content its cars have."""
    data = two_plants(k2=True)
    data["capabilities"][0]["sourcing"] = [{"id": "kr", "share": 1.0, "origin": "KR", "extra_cost": 0.5}]
    return data


def test_flows_with_sourcing_options_share_one_choice_per_plant() -> None:
    network = compile_network(make(with_sourcing_option()))
    model = build_model(network)
    capability_of, _, _ = single_source_cells(network)
    assert len(capability_of) == model.program.variables["single_source"].size == 2  # a and b, not a's profiles
    link = model.program.constraints["single_source_link"]
    matrix = model.program.matrix().toarray()[link.start:link.stop]
    flows = model.program.variables["flow"]
    to_k2 = network.flow_market[:] == network.markets.index("k2")
    a_row = int(np.flatnonzero(link.index["plant"].astype(str) == "a")[0])
    linked = np.flatnonzero(matrix[a_row, flows.start:flows.stop])
    assert set(linked) == set(np.flatnonzero(to_k2 & (network.flow_plant == 0)))
    assert len(linked) == 2  # A's own content and its Korean option, in one row
    plan = solved(with_sourcing_option())
    assert plan.objective == pytest.approx(43.0)  # as without the option, which only costs more
    assert sources(plan) == {("a", "car", "k2", 2020)}


def test_a_single_sourced_market_with_no_demand_some_year_keeps_its_choices() -> None:
    # The choices exist in every year whatever the units, so that futures whose demand is 0 decide the same cells.
    data = two_plants(k2=True)
    data["horizon"]["end"] = 2021
    data["markets"][1]["demand"] = {"car": {2020: 6.0, 2021: 0.0}}
    data["markets"][0]["demand"] = {"car": 6.0}
    data["markets"][2]["demand"] = {"car": 8.0}
    model = build_model(compile_network(make(data)))
    choices = model.program.variables["single_source"].index
    assert sorted(zip(choices["plant"].astype(str), choices["year"], strict=True)) == [
        ("a", 2020), ("a", 2021), ("b", 2020), ("b", 2021)]
    assert model.program.constraints["single_source_link"].size == 2  # 2020 only: no flows in 2021
    plan = solved(data)
    assert sources(plan) == {("a", "car", "k2", 2020)}


# --- decisions, compare, explain, force and forbid -------------------------------------------------------------------

def test_compare_shows_the_single_source_that_moved() -> None:
    a = solved(two_plants(single_source=True))
    data = two_plants(single_source=True)
    data["lanes"][0]["freight"] = 2.5  # A to k1 dearer: A's market is now k2 (saves 9 over k1's 3)
    b = solved(data)
    comparison = compare(a, b)
    moved = comparison.single_sources.astype({"product": str, "market": str})
    assert moved.to_dict("records") == [
        {"product": "car", "market": "k1", "year": 2020, "plant_a": "a", "plant_b": "b"},
        {"product": "car", "market": "k2", "year": 2020, "plant_a": "b", "plant_b": "a"}]
    assert compare(b, a).single_sources["plant_a"].tolist() == ["b", "a"]  # the mirror image
    assert compare(a, a).empty
    assert not comparison.empty
    assert compare(a, b, level=Level.STRATEGIC).single_sources.empty


def test_the_compare_command_prints_the_single_sources(tmp_path: Path) -> None:
    data = two_plants(single_source=True)
    a = solved(data).write(tmp_path / "a")
    data["lanes"][0]["freight"] = 2.5
    b = solved(data).write(tmp_path / "b")
    result = invoke("compare", str(a), str(b))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Single-sourced demand served from another plant" in text
    assert "│ car │ k1 │ a │ b │ 2020 │" in text


def test_explain_prices_a_plant_not_chosen_as_a_closed_line() -> None:
    # k1 single-sourced, 15 cars; A (100 a car) can make 10, B 130: B serves all. A's lane is priced at the
    # market's marginal cost (130), 30 of it for what keeps A out, as for a closed line; B's total is 130 too.
    data = scenario_data(plants=[plant("a", 10.0), plant("b")],
                         capabilities=[capability("a", local_cost=100.0), capability("b", local_cost=130.0)],
                         markets=[market("m", 15.0, single_source=True, lost_sale_penalty={"car": 1000.0})])
    explanation = explain(make(data), "m", "car")
    landed = explanation.landed.set_index("plant")
    assert landed["landed"].to_dict() == pytest.approx({"a": 100.0, "b": 130.0})
    assert landed["total"].to_dict() == pytest.approx({"a": 130.0, "b": 130.0})
    assert landed["units"].to_dict() == pytest.approx({"a": 0.0, "b": 15.0})
    assert landed["chosen"].to_dict() == {"a": False, "b": True}


def test_forcing_and_forbidding_a_plant_for_a_single_sourced_market() -> None:
    # All single-sourced (48: A takes k1). Forcing A for k2 gives it k2 whole: 9 + 18 + 24 = 51 (+3); forbidding
    # A for k1 moves A to k2 (the next best, 51 too).
    scenario = make(two_plants(single_source=True))
    forced = alternative(scenario, (Change("force", "a/car@k2"),), 48.0, EXACT)
    assert forced.delta == pytest.approx(3.0)
    assert sources(forced.plan) == {("b", "car", "k1", 2020), ("a", "car", "k2", 2020), ("b", "car", "k3", 2020)}
    forbidden = alternative(scenario, (Change("forbid", "a/car@k1"),), 48.0, EXACT)
    assert forbidden.delta == pytest.approx(3.0)
    assert ("a", "car", "k2", 2020) in sources(forbidden.plan)


# --- stochastic plans and Benders ------------------------------------------------------------------------------------

def uncertain() -> tuple[dict[str, Any], list[Future]]:
    """All single-sourced, 2020 and 2021. Future ``near``: as two_plants; ``far``: A to k1 costs 2.5 a car. On
    its own, near gives A k1 (48 a year), far gives A k2 (A to k1 2.5: k1 from A saves 3, k2 9, k3 8; 51).
    Deciding now for both (1/2 each): A k2 costs 51 in either; A k1 costs 48 near and 57 far (A's 6 at 2.5
    instead of 1: +9): 52.5 on average. So A takes k2 in both years, 102 in every future."""
    data = two_plants(single_source=True)
    data["horizon"]["end"] = 2021
    return data, [Future("near", 0.5, ()), Future("far", 0.5, (("lanes[0].freight", 2.5),))]


@pytest.mark.parametrize("method", ["extensive", "benders"])
def test_single_sources_are_decided_now_by_default(method: str) -> None:
    data, futures = uncertain()
    plan = stochastic_plan(data, "uncertain", futures, options=EXACT, method=method, workers=0)
    assert plan.method == method
    assert plan.objective == pytest.approx(102.0, rel=1e-6)
    assert "single_source" in plan.plan.summary["decisions"]
    for name in plan.plan.probabilities:
        assert ("a", "car", "k2", 2020) in sources(plan.plan.future(name))
    assert plan.plan.summary["single_source_decisions"] == [
        {"plant": "a", "product": "car", "market": "k2", "years": [2020, 2021]},
        {"plant": "b", "product": "car", "market": "k1", "years": [2020, 2021]},
        {"plant": "b", "product": "car", "market": "k3", "years": [2020, 2021]}]
    assert ("a", "car", "k2", 2021) in Decisions.of(plan.plan).single_sources


def test_single_sources_decided_by_future_make_benders_give_way_to_the_extensive_form() -> None:
    # Decided by each future, the choices are integer decisions of a future's own: Benders does not apply (as for
    # assignments), so the plan is solved whole, and says why. Each future takes its own: 48 and 51.
    data, futures = uncertain()
    blocks = ("build", "open", "opened", "closed", "assign", "start", "source")
    plan = stochastic_plan(data, "uncertain", futures, options=EXACT, method="benders", workers=0, blocks=blocks)
    assert plan.method == "extensive"
    assert any("Benders needs every integer decision made now" in note for note in plan.notes)
    assert plan.objective == pytest.approx((96.0 + 102.0) / 2, rel=1e-6)
    assert ("a", "car", "k1", 2020) in sources(plan.plan.future("near"))
    assert ("a", "car", "k2", 2020) in sources(plan.plan.future("far"))


def test_a_future_with_no_demand_shares_the_choices_of_the_others() -> None:
    data, _ = uncertain()
    futures = [Future("all", 0.5, ()), Future("no-k2", 0.5, (("markets[k2].demand.car", 0.0),))]
    plan = stochastic_plan(data, "uncertain", futures, options=EXACT, method="extensive")
    assert plan.plan.tables["single_sources"].groupby("future").size().to_dict() == {"all": 6, "no-k2": 4}


# --- validation ------------------------------------------------------------------------------------------------------

def problems_of(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    path = write_yaml(tmp_path / "scenario.yaml", data)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path, CHECKS)
    return [str(problem) for problem in raised.value.problems]


def test_a_list_naming_an_unknown_product_is_an_error_at_its_line(tmp_path: Path) -> None:
    data = two_plants(k2=["car", "bus"])
    assert problems_of(tmp_path, data) == [
        f"{tmp_path / 'scenario.yaml'}:{line_of(tmp_path, '- bus')}: markets[k2].single_source[1]: unknown product "
        "'bus'; known: car"]


def line_of(tmp_path: Path, text: str) -> int:
    lines = (tmp_path / "scenario.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.strip() == text)


def test_a_single_sourced_demand_no_plant_can_serve_alone_is_an_error(tmp_path: Path) -> None:
    # k3 wants 21 (k1 and k2 6 each); B, the larger, makes 20 (A 10): not one alone.
    data = two_plants(k3=True)
    data["markets"][2]["demand"] = {"car": 21.0}
    found = problems_of(tmp_path, data)
    assert len(found) == 1
    assert found[0].endswith("markets[k3].single_source: 'car' is single-sourced, but no plant can serve its demand "
                             "alone in 2020 (21 units; the most one plant can make is 20) and no lost_sale_penalty "
                             "allows it to go unserved; add capacity, allow lost sales or take the product off "
                             "single_source")
    assert f":{line_of(tmp_path, 'single_source: true')}:" in found[0]
    # An option that may be built twice lets B serve it: 20 + 2 x 3.
    data["options"] = [{"id": "more-b", "plant": "b", "pool": "main", "capacity": 3.0, "capex": 1.0, "max_builds": 2}]
    assert solved(data).tables["single_sources"]["plant"].tolist() == ["b"]
    # So does a lost sale allowed: k3 alone, B serves 20 and 1 goes unserved.
    del data["options"]
    data = {**data, "markets": data["markets"][2:], "lanes": [lane for lane in data["lanes"] if lane["market"] == "k3"]}
    data["markets"][0]["lost_sale_penalty"] = {"car": 100.0}
    plan = solved(data)
    assert float(plan.demand["lost"].sum()) == pytest.approx(1.0)
    assert sources(plan) == {("b", "car", "k3", 2020)}


def test_single_sourcing_a_product_the_market_does_not_demand_is_a_warning(tmp_path: Path) -> None:
    data = two_plants(k2=["car"])
    data["products"].append({"id": "van", "product_class": "8704"})
    data["markets"][0]["single_source"] = ["van"]
    path = write_yaml(tmp_path / "scenario.yaml", data)
    warnings = [str(problem) for problem in read_scenario(path, CHECKS).warnings]
    assert warnings == [f"warning: {path}:{line_of(tmp_path, '- van')}: markets[k1].single_source[0]: 'k1' has no "
                        "demand for 'van': single-sourcing it changes nothing"]


@pytest.mark.parametrize("form", ["yaml", "csv", "xlsx"])
def test_single_source_round_trips_through_every_file_format(tmp_path: Path, form: str) -> None:
    data = two_plants(k2=True, k3=["car"])
    scenario = make(data)
    target = tmp_path / ("net" if form == "csv" else f"net.{form}")
    save_scenario(scenario, target)
    loaded = load_scenario(target, CHECKS)
    assert loaded == scenario
    assert [m.single_source for m in loaded.markets] == [False, True, ["car"]]


# --- the Plan's table read back --------------------------------------------------------------------------------------

def test_a_results_folder_written_before_the_table_reads_with_none(tmp_path: Path) -> None:
    plan = solved(two_plants(k2=True))
    folder = plan.write(tmp_path / "plan")
    assert Plan.read(folder).tables["single_sources"]["plant"].tolist() == ["a"]
    for suffix in ("csv", "parquet"):
        (folder / f"single_sources.{suffix}").unlink()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["files"] = {name: value for name, value in summary["files"].items()
                        if not name.startswith("single_sources.")}  # as written before the table was
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    read = Plan.read(folder)
    assert read.tables["single_sources"].empty
    assert list(read.tables["single_sources"].columns) == ["plant", "product", "market", "year", "units"]
    assert read.tables["flows"].equals(Plan.read(plan.write(tmp_path / "again")).tables["flows"])


def test_a_results_folder_missing_the_table_it_lists_is_refused(tmp_path: Path) -> None:
    folder = solved(two_plants(k2=True)).write(tmp_path / "plan")
    for suffix in ("csv", "parquet"):
        (folder / f"single_sources.{suffix}").unlink()
    result = invoke("compare", str(folder), str(folder))
    assert result.exit_code == 1
    assert "incomplete results, table(s) missing: single_sources" in " ".join(result.output.split())


def test_a_run_stored_before_the_table_reads_with_none(tmp_path: Path) -> None:
    data = two_plants(k2=True)
    plan = solved(data)
    with RunStore(tmp_path / "runs.sqlite") as store:
        run = store.save_run(run_record(plan, name="two", data=data, settings={}), encode_tables(plan))
        assert store.get(run).decisions == Decisions.of(plan)
        decided = {name: sorted(getattr(Decisions.of(plan), name)) for name in ("builds", "assignments", "plants")}
        with store._engine.begin() as connection:
            connection.execute(delete(tables).where(tables.c.run == run, tables.c.name == "single_sources"))
            connection.execute(update(runs).where(runs.c.id == run).values(decisions=json.dumps(decided)))
        read = store.plan(run)
        assert read.tables["single_sources"].empty
        assert store.get(run).decisions.single_sources == frozenset()
        pd.testing.assert_frame_equal(read.tables["flows"], plan.tables["flows"], check_categorical=False)


def test_a_stochastic_plan_compares_by_the_sources_it_takes_in_every_future() -> None:
    data, futures = uncertain()
    shared = stochastic_plan(data, "uncertain", futures, options=EXACT, method="extensive")
    near = solved(data)  # near alone: A takes k1
    moved = compare(near, shared.plan).single_sources.astype({"market": str})
    assert moved[["market", "year", "plant_a", "plant_b"]].to_dict("records") == [
        {"market": "k1", "year": 2020, "plant_a": "a", "plant_b": "b"},
        {"market": "k1", "year": 2021, "plant_a": "a", "plant_b": "b"},
        {"market": "k2", "year": 2020, "plant_a": "b", "plant_b": "a"},
        {"market": "k2", "year": 2021, "plant_a": "b", "plant_b": "a"}]
    # Decided by each future, the sources differ: compare takes those of every future and names the others.
    blocks = ("build", "open", "opened", "closed", "assign", "start", "source")
    each = stochastic_plan(data, "uncertain", futures, options=EXACT, method="extensive", blocks=blocks)
    comparison = compare(near, each.plan)
    assert set(comparison.single_sources["market"].astype(str)) == {"k1", "k2"}  # a source in no future's common
    assert any("car for k2 from a 2020-2021 in 50%" in note for note in comparison.notes)


def test_a_future_that_decides_for_itself_later_revises_its_single_sources() -> None:
    """Revised from 2021: 2020 is decided for both futures (A k2, as above); in 2021 near takes its own optimum, A k1
    and B k2 (48), far keeps A k2 (51). The revisions name near's four changed sources against the plan with every
    decision made now (A k2 and B k1 in every year), and the plan's note reads them."""
    data, futures = uncertain()
    plan = stochastic_plan(data, "uncertain", futures, options=EXACT, method="extensive", revise_from=2021)
    rows = plan.revisions.astype(object).where(plan.revisions.notna(), None)
    assert sorted(tuple(row) for row in rows.itertuples(index=False)) == [
        ("near", "single_source", None, "a", "car", "k1", 2021, 0, 1),
        ("near", "single_source", None, "a", "car", "k2", 2021, 1, 0),
        ("near", "single_source", None, "b", "car", "k1", 2021, 1, 0),
        ("near", "single_source", None, "b", "car", "k2", 2021, 0, 1)]
    assert plan.revised == {"near": "+car for k1 from a 2021, +car for k2 from b 2021, -car for k2 from a 2021, "
                                    "-car for k1 from b 2021"}
