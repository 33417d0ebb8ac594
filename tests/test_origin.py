"""Rules of origin from the plan's own sourcing (issue 17, point 3): a product with a bill of materials qualifies for
an agreement's preference as far as the components the plan routes to its plant carry the originating value the
agreement asks for; the plan chooses the sourcing and the claims together. Every figure worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import footprint.scenario.model.trade as trade
from conftest import (
    assert_costs_match,
    capability,
    costs_by,
    invoke,
    make,
    market,
    plant,
    scenario_data,
    solved,
    write_yaml,
)
from footprint.analysis.expected import expected_plan
from footprint.analysis.stochastic import stochastic_plan
from footprint.economics.checks import CHECKS
from footprint.economics.network import compile_network
from footprint.optimize.highs import SolverOptions
from footprint.optimize.model import build_model
from footprint.plan.plan import Plan
from footprint.plan.results import MANIFEST
from footprint.plan.store import RunStore, encode_tables, run_record
from footprint.scenario.formats.files import convert, load_scenario
from footprint.scenario.sets.regime_switch import switched_rules
from footprint.scenario.sets.scenario_sets import Future
from footprint.views.report import plan_report

MFN_US = {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025}
KORUS = {"id": "korus", "members": [{"country": "US"}, {"country": "KR"}], "regional_value_content": 0.35,
         "rates": [{"origin": "KR", "destination": "US", "product_class": "8703", "rate": 0.0}]}


def supplier(id: str, country: str, component: str, price: float, **supply: Any) -> dict[str, Any]:
    return {"id": id, "country": country, "currency": "USD",
            "supplies": [{"component": component, "price": price, **supply}]}


def korean_car(korean_engine: float, cars: float = 30.0, **korus: Any) -> dict[str, Any]:
    """A car of one engine (value 3,000) and one body (value 2,000), assembled at Busan for 1,000 and sold in the
    US (2.5% MFN, 0 under KORUS, 35%). Engines from Japan at 3,000 or from Korea at ``korean_engine``; bodies from
    Japan at 2,000. No freight, no other duty."""
    return scenario_data(
        start=2016,
        plants=[plant("busan", country="KR")],
        capabilities=[capability("busan", "car", 1000.0)],
        markets=[market("us", cars)],
        products=[{"id": "car", "product_class": "8703", "bom": {"engine": 1, "body": 1}}],
        components=[{"id": "engine", "product_class": "8407", "value": 3000.0},
                    {"id": "body", "product_class": "8707", "value": 2000.0}],
        suppliers=[supplier("aichi", "JP", "engine", 3000.0), supplier("ulsan", "KR", "engine", korean_engine),
                   supplier("nagoya", "JP", "body", 2000.0)],
        tariffs=[dict(MFN_US)],
        agreements=[KORUS | korus],
    )


def test_a_korean_engine_is_bought_where_the_preference_pays_for_its_price() -> None:
    """A car is worth 1,000 + 3,000 + 2,000 = 6,000 at Busan; claiming KORUS saves 2.5% of it, 150. Build-down: its
    non-originating materials may be at most 65% of 6,000 = 3,900. With a Japanese engine and body they are 5,000
    (the car's RVC 1,000 / 6,000 = 16.7%), with a Korean engine 2,000 (66.7%). Over the year's 30 claimed cars
    (averaged, as KORUS lets a carmaker do), x Korean engines must bring 30 x 5,000 - 3,000 x <= 30 x 3,900: x >= 11,
    and then the RVC is (180,000 - 150,000 + 33,000) / 180,000 = 35% exactly. At 3,300 a Korean engine costs 300
    more: 11 x 300 = 3,300 against 30 x 150 = 4,500 of duty: buy 11 and claim all 30, 30 x 6,000 + 3,300 = 183,300.
    """
    plan = solved(korean_car(3300.0))
    assert plan.objective == pytest.approx(183_300.0)
    supplies = plan.tables["supplies"].groupby("supplier")["units"].sum()
    assert supplies["ulsan"] == pytest.approx(11.0)
    assert supplies["aichi"] == pytest.approx(19.0)
    assert costs_by(plan, "duty") == pytest.approx({2016: 0.0})
    claims = plan.tables["claims"]
    assert claims[["plant", "product", "agreement", "market", "year"]].values.tolist() == [
        ["busan", "car", "korus", "us", 2016]]
    assert claims["units"].tolist() == pytest.approx([30.0])
    (row,) = plan.tables["rvc"].to_dict(orient="records")
    assert (row["units"], row["value"], row["originating"]) == pytest.approx((30.0, 6000.0, 2100.0))
    assert (row["rvc"], row["threshold"], row["duty_saved"]) == pytest.approx((0.35, 0.35, 4500.0))
    landed = plan.tables["landed_cost"].set_index("component")["per_unit"]
    assert landed["duty"] == pytest.approx(0.0)  # 150 at the general rate, less the 150 its claim saves
    assert_costs_match(plan)


def test_a_korean_engine_too_dear_for_the_preference_is_left() -> None:
    """At 3,500 the 11 Korean engines would cost 11 x 500 = 5,500, more than the 4,500 of duty they save: Japanese
    engines, no claim, 180,000 + 4,500 = 184,500. The rvc table says why: with no Korean engine the cars reach
    1,000 / 6,000 = 16.7% of the 35% KORUS asks."""
    plan = solved(korean_car(3500.0))
    assert plan.objective == pytest.approx(184_500.0)
    assert set(plan.tables["supplies"]["supplier"]) == {"aichi", "nagoya"}
    assert costs_by(plan, "duty") == pytest.approx({2016: 4500.0})
    assert plan.tables["claims"].empty
    (row,) = plan.tables["rvc"].to_dict(orient="records")
    assert (row["units"], row["value"], row["originating"], row["duty_saved"]) == pytest.approx(
        (0.0, 6000.0, 1000.0, 0.0))
    assert row["rvc"] == pytest.approx(1 / 6)
    assert_costs_match(plan)


def test_build_up_counts_originating_materials_alone() -> None:
    """The same car, Korean engines at 3,300. Build-down (above): 11 Korean engines for 30 claims, 110 a car for a
    saving of 150: claimed. Build-up counts only originating materials, not Busan's 1,000 of assembly: 3,000 x >=
    35% x 30 x 6,000 = 63,000, x >= 21, 21 x 300 = 6,300 (210 a car) against 4,500: not claimed, 184,500. With a
    duty of 10% (a saving of 600 a car, 18,000 in all) build-up claims too: 180,000 + 6,300 = 186,300, RVC
    21 x 3,000 / 180,000 = 35%."""
    down, up = solved(korean_car(3300.0)), solved(korean_car(3300.0, rvc_method="build_up"))
    assert down.objective == pytest.approx(183_300.0)
    assert up.objective == pytest.approx(184_500.0)
    assert up.tables["claims"].empty
    data = korean_car(3300.0, rvc_method="build_up")
    data["tariffs"][0]["rate"] = 0.10
    plan = solved(data)
    assert plan.objective == pytest.approx(186_300.0)
    assert plan.tables["supplies"].groupby("supplier")["units"].sum()["ulsan"] == pytest.approx(21.0)
    (row,) = plan.tables["rvc"].to_dict(orient="records")
    assert (row["originating"], row["rvc"], row["duty_saved"]) == pytest.approx((2100.0, 0.35, 18_000.0))


def two_models(korean_engines: float) -> dict[str, Any]:
    """Busan makes a sedan (engine and body, worth 6,000) and an SUV (engine and a body of 4,000, worth 8,000), 30
    of each for the US. Korean engines cost what Japanese ones do, 3,000, but Ulsan makes only ``korean_engines``
    a year."""
    data = korean_car(3000.0)
    data["products"] = [{"id": "sedan", "product_class": "8703", "bom": {"engine": 1, "body": 1}},
                        {"id": "suv", "product_class": "8703", "bom": {"engine": 1, "suv-body": 1}}]
    data["components"].append({"id": "suv-body", "product_class": "8707", "value": 4000.0})
    data["suppliers"][1]["supplies"][0]["capacity"] = korean_engines
    data["suppliers"].append(supplier("kobe", "JP", "suv-body", 4000.0))
    data["plants"] = [plant("busan", country="KR", products=("sedan", "suv"))]
    data["capabilities"] = [capability("busan", "sedan", 1000.0), capability("busan", "suv", 1000.0)]
    data["markets"] = [{"id": "us", "country": "US", "demand": {"sedan": 30.0, "suv": 30.0}}]
    return data


@pytest.mark.parametrize(("korean_engines", "suvs", "duty"), [(11.0, 0.0, 6000.0), (20.0, 15.0, 3000.0)])
def test_originating_engines_shared_by_two_models_count_once(korean_engines: float, suvs: float,
                                                           duty: float) -> None:
    """A claimed sedan needs 5,000 - 3,900 = 1,100 of originating engines (as above), a claimed SUV 7,000 - 65% x
    8,000 = 1,800; an engine is worth 3,000. A Korean engine lets 3,000 / 1,100 = 2.73 sedans claim (2.73 x 150 =
    409 saved) or 3,000 / 1,800 = 1.67 SUVs (1.67 x 2.5% x 8,000 = 333): the sedans have them first. With 11, all
    30 sedans claim and no SUV: the SUVs pay 30 x 200 = 6,000 (counted for both, 11 engines would let 18 SUVs claim
    too). With 20, the 9 the sedans leave let 9 x 3,000 / 1,800 = 15 SUVs claim: 15 x 200 = 3,000."""
    plan = solved(two_models(korean_engines))
    assert plan.objective == pytest.approx(30 * 6000.0 + 30 * 8000.0 + duty)
    claims = plan.tables["claims"].groupby("product")["units"].sum()
    assert claims["sedan"] == pytest.approx(30.0)
    assert claims.get("suv", 0.0) == pytest.approx(suvs)
    assert costs_by(plan, "duty") == pytest.approx({2016: duty})
    rvc = plan.tables["rvc"].set_index("product")
    assert rvc.loc["sedan", "rvc"] >= 0.35 - 1e-9
    if suvs:
        assert rvc.loc["suv", "rvc"] == pytest.approx(0.35)
    assert_costs_match(plan)


def test_a_component_from_a_member_countrys_plant_originates() -> None:
    """Engines made at Busan itself (3,000 to make) originate, as Korean goods; Japanese ones cost 2,950. As above,
    30 claimed cars need 11 originating engines: 11 made at Busan and 19 bought, 30 x 5,950 + 11 x 50 = 179,050
    and no duty, against 178,500 + 4,500 = 183,000 for Japanese engines alone, or 180,000 for Busan's alone."""
    data = korean_car(9999.0)
    data["suppliers"][0]["supplies"][0]["price"] = 2950.0
    data["plants"][0]["pools"][0]["products"] = ["car", "engine"]
    data["capabilities"].append(capability("busan", "engine", 3000.0))
    plan = solved(data)
    assert plan.objective == pytest.approx(179_050.0)
    assert plan.tables["transfers"]["units"].sum() == pytest.approx(11.0)
    assert plan.tables["claims"]["units"].sum() == pytest.approx(30.0)
    assert plan.tables["rvc"]["rvc"].tolist() == pytest.approx([0.35])


def test_a_product_without_a_bill_of_materials_keeps_its_content_rule() -> None:
    """A van beside the car, without a bill of materials: 35% of its 1,000 is Korean by its cost split, so it
    qualifies as before (no duty) with no claim to make; the car's qualification is the plan's (Japanese engines at
    3,500 Korean: not claimed, 4,500)."""
    data = korean_car(3500.0)
    data["products"].append({"id": "van", "product_class": "8703"})
    data["plants"][0]["pools"][0]["products"] = ["car", "van"]
    data["capabilities"].append(capability("busan", "van", 350.0, imported_cost=650.0, imported_currency="USD",
                                           imported_origin="JP"))
    data["markets"][0]["demand"]["van"] = 10.0
    plan = solved(data)
    assert plan.objective == pytest.approx(184_500.0 + 10 * 1000.0)
    assert costs_by(plan, "duty") == pytest.approx({2016: 4500.0})
    assert set(plan.tables["rvc"]["product"]) == {"car"}


def test_a_network_without_bills_of_materials_has_no_claims() -> None:
    """Today's scenarios (no bill of materials) build the very program they did: no claim, no allocation."""
    data = scenario_data(start=2016, plants=[plant("busan", country="KR")],
                         capabilities=[capability("busan", local_cost=350.0, imported_cost=650.0,
                                                  imported_currency="USD", imported_origin="JP")],
                         markets=[market("us", 10.0)], tariffs=[MFN_US], agreements=[KORUS])
    program = build_model(compile_network(make(data))).program
    assert not {"claim", "orig", "claim_limit", "origin_bom", "origin_source", "rvc"} & (
        set(program.variables) | set(program.constraints))
    plan = solved(data)
    assert plan.tables["claims"].empty
    assert plan.tables["rvc"].empty


def test_a_plan_without_the_origin_tables_reads_back_with_them_empty(tmp_path: Path) -> None:
    """Results written, and runs stored, before the claims and rvc tables existed read back with them empty;
    those written since keep them."""
    plan = solved(korean_car(3300.0))
    folder = plan.write(tmp_path / "plan")
    assert Plan.read(folder).tables["rvc"]["rvc"].tolist() == pytest.approx([0.35])
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    del summary[MANIFEST]  # a folder written before the manifest (and the tables): whatever tables are there
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    for name in ("claims", "rvc"):
        (folder / f"{name}.csv").unlink()
        (folder / f"{name}.parquet").unlink()
    older = Plan.read(folder)
    assert older.tables["claims"].empty
    assert older.tables["rvc"].empty
    assert older.tables["supplies"]["units"].sum() == pytest.approx(60.0)

    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run = store.save_run(run_record(plan, name="car", data=korean_car(3300.0), settings={}), encode_tables(plan))
        assert store.plan(run).tables["claims"]["units"].tolist() == pytest.approx([30.0])
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM footprint_tables WHERE name IN ('claims', 'rvc')")
    with RunStore(path) as store:
        stored = store.plan(run)
    assert stored.tables["claims"].empty
    assert stored.tables["rvc"].empty
    assert stored.objective == pytest.approx(183_300.0)


def test_a_regime_switch_keeps_each_sides_way_of_measuring_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """KORUS at 35% build-down until 2016, build-up from 2017 (regimes made up for the test). Korean engines at
    3,300: claimed in 2016 (no duty), not in 2017 (4,500), as in the tests above. Merged into one agreement, the
    switch would measure both years one way."""
    layers = {name: [{"tariffs": [dict(MFN_US)], "agreements": [KORUS | {"rvc_method": method}]}]
              for name, method in (("down", "build_down"), ("up", "build_up"))}
    monkeypatch.setattr(trade, "regime_layers", lambda name: layers[name])
    monkeypatch.setattr(trade, "regime_names", lambda: tuple(layers))
    data = korean_car(3300.0)
    data["horizon"] = {"start": 2016, "end": 2017}
    del data["tariffs"], data["agreements"]
    tariffs, agreements = switched_rules(make({**data, "regime": "down"}), "up", dt.date(2017, 1, 1))
    assert [(a["id"], a.get("rvc_method", "build_down")) for a in agreements] == [
        ("korus", "build_down"), ("korus-from-2017-01-01", "build_up")]
    plan = solved({**data, "tariffs": tariffs, "agreements": agreements})
    assert costs_by(plan, "duty") == pytest.approx({2016: 0.0, 2017: 4500.0})


@pytest.mark.parametrize("through_a_centre", [False, True])
def test_a_products_customs_value_counts_its_components_at_value(through_a_centre: bool) -> None:
    """Without KORUS, the 30 Busan cars pay 2.5% on their value at the plant, 1,000 of assembly and 5,000 of
    components at value: 30 x 150 = 4,500 (not 2.5% of the 1,000 of assembly alone), shipped direct or through a
    US distribution centre (bonded: the duty is paid once, on the same value)."""
    data = korean_car(3500.0)
    del data["agreements"]
    if through_a_centre:
        data |= {"default_freight": None, "facilities": [{"id": "dc", "country": "US", "currency": "USD"}],
                 "lanes": [{"origin": "busan", "destination": "dc", "freight": 0.0},
                           {"origin": "dc", "destination": "us", "freight": 0.0},
                           *({"origin": s, "destination": "busan", "freight": 0.0} for s in ("aichi", "nagoya"))]}
    plan = solved(data)
    assert costs_by(plan, "duty") == pytest.approx({2016: 4500.0})
    assert plan.tables["deliveries"]["units"].sum() == pytest.approx(30.0 if through_a_centre else 0.0)


def test_the_console_and_the_report_show_the_claims(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "car.yaml", korean_car(3300.0))
    result = invoke("run", str(path), "--no-store")
    assert result.exit_code == 0, result.output
    assert "Preferences claimed, units per year" in result.output
    assert "korus" in result.output
    assert "Preferences claimed (units)" in plan_report(solved(korean_car(3300.0)))


@pytest.mark.parametrize("method", ["extensive", "benders"])
def test_a_stochastic_plan_qualifies_the_korean_supplier_now_and_claims_in_each_future(method: str) -> None:
    """Ulsan is a candidate supplier (qualification 1,000, decided now); 30 or 60 cars, equally likely. Each
    future claims with 11 Korean engines per 30 cars (above): 183,300 and 366,600, plus the 1,000 once; without
    Ulsan 184,500 and 369,000. Expected: 0.5 x 184,300 + 0.5 x 367,600 = 275,950."""
    data = korean_car(3300.0)
    data["suppliers"][1] |= {"candidate": True, "opening_cost": 1000.0}
    futures = [Future(name, 0.5, (("markets[us].demand.car", cars),)) for name, cars in (("low", 30.0),
                                                                                          ("high", 60.0))]
    result = stochastic_plan(data, "car", futures, options=SolverOptions(mip_gap=0.0), method=method, workers=0)
    assert result.objective == pytest.approx(275_950.0)
    claims = result.plan.tables["claims"]
    assert dict(zip(claims["future"], claims["units"], strict=True)) == pytest.approx({"low": 30.0, "high": 60.0})
    expected = expected_plan(result.plan).tables["rvc"]
    assert (expected["units"].tolist(), expected["rvc"].tolist()) == (pytest.approx([45.0]), pytest.approx([0.35]))


@settings(max_examples=12)
@given(threshold=st.floats(0.2, 0.6), korean_engine=st.floats(3000.0, 3600.0))
def test_the_plan_claims_exactly_where_the_originating_engines_cost_less_than_the_duty(threshold: float,
                                                                                         korean_engine: float) -> None:
    """Build-down at threshold t: 30 claimed cars may have 30 x (1 - t) x 6,000 of non-originating materials
    against 30 x 5,000 with Japanese engines, so they need x = 30 x (5,000 - (1 - t) x 6,000) / 3,000 = 60 t - 10
    Korean engines, at (price - 3,000) more each; the plan pays the less of that and the 4,500 of duty."""
    plan = solved(korean_car(korean_engine, regional_value_content=threshold))
    premium = (60 * threshold - 10) * (korean_engine - 3000.0)
    assert plan.objective == pytest.approx(180_000.0 + min(4500.0, premium), rel=1e-7)
    if abs(premium - 4500.0) > 1.0:  # at a tie either is optimal
        assert plan.tables["claims"]["units"].sum() == pytest.approx(30.0 if premium < 4500.0 else 0.0)


@pytest.mark.parametrize("target", ["car", "car.xlsx"])
def test_an_agreements_way_of_measuring_content_converts_to_tables_and_back(target: str, tmp_path: Path) -> None:
    source = write_yaml(tmp_path / "car.yaml", korean_car(3300.0, rvc_method="build_up"))
    original = load_scenario(source, CHECKS)
    assert original.agreements[0].rvc_method == "build_up"
    convert(source, tmp_path / target, CHECKS)
    assert load_scenario(tmp_path / target, CHECKS) == original
