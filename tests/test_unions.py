"""Customs unions in duty rates, relief with nothing dutiable, and the lower rate in each dated span.

Every case ships 10 cars a year, each worth 1,000 (all local content unless a test says
otherwise), on one lane without freight; duties are read from the Plan's landed cost (per
car) or its costs table (per year).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import capability, costs_by, market, plant, scenario_data, solved
from footprint.plan.plan import Plan

CAR = "8703"
EU_CET = {"origin": "*", "destination": "EU", "product_class": CAR, "rate": 0.10}
"""The EU's common external tariff on cars, 10%."""


def _lane(origin: str, destination: str, *tariffs: dict, start: int = 2020, end: int | None = None,
          agreements: tuple[dict, ...] = (), local: float = 1000.0, **cost: object) -> dict:
    """10 cars a year from a plant in ``origin`` to a market in ``destination``."""
    return scenario_data(
        start=start, end=end,
        plants=[plant("plant", country=origin)],
        capabilities=[capability("plant", local_cost=local, **cost)],
        markets=[market("market", 10.0, country=destination)],
        tariffs=list(tariffs),
        agreements=list(agreements),
    )


def duty_per_car(plan: Plan) -> dict[int, float]:
    """The duty per car of the scenario's one lane, by year."""
    landed = plan.landed_cost.astype({"component": str})
    duty = landed[landed["component"] == "duty"]
    return {int(year): float(amount) for year, amount in zip(duty["year"], duty["per_unit"], strict=True)}


# A union's external tariff, and free trade within the union


def test_a_member_s_goods_enter_another_member_free_whatever_the_tariffs_say() -> None:
    """A Polish car in Germany: the union's 10%, Germany's own 7% and an additional 5% on Polish cars
    would add up to 12% or more; within the customs union it pays nothing."""
    germany = {"origin": "*", "destination": "DE", "product_class": CAR, "rate": 0.07}
    on_polish_cars = {"origin": "PL", "destination": "DE", "product_class": CAR, "rate": 0.05, "additional": True}
    assert duty_per_car(solved(_lane("PL", "DE", EU_CET, germany, on_polish_cars))) == pytest.approx({2020: 0.0})


@pytest.mark.parametrize("destination", ["DE", "FR"])
def test_a_tariff_into_the_union_applies_in_every_member(destination: str) -> None:
    """A Chinese car in Germany or France pays the union's 10%: 100 per car of 1,000."""
    assert duty_per_car(solved(_lane("CN", destination, EU_CET))) == pytest.approx({2020: 100.0})


def test_a_member_s_own_rate_replaces_the_union_s_for_that_member_only() -> None:
    """Germany's own 7% (origin *) replaces the union's 10% (origin *) in Germany: 70 per car; France keeps 100."""
    germany = {"origin": "*", "destination": "DE", "product_class": CAR, "rate": 0.07}
    assert duty_per_car(solved(_lane("CN", "DE", EU_CET, germany))) == pytest.approx({2020: 70.0})
    assert duty_per_car(solved(_lane("CN", "FR", EU_CET, germany))) == pytest.approx({2020: 100.0})


def test_an_origin_s_own_rate_into_the_union_replaces_a_member_s_any_origin_rate() -> None:
    """Origin comes first: the union's 4% on Chinese cars beats Germany's 7% for every origin: 40 per car."""
    germany = {"origin": "*", "destination": "DE", "product_class": CAR, "rate": 0.07}
    on_chinese_cars = {"origin": "CN", "destination": "EU", "product_class": CAR, "rate": 0.04}
    assert duty_per_car(solved(_lane("CN", "DE", EU_CET, germany, on_chinese_cars))) == pytest.approx({2020: 40.0})


def test_a_tariff_from_the_union_applies_to_goods_of_every_member_s_origin() -> None:
    """The 2025 US deal with the EU: an s232 rate of 12.5% on EU cars (origin EU) in place of 25%.
    A German car pays 2.5% + 12.5% = 150 per car; a Japanese one 2.5% + 25% = 275."""
    mfn = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.025}
    s232 = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.25, "additional": True,
            "measure": "s232"}
    eu_deal = s232 | {"origin": "EU", "rate": 0.125}
    assert duty_per_car(solved(_lane("DE", "US", mfn, s232, eu_deal))) == pytest.approx({2020: 150.0})
    assert duty_per_car(solved(_lane("JP", "US", mfn, s232, eu_deal))) == pytest.approx({2020: 275.0})


def test_the_shipped_deal_with_the_eu_reaches_a_german_plant() -> None:
    """Regime 2025-deals in 2026: a German car in the US pays MFN 2.5% + the EU's s232 12.5% (15% all in)."""
    data = _lane("DE", "US", start=2026) | {"regime": "2025-deals"}
    assert duty_per_car(solved(data)) == pytest.approx({2026: 150.0})


def test_a_market_standing_for_the_whole_union() -> None:
    """A market with country EU is the destination EU: a Chinese car pays the union's 10%, a German one nothing."""
    assert duty_per_car(solved(_lane("CN", "EU", EU_CET))) == pytest.approx({2020: 100.0})
    assert duty_per_car(solved(_lane("DE", "EU", EU_CET))) == pytest.approx({2020: 0.0})


def test_the_uk_is_in_the_union_in_2020_and_out_in_2021() -> None:
    """The UK left the customs union on 2020-12-31; its own tariff (8% here, from 2021-01-01) applies after.
    2020: a Chinese car pays the union's 10% (100 per car), a German one nothing (intra-union).
    2021: the union's tariff no longer applies in the UK, and German goods are no longer intra-union:
    both pay the UK's 8% (80 per car)."""
    uk = {"origin": "*", "destination": "GB", "product_class": CAR, "rate": 0.08, "from_date": "2021-01-01"}
    from_china = solved(_lane("CN", "GB", EU_CET, uk, end=2021))
    from_germany = solved(_lane("DE", "GB", EU_CET, uk, end=2021))
    assert duty_per_car(from_china) == pytest.approx({2020: 100.0, 2021: 80.0})
    assert duty_per_car(from_germany) == pytest.approx({2020: 0.0, 2021: 80.0})


def test_a_country_joining_the_union_mid_year_counts_its_days() -> None:
    """Croatia joined on 2013-07-01: a Croatian car in Germany pays the union's 10% from January 1 to June 30
    (181 of 2013's 365 days), 1,000 x 10% x 181 / 365 = 49.59 per car, and nothing in 2014."""
    plan = solved(_lane("HR", "DE", EU_CET, start=2013, end=2014))
    assert duty_per_car(plan) == pytest.approx({2013: 100.0 * 181 / 365, 2014: 0.0})


# An agreement listing the union


def _eu_korea(threshold: float = 0.55) -> dict:
    """EU-Korea: the EU and Korea from 2011-07-01, EU duty on Korean cars 0 (from 2014-07-01 in fact)."""
    return {
        "id": "eu-korea",
        "members": [{"country": "EU", "from_date": "2011-07-01"}, {"country": "KR", "from_date": "2011-07-01"}],
        "regional_value_content": threshold,
        "rates": [{"origin": "KR", "destination": "EU", "product_class": CAR, "rate": 0.0}],
    }


def _korea_to_germany(local: float, imported_origin: str, *, start: int = 2016, end: int | None = None) -> dict:
    """A Korean car in Germany, its content ``local`` Korean and the rest from ``imported_origin``."""
    return _lane("KR", "DE", EU_CET, start=start, end=end, agreements=(_eu_korea(),), local=local,
                 imported_cost=1000.0 - local, imported_currency="USD", imported_origin=imported_origin)


def test_korea_to_germany_under_eu_korea_meeting_the_rule_of_origin() -> None:
    """60% Korean content meets the 55% rule: the preferential 0 (destination EU) applies in Germany."""
    assert duty_per_car(solved(_korea_to_germany(600.0, "JP"))) == pytest.approx({2016: 0.0})


def test_korea_to_germany_under_eu_korea_short_of_the_rule_of_origin() -> None:
    """40% Korean, 60% Japanese content: short of 55%, so the union's 10% (100 per car)."""
    assert duty_per_car(solved(_korea_to_germany(400.0, "JP"))) == pytest.approx({2016: 100.0})


def test_content_from_any_member_of_the_union_counts_as_originating() -> None:
    """40% Korean and 60% German content: Germany is in the agreement through the EU, so 100% originating."""
    assert duty_per_car(solved(_korea_to_germany(400.0, "DE"))) == pytest.approx({2016: 0.0})


def test_content_from_a_country_that_left_the_union_stops_counting() -> None:
    """40% Korean and 60% British content: originating in 2020 (the UK in the EU), 40% in 2021: 10%."""
    plan = solved(_korea_to_germany(400.0, "GB", start=2020, end=2021))
    assert duty_per_car(plan) == pytest.approx({2020: 0.0, 2021: 100.0})


# Relief with no dutiable content


def _mexico_to_us(imported_origin: str) -> dict:
    """A Mexican car in the US in 2026, half its value imported from ``imported_origin``; USMCA (75% rule,
    0 between members) and an s232 of 25% whose relief for USMCA cars lists no dutiable content."""
    usmca = {"id": "usmca", "regional_value_content": 0.75, "rates": [{"product_class": CAR, "rate": 0.0}],
             "members": [{"country": c, "from_date": "2020-07-01"} for c in ("US", "CA", "MX")]}
    mfn = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.025}
    s232 = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.25, "additional": True,
            "measure": "s232", "relief": {"agreement": "usmca", "dutiable_content_outside": []}}
    return _lane("MX", "US", mfn, s232, start=2026, agreements=(usmca,), local=500.0, imported_cost=500.0,
                 imported_currency="USD", imported_origin=imported_origin)


def test_a_relief_listing_no_dutiable_content_leaves_qualifying_goods_nothing_to_pay() -> None:
    """Half Mexican, half US content qualifies: USMCA's 0, and the relieved s232 on no content at all."""
    assert duty_per_car(solved(_mexico_to_us("US"))) == pytest.approx({2026: 0.0})


def test_goods_short_of_the_rule_pay_in_full_whatever_the_relief() -> None:
    """Half Chinese content: 50% is short of 75%, so MFN 2.5% + s232 25% = 275 per car."""
    assert duty_per_car(solved(_mexico_to_us("CN"))) == pytest.approx({2026: 275.0})


# The lower of the preferential and the general rate, in each dated span


def _korea_to_us(*tariffs: dict, preference: float, start: int, relief: dict | None = None,
                 imported_origin: str | None = None) -> dict:
    """A Korean car in the US under an agreement (no rule of origin) whose rate on Korean cars is
    ``preference`` all year; the car's content all Korean, or half from ``imported_origin``."""
    deal = {"id": "deal", "members": [{"country": "US"}, {"country": "KR"}],
            "rates": [{"origin": "KR", "destination": "US", "product_class": CAR, "rate": preference}]}
    cost: dict = {} if imported_origin is None else {
        "local": 500.0, "imported_cost": 500.0, "imported_currency": "USD", "imported_origin": imported_origin}
    return _lane("KR", "US", *tariffs, start=start, agreements=(deal,), **cost)


def test_the_preference_is_claimed_only_in_the_spans_where_it_pays() -> None:
    """2020 has 366 days: the general rate is 0 for the 183 to July 1 and 10% for the 183 from July 2;
    the preference is 2.5% all year. A qualifying car pays 0 in the first half (the general rate is lower)
    and 2.5% in the second: 1.25% for the year, 12.50 per car. Choosing once from the year's averages
    (5% against 2.5%) would charge 2.5% all year, 25 per car."""
    before = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.0, "to_date": "2020-07-01"}
    after = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.10, "from_date": "2020-07-02"}
    plan = solved(_korea_to_us(before, after, preference=0.025, start=2020))
    assert duty_per_car(plan) == pytest.approx({2020: 12.5})
    assert costs_by(plan, "duty") == pytest.approx({2020: 125.0})


def test_a_preference_dearer_than_the_year_s_average_still_pays_in_its_span() -> None:
    """2021: the general rate is 0 to September 30 (273 days) and 10% from October 1 (92 days), 2.52% on
    average: lower than the 4% preference, which a choice from the averages would never claim. Per span
    the car pays 0, then 4% instead of 10%: 1,000 x 4% x 92 / 365 = 10.08 per car."""
    before = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.0, "to_date": "2021-09-30"}
    after = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.10, "from_date": "2021-10-01"}
    plan = solved(_korea_to_us(before, after, preference=0.04, start=2021))
    assert duty_per_car(plan) == pytest.approx({2021: 40.0 * 92 / 365})


@pytest.mark.parametrize(("imported_origin", "per_car"), [(None, 212.5), ("US", 125.0)])
def test_the_lower_rate_of_a_span_depends_on_the_dutiable_content(imported_origin: str | None,
                                                                  per_car: float) -> None:
    """2020, halves of 183 days: the general rate is 0 then 10%, plus a 20% additional duty all year whose
    relief lets the deal's cars pay it only on their non-US content (share d); the preference is 2.5%.
    Preferential: 2.5% + 20% d in both halves; general: 20% in the first, 30% in the second.
    All Korean content (d = 1): 22.5% > 20% in the first half, so the general rate; 22.5% < 30% in the
    second: (20% + 22.5%) / 2 = 21.25%, 212.50 per car (from the year's averages: min(25%, 22.5%) = 22.5%).
    Half US content (d = 0.5): 12.5% in both halves, 125 per car."""
    before = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.0, "to_date": "2020-07-01"}
    after = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.10, "from_date": "2020-07-02"}
    extra = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.20, "additional": True,
             "relief": {"agreement": "deal", "dutiable_content_outside": ["US"]}}
    plan = solved(_korea_to_us(before, after, extra, preference=0.025, start=2020, imported_origin=imported_origin))
    assert duty_per_car(plan) == pytest.approx({2020: per_car})


RATES = st.sampled_from([0.0, 0.025, 0.04, 0.10, 0.25])


@settings(max_examples=30)
@given(change=st.integers(1, 364), before=RATES, after=RATES, preference=RATES)
def test_a_qualifying_car_pays_the_lower_rate_of_each_span(change: int, before: float, after: float,
                                                           preference: float) -> None:
    """A general rate ``before`` for the first ``change`` days of 2021 and ``after`` for the other 365 - change,
    a preference all year: the duty per car is 1,000 x (change x min(before, preference) + (365 - change)
    x min(after, preference)) / 365, never more than the general rate alone or the preference alone."""
    first_after = dt.date(2021, 1, 1) + dt.timedelta(days=change)
    early = {"origin": "*", "destination": "US", "product_class": CAR, "rate": before,
             "to_date": (first_after - dt.timedelta(days=1)).isoformat()}
    late = {"origin": "*", "destination": "US", "product_class": CAR, "rate": after,
            "from_date": first_after.isoformat()}
    paid = duty_per_car(solved(_korea_to_us(early, late, preference=preference, start=2021)))[2021]
    general = 1000.0 * (change * before + (365 - change) * after) / 365
    assert paid == pytest.approx(1000.0 * (change * min(before, preference)
                                           + (365 - change) * min(after, preference)) / 365, abs=1e-9)
    assert paid <= min(general, 1000.0 * preference) + 1e-9
