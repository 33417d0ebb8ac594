"""Benchmark of `footprint report`: the time to draw the report of rogue-2012 and of the large synthetic plan
(1,500,000 flows; benchmarks/build.py SIZES["large"]), and the file's size, each against a floor measured in the
same run: writing the same Plan's tables as CSV (pandas ``to_csv`` into a temporary folder).

The plans are solved first, outside the clock. rogue-2012's report includes explain's choices (one re-solve of the
scenario with its yes/no decisions fixed, inside the clock), as `footprint report` draws it by default; the large
plan's does not (explain is off by default above 20,000 flows). Targets: rogue-2012 under 2 s, the large plan under
10 s and its file under 8 MB (issue 18: the report leads with the decision, its tables collapsed and paged).

    python benchmarks/report.py                 # both: about 2 minutes here (most of it solving the large plan)
    python benchmarks/report.py --only rogue
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build
from footprint.analysis.explain import explanations
from footprint.economics.checks import CHECKS
from footprint.plan.plan import Plan
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.validation import Loaded
from footprint.scenario.model.scenario import Scenario
from footprint.views.report import plan_report
from footprint.views.report_of import pairs


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _floor(plan: Plan) -> float:
    """Seconds to write every table of the plan as CSV."""
    with tempfile.TemporaryDirectory() as folder:
        seconds, _ = _timed(lambda: [table.to_csv(Path(folder) / f"{name}.csv", index=False)
                                     for name, table in plan.tables.items()])
    return seconds


def _measure(name: str, plan: Plan, loaded: Loaded, explain: bool, target: float, megabytes: float) -> None:
    for table in plan.tables.values():  # make every table before the clocks start (a solved Plan makes them lazily)
        len(table)
    floor = _floor(plan)

    def draw() -> str:
        return plan_report(plan, loaded, explanations(loaded.scenario, pairs(plan)) if explain else ())

    seconds, html = _timed(draw)
    size = len(str(html).encode()) / 1e6
    print(f"{name}: {len(plan.flows):,} flows; report {seconds:.2f} s (target < {target:g} s), {size:.1f} MB "
          f"(target < {megabytes:g} MB); "
          f"floor (tables as CSV) {floor:.2f} s; ratio {seconds / floor:.1f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("rogue", "large"))
    only = parser.parse_args().only
    if only in (None, "rogue"):
        loaded = read_scenario(case_path("rogue-2012"), CHECKS)
        _measure("rogue-2012", solve(loaded.scenario), loaded, True, 2, 8)
    if only in (None, "large"):
        data = build.scenario_dict(build.generate(build.SIZES["large"]))
        scenario = Scenario.model_validate(data)
        started = time.perf_counter()
        plan = solve(scenario)
        print(f"large: solved in {time.perf_counter() - started:.0f} s (outside the clock)", flush=True)
        _measure("large", plan, Loaded(scenario, [], "benchmarks/build.py large", data), False, 10, 8)


if __name__ == "__main__":
    main()
