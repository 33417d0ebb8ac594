"""The public API: `import footprint as fp` is enough to load, solve, read, explain and find a breakeven."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import footprint
import footprint.api
from conftest import capability, make, market, plant, scenario_data, small_network_data, write_yaml
from footprint.economics.checks import CHECKS
from footprint.optimize.changes import Change
from footprint.plan.store import RunStore
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import load_scenario


def test_the_package_names_exactly_the_api():
    assert footprint.__all__ == footprint.api.__all__
    for name in footprint.__all__:
        assert getattr(footprint, name) is getattr(footprint.api, name)


def test_importing_footprint_loads_no_solver_and_no_pandas():
    code = "import sys, footprint; print(sorted(m for m in ('pandas', 'highspy', 'pydantic') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_load_solve_write_read(tmp_path):
    path = write_yaml(tmp_path / "net.yaml", small_network_data())
    plan = footprint.solve(footprint.load(path))
    assert plan.status == "optimal"
    read = footprint.read_plan(plan.write(tmp_path / "out"))
    assert read.objective == pytest.approx(plan.objective)


def test_load_warns_and_strict_refuses(tmp_path):
    data = small_network_data()
    data["tariffs"][0]["rate"] = 25.0
    path = write_yaml(tmp_path / "net.yaml", data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        footprint.load(path)
    assert [type(w.message) for w in caught] == [footprint.ScenarioWarning]
    assert "tariffs[*/US/8703].rate: a rate of 25 is 2500%" in str(caught[0].message)
    assert [p.path for p in footprint.check(path)] == ["tariffs[*/US/8703].rate"]
    with pytest.raises(footprint.ScenarioError, match="1 warning"):
        footprint.load(path, strict=True)


def test_explain_and_breakeven_from_the_api(tmp_path):
    path = write_yaml(tmp_path / "net.yaml", small_network_data())
    explanation = footprint.explain(footprint.load(path), "us", "car")
    assert set(explanation.landed["plant"]) == {"detroit", "busan"}
    choice = write_yaml(tmp_path / "choice.yaml", scenario_data(
        plants=[plant("busan", country="KR", currency="KRW"), plant("smyrna")],
        capabilities=[capability("busan", local_cost=1_100_000.0), capability("smyrna", local_cost=950.0)],
        markets=[market("us", 10.0)], fx={"KRW": 1100.0}))
    assert footprint.breakeven(choice, "fx.KRW", 1000.0, 1400.0).bracket is None  # nothing strategic to change
    result = footprint.breakeven(choice, "fx.KRW", 1000.0, 1400.0, level="assignments")
    assert result.bracket is not None
    low, high = result.bracket  # a car from Busan costs 1,100,000 / rate USD: 950 at 1,157.9 won per dollar
    assert low.value <= 1_100_000 / 950 <= high.value
    with pytest.raises(footprint.ExplainError, match="unknown market 'mars'"):
        footprint.explain(footprint.load(path), "mars", "car")


FORMS = ("case", "file", "scenario")
"""How a scenario may be given to the API: a bundled case's name, a file, a Scenario."""


def given(form: str) -> object:
    path = case_path("rogue-2012")
    assert path is not None
    return {"case": "rogue-2012", "file": path, "scenario": load_scenario(path, CHECKS)}[form]


@pytest.fixture(scope="module")
def rogue() -> footprint.Scenario:
    path = case_path("rogue-2012")
    assert path is not None
    return load_scenario(path, CHECKS)


@pytest.mark.parametrize("form", FORMS)
def test_load_solve_explain_and_alternative_take_a_case_a_file_or_a_scenario(form, rogue):
    scenario = given(form)
    assert footprint.load(scenario) == rogue
    optimum = footprint.solve(rogue).objective
    assert footprint.solve(scenario).objective == pytest.approx(optimum)
    explanation = footprint.explain(scenario, "us", "rogue", 2014)
    expected = footprint.explain(rogue, "us", "rogue", 2014).landed
    assert list(explanation.landed["plant"]) == list(expected["plant"])
    assert list(explanation.landed["landed"]) == pytest.approx(list(expected["landed"]))
    changes = (Change("forbid", "busan-rogue-line@2014"),)
    delta = footprint.alternative(rogue, changes, optimum).delta
    assert delta > 0
    assert footprint.alternative(scenario, changes, optimum).delta == pytest.approx(delta)


@pytest.mark.parametrize("form", FORMS)
def test_breakeven_takes_a_case_a_file_or_a_scenario(form, rogue):
    expected = footprint.breakeven(rogue, "fx.KRW", 800.0, 1600.0, tolerance=100.0)
    result = footprint.breakeven(given(form), "fx.KRW", 800.0, 1600.0, tolerance=100.0)
    assert [trial.value for trial in result.trials] == [trial.value for trial in expected.trials]
    assert [trial.objective for trial in result.trials] == pytest.approx([t.objective for t in expected.trials])


def test_check_takes_a_case_a_file_or_a_scenario(tmp_path):
    data = small_network_data()
    data["tariffs"][0]["rate"] = 25.0
    path = write_yaml(tmp_path / "net.yaml", data)
    assert [p.path for p in footprint.check(path)] == ["tariffs[*/US/8703].rate"]
    assert [p.path for p in footprint.check(make(data))] == ["tariffs[*/US/8703].rate"]
    assert footprint.check("rogue-2012") == []


def test_sensitivity_takes_a_scenario_as_it_takes_its_file(tmp_path):
    data = small_network_data()
    data["fx"] = {"KRW": {"value": 1100.0, "low": 500.0, "high": 1600.0}}
    path = write_yaml(tmp_path / "net.yaml", data)
    with RunStore(tmp_path / "runs.sqlite") as store:
        from_file = footprint.sensitivity(path, workers=1, store=store)
        from_scenario = footprint.sensitivity(make(data), workers=1, store=store)
    assert [bar.path for bar in from_scenario.bars] == [bar.path for bar in from_file.bars] == ["fx.KRW"]
    assert from_scenario.base_objective == pytest.approx(from_file.base_objective)
    (file_bar,), (scenario_bar,) = from_file.bars, from_scenario.bars
    assert (scenario_bar.low.objective, scenario_bar.high.objective) == pytest.approx(
        (file_bar.low.objective, file_bar.high.objective))
