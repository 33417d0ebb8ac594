"""Opening and closing plants, and options built more than once, on instances solved by hand.

Each instance is built so that the decision under test binds: without it the optimum would
differ. The arithmetic is in the docstring or the comments; mip_gap 0 where a margin is small.
"""

from __future__ import annotations

import csv
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from conftest import (
    BENCHMARKS,
    ORLIB,
    assert_costs_match,
    capability,
    costs_by,
    flows_of,
    make,
    market,
    plant,
    scenario_data,
    solved,
    write_yaml,
)
from footprint.analysis.breakeven import find_breakeven
from footprint.analysis.explain import ExplainError, alternative
from footprint.economics.checks import CHECKS
from footprint.optimize.changes import Change
from footprint.plan.plan import Plan
from footprint.plan.tables import solve
from footprint.scenario.formats.files import ScenarioError
from footprint.scenario.formats.orlib import scenario_from_orlib_cap
from footprint.scenario.formats.sources import Source
from footprint.scenario.formats.validation import validate
from footprint.views.console import print_plan
from test_benchmarks_published import published_optima
from test_cli import invoke

EXACT = {"mip_gap": 0.0}


def status(plan: Plan, plant_id: str) -> dict[int, tuple[bool, bool, bool]]:
    """(open, opened, closed) per year of one plant, from the plan's plants table."""
    rows = plan.tables["plants"][plan.tables["plants"]["plant"] == plant_id]
    return {int(row.year): (bool(row.open), bool(row.opened), bool(row.closed)) for row in rows.itertuples()}


def open_years(plan: Plan, plant_id: str) -> list[int]:
    return [year for year, (is_open, _, _) in status(plan, plant_id).items() if is_open]


# --- candidate plants ---------------------------------------------------------------------------


def growing(opening_cost: float = 500.0, **new: Any) -> dict[str, Any]:
    """An existing plant at 10 a car; a candidate at 4 a car, 300 a year while open, ``opening_cost`` once.

    Demand 20, 40, 60, 80, 100 (2020-2024), no discounting. Open, the candidate saves 6 a car less its
    300: -180, -60, 60, 180, 300 a year. Opening in 2022 saves 60 + 180 + 300 = 540 before the opening
    cost; in 2021 or 2023, 480; in 2020, 300. So it opens in 2022, the first year its saving is positive,
    if the opening cost is below 540, and never above. Without it: 10 * 300 = 3,000.
    """
    return scenario_data(
        start=2020, end=2024,
        plants=[plant("old"), plant("new", fixed_cost=300.0, candidate=True, opening_cost=opening_cost, **new)],
        capabilities=[capability("old", local_cost=10.0), capability("new", local_cost=4.0)],
        markets=[market("m", {2020: 20.0, 2021: 40.0, 2022: 60.0, 2023: 80.0, 2024: 100.0})],
        solver=EXACT,
    )


def test_a_candidate_opens_in_the_year_growing_demand_makes_it_pay():
    plan = solved(growing(500.0))
    # 2020-21 old: 10 * 60 = 600; 2022-24 new: 4 * 240 = 960, fixed 3 * 300, opening 500: 3,000 - 540 + 500
    assert plan.objective == pytest.approx(2960.0)
    assert status(plan, "new") == {2020: (False, False, False), 2021: (False, False, False),
                                   2022: (True, True, False), 2023: (True, False, False), 2024: (True, False, False)}
    assert {key for key in flows_of(plan) if key[0] == "new"} == {("new", "m", year) for year in (2022, 2023, 2024)}
    assert costs_by(plan, "opening") == pytest.approx({2020: 0.0, 2021: 0.0, 2022: 500.0, 2023: 0.0, 2024: 0.0})
    assert costs_by(plan, "fixed") == pytest.approx({2020: 0.0, 2021: 0.0, 2022: 300.0, 2023: 300.0, 2024: 300.0})
    assert costs_by(plan, "closing") == pytest.approx(dict.fromkeys(range(2020, 2025), 0.0))
    # The existing plant, with no decision, is open in every year and opens or closes in none.
    assert set(status(plan, "old").values()) == {(True, False, False)}
    capacity = plan.utilization.set_index(["plant", "year"])["capacity"]
    assert [capacity[("new", year)] for year in range(2020, 2025)] == [0.0, 0.0, 1e6, 1e6, 1e6]
    assert plan.summary["plant_decisions"] == [
        {"plant": "new", "candidate": True, "closable": False, "opened": 2022, "closed": None}]
    assert_costs_match(plan)


def test_a_candidate_never_opens_when_its_opening_cost_is_too_high():
    plan = solved(growing(541.0))
    # 540 saved at best < 541: the old plant makes everything, 10 * 300; no fixed cost at the candidate
    assert plan.objective == pytest.approx(3000.0)
    assert open_years(plan, "new") == []
    assert not plan.tables["plants"]["opened"].any()
    assert costs_by(plan, "fixed") == pytest.approx(dict.fromkeys(range(2020, 2025), 0.0))
    assert plan.summary["plant_decisions"][0]["opened"] is None
    assert_costs_match(plan)


def test_a_candidate_does_not_open_before_its_earliest_year():
    plan = solved(growing(500.0, earliest_open=2023))
    # Opening in 2023 saves 180 + 300 = 480 < 500 the earliest it may: it stays closed (3,000).
    assert plan.objective == pytest.approx(3000.0)
    assert open_years(plan, "new") == []
    plan = solved(growing(400.0, earliest_open=2023))
    # 480 > 400: opens in 2023, not in 2022 (which would save 540): 3,000 - 480 + 400
    assert plan.objective == pytest.approx(2920.0)
    assert open_years(plan, "new") == [2023, 2024]
    assert_costs_match(plan)


def test_a_candidate_opens_only_within_its_operating_years():
    plan = solved(growing(100.0, operating_years={"end": 2023}))
    # No plant beyond 2023: opening in 2022 saves 60 + 180 = 240 > 100 (2021: 180; 2023: 180).
    # 3,000 - 240 + 100; it is not open in 2024, and that is not a closing
    assert plan.objective == pytest.approx(2860.0)
    assert open_years(plan, "new") == [2022, 2023]
    assert not plan.tables["plants"]["closed"].any()
    assert_costs_match(plan)


def test_opening_cost_and_fixed_cost_are_in_the_plant_currency_and_discounted():
    data = growing(50_000.0)
    data["plants"][1].update(currency="JPY", fixed_cost=30_000.0)
    data["capabilities"][1]["local_cost"] = 400.0
    data.update(fx={"JPY": 100.0}, discount_rate=0.25)
    plan = solved(data)
    # In USD: the same plant as in `growing` (opening 500, fixed 300, 4 a car). Discounted (1, .8, .64,
    # .512, .4096), opening in 2022 saves .64 * 60 + .512 * 180 + .4096 * 300 = 253.44 before its
    # .64 * 500 = 320: it does not pay. In 2023: 92.16 + 122.88 = 215.04 < 256; 2024: 122.88 < 204.8.
    assert open_years(plan, "new") == []
    data["plants"][1]["opening_cost"] = 20_000.0  # 200 USD: opening in 2021, 2022, 2023, 2024 saves
    plan = solved(data)  # 253.44 - 48 - 160 = 45.44, 253.44 - 128 = 125.44, 215.04 - 102.4 = 112.64, 40.96
    assert open_years(plan, "new") == [2022, 2023, 2024]
    assert costs_by(plan, "opening")[2022] == pytest.approx(200.0)
    exposure = plan.tables["exposure"]
    opening = exposure[exposure["component"] == "opening"]
    assert opening[["plant", "currency"]].astype(str).values.tolist() == [["new", "JPY"]]
    assert opening["amount_in_currency"].tolist() == pytest.approx([20_000.0])
    assert_costs_match(plan)


# --- closable plants ----------------------------------------------------------------------------


def shrinking(**old: Any) -> dict[str, Any]:
    """A closable plant at 5 a car and 100 a year (closing 30), a hub at 6 a car; demand 200, 50, 50, 150.

    Open all four years: 5 * 450 + 400 = 2,650. Closed from 2021 (it stays closed): 5 * 200 + 100 +
    6 * 250 + 30 = 2,630; from 2022: 5 * 250 + 200 + 6 * 200 + 30 = 2,680; from 2023: 1,800 + 900 + 30
    = 2,730; from 2020: 2,700 + 30. So it closes in 2021. Were it allowed to reopen in 2023 (saving 150
    for 100 a year) it would: 1,000 + 100 + 600 + 750 + 100 + 30 = 2,580.
    """
    return scenario_data(
        start=2020, end=2023,
        plants=[plant("old", **{"fixed_cost": 100.0, "closable": True, "closing_cost": 30.0, **old}), plant("hub")],
        capabilities=[capability("old", local_cost=5.0), capability("hub", local_cost=6.0)],
        markets=[market("m", {2020: 200.0, 2021: 50.0, 2022: 50.0, 2023: 150.0})],
        solver=EXACT,
    )


def test_a_closable_plant_closes_when_its_fixed_cost_exceeds_what_it_saves_and_stays_closed():
    plan = solved(shrinking())
    assert plan.objective == pytest.approx(2630.0)
    assert status(plan, "old") == {2020: (True, False, False), 2021: (False, False, True),
                                   2022: (False, False, False), 2023: (False, False, False)}
    assert {key for key in flows_of(plan) if key[0] == "old"} == {("old", "m", 2020)}
    assert costs_by(plan, "fixed") == pytest.approx({2020: 100.0, 2021: 0.0, 2022: 0.0, 2023: 0.0})
    assert costs_by(plan, "closing") == pytest.approx({2020: 0.0, 2021: 30.0, 2022: 0.0, 2023: 0.0})
    assert plan.summary["plant_decisions"] == [
        {"plant": "old", "candidate": False, "closable": True, "opened": None, "closed": 2021}]
    assert_costs_match(plan)


def test_a_closable_plant_with_a_high_closing_cost_stays_open():
    plan = solved(shrinking(closing_cost=51.0))  # closing in 2021 would now cost 2,651 against 2,650 open
    assert plan.objective == pytest.approx(2650.0)
    assert open_years(plan, "old") == [2020, 2021, 2022, 2023]
    assert costs_by(plan, "fixed") == pytest.approx(dict.fromkeys(range(2020, 2024), 100.0))


def test_nothing_is_made_at_a_closed_plant_through_its_options():
    """A closable plant with no base capacity and a line (100 a year, capex 10) at 1 a car; a hub at 5.

    Demand 100 then 10, fixed cost 300. 2020: the line saves 400 > 300, so build and stay open; 2021:
    it would save 40 < 300: close. Capex 10 + 100 + 300 + 10 * 5 = 460. Were the line's capacity
    usable at the closed plant, it would make 2021's 10 at 1 (420).
    """
    plan = solved(scenario_data(
        start=2020, end=2021,
        plants=[plant("a", 0.0, fixed_cost=300.0, closable=True), plant("hub")],
        capabilities=[capability("a", local_cost=1.0), capability("hub", local_cost=5.0)],
        options=[{"id": "line", "plant": "a", "pool": "main", "capacity": 100.0, "capex": 10.0}],
        markets=[market("m", {2020: 100.0, 2021: 10.0})],
        solver=EXACT,
    ))
    assert plan.objective == pytest.approx(460.0)
    assert status(plan, "a") == {2020: (True, False, False), 2021: (False, False, True)}
    assert flows_of(plan) == pytest.approx({("a", "m", 2020): 100.0, ("hub", "m", 2021): 10.0})
    capacity = plan.utilization.set_index(["plant", "year"])["capacity"]
    assert (capacity[("a", 2020)], capacity[("a", 2021)]) == (100.0, 0.0)
    assert_costs_match(plan)


def peaks(demand: dict[int, float]) -> dict[str, Any]:
    """A plant that may open (50) and close (20): 4 a car and 100 a year while open; the old plant 10 a car."""
    return scenario_data(
        start=min(demand), end=max(demand),
        plants=[plant("old"), plant("temp", fixed_cost=100.0, candidate=True, opening_cost=50.0, closable=True,
                                    closing_cost=20.0)],
        capabilities=[capability("old", local_cost=10.0), capability("temp", local_cost=4.0)],
        markets=[market("m", demand)],
        solver=EXACT,
    )


def test_a_candidate_that_is_closable_opens_and_later_closes():
    plan = solved(peaks({2020: 10.0, 2021: 100.0, 2022: 100.0, 2023: 100.0, 2024: 10.0}))
    # Open, temp saves 6 a car less 100: -40, 500, 500, 500, -40. In 2024 staying open costs 40 + 100 =
    # 140, closing 10 * 10 + 20 = 120. 2020: 100; 2021-23: 4 * 300 + 300; 2024: 100; opening 50, closing 20
    assert plan.objective == pytest.approx(100.0 + 1500.0 + 100.0 + 50.0 + 20.0)
    assert open_years(plan, "temp") == [2021, 2022, 2023]
    assert status(plan, "temp")[2021] == (True, True, False)
    assert status(plan, "temp")[2024] == (False, False, True)
    assert costs_by(plan, "opening")[2021] == pytest.approx(50.0)
    assert costs_by(plan, "closing")[2024] == pytest.approx(20.0)
    assert_costs_match(plan)


def test_a_plant_that_may_open_and_close_does_each_at_most_once():
    plan = solved(peaks({2020: 100.0, 2021: 10.0, 2022: 10.0, 2023: 100.0}))
    # Open throughout: 4 * 220 + 400 + 50 = 1,330. Open in 2020, closed 2021-22, reopened 2023 would cost
    # 500 + 200 + 500 + 50 + 20 + 50 = 1,320, but it may open only once. Open 2020, closed from 2021:
    # 500 + 1,200 + 70; open only 2023: 1,200 + 500 + 50; never: 2,200.
    assert plan.objective == pytest.approx(1330.0)
    assert open_years(plan, "temp") == [2020, 2021, 2022, 2023]
    assert_costs_match(plan)


# --- options built more than once ---------------------------------------------------------------


def shifts(max_builds: int | None, demand: Any = 120.0, **extra: Any) -> dict[str, Any]:
    """A plant with no base capacity at 1 a car, whose shift adds 50 a year for 20; the old plant at 5."""
    option = {"id": "shift", "plant": "new", "pool": "main", "capacity": 50.0, "capex": 20.0}
    if max_builds is not None:
        option["max_builds"] = max_builds
    return scenario_data(
        plants=[plant("new", 0.0), plant("old")],
        capabilities=[capability("new", local_cost=1.0), capability("old", local_cost=5.0)],
        options=[option],
        markets=[market("m", demand)],
        **extra,
    )


@pytest.mark.parametrize(("max_builds", "count", "objective"), [
    (None, 1, 50.0 + 70 * 5 + 20),     # once (the default): 50 at 1, 70 at 5, one capex
    (2, 2, 100.0 + 20 * 5 + 2 * 20),   # twice: each shift saves 50 * 4 = 200 for 20
    (3, 3, 120.0 + 3 * 20),            # three times: the third saves 20 * 4 = 80 > 20
    (5, 3, 120.0 + 3 * 20),            # a fourth would save nothing
])
def test_an_option_is_built_as_many_times_as_demand_needs(max_builds, count, objective):
    plan = solved(shifts(max_builds))
    assert plan.objective == pytest.approx(objective)
    builds = plan.builds
    assert builds[["option", "year", "count"]].values.tolist() == [["shift", 2020, count]]
    assert builds["added_capacity"].tolist() == pytest.approx([50.0 * count])
    assert builds["capex"].tolist() == pytest.approx([20.0 * count])
    assert costs_by(plan, "capex") == pytest.approx({2020: 20.0 * count})
    capacity = plan.utilization.set_index(["plant", "year"])["capacity"]
    assert capacity[("new", 2020)] == pytest.approx(50.0 * count)
    assert_costs_match(plan)


def test_builds_of_one_option_in_different_years():
    plan = solved(shifts(2, {2020: 50.0, 2021: 100.0}, start=2020, end=2021, discount_rate=0.1))
    # One shift in 2020, the second in 2021 when demand needs it (its capex discounted):
    # 20 + 50 + (100 + 20) / 1.1 = 179.09; both in 2020: 40 + 50 + 100 / 1.1 = 180.91
    assert plan.objective == pytest.approx(70.0 + 120.0 / 1.1)
    assert plan.builds[["year", "count"]].values.tolist() == [[2020, 1], [2021, 1]]
    capacity = plan.utilization.set_index(["plant", "year"])["capacity"]
    assert (capacity[("new", 2020)], capacity[("new", 2021)]) == (50.0, 100.0)
    assert_costs_match(plan)


# --- forced and forbidden plant decisions ---------------------------------------------------------


@pytest.mark.parametrize(("data", "change", "delta"), [
    (growing(), Change("forbid", "open:new"), 40.0),           # 3,000 - 2,960
    (growing(), Change("force", "open:new"), 0.0),             # it opens anyway
    (growing(), Change("force", "open:new@2021"), 60.0),       # 200 + 4 * 280 + 4 * 300 + 500 = 3,020
    (growing(), Change("forbid", "open:new@2022"), 40.0),      # next best: never (3,000; 2021 or 2023: 3,020)
    (shrinking(), Change("forbid", "close:old"), 20.0),        # open throughout: 2,650 - 2,630
    (shrinking(), Change("force", "close:old"), 0.0),
    (shrinking(), Change("force", "close:old@2022"), 50.0),    # 2,680
    (shrinking(), Change("forbid", "close:old@2021"), 20.0),   # open throughout
    (shrinking(), Change("force", "close:old@2020"), 100.0),   # the hub from the start: 2,730
])
def test_a_forced_or_forbidden_plant_decision_costs_its_delta(data, change, delta):
    scenario = make(data)
    optimum = solve(scenario).objective
    result = alternative(scenario, (change,), optimum)
    assert result.delta == pytest.approx(delta)
    assert_costs_match(result.plan)


def test_forcing_a_plant_that_may_open_and_close_to_close():
    scenario = make(peaks({2020: 10.0, 2021: 100.0, 2022: 100.0, 2023: 100.0}))
    # Optimum: open 2021 and keep open: 100 + 4 * 300 + 300 + 50 = 1,650. Closed by 2023 at the latest,
    # it must open first: open 2021-22, closed 2023: 100 + 800 + 200 + 1,000 + 70 = 2,170 (open only
    # 2022, or closed throughout, cost more: never opening does not count as closing).
    optimum = solve(scenario).objective
    assert optimum == pytest.approx(1650.0)
    result = alternative(scenario, (Change("force", "close:temp"),), optimum)
    assert result.objective == pytest.approx(2170.0)
    assert open_years(result.plan, "temp") == [2021, 2022]


@pytest.mark.parametrize(("target", "message"), [
    ("open:nowhere", "unknown plant 'nowhere'; known: old, new"),
    ("open:old", "plant 'old' is not a candidate: the plan does not open it; candidates: new"),
    ("close:new", "plant 'new' is not closable: the plan does not close it; closable plants: none"),
    ("open:new@2019", "plant 'new' cannot open in '2019'; possible years: 2022, 2023, 2024"),
    ("open:new@soon", "plant 'new' cannot open in 'soon'"),
    ("shut:new", "unknown plant decision 'shut'; expected open:PLANT or close:PLANT"),
])
def test_an_impossible_plant_change_names_what_is_known(target, message):
    scenario = make(growing(earliest_open=2022))
    for kind in ("force", "forbid"):
        with pytest.raises(ExplainError, match=message.replace("(", r"\(")):
            alternative(scenario, (Change(kind, target),), 0.0)


def test_a_candidate_cannot_close_before_it_could_open():
    data = peaks({2020: 10.0, 2021: 100.0, 2022: 100.0})
    data["plants"][1]["earliest_open"] = 2021
    with pytest.raises(ExplainError, match=r"plant 'temp' cannot close in '2021'; possible years: 2022$"):
        alternative(make(data), (Change("force", "close:temp@2021"),), 0.0)


def test_the_explain_command_forces_a_plant_open(tmp_path):
    path = write_yaml(tmp_path / "growing.yaml", growing())
    result = invoke("explain", str(path), "--market", "m", "--product", "car", "--year", "2021",
                    "--force", "open:new@2021")
    assert result.exit_code == 0, result.output
    assert "With force open:new@2021: NPV 3.02k USD, +60.00 USD against the optimum." in " ".join(result.output.split())


# --- breakeven ------------------------------------------------------------------------------------


def test_breakeven_finds_the_opening_cost_where_a_plant_stops_being_opened():
    result = find_breakeven(growing(), "plants[new].opening_cost", 400.0, 700.0)
    assert result.bracket is not None
    before, after = result.bracket
    assert before.value <= 540.0 <= after.value  # the saving of opening in 2022 (see growing)
    assert before.decisions.plants == {("new", "opens", 2022)}
    assert after.decisions.plants == frozenset()
    assert not result.changes_again


def test_the_breakeven_command_shows_the_plants_opened(tmp_path):
    path = write_yaml(tmp_path / "growing.yaml", growing())
    result = invoke("breakeven", str(path), "--param", "plants[new].opening_cost", "--range", "400", "700")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "plants: new opens 2022" in text
    assert "│ plants opened, closed │ new opens 2022 │ - │" in text


# --- the console ------------------------------------------------------------------------------------


def printed(plan: Plan) -> str:
    console = Console(record=True, width=200)
    print_plan(plan, console)
    return " ".join(console.export_text().split())


def test_the_plan_prints_its_plant_decisions_and_build_counts():
    text = printed(solved(growing()))
    assert "Plant decisions" in text
    assert "│ new │ open │ 2022 │ - │ 2022-2024 │" in text
    assert "│ old │ close │ - │ 2021 │ 2020 │" in printed(solved(shrinking()))
    assert "│ new │ open │ never │ - │ none │" in printed(solved(growing(541.0)))
    builds = printed(solved(shifts(3)))
    assert "│ shift │ new │ main │ 2020 │ 3 │ 150 │ 60.00 USD │" in builds
    assert "Plant decisions" not in builds  # no plant decision in that scenario


# --- checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"opening_cost": 10.0}, "plants[old]: opening_cost and earliest_open apply to a candidate plant; set "
                             "candidate: true"),
    ({"earliest_open": 2021}, "plants[old]: opening_cost and earliest_open apply to a candidate plant"),
    ({"closing_cost": 10.0}, "plants[old]: closing_cost applies to a closable plant; set closable: true"),
])
def test_decision_fields_without_their_decision_are_refused(change, message):
    data = growing()
    data["plants"][0].update(change)
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[")):
        make(data)


def test_max_builds_must_be_a_whole_number_of_at_least_one():
    for bad in (0, 2.5):
        with pytest.raises(ScenarioError, match=r"options\[shift\]\.max_builds"):
            make(shifts(bad))


@pytest.mark.parametrize(("new", "path", "message"), [
    ({"earliest_open": 2030}, "plants[new].earliest_open", "2030 is after the horizon 2020-2024: the plant can "
                                                           "never open"),
    ({"earliest_open": 2023, "operating_years": {"end": 2022}}, "plants[new]",
     "the plant does not operate from 2023 to 2024: it can never open"),
])
def test_a_candidate_that_can_never_open_is_a_warning(new, path, message):
    warnings = validate(Source(growing(**new), "test"), CHECKS).warnings
    assert [(warning.path, warning.message, warning.severity) for warning in warnings] == [(path, message, "warning")]


# --- properties -----------------------------------------------------------------------------------


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Any]:
    """A plant ``p`` (its decision set by the test) beside a fallback that can serve everything."""
    years = draw(st.integers(1, 4))
    amounts = st.integers(0, 100)  # whole numbers: no cost below the solver's tolerances
    return scenario_data(
        start=2020, end=2019 + years, discount_rate=draw(st.sampled_from([0.0, 0.1])),
        plants=[plant("p", draw(st.integers(0, 150)), fixed_cost=draw(amounts)), plant("fallback")],
        capabilities=[capability("p", local_cost=draw(amounts)), capability("fallback", local_cost=draw(amounts))],
        markets=[market("m", {2020 + t: draw(st.integers(1, 100)) for t in range(years)})],
        solver=EXACT,
    )


def with_plant(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**data, "plants": [{**data["plants"][0], **fields}, data["plants"][1]]}


def without_plant(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "plants": data["plants"][1:], "capabilities": data["capabilities"][1:]}


@settings(max_examples=30)
@given(networks(), st.integers(0, 500), st.integers(0, 500))
def test_property_a_decision_costs_no_more_than_the_plans_it_allows(data, opening_cost, closing_cost):
    """A candidate may stay closed (the plan without it) or open at once (the plant as it is, plus its opening
    cost); a closable plant may stay open (as it is) or close at once (without it, plus its closing cost)."""
    existing, absent = solved(data).objective, solved(without_plant(data)).objective
    candidate = solved(with_plant(data, candidate=True, opening_cost=opening_cost))
    closable = solved(with_plant(data, closable=True, closing_cost=closing_cost))
    tolerance = 1e-6 * (1.0 + abs(existing) + abs(absent))
    assert candidate.objective <= min(absent, existing + opening_cost) + tolerance
    assert closable.objective <= min(existing, absent + closing_cost) + tolerance
    both = solved(with_plant(data, candidate=True, opening_cost=opening_cost, closable=True,
                             closing_cost=closing_cost))
    assert both.objective <= candidate.objective + tolerance
    for plan in (candidate, closable, both):
        assert_costs_match(plan)
        # Fixed cost is paid exactly in the years the plant is open, and nothing is made while it is closed.
        closed_years = {year for year, (is_open, _, _) in status(plan, "p").items() if not is_open}
        assert not {year for (plant_id, _, year) in flows_of(plan) if plant_id == "p"} & closed_years
        fixed = costs_by(plan, "fixed")
        assert all(fixed[year] == 0.0 for year in closed_years)


# --- published optima -----------------------------------------------------------------------------

SUNOIL = BENCHMARKS / "chopra-sunoil"


def read_csv(name: str) -> list[dict[str, str]]:
    with (SUNOIL / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def slug(region: str) -> str:
    return region.lower().replace(". ", "-")


def sunoil(sizes_as: str) -> dict[str, Any]:
    """Chopra and Meindl's SunOil: five regions, each may get a low (10) or a high (20) capacity plant.

    ``plants``: each size a candidate plant of its own with its fixed cost as opening cost (the book's
    model, sizes additive). ``lines``: each region one candidate with the low plant's capacity and cost,
    whose second line (10 more, for the difference: high fixed cost = 1.5 x low in every region) makes it
    the high plant: the book's "at most one size per region". Demand in millions of units, cost per million.
    """
    sites = read_csv("plants.csv")
    costs = {(row["supply_region"], row["demand_region"]): float(row["cost_per_million_units"])
             for row in read_csv("unit_cost.csv")}
    if sizes_as == "plants":
        plants = [(f"{slug(row['region'])}-{size}", row["region"], float(row[f"capacity_{size}"]),
                   float(row[f"fixed_cost_{size}"])) for row in sites for size in ("low", "high")]
        options = []
    else:
        plants = [(slug(row["region"]), row["region"], float(row["capacity_low"]), float(row["fixed_cost_low"]))
                  for row in sites]
        options = [{"id": f"{slug(row['region'])}-second-line", "plant": slug(row["region"]), "pool": "main",
                    "capacity": float(row["capacity_high"]) - float(row["capacity_low"]),
                    "capex": float(row["fixed_cost_high"]) - float(row["fixed_cost_low"])} for row in sites]
    return scenario_data(
        plants=[plant(name, capacity, candidate=True, opening_cost=fixed) for name, _, capacity, fixed in plants],
        capabilities=[capability(name) for name, _, _, _ in plants],
        options=options,
        markets=[market(slug(row["region"]), float(row["demand"])) for row in read_csv("demand.csv")],
        lanes=[{"plant": name, "market": slug(destination), "freight": cost}
               for name, region, _, _ in plants for (origin, destination), cost in costs.items() if origin == region],
        default_freight=None,
        solver=EXACT,
    )


@pytest.mark.parametrize("sizes_as", ["plants", "lines"])
def test_sunoil_network_design_reaches_the_published_optimum(sizes_as):
    plan = solved(sunoil(sizes_as))
    # Published: 23,751; high-capacity plants in S. America, Asia and Africa (fixed 6,750 + 6,150 + 6,000)
    assert plan.objective == pytest.approx(23_751.0, rel=1e-9)
    plants = plan.tables["plants"]
    opened = sorted(plants["plant"][plants["open"]])
    if sizes_as == "plants":
        assert opened == ["africa-high", "asia-high", "s-america-high"]
    else:
        assert opened == ["africa", "asia", "s-america"]
        assert sorted(plan.builds["option"]) == ["africa-second-line", "asia-second-line", "s-america-second-line"]
    assert sum(costs_by(plan, component)[2020] for component in ("opening", "capex")) == pytest.approx(18_900.0)
    assert costs_by(plan, "freight")[2020] == pytest.approx(4851.0)
    assert_costs_match(plan)


@pytest.mark.parametrize("name", ["cap41", "cap64", "cap74", "cap104"])
def test_orlib_cap_with_warehouses_as_candidate_plants_reaches_the_published_optimum(name):
    """The importer's instance with each warehouse a candidate plant (its capacity the base capacity, its fixed
    cost the opening cost) instead of a plant with an option: the same published optimum."""
    data = scenario_from_orlib_cap(ORLIB / f"{name}.txt").model_dump(exclude_defaults=True)
    site = {option["plant"]: option for option in data.pop("options")}
    for entry in data["plants"]:
        entry["pools"][0]["capacity"] = site[entry["id"]]["capacity"]
        entry.update(candidate=True, opening_cost=site[entry["id"]]["capex"])
    plan = solved(data)
    assert plan.objective == pytest.approx(published_optima()[name], rel=1e-6)
    assert plan.builds.empty
    assert (plan.demand["served"] - plan.demand["demand"]).abs().max() < 1e-6


def test_revenue_falls_in_its_years_when_the_plan_also_opens_a_plant():
    # Selling at 10 a car: 100 cars in 2020 and 150 in 2021, from an old plant (60 a year) and a candidate
    # (100 a year, opened in 2020 at no cost). The revenue is the flows' price by their own year.
    plan = solved(scenario_data(
        objective="maximize_profit",
        plants=[plant("old", 60.0), plant("new", 100.0, candidate=True)],
        capabilities=[capability("old", local_cost=2.0), capability("new", local_cost=3.0)],
        markets=[market("us", {2020: 100.0, 2021: 150.0}, price={"car": 10.0})],
        end=2021,
    ))
    assert costs_by(plan, "revenue") == pytest.approx({2020: -1000.0, 2021: -1500.0})
    assert_costs_match(plan)
