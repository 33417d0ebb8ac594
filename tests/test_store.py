"""The run store, on SQLite and on a real PostgreSQL server: round trips, the future key, sweeps that resume,
listing, refs, failures as messages, and the commands that use it."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import psycopg
import pytest

import footprint as fp
from conftest import invoke, small_network_data, write_yaml
from footprint.economics.checks import CHECKS
from footprint.optimize.solve import solver_options
from footprint.plan.decisions import Decisions
from footprint.plan.fields import COLUMNS, NAME
from footprint.plan.plan import TABLES, Plan
from footprint.plan.store import (
    FAILED,
    Run,
    RunStore,
    StoreError,
    canonical_json,
    canonical_scenario,
    decode_tables,
    encode_tables,
    run_key,
    run_record,
    solver_settings,
)
from footprint.plan.store_schema import SCHEMA_VERSION, meta
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.validation import Loaded


@dataclasses.dataclass(frozen=True)
class Solved:
    loaded: Loaded
    plan: Plan
    settings: dict

    def record(self, **given) -> Run:
        return run_record(self.plan, name=self.loaded.scenario.name, data=self.loaded.data,
                          settings=self.settings, **given)


def solved_file(path: Path) -> Solved:
    loaded = read_scenario(path, CHECKS)
    options = solver_options(loaded.scenario)
    return Solved(loaded, solve(loaded.scenario, options), solver_settings(options))


@pytest.fixture(scope="module")
def rogue() -> Solved:
    return solved_file(case_path("rogue-2012"))


@pytest.fixture(scope="module")
def powertrain() -> Solved:
    """The README's multi-tier example: every table of the tiers (suppliers, transfers between plants, a
    distribution centre's inbound and deliveries, the sites) has rows."""
    return solved_file(Path(__file__).parents[1] / "docs" / "examples" / "powertrain.yaml")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Solved:
    return solved_file(write_yaml(tmp_path_factory.mktemp("small") / "small.yaml", small_network_data()))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A new, empty store: an SQLite file, or a database of its own on the tests' PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.sqlite")
    server = request.getfixturevalue("postgres_url")
    database = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    return f"{server.rsplit('/', 1)[0]}/{database}"


@pytest.fixture
def store(store_url):
    with RunStore(store_url) as opened:
        yield opened


def assert_same_plan(read: Plan, plan: Plan) -> None:
    assert list(read.tables) == list(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(read.tables[name], plan.tables[name], check_exact=True, obj=name)
    assert read.summary == json.loads(json.dumps(plan.summary))


@pytest.mark.parametrize("case", ["rogue", "small", "powertrain"])
def test_a_stored_plan_reads_back_whole(store, case, request):
    solved = request.getfixturevalue(case)
    before = datetime.now(UTC)
    run_id = store.save_run(solved.record(), encode_tables(solved.plan))
    assert_same_plan(store.plan(run_id), solved.plan)
    run = store.get(run_id)
    text, digest = canonical_scenario(solved.loaded.data)
    assert (run.kind, run.name, run.status, run.sweep) == ("run", solved.loaded.scenario.name, "optimal", None)
    assert (run.scenario, run.scenario_hash, run.scenario_data) == (text, digest, json.loads(text))
    gap = 0.0 if case == "rogue" else 1e-4  # rogue-2012 asks for an exact solve (its solver:)
    assert run.settings == solved.settings == {"time_limit": None, "mip_gap": gap, "threads": None}
    assert run.key == run_key(digest, (), solved.settings) == solved.record().key
    assert run.decisions == Decisions.of(solved.plan)
    assert run.objective == pytest.approx(solved.plan.objective, rel=1e-12)
    assert run.currency == solved.plan.summary["currency"]
    assert run.version == version("footprint")
    assert before.replace(microsecond=0) <= run.created <= datetime.now(UTC)


def test_a_plan_s_names_are_text_before_and_after_the_store(store, powertrain):
    """Every name column of every table has one type, in the solved plan and read back: pandas' text, or
    categories (the flows'). The tiers' tables once held their names as Python objects, which a store reads
    back as text."""
    plan = powertrain.plan
    assert all(len(plan.tables[name]) for name in ("supplies", "transfers", "inbound", "deliveries", "sites"))
    read = store.plan(store.save_run(powertrain.record(), encode_tables(plan)))
    for name, table in plan.tables.items():
        for column in table.columns:
            if COLUMNS.get(column) == NAME and len(table):
                assert str(table[column].dtype) in ("str", "category"), (name, column, table[column].dtype)
                assert read.tables[name][column].dtype == table[column].dtype, (name, column)


def test_rogue_decides_the_busan_line(rogue):
    decisions = rogue.record().decisions
    assert ("busan-rogue-line", 2014, 1) in decisions.builds


def test_tables_encode_typed_and_lossless(rogue):
    encoded = encode_tables(rogue.plan)
    assert set(encoded) == set(TABLES)
    decoded = decode_tables(encoded)
    assert isinstance(decoded["flows"]["plant"].dtype, pd.CategoricalDtype)
    assert decoded["plants"]["open"].dtype == bool
    assert list(decoded["sourcing"].columns) == list(TABLES["sourcing"])
    assert decoded["sourcing"].empty


def test_canonical_scenario_sorts_keys_and_writes_dates_and_numbers_one_way(tmp_path):
    data = {"name": "x", "b": {2014: 1.0, 2013: 2.5}, "a": [{"from_date": datetime(2012, 3, 15).date()}]}
    text, digest = canonical_scenario(data)
    assert text == '{"a":[{"from_date":"2012-03-15"}],"b":{"2013":2.5,"2014":1},"name":"x"}'
    reordered = {"a": [{"from_date": "2012-03-15"}], "name": "x", "b": {"2014": 1, "2013": 2.5}}
    assert canonical_scenario(reordered)[1] == digest
    assert canonical_scenario({**data, "name": "y"})[1] != digest
    with pytest.raises(StoreError, match="differ only as number and text"):
        canonical_json({1: "a", "1": "b"})
    with pytest.raises(StoreError, match=r"data.x: a set is not plain data"):
        canonical_json({"x": {1}})
    yaml = tmp_path / "dated.yaml"
    yaml.write_text("name: x\nwhen: 2014-03-15\n", encoding="utf-8")
    from footprint.scenario.formats.files import read_source

    assert canonical_scenario(read_source(yaml).data)[0] == '{"name":"x","when":"2014-03-15"}'


def test_overrides_and_settings_make_their_own_keys(small):
    base = small.record()
    assert small.record(overrides=[("fx.KRW", 1200.0)]).key != base.key
    assert run_record(small.plan, name="other name", data=small.loaded.data, settings=small.settings).key == base.key
    assert run_record(small.plan, name="x", data=small.loaded.data,
                      settings={**small.settings, "mip_gap": 0.01}).key != base.key


def futures_of(small: Solved, count: int) -> tuple[list[tuple[str, float, str]], list[Run]]:
    """``count`` futures of the small scenario, each with its own override (so its own key)."""
    records = [small.record(kind="future", sweep=0, probability=1 / count, overrides=[("fx.KRW", 1000.0 + i)])
               for i in range(count)]
    records = [dataclasses.replace(record, name=f"f{i}") for i, record in enumerate(records)]
    return [(record.name, record.probability, record.key) for record in records], records


def test_a_future_stored_twice_is_one_row(store, small):
    planned, records = futures_of(small, 2)
    sweep, done = store.start_sweep("fx", {"futures": 2}, small.settings, planned)
    assert done == set()
    future = dataclasses.replace(records[0], sweep=sweep)
    first = store.save_run(future, encode_tables(small.plan))
    assert store.save_run(future, encode_tables(small.plan)) == first
    assert list(store.runs(kind="future")["id"]) == [first]
    assert store.start_sweep("fx", {"futures": 2}, small.settings, planned) == (sweep, {records[0].key})


RACER = """
import dataclasses, pathlib, pickle, sys
from footprint.plan.store import RunStore
planned, record, encoded = pickle.loads(pathlib.Path(sys.argv[2]).read_bytes())
print("ready", flush=True)
sys.stdin.readline()
store = RunStore(sys.argv[1])
sweep, _ = store.start_sweep("race", {"set": 1}, {}, planned)
print(sweep, store.save_run(dataclasses.replace(record, sweep=sweep), encoded), flush=True)
"""


def test_processes_racing_to_store_one_future_leave_one_row(store_url, small, tmp_path):
    """Two processes open a new store at once, start the same sweep and store the same future: one store, one
    sweep, one future, and both are told the same ids."""
    planned, records = futures_of(small, 1)
    job = tmp_path / "job.pickle"
    job.write_bytes(pickle.dumps((planned, records[0], encode_tables(small.plan))))
    racers = [subprocess.Popen([sys.executable, "-c", RACER, store_url, str(job)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for racer in racers:
        assert racer.stdout.readline() == "ready\n", racer.communicate()[1]
    for racer in racers:  # all at once: each is waiting on this line
        racer.stdin.write("go\n")
        racer.stdin.flush()
    answers = set()
    for racer in racers:
        printed, errors = racer.communicate(timeout=60)
        assert racer.returncode == 0, errors
        answers.add(printed.strip())
    assert len(answers) == 1
    sweep, future = map(int, answers.pop().split())
    with RunStore(store_url) as store:
        assert list(store.runs()["id"]) == [sweep]
        assert list(store.runs(kind="future")["id"]) == [future]
        assert_same_plan(store.plan(future), small.plan)


SWEEPER = """
import dataclasses, pathlib, pickle, sys, time
from footprint.plan.store import RunStore
planned, records, encoded = pickle.loads(pathlib.Path(sys.argv[2]).read_bytes())
store = RunStore(sys.argv[1])
sweep, done = store.start_sweep("killed", {"set": "killed"}, {}, planned)
for index, record in enumerate(records):
    if index == int(sys.argv[4]):
        time.sleep(3600)  # waits to be killed: the kill falls midway however fast or slow the machine
    if record.key not in done:
        time.sleep(float(sys.argv[3]))  # the future's solve
        store.save_run(dataclasses.replace(record, sweep=sweep), encoded)
store.finish_sweep(sweep, "done")
"""


def test_a_sweep_killed_midway_and_run_again_stores_each_future_once(store_url, small, tmp_path):
    planned, records = futures_of(small, 30)
    job = tmp_path / "job.pickle"
    job.write_bytes(pickle.dumps((planned, records, encode_tables(small.plan))))
    command = [sys.executable, "-c", SWEEPER, store_url, str(job)]
    sweeper = subprocess.Popen([*command, "0.02", "10"], stderr=subprocess.PIPE)  # killed after 3 to 10 futures
    store = RunStore(store_url)
    deadline = time.monotonic() + 60
    while store.runs(kind="future", limit=10).shape[0] < 3:  # read while the sweeper writes
        assert sweeper.poll() is None, sweeper.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    sweeper.send_signal(signal.SIGKILL)
    sweeper.communicate()
    stored = store.runs(kind="future", limit=1000)
    assert 3 <= len(stored) <= 10
    for run_id in stored["id"]:  # a future is stored whole or not at all
        assert_same_plan(store.plan(run_id), small.plan)
    sweep = store.get("killed")
    assert sweep.status == "running"
    subprocess.run([*command, "0", str(len(records))], check=True)
    futures = store.futures(sweep.id)
    assert list(futures["name"]) == [record.name for record in records]
    assert sorted(store.get(run_id).key for run_id in futures["id"]) == sorted(record.key for record in records)
    assert set(futures["id"]) >= set(stored["id"])  # what was stored before the kill is kept
    assert store.get(sweep.id).status == "done"
    assert list(store.runs(kind="sweep")["futures"]) == [30]
    store.close()


def test_a_sweep_of_other_settings_or_content_is_another_sweep(store, small):
    planned, _ = futures_of(small, 2)
    first, _ = store.start_sweep("s", {"set": 1}, {"mip_gap": 0.01}, planned)
    assert store.start_sweep("s", {"set": 1}, {"mip_gap": 0.01}, planned)[0] == first
    assert store.start_sweep("s", {"set": 1}, {"mip_gap": 0.02}, planned)[0] != first
    assert store.start_sweep("s", {"set": 2}, {"mip_gap": 0.01}, planned)[0] != first
    store.finish_sweep(first, "interrupted", "Ctrl-C")
    assert (store.get(first).status, store.get(first).message) == ("interrupted", "Ctrl-C")
    assert store.start_sweep("s", {"set": 1}, {"mip_gap": 0.01}, planned)[0] == first
    assert store.get(first).status == "running"
    with pytest.raises(StoreError, match="the same name"):
        store.start_sweep("s", {}, {}, [planned[0], planned[0]])
    with pytest.raises(StoreError, match="no sweep 999"):
        store.finish_sweep(999, "done")


def test_listing_newest_first_by_kind_and_name(store, small):
    names = ["Rogue 2012", "rogue-2026", "my_case", "my-case"]
    ids = [store.save_run(dataclasses.replace(small.record(), name=name), encode_tables(small.plan))
           for name in names]
    planned, records = futures_of(small, 3)
    sweep, _ = store.start_sweep("rogue sweep", {}, {}, planned)
    store.save_run(dataclasses.replace(records[1], sweep=sweep), encode_tables(small.plan))
    listed = store.runs()
    assert list(listed["id"]) == [sweep, *reversed(ids)]
    assert list(listed.columns) == ["id", "kind", "name", "status", "objective", "currency", "created", "futures",
                                    "planned"]
    assert (listed["futures"].iloc[0], listed["planned"].iloc[0]) == (1, 3)
    assert listed["futures"].iloc[1:].isna().all()
    assert list(store.runs(search="ROGUE")["name"]) == ["rogue sweep", "rogue-2026", "Rogue 2012"]
    assert list(store.runs(search="my_")["name"]) == ["my_case"]  # _ is a character, not a wildcard
    assert list(store.runs(kind="run", limit=2, offset=1)["name"]) == ["my_case", "rogue-2026"]
    assert list(store.runs(kind="future")["name"]) == ["f1"]
    assert store.runs(search="nothing").empty
    with pytest.raises(StoreError, match="kind 'plan'"):
        store.runs(kind="plan")


def test_refs_by_id_latest_name_and_sweep_future(store, small):
    first = store.save_run(small.record(), encode_tables(small.plan))
    planned, records = futures_of(small, 3)
    sweep, _ = store.start_sweep("fx sweep", {}, {}, planned)
    for record in reversed(records):  # stored in another order than planned
        store.save_run(dataclasses.replace(record, sweep=sweep), encode_tables(small.plan))
    failed = run_record(None, name="f9", data={}, settings={}, kind="future", sweep=sweep, message="infeasible")
    failed_id = store.save_run(failed, {})
    assert store.get(first).id == store.get(str(first)).id == store.get("test").id == first
    assert store.get("latest").id == sweep
    assert store.get("fx sweep/f1").name == store.get(f"{sweep}/f1").name == "f1"
    futures = store.futures(sweep)
    assert list(futures["name"]) == ["f0", "f1", "f2", "f9"]
    assert list(futures.columns) == ["id", "name", "probability", "status", "objective", "currency", "gap",
                                     "decisions", "message", "overrides"]
    assert futures["overrides"].iloc[1] == (("fx.KRW", 1001.0),) == store.get("fx sweep/f1").overrides
    assert futures["decisions"].iloc[0] == Decisions.of(small.plan)
    assert (futures["status"].iloc[3], futures["decisions"].iloc[3]) == (FAILED, None)
    assert not store.get(failed_id).has_plan
    with pytest.raises(StoreError, match=r"run \d+ \(f9\) has no plan: infeasible"):
        store.plan(failed_id)
    with pytest.raises(StoreError, match="is a sweep"):
        store.plan(sweep)
    with pytest.raises(StoreError, match=rf"no run 'nope'; .* the newest: {sweep} \(sweep fx sweep\), {first} "
                                         r"\(run test\)"):
        store.get("nope")
    with pytest.raises(StoreError, match=r"sweep \d+ \(fx sweep\) has no future 'f5'; it holds f2, f1, f0, f9"):
        store.get("fx sweep/f5")
    with pytest.raises(StoreError, match="no run '999'"):
        store.get(999)


def test_an_empty_store_says_so(store):
    with pytest.raises(StoreError, match="no run 'latest'; the store holds no runs yet"):
        store.get("latest")
    assert store.runs().empty


def test_save_run_refuses_a_record_that_does_not_fit(store, small):
    with pytest.raises(ValueError, match="a future of a sweep"):
        store.save_run(small.record(kind="future"), encode_tables(small.plan))
    with pytest.raises(ValueError, match="stored with its tables"):
        store.save_run(small.record(), {})
    with pytest.raises(StoreError, match="cannot store future 'test'"):  # no sweep 999
        store.save_run(small.record(kind="future", sweep=999), encode_tables(small.plan))


def test_a_store_url_that_does_not_work_is_one_message(tmp_path):
    cases = {
        "postgresql+psycopg://me:secret@127.0.0.1:notaport/db": "not a database URL",
        "mysql://me:secret@localhost/db": "works on SQLite and PostgreSQL",
        "postgresql+psycopg2://me:secret@127.0.0.1:1/db": "driver is not installed",
        "postgresql://me:secret@127.0.0.1:1/db": "postgresql+psycopg://me:***@127.0.0.1:1/db: connection failed",
    }
    for url, expected in cases.items():
        with pytest.raises(StoreError) as caught:
            RunStore(url)
        assert expected in str(caught.value)
        assert "secret" not in str(caught.value)
        assert "***" in str(caught.value)
        assert "\n" not in str(caught.value)


def test_a_file_that_is_not_a_run_store_is_refused_and_kept(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all", encoding="utf-8")
    with pytest.raises(StoreError, match=r"notes.txt is not an SQLite database \(a run store is one\)"):
        RunStore(text)
    assert text.read_text(encoding="utf-8") == "not a database at all"
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match=r"other.db is an SQLite database of something else \(tables customers\)"):
        RunStore(str(other))
    with pytest.raises(StoreError, match="is a folder; name a file"):
        RunStore(tmp_path)
    with pytest.raises(StoreError, match=r"notes\.txt is not a folder"):
        RunStore(text / "runs.sqlite")
    with pytest.raises(StoreError, match=r"no run store at .*missing.sqlite yet"):
        RunStore(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_store_of_a_newer_schema_is_refused(store_url):
    with RunStore(store_url) as store, store._engine.begin() as connection:
        connection.execute(meta.update().values(value=str(SCHEMA_VERSION + 1)))
    with pytest.raises(StoreError, match=rf"schema version {SCHEMA_VERSION + 1}, newer than this footprint's"):
        RunStore(store_url)


@pytest.fixture
def locked_folder(tmp_path):
    """A folder the tests cannot write in: by its mode, or for root (who writes anywhere) made immutable."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    locked = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True, check=False)
    if locked.returncode != 0:
        pytest.skip(f"running as root, and chattr +i is refused here: {locked.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_folder_that_is_not_writable_is_a_message_and_run_still_prints_and_writes_its_plan(locked_folder,
                                                                                              tmp_path):
    store = locked_folder / "runs.sqlite"
    expected = (f"cannot write the run store {store}: the folder {locked_folder} is not writable (give --store a "
                "file elsewhere, or set FOOTPRINT_STORE); commands that only read a store (runs, show, export, "
                "report, compare, serve) read it")
    with pytest.raises(StoreError) as caught:
        RunStore(store)
    assert str(caught.value) == expected
    scenario = str(write_yaml(tmp_path / "small.yaml", small_network_data()))
    for place, reason in ((store, expected), (tmp_path / "small.yaml" / "runs.sqlite",
                                              f"cannot open the run store {tmp_path / 'small.yaml' / 'runs.sqlite'}: "
                                              f"{tmp_path / 'small.yaml'} is not a folder")):
        ran = invoke("run", scenario, "--store", str(place), "--out", str(tmp_path / "out"))
        assert ran.exit_code == 0
        assert ran.stdout.startswith("test: optimal")
        assert "Capacity built" in ran.stdout
        assert "stored as run" not in ran.stdout
        assert " ".join(ran.stderr.split()) == f"warning: the run was not stored: {reason}"
        assert Plan.read(tmp_path / "out").status == "optimal"
    assert not store.exists()


def test_run_then_runs_show_and_export(tmp_path):
    store = str(tmp_path / "team.sqlite")
    scenario = write_yaml(tmp_path / "small.yaml", small_network_data())
    ran = invoke("run", str(scenario), "--store", store)
    assert ran.exit_code == 0, ran.stderr
    *plan_lines, last = ran.stdout.rstrip("\n").split("\n")
    assert last == f"stored as run 1 in {store}"
    assert "stored as" not in invoke("run", str(scenario), "--store", store, "--no-store").stdout
    assert invoke("run", "rogue-2012", "--store", store).stdout.rstrip().endswith(f"stored as run 2 in {store}")

    listed = invoke("runs", "--store", store)
    assert listed.exit_code == 0
    assert listed.stdout.startswith(f"Runs in {store}")
    rows = [line for line in listed.stdout.splitlines() if line.startswith("│")]
    assert [row.split("│")[1:5] for row in rows] == [["  2 ", " run  ", " rogue-2012 ", " optimal "],
                                                      ["  1 ", " run  ", " test       ", " optimal "]]
    assert "32.33bn USD" in rows[0]
    assert invoke("runs", "--store", store, "--search", "ROGUE", "--limit", "5").stdout.count("│ run") == 1
    assert "No runs in" in invoke("runs", "--store", store, "--kind", "sweep").stdout
    assert invoke("runs", "--store", store, "--kind", "plans").exit_code == 2

    shown = invoke("show", "1", "--store", store)
    assert shown.exit_code == 0
    assert shown.stdout.rstrip("\n").split("\n") == plan_lines
    assert invoke("show", "latest", "--store", store).stdout.startswith("rogue-2012: optimal")

    exported = invoke("export", "test", "--store", store, "--out", str(tmp_path / "results"))
    assert exported.exit_code == 0
    assert exported.stdout.strip() == f"Run 1 (test) written to {tmp_path / 'results'}"
    assert_same_plan(Plan.read(tmp_path / "results"), RunStore(store).plan(1))
    assert invoke("export", "2", "--store", store, "--out", str(tmp_path / "plan.xlsx")).exit_code == 0
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "plan.xlsx", read_only=True).sheetnames == ["summary", *TABLES]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine", encoding="utf-8")
    refused = invoke("export", "1", "--store", store, "--out", str(tmp_path / "other"))
    assert refused.exit_code == 4
    assert "holds other files" in refused.stderr


def test_show_a_sweep_lists_its_futures_and_a_failed_future_exits_3(tmp_path, small):
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        planned, records = futures_of(small, 2)
        sweep, _ = store.start_sweep("fx", {}, {}, planned)
        store.save_run(dataclasses.replace(records[0], sweep=sweep), encode_tables(small.plan))
        store.save_run(run_record(None, name="f1", data={}, settings={}, kind="future", sweep=sweep,
                                  probability=0.5, message="no plan (infeasible)"), {})
    shown = invoke("show", "fx", "--store", str(path))
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    assert text.startswith(f"sweep {sweep} fx: running; 2 of 2 futures stored")
    assert "f0 │ 0.5 │ optimal" in text
    assert "busan-line 2020" in text
    assert "f1 │ 0.5 │ failed │ - │ no plan (infeasible)" in text
    failed = invoke("show", "fx/f1", "--store", str(path))
    assert failed.exit_code == 3
    assert failed.stderr.strip() == "run 3 (f1) has no plan: no plan (infeasible)"
    assert invoke("show", "fx/f0", "--store", str(path)).stdout.startswith("test: optimal")
    listed = " ".join(invoke("runs", "--store", str(path)).stdout.split())
    assert "│ 1 │ sweep │ fx │ running │ - │" in listed
    assert "│ 2 of 2 │" in listed


def test_store_commands_fail_with_a_message(tmp_path):
    missing = invoke("runs", "--store", str(tmp_path / "none.sqlite"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith(f"no run store at {tmp_path / 'none.sqlite'} yet")
    assert not (tmp_path / "none.sqlite").exists()
    store = str(tmp_path / "runs.sqlite")
    RunStore(store).close()
    unknown = invoke("show", "nope", "--store", store)
    assert (unknown.exit_code, unknown.stderr.strip()) == (1, f"{store}: no run 'nope'; the store holds no runs yet")
    assert invoke("export", "7", "--store", store, "--out", str(tmp_path / "out")).exit_code == 1
    bad = invoke("runs", "--store", "postgresql://me:secret@127.0.0.1:1/db")
    assert bad.exit_code == 1
    assert "secret" not in bad.stderr


def test_run_stores_in_footprint_store_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_STORE", str(tmp_path / "env.sqlite"))
    assert invoke("run", str(write_yaml(tmp_path / "s.yaml", small_network_data()))).stdout.rstrip().endswith(
        f"stored as run 1 in {tmp_path / 'env.sqlite'}")
    monkeypatch.delenv("FOOTPRINT_STORE")
    monkeypatch.chdir(tmp_path)
    assert RunStore().name == "footprint.sqlite"
    assert (tmp_path / "footprint.sqlite").is_file()


def test_a_new_store_file_is_made_whole_and_an_empty_file_becomes_one(tmp_path):
    with RunStore(tmp_path / "new.sqlite") as store:
        assert store.runs().empty
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "new.sqlite").stat().st_mode & 0o777 == 0o666 & ~mask
    assert sorted(path.name for path in tmp_path.iterdir()) == ["new.sqlite"]  # no temporary left behind
    (tmp_path / "empty.sqlite").touch()
    with RunStore(tmp_path / "empty.sqlite") as store:
        assert store.runs().empty


def test_show_a_sweep_of_many_futures_prints_the_first_and_says_how_many_more(tmp_path):
    path = tmp_path / "runs.sqlite"
    records = [run_record(None, name=f"f{i:04d}", data={"n": i}, settings={}, kind="future", sweep=1,
                          message="no plan") for i in range(1200)]
    with RunStore(path) as store:
        sweep, _ = store.start_sweep("big", {}, {}, [(record.name, None, record.key) for record in records])
        for record in records[:45]:
            store.save_run(record, {})
    text = " ".join(invoke("show", "big", "--store", str(path)).stdout.split())
    assert text.startswith(f"sweep {sweep} big: running; 45 of 1200 futures stored")
    assert "f0039" in text
    assert "f0040" not in text
    assert "5 more futures: `footprint sweep-summary 1` sums them all up" in text
    assert "│ 45 of 1,200 │" in " ".join(invoke("runs", "--store", str(path)).stdout.split())
    with pytest.raises(StoreError, match=r"holds f0000, .*, f0009 and 35 more$"):
        RunStore(path).get("big/nope")


def _names(listing: str) -> list[str]:
    return [row.split("│")[3].strip() for row in listing.splitlines() if row.startswith("│")]


def test_run_name_is_listed_and_refers_to_the_run(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    scenario = write_yaml(tmp_path / "small.yaml", small_network_data())
    weak = write_yaml(tmp_path / "weak.yaml", small_network_data() | {"fx": {"KRW": 1400.0}})
    assert invoke("run", str(scenario), "--store", store, "--name", "baseline").exit_code == 0
    ran = invoke("run", str(weak), "--store", store, "--name", "weak won")
    assert ran.stdout.rstrip().endswith(f"stored as run 2 in {store}")
    assert _names(invoke("runs", "--store", store).stdout) == ["weak won", "baseline"]
    shown = invoke("show", "baseline", "--store", store)
    assert shown.exit_code == 0
    assert shown.stdout.startswith("test: optimal")
    exported = invoke("export", "weak won", "--store", store, "--out", str(tmp_path / "weak"))
    assert exported.stdout.strip() == f"Run 2 (weak won) written to {tmp_path / 'weak'}"
    assert_same_plan(Plan.read(tmp_path / "weak"), RunStore(store).plan(2))
    compared = invoke("compare", "baseline", "weak won", "--store", store)
    assert compared.exit_code == 0, compared.output


def test_a_sweep_a_stochastic_plan_and_a_tornado_take_a_name(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    data = small_network_data()
    data["fx"] = {"KRW": {"value": 1100.0, "low": 900.0, "high": 1400.0}}
    base = write_yaml(tmp_path / "net.yaml", data)
    futures = write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "net.yaml",
        "futures": [{"name": "cheap-won", "probability": 0.5, "set": {"fx.KRW": 900.0}},
                    {"name": "dear-won", "probability": 0.5, "set": {"fx.KRW": 1400.0}}]})
    swept = invoke("sweep", str(futures), "--workers", "1", "--store", store, "--name", "won sweep")
    assert swept.exit_code == 0, swept.output
    assert _names(invoke("runs", "--store", store, "--kind", "sweep").stdout) == ["won sweep"]
    assert invoke("sweep-summary", "won sweep", "--store", store).stdout.startswith("sweep 1 (won sweep)")
    assert invoke("show", "won sweep/dear-won", "--store", store).stdout.startswith("test: optimal")
    again = invoke("sweep", str(futures), "--workers", "1", "--store", store, "--name", "won sweep, again")
    assert "2 stored before" in again.stdout  # resumed: the same sweep, under the name given now
    assert _names(invoke("runs", "--store", store, "--kind", "sweep").stdout) == ["won sweep, again"]

    planned = invoke("stochastic", str(futures), "--method", "extensive", "--store", store, "--name", "one plan")
    assert planned.exit_code == 0, planned.output
    assert _names(invoke("runs", "--store", store, "--kind", "stochastic").stdout) == ["one plan"]
    assert invoke("show", "one plan", "--store", store).exit_code == 0

    tornado = invoke("sensitivity", str(base), "--workers", "1", "--store", store, "--name", "won tornado")
    assert tornado.exit_code == 0, tornado.output
    assert _names(invoke("runs", "--store", store, "--kind", "sweep").stdout) == ["won tornado", "won sweep, again"]


@pytest.mark.parametrize(("name", "message"), [
    ("42", "'42' reads as an id"),
    ("latest", "'latest' reads as the newest run"),
    (" padded", "may not be empty or start or end with a space"),
    ("", "may not be empty"),
])
def test_a_name_no_reference_could_find_is_refused_before_solving(tmp_path, name, message):
    store = tmp_path / "runs.sqlite"
    refused = invoke("run", "rogue-2012", "--store", str(store), "--name", name)
    assert refused.exit_code == 2
    assert message in " ".join(refused.output.replace("│", " ").split())  # in typer's box
    assert not store.exists()
    with pytest.raises(StoreError, match=message):
        fp.stochastic("rogue-2026/futures", store=store, name=name)
    with pytest.raises(StoreError, match=message):
        fp.sweep("rogue-2026/futures", store=store, name=name)
    assert not store.exists()
