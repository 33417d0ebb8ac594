"""Loading benchmark: seconds to read and validate a scenario, per format, at 100, 1,000 and 10,000 markets.

Each size is one synthetic network (10 plants in 5 countries, 2 products, 7 years of demand per
market and product, 10 listed lanes per market, a tenth of the numbers as figures with a source
and a range), written once as YAML, as a CSV folder and as an Excel workbook (untimed). footprint
is timed from the file to the validated Scenario with every check (``read_scenario(path,
CHECKS)``: what `footprint validate` does after starting). Beside it, the floor of each format,
measured in the same run: reading the same bytes with no validation (libyaml's C loader for
YAML, pandas.read_csv of every file for CSV, openpyxl's read-only iteration of every cell for
Excel). The ratio is footprint's time over the floor's. Each figure is the least of --repeat runs.

    python benchmarks/load.py [--sizes 100,1000,10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from footprint.economics.checks import CHECKS
from footprint.scenario.formats.files import read_scenario, write_source

SIZES = (100, 1_000, 10_000)
FORMATS = ("yaml", "csv", "excel")
YEARS = list(range(2026, 2033))
COUNTRIES = ("US", "MX", "PL", "CN", "DE")
PLANTS_PER_COUNTRY = 2
LANES_PER_MARKET = 10


def network(markets: int, seed: int = 7) -> dict[str, Any]:
    """Plain scenario data with ``markets`` markets (see the module docstring)."""
    rng = random.Random(seed)
    plants = [f"{country.lower()}{i}" for country in COUNTRIES for i in range(PLANTS_PER_COUNTRY)]

    def number(value: float) -> Any:  # a tenth of the numbers carry their provenance
        if rng.random() < 0.1:
            return {"value": value, "low": round(value * 0.9, 2), "high": round(value * 1.1, 2),
                    "source": "benchmark figure"}
        return value

    return {
        "name": f"load-{markets}",
        "horizon": {"start": YEARS[0], "end": YEARS[-1]},
        "default_freight": 100.0,
        "products": [{"id": "washer", "product_class": "8450"}, {"id": "dryer", "product_class": "8451"}],
        "plants": [{"id": plant, "country": plant[:2].upper(), "currency": "USD", "fixed_cost": 1e6,
                    "pools": [{"id": "assembly", "products": ["washer", "dryer"], "capacity": 5e5 * markets / 100}]}
                   for plant in plants],
        "capabilities": [{"plant": plant, "product": product, "local_cost": number(round(rng.uniform(150, 300), 2))}
                         for plant in plants for product in ("washer", "dryer")],
        "markets": [{"id": f"m{k}", "country": rng.choice(COUNTRIES),
                     "demand": {product: {year: number(float(rng.randint(500, 5000))) for year in YEARS}
                                for product in ("washer", "dryer")}}
                    for k in range(markets)],
        "lanes": [{"plant": plant, "market": f"m{k}", "freight": number(round(rng.uniform(5, 80), 2))}
                  for k in range(markets) for plant in rng.sample(plants, LANES_PER_MARKET)],
        "tariffs": [{"origin": "CN", "destination": "US", "product_class": "8450", "rate": 0.25}],
    }


def floor(kind: str, path: Path) -> Callable[[], Any]:
    """Reading the same file with no validation: the least any loader of that format does."""
    if kind == "yaml":
        return lambda: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    if kind == "csv":
        return lambda: [pd.read_csv(file, dtype=str) for file in sorted(path.glob("*.csv"))]

    def cells() -> int:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        count = sum(1 for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for _ in row)
        workbook.close()
        return count

    return cells


def least(action: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def main(sizes: list[int], repeat: int) -> None:
    print(__doc__.split("\n\n")[0])
    print(f"{'markets':>8} {'lanes':>8} {'format':>7} {'MiB':>7} {'footprint s':>12} {'floor s':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for markets in sizes:
            data = network(markets)
            paths = {"yaml": Path(folder) / f"n{markets}.yaml", "csv": Path(folder) / f"n{markets}",
                     "excel": Path(folder) / f"n{markets}.xlsx"}
            for kind in FORMATS:
                write_source(data, paths[kind])
                loaded = read_scenario(paths[kind], CHECKS).scenario  # the first read pays for the imports
                assert len(loaded.markets) == markets
                ours = least(lambda path=paths[kind]: read_scenario(path, CHECKS), repeat)
                theirs = least(floor(kind, paths[kind]), repeat)
                size = sum(p.stat().st_size for p in paths[kind].rglob("*")) if kind == "csv" \
                    else paths[kind].stat().st_size
                print(f"{markets:>8,} {len(data['lanes']):>8,} {kind:>7} {size / 2**20:>7.2f} {ours:>12.2f} "
                      f"{theirs:>8.2f} {ours / theirs:>6.2f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="markets per network, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the least is printed")
    arguments = parser.parse_args()
    main([int(size) for size in arguments.sizes.split(",")], arguments.repeat)
