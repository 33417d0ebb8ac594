"""Product classes as the HS hierarchy: a rate on a code covers the codes under it, the most specific rate wins
(origin first, then destination, then class), and classes that are no HS code match only themselves."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import capability, costs_by, make, market, plant, product, scenario_data, solved
from footprint.economics.trade import duty_rates
from footprint.scenario.formats.files import ScenarioError
from footprint.scenario.model.classes import class_key, covering, covers, hs_digits, specificity
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.trade import Tariff

# Goods of every level under chapter 87, one of chapter 85, and a class that is no HS code.
CLASSES = {"sedan": "8703.23.01", "ev": "8703.80", "gearbox": "8708.40", "battery": "8507.60", "widget": "car"}


def tariff(origin: str, destination: str, product_class: str, rate: float, **extra: Any) -> dict[str, Any]:
    return {"origin": origin, "destination": destination, "product_class": product_class, "rate": rate, **extra}


def network(*tariffs: dict[str, Any], origins: tuple[str, ...] = ("JP", "KR"), destinations: tuple[str, ...] = ("US",),
            **extra: Any) -> Scenario:
    """A plant in each origin making every product, a market in each destination buying them all."""
    names = tuple(CLASSES)
    return make(scenario_data(
        products=[product(name, product_class) for name, product_class in CLASSES.items()],
        plants=[plant(country.lower(), country=country, products=names) for country in origins],
        capabilities=[capability(country.lower(), name, local_cost=1.0) for country in origins for name in names],
        markets=[{"id": country.lower(), "country": country, "demand": dict.fromkeys(names, 1.0)}
                 for country in destinations],
        tariffs=list(tariffs), **extra,
    ))


def rate_of(scenario: Scenario, origin: str, destination: str, goods: str) -> float:
    """The general rate on goods of one product from a country to a country in the horizon's first year."""
    rates = duty_rates(scenario)
    cell = (rates.country[origin], rates.country[destination], rates.product_class[CLASSES[goods]], 0)
    return float(rates.yearly_general[cell])


def test_dots_and_spaces_are_layout_and_a_code_covers_the_longer_codes_under_it() -> None:
    assert class_key("8703.23") == class_key("870323") == class_key("8703 23") == "870323"
    assert hs_digits("8703.23.01.90") == "8703230190"
    assert covers("87", "8703.23.01")
    assert covers("8703", "870323")
    assert covers("8703.23", "8703.23")
    assert not covers("8703.23", "8703")
    assert not covers("8703", "8704.21")
    # A class that is no HS code matches only itself, and no code covers it (nor it a code).
    assert covers("car", "car")
    assert not covers("car", "cars")
    assert not covers("87", "car")
    assert [hs_digits(text) for text in ("car", "8", "870", "87.", ".87", "87-03", "")] == [None] * 7
    assert not covers("870", "8703")  # no level of the system: itself only
    assert covers("870", "870")
    assert specificity("87") < specificity("8703") < specificity("8703.23") < specificity("8703.23.01")
    assert covering(["87", "8708", "car"], ["8703.23", "8708.40", "car"]) == {
        "87": ["8703.23", "8708.40"], "8708": ["8708.40"], "car": ["car"]}


def test_the_most_specific_code_wins_and_a_free_text_class_takes_only_its_own_rate() -> None:
    scenario = network(tariff("*", "US", "87", 0.10), tariff("*", "US", "8703", 0.025),
                       tariff("*", "US", "8703.23", 0.01), tariff("*", "US", "8708", 0.04),
                       tariff("*", "US", "car", 0.05))
    assert rate_of(scenario, "JP", "US", "sedan") == pytest.approx(0.01)  # 8703.23 over 8703 over 87
    assert rate_of(scenario, "JP", "US", "ev") == pytest.approx(0.025)  # 8703.80: the heading's rate
    assert rate_of(scenario, "JP", "US", "gearbox") == pytest.approx(0.04)  # 8708.40: its heading's, not 87's
    assert rate_of(scenario, "JP", "US", "battery") == 0.0  # chapter 85 has no rate
    assert rate_of(scenario, "JP", "US", "widget") == pytest.approx(0.05)  # 'car' only, no HS rate


@pytest.mark.parametrize("reverse", [False, True])
def test_an_origins_own_rate_on_a_heading_wins_over_the_any_origin_rate_on_a_subheading(reverse: bool) -> None:
    # As in a real schedule: Korea's preference for all of chapter 87 (0%) applies to 8703.23 even though the
    # general (MFN) schedule gives 8703.23 a rate of its own (2.5%). The order the rates are listed in is no matter.
    rates = [tariff("*", "US", "8703.23", 0.025), tariff("*", "US", "87", 0.04), tariff("KR", "US", "87", 0.0)]
    scenario = network(*(reversed(rates) if reverse else rates))
    assert rate_of(scenario, "KR", "US", "sedan") == 0.0
    assert rate_of(scenario, "JP", "US", "sedan") == pytest.approx(0.025)  # no rate of its own: MFN, most specific
    assert rate_of(scenario, "JP", "US", "gearbox") == pytest.approx(0.04)


@pytest.mark.parametrize("reverse", [False, True])
def test_an_origin_without_a_rate_for_the_class_chain_falls_back_to_the_any_origin_rate(reverse: bool) -> None:
    # Korea's own rate is on 8703 only: its 8708 gear boxes pay the any-origin rate on 87, its 8703.23 cars 5%.
    rates = [tariff("*", "US", "87", 0.10), tariff("KR", "US", "8703", 0.05)]
    scenario = network(*(reversed(rates) if reverse else rates))
    assert rate_of(scenario, "KR", "US", "sedan") == pytest.approx(0.05)
    assert rate_of(scenario, "KR", "US", "gearbox") == pytest.approx(0.10)
    assert rate_of(scenario, "JP", "US", "sedan") == pytest.approx(0.10)


def test_a_members_own_rate_on_a_chapter_wins_over_its_unions_rate_on_a_heading() -> None:
    # Destination comes before class: Germany's own rate (any class under 87) replaces the EU's rate on 8703.
    scenario = network(tariff("*", "EU", "8703", 0.10), tariff("*", "DE", "87", 0.06),
                       destinations=("DE", "FR"))
    assert rate_of(scenario, "JP", "DE", "sedan") == pytest.approx(0.06)
    assert rate_of(scenario, "JP", "FR", "sedan") == pytest.approx(0.10)
    assert rate_of(scenario, "JP", "FR", "gearbox") == 0.0


def test_an_additional_duty_on_a_chapter_stacks_and_an_origins_measure_rate_replaces_it_only_under_its_code() -> None:
    s232 = {"additional": True, "measure": "s232"}
    scenario = network(tariff("*", "US", "8703", 0.025), tariff("*", "US", "8708", 0.025),
                       tariff("*", "US", "87", 0.25, **s232), tariff("JP", "US", "8703", 0.125, **s232))
    assert rate_of(scenario, "JP", "US", "sedan") == pytest.approx(0.025 + 0.125)  # Japan's own s232 on cars
    assert rate_of(scenario, "JP", "US", "gearbox") == pytest.approx(0.025 + 0.25)  # Japan has none on 8708
    assert rate_of(scenario, "KR", "US", "ev") == pytest.approx(0.025 + 0.25)
    assert rate_of(scenario, "KR", "US", "battery") == 0.0


def test_an_agreements_rates_follow_the_hierarchy_and_its_relief_covers_the_codes_under_the_duty() -> None:
    korus = {"id": "korus", "members": [{"country": "US"}, {"country": "KR"}],
             "rates": [{"origin": "KR", "destination": "US", "product_class": "87", "rate": 0.0},
                       {"origin": "KR", "destination": "US", "product_class": "8703.23", "rate": 0.01}]}
    s232 = tariff("*", "US", "87", 0.25, additional=True, measure="s232", relief={"agreement": "korus"})
    scenario = network(tariff("*", "US", "87", 0.025), s232, agreements=[korus])
    rates = duty_rates(scenario)
    (agreement,) = rates.agreements
    kr, us = rates.country["KR"], rates.country["US"]

    def qualified(goods: str) -> float:
        return float(agreement.qualified[kr, us, rates.product_class[CLASSES[goods]], 0, 0])

    assert qualified("sedan") == pytest.approx(0.01)  # the subheading's preference, s232 relieved
    assert qualified("gearbox") == 0.0  # the chapter's preference
    assert qualified("battery") == 0.0  # nothing on chapter 85 at all
    assert rate_of(scenario, "KR", "US", "gearbox") == pytest.approx(0.275)  # without the claim


def test_a_chapter_rate_prices_a_plans_flows() -> None:
    # 10 gear boxes of 8708.40 at 1,000 from Japan, under the US rates of 87 (10%) and 8708 (2.5%): 2.5% of 10,000.
    plan = solved(scenario_data(
        products=[product("gearbox", "8708.40")],
        plants=[plant("nagoya", country="JP", products=("gearbox",))],
        capabilities=[capability("nagoya", "gearbox", local_cost=1000.0)],
        markets=[market("us", 10.0, product="gearbox")],
        tariffs=[tariff("*", "US", "87", 0.10), tariff("*", "US", "8708", 0.025)],
    ))
    assert costs_by(plan, "duty") == pytest.approx({2020: 250.0})


def test_one_code_written_two_ways_is_one_key() -> None:
    dotted = Tariff.model_validate(tariff("*", "US", "8703.23", 0.025))
    assert dotted.key() == Tariff.model_validate(tariff("*", "US", "870323", 0.01)).key()
    with pytest.raises(ScenarioError) as caught:
        network(tariff("*", "US", "8703.23", 0.025), tariff("*", "US", "870323", 0.01))
    assert any(p.path == "tariffs[*/US/870323]" and "a second base rate for * -> US, class '870323'" in p.message
               and "(first in tariffs[*/US/8703.23])" in p.message for p in caught.value.problems)


def test_a_scenarios_own_rate_on_a_code_written_otherwise_replaces_the_regimes() -> None:
    scenario = network(tariff("*", "US", "8 7 0 3", 0.03), regime="2012")
    mfn = [t for t in scenario.trade_rules[0] if t.key() == ("*", "US", "8703", None)]
    assert [t.rate for t in mfn] == [0.03]


def test_a_rate_warns_only_when_no_class_falls_under_it() -> None:
    scenario = network(tariff("*", "US", "87", 0.1), tariff("*", "US", "8704", 0.25), tariff("*", "US", "cars", 0.1))
    problems = {(p.loc, p.message.split(";")[0]) for p in scenario_warnings(scenario)}
    assert problems == {
        (("tariffs", 1, "product_class"), "no product has class '8704' or a class under it, so this rate applies to "
                                          "nothing"),
        (("tariffs", 2, "product_class"), "no product has class 'cars', so this rate applies to nothing"),
    }


def test_a_regime_on_a_heading_covers_products_classed_by_subheading() -> None:
    assert not [p for p in scenario_warnings(network(regime="2012")) if p.loc == ("regime",)]


def test_a_members_rate_on_a_subheading_under_its_unions_heading_is_warned_of() -> None:
    scenario = network(tariff("*", "EU", "87", 0.10), tariff("*", "DE", "8703.23", 0.06), destinations=("DE",))
    (warning,) = [p for p in scenario_warnings(scenario) if p.loc == ("tariffs", 1)]
    assert "this rate replaces the EU's (* -> EU, class 87) on imports into DE" in warning.message


def scenario_warnings(scenario: Scenario) -> list:
    from footprint.economics.checks import CHECKS
    from footprint.scenario.model.checks import Context

    return [p for check in CHECKS for p in check(scenario, Context()) if not p.is_error]


def test_a_class_of_an_odd_number_of_digits_is_warned_of_where_it_is_written() -> None:
    # 8703.2 is what a spreadsheet makes of 8703.20 typed as a number: no HS level, so it covers nothing.
    scenario = network(tariff("*", "US", "8703.2", 0.1))
    (warning,) = [p for p in scenario_warnings(scenario) if p.loc == ("tariffs", 0, "product_class")
                  and "digits" in p.message]
    assert warning.message == ("'8703.2' has 5 digits, no level of the HS (2, 4, 6, 8 or 10), so it is matched as "
                               "written and covers no other class; a typo, or a spreadsheet's number that lost a "
                               "trailing 0 (8703.20)?")
    assert not [p for p in scenario_warnings(network(tariff("*", "US", "8703.20", 0.1))) if "digits" in p.message]


CODES = st.text(alphabet="0378", min_size=1, max_size=4).map(lambda pairs: "".join(ch * 2 for ch in pairs))
"""HS codes of 2 to 8 digits over few digits, so that many of them cover one another (33, 3377, 337788)."""


@given(rates=st.dictionaries(CODES, st.sampled_from([0.01, 0.02, 0.05, 0.1]), min_size=1, max_size=6),
       goods=st.lists(CODES, min_size=1, max_size=4, unique=True), korea=st.dictionaries(CODES, st.just(0.5),
                                                                                          max_size=2))
def test_each_class_pays_the_rate_of_the_longest_code_over_it_of_the_most_specific_origin_that_has_one(
        rates: dict[str, float], goods: list[str], korea: dict[str, float]) -> None:
    names = [f"good{i}" for i in range(len(goods))]
    scenario = make(scenario_data(
        products=[product(name, code) for name, code in zip(names, goods, strict=True)],
        plants=[plant(country.lower(), country=country, products=tuple(names)) for country in ("JP", "KR")],
        capabilities=[capability(country.lower(), name, local_cost=1.0) for country in ("JP", "KR") for name in names],
        markets=[{"id": "us", "country": "US", "demand": dict.fromkeys(names, 1.0)}],
        tariffs=[*(tariff("*", "US", code, rate) for code, rate in rates.items()),
                 *(tariff("KR", "US", code, rate) for code, rate in korea.items())],
    ))
    rates_table = duty_rates(scenario)

    def expected(schedule: dict[str, float], code: str) -> float | None:
        over = [rate_code for rate_code in schedule if code.startswith(rate_code)]
        return schedule[max(over, key=len)] if over else None

    for code in goods:
        cell = rates_table.product_class[code]
        japan = expected(rates, code) or 0.0
        korean = expected(korea, code)
        assert rates_table.yearly_general[rates_table.country["JP"], rates_table.country["US"], cell, 0] == \
            pytest.approx(japan)
        assert rates_table.yearly_general[rates_table.country["KR"], rates_table.country["US"], cell, 0] == \
            pytest.approx(japan if korean is None else korean)


@pytest.mark.parametrize("reverse", [False, True])
def test_an_agreements_rate_for_an_origin_wins_over_its_rate_for_a_destination_in_either_order(reverse: bool) -> None:
    # Ranked as tariffs are: origin first. (Ranked by a sum of the two, these tied and the later listed won.)
    rates = [{"origin": "KR", "product_class": "87", "rate": 0.01}, {"destination": "US", "product_class": "87",
                                                                       "rate": 0.03}]
    agreement = {"id": "korus", "members": [{"country": "US"}, {"country": "KR"}],
                 "rates": list(reversed(rates)) if reverse else rates}
    rates_table = duty_rates(network(tariff("*", "US", "87", 0.1), agreements=[agreement]))
    (korus,) = rates_table.agreements
    kr, us = rates_table.country["KR"], rates_table.country["US"]
    assert korus.qualified[kr, us, rates_table.product_class[CLASSES["sedan"]], 0, 0] == pytest.approx(0.01)


def test_a_dated_rate_on_a_class_no_good_falls_under_cuts_no_year() -> None:
    # A heat-pump rate from July (8418) changes no duty of these goods: the year stays one span of unchanged rates.
    rates = duty_rates(network(tariff("*", "US", "8418", 0.1, from_date="2020-07-01"),
                               tariff("*", "US", "8703", 0.025, from_date="2020-03-01")))
    assert rates.span_share.shape == (1, 2)  # cut on March 1 (8703), not on July 1 (8418)
    assert rate_of(network(tariff("*", "US", "8703", 0.025, from_date="2020-03-01")), "JP", "US", "sedan") == \
        pytest.approx(0.025 * 306 / 366)
