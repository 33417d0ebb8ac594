"""Breakeven: parameter paths into a scenario's data, and bisection to where the decisions change.

Each scenario here has a breakeven that can be worked out by hand, written next to it.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import capability, make, market, plant, scenario_data, write_yaml
from footprint.analysis.breakeven import BreakevenError, Trial, find_breakeven
from footprint.economics.fx import fx_rates
from footprint.optimize.solve import PlanningError
from footprint.plan.decisions import Decisions, Level
from footprint.scenario.sets.parameters import Parameter, ParameterError
from test_cli import invoke


def two_plants(home_cost: Any = 40.0) -> dict[str, Any]:
    """100 cars from ``home`` at ``home_cost`` each, or from a line at ``away`` (1,000 once, 20 a car).

    The line pays when 100 * home_cost > 1,000 + 100 * 20: breakeven at a home cost of 30.
    """
    return scenario_data(
        plants=[plant("home", 200.0), plant("away", 0.0)],
        capabilities=[capability("home", local_cost=home_cost), capability("away", local_cost=20.0)],
        options=[{"id": "away-line", "plant": "away", "pool": "main", "capacity": 100.0, "capex": 1000.0}],
        markets=[market("us", 100.0)],
        solver={"mip_gap": 0.0},
    )


HOME = Decisions(frozenset(), level=Level.STRATEGIC)
AWAY = Decisions(frozenset({("away-line", 2020, 1)}), level=Level.STRATEGIC)
"""The strategic decisions on either side (breakeven's default level): the line built, or not."""


def test_bisection_brackets_the_hand_computed_breakeven_of_a_cost() -> None:
    seen: list[Trial] = []
    result = find_breakeven(two_plants(), "capabilities[0].local_cost", 0.0, 100.0, on_trial=seen.append)
    assert result.bracket is not None
    before, after = result.bracket
    assert before.value <= 30.0 <= after.value
    assert after.value - before.value <= result.tolerance == pytest.approx(0.1)
    assert (before.decisions, after.decisions) == (HOME, AWAY)
    assert (result.low.decisions, result.high.decisions) == (HOME, AWAY)
    assert before.objective == pytest.approx(100 * before.value)
    assert after.objective == pytest.approx(1000 + 100 * 20)
    assert not result.changes_again
    assert len(result.trials) == 2 + math.ceil(math.log2(1000))  # LO, HI, then halving 100 down to 0.1
    assert seen == list(result.trials)


def test_same_decisions_at_both_ends_is_no_bracket() -> None:
    result = find_breakeven(two_plants(), "capabilities[0].local_cost", 31.0, 90.0)
    assert result.bracket is None
    assert result.low.decisions == result.high.decisions == AWAY
    assert len(result.trials) == 2


def test_growth_keeps_the_first_year_and_compounds() -> None:
    data = scenario_data(end=2022, plants=[plant("home")], capabilities=[capability("home")],
                         markets=[market("us", {2020: {"value": 80.0, "source": "sales"}, 2021: 85.0, 2022: 90.0})])
    grown = Parameter.parse("growth:markets[us].demand.car").apply(data, 0.1)
    assert grown["markets"][0]["demand"]["car"] == {
        2020: {"value": 80.0, "source": "sales"}, 2021: pytest.approx(88.0), 2022: pytest.approx(96.8)}
    assert data["markets"][0]["demand"]["car"][2021] == 85.0  # the original is left as it was


def test_growth_breakeven_and_a_second_change_reported() -> None:
    """Home makes 100 a year; demand 80 in 2020 grows at g. A line at away is needed from 2022
    once 80 (1 + g)^2 > 100, g > sqrt(1.25) - 1 = 0.1180, and from 2021 once g > 0.25."""
    data = scenario_data(
        end=2022, discount_rate=0.1,
        plants=[plant("home", 100.0), plant("away", 0.0)],
        capabilities=[capability("home", local_cost=10.0), capability("away", local_cost=50.0)],
        options=[{"id": "away-line", "plant": "away", "pool": "main", "capacity": 100.0, "capex": 10.0}],
        markets=[market("us", 80.0)],
        solver={"mip_gap": 0.0},
    )
    result = find_breakeven(data, "growth:markets[us].demand.car", 0.0, 0.3)
    assert result.bracket is not None
    before, after = result.bracket
    assert before.value <= math.sqrt(1.25) - 1 <= after.value
    assert after.value - before.value <= 0.0003
    assert (before.decisions.builds, after.decisions.builds) == (frozenset(), {("away-line", 2022, 1)})
    assert result.high.decisions.builds == {("away-line", 2021, 1)}
    assert result.changes_again


def korea_or_home() -> dict[str, Any]:
    """100 cars from home at US$30, or from a Busan line (US$1,000 once) at 33,000 KRW a car.

    The line pays when 100 * (30 - 33,000 / rate) > 1,000: above 1,650 KRW per dollar.
    """
    return scenario_data(
        plants=[plant("home", 200.0), plant("busan", 0.0, country="KR", currency="KRW")],
        capabilities=[capability("home", local_cost=30.0), capability("busan", local_cost=33_000.0)],
        options=[{"id": "busan-line", "plant": "busan", "pool": "main", "capacity": 100.0, "capex": 1000.0,
                  "currency": "USD"}],
        markets=[market("us", 100.0)],
        fx_default="ecb",
        solver={"mip_gap": 0.0},
    )


def test_fx_path_replaces_the_default_rule_with_a_flat_rate() -> None:
    data = korea_or_home()
    assert fx_rates(make(data))["KRW"][2020] != pytest.approx(1500.0)  # the ECB's 2020 mean, about 1,345
    changed = Parameter.parse("fx.KRW").apply({**data, "fx": {"KRW": {"history": "ecb"}}}, 1500.0)
    assert changed["fx"] == {"KRW": 1500.0}
    assert fx_rates(make(changed))["KRW"][2020] == 1500.0


def test_fx_breakeven() -> None:
    result = find_breakeven(korea_or_home(), "fx.KRW", 1000.0, 2000.0)
    assert result.bracket is not None
    before, after = result.bracket
    assert before.value <= 1650.0 <= after.value
    assert after.value - before.value <= 1.0
    assert (before.decisions.builds, after.decisions.builds) == (frozenset(), {("busan-line", 2020, 1)})


@pytest.mark.parametrize(("value", "expected"), [
    (38.0, {"value": 38.0, "low": 35.0, "high": 45.0, "source": "quote"}),
    (50.0, {"value": 50.0, "source": "quote"}),  # past its range: the sweep goes where the range does not
])
def test_a_figure_takes_the_value_and_keeps_its_provenance(value: float, expected: dict[str, Any]) -> None:
    data = two_plants({"value": 40.0, "low": 35.0, "high": 45.0, "source": "quote"})
    original = copy.deepcopy(data)
    changed = Parameter.parse("capabilities[0].local_cost").apply(data, value)
    assert changed["capabilities"][0]["local_cost"] == expected
    assert data == original
    make(changed)


def test_a_series_takes_the_value_every_year_and_a_left_out_field_is_set() -> None:
    data = scenario_data(end=2021, plants=[plant("home", {2020: 100.0, 2021: {"value": 120.0, "low": 110.0}})],
                         capabilities=[capability("home")], markets=[market("us", 50.0)])
    capacity = Parameter.parse("plants[home].pools[main].capacity").apply(data, 90.0)
    assert capacity["plants"][0]["pools"][0]["capacity"] == {2020: 90.0, 2021: {"value": 90.0}}
    one_year = Parameter.parse("plants[home].pools[0].capacity.2021").apply(data, 130.0)
    assert one_year["plants"][0]["pools"][0]["capacity"] == {2020: 100.0, 2021: {"value": 130.0, "low": 110.0}}
    fixed = Parameter.parse("plants[home].fixed_cost").apply(data, 7.0)
    assert make(fixed).plants[0].fixed_cost == 7.0


@pytest.mark.parametrize(("path", "message"), [
    ("markets[usa].demand.car", "markets[usa].demand.car: no markets entry 'usa'; did you mean us?"),
    ("capabilities[home/cars].local_cost", "capabilities[home/cars].local_cost: no capabilities entry 'home/cars'; "
                                           "did you mean home/car?"),
    ("markets[us].demand.bike", "markets[us].demand.bike: markets[us].demand has no 'bike' (it has: car)"),
    ("capabilities[5].local_cost", "capabilities[5].local_cost: capabilities has 2 entries, at positions 0-1; "
                                   "no entry '5'"),
    ("plants[home]", "plants[home]: plants[home] is a mapping of id, country, currency, pools, not a number"),
    ("options[away-line].capex.low", "options[away-line].capex.low: options[away-line].capex is 1000.0; "
                                     "it has no .low"),
    ("plants.fixed_cost", "plants.fixed_cost: plants is a list of 2 entries; pick one as plants[key] or "
                          "plants[position]"),
    ("plants[home.fixed_cost", "plants[home.fixed_cost: not a parameter path; expected e.g. fx.KRW"),
    ("fx.EUR", "fx.EUR: no amount in the scenario is in EUR"),
    ("fx.USD", "fx.USD: USD is the reporting currency"),
    ("growth:fx.KRW", "growth:fx.KRW: an FX parameter is fx.CURRENCY"),
    ("growth:plants[away].fixed_cost", "growth:plants[away].fixed_cost: plants[away].fixed_cost is not given"),
    ("plants[away].fixd_cost", "plants[away].fixd_cost = 0: the scenario refuses it: plants[away].fixd_cost: "
                               "unknown field"),
    ("plants[home].fixed_cost", "plants[home].fixed_cost = -5: the scenario refuses it: plants[home].fixed_cost: "
                                "expected a number >= 0, found -5"),
])
def test_a_bad_path_or_value_is_a_one_line_message_before_any_solve(path: str, message: str) -> None:
    seen: list[Trial] = []
    low = -5.0 if path == "plants[home].fixed_cost" else 0.0
    with pytest.raises(ParameterError) as error:
        find_breakeven(two_plants(), path, low, 100.0, on_trial=seen.append)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
    assert seen == []


@pytest.mark.parametrize(("low", "high", "tolerance", "message"), [
    (5.0, 5.0, None, "expected a range LO < HI, found 5 5"),
    (0.0, 1.0, 0.0, "expected a tolerance > 0, found 0"),
])
def test_a_bad_range_or_tolerance_is_a_message(low: float, high: float, tolerance: float | None,
                                               message: str) -> None:
    with pytest.raises(BreakevenError, match=re.escape(message)):
        find_breakeven(two_plants(), "capabilities[0].local_cost", low, high, tolerance=tolerance)


def test_an_infeasible_resolve_names_the_value() -> None:
    """Home (200) and the away line (100) make at most 300 cars."""
    with pytest.raises(PlanningError, match=r"^markets\[us\]\.demand\.car = 500: .*200 units cannot be supplied"):
        find_breakeven(two_plants(), "markets[us].demand.car", 50.0, 500.0)


def test_cli_on_the_rogue_case_finds_the_won_rate_that_brings_busan_forward() -> None:
    """Measured with a tolerance of 0.5: the Busan line moves from 2017 to 2016 between 903.12 and
    903.42 KRW per dollar (and to 2014 at about 938)."""
    result = invoke("breakeven", "rogue-2012", "--param", "fx.KRW", "--range", "900", "1400", "--tolerance", "10")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    bracket = re.search(r"fx\.KRW from 900 \(LO\) to 1,400 \(HI\): the decisions \(strategic level\) change between "
                        r"a = ([\d,.]+) and b = ([\d,.]+) \(tolerance 10; 8 solves\)", text)
    assert bracket is not None, text
    low, high = (float(number.replace(",", "")) for number in bracket.groups())
    assert low <= 903.12 <= 903.42 <= high
    assert high - low <= 10
    assert "busan-rogue-line 2017 │ busan-rogue-line 2016" in text
    assert "they change at least once more" in text  # to 2014 at HI


def test_cli_a_bad_path_is_a_message(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "two.yaml", two_plants())
    result = invoke("breakeven", str(path), "--param", "plants[nowhere].fixed_cost", "--range", "0", "1")
    assert result.exit_code == 1
    assert "plants[nowhere].fixed_cost: no plants entry 'nowhere' (entries: home, away; or positions 0-1)" in \
        result.output
