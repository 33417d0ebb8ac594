"""Transport modes on lanes (issue 17): a lane's modes, each with its cost per unit (or per unit-km), transit days and
fixed cost per year used; a market's transit promise. Every figure below is worked out by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyarrow import ipc
from sqlalchemy import delete, insert

from conftest import capability, invoke, make, market, plant, scenario_data, solved, write_yaml
from footprint.analysis.stochastic import stochastic_plan
from footprint.economics.checks import CHECKS
from footprint.economics.network import compile_network
from footprint.optimize.highs import SolverOptions
from footprint.optimize.model import build_model, flow_preference
from footprint.plan.plan import Plan
from footprint.plan.results import MANIFEST
from footprint.plan.store import RunStore, encode_tables, run_record
from footprint.plan.store_schema import tables
from footprint.scenario.formats.files import load_scenario, read_scenario, save_scenario
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.scenario_sets import Future


def lane(origin: str, destination: str, *modes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"origin": origin, "destination": destination, "modes": list(modes), **extra}


def mode(name: str, cost: float | None = None, **extra: Any) -> dict[str, Any]:
    return {"mode": name, **({} if cost is None else {"cost": cost}), **extra}


def sea_and_air() -> dict[str, Any]:
    """Sea at 5 a car in 30 days, air at 50 in 2."""
    return lane("a", "us", mode("sea", 5.0, transit_days=30), mode("air", 50.0, transit_days=2))


def one_lane(*lanes: dict[str, Any], years: int = 1, **us: Any) -> dict[str, Any]:
    """Plant a makes cars at 100 for market us (demand 10 unless ``us`` says), over ``lanes`` only."""
    return scenario_data(plants=[plant("a")], capabilities=[capability("a", "car", 100.0)],
                         markets=[market("us", 10.0, **us)], default_freight=None, lanes=list(lanes),
                         end=2020 + years - 1)


# --- the model ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("promise", "chosen", "objective"), [(None, "sea", 1050.0), (40.0, "sea", 1050.0),
                                                               (10.0, "air", 1500.0), (2.0, "air", 1500.0)])
def test_a_markets_transit_promise_forces_air_over_sea(promise: float | None, chosen: str, objective: float) -> None:
    """Sea costs 5 a car and takes 30 days, air 50 and 2. Free to choose: 10 x (100 + 5) = 1,050 by sea; a promise
    of 40 days still lets sea serve; of 10 (or exactly 2) days only air can: 10 x (100 + 50) = 1,500."""
    plan = solved(one_lane(sea_and_air(), **({} if promise is None else {"max_transit_days": promise})))
    assert plan.objective == pytest.approx(objective)
    assert plan.flows[["mode", "units"]].values.tolist() == [[chosen, 10.0]]
    modes = plan.tables["modes"]
    assert modes[["origin", "destination", "mode", "units", "transit_days", "freight", "fixed_cost"]].values.tolist() \
        == [["a", "us", chosen, 10.0, 30.0 if chosen == "sea" else 2.0, objective - 1000.0, 0.0]]


def promise_through_a_facility() -> dict[str, Any]:
    """Sea direct (5, 30 days); sea to a DC (8, 30 days), road from it (3, 2 days); a promise of 5 days."""
    data = one_lane(lane("a", "us", mode("sea", 5.0, transit_days=30)),
                    lane("a", "dc", mode("sea", 8.0, transit_days=30)),
                    lane("dc", "us", mode("road", 3.0, transit_days=2)), max_transit_days=5.0)
    data["facilities"] = [{"id": "dc", "country": "US", "currency": "USD"}]
    return data


def test_a_promise_through_a_facility_counts_from_the_facility() -> None:
    """Direct by sea takes 30 days, the promise is 5: the car goes to the DC by sea (30 days, 8 a car) and from
    there by road (2 days, 3 a car), held in stock in between: 10 x (100 + 8 + 3) = 1,110."""
    plan = solved(promise_through_a_facility())
    assert plan.objective == pytest.approx(1110.0)
    assert plan.flows.empty
    assert plan.tables["inbound"][["facility", "mode", "units"]].values.tolist() == [["dc", "sea", 10.0]]
    assert plan.tables["deliveries"][["facility", "mode", "units"]].values.tolist() == [["dc", "road", 10.0]]


def rail_above_a_volume() -> dict[str, Any]:
    """Road at 10 a car, rail at 4 and 300 a year used; demand 40 in 2020, 80 in 2021."""
    data = one_lane(lane("a", "us", mode("road", 10.0), mode("rail", 4.0, fixed_cost=300.0)), years=2)
    data["markets"][0]["demand"] = {"car": {2020: 40.0, 2021: 80.0}}
    return data


def test_a_rail_mode_with_a_fixed_cost_pays_only_above_a_volume() -> None:
    """Road costs 10 a car; rail 4 and 300 a year it is used: rail pays above 300 / (10 - 4) = 50 cars a year.
    Demand 40 then 80: road in 2020 (400 against 160 + 300 = 460), rail in 2021 (320 + 300 = 620 against 800).
    Production 100 x 120 = 12,000; in all 12,000 + 400 + 620 = 13,020."""
    plan = solved(rail_above_a_volume())
    assert plan.objective == pytest.approx(13020.0)
    assert plan.flows[["year", "mode", "units"]].values.tolist() == [[2020, "road", 40.0], [2021, "rail", 80.0]]
    modes = plan.tables["modes"].sort_values("year")
    assert modes[["year", "mode", "freight", "fixed_cost"]].values.tolist() == [[2020, "road", 400.0, 0.0],
                                                                                [2021, "rail", 320.0, 300.0]]
    costs = plan.tables["costs"]
    assert costs.query("component == 'mode_fixed'")["amount"].tolist() == [0.0, 300.0]
    assert costs["discounted"].sum() == pytest.approx(plan.objective)


def supplier_modes() -> dict[str, Any]:
    """A car of one part from s at 10, by sea (2, 100 a year used) or air (8); 10 cars in 2020, 30 in 2021."""
    data = one_lane(lane("a", "us", mode("road", 0.0)), lane("s", "a", mode("sea", 2.0, fixed_cost=100.0),
                                                              mode("air", 8.0)), years=2)
    data["markets"][0]["demand"] = {"car": {2020: 10.0, 2021: 30.0}}
    data["products"] = [{"id": "car", "product_class": "8703", "bom": {"part": 1}}]
    data["components"] = [{"id": "part", "product_class": "8708", "value": 10.0}]
    data["suppliers"] = [{"id": "s", "country": "US", "currency": "USD",
                          "supplies": [{"component": "part", "price": 10.0}]}]
    return data


def test_modes_on_a_supplier_to_plant_lane() -> None:
    """Each car takes one part bought from s at 10. Sea brings a part for 2 and 100 a year it is used, air for 8:
    10 cars: air (80 against 20 + 100); 30 cars: sea (60 + 100 = 160 against 240). 2020: 10 x (100 + 10 + 8) =
    1,180; 2021: 30 x (100 + 10 + 2) + 100 = 3,460; in all 4,640."""
    plan = solved(supplier_modes())
    assert plan.objective == pytest.approx(4640.0)
    supplies = plan.tables["supplies"].sort_values("year")
    assert supplies[["year", "mode", "units"]].values.tolist() == [[2020, "air", 10.0], [2021, "sea", 30.0]]
    supply_modes = plan.tables["modes"].query("origin == 's'").sort_values("year")
    assert supply_modes[["year", "mode", "fixed_cost"]].values.tolist() == [[2020, "air", 0.0], [2021, "sea", 100.0]]
    assert plan.tables["costs"]["discounted"].sum() == pytest.approx(plan.objective)


def test_a_cost_per_km_multiplies_the_lanes_distance_or_its_ends_great_circle() -> None:
    """0.01 a car-km over 1,000 km: 10 a car, 10 x (100 + 10) = 1,100. Without distance_km, the great-circle km
    between the ends: along the equator from 0 to 9 degrees east, 9 / 360 x 2 pi x 6,371.0088 = 1,000.75 km."""
    assert solved(one_lane(lane("a", "us", mode("rail", cost_per_km=0.01), distance_km=1000.0))).objective == \
        pytest.approx(1100.0)
    data = one_lane(lane("a", "us", mode("rail", cost_per_km=0.01)))
    data["plants"][0]["location"] = {"lat": 0.0, "lon": 0.0}
    data["markets"][0]["location"] = {"lat": 0.0, "lon": 9.0}
    km = 9 / 360 * 2 * 3.141592653589793 * 6371.0088
    assert solved(data).objective == pytest.approx(10 * (100 + 0.01 * km))


def test_a_lane_with_freight_only_is_one_sea_mode_and_the_same_model() -> None:
    """A lane's freight is the shorthand of one sea mode: the same flows, model and plan as modes: [sea at 5]; one
    flow per plant, product and demand, as before modes (a lane of one mode adds no column or row)."""
    shorthand = one_lane({"origin": "a", "destination": "us", "freight": 5.0})
    explicit = one_lane(lane("a", "us", mode("sea", 5.0)))
    models = [build_model(compile_network(make(data))).program for data in (shorthand, explicit)]
    assert [(m.num_cols, m.num_rows) for m in models] == [(1, 2), (1, 2)]  # a flow; its demand and capacity
    plans = [solved(data) for data in (shorthand, explicit)]
    assert [p.objective for p in plans] == pytest.approx([1050.0, 1050.0])
    assert [p.flows["mode"].tolist() for p in plans] == [["sea"], ["sea"]]
    assert "mode_fixed" not in set(plans[0].tables["costs"]["component"])


def test_unlisted_lanes_computed_from_distances_take_days_at_the_rates_speeds() -> None:
    """No ports: a road lane from (0, 0) to (0, 9), 1,000.75 great-circle km x 1.2 road factor at 500 km a day:
    2.4 days. A promise of 2 days leaves the market unserved (lost at 1,000 a car); of 3 days it is served."""
    def data(promise: float) -> dict[str, Any]:
        base = one_lane(max_transit_days=promise, lost_sale_penalty={"car": 1000.0})
        base["plants"][0]["location"] = {"lat": 0.0, "lon": 0.0}
        base["markets"][0]["location"] = {"lat": 0.0, "lon": 9.0}
        base["freight_rates"] = {"per_nautical_mile": 0.0, "per_road_km": 0.001}
        return base

    network = compile_network(make(data(3.0)))
    assert network.lane_transit_days[0, 0, 0] == pytest.approx(9 / 360 * 2 * 3.141592653589793 * 6371.0088
                                                                * 1.2 / 500)
    assert solved(data(3.0)).tables["demand"]["lost"].tolist() == [0.0]
    assert solved(data(2.0)).tables["demand"]["lost"].tolist() == [10.0]


@pytest.mark.parametrize("method", ["extensive", "benders"])
def test_a_stochastic_plan_decides_a_modes_fixed_cost_now(method: str) -> None:
    """Rail (4 a car, 300 a year used) or road (10): demand 40 or 80, equally likely. Each future alone: road at 40
    (400), rail at 80 (620); wait and see 510. Decided now: rail 0.5 x 460 + 0.5 x 620 = 540, road 0.5 x 400 +
    0.5 x 800 = 600: rail, in both futures; with production (100 x 60 expected) 6,540."""
    data = one_lane(lane("a", "us", mode("road", 10.0), mode("rail", 4.0, fixed_cost=300.0)))
    futures = [Future(name, 0.5, (("markets[us].demand.car", units),)) for name, units in (("low", 40.0),
                                                                                           ("high", 80.0))]
    plan = stochastic_plan(data, "rail", futures, options=SolverOptions(mip_gap=0.0), method=method, workers=0)
    assert plan.objective == pytest.approx(6540.0)
    assert plan.wait_and_see == pytest.approx(6000.0 + 510.0)
    assert set(plan.plan.tables["flows"]["mode"]) == {"rail"}


# --- the files ------------------------------------------------------------------------------------------------------

def _with_modes(**us: Any) -> dict[str, Any]:
    return one_lane(lane("a", "us", mode("sea", transit_days=30.0), mode("air", 50.0, transit_days=2.0,
                                                                          fixed_cost=7.0),
                         mode("rail", cost_per_km=0.01), distance_km=900.0, currency="EUR"), **us)


@pytest.mark.parametrize("form", ["csv", "xlsx", "yaml"])
def test_modes_convert_to_tables_and_back_losing_nothing(form: str, tmp_path: Path) -> None:
    """A lane's modes are a table of their own (``modes``, by origin, destination and mode) in a CSV folder and a
    workbook; each reads back as the same scenario."""
    data = _with_modes(max_transit_days=10.0)
    data["default_freight"] = 4.0
    data["fx"] = {"EUR": 0.9}
    scenario = make(data)
    target = tmp_path / ("net" if form == "csv" else f"net.{form}")
    save_scenario(scenario, target)
    if form == "csv":
        assert (target / "modes.csv").read_text(encoding="utf-8").splitlines()[0].startswith(
            "origin,destination,mode,")
    assert load_scenario(target, CHECKS) == scenario


@given(st.lists(st.tuples(st.sampled_from(["sea", "rail", "road", "air"]),
                          st.floats(0, 1e6, allow_nan=False), st.one_of(st.none(), st.floats(0, 365)),
                          st.floats(0, 1e6, allow_nan=False)),
                min_size=1, max_size=4, unique_by=lambda item: item[0]))
def test_any_modes_round_trip_through_csv(modes: list[tuple[str, float, float | None, float]]) -> None:
    import tempfile

    data = one_lane(lane("a", "us", *(mode(name, cost, fixed_cost=fixed, **(
        {} if days is None else {"transit_days": days})) for name, cost, days, fixed in modes)))
    scenario = make(data)
    with tempfile.TemporaryDirectory() as folder:
        save_scenario(scenario, Path(folder) / "net")
        assert load_scenario(Path(folder) / "net", CHECKS) == scenario


@pytest.mark.parametrize(("change", "path", "message"), [
    (lambda d: d["lanes"].append({"origin": "a", "destination": "eu"}), "lanes[a/eu]",
     "a lane without a mode: give freight or modes (nothing computes its freight: no freight_rates, and no "
     "default_freight)"),
    (lambda d: d["lanes"][0]["modes"].append(mode("air", 60.0)), "lanes[a/us].modes[2]",
     "duplicate mode 'air'; each must be unique"),
    (lambda d: d["lanes"][0]["modes"][1].update(cost_per_km=0.1), "lanes[a/us].modes[air]",
     "give cost or cost_per_km, not both"),
    (lambda d: d["lanes"][0]["modes"][1].pop("cost"), "lanes[a/us].modes[air]",
     "an air mode needs a cost or a cost_per_km"),
    (lambda d: d["lanes"][0]["modes"][0].pop("cost"), "lanes[a/us].modes[sea]",
     "a sea mode without a cost, and nothing computes it (no freight_rates, and no default_freight); give cost or "
     "cost_per_km"),
    (lambda d: d["lanes"][0]["modes"][1].update(cost_per_km=d["lanes"][0]["modes"][1].pop("cost") / 1000),
     "lanes[a/us].modes[air].cost_per_km",
     "a cost per km needs a distance: give the lane's distance_km, or a location for 'a' and 'us'"),
    (lambda d: d["lanes"][0].update(freight=3.0), "lanes[a/us]", "give freight (and transit_days) for one sea mode, "
                                                                 "or modes, not both"),
    (lambda d: d["markets"][0].update(max_transit_days=1.0), "markets[us].max_transit_days",
     "no lane and mode delivers 'car' to 'us' within 1 transit days"),
])
def test_what_no_mode_can_carry_is_an_error_by_file_id_field_and_line(change: Any, path: str, message: str,
                                                                       tmp_path: Path) -> None:
    data = one_lane(sea_and_air())
    data["markets"].append(market("eu", 0.0, country="DE"))
    change(data)
    file = write_yaml(tmp_path / "modes.yaml", data)
    with pytest.raises(ScenarioError) as raised:
        read_scenario(file, CHECKS)
    lines = [line.strip() for line in str(raised.value).splitlines() if f" {path}: " in line]
    assert lines, str(raised.value)
    assert re.match(rf"{re.escape(str(file))}:\d+: {re.escape(path)}: {re.escape(message)}", lines[0]), lines[0]


def test_a_promise_a_lost_sale_may_break_is_no_error(tmp_path: Path) -> None:
    data = one_lane(sea_and_air(), max_transit_days=1.0, lost_sale_penalty={"car": 1e4})
    assert read_scenario(write_yaml(tmp_path / "modes.yaml", data), CHECKS).scenario.markets[0].max_transit_days


def test_a_modes_cost_is_a_parameter_path() -> None:
    """``lanes[a/us].modes[air].cost``: a sweep's, a range's and the tornado's way into a mode."""
    from footprint.scenario.sets.parameters import apply_overrides

    cheaper = apply_overrides(one_lane(sea_and_air(), max_transit_days=10.0), [("lanes[a/us].modes[air].cost", 20.0)])
    assert cheaper["lanes"][0]["modes"][1]["cost"] == 20.0
    assert solved(cheaper).objective == pytest.approx(1200.0)


# --- the Plan read back ---------------------------------------------------------------------------------------------

def test_results_written_before_modes_read_back_without_them(tmp_path: Path) -> None:
    """A results folder from before modes: its flows have no mode column and there is no modes table."""
    plan = solved(one_lane(sea_and_air()))
    folder = plan.write(tmp_path / "plan")
    read = Plan.read(folder)
    assert read.tables["modes"]["mode"].tolist() == ["sea"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    del summary[MANIFEST]  # a folder written before the manifest: whatever tables are there
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    for suffix in ("csv", "parquet"):
        (folder / f"modes.{suffix}").unlink()
    (folder / "flows.parquet").unlink()
    flows = plan.flows.drop(columns="mode")
    flows.to_csv(folder / "flows.csv", index=False)
    older = Plan.read(folder)
    assert older.tables["modes"].empty
    assert older.flows["mode"].isna().all()
    assert older.flows["units"].tolist() == [10.0]


def test_the_console_shows_the_mode_of_each_tiers_row(tmp_path: Path) -> None:
    """`footprint run` prints purchases by mode: air in 2020, sea in 2021 (test_modes_on_a_supplier_to_plant_lane)."""
    result = invoke("run", str(write_yaml(tmp_path / "modes.yaml", supplier_modes())), "--no-store")
    assert result.exit_code == 0, result.output
    purchases = result.output[result.output.index("Purchases from suppliers"):]
    header = purchases.splitlines()[2]
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == ["supplier", "component", "plant", "mode", "2020",
                                                                        "2021"]
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in purchases.splitlines()[4:6]]
    assert rows == [["s", "part", "a", "air", "10", "0"], ["s", "part", "a", "sea", "0", "30"]]


def test_a_run_stored_before_modes_reads_back_without_them(tmp_path: Path) -> None:
    """A stored run from before modes: its flows without a mode column, no modes table."""
    data = one_lane(sea_and_air())
    plan = solved(data)
    flows = pa.Table.from_pandas(plan.flows.drop(columns="mode"), preserve_index=False)
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, flows.schema) as writer:
        writer.write_table(flows)
    with RunStore(tmp_path / "runs.sqlite") as store:
        run = store.save_run(run_record(plan, name="old", data=data, settings={}), encode_tables(plan))
        with store._engine.begin() as connection:
            connection.execute(delete(tables).where(tables.c.run == run, tables.c.name.in_(["modes", "flows"])))
            connection.execute(insert(tables).values(run=run, name="flows", data=sink.getvalue().to_pybytes()))
        read = store.plan(run)
    assert read.tables["modes"].empty
    assert read.flows["mode"].isna().all()
    assert read.flows["units"].tolist() == [10.0]


@pytest.mark.parametrize("first", ["sea", "rail"])
def test_two_modes_of_the_same_cost_carry_the_lane_whole_by_the_first(first: str) -> None:
    """Sea and rail at 10 a car each (a unit cost of 110, enough for a tie-break): the tie-break prefers the mode
    the lane lists first by 1/16 of its weight, and all 10 cars go by it."""
    other = "rail" if first == "sea" else "sea"
    data = one_lane(lane("a", "us", mode(first, 10.0), mode(other, 10.0)))
    network = compile_network(make(data))
    preference = flow_preference(network)
    slot = network.flow_slot
    assert preference[slot == 1] == pytest.approx(preference[slot == 0] * (1 + 1 / 16))
    plan = solved(data)
    assert plan.tables["flows"]["mode"].astype(str).tolist() == [first]
    assert plan.objective == pytest.approx(1100.0)
