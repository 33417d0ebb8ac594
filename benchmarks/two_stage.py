"""Fernandes et al. (2014) two-stage capacitated facility location, solved: plants -> depots (distribution centres)
-> customers, 25 instances of 50 x 100 x 200 (data/benchmarks/fernandes-tscflp).

Each instance is imported as ``footprint import tscflp`` does and solved by ``solve`` to the stated relative gap,
with a time limit per instance. The published values are a lower bound (``lb-50.txt``) and the best known solution
(``bks-50.txt``), not proven optima: a right solve lands between them, its objective at most the best known plus
the gap (or below it: an improvement), its proven bound at most the best known, and its objective at least the
published lower bound. A line per instance, then the count that land so and the time taken.

    python benchmarks/two_stage.py                        # all 25 at gap 1e-4, 300 s an instance at most
    python benchmarks/two_stage.py --gap 1e-3 --instances PSC1-C1-50,PSC2-C3-50
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from footprint.optimize.highs import SolverOptions
from footprint.plan.tables import solve
from footprint.scenario.formats.facility_location import scenario_from_tscflp

FOLDER = Path(__file__).resolve().parents[1] / "data" / "benchmarks" / "fernandes-tscflp"


def published() -> dict[str, tuple[float, float]]:
    """(lower bound, best known) per instance file name: PSC{i}-C{c}-50 is instance i of class c; bks-50.txt lists
    "c i value", lb-50.txt "C{c}-{i}-50 value"."""
    best = {}
    for line in (FOLDER / "bks-50.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            c, i, value, *_ = line.split()
            best[f"PSC{i}-C{c}-50"] = float(value)
    lower = {}
    for line in (FOLDER / "lb-50.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, value = line.split()
            c, i, _ = name.removeprefix("C").split("-")
            lower[f"PSC{i}-C{c}-50"] = float(value)
    return {name: (lower[name], best[name]) for name in best}


def lands(objective: float, bound: float, low: float, best: float, gap: float) -> bool:
    """Between the published lower bound and the best known, at the gap (see the module's doc)."""
    return objective >= low * (1 - 1e-9) and bound <= best * (1 + 1e-9) and objective <= best * (1 + gap) + 1e-6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gap", type=float, default=1e-4, help="relative MIP gap to solve to")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds an instance at most")
    parser.add_argument("--instances", default="", help="comma-separated file names without .txt (default: all)")
    args = parser.parse_args()
    values = published()
    names = [name for name in sorted(values) if not args.instances or name in args.instances.split(",")]
    print(f"{'instance':12} {'lower bound':>12} {'best known':>12} {'ours':>12} {'our bound':>12} {'gap':>9} "
          f"{'seconds':>8} {'HiGHS s':>8}  lands")
    landed, started = 0, time.perf_counter()
    for name in names:
        low, best = values[name]
        began = time.perf_counter()
        plan = solve(scenario_from_tscflp(FOLDER / f"{name}.txt"),
                     SolverOptions(mip_gap=args.gap, time_limit=args.time_limit))
        seconds = time.perf_counter() - began
        bound, gap = float(plan.summary["bound"]), float(plan.summary["gap"])
        ok = lands(plan.objective, bound, low, best, max(args.gap, gap))
        landed += ok
        print(f"{name:12} {low:12,.1f} {best:12,.1f} {plan.objective:12,.1f} {bound:12,.1f} {gap:9.2e} "
              f"{seconds:8.1f} {plan.summary['solve_seconds']:8.1f}  {'yes' if ok else 'NO'}"
              + ("  (improves the best known)" if plan.objective < best * (1 - 1e-9) else ""), flush=True)
    print(f"{landed} of {len(names)} land between the published lower bound and best known at gap {args.gap:g} "
          f"({time.perf_counter() - started:.0f} s)")
    return 0 if landed == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
