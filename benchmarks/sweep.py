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
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import build
from footprint.analysis.sweep import Task, similarity_order
from footprint.economics.checks import CHECKS
from footprint.optimize.highs import SolverOptions
from footprint.optimize.warm import WarmSolver
from footprint.plan.tables import plan_of, solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_source, scenario_from_data
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.sets.parameters import apply_overrides

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


def warm_against_cold(base: dict[str, Any], draw: Callable[[np.random.Generator], Overrides],
                      validate: Callable[[dict[str, Any]], Scenario]) -> tuple[float, float, int]:
    """Mean seconds per future warm and cold, and how many of the warm ones were re-solved warm."""
    rng = np.random.default_rng(SEED)
    tasks = [Task(str(i), 1.0, draw(rng), str(i)) for i in range(FUTURES)]
    ordered = [apply_overrides(base, task.overrides) for task in similarity_order(tasks)]
    # Each way gets its own validated Scenario: what a Scenario caches (its trade rules) must not favour one.
    pairs = [(validate(data), validate(data)) for data in ordered]
    solver = WarmSolver()
    plan_of(solver.solve(validate(base), OPTIONS))  # makes the instance, as a worker's first future does
    warm = cold = 0.0
    for for_warm, for_cold in pairs:
        started = time.perf_counter()
        warm_plan = plan_of(solver.solve(for_warm, OPTIONS))
        middle = time.perf_counter()
        cold_plan = solve(for_cold, OPTIONS)
        warm, cold = warm + middle - started, cold + time.perf_counter() - middle
        if abs(warm_plan.objective - cold_plan.objective) > 1e-9 * abs(cold_plan.objective):
            raise AssertionError(f"warm {warm_plan.objective!r} != cold {cold_plan.objective!r}")
    return warm / len(pairs), cold / len(pairs), solver.warm


def measure_warm(medium: bool = True) -> list[tuple[str, float]]:
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
    if medium:
        network = build.scenario_dict(build.generate(build.SIZES["medium"]))
        cases += [("medium (504,000 flows)", "FX", network, synthetic_fx(network), Scenario.model_validate),
                  ("medium (504,000 flows)", "demand", network, synthetic_demand(network), Scenario.model_validate)]
    ratios = []
    for name, change, base, draw, validate in cases:
        warm, cold, warm_count = warm_against_cold(base, draw, validate)
        ratios.append((f"{name} {change}", cold / warm))
        print(f"{name:<22} {change:<8} {warm:>9.4f} {cold:>9.4f} {cold / warm:>10.2f} {warm_count:>5}/{FUTURES}",
              flush=True)
    return ratios


ROGUE_FUTURES = 1000
ROGUE_SET = {  # 40 FX paths x 25 demand samples: 1,000 futures, as rogue-2012/futures draws them
    "kind": "scenario-set", "base": "rogue-2012", "seed": 2012, "combine": "product",
    "set": {"markets[us].lost_sale_penalty.rogue": 25000, "markets[canada].lost_sale_penalty.rogue": 25000},
    "generate": {"fx_history": {"currencies": ["JPY", "KRW"], "base_year": 2012, "block": 2, "n": 40},
                 "ranges": {"paths": ["markets[us].demand.rogue", "markets[canada].demand.rogue"],
                            "distribution": "pert", "n": 25}},
}


def measure_sweep() -> float:
    """Seconds for 1,000 rogue-2012 futures on 2 local workers, stored, against solving them here one by one."""
    import yaml

    import footprint as fp
    from footprint.plan.store import RunStore

    with tempfile.TemporaryDirectory() as folder:
        set_file = Path(folder) / "futures.yaml"
        set_file.write_text(yaml.safe_dump(ROGUE_SET), encoding="utf-8")
        futures = fp.futures(set_file)
        assert len(futures) == ROGUE_FUTURES, len(futures)
        started = time.perf_counter()
        with RunStore(Path(folder) / "runs.sqlite") as store:
            outcome = fp.sweep(set_file, workers=2, store=store)
            stored = len(store.futures(outcome.sweep))
        swept = time.perf_counter() - started
        read = fp.read_set(set_file)
        started = time.perf_counter()
        for future in futures:
            solve(scenario_from_data(future.apply(read.base.data), "rogue-2012", CHECKS), OPTIONS)
        serial = time.perf_counter() - started
    print(f"{ROGUE_FUTURES:,} futures of rogue-2012 on 2 workers, stored: {swept:.1f} s ({stored:,} stored, "
          f"{outcome.failed} without a plan); the same futures solved one by one here, cold, unstored: "
          f"{serial:.1f} s; speed-up {serial / swept:.2f}")
    return swept


PARALLEL = build.Size("parallel", products=60, markets=120)
"""A synthetic network whose futures take over a second each to solve."""
PARALLEL_FUTURES = 16


def parallel_futures() -> tuple[dict[str, Any], list[Any]]:
    from footprint.scenario.sets.scenario_sets import Future

    data = build.scenario_dict(build.generate(PARALLEL))
    rng = np.random.default_rng(SEED)
    draw = synthetic_fx(data)
    return data, [Future(f"fx{i:02d}", 1 / PARALLEL_FUTURES, draw(rng)) for i in range(PARALLEL_FUTURES)]


def timed_sweep(data: dict[str, Any], futures: list[Any], **where: Any) -> tuple[float, float]:
    """Wall seconds of a sweep into a fresh store, and the mean seconds of HiGHS per future."""
    from footprint.analysis.sweep import sweep
    from footprint.plan.store import RunStore

    with tempfile.TemporaryDirectory() as folder, RunStore(Path(folder) / "runs.sqlite") as store:
        started = time.perf_counter()
        outcome = sweep(data, "parallel", futures, store=store, name="parallel", content={"benchmark": "parallel"},
                        settings={"time_limit": None, "mip_gap": 1e-4}, **where)
        seconds = time.perf_counter() - started
        assert outcome.failed == 0
        solve_seconds = [store.get(int(i)).solve_seconds for i in outcome.futures["id"]]
    return seconds, float(np.mean(solve_seconds))


def measure_parallel() -> tuple[float, float, dict[str, Any], list[Any]]:
    data, futures = parallel_futures()
    one, per_future = timed_sweep(data, futures, workers=1)
    two, _ = timed_sweep(data, futures, workers=2)
    efficiency = one / (2 * two)
    print(f"{PARALLEL_FUTURES} futures of a {PARALLEL.flows:,}-flow network (HiGHS {per_future:.2f} s a future): "
          f"1 worker {one:.1f} s, 2 workers {two:.1f} s; parallel efficiency {efficiency:.0%}")
    return efficiency, two, data, futures


def measure_cluster(local_seconds: float, data: dict[str, Any], futures: list[Any]) -> float:
    """The parallel sweep through a scheduler and two workers started as processes of their own."""
    dask = Path(sys.executable).parent / "dask"
    with tempfile.TemporaryDirectory() as folder:
        scheduler_file = Path(folder) / "scheduler.json"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
        processes = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--no-dashboard", "--scheduler-file", str(scheduler_file)], **quiet)]
        try:
            while not scheduler_file.is_file():
                time.sleep(0.1)
            address = json.loads(scheduler_file.read_text())["address"]
            processes += [subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--no-dashboard"],
                                           **quiet) for _ in range(2)]
            from dask.distributed import Client

            with Client(address) as client:
                client.wait_for_workers(2)
            seconds, _ = timed_sweep(data, futures, cluster=address)
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait()
    print(f"the same sweep through --cluster (a scheduler and 2 workers of their own): {seconds:.1f} s; "
          f"{seconds / local_seconds:.2f} x the local cluster's {local_seconds:.1f} s")
    return seconds / local_seconds


def main(only: list[str]) -> None:
    lines = []
    if "warm" in only or "warm-rogue" in only:
        ratios = measure_warm(medium="warm" in only)
        lines.append("warm re-solve vs cold: " + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios))
    if "sweep" in only:
        lines.append(f"1,000 rogue-2012 futures, stored: {measure_sweep():.1f} s (target < 60 s)")
    if "parallel" in only or "cluster" in only:
        efficiency, local, data, futures = measure_parallel()
        lines.append(f"parallel efficiency on 2 workers: {efficiency:.0%} (target >= 80%)")
        if "cluster" in only:
            lines.append(f"--cluster vs local wall time: {measure_cluster(local, data, futures):.2f} (target <= 1.3)")
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", default="warm,sweep,parallel,cluster",
                        help="comma-separated, among warm (warm-rogue: rogue-2012 only), sweep, parallel, cluster "
                             "(default: all)")
    main(parser.parse_args().only.split(","))
