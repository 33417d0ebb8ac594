"""The bundled cases' powertrain: the Rogue's engine, CVT and bought parts as components, and its rules of origin
read from what the plan buys (rogue-2012: KORUS at Busan)."""

from __future__ import annotations

from typing import Any

import pytest

from footprint.economics.checks import CHECKS
from footprint.plan.plan import Plan
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import load_scenario, read_source, scenario_from_data


@pytest.fixture(scope="module")
def base_plan() -> Plan:
    return solve(load_scenario(case_path("rogue-2012"), CHECKS))  # type: ignore[arg-type]


def _case_data(case: str) -> dict[str, Any]:
    return read_source(case_path(case)).data  # type: ignore[arg-type,return-value]


def test_the_rogue_is_built_from_its_components(base_plan: Plan) -> None:
    supplies = base_plan.tables["supplies"].astype({"supplier": str, "component": str, "plant": str})
    made = base_plan.flows.astype({"plant": str, "product": str})
    for plant in ("kyushu", "smyrna", "busan"):
        rogues = made[(made["plant"] == plant) & (made["product"] == "rogue")].groupby("year")["units"].sum()
        for component in ("qr25-engine", "cvt", "body-parts"):
            bought = supplies[(supplies["plant"] == plant) & (supplies["component"] == component)]
            assert bought.groupby("year")["units"].sum().reindex(rogues.index, fill_value=0.0).to_dict() == \
                pytest.approx(rogues.to_dict()), (plant, component)
    # Kyushu keeps Japan's powertrain; Smyrna takes Decherd's engines and, from 2014, JATCO Mexico's CVTs
    by_source = supplies.groupby(["plant", "component", "supplier"])["units"].sum()
    assert set(by_source.loc["kyushu", "qr25-engine"].index) == {"nissan-yokohama"}
    assert set(by_source.loc["smyrna", "qr25-engine"].index) == {"nissan-decherd"}
    smyrna_cvt = supplies[(supplies["plant"] == "smyrna") & (supplies["component"] == "cvt")]
    assert set(smyrna_cvt[smyrna_cvt["year"] >= 2014]["supplier"]) == {"jatco-mexico"}


def test_busan_rogue_into_the_us_has_its_korus_rvc_rows(base_plan: Plan) -> None:
    rvc = base_plan.tables["rvc"].astype({"plant": str, "product": str, "agreement": str})
    busan = rvc[(rvc["plant"] == "busan") & (rvc["product"] == "rogue") & (rvc["agreement"] == "korus")]
    # KORUS saves duty on Busan's Rogues from 2016, when its rate on Korean cars falls to 0 (2.5% before)
    assert busan["year"].tolist() == [2016, 2017, 2018, 2019]
    assert (busan["threshold"] == 0.35).all()
    assert (busan["rvc"] >= 0.35).all()
    assert busan["rvc"].to_numpy() == pytest.approx(busan["originating"] / busan["value"])
    claims = base_plan.tables["claims"].astype({"plant": str, "agreement": str, "market": str})
    korus = claims[(claims["plant"] == "busan") & (claims["agreement"] == "korus") & (claims["market"] == "us")]
    assert korus["units"].tolist() == pytest.approx([80_000] * 4)


def _busan_with_japanese_engines(body_parts_value: float) -> Plan:
    """rogue-2012 with no Korean engine line (Busan's engines from Yokohama) and the bought parts' value given."""
    data = _case_data("rogue-2012")
    data["suppliers"] = [s for s in data["suppliers"] if s["id"] != "rsm-engines"]
    data["lanes"] = [lane for lane in data["lanes"] if lane.get("origin") != "rsm-engines"]
    for component in data["components"]:
        if component["id"] == "body-parts":
            component["value"] = body_parts_value
    return solve(scenario_from_data(data, "rogue-2012", CHECKS))


@pytest.mark.parametrize(("offset", "claims"), [(-20.0, False), (20.0, True)])
def test_korus_is_claimed_exactly_when_the_rvc_reaches_35_percent(offset: float, claims: bool) -> None:
    """By hand, from scenario.yaml: Busan's own content is 1,127,100 KRW / 1,127.1 + 172,420 JPY / 79.75 =
    1,000 + 2,162.01 US$ (no originating material: its local cost is value added, its yen parts Japanese); with
    a Japanese engine (2,600) and CVT (1,800) the only originating material is the Korean parts kit, of value b.
    KORUS's build-up test, b >= 0.35 x (7,562.01 + b), holds from b = 0.35 x 7,562.01 / 0.65 = 4,071.85."""
    own = 1_127_100 / 1_127.1 + 172_420 / 79.75
    threshold_value = 0.35 * (own + 2_600 + 1_800) / 0.65
    assert threshold_value == pytest.approx(4_071.85, abs=0.01)
    plan = _busan_with_japanese_engines(threshold_value + offset)
    engines = plan.tables["supplies"].astype({"plant": str, "supplier": str, "component": str})
    busan_engines = engines[(engines["plant"] == "busan") & (engines["component"] == "qr25-engine")]
    assert set(busan_engines["supplier"]) == {"nissan-yokohama"}
    rvc = plan.tables["rvc"].astype({"plant": str, "product": str, "agreement": str})
    busan = rvc[(rvc["plant"] == "busan") & (rvc["agreement"] == "korus") & (rvc["year"] == 2016)]
    value = threshold_value + offset
    # the rates are the ECB's means, 79.75 and 1,127.1 rounded: V within a few cents of the hand sum
    assert busan["value"].iloc[0] == pytest.approx(own + 2_600 + 1_800 + value, abs=0.1)
    assert busan["originating"].iloc[0] == pytest.approx(value)
    assert busan["rvc"].iloc[0] == pytest.approx(value / busan["value"].iloc[0])
    assert bool(busan["rvc"].iloc[0] >= 0.35) is claims
    claimed = plan.tables["claims"].astype({"plant": str, "agreement": str})
    korus = claimed[(claimed["plant"] == "busan") & (claimed["agreement"] == "korus")]
    assert bool(korus["units"].sum() > 0) is claims
    duty = plan.landed_cost.astype({"plant": str, "market": str, "component": str})
    busan_duty = duty[(duty["plant"] == "busan") & (duty["market"] == "us") & (duty["year"] == 2016)
                      & (duty["component"] == "duty")]["per_unit"].sum()
    assert bool(busan_duty == 0) is claims  # KORUS's 0 from 2016, or the US's 2.5%
