"""Free-trade agreements: rules of origin, phase-outs, sourcing to qualify, relief from additional duties."""

from __future__ import annotations

import pytest
import yaml

from conftest import (
    REPRO,
    assert_costs_match,
    capability,
    costs_by,
    make,
    market,
    plant,
    scenario_data,
    solved,
    write_yaml,
)
from footprint.economics.checks import CHECKS
from footprint.scenario.formats.files import ScenarioError, read_scenario

CAR = "8703"
MFN_US = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.025}


def korus(threshold: float = 0.35, **member_dates: str) -> dict:
    """KORUS as in force: members from 2012-03-15, US 2.5% on Korean cars to 2015, 0 from 2016."""
    since = member_dates.get("from_date", "2012-03-15")
    return {
        "id": "korus",
        "members": [{"country": "US", "from_date": since}, {"country": "KR", "from_date": since}],
        "regional_value_content": threshold,
        "rates": [
            {"origin": "KR", "destination": "US", "product_class": CAR, "to_year": 2015, "rate": 0.025},
            {"origin": "KR", "destination": "US", "product_class": CAR, "from_year": 2016, "rate": 0.0},
        ],
    }


def busan_to_us(local: float, imported: float, *, start: int = 2016, end: int | None = None,
                sourcing: list | None = None, **extra: object) -> dict:
    """10 cars a year from a Korean plant, its imported content from Japan, at no freight."""
    return scenario_data(
        start=start, end=end,
        plants=[plant("busan", country="KR")],
        capabilities=[capability("busan", local_cost=local, imported_cost=imported, imported_currency="USD",
                                 imported_origin="JP", sourcing=sourcing or [])],
        markets=[market("us", 10.0)],
        tariffs=[MFN_US],
        agreements=[korus()],
        **extra,
    )


def test_content_exactly_at_the_threshold_qualifies() -> None:
    plan = solved(busan_to_us(local=350.0, imported=650.0))  # 35.0% Korean content, KORUS asks 35%
    assert costs_by(plan, "duty") == pytest.approx({2016: 0.0})


def test_content_just_below_the_threshold_pays_the_general_rate() -> None:
    plan = solved(busan_to_us(local=349.9, imported=650.1))  # 34.99% Korean content
    assert costs_by(plan, "duty") == pytest.approx({2016: 10 * 1000.0 * 0.025})


def test_stated_content_overrides_the_cost_split() -> None:
    data = busan_to_us(local=900.0, imported=100.0)  # 90% Korean by cost ...
    data["capabilities"][0]["content"] = {"KR": 0.2, "JP": 0.8}  # ... but stated 20% Korean
    assert costs_by(solved(data), "duty") == pytest.approx({2016: 250.0})


def test_the_preferential_rate_follows_its_phase_out() -> None:
    plan = solved(busan_to_us(local=600.0, imported=400.0, start=2015, end=2016))
    # KORUS keeps 2.5% on Korean cars in 2015 and drops it to 0 in 2016.
    assert costs_by(plan, "duty") == pytest.approx({2015: 250.0, 2016: 0.0})


def test_an_agreement_entering_into_force_mid_year_counts_its_days() -> None:
    data = busan_to_us(local=600.0, imported=400.0, start=2012)
    data["agreements"][0]["rates"] = [{"origin": "KR", "destination": "US", "product_class": CAR, "rate": 0.0}]
    plan = solved(data)
    # 2012 is a leap year: January 1 to March 14 is 74 of 366 days at the MFN rate, the rest at 0.
    assert costs_by(plan, "duty") == pytest.approx({2012: 10_000.0 * 0.025 * 74 / 366})


def test_no_preferential_rate_listed_means_the_base_rate() -> None:
    data = busan_to_us(local=600.0, imported=400.0)
    data["agreements"][0]["rates"] = []
    assert costs_by(solved(data), "duty") == pytest.approx({2016: 250.0})


def test_a_plant_outside_the_agreement_pays_the_general_rate() -> None:
    data = busan_to_us(local=600.0, imported=400.0)
    data["plants"][0]["country"] = "JP"
    assert costs_by(solved(data), "duty") == pytest.approx({2016: 250.0})


def _sourcing_case(fixed_cost: float) -> dict:
    # 30% Korean content: short of KORUS's 35%. Sourcing 10% of the value in Korea instead of Japan
    # costs 10 per unit more and `fixed_cost` a year; it saves 2.5% duty on 1,000 = 25 per unit.
    korean_engine = {"id": "korean-engine", "share": 0.10, "origin": "KR", "extra_cost": 10.0,
                     "fixed_cost": fixed_cost, "currency": "USD"}
    data = busan_to_us(local=300.0, imported=700.0, sourcing=[korean_engine])
    data["markets"][0]["demand"]["car"] = 100.0
    return data


def test_sourcing_to_qualify_is_chosen_when_it_pays() -> None:
    plan = solved(_sourcing_case(fixed_cost=1000.0))
    # 100 cars: 100,000 production + 100 x 10 extra + 1,000 fixed = 102,000 < 100,000 + 2,500 duty.
    assert plan.objective == pytest.approx(102_000.0)
    assert costs_by(plan, "duty") == pytest.approx({2016: 0.0})
    assert costs_by(plan, "sourcing") == pytest.approx({2016: 1000.0})
    assert costs_by(plan, "sourcing_fixed") == pytest.approx({2016: 1000.0})
    used = plan.tables["sourcing"]
    assert list(used["option"]) == ["korean-engine"]
    assert float(used["units"].sum()) == pytest.approx(100.0)
    assert set(plan.flows["sourcing"].astype(str)) == {"korean-engine"}
    assert_costs_match(plan)


def test_sourcing_to_qualify_is_left_when_its_fixed_cost_is_too_high() -> None:
    plan = solved(_sourcing_case(fixed_cost=2000.0))
    # 100,000 + 1,000 + 2,000 = 103,000 > 102,500: pay the duty instead.
    assert plan.objective == pytest.approx(102_500.0)
    assert plan.tables["sourcing"].empty
    assert set(plan.flows["sourcing"].astype(str)) == {"own"}


def _mexico_to_us(imported_origin: str) -> dict:
    usmca = {"id": "usmca", "regional_value_content": 0.75, "rates": [{"product_class": CAR, "rate": 0.0}],
             "members": [{"country": c, "from_date": "2020-07-01"} for c in ("US", "CA", "MX")]}
    s232 = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.25, "additional": True,
            "measure": "s232", "relief": {"agreement": "usmca", "dutiable_content_outside": ["US"]}}
    return scenario_data(
        start=2026,
        plants=[plant("aguascalientes", country="MX")],
        capabilities=[capability("aguascalientes", local_cost=500.0, imported_cost=500.0,
                                 imported_currency="USD", imported_origin=imported_origin)],
        markets=[market("us", 10.0)],
        tariffs=[MFN_US, s232],
        agreements=[usmca],
    )


def test_qualifying_goods_pay_a_relieved_duty_on_their_non_us_content_only() -> None:
    # Half Mexican, half US content: qualifies for USMCA (0 duty) and pays s232's 25% on the Mexican half.
    assert costs_by(solved(_mexico_to_us("US")), "duty") == pytest.approx({2026: 10 * 0.25 * 500.0})


def test_non_qualifying_goods_pay_the_base_rate_and_the_full_additional_duty() -> None:
    # Half Chinese content: 50% regional value content, short of 75%.
    assert costs_by(solved(_mexico_to_us("CN")), "duty") == pytest.approx({2026: 10 * 0.275 * 1000.0})


@pytest.mark.parametrize(("s232", "duty"), [(0.125, 5.0), (0.03, 3.0)])
def test_relief_goes_with_a_claim_of_its_agreement(s232: float, duty: float) -> None:
    """tests/repro/relief-needs-claim.yaml: a US car (100) into Germany, no general rate, an s232 duty relieved
    in full for goods claiming fta, whose own rate is 5%. Relief comes only with the claim: claiming pays
    5% + 0, not claiming 0% + s232. At 12.5% the unit claims (5), at 3% it does not (3); never 0."""
    data = yaml.safe_load((REPRO / "relief-needs-claim.yaml").read_text(encoding="utf-8"))
    data["tariffs"][0]["rate"] = s232
    plan = solved(data)
    assert costs_by(plan, "duty") == pytest.approx({2022: duty})
    assert plan.objective == pytest.approx(100.0 + duty)


def test_a_relief_whose_claim_costs_more_than_the_general_rate_is_warned_of() -> None:
    (warning,) = read_scenario(REPRO / "relief-needs-claim.yaml", CHECKS).warnings
    assert warning.path == "tariffs[*/DE/8704/s232].relief.agreement"
    assert warning.message == (
        "relief goes with a claim of fta, whose rate on 8704 from US to DE (5%) is above the general rate (0%): "
        "a unit that claims fta pays 5% and the duty as relieved, one that does not 0% and the duty (12.5%) in "
        "full; each unit pays the less")


def test_a_relief_no_lane_can_claim_is_warned_of(tmp_path) -> None:
    """USMCA relief on a duty into the US paid only by a Japanese car: Japan is no member, so no unit can claim."""
    data = _mexico_to_us("US")
    data["plants"][0]["country"] = "JP"
    (warning,) = read_scenario(write_yaml(tmp_path / "japan.yaml", data), CHECKS).warnings
    assert warning.path == "tariffs[*/US/8703/s232].relief.agreement"
    assert warning.message == ("no lane that pays this duty runs between two members of usmca: relief goes with a "
                               "claim of usmca, so it applies to nothing")


def test_a_relief_members_can_claim_at_no_extra_rate_is_not_warned_of(tmp_path) -> None:
    assert read_scenario(write_yaml(tmp_path / "mexico.yaml", _mexico_to_us("US")), CHECKS).warnings == []


def test_an_origin_s_own_additional_rate_replaces_the_any_origin_one_of_its_measure() -> None:
    s232 = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.25, "additional": True,
            "measure": "s232"}
    deal = s232 | {"origin": "JP", "rate": 0.125}
    other = {"origin": "*", "destination": "US", "product_class": CAR, "rate": 0.01, "additional": True}
    data = scenario_data(start=2026, plants=[plant("kyushu", country="JP")],
                         capabilities=[capability("kyushu", local_cost=1000.0)], markets=[market("us", 10.0)],
                         tariffs=[MFN_US, s232, deal, other])
    # 2.5% MFN + 12.5% (Japan's s232 rate instead of 25%) + 1% of another measure, which stacks.
    assert costs_by(solved(data), "duty") == pytest.approx({2026: 10_000.0 * 0.16})


def test_exposure_shows_each_cost_in_its_own_currency() -> None:
    data = busan_to_us(local=600.0, imported=400.0, fx={"KRW": 1100.0})
    data["plants"][0]["currency"] = "KRW"
    data["capabilities"][0]["local_cost"] = 660_000.0  # 600 USD at 1,100 KRW per USD
    plan = solved(data)
    exposure = plan.tables["exposure"]
    local = exposure[exposure["component"] == "production_local"]
    assert list(local["currency"]) == ["KRW"]
    assert list(local["plant"]) == ["busan"]
    assert float(local["amount"].iloc[0]) == pytest.approx(6000.0)
    assert float(local["amount_in_currency"].iloc[0]) == pytest.approx(6_600_000.0)
    by_component = exposure.groupby("component")["amount"].sum()
    costs = plan.costs.groupby("component")["amount"].sum()
    assert by_component.to_dict() == pytest.approx(costs[costs != 0].to_dict())


def test_a_relief_must_name_a_known_agreement() -> None:
    data = _mexico_to_us("US")
    data["tariffs"][1]["relief"]["agreement"] = "nafta"
    with pytest.raises(ScenarioError) as caught:
        make(data)
    assert any(p.path == "tariffs[*/US/8703/s232].relief.agreement" and "unknown agreement 'nafta'" in p.message
               for p in caught.value.problems)


def test_content_shares_may_not_exceed_one() -> None:
    data = busan_to_us(local=600.0, imported=400.0)
    data["capabilities"][0]["content"] = {"KR": 0.7, "JP": 0.4}
    with pytest.raises(ScenarioError) as caught:
        make(data)
    assert any(p.path.startswith("capabilities[busan/car]") and "more than 1" in p.message
               for p in caught.value.problems)
