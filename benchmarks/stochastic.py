"""Benchmark of stochastic plans: memory and time of the extensive form against Benders, and 200 rogue-2012 futures.

Three measurements, each printing a ratio against a peer or a floor measured in the same run:

* ``memory``: peak memory (the largest resident set of any process taking part) of the stochastic
  plan (RP, with every future's Plan tables; for Benders also the peaks once its bounds met, before
  the tables, which grow with the futures as any output does) of 5, 20 and 50 futures of the medium
  synthetic network of ``benchmarks/build.py``
  (504,000 flows; with capacity options added, so that there are decisions to make now, and
  futures that move the demand of 40 markets), solved as the extensive form and by Benders on 2
  workers, against the floor: solving one future alone. Target for Benders: at most 1.5 times the
  floor, whatever the number of futures. The extensive form is run only up to ``--extensive-up-to``
  futures (it grows with their number; beyond what fits in memory its figure is projected from
  the measured ones, and printed as projected).
* ``speed``: wall time of the same plans at 20 futures, Benders on 2 workers against the
  extensive form (from the ``memory`` runs).
* ``rogue``: 200 futures of rogue-2012 (50 ECB FX paths x 4 demand samples) as one stochastic
  plan, with the method ``auto`` picks and by Benders on 2 workers. Target: under 60 s.

Each plan runs in a fresh process, so that one's memory does not count against another's.

    python benchmarks/stochastic.py                       # all three: about 30 minutes here
    python benchmarks/stochastic.py --only rogue
    python benchmarks/stochastic.py --futures 5,20 --extensive-up-to 5
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

import build
from footprint.analysis.benders import cuts_at, future_model, shared_parts, tables_at, workers_for
from footprint.economics.checks import ERROR_CHECKS
from footprint.economics.futures import expand
from footprint.optimize.benders import decompose
from footprint.optimize.highs import SolverOptions, run, to_highs
from footprint.optimize.solve import solve_model
from footprint.optimize.stochastic import HERE_AND_NOW, extensive_form
from footprint.plan.tables import plan_tables
from footprint.scenario.cases.bundled import case_path, set_path
from footprint.scenario.formats.files import scenario_from_data
from footprint.scenario.sets.parameters import apply_overrides
from footprint.scenario.sets.scenario_sets import Future, read_set

SEED = 2026
OPTIONS = SolverOptions(mip_gap=1e-6)
GAP = 1e-6
"""Benders stops at this gap; the extensive form solves to this MIP gap: the same accuracy."""
MARKETS, PRODUCTS = 40, 3
"""The futures move the demand of this many markets, for this many of each one's products."""


def medium() -> dict[str, Any]:
    """The medium network with a capacity option at every fifth plant: a third more of its pool, online from
    the second year, at 15,000 USD a unit of yearly capacity."""
    data = build.scenario_dict(build.generate(build.SIZES["medium"]))
    second = data["horizon"]["start"] + 1
    data["options"] = [
        {"id": f"{plant['id']}-line", "plant": plant["id"], "pool": "assembly",
         "capacity": round(plant["pools"][0]["capacity"][second] / 3), "currency": data["currency"],
         "capex": 15_000.0 * round(plant["pools"][0]["capacity"][second] / 3), "earliest_year": second}
        for plant in data["plants"][::5]]
    return data


def demand_futures(data: dict[str, Any], count: int) -> list[Future]:
    """``count`` equally likely futures, each growing the demand of the first markets by its own rates."""
    rng = np.random.default_rng(SEED)
    paths = [f"growth:markets[{market['id']}].demand.{product}"
             for market in data["markets"][:MARKETS] for product in list(market["demand"])[:PRODUCTS]]
    return [Future(f"demand{i + 1:03d}", 1 / count, tuple((path, float(rng.uniform(-0.05, 0.08))) for path in paths))
            for i in range(count)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_plan(method: str, count: int, time_limit: float) -> dict[str, Any]:
    """(In a fresh process) the medium network's plan (RP, with every future's tables) of ``count`` futures, by
    ``method``: WS, EV and EEV, which solve futures alone either way, are left out."""
    from dask.distributed import Client, LocalCluster

    data = medium()
    futures = demand_futures(data, count)
    probabilities = np.array([future.probability for future in futures])
    options = dataclasses.replace(OPTIONS, time_limit=time_limit, deadline=time.monotonic() + time_limit)
    workers: list[float] = []
    started = time.perf_counter()
    if method == "extensive":
        models = [future_model(data, "medium", future) for future in futures]
        form = extensive_form(models, probabilities)
        highs = to_highs(form.arrays, options)
        solution = run(highs, True, options=options)
        if not solution.status.has_plan:
            return {"seconds": time.perf_counter() - started, "lead_mb": peak_mb(), "status": str(solution.status)}
        for f, model in enumerate(models):
            dict(plan_tables(model, form.future_values(solution.values, f)).items())
        objective, rounds, status = solution.objective, 0, str(solution.status)
    else:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                Client(cluster) as client:
            with workers_for(data, "medium", futures, HERE_AND_NOW, options, client) as on_workers:
                parts = [part for _, part in sorted(on_workers.map(shared_parts), key=lambda item: item[0])]
                decomposed = decompose(parts, probabilities, lambda x: on_workers.map(cuts_at, x), risk_weight=0.0,
                                       alpha=0.9, options=options, gap=GAP)
                solving = {"lead_mb": peak_mb(), "worker_mb": max(client.run(peak_mb).values())}
                on_workers.map(tables_at, decomposed.x, one_by_one=True)
            workers = list(client.run(peak_mb).values())
        objective, rounds, status = decomposed.objective, len(decomposed.rounds), str(decomposed.status)
        return {"seconds": time.perf_counter() - started, "lead_mb": peak_mb(), "worker_mb": max(workers),
                "objective": objective, "rounds": rounds, "status": status, "solving": solving}
    return {"seconds": time.perf_counter() - started, "lead_mb": peak_mb(), "worker_mb": 0.0,
            "objective": objective, "rounds": rounds, "status": status}


def measure_alone() -> dict[str, Any]:
    """(In a fresh process) one future of the medium network solved alone: the memory floor."""
    data = medium()
    future = demand_futures(data, 1)[0]
    scenario = scenario_from_data(apply_overrides(data, future.overrides), "medium", ERROR_CHECKS)
    started = time.perf_counter()
    solve_model(scenario, OPTIONS)
    return {"seconds": time.perf_counter() - started, "lead_mb": peak_mb()}


def rogue_set(folder: Path) -> Path:
    """rogue-2012's futures with 50 FX paths in place of 25: 200 futures."""
    spec = yaml.safe_load(set_path("rogue-2012/futures").read_text())
    spec["base"] = str(case_path("rogue-2012"))
    spec["generate"]["fx_history"]["n"] = 50
    path = folder / "rogue-200.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def measure_rogue(method: str) -> dict[str, Any]:
    """(In a fresh process) rogue-2012's 200 futures as one stochastic plan, the time counted from reading the set."""
    from footprint.api import stochastic

    with tempfile.TemporaryDirectory() as folder:
        path = rogue_set(Path(folder))
        started = time.perf_counter()
        plan = stochastic(path, method=method, workers=2)
        seconds = time.perf_counter() - started
        futures = len(expand(read_set(path)))
    return {"seconds": seconds, "futures": futures, "objective": plan.objective, "method": plan.method,
            "rounds": len(plan.iterations), "lead_mb": peak_mb()}


def in_child(*args: str) -> dict[str, Any]:
    """A measurement in a fresh Python process (its own peak memory)."""
    result = subprocess.run([sys.executable, __file__, "--measure", *args], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).parent)
    if result.returncode != 0:
        raise RuntimeError(f"measurement {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_memory(counts: list[int], extensive_up_to: int, time_limit: float) -> None:
    alone = in_child("alone")
    floor = alone["lead_mb"]
    print(f"memory floor: one future of the medium network alone, {floor:,.0f} MB peak ({alone['seconds']:.1f} s)")
    print(f"{'futures':>7} {'method':<10} {'seconds':>8} {'status':>10} {'rounds':>6} {'lead MB':>9} "
          f"{'worker MB':>10} {'peak / floor':>12} {'objective':>20}")
    measured: dict[tuple[str, int], dict[str, Any]] = {}
    for count in counts:
        for method in ("extensive", "benders"):
            if method == "extensive" and count > extensive_up_to:
                known = sorted((c, m["lead_mb"]) for (way, c), m in measured.items() if way == "extensive")
                if len(known) >= 2:
                    (c0, m0), (c1, m1) = known[-2:]
                    projected = m1 + (m1 - m0) / (c1 - c0) * (count - c1)
                    print(f"{count:>7} {method:<10} {'not run':>8} {'':>10} {'':>6} {projected:>9,.0f} {'':>10} "
                          f"{projected / floor:>11.1f}x (projected from {c0} and {c1} futures)")
                continue
            result = in_child(method, str(count), str(time_limit))
            measured[(method, count)] = result
            peak = max(result["lead_mb"], result.get("worker_mb", 0.0))
            objective = f"{result['objective']:>20,.0f}" if "objective" in result else f"{'none':>20}"
            print(f"{count:>7} {method:<10} {result['seconds']:>8.1f} {result['status']:>10} "
                  f"{result.get('rounds', 0):>6} {result['lead_mb']:>9,.0f} {result.get('worker_mb', 0.0):>10,.0f} "
                  f"{peak / floor:>11.2f}x {objective}", flush=True)
            if "solving" in result:  # Benders: the peaks once the bounds met, before every future's tables
                solving = result["solving"]
                peak = max(solving["lead_mb"], solving["worker_mb"])
                print(f"{'':>7} {'  solving':<10} {'':>8} {'':>10} {'':>6} {solving['lead_mb']:>9,.0f} "
                      f"{solving['worker_mb']:>10,.0f} {peak / floor:>11.2f}x (before the tables)", flush=True)
        if ("extensive", count) in measured:
            a, b = measured[("extensive", count)], measured[("benders", count)]
            bound = "at least " if a["status"] != "optimal" else ""
            agree = (f"objectives agree to {abs(a['objective'] - b['objective']) / abs(a['objective']):.1e}"
                     if a["status"] == "optimal" else f"the extensive form stopped at {time_limit:.0f} s")
            print(f"{'':>7} extensive / benders wall time at {count} futures: {bound}{a['seconds'] / b['seconds']:.2f} "
                  f"({agree})", flush=True)


def run_rogue() -> None:
    print("200 futures of rogue-2012 as one stochastic plan (target: under 60 s)")
    for method in ("auto", "benders"):
        result = in_child("rogue", method)
        rounds = f", {result['rounds']} rounds" if result["rounds"] else ""
        print(f"  method {method} ({result['method']}{rounds}): {result['futures']} futures in "
              f"{result['seconds']:.1f} s, objective {result['objective']:,.0f}, "
              f"{result['seconds'] / 60:.2f} of the 60 s target", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="memory,rogue", help="memory (with speed), rogue")
    parser.add_argument("--futures", default="5,20,50", help="futures of the medium network, comma-separated")
    parser.add_argument("--extensive-up-to", type=int, default=20,
                        help="the largest number of futures solved as the extensive form")
    parser.add_argument("--time-limit", type=float, default=1800.0,
                        help="seconds a plan of the medium network may take (the extensive form may not finish)")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, *rest = args.measure
        result = (measure_alone() if kind == "alone" else measure_rogue(rest[0]) if kind == "rogue"
                  else measure_plan(kind, int(rest[0]), float(rest[1])))
        print(json.dumps(result))
        return
    only = args.only.split(",")
    if "memory" in only:
        run_memory([int(c) for c in args.futures.split(",")], args.extensive_up_to, args.time_limit)
    if "rogue" in only:
        run_rogue()


if __name__ == "__main__":
    main()
