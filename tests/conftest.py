"""Shared helpers: tiny scenario builders, paths to the benchmark instances, and the Hypothesis profile.

The builders return plain data (as read from YAML) so that a test can change any field
before turning it into a Scenario with :func:`make`. Defaults keep every scenario small:
one product ``car``, US plants and markets in USD, no freight unless a test gives some.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import Result
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from footprint.analysis.sweep import DASK_LOG_ENV
from footprint.cli import app
from footprint.economics.checks import CHECKS
from footprint.economics.freight import CACHE_ENV
from footprint.plan.plan import Plan
from footprint.plan.store_schema import STORE_ENV
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario, scenario_from_data
from footprint.scenario.model.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "data" / "benchmarks"
ORLIB = BENCHMARKS / "orlib-cap"
TRNSPORT = BENCHMARKS / "gams-trnsport"
REPRO = REPO / "tests" / "repro"
"""Reproducers of reported defects (see its README)."""

# Deterministic property tests: the same examples on every run and machine, no example database.
settings.register_profile(
    "footprint",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("footprint")

DASK = Path(sys.executable).parent / "dask"


@contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """``name`` set to ``value`` while the block runs, and as it was after."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"a command took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True, scope="session")
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' caches (sea distances) in a folder of their own, not the user's."""
    folder = tmp_path_factory.mktemp("cache")
    with environment(CACHE_ENV, str(folder)):
        yield folder


@pytest.fixture(autouse=True, scope="session")
def own_dask_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Dask's log records of the tests' sweeps in a file of their own, not the user's."""
    path = tmp_path_factory.mktemp("dask") / "dask.log"
    with environment(DASK_LOG_ENV, str(path)):
        yield path


@pytest.fixture(autouse=True, scope="session")
def own_run_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The runs the tests make (every `footprint run` stores its plan) in a store of their own, not in
    footprint.sqlite wherever the tests were started."""
    path = tmp_path_factory.mktemp("store") / "footprint.sqlite"
    with environment(STORE_ENV, str(path)):
        yield path


FOOTPRINT = [sys.executable, "-c", "from footprint.cli import main; main()"]
"""The command line in a process of its own."""


def unprivileged(command: list[str]) -> list[str]:
    """``command`` as a process for which file permissions hold: as it is for a user, and for root (who reads and
    writes anything) without the capabilities that let it (setpriv, util-linux). Never skipped: without setpriv
    as root, the test fails saying so."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("the tests run as root and need setpriv (util-linux) to drop root's way past file permissions",
                    pytrace=False)
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", *command]


def invoke(*args: str) -> Result:
    """The command line's answer to ``args``: it may exit with any code, never with a traceback."""
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server of the tests' own (scripts/postgres.sh), stopped at the end whatever happened: the URL
    of its database footprint_test. When it cannot be started the tests that need it fail, saying why: they
    are never skipped."""
    script = REPO / "scripts" / "postgres.sh"
    try:
        started = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{script} start did not finish in 10 minutes", pytrace=False)
    if started.returncode != 0:
        pytest.fail(f"cannot start PostgreSQL for the tests ({script} start, exit code {started.returncode}): "
                    f"{started.stderr.strip()[-2000:]}", pytrace=False)
    folder, url = started.stdout.splitlines()[-2:]
    try:
        yield url
    finally:
        subprocess.run(["bash", str(script), "stop", folder], capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium (scripts/chromium.sh, installed with apt-get if missing): its path. When it cannot be
    found the tests that need it fail, saying why: they are never skipped."""
    script = REPO / "scripts" / "chromium.sh"
    try:
        found = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{script} did not finish in 15 minutes", pytrace=False)
    if found.returncode != 0:
        pytest.fail(f"cannot find or install Chromium for the browser tests ({script}, exit code "
                    f"{found.returncode}): {found.stderr.strip()[-2000:]}", pytrace=False)
    return found.stdout.strip().splitlines()[-1]


CHROMIUM_ARGS = ["--no-sandbox"]
"""Chromium's sandbox needs user namespaces, which containers and root often lack."""


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    """Headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and two workers, each its own process, as a cluster a team would run."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    processes = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                   "--scheduler-file", str(scheduler_file)], cwd=folder, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        processes += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard"],
                                       cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True) for _ in range(2)]
        from dask.distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


def product(id: str = "car", product_class: str = "8703", **extra: Any) -> dict[str, Any]:
    return {"id": id, "product_class": product_class, **extra}


def pool(id: str, products: list[str], capacity: Any) -> dict[str, Any]:
    return {"id": id, "products": list(products), "capacity": capacity}


def plant(
    id: str,
    capacity: Any = 1_000_000.0,
    *,
    products: tuple[str, ...] = ("car",),
    country: str = "US",
    currency: str = "USD",
    pools: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A plant with one pool ``main`` covering ``products`` (or the given pools)."""
    return {
        "id": id,
        "country": country,
        "currency": currency,
        "pools": pools if pools is not None else [pool("main", list(products), capacity)],
        **extra,
    }


def capability(plant: str, product: str = "car", local_cost: Any = 0.0, **extra: Any) -> dict[str, Any]:
    return {"plant": plant, "product": product, "local_cost": local_cost, **extra}


def market(id: str, demand: Any, *, product: str = "car", country: str = "US", **extra: Any) -> dict[str, Any]:
    """A market demanding ``demand`` units of ``product`` (a number, or a per-year mapping)."""
    return {"id": id, "country": country, "demand": {product: demand}, **extra}


def lane(plant: str, market: str, freight: Any, **extra: Any) -> dict[str, Any]:
    return {"plant": plant, "market": market, "freight": freight, **extra}


def scenario_data(
    *,
    plants: list[dict[str, Any]],
    capabilities: list[dict[str, Any]],
    markets: list[dict[str, Any]],
    products: list[dict[str, Any]] | None = None,
    start: int = 2020,
    end: int | None = None,
    default_freight: float | None = 0.0,
    **extra: Any,
) -> dict[str, Any]:
    """Plain scenario data; freight is free on every lane unless ``default_freight`` or lanes say otherwise."""
    data: dict[str, Any] = {
        "name": "test",
        "horizon": {"start": start, "end": start if end is None else end},
        "products": products if products is not None else [product()],
        "plants": plants,
        "capabilities": capabilities,
        "markets": markets,
        **extra,
    }
    if default_freight is not None:
        data["default_freight"] = default_freight
    return data


def make(data: dict[str, Any]) -> Scenario:
    return scenario_from_data(data, "test", CHECKS)


def solved(data: dict[str, Any]) -> Plan:
    return solve(make(data))


def repro(name: str) -> Scenario:
    """The reproducer ``tests/repro/<name>``, read and checked as ``footprint run`` reads it."""
    return read_scenario(REPRO / name, CHECKS).scenario


def costs_by(plan: Plan, component: str) -> dict[int, float]:
    """Undiscounted amount of one cost component per year."""
    rows = plan.costs[plan.costs["component"] == component]
    return {int(year): float(amount) for year, amount in zip(rows["year"], rows["amount"], strict=True)}


def flows_of(plan: Plan) -> dict[tuple[str, str, int], float]:
    """Units per (plant, market, year), summed over products."""
    flows = plan.flows.astype({"plant": str, "market": str})
    grouped = flows.groupby(["plant", "market", "year"])["units"].sum()
    return {(str(p), str(m), int(y)): float(u) for (p, m, y), u in grouped.items()}


def assert_costs_match(plan: Plan) -> None:
    """The costs table adds up to the objective (revenue is a negative cost when maximizing profit)."""
    total = float(plan.costs["discounted"].sum())
    expected = -plan.objective if plan.summary["objective_sense"] == "maximize_profit" else plan.objective
    assert math.isclose(total, expected, rel_tol=1e-7, abs_tol=1e-6), (total, expected)


def write_yaml(path: Path, data: Any) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def benchmark_instances() -> Path:
    """The benchmark instances shipped in the repository (data/benchmarks)."""
    assert BENCHMARKS.is_dir(), f"expected the benchmark instances at {BENCHMARKS}"
    return BENCHMARKS


def small_network_data() -> dict[str, Any]:
    """Two plants (US, KR in KRW), two markets, one capacity option that pays for itself: a CLI-sized case."""
    return scenario_data(
        start=2020,
        end=2021,
        discount_rate=0.1,
        plants=[
            plant("detroit", 100.0, fixed_cost=50.0),
            plant("busan", 0.0, country="KR", currency="KRW"),
        ],
        capabilities=[
            capability("detroit", local_cost=30.0),
            capability("busan", local_cost=11_000.0),
        ],
        options=[{"id": "busan-line", "plant": "busan", "pool": "main", "capacity": 200.0, "capex": 110_000.0}],
        markets=[market("us", 150.0), market("eu", 80.0, country="EU")],
        lanes=[lane("detroit", "us", 1.0), lane("detroit", "eu", 6.0), lane("busan", "us", 4.0),
               lane("busan", "eu", 5.0)],
        default_freight=None,
        fx={"KRW": 1100.0},
        tariffs=[{"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025}],
    )


# Bundled cases: their plans' Rogue lanes, and the numbers their READMEs state.

FREIGHT = ("freight", "sea_freight", "port_handling", "land_freight")
"""Landed-cost components of freight: a listed lane's, or a computed lane's parts."""


def rogue_landed(plan: Plan, plant: str, market: str, year: int) -> dict[str, float]:
    """Per unit cost of a used Rogue lane by component, with production and the freight parts summed."""
    landed = plan.landed_cost.astype({"plant": str, "product": str, "market": str, "component": str})
    lane = landed[(landed["product"] == "rogue") & (landed["plant"] == plant) & (landed["market"] == market)
                  & (landed["year"] == year)]
    assert not lane.empty, f"{plant} -> {market} is not used in {year}"
    per_unit = lane.groupby("component", observed=True)["per_unit"].sum()
    parts = {c: float(per_unit.get(c, 0.0)) for c in ("production_local", "production_imported", "duty")}
    return parts | {"production": parts["production_local"] + parts["production_imported"],
                    "freight": float(sum(per_unit.get(c, 0.0) for c in FREIGHT)), "landed": float(per_unit.sum())}


def rogue_parts(scenario: Scenario, plan: Plan, plant: str, year: int) -> float:
    """Cost of the parts of one Rogue made at ``plant`` in ``year``: what the plan pays for the components it buys
    for that plant that year (price, freight and duty of each supply arc used), per Rogue made there. The landed_cost
    table leaves them out: they are bought by the plant, not by a lane."""
    from footprint.economics.network import compile_network

    tiers = compile_network(scenario).tiers
    supplies = plan.tables["supplies"].astype({"supplier": str, "component": str, "plant": str})
    supplies = supplies[(supplies["plant"] == plant) & (supplies["year"] == year)]
    supplier_names, plant_names = tiers.suppliers.names, [p.id for p in scenario.plants]
    t = scenario.years.index(year)
    total = 0.0
    for row in supplies.itertuples():
        arcs = [a for a in range(len(tiers.supply)) if tiers.supply.year[a] == t
                and supplier_names[tiers.offer_supplier[tiers.supply.item[a]]] == row.supplier
                and tiers.components[tiers.offer_component[tiers.supply.item[a]]] == row.component
                and plant_names[tiers.supply.destination[a]] == plant]
        assert len(arcs) == 1, (row.supplier, row.component, plant, year)
        total += row.units * float(tiers.supply.cost[arcs[0]])
    flows = plan.flows.astype({"plant": str, "product": str})
    made = flows[(flows["plant"] == plant) & (flows["product"] == "rogue") & (flows["year"] == year)]["units"].sum()
    return total / made


def rogue_supply(plan: Plan, market: str) -> pd.DataFrame:
    """Rogue units to ``market`` by year (rows) and plant (columns)."""
    flows = plan.flows.astype({"plant": str, "product": str, "market": str})
    rogue = flows[(flows["product"] == "rogue") & (flows["market"] == market)]
    return rogue.pivot_table(index="year", columns="plant", values="units", aggfunc="sum", fill_value=0.0)


def case_readme(case: str) -> str:
    return (case_path(case).parent / "README.md").read_text(encoding="utf-8")  # type: ignore[union-attr]


def prose(text: str) -> str:
    """The text with every run of whitespace (line breaks too) as one space, to find phrases in."""
    return " ".join(text.split())


def readme_row(text: str, label: str) -> list[float]:
    """The numbers of the Markdown table row that starts with ``label``."""
    row = re.search(rf"^\| {label} \|(.*)\|$", text, flags=re.MULTILINE)
    assert row is not None, label
    return [float(cell.strip(" *").replace(",", "")) for cell in row.group(1).split("|")]


def figures(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every figure ({value: number, ...}) in scenario data, with its key path."""
    if isinstance(node, dict):
        if "value" in node and isinstance(node["value"], (int, float)):
            yield path, node
            return
        for key, value in node.items():
            yield from figures(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from figures(value, f"{path}[{index}]")

