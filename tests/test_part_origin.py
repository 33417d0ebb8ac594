"""Parts that originate under an agreement (issue 17, point 3): a supplier's certificate of origin lets a part
pay an agreement's rate and none of the duties it relieves, as the 2025 US tariff on auto parts exempts
USMCA-originating parts. Every figure worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import capability, make, market, plant, scenario_data, solved, write_yaml
from footprint.economics.checks import CHECKS
from footprint.plan.tables import solve
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.regime_switch import switched_rules

PARTS = "8708"
MFN = {"origin": "*", "destination": "US", "product_class": PARTS, "rate": 0.025}
S232 = {"origin": "*", "destination": "US", "product_class": PARTS, "rate": 0.25, "additional": True,
        "measure": "s232", "from_date": "2026-07-01", "relief": {"agreement": "usmca"}}
USMCA = {"id": "usmca", "regional_value_content": 0.75, "rates": [{"product_class": PARTS, "rate": 0.0}],
         "members": [{"country": c} for c in ("US", "CA", "MX")]}


def mexican_kit(originating: list[str], supplier_country: str = "MX") -> dict[str, Any]:
    """A US plant assembles a car (100 a car) from one kit of parts bought in Mexico at 1,000, for 10 cars a year
    in the US in 2026 and 2027. The parts pay 2.5% MFN, and from 1 July 2026 the 25% Section 232 duty, relieved
    for USMCA-originating parts (a full year's relief in 2027, half of 2026 by days: 181 of 365 days before it).

    - Not certified: 2026 pays 2.5% + 25% x 184/365 = 15.103%, 2027 27.5%: duty 151.03 and 275 a kit.
    - Certified under USMCA: the agreement's 0% in every span, no s232: no duty.
    Freight is none (lanes at 0); no discounting (rate 0)."""
    return scenario_data(
        start=2026,
        end=2027,
        plants=[plant("smyrna")],
        capabilities=[capability("smyrna", "car", 100.0)],
        markets=[market("us", 10.0)],
        products=[{"id": "car", "product_class": "8703", "bom": {"kit": 1}}],
        components=[{"id": "kit", "product_class": PARTS, "value": 1000.0}],
        suppliers=[{"id": "jatco-mx", "country": supplier_country, "currency": "USD",
                    "supplies": [{"component": "kit", "price": 1000.0, "originating": originating}]}],
        lanes=[{"origin": "jatco-mx", "destination": "smyrna", "freight": 0.0},
               {"origin": "smyrna", "destination": "us", "freight": 0.0}],
        tariffs=[MFN, S232],
        agreements=[USMCA],
        discount_rate=0.0,
    )


def duty_by_year(plan: Any) -> dict[int, float]:
    costs = plan.tables["costs"]
    return costs[costs["component"] == "duty"].set_index("year")["amount"].to_dict()


def test_a_part_without_a_certificate_pays_the_general_rate_and_section_232() -> None:
    plan = solved(mexican_kit([]))
    days = 184 / 365  # 1 July to 31 December 2026
    assert duty_by_year(plan) == pytest.approx({2026: 10 * 1000 * (0.025 + 0.25 * days), 2027: 10 * 1000 * 0.275})


def test_a_usmca_originating_part_pays_neither() -> None:
    plan = solved(mexican_kit(["usmca"]))
    assert sum(duty_by_year(plan).values()) == pytest.approx(0.0)
    assert plan.objective == pytest.approx(2 * 10 * (100 + 1000))


def test_a_certificate_counts_only_between_members() -> None:
    """A Japanese supplier's certificate under USMCA gives nothing: Japan is no member."""
    assert duty_by_year(solved(mexican_kit(["usmca"], "JP"))) == duty_by_year(solved(mexican_kit([], "JP")))


def test_a_certificate_under_an_unknown_agreement_is_warned_of_and_gives_nothing(tmp_path) -> None:
    """A warning, not an error: a variant that drops the regime (``regime: null``) drops the agreements its
    certificates name, and its parts then pay the general rate."""
    path = write_yaml(tmp_path / "kit.yaml", mexican_kit(["usmac"]))
    loaded = read_scenario(path, CHECKS)
    (problem,) = loaded.warnings
    assert problem.path == "suppliers[jatco-mx].supplies[kit].originating[0]"
    assert problem.message == ("unknown agreement 'usmac'; known: usmca: the certificate gives nothing, the part pays "
                               "the general rate")
    assert duty_by_year(solve(loaded.scenario)) == duty_by_year(solved(mexican_kit([])))
    with pytest.raises(ScenarioError):
        read_scenario(path, CHECKS, strict=True)


def test_a_regime_switch_keeps_the_rates_on_parts_from_a_suppliers_country() -> None:
    """A switch on 1 January 2027 to no regime (the scenario's own tariffs on both sides) writes both sides out as
    the scenario's own: Mexico's own 1% on the kit (over the 2.5% MFN) is kept on each side although only a supplier
    is in Mexico, so the kit pays 1% both years (it paid 2.5% when only plants' countries counted as origins)."""
    data = mexican_kit([])
    data["tariffs"] = [MFN, {"origin": "MX", "destination": "US", "product_class": PARTS, "rate": 0.01}]
    del data["agreements"]
    tariffs, agreements = switched_rules(make(data), None, dt.date(2027, 1, 1))
    assert {(t["origin"], t["from_date"]) for t in tariffs} == {(origin, day) for origin in ("*", "MX")
                                                                for day in ("2026-01-01", "2027-01-01")}
    switched = {key: value for key, value in data.items() if key not in ("tariffs", "agreements")}
    plan = solved({**switched, "tariffs": tariffs, "agreements": agreements})
    assert duty_by_year(plan) == pytest.approx({2026: 10 * 1000 * 0.01, 2027: 10 * 1000 * 0.01})
