"""Components made at one plant and sent to another across a border claim an agreement's preference as products do
(issue 17, point 3): a transfer's units may claim as far as the parts the making plant received carry the
originating value the agreement asks for; the plan chooses the parts and the claims together. Every figure worked
out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from footprint.analysis.explain import explain
from footprint.analysis.stochastic import stochastic_plan
from footprint.optimize.highs import SolverOptions
from footprint.plan.plan import Plan
from footprint.plan.results import MANIFEST
from footprint.plan.store import RunStore, encode_tables, run_record
from footprint.scenario.sets.scenario_sets import Future
from footprint.views.report import plan_report

USMCA = {"id": "usmca", "regional_value_content": 0.75, "rates": [{"product_class": "8483", "rate": 0.0}],
         "members": [{"country": c} for c in ("US", "CA", "MX")]}
MFN = {"origin": "*", "destination": "US", "product_class": "8483", "rate": 0.025}


def supplier(id: str, country: str, price: float) -> dict[str, Any]:
    return {"id": id, "country": country, "currency": "USD", "supplies": [{"component": "gearset", "price": price}]}


def mexican_transmissions(us_gearset: float, china_gearset: float = 560.0, **usmca: Any) -> dict[str, Any]:
    """Smyrna (US) assembles 10 cars a year (100 a car) for the US, each with one transmission made at
    Aguascalientes (Mexico) for 400 from one gearset (value 600), bought in the US at ``us_gearset`` or in China at
    ``china_gearset``. A transmission's value is 400 + 600 = 1,000; into the US it pays 2.5% MFN (25 a unit), none
    under USMCA (75% build-down: non-originating at most 250 a unit). Freight free, no other duty, no discounting."""
    return scenario_data(
        start=2026,
        plants=[plant("smyrna"), plant("aguascalientes", country="MX", products=("transmission",))],
        capabilities=[capability("smyrna", "car", 100.0), capability("aguascalientes", "transmission", 400.0)],
        markets=[market("us", 10.0)],
        products=[{"id": "car", "product_class": "8703", "bom": {"transmission": 1}}],
        components=[{"id": "transmission", "product_class": "8483", "value": 1000.0, "bom": {"gearset": 1}},
                    {"id": "gearset", "product_class": "8482", "value": 600.0}],
        suppliers=[supplier("ohio", "US", us_gearset), supplier("ningbo", "CN", china_gearset)],
        tariffs=[MFN],
        agreements=[USMCA | usmca],
        discount_rate=0.0,
    )


def test_a_transmission_claims_usmca_with_just_enough_us_gearsets() -> None:
    """A claimed transmission may carry 250 of non-originating gearset: of each 600, 350 must be US-made, 7/12 of a
    gearset. All 10 claimed: 70/12 US gearsets at 590 and 50/12 Chinese at 560, 5,775, no duty; against 5,600 + 250
    of duty with Chinese gearsets alone, or 5,900 with US ones alone. In all 10 x 100 + 10 x 400 + 5,775 = 10,775."""
    plan = solved(mexican_transmissions(590.0))
    assert plan.objective == pytest.approx(10_775.0)
    claims = plan.tables["part_claims"]
    assert claims[["origin", "component", "agreement", "destination"]].astype(str).values.tolist() == [
        ["aguascalientes", "transmission", "usmca", "smyrna"]]
    assert claims["units"].sum() == pytest.approx(10.0)
    supplies = plan.tables["supplies"].astype({"supplier": str}).groupby("supplier")["units"].sum()
    assert supplies.to_dict() == pytest.approx({"ohio": 70 / 12, "ningbo": 50 / 12})
    (rvc,) = plan.tables["rvc"].astype({"plant": str, "product": str}).itertuples()
    assert (rvc.plant, rvc.product, rvc.units, rvc.value) == ("aguascalientes", "transmission", 10.0, 1000.0)
    assert rvc.rvc == pytest.approx(0.75)
    assert rvc.duty_saved == pytest.approx(250.0)
    assert costs_by(plan, "duty") == pytest.approx({2026: 0.0})
    assert_costs_match(plan)


def test_dear_us_gearsets_leave_the_duty_paid() -> None:
    """At 610 a US gearset, claiming costs 7/12 x 50 = 29.17 a transmission for 25 of duty saved: no claim, Chinese
    gearsets and 250 of duty: 1,000 + 4,000 + 5,600 + 250 = 10,850."""
    plan = solved(mexican_transmissions(610.0))
    assert plan.objective == pytest.approx(10_850.0)
    assert plan.tables["part_claims"].empty
    assert costs_by(plan, "duty") == pytest.approx({2026: 250.0})
    assert_costs_match(plan)


def test_build_up_counts_the_originating_gearsets_alone() -> None:
    """Build-up at 35%: originating materials at least 350 of a transmission's 1,000 (the maker's own 400 is value
    added, not a material): 350/600 = 7/12 of a gearset again, so the same plan as build-down at 75%."""
    plan = solved(mexican_transmissions(590.0, regional_value_content=0.35, rvc_method="build_up"))
    assert plan.objective == pytest.approx(10_775.0)
    assert plan.tables["rvc"]["rvc"].tolist() == pytest.approx([0.35])


def test_a_transmission_from_a_non_member_claims_nothing() -> None:
    """Made in Japan instead, the transmission pays 2.5% whatever its gearsets: no claim is offered."""
    data = mexican_transmissions(590.0)
    data["plants"][1]["country"] = "JP"
    plan = solved(data)
    assert plan.objective == pytest.approx(10_850.0)
    assert plan.tables["part_claims"].empty
    assert plan.tables["rvc"].empty


def test_explain_shows_the_duty_the_claims_leave_on_the_transmission() -> None:
    """The car's parts: the transmission pays no duty (claimed), the gearsets below it none either."""
    parts = explain(make(mexican_transmissions(590.0)), "us", "car").parts
    transmission = parts[parts["component"] == "transmission"]
    assert transmission["duty"].sum() == pytest.approx(0.0)
    assert transmission["making"].sum() == pytest.approx(400.0)
    gearsets = parts[parts["component"] == "gearset"]
    assert gearsets["purchase"].sum() == pytest.approx(5775.0 / 10)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(us=st.floats(500.0, 700.0), china=st.floats(500.0, 700.0), rate=st.floats(0.01, 0.3),
       threshold=st.floats(0.3, 0.9))
def test_the_plan_claims_exactly_where_the_us_content_costs_less_than_the_duty(us: float, china: float, rate: float,
                                                                            threshold: float) -> None:
    """By hand, per transmission (value 1,000, its own 400 originating): a claim needs the US share f of its gearset
    with 600 (1 - f) <= (1 - threshold) 1,000; it costs f x (us - china) more where US gearsets are dearer, and
    saves rate x 1,000. Cheaper US gearsets are bought whole and claim for nothing."""
    data = mexican_transmissions(us, china, regional_value_content=threshold)
    data["tariffs"] = [MFN | {"rate": rate}]
    share = max(0.0, (600.0 - (1.0 - threshold) * 1000.0) / 600.0)
    gearset = us if us <= china else china + min(rate * 1000.0, share * (us - china))
    assert solved(data).objective == pytest.approx(10 * (100.0 + 400.0 + gearset), rel=1e-7)


def test_part_claims_read_back_from_results_and_the_store(tmp_path: Path) -> None:
    """Written and read back, from a results folder and from the run store, the part claims are as solved; a plan
    written before the table existed reads back with it empty."""
    plan = solved(mexican_transmissions(590.0))
    folder = plan.write(tmp_path / "plan")
    read = Plan.read(folder).tables["part_claims"]
    assert read.astype({"origin": str, "destination": str}).to_dict("records") == [
        {"origin": "aguascalientes", "component": "transmission", "agreement": "usmca", "destination": "smyrna",
         "year": 2026, "units": pytest.approx(10.0)}]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    del summary[MANIFEST]  # as written before the table: whatever tables are there
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (folder / "part_claims.csv").unlink()
    (folder / "part_claims.parquet").unlink()
    assert Plan.read(folder).tables["part_claims"].empty
    with RunStore(tmp_path / "runs.sqlite") as store:
        run = store.save_run(run_record(plan, name="transmissions", data=mexican_transmissions(590.0), settings={}),
                             encode_tables(plan))
        assert store.plan(run).tables["part_claims"]["units"].tolist() == pytest.approx([10.0])


def test_the_console_and_the_report_show_the_part_claims(tmp_path: Path) -> None:
    result = invoke("run", str(write_yaml(tmp_path / "transmissions.yaml", mexican_transmissions(590.0))),
                    "--no-store")
    assert result.exit_code == 0, result.output
    assert "Preferences claimed for parts sent between plants, units per year" in result.output
    assert "Preferences claimed for parts sent between plants (units)" in plan_report(
        solved(mexican_transmissions(590.0)))


@pytest.mark.parametrize("method", ["extensive", "benders"])
def test_a_stochastic_plan_claims_for_its_transmissions_in_each_future(method: str) -> None:
    """10 or 20 cars, equally likely: each future claims for all its transmissions with 7/12 US gearsets, 10,775
    and 21,550; expected 16,162.5, 15 transmissions claimed on average."""
    futures = [Future(name, 0.5, (("markets[us].demand.car", cars),)) for name, cars in (("low", 10.0),
                                                                                          ("high", 20.0))]
    result = stochastic_plan(mexican_transmissions(590.0), "transmissions", futures,
                             options=SolverOptions(mip_gap=0.0), method=method, workers=0)
    assert result.objective == pytest.approx(16_162.5)
    claims = result.plan.tables["part_claims"]
    assert dict(zip(claims["future"], claims["units"], strict=True)) == pytest.approx({"low": 10.0, "high": 20.0})
    assert expected_plan(result.plan).tables["part_claims"]["units"].tolist() == pytest.approx([15.0])
