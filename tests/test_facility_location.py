"""Published single-source facility location optima (Holmberg et al. 1999) reproduced, the importer's mapping and
its reading of the files' quirks, and the two-stage (Fernandes et al. 2014) reader (issue 17, point 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import BENCHMARKS, invoke
from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.plan.tables import solve
from footprint.scenario.formats.facility_location import (
    read_sscflp,
    read_tscflp,
    scenario_from_sscflp,
    scenario_from_tscflp,
    sscflp_data,
)
from footprint.scenario.formats.files import load_scenario
from footprint.scenario.formats.orlib import PRODUCT, OrlibError

HOLMBERG = BENCHMARKS / "holmberg-sscflp"
YANG = BENCHMARKS / "yang-sscflp"
FERNANDES = BENCHMARKS / "fernandes-tscflp"
EXACT = SolverOptions(mip_gap=0.0)
SUBSET = ["p1", "p5", "p13", "p17", "p37", "p43", "p45", "p47", "p48", "p49", "p52", "p53", "p54"]
"""Instances of every size but the largest (10 x 50, 20 x 50, 30 x 150, 30 x 70, 20 x 80, 10 x 90, 10 x 100, 20 x
100), each solved in seconds; benchmarks/published.py solves all 71."""


def holmberg_optima() -> dict[str, float]:
    """holmberg_opt.txt: ``name value`` a line."""
    lines = (HOLMBERG / "holmberg_opt.txt").read_text(encoding="utf-8").splitlines()
    return {name: float(value) for name, value in (line.split() for line in lines if line.strip())}


def test_the_optima_list_every_instance() -> None:
    optima = holmberg_optima()
    assert set(optima) == {f"p{k}" for k in range(1, 72)}
    assert set(SUBSET) <= set(optima)
    assert len((YANG / "os").read_text(encoding="utf-8").split()) == 20


@pytest.mark.parametrize("name", SUBSET)
def test_holmberg_optimum_reproduced_at_gap_0(name: str) -> None:
    scenario = scenario_from_sscflp(HOLMBERG / f"{name}.txt")
    plan = solve(scenario, EXACT)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(holmberg_optima()[name], rel=1e-9)
    # Every customer is served whole, by one site, and every site that serves is open and within its capacity.
    flows = plan.flows.astype({"plant": str, "market": str})
    assert flows["market"].is_unique
    assert (plan.demand["served"] - plan.demand["demand"]).abs().max() < 1e-6
    assert len(plan.tables["single_sources"]) == len(scenario.markets)
    instance = read_sscflp(HOLMBERG / f"{name}.txt")
    served = flows.groupby("plant")["units"].sum()
    capacity = {f"site{i + 1}": instance.capacity[i] for i in range(len(instance.capacity))}
    assert all(units <= capacity[site] + 1e-6 for site, units in served.items())


def test_the_mapping_of_a_file() -> None:
    """Each facility a candidate plant with its capacity and fixed cost, each customer a single-sourced market,
    the cost of serving a customer whole spread over its units; the costs are facility-major."""
    tokens = (HOLMBERG / "p1.txt").read_text(encoding="utf-8").split()
    m, n = int(tokens[0]), int(tokens[1])
    scenario = scenario_from_sscflp(HOLMBERG / "p1.txt")
    assert (len(scenario.plants), len(scenario.markets), len(scenario.lanes)) == (m, n, m * n)
    first = scenario.plants[0]
    assert (first.candidate, first.pools[0].capacity, first.fixed_cost) == (True, float(tokens[2]), float(tokens[3]))
    demand_at = 2 + 2 * m
    assert scenario.markets[1].demand["units"] == float(tokens[demand_at + 1])
    assert all(market.single_source is True for market in scenario.markets)
    # Facility 2's cost of serving customer 3 is the (n + 3)-th cost.
    lane = next(x for x in scenario.lanes if x.origin == "site2" and x.destination == "customer3")
    assert lane.freight * float(tokens[demand_at + 2]) == pytest.approx(float(tokens[demand_at + n + n + 2]))
    assert scenario.solver.mip_gap == 0.0


def test_a_small_instance_solved_by_hand(tmp_path: Path) -> None:
    # Sites 1 and 2 hold 10 each, site 3 holds 15; fixed 20, 20, 45; customers want 5, 5, 4, 6 (20). Site 3
    # alone cannot hold 20 and any pair with it costs 65 in fixed cost alone; sites 1 and 2 (40) must each fill
    # up to 10 exactly: {1, 2} and {3, 4} (5 + 5, 4 + 6) is the only split, at 10 + 10 (the other way round: 160).
    path = tmp_path / "tiny.txt"
    path.write_bytes(b"3 4\r\n10 20\r\n10 20\r\n15 45\r\n5 5 4 6\r\n5 5 40 40\r\n40 40 4 6\r\n10 10 8 12\r\n\0\0\0")
    plan = solve(scenario_from_sscflp(path), EXACT)
    assert plan.objective == pytest.approx(60.0, rel=1e-12)
    chosen = plan.tables["single_sources"].astype({"plant": str, "market": str})
    assert dict(zip(chosen["market"], chosen["plant"], strict=True)) == {
        "customer1": "site1", "customer2": "site1", "customer3": "site2", "customer4": "site2"}


def test_the_files_quirks_are_read_past() -> None:
    """CR LF line ends, NUL padding, and p47's 17 stray tokens after its NULs: the data ends at the first NUL."""
    raw = (HOLMBERG / "p47.txt").read_bytes()
    assert b"\r\n" in raw
    assert len(raw[raw.index(b"\0"):].replace(b"\0", b" ").split()) == 17
    instance = read_sscflp(HOLMBERG / "p47.txt")
    assert instance.cost.shape == (10, 90)
    assert instance.cost[-1, -1] == float(raw[:raw.index(b"\0")].split()[-1])


def test_yang_files_read_as_holmberg_s() -> None:
    instance = read_sscflp(YANG / "p16")
    assert instance.cost.shape == (80, 400)
    # Facility-major: a customer's costs from every facility grow with its demand (cost = demand x distance).
    assert np.corrcoef(instance.cost.mean(axis=0), instance.demand)[0, 1] > 0.9


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected 'facilities customers' first"),
    ("2 1\n5 1\n5 1\n3\n1\n", "2 facilities and 1 customers need 9 numbers, found 8"),
    ("1 1\n5 1\n0\n2\n", "customer 1 has demand 0; expected > 0"),
    ("1 1\n0 1\n3\n2\n", "facility 1 has capacity 0; expected > 0"),
    ("1 2\n5 1\n3 3\n2 -1\n", "facility 1, customer 2 has cost -1; expected >= 0"),
    ("1 1\n5 1\n3\nx\n", "token 6 is 'x', expected a number"),
])
def test_a_malformed_file_is_an_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OrlibError) as raised:
        sscflp_data(path)
    assert str(raised.value) == f"{path}: {message}"
    result = invoke("import", "sscflp", str(path), "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out.yaml").exists()


def test_the_import_command_writes_a_scenario_that_reproduces_the_optimum(tmp_path: Path) -> None:
    out = tmp_path / "p47.yaml"
    result = invoke("import", "sscflp", str(HOLMBERG / "p47.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "10 candidate sites, 90 single-sourced customers" in " ".join(result.output.split())
    loaded = load_scenario(out, CHECKS)
    assert loaded == scenario_from_sscflp(HOLMBERG / "p47.txt")
    assert solve(loaded).objective == pytest.approx(holmberg_optima()["p47"], rel=1e-9)  # its own gap: 0


def test_a_two_stage_file_reads_into_its_arrays() -> None:
    instance = read_tscflp(FERNANDES / "PSC1-C1-50.txt")
    assert instance.demand.shape == (200,)
    assert (instance.plant_capacity.shape, instance.plant_fixed_cost.shape) == ((50,), (50,))
    assert instance.plant_cost.shape == (50, 100)
    assert (instance.depot_capacity.shape, instance.depot_fixed_cost.shape) == ((100,), (100,))
    assert instance.depot_cost.shape == (100, 200)
    tokens = (FERNANDES / "PSC1-C1-50.txt").read_text(encoding="utf-8").split()
    assert instance.demand[0] == float(tokens[3])
    assert (instance.plant_capacity[0], instance.plant_fixed_cost[0]) == (float(tokens[203]), float(tokens[204]))
    assert instance.depot_cost[-1, -1] == float(tokens[-1])
    # Every instance of the set has room for its demand at both stages.
    assert instance.plant_capacity.sum() >= instance.demand.sum() <= instance.depot_capacity.sum()


def test_a_truncated_two_stage_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("2 2 2\n1 1\n", encoding="utf-8")
    with pytest.raises(OrlibError, match="2 plants, 2 depots and 2 customers need 21 numbers, found 5"):
        read_tscflp(path)


def test_a_two_stage_file_is_plants_depots_and_customers(tmp_path: Path) -> None:
    """PSC1-C1-50: 50 candidate plants, 100 candidate depots (distribution centres), 200 customers, a lane from each
    plant to each depot and each depot to each customer at the file's cost, none direct."""
    path = FERNANDES / "PSC1-C1-50.txt"
    instance = read_tscflp(path)
    result = invoke("import", "tscflp", str(path), "-o", str(tmp_path / "psc.yaml"))
    assert result.exit_code == 0, result.output
    assert "50 candidate plants, 100 candidate depots, 200 customers" in result.output
    scenario = load_scenario(tmp_path / "psc.yaml", CHECKS)
    assert (len(scenario.plants), len(scenario.facilities), len(scenario.markets)) == (50, 100, 200)
    assert all(plant.candidate for plant in scenario.plants)
    assert all(facility.candidate for facility in scenario.facilities)
    assert scenario.default_freight is None
    lanes = {(lane.origin, lane.destination): lane.freight for lane in scenario.lanes}
    assert len(lanes) == 50 * 100 + 100 * 200
    assert lanes[("plant2", "depot3")] == instance.plant_cost[1, 2]
    assert lanes[("depot4", "customer5")] == instance.depot_cost[3, 4]
    assert scenario.facilities[6].capacity == instance.depot_capacity[6]
    assert scenario.markets[7].demand[PRODUCT] == instance.demand[7]


@pytest.mark.slow
def test_a_two_stage_instance_lands_between_its_published_bounds() -> None:
    """PSC1-C1-50 to a gap of 1e-3: its plan at most the best known (722,178) plus the gap, its proven bound at most
    the best known, and at least the published lower bound (721,209.6)."""
    plan = solve(scenario_from_tscflp(FERNANDES / "PSC1-C1-50.txt"), SolverOptions(mip_gap=1e-3))
    assert plan.status == "optimal"
    assert 721_209.6 <= plan.objective <= 722_178 * (1 + 1e-3)
    assert plan.summary["bound"] <= 722_178
    assert (plan.tables["demand"]["served"] - plan.tables["demand"]["demand"]).abs().max() < 1e-6
    assert plan.tables["deliveries"]["units"].sum() == pytest.approx(plan.tables["demand"]["demand"].sum())
