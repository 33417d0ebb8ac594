"""Published benchmarks with known optima: OR-Library capacitated warehouse location and GAMS trnsport."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ORLIB, TRNSPORT, make
from footprint.cli import app
from footprint.economics.checks import CHECKS
from footprint.plan.tables import solve
from footprint.scenario.formats.files import load_scenario
from footprint.scenario.formats.orlib import OrlibError, scenario_from_orlib_cap

INSTANCES = ["cap41", "cap42", "cap43", "cap44", "cap71", "cap72", "cap73", "cap74",
             "cap101", "cap102", "cap103", "cap104"]


def published_optima() -> dict[str, float]:
    """capopt.txt: one ``name value`` pair per line."""
    optima = {}
    for line in (ORLIB / "capopt.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, value = line.split()
            optima[name] = float(value)
    return optima


def test_capopt_lists_every_instance_we_solve():
    optima = published_optima()
    assert set(INSTANCES) <= set(optima)
    assert all(value > 0 for value in optima.values())


@pytest.mark.parametrize("name", INSTANCES)
def test_orlib_cap_objective_matches_published_optimum(name):
    scenario = scenario_from_orlib_cap(ORLIB / f"{name}.txt")
    plan = solve(scenario)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(published_optima()[name], rel=1e-6)
    # Every customer is fully served and every open site was paid for once.
    assert (plan.demand["served"] - plan.demand["demand"]).abs().max() < 1e-6
    assert plan.builds["option"].is_unique


def test_orlib_cap41_mapping_of_the_file():
    """The importer turns each warehouse into a site with one option, and costs into per-unit lane freight."""
    tokens = (ORLIB / "cap41.txt").read_text(encoding="utf-8").split()
    sites, customers = int(tokens[0]), int(tokens[1])
    scenario = scenario_from_orlib_cap(ORLIB / "cap41.txt")
    assert len(scenario.plants) == len(scenario.options) == sites
    assert len(scenario.markets) == customers
    assert scenario.years == [scenario.horizon.start]
    first_capacity, first_fixed = float(tokens[2]), float(tokens[3])
    assert scenario.options[0].capacity == first_capacity
    assert scenario.options[0].capex == first_fixed
    start = 2 + 2 * sites
    demand, cost_from_site1 = float(tokens[start]), float(tokens[start + 1])
    assert scenario.markets[0].demand["units"] == demand
    lane = next(x for x in scenario.lanes if x.origin == "site1" and x.destination == "customer1")
    assert lane.freight == pytest.approx(cost_from_site1 / demand)


def test_orlib_import_cli_round_trip_through_yaml(tmp_path):
    out = tmp_path / "cap41.yaml"
    result = CliRunner().invoke(app, ["import", "orlib-cap", str(ORLIB / "cap41.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "16 candidate sites, 50 customers" in " ".join(result.output.split())
    loaded = load_scenario(out, CHECKS)
    assert loaded == scenario_from_orlib_cap(ORLIB / "cap41.txt")
    assert solve(loaded).objective == pytest.approx(published_optima()["cap41"], rel=1e-6)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def trnsport_data() -> dict:
    """Dantzig's transportation problem: plants already open (pools with base capacity), freight 90 $/case/1000 mi
    in thousands of dollars, no production cost, one year, one product."""
    plants = read_csv(TRNSPORT / "plants.csv")
    markets = read_csv(TRNSPORT / "markets.csv")
    distances = read_csv(TRNSPORT / "distance_thousand_miles.csv")
    return {
        "name": "trnsport",
        "horizon": {"start": 1963, "end": 1963},
        "products": [{"id": "cases", "product_class": "goods"}],
        "plants": [{"id": row["plant"], "country": "US", "currency": "USD",
                    "pools": [{"id": "cannery", "products": ["cases"], "capacity": float(row["capacity_cases"])}]}
                   for row in plants],
        "capabilities": [{"plant": row["plant"], "product": "cases", "local_cost": 0.0} for row in plants],
        "markets": [{"id": row["market"], "country": "US", "demand": {"cases": float(row["demand_cases"])}}
                    for row in markets],
        "lanes": [{"plant": row["plant"], "market": row["market"],
                   "freight": 90 * float(row["distance_thousand_miles"]) / 1000} for row in distances],
    }


def test_gams_trnsport_objective():
    plan = solve(make(trnsport_data()))
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(153.675, rel=1e-9)
    assert plan.summary["integer_variables"] == 0
    # The optimal shipments are not unique, but their totals are fixed by demand and capacity.
    flows = plan.flows.astype({"plant": str, "market": str})
    shipped_from = flows.groupby("plant")["units"].sum()
    capacities = {row["plant"]: float(row["capacity_cases"]) for row in read_csv(TRNSPORT / "plants.csv")}
    assert all(shipped_from[p] <= capacities[p] + 1e-6 for p in shipped_from.index)
    received = flows.groupby("market")["units"].sum()
    for row in read_csv(TRNSPORT / "markets.csv"):
        assert math.isclose(received[row["market"]], float(row["demand_cases"]), abs_tol=1e-6)


# --- OR-Library reader errors: always OrlibError naming the file, never another exception.

def orlib_error(path: Path, capacity: float | None = None) -> str:
    with pytest.raises(OrlibError) as caught:
        scenario_from_orlib_cap(path, capacity=capacity)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_orlib_truncated_file(tmp_path):
    tokens = (ORLIB / "cap41.txt").read_text(encoding="utf-8").split()
    path = tmp_path / "truncated.txt"
    path.write_text(" ".join(tokens[: len(tokens) // 2]), encoding="utf-8")
    message = orlib_error(path)
    assert f"found {len(tokens) // 2}" in message
    assert f"need {len(tokens)} numbers" in message


def test_orlib_file_with_a_word_where_a_number_belongs(tmp_path):
    tokens = (ORLIB / "cap41.txt").read_text(encoding="utf-8").split()
    tokens[5] = "twelve"
    path = tmp_path / "word.txt"
    path.write_text(" ".join(tokens), encoding="utf-8")
    message = orlib_error(path)
    assert "token 6 is 'twelve'" in message


def test_orlib_capacity_word_needs_a_capacity(benchmark_instances):
    message = orlib_error(benchmark_instances / "orlib-cap" / "capa.txt")
    assert "--capacity" in message


def test_orlib_capacity_word_substituted():
    scenario = scenario_from_orlib_cap(ORLIB / "capa.txt", capacity=8000)
    assert {option.capacity for option in scenario.options} == {8000.0}
    assert len(scenario.markets) == 1000


MALFORMED = {  # file text by label; the last ten are accepted by float() but are not valid instances
    "empty": "",
    "one number": "16",
    "zero sites": "0 1\n5\n",
    "too many numbers": "1 1\n5 1\n3 2\n7\n",
    "zero demand": "1 1\n5 1\n0 2\n",
    "binary": "\x00\x01\x02",
    "nan header": "nan 1\n5 1\n3 2\n",
    "infinite header": "inf 1\n5 1\n3 2\n",
    "overflowing header": "1e400 1\n5 1\n3 2\n",
    "fractional site count": "1.5 1\n5 1\n3 2\n",
    "negative capacity": "1 1\n-5 1\n3 2\n",
    "zero capacity": "1 1\n0 1\n3 2\n",
    "negative fixed cost": "1 1\n5 -1\n3 2\n",
    "negative cost": "1 1\n5 1\n3 -2\n",
    "nan cost": "1 1\n5 1\n3 nan\n",
    "nan demand": "1 1\n5 1\nnan 2\n",
}


@pytest.mark.parametrize("label", MALFORMED)
def test_orlib_malformed_file_gives_orlib_error(tmp_path, label):
    path = tmp_path / "bad.txt"
    path.write_text(MALFORMED[label], encoding="utf-8")
    orlib_error(path)


@pytest.mark.parametrize("capacity", [0.0, -1.0, math.nan])
def test_orlib_bad_capacity_override_gives_orlib_error(capacity):
    orlib_error(ORLIB / "capa.txt", capacity=capacity)


def test_orlib_unreadable_paths(tmp_path):
    assert "cannot read" in orlib_error(tmp_path / "missing.txt")
    assert "cannot read" in orlib_error(tmp_path)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("1 1\n5 1\n3 2 \xe9\n".encode("latin-1"))
    assert "cannot read" in orlib_error(latin1)


def test_orlib_cli_errors_are_messages_not_tracebacks(tmp_path):
    runner = CliRunner()
    capa = runner.invoke(app, ["import", "orlib-cap", str(ORLIB / "capa.txt"), "-o", str(tmp_path / "a.yaml")])
    assert capa.exit_code == 1
    assert isinstance(capa.exception, SystemExit)
    assert "--capacity" in capa.output
    assert not (tmp_path / "a.yaml").exists()

    bad = tmp_path / "bad.txt"
    bad.write_text("1 1\n-5 1\n3 2\n", encoding="utf-8")
    negative = runner.invoke(app, ["import", "orlib-cap", str(bad), "-o", str(tmp_path / "b.yaml")])
    assert negative.exit_code == 1
    assert isinstance(negative.exception, SystemExit), negative.exception
    assert "Traceback" not in negative.output
