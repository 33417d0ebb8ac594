"""Freight from distances: searoute's sea route, port handling, road legs; listed lanes override."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from importlib.metadata import version

import pytest
from searoute import searoute

from conftest import capability, costs_by, make, market, plant, repro, scenario_data, solved
from footprint.economics.freight import (
    CACHE_ENV,
    SHIPPED_DISTANCES,
    _known_distances,
    great_circle_km,
    sea_nautical_miles,
)
from footprint.plan.tables import solve
from footprint.scenario.model.base import Location

BUSAN = {"name": "Busan", "lat": 35.08, "lon": 129.04}
LONG_BEACH = {"name": "Long Beach", "lat": 33.75, "lon": -118.21}


def test_busan_long_beach_sea_distance() -> None:
    # FACTS.md section 5: 5,295 nautical miles.
    assert sea_nautical_miles((129.04, 35.08), (-118.21, 33.75)) == pytest.approx(5295, rel=0.02)


def test_great_circle_of_one_degree_of_latitude() -> None:
    one_degree = great_circle_km(make_location(0.0, 10.0), make_location(1.0, 10.0))
    assert one_degree == pytest.approx(111.19, abs=0.01)  # 2 * pi * 6371.0088 / 360


def make_location(lat: float, lon: float) -> Location:
    return Location(lat=lat, lon=lon)


RATES = {"per_nautical_mile": 0.1, "port_handling": 75.0, "per_road_km": 0.2, "road_factor": 1.25}


def _sea_case(**extra):
    busan = plant("busan", country="KR", currency="KRW") | {
        "port": BUSAN, "location": {"lat": 35.08, "lon": 129.04}}
    us = market("us", 10.0) | {"port": LONG_BEACH, "location": {"lat": 33.75, "lon": -116.21}}
    return scenario_data(plants=[busan], capabilities=[capability("busan", local_cost=0.0)], markets=[us],
                         default_freight=None, freight_rates=RATES, fx={"KRW": 1000.0}, **extra)


def test_computed_lane_components_are_in_the_landed_cost_and_sum_to_the_objective() -> None:
    plan = solved(_sea_case())
    landed = plan.landed_cost.astype({"component": str}).set_index("component")["per_unit"]
    nautical = sea_nautical_miles((BUSAN["lon"], BUSAN["lat"]), (LONG_BEACH["lon"], LONG_BEACH["lat"]))
    road = great_circle_km(make_location(33.75, -118.21), make_location(33.75, -116.21)) * 1.25 * 0.2
    assert landed["sea_freight"] == pytest.approx(0.1 * nautical)
    assert landed["port_handling"] == pytest.approx(150.0)  # 75 at each end
    assert landed["land_freight"] == pytest.approx(road)  # the plant sits at its port
    assert landed["freight"] == 0.0
    assert plan.objective == pytest.approx(10 * (0.1 * nautical + 150.0 + road))


def test_a_cif_value_counts_freight_to_the_port_of_entry_only() -> None:
    """Duty = rate x (ex-works value + freight to the border): the plant's road leg to its port, handling
    there and the sea leg; not the handling at the market's port nor the road leg inland from it."""
    inland_plant = {"lat": 35.58, "lon": 129.04}  # half a degree north of Busan's port
    data = _sea_case(tariffs=[{"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.1}])
    data["plants"][0]["location"] = inland_plant
    data["capabilities"][0]["local_cost"] = 1_000_000.0  # KRW: 1000 USD
    data["markets"][0]["customs_basis"] = "cif"
    plan = solved(data)
    landed = plan.landed_cost.astype({"component": str}).set_index("component")["per_unit"]
    sea = 0.1 * sea_nautical_miles((BUSAN["lon"], BUSAN["lat"]), (LONG_BEACH["lon"], LONG_BEACH["lat"]))
    to_port = great_circle_km(make_location(**inland_plant), make_location(BUSAN["lat"], BUSAN["lon"])) * 0.25
    inland = great_circle_km(make_location(33.75, -118.21), make_location(33.75, -116.21)) * 0.25
    assert landed["land_freight"] == pytest.approx(to_port + inland)
    assert landed["duty"] == pytest.approx(0.1 * (1000.0 + to_port + 75.0 + sea))
    assert plan.objective == pytest.approx(10 * (1000.0 + sea + 150.0 + to_port + inland + landed["duty"]))


def test_the_cif_reproducer_pays_duty_on_its_value_at_hamburg() -> None:
    """tests/repro/cif-includes-inland-leg.yaml: packs from Haiphong enter the EU at Hamburg; the handling
    there and the 600 km to Munich are not in the customs value."""
    scenario = repro("cif-includes-inland-leg.yaml")
    plan = solve(scenario)
    haiphong, munich = scenario.plants[0], scenario.markets[0]
    assert haiphong.location is not None
    assert haiphong.port is not None
    assert munich.location is not None
    assert munich.port is not None
    sea = 0.012 * sea_nautical_miles((haiphong.port.lon, haiphong.port.lat), (munich.port.lon, munich.port.lat))
    to_port = great_circle_km(haiphong.location, haiphong.port) * 1.2 * 0.15
    duty = costs_by(plan, "duty")[2026]
    assert duty == pytest.approx(10_000 * 0.10 * (2000.0 + to_port + 25.0 + sea))
    inland = great_circle_km(munich.port, munich.location) * 1.2 * 0.15
    assert inland > 100.0  # what the defect added to each unit's customs value
    assert costs_by(plan, "land_freight")[2026] == pytest.approx(10_000 * (to_port + inland))


def test_a_listed_lane_overrides_the_computed_freight() -> None:
    plan = solved(_sea_case(lanes=[{"plant": "busan", "market": "us", "freight": 900.0}]))
    landed = plan.landed_cost.astype({"component": str}).set_index("component")["per_unit"]
    assert landed["freight"] == 900.0
    assert landed[["sea_freight", "port_handling", "land_freight"]].sum() == 0.0
    assert plan.objective == pytest.approx(9000.0)


def test_without_ports_a_lane_goes_by_road() -> None:
    us_plant = plant("smyrna") | {"location": {"lat": 35.96, "lon": -86.49}}
    us = market("us", 10.0) | {"location": {"lat": 36.96, "lon": -86.49}}
    data = scenario_data(plants=[us_plant], capabilities=[capability("smyrna", local_cost=0.0)], markets=[us],
                         default_freight=None, freight_rates=RATES)
    plan = solved(data)
    km = great_circle_km(make_location(35.96, -86.49), make_location(36.96, -86.49))
    assert plan.objective == pytest.approx(10 * km * 1.25 * 0.2)
    assert make(data).freight_rates is not None


def test_sea_distances_are_cached_on_disk_and_read_back_without_searoute(tmp_path, monkeypatch):
    """A second process (here: the in-memory cache cleared) finds the distance in the cache file and never
    routes again; the file holds exactly what searoute gave."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    _known_distances.cache_clear()
    busan, rotterdam = (129.04, 35.08), (4.48, 51.92)  # a lane the package ships no distance for
    routed = sea_nautical_miles(busan, rotterdam)
    (cache_file,) = tmp_path.glob("sea-miles-searoute-*.json")
    assert json.loads(cache_file.read_text(encoding="utf-8"))["129.04,35.08;4.48,51.92"] == routed
    _known_distances.cache_clear()
    monkeypatch.setitem(sys.modules, "searoute", None)  # importing searoute now fails: the cache must answer
    assert sea_nautical_miles(busan, rotterdam) == routed
    _known_distances.cache_clear()


def test_an_unreadable_or_unwritable_cache_is_only_skipped(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocked))  # the cache 'folder' is a file: nothing can be read or written
    _known_distances.cache_clear()
    assert sea_nautical_miles((129.04, 35.08), (-118.21, 33.75)) == pytest.approx(5295, rel=0.02)
    _known_distances.cache_clear()


def test_the_shipped_distances_are_searoutes(monkeypatch, tmp_path):
    """Every distance shipped for the bundled cases is what searoute computes today (regenerate the file when
    searoute changes: its version is in it, and a file of another version is not used)."""
    shipped = json.loads((resources.files("footprint.economics") / SHIPPED_DISTANCES).read_text(encoding="utf-8"))
    assert shipped["searoute"] == version("searoute")
    for key, miles in shipped["miles"].items():
        origin, destination = (tuple(float(x) for x in point.split(",")) for point in key.split(";"))
        assert float(searoute(origin, destination, units="naut")["properties"]["length"]) == pytest.approx(miles)


def test_the_bundled_case_runs_without_loading_searoute(tmp_path):
    """On a new machine (an empty cache), the default case's sea distances come from the package."""
    code = ("import sys; from footprint.cli import main; sys.argv = ['footprint', 'run']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('searoute' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, CACHE_ENV: str(tmp_path / "empty")})
    assert done.stderr.strip().splitlines()[-1] == "False"
