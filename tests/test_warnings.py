"""Plausibility warnings: valid scenarios that are probably mistakes, reported with errors in one pass.

Each warning names its entity by id and the line of the file; `--strict` makes warnings errors.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from conftest import capability, lane, market, plant, scenario_data, small_network_data, solved, write_yaml
from footprint.cli import app
from footprint.economics.checks import CHECKS
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.sources import ScenarioError

SHIPPED_CLASSES = "8407, 8408, 8483, 8507.60, 8703, 8708"
"""The classes the shipped regimes give rates for (cars, their engines, transmissions, batteries and parts)."""


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def flat(text: str) -> str:
    return " ".join(text.split())


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, flat(result.output)


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that holds ``text``."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def tariff(origin: str, destination: str, rate: float, product_class: str = "8703", **extra: Any) -> dict[str, Any]:
    return {"origin": origin, "destination": destination, "product_class": product_class, "rate": rate, **extra}


# (change to the small network, key path of the warning, what the warning says)
WARNINGS: dict[str, tuple[Callable[[dict], Any], str, str]] = {
    "a rate of 25 meant as 25%": (
        lambda d: d["tariffs"].append(tariff("KR", "US", 25.0, additional=True, measure="s232")),
        "tariffs[KR/US/8703/s232].rate", "a rate of 25 is 2500%; rates are shares (0.25 = 25%): did you mean 0.25?"),
    "a product-class typo": (
        lambda d: d["tariffs"].append(tariff("*", "EU", 0.1, product_class="8730")),
        "tariffs[*/EU/8730].product_class",
        "no product has class '8730' or a class under it, so this rate applies to nothing"),
    "a tariff from a country with no plant": (
        lambda d: d["tariffs"].append(tariff("BR", "US", 0.1)),
        "tariffs[BR/US/8703].origin", "no plant is in BR, so this rate applies to nothing; plants are in KR, US"),
    "a tariff into a country with no market": (
        lambda d: d["tariffs"].append(tariff("*", "JP", 0.1)),
        "tariffs[*/JP/8703].destination", "no market is in JP, so this rate applies to nothing"),
    "a tariff wholly after the horizon": (
        lambda d: d["tariffs"].append(tariff("*", "EU", 0.1, from_date="2030-01-01")),
        "tariffs[*/EU/8703/2030-01-01..]", "in force only outside the horizon 2020-2021: it changes nothing"),
    "an option that comes after the horizon": (
        lambda d: d["options"].append({"id": "late-line", "plant": "detroit", "pool": "main", "capacity": 10.0,
                                       "capex": 1.0, "earliest_year": 2025}),
        "options[late-line].earliest_year", "2025 is after the horizon 2020-2021: the option can never be built"),
    "an inverted exchange rate": (
        lambda d: d.update(fx={"KRW": 1 / 1100}),
        "fx.KRW", "0.000909091 KRW per USD in 2020 is 1/1.3e+06 of the ECB's mean for 2020 (1,179.36); it looks "
                  "inverted (USD per KRW): rates are units of KRW per USD"),
    "a lost-sale penalty below the landed cost": (
        lambda d: d["markets"][0].update(lost_sale_penalty={"car": 1.0}),
        "markets[us].lost_sale_penalty.car",
        # busan: 11,000 KRW / 1,100 = 10 USD, freight 4, duty 2.5% of 10 = 0.25: 14.25 USD a car
        "a lost sale (1.00 USD a unit in 2020) is below the cheapest landed cost of car in us (14.25): "
        "the plan will leave this demand unserved"),
}
# More, each on its own (they change the products' class or the rates the warnings above are about).
WARNINGS_APART: dict[str, tuple[Callable[[dict], Any], str, str]] = {
    "a growth of 8 meant as 8% a year": (
        lambda d: d["markets"][0].update(demand={"car": {"from": 150.0, "growth": 8}}),
        "markets[us].demand.car.growth",
        "a growth rate of 8 is 800% a year; growth rates are shares (0.08 = 8%): did you mean 0.08?"),
    "a discount rate of 9 meant as 9%": (
        lambda d: d.update(discount_rate=9),
        "discount_rate", "a discount rate of 9 is 900% a year; discount rates are shares (0.09 = 9%): did you mean "
                         "0.09?"),
    "a regime with rates for other products only": (
        lambda d: d["products"][0].update(product_class="8418") or d["tariffs"][0].update(product_class="8418")
        or d.update(regime="2012"),
        "regime", f"regime '2012' has rates for product classes {SHIPPED_CLASSES} only, and the scenario has no "
                  "product of those classes (its products' class: 8418): its rates apply to nothing"),
    "a member's own rate while it is in its customs union": (
        lambda d: d["tariffs"].extend([tariff("*", "EU", 0.1), tariff("*", "DE", 0.05)]),
        "tariffs[*/DE/8703]", "while DE is in the EU (since 1958-01-01), this rate replaces the EU's (* -> EU, class "
                              "8703) on imports into DE in 2020-2021: a member's own rate replaces its union's; date "
                              "it to the days DE is outside the EU"),
}


def mutated(change: Callable[[dict], Any]) -> dict:
    data = copy.deepcopy(small_network_data())
    change(data)
    return data


def test_the_small_network_has_no_warning():
    write_yaml(Path("ok.yaml"), small_network_data())
    assert read_scenario("ok.yaml", CHECKS).warnings == []


@pytest.mark.parametrize("case", [*WARNINGS, *WARNINGS_APART])
def test_each_probable_mistake_is_a_warning_at_its_entity(case):
    change, path, message = {**WARNINGS, **WARNINGS_APART}[case]
    file = write_yaml(Path("warn.yaml"), mutated(change))
    code, output = validate("warn.yaml")
    assert code == 0, output
    assert "valid scenario 'test'" in output
    assert "1 warning" in output
    assert "warning: warn.yaml:" in output
    assert f"{path}: {message}" in output
    loaded = read_scenario(file, CHECKS)
    (warning,) = loaded.warnings
    assert warning.severity == "warning"
    assert warning.path == path


@pytest.mark.parametrize("case", ["a rate of 25 meant as 25%", "an inverted exchange rate",
                                  "a growth of 8 meant as 8% a year", "a regime with rates for other products only"])
def test_strict_makes_warnings_errors(case):
    change, path, _ = {**WARNINGS, **WARNINGS_APART}[case]
    write_yaml(Path("warn.yaml"), mutated(change))
    code, output = validate("warn.yaml", "--strict")
    assert code == 1
    assert output.startswith("warn.yaml: 0 problems, 1 warning")
    assert path in output
    with pytest.raises(ScenarioError):
        read_scenario("warn.yaml", CHECKS, strict=True)


def test_the_mistakes_and_an_unknown_reference_are_reported_in_one_run_each_with_its_line():
    """Every warning above and a typo in a plant id, all in one file: one run names them all, each by its
    entity's id, with the line it is on."""
    data = small_network_data()
    for change, _, _ in WARNINGS.values():
        change(data)
    data["capabilities"][0]["plant"] = "detriot"
    file = write_yaml(Path("all.yaml"), data)
    code, output = validate("all.yaml")
    assert code == 1
    assert output.startswith(f"all.yaml: 1 problem, {len(WARNINGS)} warnings")
    typo = line_of(file, "plant: detriot")
    assert f"all.yaml:{typo}: capabilities[detriot/car].plant: unknown plant 'detriot'; known: busan, detroit" in output
    tariffs = [n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
               if line.startswith("- origin:") or line.startswith("  - origin:")]
    assert f"warning: all.yaml:{tariffs[1] + 3}: tariffs[KR/US/8703/s232].rate: a rate of 25 is 2500%" in output
    assert f"warning: all.yaml:{line_of(file, 'earliest_year: 2025')}: options[late-line].earliest_year" in output
    for path in ("tariffs[*/EU/8730].product_class", "tariffs[BR/US/8703].origin", "tariffs[*/JP/8703].destination",
                 "tariffs[*/EU/8703/2030-01-01..]:",
                 "fx.KRW", "markets[us].lost_sale_penalty.car"):
        assert f"{path}" in output, path
    # Errors come first, then the warnings.
    assert output.index("unknown plant") < output.index("warning:")


REPRO = Path(__file__).parent / "repro"


def test_a_plant_that_fails_to_load_does_not_make_its_tariff_a_warning():
    """The Mexican plant has a bad capacity: that is the problem, not a tariff on Mexico with 'no plant in MX'."""
    code, output = validate(str(REPRO / "cascade-warning.yaml"))
    assert code == 1
    assert output.startswith(f"{REPRO / 'cascade-warning.yaml'}: 1 problem ")
    assert "plants[monterrey].pools[line].capacity: expected a number, found '150k'" in output
    assert "warning:" not in output
    assert "no plant is in MX" not in output


@pytest.mark.parametrize(("change", "quiet"), [
    (lambda d: d["products"][0].update(platform=["x"]) or d["tariffs"].append(tariff("*", "EU", 0.1)),
     "no product has class"),
    (lambda d: d["markets"][1].update(currency="euro") or d["tariffs"].append(tariff("*", "EU", 0.1)),
     "no market is in EU"),
    (lambda d: d["capabilities"][1].update(local_cost=-1.0) or d["markets"][0].update(lost_sale_penalty={"car": 20.0}),
     "below the cheapest landed cost"),  # only Detroit's 30 + 1 is left: Busan's 14.25 did not load
])
def test_a_warning_does_not_blame_what_an_entry_that_failed_would_have_given(change, quiet):
    """Each change breaks an entry (an error) whose absence alone would raise the warning."""
    write_yaml(Path("broken.yaml"), mutated(change))
    code, output = validate("broken.yaml")
    assert code == 1
    assert "1 problem" in output
    assert quiet not in output


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


GROWTH_AND_DISCOUNT = [
    "warning: {file}:3: discount_rate: a discount rate of 9 is 900% a year; discount rates are shares (0.09 = 9%): "
    "did you mean 0.09?",
    "warning: {file}:12: markets[us].demand.hp.growth: a growth rate of 8 is 800% a year; growth rates are shares "
    "(0.08 = 8%): did you mean 0.08?",
]


def test_a_growth_and_a_discount_rate_written_as_percents_are_warnings_of_run_and_errors_with_strict():
    file = REPRO / "growth-as-percent.yaml"
    ran = run("run", str(file), "--no-store")
    assert ran.exit_code == 0
    assert flat(ran.stderr) == " ".join(flat(warning.format(file=file)) for warning in GROWTH_AND_DISCOUNT)
    assert "warning" not in ran.stdout
    strict = run("run", str(file), "--no-store", "--strict")
    assert strict.exit_code == 1
    assert flat(strict.output).startswith(f"{file}: 0 problems, 2 warnings")


@pytest.mark.parametrize("series", [
    ("markets", 0, "price"), ("markets", 0, "lost_sale_penalty"), ("markets", 0, "demand"),
])
def test_every_growth_series_warns_of_a_growth_rate_written_as_a_percent(series):
    section, index, field = series
    data = mutated(lambda d: d[section][index].update({field: {"car": {"from": 100.0, "growth": 5}}}))
    data["plants"][0]["pools"][0]["capacity"] = {"from": 1000.0, "growth": 3.5}
    loaded = read_scenario(write_yaml(Path("growth.yaml"), data), CHECKS)
    assert sorted((w.path, w.message) for w in loaded.warnings if "growth rate" in w.message) == sorted([
        (f"markets[us].{field}.car.growth",
         "a growth rate of 5 is 500% a year; growth rates are shares (0.05 = 5%): did you mean 0.05?"),
        ("plants[detroit].pools[main].capacity.growth",
         "a growth rate of 3.5 is 350% a year; growth rates are shares (0.035 = 3.5%): did you mean 0.035?"),
    ])


def test_a_growth_of_100_percent_a_year_or_less_is_no_warning():
    data = mutated(lambda d: d["markets"][0].update(demand={"car": {"from": 100.0, "growth": 1.0}}))
    assert read_scenario(write_yaml(Path("ok.yaml"), data), CHECKS).warnings == []


def test_a_regime_of_other_classes_is_a_warning_naming_the_classes_of_both():
    file = REPRO / "regime-other-class.yaml"
    code, output = validate(str(file))
    assert code == 0
    assert (f"warning: {file}:3: regime: regime '2025-deals' has rates for product classes {SHIPPED_CLASSES} only, "
            "and the scenario has no product of those classes (its products' class: 8418): its rates apply to "
            "nothing") in output


def test_a_regimes_generator_of_a_regime_of_other_classes_warns_that_its_future_is_another_s_twin(tmp_path):
    base = REPRO / "regime-other-class.yaml"
    scenario_set = tmp_path / "set.yaml"
    scenario_set.write_text(f"kind: scenario-set\nbase: {base}\ngenerate:\n  regimes:\n"
                            "    - {regime: none, probability: 0.5}\n    - {regime: 2025-s232, probability: 0.5}\n",
                            encoding="utf-8")
    listed = run("futures", str(scenario_set))
    assert listed.exit_code == 0
    warnings = flat(listed.stderr)
    assert f"warning: {base}:3: regime: regime '2025-deals' has rates for product classes {SHIPPED_CLASSES}" in warnings
    assert (f"warning: {scenario_set}:6: generate.regimes[1].regime: regime '2025-s232' has rates for product "
            f"classes {SHIPPED_CLASSES} only, and the scenario has no product of those classes (its products' "
            "class: 8418): its rates apply to nothing, so its future is the same as with no regime") in warnings
    strict = run("futures", str(scenario_set), "--strict")
    assert strict.exit_code == 1
    assert flat(strict.output).startswith(f"{scenario_set}: 0 problems, 2 warnings")


def test_an_undated_member_rate_is_a_warning_naming_the_union_and_the_years_it_overrides_it():
    file = REPRO / "brexit-undated-gb-rate.yaml"
    code, output = validate(str(file))
    assert code == 0
    assert (f"warning: {file}:15: tariffs[*/GB/8418]: while GB is in the EU (from 1973-01-01 to 2020-12-31), this rate "
            "replaces the EU's (* -> EU, class 8418) on imports into GB in 2019-2020: a member's own rate replaces its "
            "union's; date it to the days GB is outside the EU") in output


def test_a_member_rate_dated_after_the_country_left_is_no_warning():
    data = yaml.safe_load((REPRO / "brexit-undated-gb-rate.yaml").read_text(encoding="utf-8"))
    data["tariffs"][1]["from_date"] = "2021-01-01"
    assert read_scenario(write_yaml(Path("left.yaml"), data), CHECKS).warnings == []


@pytest.mark.parametrize(("change", "path", "rate"), [
    (lambda d: d.update(discount_rate={"value": 0.08, "low": 0.05, "high": 12}), "discount_rate.high", 12),
    (lambda d: d["markets"][0].update(demand={"car": {"from": 150.0, "growth": {"value": 0.03, "high": 5}}}),
     "markets[us].demand.car.growth.high", 5),
    (lambda d: d["tariffs"][0].update(rate={"value": 25, "low": 20, "high": 30}), "tariffs[*/US/8703].rate", 25),
])
def test_the_end_of_a_range_written_as_a_percent_is_a_warning(change, path, rate):
    """A sensitivity samples a figure's range: a high of 12 meant as 12% is as wrong as a value of 12."""
    loaded = read_scenario(write_yaml(Path("range.yaml"), mutated(change)), CHECKS)
    (warning,) = loaded.warnings
    assert warning.path == path
    assert f" of {rate:g} is {rate:.0%}" in warning.message


def with_a_mexican_engine_supplier(data: dict) -> dict:
    """The small network's car with an engine bought from a supplier in Mexico: engines leave MX and enter the US
    and Korea, where the plants are."""
    data["components"] = [{"id": "engine", "product_class": "8407", "value": 2.0}]
    data["products"][0]["bom"] = {"engine": 1}
    data["suppliers"] = [{"id": "aguascalientes", "country": "MX", "currency": "USD",
                          "supplies": [{"component": "engine", "price": 2.0}]}]
    data["lanes"] += [lane("aguascalientes", "detroit", 0.5), lane("aguascalientes", "busan", 1.0)]
    return data


def test_a_rate_on_a_suppliers_country_or_into_a_plant_taking_in_parts_applies_to_something():
    """Suppliers' components pay duties too, and plants take them in: a rate from Mexico, where only a supplier
    is, and a rate into Korea, where a plant but no market is, are no warnings (they were 'no plant is in MX')."""
    data = with_a_mexican_engine_supplier(small_network_data())
    data["tariffs"] += [tariff("MX", "US", 0.25, product_class="8407"), tariff("*", "KR", 0.08, product_class="8407")]
    write_yaml(Path("parts.yaml"), data)
    assert read_scenario("parts.yaml", CHECKS).warnings == []


def test_a_rate_from_a_country_with_neither_plant_nor_supplier_names_both():
    data = with_a_mexican_engine_supplier(small_network_data())
    data["tariffs"] += [tariff("JP", "US", 0.25, product_class="8407"), tariff("*", "JP", 0.1, product_class="8407")]
    write_yaml(Path("parts.yaml"), data)
    code, output = validate("parts.yaml")
    assert code == 0, output
    assert ("tariffs[JP/US/8407].origin: no plant or supplier is in JP, so this rate applies to nothing; plants are "
            "in KR, US; suppliers are in MX") in output
    assert ("tariffs[*/JP/8407].destination: no market or plant taking in components is in JP, so this rate applies "
            "to nothing; markets are in EU, US; plants taking in components are in KR, US") in output


def kit_car() -> dict[str, Any]:
    """Smyrna assembles a car for 100 from a kit bought at 950 (no freight, no duty), for a lost sale of 1,000."""
    return scenario_data(
        plants=[plant("smyrna")], capabilities=[capability("smyrna", "car", 100.0)],
        markets=[market("us", 10.0, lost_sale_penalty={"car": 1000.0})],
        products=[{"id": "car", "product_class": "8703", "bom": {"kit": 1}}],
        components=[{"id": "kit", "product_class": "8708", "value": 950.0}],
        suppliers=[{"id": "kits", "country": "US", "currency": "USD",
                    "supplies": [{"component": "kit", "price": 950.0}]}])


def unprofitable_warnings(data: dict[str, Any]) -> list[str]:
    return [warning.message for warning in read_scenario(write_yaml(Path("tiers.yaml"), data), CHECKS).warnings]


def test_a_lost_sale_below_the_cost_of_the_parts_is_warned_of() -> None:
    """The kit car: 1,050 a car, above a lost sale of 1,000. The assembly alone (100) is not what the plan weighs the
    lost sale against."""
    data = kit_car()
    assert unprofitable_warnings(data) == [
        "a lost sale (1,000.00 USD a unit in 2020) is below the cheapest landed cost of car in us (1,050.00): the "
        "plan will leave this demand unserved"]
    data["suppliers"][0]["supplies"][0]["price"] = 850.0
    assert unprofitable_warnings(data) == []


def test_a_route_through_a_distribution_centre_cheaper_than_the_direct_lane_is_not_warned_of() -> None:
    """Direct, a car costs 100 + 500 of freight; through the centre 100 + 10 + 10. A lost sale of 300 is below the
    first, not the second: the plan serves the market, so there is nothing to warn of."""
    data = scenario_data(
        plants=[plant("smyrna")], capabilities=[capability("smyrna", "car", 100.0)],
        markets=[market("us", 10.0, lost_sale_penalty={"car": 300.0})], default_freight=None,
        lanes=[{"origin": "smyrna", "destination": "us", "freight": 500.0},
               {"origin": "smyrna", "destination": "dc", "freight": 10.0},
               {"origin": "dc", "destination": "us", "freight": 10.0}],
        facilities=[{"id": "dc", "country": "US", "currency": "USD"}])
    assert unprofitable_warnings(data) == []
    assert solved(data).tables["deliveries"]["units"].sum() == 10.0


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["products"][0].update(bom={"kat": 1}), "products[car].bom.kat: unknown component 'kat'; known: kit"),
    (lambda d: d["suppliers"][0]["supplies"][0].update(component="kat"),
     "suppliers[kits].supplies[kat].component: unknown component 'kat'; known: kit"),
    (lambda d: d["components"][0].update(value="x"), "components[kit].value: expected a number, found 'x'"),
])
def test_a_broken_part_is_a_message_while_the_warnings_price_the_rest(change: Callable[[dict], Any],
                                                                      message: str) -> None:
    """The warnings that price the network (here: a lost sale below the cost of the parts) take what resolves;
    a part that does not is the error's to report, never a crash."""
    data = kit_car()
    change(data)
    write_yaml(Path("broken.yaml"), data)
    code, output = validate("broken.yaml")
    assert code == 1, output
    assert message in flat(output)
