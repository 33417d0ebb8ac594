"""Shipped tariff regimes: each loads into a scenario, layers as documented, and sources every figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import combinations
from typing import Any

import pytest
import yaml

from conftest import capability, make, market, plant, product, scenario_data
from footprint.economics.trade import duty_rates
from footprint.scenario.model.figures import value_of
from footprint.scenario.model.regimes import regime_names, regimes_folder
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.trade import Agreement, Tariff

PARTS = ("8407", "8408", "8483", "850760", "8708")  # engines, transmissions, lithium-ion batteries, parts
BASE_2012 = {("*", c, "8703", None) for c in ("US", "KR", "EU", "JP", "CA", "RU", "CN", "AE")}
PARTS_2012 = {("*", c, part, None) for c in ("US", "EU", "JP", "KR") for part in PARTS} | {
    ("*", "CA", "8708", None), ("*", "CN", "8708", None)}
RETALIATION_2018 = ("US", "CN", "8703", "cn-retaliation")
S232 = ("*", "US", "8703", "s232")
S232_PARTS = {("*", "US", part, "s232") for part in PARTS}
DEALS = {("JP", "US", "8703", "s232"), ("EU", "US", "8703", "s232"), ("KR", "US", "8703", "s232"),
         ("US", "CA", "8703", "ca-countermeasure")}
DEALS_PARTS = {(origin, "US", part, "s232") for origin in ("JP", "EU", "KR") for part in PARTS}
AGREEMENTS_2012 = ["korus", "eu-korea", "canada-korea", "nafta"]

# Per regime: the number of tariffs in force, their keys, and the agreement ids.
EXPECTED = {
    "2012": (38, BASE_2012 | PARTS_2012 | {RETALIATION_2018}, AGREEMENTS_2012),
    "2025-s232": (44, BASE_2012 | PARTS_2012 | {RETALIATION_2018, S232} | S232_PARTS, [*AGREEMENTS_2012, "usmca"]),
    "2025-deals": (63, BASE_2012 | PARTS_2012 | {RETALIATION_2018, S232} | S232_PARTS | DEALS | DEALS_PARTS,
                   [*AGREEMENTS_2012, "usmca"]),
}


def _scenario(regime: str | None, **extra: Any) -> Scenario:
    return make(scenario_data(
        start=2025, plants=[plant("smyrna")], capabilities=[capability("smyrna", local_cost=1.0)],
        markets=[market("us", 1.0)], regime=regime, **extra,
    ))


def _raw(name: str) -> dict[str, Any]:
    return yaml.safe_load((regimes_folder() / f"{name}.yaml").read_text(encoding="utf-8"))


def _by_key(tariffs: list[Tariff]) -> dict[tuple[str, str, str, str | None], list[Tariff]]:
    keyed: dict[tuple[str, str, str, str | None], list[Tariff]] = {}
    for t in tariffs:
        keyed.setdefault(t.key(), []).append(t)
    return keyed


def _agreement(agreements: list[Agreement], id: str) -> Agreement:
    (found,) = [a for a in agreements if a.id == id]
    return found


def _overlap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def test_the_shipped_regimes_are_these() -> None:
    assert set(regime_names()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_scenario_naming_a_regime_loads_its_rules(name: str) -> None:
    count, keys, agreement_ids = EXPECTED[name]
    tariffs, agreements = _scenario(name).trade_rules
    assert len(tariffs) == count
    assert set(_by_key(tariffs)) == keys
    assert [a.id for a in agreements] == agreement_ids


def test_a_scenario_without_a_regime_has_only_its_own_rules() -> None:
    assert _scenario(None).trade_rules == ([], [])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_regime_file_opens_with_a_comment_and_has_a_description(name: str) -> None:
    lines = (regimes_folder() / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    opening = lines[: next(i for i, line in enumerate(lines) if line and not line.startswith("#"))]
    assert opening[0].startswith("# ")
    assert "carries its source" in " ".join(opening)
    assert _raw(name)["description"].strip()


def _figures(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every tariff rate, agreement regional value content and preferential rate, with where it is."""
    for i, tariff in enumerate(data.get("tariffs", [])):
        yield f"tariffs[{i}].rate", tariff["rate"]
    for agreement in data.get("agreements", []):
        yield f"{agreement['id']}.regional_value_content", agreement["regional_value_content"]
        for j, rate in enumerate(agreement.get("rates", [])):
            yield f"{agreement['id']}.rates[{j}].rate", rate["rate"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_figure_in_a_regime_names_its_source(name: str) -> None:
    data = _raw(name)
    figures = list(_figures(data))
    assert figures
    for where, figure in figures:
        assert isinstance(figure, dict), f"{name}: {where} is a plain number, without a source"
        assert str(figure.get("source") or "").strip(), f"{name}: {where} has no source"
        if "assumption" in figure:
            assert figure["assumption"].strip(), f"{name}: {where} has an empty assumption"
    for agreement in data.get("agreements", []):
        assert agreement.get("source", "").strip(), f"{name}: agreement {agreement['id']} has no source"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rates_of_one_key_never_overlap_in_time(name: str) -> None:
    # Base rates of one origin, destination and class may not overlap; nor may one origin's rates of a measure.
    for key, tariffs in _by_key(_scenario(name).trade_rules[0]).items():
        for a, b in combinations(tariffs, 2):
            assert not _overlap(a.span(), b.span()), f"{name}: two rates for {key} on the same days"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preferential_rates_are_between_members_and_never_overlap(name: str) -> None:
    tariffs, agreements = _scenario(name).trade_rules
    for agreement in agreements:
        members = {m.country for m in agreement.members}
        for rate in agreement.rates:
            assert {rate.origin, rate.destination} <= members | {"*"}, f"{name}: {agreement.id}"
        for a, b in combinations(agreement.rates, 2):
            same = (a.origin, a.destination, a.product_class) == (b.origin, b.destination, b.product_class)
            assert not (same and _overlap(a.span(), b.span())), f"{name}: {agreement.id} rates overlap"
    ids = {a.id for a in agreements}
    for t in tariffs:
        if t.relief is not None:
            assert t.relief.agreement in ids, f"{name}: relief names an unknown agreement {t.relief.agreement}"


def test_a_scenario_tariff_replaces_the_regime_rate_with_the_same_key() -> None:
    own = {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.03}
    tariffs, _ = _scenario("2012", tariffs=[own]).trade_rules
    mfn = _by_key(tariffs)[("*", "US", "8703", None)]
    assert [value_of(t.rate) for t in mfn] == [0.03]
    assert len(tariffs) == EXPECTED["2012"][0]


def test_a_scenario_tariff_replaces_every_dated_step_of_its_key() -> None:
    # The key has no dates: one own Russian rate replaces the regime's whole Russian schedule (six steps).
    own = {"origin": "*", "destination": "RU", "product_class": "8703", "from_year": 2013, "rate": 0.2}
    tariffs, _ = _scenario("2012", tariffs=[own]).trade_rules
    assert [value_of(t.rate) for t in _by_key(tariffs)[("*", "RU", "8703", None)]] == [0.2]
    assert len(tariffs) == EXPECTED["2012"][0] - 5


def test_a_scenario_additional_duty_replaces_only_its_own_measure_and_origin() -> None:
    own = {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.1, "additional": True,
           "measure": "s232", "from_date": "2025-04-03"}
    other = {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.05, "additional": True,
             "measure": "other"}
    tariffs, _ = _scenario("2025-deals", tariffs=[own, other]).trade_rules
    keyed = _by_key(tariffs)
    assert [value_of(t.rate) for t in keyed[S232]] == [0.1]
    assert keyed[S232][0].relief is None  # the regime's entry, relief included, is gone
    assert [value_of(t.rate) for t in keyed[("JP", "US", "8703", "s232")]] == [0.125]  # other origins stay
    assert [value_of(t.rate) for t in keyed[("*", "US", "8703", "other")]] == [0.05]
    assert len(tariffs) == EXPECTED["2025-deals"][0] + 1


def test_a_scenario_agreement_replaces_the_regime_agreement_with_the_same_id() -> None:
    korus = {"id": "korus", "members": [{"country": "US"}, {"country": "KR"}], "regional_value_content": 0.5}
    extra = {"id": "other", "members": [{"country": "US"}, {"country": "JP"}]}
    _, agreements = _scenario("2012", agreements=[korus, extra]).trade_rules
    assert [a.id for a in agreements] == ["eu-korea", "canada-korea", "nafta", "korus", "other"]
    replaced = _agreement(agreements, "korus")
    assert value_of(replaced.regional_value_content) == 0.5
    assert replaced.rates == []


def test_a_regime_replaces_what_it_extends_by_key_and_id() -> None:
    _, agreements_2012 = _scenario("2012").trade_rules
    _, agreements_2025 = _scenario("2025-s232").trade_rules
    assert {m.to_date for m in _agreement(agreements_2012, "nafta").members} == {None}
    assert {m.to_date for m in _agreement(agreements_2025, "nafta").members} == {dt.date(2020, 6, 30)}
    usmca = _agreement(agreements_2025, "usmca")
    assert {(m.country, m.from_date) for m in usmca.members} == {
        (c, dt.date(2020, 7, 1)) for c in ("US", "CA", "MX")}
    assert value_of(usmca.regional_value_content) == 0.75
    # Agreements that 2025-s232 does not redefine are 2012's, unchanged.
    assert _agreement(agreements_2025, "korus") == _agreement(agreements_2012, "korus")


def test_section_232_is_25_percent_from_april_2025_with_usmca_relief() -> None:
    tariffs, _ = _scenario("2025-s232").trade_rules
    (s232,) = _by_key(tariffs)[S232]
    assert s232.additional
    assert value_of(s232.rate) == 0.25
    assert s232.span() == (dt.date(2025, 4, 3), dt.date.max)
    assert s232.relief is not None
    assert (s232.relief.agreement, s232.relief.dutiable_content_outside) == ("usmca", ["US"])


@pytest.mark.parametrize(("origin", "rate", "first_day"), [
    ("JP", 0.125, dt.date(2025, 9, 16)),
    ("EU", 0.125, dt.date(2025, 8, 1)),
    ("KR", 0.15, dt.date(2025, 11, 1)),
])
def test_the_2025_deals_are_own_section_232_rates_from_their_dates(origin: str, rate: float,
                                                                   first_day: dt.date) -> None:
    keyed = _by_key(_scenario("2025-deals").trade_rules[0])
    (deal,) = keyed[(origin, "US", "8703", "s232")]
    assert deal.additional
    assert value_of(deal.rate) == rate
    assert deal.span() == (first_day, dt.date.max)
    # Before the deal the any-origin 25% applies: it is still there, from 2025-04-03.
    (any_origin,) = keyed[S232]
    assert value_of(any_origin.rate) == 0.25
    assert any_origin.span()[0] == dt.date(2025, 4, 3) < first_day


def test_canada_countermeasure_relieves_cusma_goods_on_canadian_and_mexican_content() -> None:
    (counter,) = _by_key(_scenario("2025-deals").trade_rules[0])[("US", "CA", "8703", "ca-countermeasure")]
    assert value_of(counter.rate) == 0.25
    assert counter.span() == (dt.date(2025, 4, 9), dt.date.max)
    assert counter.relief is not None
    assert (counter.relief.agreement, sorted(counter.relief.dutiable_content_outside)) == ("usmca", ["CA", "MX"])


GOODS = {"engine": "8407.34", "gearbox": "8708.40.11", "battery": "8507.60", "car": "8703.23"}


def _parts_rates(regime: str) -> Any:
    """The duty tables of a regime for goods classed below its headings, from plants in Japan, Korea, Mexico and the
    US to markets in the US, Germany, Korea and China, 2017-2026."""
    names = tuple(GOODS)
    countries = {"JP": "nagoya", "KR": "busan", "MX": "aguascalientes", "US": "smyrna"}
    return duty_rates(make(scenario_data(
        start=2017, end=2026, regime=regime,
        products=[product(name, product_class) for name, product_class in GOODS.items()],
        plants=[plant(site, country=country, products=names) for country, site in countries.items()],
        capabilities=[capability(site, name, local_cost=1.0) for site in countries.values() for name in names],
        markets=[{"id": country.lower(), "country": country, "demand": dict.fromkeys(names, 1.0)}
                 for country in ("US", "DE", "KR", "CN")],
    )))


def _general(rates: Any, origin: str, destination: str, goods: str, year: int) -> float:
    cell = (rates.country[origin], rates.country[destination], rates.product_class[GOODS[goods]], year - 2017)
    return float(rates.yearly_general[cell])


def test_the_shipped_mfn_rates_on_parts_reach_goods_classed_below_their_headings() -> None:
    rates = _parts_rates("2012")
    assert _general(rates, "JP", "US", "engine", 2020) == pytest.approx(0.025)  # HTSUS 8407.34.44/48
    assert _general(rates, "JP", "US", "battery", 2020) == pytest.approx(0.034)  # HTSUS 8507.60.00
    assert _general(rates, "KR", "DE", "gearbox", 2020) == pytest.approx(0.03)  # CN 8708 40 20, industrial assembly
    assert _general(rates, "JP", "DE", "engine", 2020) == pytest.approx(0.027)  # CN 8407 34 10
    assert _general(rates, "US", "KR", "battery", 2020) == pytest.approx(0.08)
    assert _general(rates, "US", "CN", "gearbox", 2017) == pytest.approx(0.10)  # before China's cut of 2018-07-01
    assert _general(rates, "US", "CN", "gearbox", 2018) == pytest.approx(0.10 * 181 / 365 + 0.06 * 184 / 365)
    assert _general(rates, "US", "CN", "gearbox", 2019) == pytest.approx(0.06)
    assert _general(rates, "US", "CN", "engine", 2019) == 0.0  # China's rates on engines are not shipped
    (korus,) = [a for a in rates.agreements if a.id == "korus"]
    kr, us = rates.country["KR"], rates.country["US"]
    assert korus.qualified[kr, us, rates.product_class["8708.40.11"], 2020 - 2017].max() == 0.0  # KORUS frees parts


def test_the_2025_parts_duty_and_the_deals_on_parts() -> None:
    s232, deals = _parts_rates("2025-s232"), _parts_rates("2025-deals")
    # Section 232 on parts from 2025-05-03 (243 of 2025's 365 days), on the MFN rate.
    assert _general(s232, "JP", "US", "engine", 2025) == pytest.approx(0.025 + 0.25 * 243 / 365)
    assert _general(s232, "JP", "US", "battery", 2026) == pytest.approx(0.034 + 0.25)
    # Japan's deal from 2025-09-16: 15% all-in, 25% from May 3 to September 15 (136 days), 12.5% after (107).
    assert _general(deals, "JP", "US", "engine", 2025) == pytest.approx(0.025 + 0.25 * 136 / 365 + 0.125 * 107 / 365)
    assert _general(deals, "JP", "US", "battery", 2026) == pytest.approx(0.15)  # 3.4% + 11.6%
    assert _general(deals, "KR", "US", "gearbox", 2026) == pytest.approx(0.025 + 0.15)  # not claiming KORUS
    (korus,) = [a for a in deals.agreements if a.id == "korus"]
    (usmca,) = [a for a in deals.agreements if a.id == "usmca"]
    kr, mx, us = deals.country["KR"], deals.country["MX"], deals.country["US"]
    gearbox = deals.product_class["8708.40.11"]
    assert korus.qualified[kr, us, gearbox, 2026 - 2017].max() == pytest.approx(0.15)  # KORUS's 0 and the deal's 15%
    assert _general(deals, "MX", "US", "gearbox", 2026) == pytest.approx(0.025 + 0.25)
    assert usmca.qualified[mx, us, gearbox, 2026 - 2017].max() == 0.0  # USMCA-originating parts: exempt in full
    assert _general(deals, "JP", "US", "car", 2026) == pytest.approx(0.15)  # the cars' rates as before
