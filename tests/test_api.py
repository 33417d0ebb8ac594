"""The public API: `import footprint as fp` is enough to load, solve, read, explain and find a breakeven."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import footprint
import footprint.api
from conftest import capability, market, plant, scenario_data, small_network_data, write_yaml


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
    assert "tariffs[0].rate: a rate of 25 is 2500%" in str(caught[0].message)
    assert [p.path for p in footprint.check(path)] == ["tariffs[0].rate"]
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
