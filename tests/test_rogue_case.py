"""The bundled rogue-2012 case: the decision, its counterfactuals, and the README's numbers."""

from __future__ import annotations

import pytest

from conftest import FREIGHT, case_readme, figures, prose, readme_row, rogue_landed, rogue_parts, rogue_supply
from footprint.analysis.breakeven import find_breakeven
from footprint.analysis.explain import alternative
from footprint.economics.checks import CHECKS
from footprint.optimize.changes import Change
from footprint.plan.plan import Plan
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_names, case_path
from footprint.scenario.formats.files import load_scenario, read_source
from footprint.scenario.formats.yamlio import read_yaml


@pytest.fixture(scope="module")
def base_plan() -> Plan:
    return solve(load_scenario(case_path("rogue-2012"), CHECKS))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def strong_won_plan() -> Plan:
    return solve(load_scenario(case_path("rogue-2012/strong-won"), CHECKS))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hindsight_plan() -> Plan:
    return solve(load_scenario(case_path("rogue-2012/hindsight"), CHECKS))  # type: ignore[arg-type]






def test_bundled_cases_are_listed() -> None:
    assert {"rogue-2012", "rogue-2012/strong-won", "rogue-2012/hindsight"} <= set(case_names())


def test_busan_line_comes_online_in_2014(base_plan: Plan) -> None:
    assert base_plan.status == "optimal"
    builds = base_plan.builds
    assert builds[["option", "plant", "year"]].values.tolist() == [["busan-rogue-line", "busan", 2014]]
    assert builds["added_capacity"].iloc[0] == 80_000


def test_us_rogue_supply_moves_off_kyushu(base_plan: Plan) -> None:
    supply = rogue_supply(base_plan, "us")
    share = supply["kyushu"] / supply.sum(axis=1)
    assert share[2012] == pytest.approx(1.0)
    assert share[2013] == pytest.approx(1.0)
    assert share[2014] < 0.15  # Busan and Smyrna take over when Busan's line comes online
    assert supply.loc[2014, "busan"] == pytest.approx(80_000)


def test_strong_won_changes_the_decision(strong_won_plan: Plan) -> None:
    build_years = strong_won_plan.builds.set_index("option")["year"].to_dict()
    assert build_years.get("busan-rogue-line") != 2014
    supply = rogue_supply(strong_won_plan, "us")
    assert supply.loc[2014, "kyushu"] / supply.loc[2014].sum() > 0.9


def test_hindsight_builds_busan_two_years_later(hindsight_plan: Plan) -> None:
    """With the rates that followed (the yen at 106 in 2014, 121 in 2015), Kyushu keeps 2014 and 2015: its
    yen-priced parts fall with the yen too (the case README says so in numbers)."""
    assert hindsight_plan.builds[["option", "year"]].values.tolist() == [["busan-rogue-line", 2016]]
    supply = rogue_supply(hindsight_plan, "us")
    assert supply.loc[2014, "busan"] == 0
    assert supply.loc[2015, "kyushu"] == pytest.approx(180_000)
    assert supply.loc[2016, "busan"] == pytest.approx(80_000)


def test_asian_freight_is_computed_and_plausible(base_plan: Plan) -> None:
    """Sea distance, two ports and the road leg to the US give about the US$1,500 of the old lanes."""
    for plant in ("busan", "kyushu"):
        landed = base_plan.landed_cost.astype({"plant": str, "market": str, "component": str})
        lane = landed[(landed["plant"] == plant) & (landed["market"] == "us") & (landed["year"] == 2014)]
        parts = lane.set_index("component")["per_unit"]
        assert parts["freight"] == 0  # no listed lane: every dollar of freight comes from distances
        assert parts["sea_freight"] == pytest.approx(786, abs=5)  # ~5,300 nm x US$0.1485
        assert 1_400 < parts[list(FREIGHT)].sum() < 1_700


def test_busan_qualifies_under_korus(base_plan: Plan) -> None:
    """Busan's originating parts (its Korean kit and engine) pass KORUS's 35% build-up: no US duty from 2016."""
    rvc = base_plan.tables["rvc"].astype({"plant": str, "agreement": str})
    korean = rvc[(rvc["plant"] == "busan") & (rvc["agreement"] == "korus") & (rvc["year"] == 2016)]["rvc"].iloc[0]
    assert korean == pytest.approx(11_443 / 16_405, abs=5e-4)  # kit 8,843 + the Busan engine at its value, 2,600
    busan = rogue_landed(base_plan, "busan", "us", 2016)
    assert busan["duty"] == 0
    assert rogue_landed(base_plan, "busan", "us", 2014)["duty"] > 0  # KORUS keeps 2.5% to 2015
    assert f"**{korean:.1%}**" in prose(case_readme("rogue-2012"))



def test_every_assumption_is_labelled_and_central() -> None:
    data = read_yaml(case_path("rogue-2012")).data  # type: ignore[arg-type]
    assumptions = [(path, f) for path, f in figures(data) if "assumption" in f]
    assert len(assumptions) >= 20
    for path, figure in assumptions:
        assert figure["assumption"].strip(), path
        assert "low" in figure, f"{path}: an assumption needs its range"
        assert "high" in figure, f"{path}: an assumption needs its range"
        centre = (figure["low"] + figure["high"]) / 2
        assert figure["value"] == pytest.approx(centre, rel=5e-3), f"{path}: not at the centre of its range"
    for path, figure in figures(data):
        assert "assumption" in figure or "source" in figure, f"{path}: a figure with neither source nor assumption"





def test_readme_landed_costs_match_the_plan(base_plan: Plan) -> None:
    text = case_readme("rogue-2012")
    scenario = load_scenario(case_path("rogue-2012"), CHECKS)  # type: ignore[arg-type]
    columns = ["production_local", "production_imported", "freight", "duty", "landed"]
    for plant in ("smyrna", "busan", "kyushu"):
        per_unit = rogue_landed(base_plan, plant, "us", 2014)
        parts = rogue_parts(scenario, base_plan, plant, 2014)
        expected = [per_unit[c] for c in columns] + [parts, per_unit["landed"] + parts]
        assert readme_row(text, plant.capitalize()) == pytest.approx(expected, abs=0.5)
    busan = base_plan.utilization.query("plant == 'busan' and pool == 'assembly'").set_index("year")["share"]
    flat = prose(text)
    assert f"{busan[2013]:.0%} used in 2012 and 2013" in flat
    assert f"{busan[2014]:.0%} from 2014" in flat
    assert f"= **US${rogue_landed(base_plan, 'busan', 'us', 2014)['freight']:,.0f}** a car" in flat


def test_readme_variants_match_their_plans(strong_won_plan: Plan, hindsight_plan: Plan) -> None:
    text = prose(case_readme("rogue-2012"))
    strong_won = load_scenario(case_path("rogue-2012/strong-won"), CHECKS)  # type: ignore[arg-type]
    strong = {plant: rogue_landed(strong_won_plan, plant, "us", 2016)["landed"]
              + rogue_parts(strong_won, strong_won_plan, plant, 2016) for plant in ("kyushu", "smyrna")}
    assert f"Kyushu lands a Rogue in the US for US${strong['kyushu']:,.0f}" in text
    assert f"Smyrna for US${strong['smyrna']:,.0f}" in text
    assert f"Busan's line comes only in {int(strong_won_plan.builds['year'].iloc[0])}" in text
    later = load_scenario(case_path("rogue-2012/hindsight"), CHECKS)  # type: ignore[arg-type]
    hindsight = {plant: rogue_landed(hindsight_plan, plant, "us", 2016)["landed"]
                 + rogue_parts(later, hindsight_plan, plant, 2016) for plant in ("busan", "kyushu")}
    assert f"Busan at US${hindsight['busan']:,.0f} against Kyushu's US${hindsight['kyushu']:,.0f}" in text


def test_readme_breakeven_won_is_footprint_s(base_plan: Plan) -> None:
    data = read_source(case_path("rogue-2012")).data  # type: ignore[arg-type]
    result = find_breakeven(data, "fx.KRW", 910.0, 1400.0, tolerance=0.49)
    assert result.bracket is not None
    below, above = result.bracket
    assert set(below.decisions.builds) == {("busan-rogue-line", 2016, 1)}
    assert set(above.decisions.builds) == {("busan-rogue-line", 2014, 1)}
    assert f"bracket {below.value:.2f}-{above.value:.2f}" in prose(case_readme("rogue-2012"))
    assert "about 938 KRW per dollar" in prose(case_readme("rogue-2012"))
    assert below.value < 938 < above.value + 0.5


def test_readme_cost_of_keeping_the_rogue_in_kyushu(base_plan: Plan) -> None:
    keep = tuple(Change("forbid", f"busan-rogue-line@{year}") for year in (2014, 2015, 2016))
    other = alternative(load_scenario(case_path("rogue-2012"), CHECKS), keep, base_plan.objective)  # type: ignore[arg-type]
    assert other.plan.builds["year"].tolist() == [2017]
    text = prose(case_readme("rogue-2012"))
    assert f"costs **US${other.delta / 1e6:,.0f}M more in NPV**" in text
    assert f"US${other.objective / 1e9:.2f}bn against US${base_plan.objective / 1e9:.2f}bn" in text
