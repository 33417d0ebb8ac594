"""The web app through a real uvicorn server, each figure against a floor timed in the same process:

- the runs page with 10,000 runs stored (GET /runs), against RunStore.runs() alone (the same query the page makes);
  it must stay under 200 ms;
- an edit of one cell of the bundled case in the workbench (POST /scenarios/ID/cell: the cell saved, the scenario
  validated with every check, its problems placed), against plain validation of the same case (read_scenario);
  it must stay under 300 ms.

    python benchmarks/app.py [--runs 10000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import re
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
from web_helpers import form_token, serving, web_app


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
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        with RunStore(path) as store:
            started = time.perf_counter()
            fill(store, args.runs)
            print(f"stored {args.runs:,} runs in {time.perf_counter() - started:.1f} s")
            floor = timed(lambda: store.runs(limit=PAGE_SIZE + 1), args.repeat)
        with serving(web_app(path)) as address, httpx.Client(base_url=address, follow_redirects=True) as client:
            def get_page() -> None:
                answer = client.get("/runs")
                assert answer.status_code == 200
                assert f"rogue-{args.runs - 1:04d}" in answer.text

            page = timed(get_page, args.repeat)
            searched = timed(lambda: client.get("/runs?search=rogue-09&page=2").raise_for_status(), args.repeat)
            edit, validation = cell_edit(client, args.repeat)
    print(f"RunStore.runs() floor: {floor * 1000:.1f} ms")
    print(f"GET /runs (uvicorn, {args.runs:,} runs stored, {PAGE_SIZE} a page): {page * 1000:.1f} ms "
          f"({page / floor:.1f}x the floor); searched, page 2: {searched * 1000:.1f} ms")
    print(f"read_scenario(rogue-2012) floor: {validation * 1000:.1f} ms")
    print(f"POST /scenarios/ID/cell (rogue-2012, one cell saved and validated): {edit * 1000:.1f} ms "
          f"({edit / validation:.1f}x the floor)")
    if page > 0.2:
        raise SystemExit(f"GET /runs took {page * 1000:.0f} ms, more than 200 ms")
    if edit > 0.3:
        raise SystemExit(f"an edit of one cell took {edit * 1000:.0f} ms, more than 300 ms")


def cell_edit(client: httpx.Client, repeat: int) -> tuple[float, float]:
    """The median seconds of an edit of one cell of rogue-2012 in the workbench (a plant's fixed cost, set to a
    new value each time), and of plain validation of the case."""
    token = form_token(client, "/scenarios")
    made = client.post("/scenarios", data={"csrf_token": token, "name": "bench", "start": "rogue-2012"})
    scenario = made.url.path
    found = re.search(r'name="plants:0:(\d+)" value="[^"]*" aria-label="plants row 2 fixed_cost"', made.text)
    assert found is not None, "the editor has no fixed cost of the first plant"
    values = iter(range(10_000_000, 20_000_000))

    def edit() -> None:
        answer = client.post(f"{scenario}/cell", data={"csrf_token": token, "table": "plants", "row": "0",
                                                       "column": found[1], "value": str(next(values))})
        assert answer.json()["valid"], answer.text

    floor = timed(lambda: read_scenario(case_path("rogue-2012"), CHECKS), repeat)
    return timed(edit, repeat), floor


if __name__ == "__main__":
    main()
