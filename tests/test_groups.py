"""Count rules over groups of plants (issue 17, point 5): at least min_open and at most max_open of a group's
plants open in each year the rule holds; validated by id and line. Worked out by hand in the comments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import capability, make, market, plant, scenario_data, solved, write_yaml
from footprint.analysis.stochastic import stochastic_plan
from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.plan.plan import Plan
from footprint.scenario.formats.files import load_scenario, read_scenario, save_scenario
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.sets.scenario_sets import Future

EXACT = SolverOptions(mip_gap=0.0)


def three_sites(*groups: dict[str, Any], end: int = 2020) -> dict[str, Any]:
    """Candidate sites a, b, c (100 cars a year each; fixed cost 10, 20, 30 a year open), 80 cars wanted at 1 a
    car from any: alone, a opens (90 a year)."""
    return scenario_data(
        plants=[plant(name, 100.0, candidate=True, fixed_cost=fixed) for name, fixed in (("a", 10), ("b", 20),
                                                                                        ("c", 30))],
        capabilities=[capability(name, local_cost=1.0) for name in "abc"],
        markets=[market("m", 80.0)], end=end, groups=list(groups), solver={"mip_gap": 0.0})


def opened(plan: Plan) -> dict[int, set[str]]:
    plants = plan.tables["plants"]
    shown = plants[plants["open"].astype(bool)]
    return {int(year): set(group["plant"].astype(str)) for year, group in shown.groupby("year")}


def test_without_a_rule_the_cheapest_site_opens() -> None:
    plan = solved(three_sites())
    assert plan.objective == pytest.approx(90.0)
    assert opened(plan) == {2020: {"a"}}


def test_min_open_opens_the_cheapest_two() -> None:
    plan = solved(three_sites({"id": "two", "members": ["a", "b", "c"], "min_open": 2}))
    assert plan.objective == pytest.approx(80.0 + 10 + 20)
    assert opened(plan) == {2020: {"a", "b"}}


def test_max_open_keeps_a_site_closed() -> None:
    plan = solved(three_sites({"id": "not-a", "members": ["a"], "max_open": 0}))
    assert plan.objective == pytest.approx(80.0 + 20)
    assert opened(plan) == {2020: {"b"}}


def test_a_rule_holds_in_its_years_only() -> None:
    # Two sites open from 2021: a in 2020 (90), then a and b (110). A candidate opens once and stays open.
    plan = solved(three_sites({"id": "two", "members": ["a", "b", "c"], "min_open": 2, "from_year": 2021},
                              end=2021))
    assert plan.objective == pytest.approx(90.0 + 110.0)
    assert opened(plan) == {2020: {"a"}, 2021: {"a", "b"}}
    # To 2020 only: two sites then; b may not close (not closable), so both stay open in 2021 too.
    plan = solved(three_sites({"id": "two", "members": ["a", "b", "c"], "min_open": 2, "to_year": 2020},
                              end=2021))
    assert opened(plan) == {2020: {"a", "b"}, 2021: {"a", "b"}}


def test_a_plant_that_cannot_close_counts_as_open() -> None:
    # x exists (fixed 5, 2 a car), not closable: with "at most one of x and a" a may not open: b opens (80 + 20).
    data = three_sites({"id": "one", "members": ["x", "a"], "max_open": 1})
    data["plants"].append(plant("x", 100.0, fixed_cost=5.0))
    data["capabilities"].append(capability("x", local_cost=2.0))
    plan = solved(data)
    assert plan.objective == pytest.approx(80.0 + 20 + 5)
    assert opened(plan) == {2020: {"b", "x"}}


def test_closable_plants_kept_open_by_a_minimum() -> None:
    # e1 and e2 exist, closable, 100 cars each at 1 a car, fixed 50 a year each: alone one closes (80 + 50). At
    # least two open: both stay (80 + 100).
    data = scenario_data(plants=[plant(name, 100.0, closable=True, fixed_cost=50.0) for name in ("e1", "e2")],
                         capabilities=[capability(name, local_cost=1.0) for name in ("e1", "e2")],
                         markets=[market("m", 80.0)], solver={"mip_gap": 0.0})
    assert solved(data).objective == pytest.approx(130.0)
    data["groups"] = [{"id": "both", "members": ["e1", "e2"], "min_open": 2}]
    assert solved(data).objective == pytest.approx(180.0)


@pytest.mark.parametrize("method", ["extensive", "benders"])
def test_a_rule_binds_a_stochastic_plan_in_every_future(method: str) -> None:
    # Cars cost 1 from a in one future, 3 in the other; at least two sites open. a and b open (30 fixed); cars from
    # b in the dear future: (80 + 80) / 2 + 30 = 110.
    futures = [Future("cheap", 0.5, ()), Future("dear", 0.5, (("capabilities[0].local_cost", 3.0),))]
    plan = stochastic_plan(three_sites({"id": "two", "members": ["a", "b", "c"], "min_open": 2}), "sites", futures,
                           options=EXACT, method=method, workers=0)
    assert plan.method == method
    assert plan.objective == pytest.approx(110.0, rel=1e-6)
    for name in plan.plan.probabilities:
        assert opened(plan.plan.future(name)) == {2020: {"a", "b"}}


# --- validation ------------------------------------------------------------------------------------------------------

def problems_of(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    path = write_yaml(tmp_path / "scenario.yaml", data)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path, CHECKS)
    return [str(problem).removeprefix(f"{path}:") for problem in raised.value.problems]


def line_of(tmp_path: Path, text: str, after: int = 0) -> int:
    lines = (tmp_path / "scenario.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if number > after and line.strip() == text)


def test_unknown_and_repeated_members_are_errors_at_their_lines(tmp_path: Path) -> None:
    found = problems_of(tmp_path, three_sites({"id": "g", "members": ["a", "z", "a"], "min_open": 1}))
    first = line_of(tmp_path, "- z")
    assert found == [f"{first + 1}: groups[g].members[2]: duplicate member 'a'; each must be unique",
                     f"{first}: groups[g].members[1]: unknown plant 'z'; known: a, b, c"]


@pytest.mark.parametrize(("group", "message"), [
    ({"min_open": 3, "max_open": 2}, "min_open 3 is above max_open 2"),
    ({}, "a group needs min_open, max_open or both"),
    ({"min_open": 1, "from_year": 2021, "to_year": 2020}, "to_year 2020 is before from_year 2021"),
    ({"min_open": -1}, "greater than or equal to 0"),
    ({"min_open": True}, "expected a number, found true"),
])
def test_bounds_that_do_not_make_a_rule_are_errors(tmp_path: Path, group: dict[str, Any], message: str) -> None:
    found = problems_of(tmp_path, three_sites({"id": "g", "members": ["a", "b"], **group}))
    assert len(found) == 1
    assert "groups[g]" in found[0]
    assert message in found[0]


def test_a_minimum_more_than_the_members_that_can_open_is_an_error(tmp_path: Path) -> None:
    # c can open from 2021 only: in 2020 only a and b can be open.
    data = three_sites({"id": "g", "members": ["a", "b", "c"], "min_open": 3}, end=2021)
    data["plants"][2]["earliest_open"] = 2021
    found = problems_of(tmp_path, data)
    assert found == [f"{line_of(tmp_path, 'min_open: 3')}: groups[g].min_open: at least 3 members open in 2020, but "
                     "only 2 of them can be open then"]
    data["groups"][0]["from_year"] = 2021
    assert make(data).groups[0].min_open == 3  # from 2021 it can be met


def test_a_maximum_below_the_plants_that_must_stay_open_is_an_error(tmp_path: Path) -> None:
    data = three_sites({"id": "g", "members": ["x", "y"], "max_open": 1})
    data["plants"] += [plant("x"), plant("y")]
    found = problems_of(tmp_path, data)
    assert found == [f"{line_of(tmp_path, 'max_open: 1')}: groups[g].max_open: at most 1 members open in 2020, but 2 "
                     "of them operate then and cannot close (closable: false)"]


def test_duplicate_group_ids_are_an_error(tmp_path: Path) -> None:
    found = problems_of(tmp_path, three_sites({"id": "g", "members": ["a"], "min_open": 1},
                                              {"id": "g", "members": ["b"], "min_open": 1}))
    assert [text.split(": ", 1)[1] for text in found] == ["groups[1]: duplicate group id 'g'; each must be unique"]


def test_a_rule_outside_the_horizon_is_a_warning(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "scenario.yaml", three_sites({"id": "g", "members": ["a"], "min_open": 1,
                                                               "from_year": 2030}))
    assert [str(w) for w in read_scenario(path, CHECKS).warnings] == [
        f"warning: {path}:{line_of(tmp_path, '- id: g')}: groups[g]: the rule holds in no year of the horizon "
        "2020-2020: it changes nothing"]


@pytest.mark.parametrize("form", ["yaml", "csv", "xlsx"])
def test_groups_round_trip_through_every_file_format(tmp_path: Path, form: str) -> None:
    scenario = make(three_sites({"id": "two", "members": ["a", "b", "c"], "min_open": 2, "from_year": 2020},
                                {"id": "not-c", "members": ["c"], "max_open": 0}))
    target = tmp_path / ("net" if form == "csv" else f"net.{form}")
    save_scenario(scenario, target)
    assert load_scenario(target, CHECKS) == scenario
