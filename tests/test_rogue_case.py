"""The bundled rogue-2012 case: the decision, its counterfactual, and the README's numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from footprint.cases import case_names, case_path
from footprint.plan import Plan
from footprint.scenario_files import load_scenario, read_yaml
from footprint.solve import solve


@pytest.fixture(scope="module")
def base_plan() -> Plan:
    return solve(load_scenario(case_path("rogue-2012")))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def strong_won_plan() -> Plan:
    return solve(load_scenario(case_path("rogue-2012/strong-won")))  # type: ignore[arg-type]


def _us_rogue_supply(plan: Plan) -> pd.DataFrame:
    flows = plan.flows.astype({"plant": str, "product": str, "market": str})
    rogue = flows[(flows["product"] == "rogue") & (flows["market"] == "us")]
    return rogue.pivot_table(index="year", columns="plant", values="units", aggfunc="sum", fill_value=0.0)


def test_bundled_cases_are_listed() -> None:
    assert {"rogue-2012", "rogue-2012/strong-won"} <= set(case_names())


def test_busan_line_comes_online_in_2014(base_plan: Plan) -> None:
    assert base_plan.status == "optimal"
    builds = base_plan.builds
    assert builds[["option", "plant", "year"]].values.tolist() == [["busan-rogue-line", "busan", 2014]]
    assert builds["added_capacity"].iloc[0] == 80_000


def test_us_rogue_supply_moves_off_kyushu(base_plan: Plan) -> None:
    supply = _us_rogue_supply(base_plan)
    share = supply["kyushu"] / supply.sum(axis=1)
    assert share[2012] == pytest.approx(1.0)
    assert share[2013] == pytest.approx(1.0)
    assert share[2014] < 0.15  # Busan and Smyrna take over when Busan's line comes online
    assert supply.loc[2014, "busan"] == pytest.approx(80_000)


def test_strong_won_changes_the_decision(strong_won_plan: Plan) -> None:
    build_years = strong_won_plan.builds.set_index("option")["year"].to_dict()
    assert build_years.get("busan-rogue-line") != 2014
    supply = _us_rogue_supply(strong_won_plan)
    assert supply.loc[2014, "kyushu"] / supply.loc[2014].sum() > 0.9


def _figures(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "value" in node and isinstance(node["value"], (int, float)):
            yield path, node
            return
        for key, value in node.items():
            yield from _figures(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _figures(value, f"{path}[{index}]")


def test_every_assumption_is_labelled_and_central() -> None:
    data = read_yaml(case_path("rogue-2012"))  # type: ignore[arg-type]
    assumptions = [(path, f) for path, f in _figures(data) if "assumption" in f]
    assert len(assumptions) >= 20
    for path, figure in assumptions:
        assert figure["assumption"].strip(), path
        assert "low" in figure, f"{path}: an assumption needs its range"
        assert "high" in figure, f"{path}: an assumption needs its range"
        centre = (figure["low"] + figure["high"]) / 2
        assert figure["value"] == pytest.approx(centre, rel=5e-3), f"{path}: not at the centre of its range"
    for path, figure in _figures(data):
        assert "assumption" in figure or "source" in figure, f"{path}: a figure with neither source nor assumption"


def _readme_row(text: str, plant: str) -> list[float]:
    row = re.search(rf"^\| {plant} \|(.*)\|$", text, flags=re.MULTILINE)
    assert row is not None, plant
    return [float(cell.strip(" *").replace(",", "")) for cell in row.group(1).split("|")]


def test_readme_landed_costs_match_the_plan(base_plan: Plan) -> None:
    text = (case_path("rogue-2012").parent / "README.md").read_text(encoding="utf-8")  # type: ignore[union-attr]
    landed = base_plan.landed_cost.astype({"plant": str, "product": str, "market": str, "component": str})
    lanes = landed[(landed["product"] == "rogue") & (landed["market"] == "us") & (landed["year"] == 2014)]
    components = ["production_local", "production_imported", "freight", "duty"]
    for plant in ("smyrna", "busan", "kyushu"):
        per_unit = lanes[lanes["plant"] == plant].set_index("component")["per_unit"]
        expected = [per_unit[c] for c in components] + [per_unit.sum()]
        assert _readme_row(text, plant.capitalize()) == pytest.approx(expected, abs=0.5)
    busan = base_plan.utilization.query("plant == 'busan' and pool == 'assembly'").set_index("year")["share"]
    assert f"{busan[2013]:.0%} used in 2012 and 2013" in text
    assert f"{busan[2014]:.0%} from 2014" in text
