"""The web app's runs page with 1,000 runs stored: GET /runs through a real uvicorn server, against the floor of
RunStore.runs() alone (the same query the page makes), both timed in this process.

    python benchmarks/app.py [--runs 1000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from footprint.economics.checks import CHECKS
from footprint.optimize.solve import solver_options
from footprint.plan.store import RunStore, encode_tables, run_record, solver_settings
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario
from footprint.web.runs import PAGE_SIZE
from web_helpers import serving, web_app


def fill(store: RunStore, count: int) -> None:
    """``count`` runs of rogue-2012 (its plan solved once, stored under ``count`` names)."""
    loaded = read_scenario(case_path("rogue-2012"), CHECKS)
    options = solver_options(loaded.scenario)
    plan = solve(loaded.scenario, options)
    tables = encode_tables(plan)
    for number in range(count):
        store.save_run(run_record(plan, name=f"rogue-{number:04d}", data=loaded.data,
                                  settings=solver_settings(options)), tables)


def timed(action: object, repeat: int) -> float:
    """The median seconds of ``repeat`` calls, after one to warm up."""
    action()  # type: ignore[operator]
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        with RunStore(path) as store:
            started = time.perf_counter()
            fill(store, args.runs)
            print(f"stored {args.runs:,} runs in {time.perf_counter() - started:.1f} s")
            floor = timed(lambda: store.runs(limit=PAGE_SIZE + 1), args.repeat)
        with serving(web_app(path)) as address, httpx.Client(base_url=address) as client:
            def get_page() -> None:
                answer = client.get("/runs")
                assert answer.status_code == 200
                assert "rogue-0999" in answer.text

            page = timed(get_page, args.repeat)
            searched = timed(lambda: client.get("/runs?search=rogue-09&page=2").raise_for_status(), args.repeat)
    print(f"RunStore.runs() floor: {floor * 1000:.1f} ms")
    print(f"GET /runs (uvicorn, {args.runs:,} runs stored, {PAGE_SIZE} a page): {page * 1000:.1f} ms "
          f"({page / floor:.1f}x the floor); searched, page 2: {searched * 1000:.1f} ms")
    if page > 0.2:
        raise SystemExit(f"GET /runs took {page * 1000:.0f} ms, more than 200 ms")


if __name__ == "__main__":
    main()
