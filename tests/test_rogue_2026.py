"""The bundled rogue-2026 case: the decision under the 2025 deals and under Section 232 alone, the
duties and rules of origin behind it, and the README's numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import case_readme, figures, prose, readme_row, rogue_landed, rogue_parts, rogue_supply
from footprint.analysis.breakeven import find_breakeven
from footprint.economics.checks import CHECKS
from footprint.economics.fx import fx_rates
from footprint.plan.plan import Plan
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_description, case_names, case_path
from footprint.scenario.formats.files import load_scenario, read_source
from footprint.scenario.formats.yamlio import read_yaml

CASE = "rogue-2026"


@pytest.fixture(scope="module")
def deals_plan() -> Plan:
    return solve(load_scenario(case_path(CASE), CHECKS))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def s232_plan() -> Plan:
    return solve(load_scenario(case_path(f"{CASE}/s232"), CHECKS))  # type: ignore[arg-type]


def test_case_and_variant_are_listed_with_descriptions() -> None:
    assert {CASE, f"{CASE}/s232"} <= set(case_names())
    assert "Compact SUV for the US, 2026" in case_description(CASE)
    assert "Section 232" in case_description(f"{CASE}/s232")


def test_fx_is_2026_held() -> None:
    scenario = load_scenario(case_path(CASE), CHECKS)  # type: ignore[arg-type]
    assert scenario.regime == "2025-deals"
    assert load_scenario(case_path(f"{CASE}/s232"), CHECKS).regime == "2025-s232"  # type: ignore[arg-type]
    assert fx_rates(scenario)["JPY"][2026] == pytest.approx(158.47, abs=0.01)  # FACTS.md 3, 2026 to date
    assert fx_rates(scenario)["KRW"][2026] == pytest.approx(1448.4, abs=0.1)
    assert fx_rates(scenario)["JPY"][2032] == fx_rates(scenario)["JPY"][2026]  # held after the data
    assert fx_rates(scenario)["KRW"][2032] == fx_rates(scenario)["KRW"][2026]


def test_under_the_deals_busan_is_built_and_asia_serves_the_us(deals_plan: Plan) -> None:
    assert deals_plan.status == "optimal"
    assert deals_plan.builds[["option", "plant", "year"]].values.tolist() == [["busan-rogue-line", "busan", 2028]]
    us = rogue_supply(deals_plan, "us")
    assert us.loc[2026].to_dict() == pytest.approx({"busan": 0, "kyushu": 142_500, "smyrna": 107_500})
    assert us.loc[2028].to_dict() == pytest.approx({"busan": 42_500, "kyushu": 180_000, "smyrna": 27_500})
    canada = rogue_supply(deals_plan, "canada")
    assert canada.loc[2028].to_dict() == pytest.approx({"busan": 37_500, "kyushu": 0})
    assert "smyrna" not in canada  # Canada's 25% on US-built cars keeps Smyrna out


def test_without_the_deals_the_decision_is_the_same(deals_plan: Plan, s232_plan: Plan) -> None:
    """The solver's answer: the 25% duty costs more, but changes neither the build nor any plant's output. Which
    Asian plant serves Canada does change: the Rogue's parts carry one customs value (Kyushu's, in yen), so a Busan
    Rogue's dutiable value is US$4,522 below a Kyushu one's, and at 25% against 27.5% into the US Busan's 80,000 go
    there while Kyushu serves Canada (6.1%); under the deals (15% either way) Busan serves Canada (Canada-Korea 0)."""
    assert s232_plan.status == "optimal"
    assert s232_plan.builds[["option", "year"]].values.tolist() == [["busan-rogue-line", 2028]]
    made = [plan.flows.astype({"plant": str}).groupby(["plant", "year"])["units"].sum() for plan in (deals_plan,
                                                                                                     s232_plan)]
    pd.testing.assert_series_equal(made[0], made[1])
    assert rogue_supply(s232_plan, "us").loc[2028].to_dict() == pytest.approx(
        {"busan": 80_000, "kyushu": 142_500, "smyrna": 27_500})
    assert rogue_supply(s232_plan, "canada").loc[2028].to_dict() == pytest.approx({"kyushu": 37_500})
    assert s232_plan.objective > deals_plan.objective


@pytest.mark.parametrize(("regime", "kyushu", "busan"), [("deals", 0.15, 0.15), ("s232", 0.275, 0.25)])
def test_asian_cars_pay_the_full_us_rate(deals_plan: Plan, s232_plan: Plan, regime: str, kyushu: float,
                                         busan: float) -> None:
    """Section 232 relief is for USMCA-qualifying cars: none for Kyushu's or Busan's, whatever their content.
    Japan: MFN 2.5% + 12.5% (deal) or + 25%; Korea: KORUS 0 + 15% (deal) or + 25%. The duty is paid on the car's
    customs value: the plant's own cost and its bill of materials at the components' values (in yen, at 2026's
    158.47 to the dollar held), whoever made them."""
    plan = deals_plan if regime == "deals" else s232_plan
    scenario = load_scenario(case_path(CASE), CHECKS)  # type: ignore[arg-type]
    assert scenario.products[0].bom == {"engine": 1, "cvt": 1, "body-parts": 1}
    assert {c.currency for c in scenario.components} == {"JPY"}
    parts = sum(c.value.value for c in scenario.components) / fx_rates(scenario)["JPY"][2028]
    for plant, rate in (("kyushu", kyushu), ("busan", busan)):
        lane = rogue_landed(plan, plant, "us", 2028)
        assert lane["duty"] / (lane["production"] + parts) == pytest.approx(rate), plant
    assert rogue_landed(plan, "smyrna", "us", 2028)["duty"] == 0


def test_content_decides_the_agreements(deals_plan: Plan) -> None:
    """Busan's originating materials pass KORUS's and Canada-Korea's 35% build-up: its Korean kit, counted at the
    kit's customs value (Kyushu's, JPY 701,070), over the Rogue's value (its own cost and its parts at value); the
    plant's own conversion is no material, and the Japanese engine, CVT and other parts do not originate."""
    scenario = load_scenario(case_path(CASE), CHECKS)  # type: ignore[arg-type]
    yen = fx_rates(scenario)["JPY"][2028]
    busan = rogue_landed(deals_plan, "busan", "us", 2028)
    value = busan["production"] + (238_453 + 165_083 + 701_070) / yen
    korean = (701_070 / yen) / value
    rvc = deals_plan.tables["rvc"].astype({"plant": str, "agreement": str}).query("year == 2028")
    assert rvc.set_index("agreement")["rvc"].to_dict() == pytest.approx({"korus": korean, "canada-korea": korean},
                                                                         abs=1e-6)
    assert korean > 0.35
    assert rogue_landed(deals_plan, "busan", "canada", 2028)["duty"] == 0  # Canada-Korea, qualifying
    assert f"{korean:.1%} Korean" in prose(case_readme(CASE))


def test_readme_landed_costs_match_the_plans(deals_plan: Plan, s232_plan: Plan) -> None:
    """The README's table: the landed_cost table's parts of a car and, beside them, its parts bought (rogue_parts);
    landed is both."""
    text = case_readme(CASE)
    scenarios = [load_scenario(case_path(name), CHECKS) for name in (CASE, f"{CASE}/s232")]  # type: ignore[arg-type]

    def landed(plan: Plan, scenario: object, plant: str, market: str, year: int) -> dict[str, float]:
        lane = rogue_landed(plan, plant, market, year)
        parts = rogue_parts(scenario, plan, plant, year)  # type: ignore[arg-type]
        return lane | {"parts": parts, "total": lane["landed"] + parts}

    for plant, year in (("kyushu", 2026), ("busan", 2028), ("smyrna", 2026)):
        deals, s232 = (landed(plan, scenario, plant, "us", year)
                       for plan, scenario in zip((deals_plan, s232_plan), scenarios, strict=True))
        assert deals["production"] == pytest.approx(s232["production"])
        assert landed(deals_plan, scenarios[0], plant, "us", 2028)["total"] == pytest.approx(deals["total"])  # held
        expected = [deals["production_local"], deals["production_imported"], deals["freight"], deals["duty"],
                    deals["parts"], deals["total"], s232["duty"], s232["parts"], s232["total"]]
        assert readme_row(text, plant.capitalize()) == pytest.approx(expected, abs=0.5), plant
    flat = prose(text)
    assert f"**US${rogue_landed(deals_plan, 'kyushu', 'us', 2026)['freight']:,.0f}** a car" in flat
    for plan, scenario, regime in ((deals_plan, scenarios[0], "deals"), (s232_plan, scenarios[1], "s232")):
        smyrna, busan = (landed(plan, scenario, plant, "us", 2028) for plant in ("smyrna", "busan"))
        saving = smyrna["total"] - busan["total"]
        assert f"US${saving:,.0f} a unit" in flat or f"US${saving:,.0f} below a Smyrna one" in flat, regime
        assert f"US${saving * 80_000 / 1e6:,.0f}M a year" in flat, regime
    assert f"US${s232_plan.objective / 1e9:.2f}bn instead of US${deals_plan.objective / 1e9:.2f}bn" in flat
    smyrna = deals_plan.utilization.query("plant == 'smyrna' and pool == 'rogue-line'").set_index("year")["share"]
    assert f"{smyrna[2026]:.0%} used in 2026 to {smyrna[2028]:.0%} from 2028" in flat
    for market, plant, year in (("canada", "busan", 2028), ("canada", "kyushu", 2026)):
        assert f"US${landed(deals_plan, scenarios[0], plant, market, year)['total']:,.0f}" in flat
    assert rogue_supply(s232_plan, "canada").loc[2028].to_dict() == pytest.approx({"kyushu": 37_500})


def test_readme_smyrna_s_engines_in_numbers(deals_plan: Plan) -> None:
    """Smyrna buys Yokohama's engines and JATCO Japan's CVTs: at 158.47 yen each lands below the US or Mexican one."""
    supplies = deals_plan.tables["supplies"].query("plant == 'smyrna' and year == 2028")
    assert sorted(supplies["supplier"]) == ["jatco-japan", "nissan-yokohama", "tennessee-suppliers"]
    yen = fx_rates(load_scenario(case_path(CASE), CHECKS))["JPY"][2028]  # type: ignore[arg-type]
    yokohama, decherd = 238_453 / yen * 1.15 + 150, 3_107 + 10
    cvt_japan, cvt_mexico = 165_083 / yen * 1.15 + 150, 2_145 + 80
    assert yokohama < decherd
    assert cvt_japan < cvt_mexico
    flat = prose(case_readme(CASE))
    for figure in (yokohama, decherd, cvt_japan, cvt_mexico):
        assert f"US${figure:,.0f}" in flat


@pytest.mark.parametrize("name", [CASE, f"{CASE}/s232"])
def test_every_figure_is_sourced_or_a_central_assumption(name: str) -> None:
    data = read_yaml(case_path(name)).data  # type: ignore[arg-type]
    for path, figure in figures(data):
        assert "assumption" in figure or "source" in figure, f"{path}: a figure with neither source nor assumption"
        if "assumption" in figure:
            assert figure["assumption"].strip(), path
            assert "low" in figure, f"{path}: an assumption needs its range"
            assert "high" in figure, f"{path}: an assumption needs its range"
            centre = (figure["low"] + figure["high"]) / 2
            assert figure["value"] == pytest.approx(centre, rel=5e-3), f"{path}: not at the centre of its range"


@pytest.mark.parametrize(("case", "column"), [("rogue-2026", 0), ("rogue-2026/s232", 1)])
def test_readme_breakeven_won_is_footprint_s(case: str, column: int) -> None:
    result = find_breakeven(read_source(case_path(case)).data, "fx.KRW", 1000.0, 1800.0)  # type: ignore[arg-type]
    assert result.bracket is not None
    below, above = result.bracket
    assert not below.decisions.builds
    assert {option for option, _, _ in above.decisions.builds} == {"busan-rogue-line"}
    row = re.search(r"^\| `fx.KRW`, won per dollar \|(.*)\|$", case_readme(CASE), flags=re.MULTILINE)
    assert row is not None
    assert row.group(1).split("|")[column].strip() == f"{below.value:,.2f}-{above.value:,.2f}"
