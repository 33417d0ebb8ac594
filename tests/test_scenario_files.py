"""Scenario files: YAML round trips, figures, per-year series, variants; Plan folders; property tests."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import (
    assert_costs_match,
    capability,
    lane,
    make,
    market,
    plant,
    pool,
    product,
    scenario_data,
    small_network_data,
    write_yaml,
)
from footprint.economics.checks import CHECKS
from footprint.plan.plan import SUMMARY_FILE, TABLES, Plan
from footprint.plan.tables import solve
from footprint.scenario.formats.files import (
    ScenarioError,
    dump_scenario,
    load_scenario,
    save_scenario,
    scenario_from_data,
)
from footprint.scenario.formats.validation import REFUSED_CONTROLS
from footprint.scenario.model.figures import Figure
from footprint.scenario.model.scenario import Scenario


def reload(scenario: Scenario) -> Scenario:
    return scenario_from_data(yaml.safe_load(dump_scenario(scenario)), "dumped", CHECKS)


def rich_data() -> dict[str, Any]:
    """A scenario using every kind of number: plain, figures with provenance, per-year series of both."""
    figure = {"value": 142000.0, "low": 130000.0, "high": 150000.0, "source": "Automotive News, 2012-07-10",
              "assumption": "US Rogue sales, rounded"}
    return scenario_data(
        start=2012, end=2014,
        description="Nissan Rogue: Kyushu, Smyrna or Busan?",
        discount_rate={"value": 0.08, "low": 0.06, "high": 0.1, "assumption": "corporate WACC"},
        products=[product("rogue", "8703", platform="CMF-C/D")],
        plants=[
            plant("kyushu", {2012: 200000.0, 2013: {"value": 150000.0, "source": "plan"}, 2014: 100000.0},
                  products=("rogue",), country="JP", currency="JPY", location={"lat": 33.8, "lon": 130.9},
                  fixed_cost={"value": 1e9, "source": "estimate"}),
            plant("busan", products=("rogue",), country="KR", currency="KRW",
                  pools=[pool("body", ["rogue"], 300000.0), pool("paint", ["rogue"], 250000.0)],
                  operating_years={"start": 2013}),
        ],
        capabilities=[
            capability("kyushu", "rogue", 1.9e6, imported_cost=2000.0, imported_currency="USD", in_production=True),
            capability("busan", "rogue", {"value": 2.0e7, "low": 1.8e7, "high": 2.2e7, "source": "RSM"},
                       launch_cost=1.2e10, min_volume=20000.0),
        ],
        options=[{"id": "busan-rogue", "plant": "busan", "pool": "body", "capacity": 80000.0,
                  "capex": {"value": 160e6, "source": "Renault press release"}, "currency": "USD",
                  "earliest_year": 2014}],
        markets=[market("us", {2012: figure, 2013: 150000.0, 2014: 160000.0}, product="rogue",
                        lost_sale_penalty={"rogue": 5000.0}, customs_basis="cif")],
        lanes=[lane("kyushu", "us", 900.0), lane("busan", "us", {"value": 95000.0, "source": "quote"},
                                                currency="KRW")],
        default_freight=None,
        fx={"JPY": {2012: 79.8, 2013: {"value": 97.6, "low": 90.0, "high": 105.0}, 2014: 105.9},
            "KRW": 1100.0},
        tariffs=[{"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025},
                 {"origin": "KR", "destination": "US", "product_class": "8703", "from_year": 2016, "rate": 0.0}],
        solver={"mip_gap": 0.001, "time_limit": 30.0},
    )


def test_yaml_round_trip_keeps_figures_series_and_provenance():
    scenario = make(rich_data())
    text = dump_scenario(scenario)
    again = reload(scenario)
    assert again == scenario
    # The provenance survives as written, not just the values.
    capacity = again.plants[0].pools[0].capacity
    assert isinstance(capacity, dict)
    assert capacity[2013] == Figure(value=150000.0, source="plan")
    assert again.markets[0].demand["rogue"][2012] == Figure(
        value=142000.0, low=130000.0, high=150000.0, source="Automotive News, 2012-07-10",
        assumption="US Rogue sales, rounded")
    assert again.discount_rate == Figure(value=0.08, low=0.06, high=0.1, assumption="corporate WACC")
    assert "Renault press release" in text
    # Defaults are left out of the file.
    assert "in_production: false" not in text
    assert "customs_basis: fob" not in text
    assert "objective:" not in text


def test_save_and_load_scenario_file(tmp_path):
    scenario = make(rich_data())
    path = tmp_path / "rogue.yaml"
    save_scenario(scenario, path)
    assert load_scenario(path, CHECKS) == scenario
    assert load_scenario(str(path), CHECKS) == scenario


def test_round_tripped_scenario_solves_to_the_same_plan():
    scenario = make(small_network_data())
    assert solve(reload(scenario)).objective == pytest.approx(solve(scenario).objective, rel=1e-12)


def test_numbers_written_as_text_and_with_underscores_load():
    data = small_network_data()
    data["plants"][0]["pools"][0]["capacity"] = "1e2"
    data["options"][0]["capex"] = "110_000"
    scenario = make(data)
    assert scenario.plants[0].pools[0].capacity == 100.0
    assert scenario.options[0].capex == 110_000.0


def test_figure_outside_its_own_range_is_rejected():
    data = small_network_data()
    data["plants"][0]["fixed_cost"] = {"value": 50.0, "low": 60.0}
    with pytest.raises(ScenarioError) as caught:
        make(data)
    assert [p.path for p in caught.value.problems] == ["plants[detroit].fixed_cost"]
    assert "below its low 60" in caught.value.problems[0].message


def test_text_with_a_nel_round_trips():
    """NEL (U+0085) is a valid character in a description; dump_scenario must not turn it into a space."""
    text = "line\x85break"
    scenario = make(dict(small_network_data(), description=text))
    assert reload(scenario).description == text


# --- variants --------------------------------------------------------------------------------


def fx_choice_data() -> dict[str, Any]:
    """Busan wins at 1400 KRW/USD, Smyrna at 1100 (1,100,000 KRW vs 950 USD a car)."""
    return scenario_data(
        plants=[plant("busan", country="KR", currency="KRW"), plant("smyrna")],
        capabilities=[capability("busan", local_cost=1_100_000.0), capability("smyrna", local_cost=950.0)],
        markets=[market("us", 10.0)],
        fx={"KRW": 1100.0},
    )


def test_variant_replaces_the_fx_section_of_its_base(tmp_path):
    write_yaml(tmp_path / "base.yaml", fx_choice_data())
    variants = tmp_path / "variants"
    variants.mkdir()
    write_yaml(variants / "weak-won.yaml", {"extends": "../base.yaml", "fx": {"KRW": 1400.0}})
    base = load_scenario(tmp_path / "base.yaml", CHECKS)
    variant = load_scenario(variants / "weak-won.yaml", CHECKS)
    assert variant == base.model_copy(update={"fx": {"KRW": 1400.0}})
    assert variant.plants == base.plants
    # 10 * 950 at Smyrna in the base; 10 * 1,100,000 / 1400 at Busan in the variant
    assert solve(base).objective == pytest.approx(9500.0)
    assert solve(variant).objective == pytest.approx(10 * 1_100_000.0 / 1400.0)


def test_variant_of_a_variant(tmp_path):
    write_yaml(tmp_path / "base.yaml", fx_choice_data())
    write_yaml(tmp_path / "weak-won.yaml", {"extends": "base.yaml", "fx": {"KRW": 1400.0}})
    write_yaml(tmp_path / "renamed.yaml", {"extends": "weak-won.yaml", "name": "weak won, renamed"})
    scenario = load_scenario(tmp_path / "renamed.yaml", CHECKS)
    assert scenario.name == "weak won, renamed"
    assert scenario.fx == {"KRW": 1400.0}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.yaml": {"extends": "a.yaml"}}, "cycle"),
        ({"a.yaml": {"extends": "b.yaml"}, "b.yaml": {"extends": "a.yaml"}}, "cycle"),
        ({"a.yaml": {"extends": "missing.yaml"}}, "missing.yaml: no such file"),
        ({"a.yaml": {"extends": 5}}, "expected a file name, found 5"),
        ({"a.yaml": {"extends": "b.yaml"}, "b.yaml": ["not", "a", "mapping"]}, "is not a scenario mapping"),
    ],
)
def test_bad_extends_is_a_scenario_error(tmp_path, files, expected):
    for name, data in files.items():
        write_yaml(tmp_path / name, data)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "a.yaml", CHECKS)
    assert caught.value.source == str(tmp_path / "a.yaml")
    assert caught.value.problems[0].path == "extends"
    assert expected in str(caught.value)


def test_variant_sections_are_still_validated(tmp_path):
    write_yaml(tmp_path / "base.yaml", fx_choice_data())
    write_yaml(tmp_path / "bad.yaml", {"extends": "base.yaml", "fx": {"JPY": 100.0}})
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "bad.yaml", CHECKS)
    assert any(p.path == "plants[busan].currency" and "no FX rate for KRW" in p.message for p in caught.value.problems)


# --- Plan folders -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan() -> Plan:
    return solve(make(small_network_data()))


def assert_same_tables(read: Plan, written: Plan) -> None:
    for name in TABLES:
        expected = written.tables[name].reset_index(drop=True)
        found = read.tables[name]
        assert tuple(found.columns) == TABLES[name]
        categorical = [c for c in expected.columns if isinstance(expected[c].dtype, pd.CategoricalDtype)]
        expected = expected.astype(dict.fromkeys(categorical, str))
        found = found.astype(dict.fromkeys(categorical, str))
        pd.testing.assert_frame_equal(found, expected, check_dtype=False, check_exact=False, rtol=1e-12)


def test_plan_write_then_read_round_trip(tmp_path, plan):
    assert not plan.builds.empty
    folder = plan.write(tmp_path / "out")
    assert folder == tmp_path / "out"
    read = Plan.read(folder)
    assert read.summary == plan.summary
    assert_same_tables(read, plan)
    for name in TABLES:
        # Parquet keeps dtypes exactly, categoricals included.
        pd.testing.assert_frame_equal(read.tables[name], plan.tables[name].reset_index(drop=True))


def test_plan_read_from_csv_only(tmp_path, plan):
    folder = plan.write(tmp_path / "out")
    for parquet in folder.glob("*.parquet"):
        parquet.unlink()
    read = Plan.read(folder)
    assert read.summary == plan.summary
    assert_same_tables(read, plan)


def test_plan_write_leaves_no_temporary_files(tmp_path, plan):
    folder = plan.write(tmp_path / "out")
    plan.write(folder)  # overwrite in place
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([SUMMARY_FILE] + [f"{n}.{ext}" for n in TABLES for ext in ("csv", "parquet")])


def test_plan_write_with_empty_tables(tmp_path):
    """A plan that builds nothing still writes and reads every table (with its columns)."""
    plan = solve(make(fx_choice_data()))
    assert plan.builds.empty
    read = Plan.read(plan.write(tmp_path / "out"))
    assert read.builds.empty
    assert read.summary == plan.summary


# --- property tests on random small scenarios -------------------------------------------------

COUNTRIES = ["US", "KR", "JP", "DE", "MX"]
CURRENCIES = ["USD", "KRW", "EUR", "JPY"]
IDS = st.from_regex(r"[A-Za-z0-9_.\-]{1,8}", fullmatch=True)
# Any text a scenario may hold (no control character but tab and line feed), but NEL (U+0085), which PyYAML folds
# into a space: see test_text_with_a_nel_round_trips.
TEXT = st.text(st.characters(codec="utf-8", exclude_characters=REFUSED_CONTROLS + "\x85"), max_size=20)


def amounts(top: float = 1000.0) -> st.SearchStrategy[float]:
    """Costs and rates on a grid of 1/4, so that the solver's optimum is exact to rounding."""
    return st.integers(0, int(top * 4)).map(lambda n: n / 4)


@st.composite
def numbers(draw: st.DrawFn, top: float = 1000.0, positive: bool = False) -> Any:
    """A plain number or a figure with some of low, high, source, assumption."""
    value = draw(amounts(top).filter(lambda v: v > 0) if positive else amounts(top))
    if not draw(st.booleans()):
        return value
    figure: dict[str, Any] = {"value": value}
    if draw(st.booleans()):
        figure["low"] = value - draw(amounts(10))
    if draw(st.booleans()):
        figure["high"] = value + draw(amounts(10))
    if draw(st.booleans()):
        figure["source"] = draw(TEXT)
    if draw(st.booleans()):
        figure["assumption"] = draw(TEXT)
    return figure


@st.composite
def series(draw: st.DrawFn, years: list[int], top: float = 1000.0, positive: bool = False) -> Any:
    if draw(st.booleans()):
        return draw(numbers(top, positive))
    return {year: draw(numbers(top, positive)) for year in years}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Plain data of a valid small scenario; every demand may go unserved, so a plan always exists."""
    start = draw(st.integers(2000, 2030))
    years = list(range(start, start + draw(st.integers(1, 3))))
    profit = draw(st.booleans())
    product_ids = draw(st.lists(IDS, min_size=1, max_size=2, unique=True))
    plant_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    market_ids = draw(st.lists(IDS, min_size=1, max_size=2, unique=True))
    currencies: set[str] = set()

    def currency() -> str:
        code = draw(st.sampled_from(CURRENCIES))
        currencies.add(code)
        return code

    products = [{"id": p, "product_class": draw(st.sampled_from(["8703", "8704"]))} for p in product_ids]
    plants, capabilities, options = [], [], []
    for plant_id in plant_ids:
        pools = []
        for q in range(draw(st.integers(1, 2))):
            covered = draw(st.lists(st.sampled_from(product_ids), min_size=1, unique=True))
            pools.append({"id": f"q{q}", "products": covered, "capacity": draw(st.just(0.0) | series(years, 500))})
        entry: dict[str, Any] = {"id": plant_id, "country": draw(st.sampled_from(COUNTRIES)),
                                 "currency": currency(), "pools": pools}
        if draw(st.booleans()):
            entry["fixed_cost"] = draw(numbers(100))
        if draw(st.booleans()):
            entry["operating_years"] = {"start": draw(st.sampled_from(years))}
        if draw(st.booleans()):
            entry["location"] = {"lat": draw(st.floats(-90, 90)), "lon": draw(st.floats(-180, 180))}
        plants.append(entry)
        for product_id in sorted({p for q in pools for p in q["products"]}):
            if not draw(st.booleans()):
                continue
            cap: dict[str, Any] = {"plant": plant_id, "product": product_id, "local_cost": draw(numbers(50))}
            if draw(st.booleans()):
                cap |= {"imported_cost": draw(numbers(50)), "imported_currency": currency()}
            if draw(st.booleans()):
                cap["launch_cost"] = draw(numbers(200))
            if draw(st.booleans()):
                cap["min_volume"] = draw(numbers(100))
            if draw(st.booleans()):
                cap["in_production"] = True
            capabilities.append(cap)
        if draw(st.booleans()):
            option = {"id": f"{plant_id}-x", "plant": plant_id, "pool": "q0",
                      "capacity": draw(numbers(300, positive=True)), "capex": draw(numbers(50))}
            if draw(st.booleans()):
                option["currency"] = currency()
            if draw(st.booleans()):
                option["earliest_year"] = draw(st.sampled_from(years))
            options.append(option)
    if not capabilities:
        capabilities.append({"plant": plant_ids[0], "product": plants[0]["pools"][0]["products"][0],
                             "local_cost": draw(numbers(50))})
    markets = []
    for index, market_id in enumerate(market_ids):
        demanded = draw(st.lists(st.sampled_from(product_ids), min_size=1, unique=True))
        entry = {"id": market_id, "country": draw(st.sampled_from(COUNTRIES)),
                 "demand": {p: draw(series(years, 200)) for p in demanded},
                 "customs_basis": draw(st.sampled_from(["fob", "cif"]))}
        if index == 0:  # some demand, so the model is never empty (test_scenario_without_demand_costs_its_fixed_cost)
            entry["demand"][demanded[0]] = draw(numbers(200, positive=True))
        if draw(st.booleans()):
            entry["currency"] = currency()
        if profit:
            entry["price"] = {p: draw(series(years, 300)) for p in demanded}
        if not profit or draw(st.booleans()):
            entry["lost_sale_penalty"] = {p: draw(series(years, 300)) for p in demanded}
        markets.append(entry)
    lanes = []
    for plant_id in plant_ids:
        for market_id in market_ids:
            if draw(st.booleans()):
                entry = {"plant": plant_id, "market": market_id, "freight": draw(numbers(30))}
                if draw(st.booleans()):
                    entry["currency"] = currency()
                lanes.append(entry)
    tariffs = []
    for origin, destination in draw(st.lists(st.tuples(st.sampled_from(["*", *COUNTRIES]),
                                                       st.sampled_from(COUNTRIES)), max_size=3, unique=True)):
        tariff = {"origin": origin, "destination": destination, "product_class": "8703",
                  "rate": draw(numbers(0.5))}
        if draw(st.booleans()):
            tariff["from_year"] = years[0]
        tariffs.append(tariff)
    fx = {}
    for code in sorted(currencies - {"USD"}):
        fx[code] = draw(series(years, 2000, positive=True))
    data = {
        "name": draw(TEXT),
        "description": draw(TEXT),
        "horizon": {"start": years[0], "end": years[-1]},
        "objective": "maximize_profit" if profit else "minimize_cost",
        "discount_rate": draw(numbers(0.25)),
        "products": products,
        "plants": plants,
        "capabilities": capabilities,
        "options": options,
        "markets": markets,
        "lanes": lanes,
        "fx": fx,
        "tariffs": tariffs,
    }
    if draw(st.integers(0, 3)):  # mostly: otherwise only the lanes drawn above connect plants and markets
        data["default_freight"] = draw(numbers(30))
    return data


@settings(max_examples=100)
@given(scenarios())
def test_property_dump_then_load_gives_an_equal_scenario(data):
    scenario = scenario_from_data(data, "<scenario>", CHECKS)
    assert reload(scenario) == scenario


@settings(max_examples=60)
@given(scenarios())
def test_property_solved_plan_adds_up(data):
    plan = solve(scenario_from_data(data, "<scenario>", CHECKS))
    assert plan.status == "optimal"
    assert math.isfinite(plan.objective)
    assert_costs_match(plan)
    demand = plan.demand
    assert ((demand["served"] + demand["lost"] - demand["demand"]).abs() <= 1e-6 * (1 + demand["demand"])).all()
    utilization = plan.utilization
    assert (utilization["used"] <= utilization["capacity"] + 1e-6).all()
