"""Benders against the extensive form on two families of stochastic plans: rounds, cuts and times, one line each.

* ``cflp``: stochastic capacitated facility location from OR-Library's cap41-44 (tests/stochastic_cflp.py: the
  warehouses candidate plants, every customer's demand drawn per future within 25% of the file's), with 5 and 50
  futures, without a price for lost sales (every future must be served: feasibility drives which sites open) and
  with one (20 a unit).
* ``varied``: generated networks of 20 to 40 futures as the property test draws them
  (tests/test_benders.py's varied_networks: three to six plants of every kind, lines built up to three times,
  launch costs and minimum volumes, demand of 0 in some futures, CVaR or not), seeded.

Both methods run in this process, one after the other, to the same accuracy (Benders to a gap of 1e-6, the
extensive form to a MIP gap of 1e-7); each line prints both objectives (they must agree, or the script fails),
Benders' rounds and cuts, both times and their ratio.

    python benchmarks/benders.py                      # both families: about 15 minutes here
    python benchmarks/benders.py --only cflp --futures 5
    python benchmarks/benders.py --only varied --sets 40
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from footprint.analysis.benders import cuts_at, future_model, shared_parts, workers_for
from footprint.optimize.benders import BendersError, Decomposed, decompose
from footprint.optimize.highs import SolverOptions
from footprint.optimize.stochastic import HERE_AND_NOW, extensive_form, solve_form
from footprint.scenario.sets.scenario_sets import Future
from stochastic_cflp import stochastic_cflp
from test_benders import varied_networks

GAP = 1e-6
EXTENSIVE = SolverOptions(mip_gap=1e-7)


def extensive(data: dict[str, Any], futures: list[Future], risk_weight: float, alpha: float) -> tuple[float | None,
                                                                                                     float]:
    started = time.perf_counter()
    models = [future_model(data, "benchmark", future) for future in futures]
    form = extensive_form(models, [f.probability for f in futures], risk_weight=risk_weight, alpha=alpha)
    solution = solve_form(form, EXTENSIVE)
    objective = None if solution is None else float(form.arrays.cost @ solution.values + form.arrays.offset)
    return objective, time.perf_counter() - started


def benders(data: dict[str, Any], futures: list[Future], risk_weight: float,
            alpha: float) -> tuple[Decomposed | None, float]:
    started = time.perf_counter()
    weights = np.array([f.probability for f in futures])
    with workers_for(data, "benchmark", futures, HERE_AND_NOW, EXTENSIVE, None) as workers:
        try:
            parts = [part for _, part in sorted(workers.map(shared_parts), key=lambda item: item[0])]
            answer = decompose(parts, weights, lambda x: workers.map(cuts_at, x), risk_weight=risk_weight,
                               alpha=alpha, options=EXTENSIVE, gap=GAP)
        except BendersError:
            answer = None
    return answer, time.perf_counter() - started


def line(label: str, data: dict[str, Any], futures: list[Future], risk_weight: float = 0.0,
         alpha: float = 0.9) -> dict[str, float]:
    whole, whole_seconds = extensive(data, futures, risk_weight, alpha)
    split, split_seconds = benders(data, futures, risk_weight, alpha)
    if (whole is None) != (split is None) or (
            whole is not None and split is not None and abs(whole - split.upper) > GAP * max(1.0, abs(whole))):
        raise SystemExit(f"{label}: the methods disagree: extensive {whole}, Benders "
                         f"{None if split is None else split.upper}")
    if split is None:
        print(f"{label:<34} no plan (both)", flush=True)
        return {}
    rounds = split.rounds
    figures = {"rounds": len(rounds), "cuts": sum(r.cuts for r in rounds),
               "feasibility": sum(r.feasibility_cuts for r in rounds), "futures": len(futures)}
    print(f"{label:<34} {whole:>18,.2f} {split.upper:>18,.2f} {len(rounds):>6} {figures['cuts']:>7} "
          f"{figures['feasibility']:>7} {whole_seconds:>9.1f} {split_seconds:>9.1f} "
          f"{whole_seconds / split_seconds:>6.2f}x", flush=True)
    return figures


HEADER = (f"{'set':<34} {'extensive':>18} {'Benders':>18} {'rounds':>6} {'cuts':>7} {'feas.':>7} "
          f"{'ext. s':>9} {'Bend. s':>9} {'ratio':>7}")


def cflp(futures: list[int]) -> None:
    print(HEADER)
    for count in futures:
        for name in ("cap41", "cap42", "cap43", "cap44"):
            for penalty in (None, 20.0):
                data, listed = stochastic_cflp(name, count, lost_sale_penalty=penalty)
                line(f"{name}, {count} futures, {'priced' if penalty else 'served'}", data, listed)


def varied(sets: int) -> None:
    print(HEADER)
    totals = {"rounds": [], "cuts": 0, "feasibility": 0, "futures": 0, "solved": 0}
    drawn = []

    seen: set[str] = set()

    # Hypothesis repeats and shrinks its examples; the benchmark keeps the first ``sets`` distinct ones.
    @settings(max_examples=10 * sets, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(varied_networks())
    def draw(network: tuple[dict[str, Any], list[Future], float, float]) -> None:
        if repr(network) not in seen:
            seen.add(repr(network))
            drawn.append(network)

    draw()
    for number, (data, futures, risk_weight, alpha) in enumerate(drawn[:sets], start=1):
        figures = line(f"set {number}, {len(futures)} futures, risk {risk_weight:g}", data, futures, risk_weight,
                       alpha)
        totals["futures"] += len(futures)
        if figures:
            totals["solved"] += 1
            totals["rounds"].append(figures["rounds"])
            totals["cuts"] += figures["cuts"]
            totals["feasibility"] += figures["feasibility"]
    rounds = totals["rounds"]
    print(f"{len(drawn[:sets])} sets, {totals['futures']} futures, {totals['solved']} with a plan: rounds "
          f"{min(rounds, default=0)}-{max(rounds, default=0)} (median {np.median(rounds) if rounds else 0:g}), "
          f"{totals['cuts']:,} optimality cuts, {totals['feasibility']:,} feasibility cuts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["cflp", "varied"])
    parser.add_argument("--futures", default="5,50", help="futures of the facility location sets (default 5,50)")
    parser.add_argument("--sets", type=int, default=30, help="generated sets (default 30)")
    args = parser.parse_args()
    if args.only in (None, "cflp"):
        cflp([int(count) for count in args.futures.split(",")])
    if args.only in (None, "varied"):
        varied(args.sets)


if __name__ == "__main__":
    main()
