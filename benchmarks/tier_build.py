"""``build.py --tiers``: building and solving a carmaker's network of many tiers (tier_network.py) against the floor.

Three runs per scale, each in a fresh interpreter (this script with ``--child``), as build.py's runs are:

Each build runs ``--repeat`` times (build.py's option, 3 by default), footprint's and the floor's, and the least is
kept, as build.py keeps its runs of least overhead.

* footprint: the Scenario validated outside the clock, then each stage timed: compile the network
  (``compile_network``), compile the tiers (``network.tiers``: ``compile_tiers``), the rules of origin's claims
  (``network.claims``), the model (``build_model``), its arrays (``ProgramArrays.of``: the matrix column-wise) and
  the hand-over (``to_highs``: ``passModel``). Then, unless ``--no-solve``, at the largest scale given, the MILP
  solved to a 1% gap (``--time-limit``, 600 s by default) as footprint solves it (``run_with_start``: from its
  rounded relaxation; then the Plan and its flows table): the seconds of the whole
  (build included), the start's, HiGHS's own run time on the MILP beside them, the gap and the objective. The
  model's arrays are written (outside the clock) for the floor.
* floor: the same program from flat arrays (one entry per non-zero: row, column, coefficient, row by row as a
  builder writes them; costs, bounds and integrality per column; row bounds), assembled into a column-wise sparse
  matrix by scipy and handed to HiGHS by the array form of ``passModel``, as build.py's floor. It leaves out the
  arithmetic that makes the coefficients and costs (footprint's own), so footprint over it is the most the build
  could gain, not what a hand-written builder would cost.
* profile (unless ``--no-profile``; at the largest scale given): the same build under cProfile (after a first
  build, so that imports are left out), the 25 functions of most cumulative time.

Peak MiB is each run's high-water RSS (reset just before the clock starts; the input stays resident, as in
build.py): footprint's for the build and for the whole solve, the floor's for its assembly.

    python benchmarks/build.py --tiers                          # scale 1: about 50 suppliers ... 10 years
    python benchmarks/build.py --tiers --scale 0.25,0.5,1 --no-solve
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from rss import reset_peak_rss, rss_mib
from tier_network import counts, scenario_dict

RESULT_MARK = "RESULT "
GAP = 0.01
ARC_KINDS = ("supply", "transfer", "inbound", "delivery")


@dataclass
class Measured:
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds of each stage of the build, in order."""
    build_seconds: float = 0.0
    build_peak_mib: float = 0.0
    input_mib: float = 0.0
    input_seconds: float = 0.0
    sizes: dict[str, int] = field(default_factory=dict)
    solve: dict[str, Any] = field(default_factory=dict)




def _validated(scale: float) -> Any:
    """The Scenario of ``scale``, with every module the build uses imported."""
    import footprint.economics.network
    import footprint.economics.origin
    import footprint.economics.tiers
    import footprint.optimize.highs
    import footprint.optimize.model  # noqa: F401
    from footprint.scenario.model.scenario import Scenario

    return Scenario.model_validate(scenario_dict(scale))


def _build(scenario: Any, stages: dict[str, float]) -> tuple[Any, Any, Any]:
    """footprint's build, stage by stage: (model, arrays, highs). Its modules are imported before the clock starts
    (``_validated``), as the floor's are."""
    from footprint.economics.network import compile_network
    from footprint.optimize.highs import ProgramArrays, SolverOptions, to_highs
    from footprint.optimize.model import build_model

    def timed(name: str, step: Any) -> Any:
        started = time.perf_counter()
        value = step()
        stages[name] = time.perf_counter() - started
        return value

    network = timed("compile network", lambda: compile_network(scenario))
    timed("compile tiers", lambda: network.tiers)
    timed("origin claims", lambda: network.claims)
    model = timed("build model", lambda: build_model(network))
    arrays = timed("matrix (ProgramArrays.of)", lambda: ProgramArrays.of(model.program))
    highs = timed("HiGHS pass-in (to_highs)", lambda: to_highs(arrays, SolverOptions(mip_gap=GAP)))
    return model, arrays, highs


def _sizes(model: Any, arrays: Any) -> dict[str, int]:
    network, program = model.network, model.program
    tiers = network.tiers
    sizes = {"variables": program.num_cols, "constraints": program.num_rows, "non-zeros": arrays.matrix.nnz,
             "integer variables": program.num_integer, "direct flows": len(network.flow_demand)}
    sizes |= {f"{kind} arcs": len(getattr(tiers, kind)) for kind in ARC_KINDS}
    sizes |= {"origin claims": len(network.claims.products), "part claims": len(network.claims.parts),
              "demand entries": len(network.demand_units)}
    return sizes


def _save_floor_input(arrays: Any, path: Path) -> None:
    """The program as flat arrays, one entry per non-zero, row by row (what a builder writes)."""
    matrix = arrays.matrix
    columns = np.repeat(np.arange(matrix.shape[1], dtype=np.int32), np.diff(matrix.starts))
    order = np.lexsort((columns, matrix.indices))
    np.savez(path, rows=matrix.indices[order], columns=columns[order], values=matrix.values[order],
             shape=np.array(matrix.shape), cost=arrays.cost, lower=arrays.lower, upper=arrays.upper,
             row_lower=arrays.row_lower, row_upper=arrays.row_upper, integer=arrays.integer,
             offset=np.array([arrays.offset]))


def child_footprint(scale: float, folder: Path, solve: bool, time_limit: float, log: str) -> Measured:
    from footprint.optimize.highs import SolverOptions, run_with_start
    from footprint.optimize.solve import Solved
    from footprint.plan.tables import plan_of

    started = time.perf_counter()
    scenario = _validated(scale)
    measured = Measured(input_seconds=time.perf_counter() - started)
    gc.collect()
    measured.input_mib = rss_mib("VmRSS")
    reset_peak_rss()
    started = time.perf_counter()
    model, arrays, highs = _build(scenario, measured.stages)
    measured.build_seconds = time.perf_counter() - started
    measured.build_peak_mib = rss_mib("VmHWM")
    measured.sizes = _sizes(model, arrays)
    _save_floor_input(arrays, folder / "program.npz")
    if solve:
        options = SolverOptions(time_limit=time_limit, mip_gap=GAP)
        if log:  # HiGHS's log to a file: where its time goes
            highs.setOptionValue("log_file", log)
            highs.setOptionValue("output_flag", True)
            highs.setOptionValue("log_to_console", False)
        solve_started = time.perf_counter()
        solution = run_with_start(highs, arrays, model.is_mip, options)
        plan = plan_of(Solved(model, highs, solution, measured.build_seconds))
        flows = len(plan.tables["flows"])
        seconds = time.perf_counter() - solve_started
        summary = plan.summary
        measured.solve = {"status": summary["status"], "objective": summary["objective"], "bound": summary["bound"],
                          "gap": summary["gap"], "total seconds": measured.build_seconds + seconds,
                          "highs seconds": highs.getRunTime(), "how": solution.message, "nonzero flows": flows,
                          "peak MiB": rss_mib("VmHWM"),
                          "lost share": float(plan.tables["demand"]["lost"].sum()
                                              / plan.tables["demand"]["demand"].sum())}
    return measured


def child_floor(folder: Path) -> Measured:
    saved = np.load(folder / "program.npz")
    data = {name: saved[name] for name in saved.files}
    measured = Measured()
    gc.collect()
    measured.input_mib = rss_mib("VmRSS")
    reset_peak_rss()
    started = time.perf_counter()
    num_rows, num_cols = (int(n) for n in data["shape"])
    matrix = sp.csc_matrix((data["values"], (data["rows"], data["columns"])), shape=(num_rows, num_cols))
    assembled = time.perf_counter()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", GAP)
    integrality = data["integer"].astype(np.int32) * np.int32(highspy.HighsVarType.kInteger)
    highs.passModel(num_cols, num_rows, matrix.nnz, int(highspy.MatrixFormat.kColwise),
                    int(highspy.ObjSense.kMinimize), float(data["offset"][0]), data["cost"], data["lower"],
                    data["upper"], data["row_lower"], data["row_upper"], matrix.indptr.astype(np.int32, copy=False),
                    matrix.indices.astype(np.int32, copy=False), matrix.data, integrality)
    done = time.perf_counter()
    measured.stages = {"matrix (scipy coo -> csc)": assembled - started, "HiGHS pass-in (passModel)": done - assembled}
    measured.build_seconds = done - started
    measured.build_peak_mib = rss_mib("VmHWM")
    measured.sizes = {"variables": highs.getNumCol(), "constraints": highs.getNumRow(), "non-zeros": matrix.nnz}
    return measured


def child_profile(scale: float) -> str:
    scenario = _validated(scale)
    _build(scenario, {})  # imports and first-call caches outside the profile
    profiler = cProfile.Profile()
    profiler.enable()
    _build(scenario, {})
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def _run_child(*arguments: str) -> str:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _result(output: str) -> Measured:
    line = next(line for line in output.splitlines() if line.startswith(RESULT_MARK))
    return Measured(**json.loads(line.removeprefix(RESULT_MARK)))


def _least(runs: list[Measured]) -> Measured:
    """The run of least build time (the machine's noise only ever adds)."""
    return min(runs, key=lambda run: run.build_seconds)


def run_scale(scale: float, solve: bool, profile: bool, time_limit: float, log: str, repeat: int
              ) -> tuple[Measured, Measured]:
    size = counts(scale)
    print(f"\nscale {scale:g}: {size['suppliers']} suppliers, {size['components']} components, {size['plants']} "
          f"plants, {size['facilities']} distribution centres, {size['markets']} markets, {size['products']} "
          "products, 10 years", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        footprint = _least([_result(_run_child("footprint", str(scale), folder, "0", str(time_limit), log))
                            for _ in range(repeat)])
        floor = _least([_result(_run_child("floor", str(scale), folder)) for _ in range(repeat)])
        if solve:  # once more, solved: its build is one more sample
            solved = _result(_run_child("footprint", str(scale), folder, "1", str(time_limit), log))
            footprint = dataclasses.replace(_least([footprint, solved]), solve=solved.solve)
    sizes = footprint.sizes
    print("  model: " + ", ".join(f"{value:,} {name}" for name, value in sizes.items()))
    assert floor.sizes["non-zeros"] == sizes["non-zeros"], (floor.sizes, sizes)
    print(f"  input (generate and validate the Scenario, untimed): {footprint.input_seconds:.2f} s, "
          f"{footprint.input_mib:.0f} MiB resident")
    for name, measured in (("footprint", footprint), ("floor", floor)):
        stages = "; ".join(f"{stage} {seconds:.2f}" for stage, seconds in measured.stages.items())
        print(f"  {name}: build {measured.build_seconds:.2f} s (peak {measured.build_peak_mib:.0f} MiB, "
              f"{measured.build_peak_mib - measured.input_mib:.0f} above its input): {stages}")
    print(f"  build vs floor: {footprint.build_seconds / floor.build_seconds:.1f}x", flush=True)
    if footprint.solve:
        s = footprint.solve
        print(f"  solve to a {GAP:.0%} gap (time limit {time_limit:g} s): {s['status']}, gap {s['gap']:.4%}, "
              f"objective {s['objective']:,.0f} (bound {s['bound']:,.0f}); footprint {s['total seconds']:.1f} s in all "
              f"(build, the start from the rounded relaxation, HiGHS, the Plan's flows); {s['how']}; HiGHS's own on "
              f"the MILP {s['highs seconds']:.1f} s; peak "
              f"{s['peak MiB']:.0f} MiB; {s['nonzero flows']:,} flows used, {s['lost share']:.2%} of demand lost",
              flush=True)
    if profile:
        print(f"  cProfile of the build at scale {scale:g} (top 25 by cumulative time; cProfile slows Python "
              "calls down, so the seconds are larger than above):")
        print(_run_child("profile", str(scale)), flush=True)
    return footprint, floor


def main(scales: list[float], solve: bool, profile: bool, time_limit: float, log: str, repeat: int) -> None:
    largest = max(scales)  # the solve and the profile at the largest scale only: the others give the build's curve
    results = [(scale, *run_scale(scale, solve and scale == largest, profile and scale == largest, time_limit,
                                     log, repeat))
               for scale in scales]
    print("\nscale  variables  constraints  non-zeros   footprint s  floor s  ratio  footprint MiB  floor MiB"
          + ("  solve s  HiGHS s     gap" if solve else ""))
    for scale, footprint, floor in results:
        line = (f"{scale:<5g} {footprint.sizes['variables']:>10,} {footprint.sizes['constraints']:>12,} "
                f"{footprint.sizes['non-zeros']:>10,} {footprint.build_seconds:>12.2f} {floor.build_seconds:>8.2f} "
                f"{footprint.build_seconds / floor.build_seconds:>6.1f} {footprint.build_peak_mib:>14.0f} "
                f"{floor.build_peak_mib:>10.0f}")
        if footprint.solve:
            s = footprint.solve
            line += f" {s['total seconds']:>8.1f} {s['highs seconds']:>8.1f} {s['gap']:>7.2%}"
        print(line)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="1", help="with --tiers: comma-separated scales of the network (1: 50 "
                        "suppliers, 300 components, 30 plants, 60 centres, 200 markets, 100 products; default 1)")
    parser.add_argument("--no-solve", action="store_true", help="with --tiers: build only")
    parser.add_argument("--no-profile", action="store_true", help="with --tiers: no cProfile of the build")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="with --tiers: seconds HiGHS may take to reach the 1%% gap (default 600)")
    parser.add_argument("--solver-log", default="", help="with --tiers: write HiGHS's log of the solve to this file")


def run_from(arguments: argparse.Namespace) -> None:
    main([float(scale) for scale in arguments.scale.split(",")], not arguments.no_solve, not arguments.no_profile,
         arguments.time_limit, str(Path(arguments.solver_log).resolve()) if arguments.solver_log else "",
         arguments.repeat)


def child(kind: str, rest: list[str]) -> None:
    """One run of a fresh interpreter: its result on stdout."""
    if kind == "profile":
        print(child_profile(float(rest[0])))
        return
    if kind == "footprint":
        scale, folder, solve, limit, log = rest
        result = child_footprint(float(scale), Path(folder), solve == "1", float(limit), log)
    else:
        result = child_floor(Path(rest[1]))
    print(RESULT_MARK + json.dumps(dataclasses.asdict(result)), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["--child"]:
        sys.exit("run: python benchmarks/build.py --tiers")
    child(sys.argv[2], sys.argv[3:])
