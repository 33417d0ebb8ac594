"""rogue-2026's parts: the 2025 US parts tariffs on the components the plan buys, and USMCA's content read from the
plan's own sourcing. Rates by hand from the shipped regimes (2025-s232.yaml, 2025-deals.yaml) and the case's file."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from footprint.economics.checks import CHECKS
from footprint.economics.network import compile_network
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import load_scenario
from footprint.scenario.model.scenario import Scenario

CASE = "rogue-2026"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(case_path(CASE), CHECKS)  # type: ignore[arg-type]


def supply_duty(scenario: Scenario, supplier: str, component: str, plant: str, year: int) -> tuple[float, float]:
    """(duty, price) per unit, in USD, of ``supplier``'s ``component`` delivered to ``plant`` in ``year``."""
    tiers = compile_network(scenario).tiers
    plants = [p.id for p in scenario.plants]
    t = scenario.years.index(year)
    (arc,) = [a for a in range(len(tiers.supply)) if tiers.supply.year[a] == t
              and tiers.suppliers.names[tiers.offer_supplier[tiers.supply.item[a]]] == supplier
              and tiers.components[tiers.offer_component[tiers.supply.item[a]]] == component
              and plants[tiers.supply.destination[a]] == plant]
    return float(tiers.supply.parts["duty"][arc]), float(tiers.supply.parts["purchase"][arc])


def test_a_us_made_engine_pays_no_parts_tariff_into_smyrna(scenario: Scenario) -> None:
    duty, price = supply_duty(scenario, "nissan-decherd", "engine", "smyrna", 2026)
    assert price == pytest.approx(3107)
    assert duty == 0


@pytest.mark.parametrize(("component", "supplier"), [("engine", "nissan-yokohama"), ("cvt", "jatco-japan")])
def test_a_japanese_powertrain_part_into_smyrna_pays_the_deal_rate(scenario: Scenario, component: str,
                                                                    supplier: str) -> None:
    """The deal: 15% all-in on Japanese parts from 2025-09-16 (MFN 2.5% on 8407.34 and 8708.40, plus 12.5%)."""
    duty, price = supply_duty(scenario, supplier, component, "smyrna", 2026)
    assert duty == pytest.approx(0.15 * price)
    without_deals = load_scenario(case_path(f"{CASE}/s232"), CHECKS)  # type: ignore[arg-type]
    duty, price = supply_duty(without_deals, supplier, component, "smyrna", 2026)
    assert duty == pytest.approx(0.275 * price)  # 2.5% + Section 232's 25%


def test_a_mexican_cvt_under_usmca_pays_no_duty(scenario: Scenario, tmp_path: Path) -> None:
    duty, price = supply_duty(scenario, "jatco-mexico", "cvt", "smyrna", 2026)
    assert price == pytest.approx(2145)
    assert duty == 0
    # Without its certificate of USMCA origin the CVT pays the general 2.5% and Section 232's 25%.
    text = case_path(CASE).read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert text.count("originating: [usmca]") == 1
    (tmp_path / "uncertified.yaml").write_text(text.replace("originating: [usmca]", "originating: []"),
                                               encoding="utf-8")
    uncertified = load_scenario(tmp_path / "uncertified.yaml", CHECKS)
    duty, price = supply_duty(uncertified, "jatco-mexico", "cvt", "smyrna", 2026)
    assert duty == pytest.approx(0.275 * price)


def test_japanese_parts_into_busan_pay_no_korean_duty(scenario: Scenario) -> None:
    assert supply_duty(scenario, "nissan-yokohama", "engine", "busan", 2028)[0] == 0  # drawback: Rogues exported


def test_the_decision_holds_with_the_parts(scenario: Scenario) -> None:
    plan = solve(copy.deepcopy(scenario))
    assert plan.builds[["option", "plant", "year"]].values.tolist() == [["busan-rogue-line", "busan", 2028]]
