"""Plausibility warnings: valid scenarios that are probably mistakes, reported with errors in one pass.

Each warning names its entity by id and the line of the file; `--strict` makes warnings errors.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import small_network_data, write_yaml
from footprint.cli import app
from footprint.economics.checks import CHECKS
from footprint.scenario.files import read_scenario
from footprint.scenario.sources import ScenarioError


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
        "tariffs[1].rate", "a rate of 25 is 2500%; rates are shares (0.25 = 25%): did you mean 0.25?"),
    "a product-class typo": (
        lambda d: d["tariffs"].append(tariff("*", "EU", 0.1, product_class="8730")),
        "tariffs[1].product_class", "no product has class '8730', so this rate applies to nothing"),
    "a tariff from a country with no plant": (
        lambda d: d["tariffs"].append(tariff("BR", "US", 0.1)),
        "tariffs[1].origin", "no plant is in BR, so this rate applies to nothing; plants are in KR, US"),
    "a tariff into a country with no market": (
        lambda d: d["tariffs"].append(tariff("*", "JP", 0.1)),
        "tariffs[1].destination", "no market is in JP, so this rate applies to nothing"),
    "a tariff wholly after the horizon": (
        lambda d: d["tariffs"].append(tariff("*", "EU", 0.1, from_date="2030-01-01")),
        "tariffs[1]", "in force only outside the horizon 2020-2021: it changes nothing"),
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


def mutated(change: Callable[[dict], Any]) -> dict:
    data = copy.deepcopy(small_network_data())
    change(data)
    return data


def test_the_small_network_has_no_warning():
    write_yaml(Path("ok.yaml"), small_network_data())
    assert read_scenario("ok.yaml", CHECKS).warnings == []


@pytest.mark.parametrize("case", WARNINGS)
def test_each_probable_mistake_is_a_warning_at_its_entity(case):
    change, path, message = WARNINGS[case]
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


@pytest.mark.parametrize("case", ["a rate of 25 meant as 25%", "an inverted exchange rate"])
def test_strict_makes_warnings_errors(case):
    change, path, _ = WARNINGS[case]
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
    assert output.startswith("all.yaml: 1 problem, 8 warnings")
    typo = line_of(file, "plant: detriot")
    assert f"all.yaml:{typo}: capabilities[0].plant: unknown plant 'detriot'; known: busan, detroit" in output
    tariffs = [n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
               if line.startswith("- origin:") or line.startswith("  - origin:")]
    assert f"warning: all.yaml:{tariffs[1] + 3}: tariffs[1].rate: a rate of 25 is 2500%" in output
    assert f"warning: all.yaml:{line_of(file, 'earliest_year: 2025')}: options[late-line].earliest_year" in output
    for path in ("tariffs[2].product_class", "tariffs[3].origin", "tariffs[4].destination", "tariffs[5]:",
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
