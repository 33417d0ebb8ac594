"""Dated tariffs: additional duties stack on base rates; a date range counts its share of the year."""

from __future__ import annotations

import pytest

from conftest import capability, costs_by, lane, make, market, plant, scenario_data, solved
from footprint.scenario.formats.files import ScenarioError

MFN = {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025}


def _japan_to_us(*tariffs: dict) -> dict:
    return scenario_data(
        start=2025, end=2026,
        plants=[plant("kyushu", country="JP")],
        capabilities=[capability("kyushu", local_cost=1000.0)],
        markets=[market("us", 10.0)],
        lanes=[lane("kyushu", "us", 0.0)],
        default_freight=None,
        tariffs=[MFN, *tariffs],
    )


def test_an_additional_duty_stacks_on_the_base_rate() -> None:
    plan = solved(_japan_to_us({"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.25,
                                "additional": True}))
    # 2.5% MFN + 25% additional = 27.5% of 1,000 on 10 units, both years
    assert costs_by(plan, "duty") == pytest.approx({2025: 2750.0, 2026: 2750.0})


def test_a_dated_duty_counts_the_share_of_its_year() -> None:
    s232 = {"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.25, "additional": True,
            "from_date": "2025-04-03"}
    plan = solved(_japan_to_us(s232))
    # In force from April 3: 273 of 2025's 365 days, and all of 2026.
    in_2025 = 0.025 + 0.25 * 273 / 365
    assert costs_by(plan, "duty") == pytest.approx({2025: 10 * 1000.0 * in_2025, 2026: 10 * 1000.0 * 0.275})


def test_base_rates_that_split_a_year_are_averaged_by_days() -> None:
    # Japan's own base rate: 2.5% to September 15, then 15% all-in (the 2025 deal, as a base rate)
    before = {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.025, "to_date": "2025-09-15"}
    after = {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.15,
             "from_date": "2025-09-16"}
    plan = solved(_japan_to_us(before, after))
    share_after = 107 / 365  # September 16 to December 31
    expected_2025 = 0.025 * (1 - share_after) + 0.15 * share_after
    assert costs_by(plan, "duty") == pytest.approx({2025: 10_000.0 * expected_2025, 2026: 10_000.0 * 0.15})


def test_overlapping_base_rates_are_a_problem() -> None:
    first = {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.1, "to_date": "2025-06-30"}
    second = {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.2, "from_date": "2025-06-01"}
    with pytest.raises(ScenarioError) as caught:
        make(_japan_to_us(first, second))
    assert any(p.path == "tariffs[JP/US/8703/2025-06-01..]" and "a second base rate for JP -> US" in p.message
               and "(first in tariffs[JP/US/8703/..2025-06-30])" in p.message and "additional: true" in p.message
               for p in caught.value.problems)


def test_years_and_dates_do_not_mix() -> None:
    with pytest.raises(ScenarioError) as caught:
        make(_japan_to_us({"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.1,
                           "year": 2025, "from_date": "2025-01-01"}))
    assert any("give years or dates, not both" in p.message for p in caught.value.problems)
