"""Benchmark of sweeps: warm re-solves against cold solves, a 1,000-future sweep, parallel efficiency, a cluster.

Four measurements, each printing a ratio against a peer measured in the same run:

* ``warm``: per future, ``WarmSolver.solve`` then the Plan (what a sweep's worker does) against
  ``solve(scenario)`` cold in the same process, for FX changes and for demand changes, on
  rogue-2012 and on the medium synthetic network of ``benchmarks/build.py`` (504,000 flows).
  The futures are drawn (seeded) and put in the order a sweep's worker takes them
  (``similarity_order``); warm and cold alternate future by future so that the machine's noise
  falls on both. Target: cold / warm >= 5.
* ``sweep``: 1,000 futures of rogue-2012 (FX paths and demand) through ``footprint sweep``'s code
  on a local cluster of 2 workers, every future stored in a fresh SQLite store; wall time
  against the floor of solving the same futures one by one, cold, in this process, unstored.
  Target: under 60 s.
* ``parallel``: futures of a synthetic network that take over a second each, on 1 worker and on
  2; efficiency = time on 1 / (2 x time on 2). Target: >= 80%.
* ``cluster``: the ``parallel`` sweep through ``--cluster`` (a ``dask scheduler`` and two
  ``dask worker`` processes started here) against the local cluster's wall time. Target: <= 1.3.

    python benchmarks/sweep.py                    # all four: about N minutes
    python benchmarks/sweep.py --only warm
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build
from footprint.analysis.sweep import Task, similarity_order
from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.optimize.warm import WarmSolver
from footprint.plan.tables import plan_of, solve
from footprint.scenario.cases import case_path
from footprint.scenario.files import read_source, scenario_from_data
from footprint.scenario.parameters import Parameter
from footprint.scenario.scenario import Scenario

SEED = 20121
FUTURES = 12
"""Futures per warm measurement (after one untimed solve of the base, which makes the instance)."""
OPTIONS = SolverOptions(threads=1)
"""As on a sweep's worker: one HiGHS thread."""

Overrides = tuple[tuple[str, Any], ...]


def rogue() -> dict[str, Any]:
    return read_source(case_path("rogue-2012")).data


def rogue_fx(rng: np.random.Generator) -> Overrides:
    return (("fx.KRW", float(rng.uniform(1000.0, 1250.0))), ("fx.JPY", float(rng.uniform(72.0, 88.0))))


def rogue_demand(rng: np.random.Generator) -> Overrides:
    return (("growth:markets[us].demand.rogue", float(rng.uniform(-0.02, 0.08))),)


def synthetic_fx(data: dict[str, Any]) -> Callable[[np.random.Generator], Overrides]:
    """Every currency's path scaled by its own factor in [0.9, 1.1]."""
    def draw(rng: np.random.Generator) -> Overrides:
        return tuple((f"fx.{currency}", {year: rate * factor for year, rate in path.items()})
                     for currency, path in data["fx"].items() for factor in [float(rng.uniform(0.9, 1.1))])
    return draw


def synthetic_demand(data: dict[str, Any]) -> Callable[[np.random.Generator], Overrides]:
    """Each of the first markets' demand (all products and years) scaled by its own factor in [0.9, 1.1]."""
    markets = [market["id"] for market in data["markets"][:20]]

    def draw(rng: np.random.Generator) -> Overrides:
        return tuple((f"growth:markets[{market}].demand.{product}", float(rng.uniform(-0.02, 0.02)))
                     for market in markets for product in list(_market(data, market)["demand"])[:3])
    return draw


def _market(data: dict[str, Any], market_id: str) -> dict[str, Any]:
    return next(market for market in data["markets"] if market["id"] == market_id)


def applied(data: dict[str, Any], overrides: Overrides) -> dict[str, Any]:
    for path, value in overrides:
        data = Parameter.parse(path).apply(data, value)
    return data


def warm_against_cold(base: dict[str, Any], draw: Callable[[np.random.Generator], Overrides],
                      validate: Callable[[dict[str, Any]], Scenario]) -> tuple[float, float, int]:
    """Mean seconds per future warm and cold, and how many of the warm ones were re-solved warm."""
    rng = np.random.default_rng(SEED)
    tasks = [Task(str(i), 1.0, draw(rng), str(i)) for i in range(FUTURES)]
    scenarios = [validate(applied(base, task.overrides)) for task in similarity_order(tasks)]
    solver = WarmSolver()
    plan_of(solver.solve(validate(base), OPTIONS))  # makes the instance, as a worker's first future does
    warm = cold = 0.0
    for scenario in scenarios:
        started = time.perf_counter()
        warm_plan = plan_of(solver.solve(scenario, OPTIONS))
        middle = time.perf_counter()
        cold_plan = solve(scenario, OPTIONS)
        warm, cold = warm + middle - started, cold + time.perf_counter() - middle
        if abs(warm_plan.objective - cold_plan.objective) > 1e-9 * abs(cold_plan.objective):
            raise AssertionError(f"warm {warm_plan.objective!r} != cold {cold_plan.objective!r}")
    return warm / len(scenarios), cold / len(scenarios), solver.warm


def measure_warm() -> list[tuple[str, float]]:
    print("warm re-solve against cold solve(scenario), per future (mean of "
          f"{FUTURES} futures, in a sweep worker's order)")
    print(f"{'network':<22} {'change':<8} {'warm s':>9} {'cold s':>9} {'cold/warm':>10} {'warm of':>8}")
    data = rogue()
    def case(d: dict[str, Any]) -> Scenario:
        return scenario_from_data(d, "rogue-2012", CHECKS)

    cases: list[tuple[str, str, dict[str, Any], Callable[..., Overrides], Callable[[dict[str, Any]], Scenario]]] = [
        ("rogue-2012", "FX", data, rogue_fx, case),
        ("rogue-2012", "demand", data, rogue_demand, case),
    ]
    medium = build.scenario_dict(build.generate(build.SIZES["medium"]))
    cases += [("medium (504,000 flows)", "FX", medium, synthetic_fx(medium), Scenario.model_validate),
              ("medium (504,000 flows)", "demand", medium, synthetic_demand(medium), Scenario.model_validate)]
    ratios = []
    for name, change, base, draw, validate in cases:
        warm, cold, warm_count = warm_against_cold(base, draw, validate)
        ratios.append((f"{name} {change}", cold / warm))
        print(f"{name:<22} {change:<8} {warm:>9.4f} {cold:>9.4f} {cold / warm:>10.2f} {warm_count:>5}/{FUTURES}",
              flush=True)
    return ratios


def main(only: list[str]) -> None:
    if "warm" in only:
        ratios = measure_warm()
        print("warm re-solve vs cold: " + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", default="warm,sweep,parallel,cluster",
                        help="comma-separated, among warm, sweep, parallel, cluster (default: all)")
    main(parser.parse_args().only.split(","))
