"""A run store damaged, not a file, or one this user may not write; and results this user may not write.

A damaged row is a message naming the run and the field, in every command that reads it; a store that
cannot be written is a warning of `run`, never a lost plan; a FIFO is refused, not waited on; a store this
user may only read is read by every command that only reads (runs, show, export, report, compare, serve).
Permissions are real: as root the commands run without root's way past them (conftest.unprivileged).
"""

from __future__ import annotations

import math
import os
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from conftest import FOOTPRINT, invoke, small_network_data, solved, unprivileged, write_yaml
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore, encode_tables, run_record
from web_helpers import yaml_bytes

READERS = ("runs", "show", "export", "report", "compare")
HANG = 300
"""Seconds after which a command that should answer at once counts as hung (a guard, not a speed limit)."""


def reading(command: str, store: str, folder: Path) -> list[str]:
    """The arguments of a reading command on run 1 of ``store``."""
    return {"runs": ["runs"], "show": ["show", "1"], "export": ["export", "1", "--out", str(folder / "exported")],
            "report": ["report", "1", "-o", str(folder / "report.html")],
            "compare": ["compare", "1", "latest"]}[command] + ["--store", store]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one run of the small network."""
    folder = tmp_path_factory.mktemp("stored")
    store = folder / "runs.sqlite"
    assert invoke("run", str(write_yaml(folder / "small.yaml", small_network_data())), "--store",
                  str(store)).exit_code == 0
    return store


@pytest.fixture
def copy(stored: Path, tmp_path: Path) -> Path:
    path = tmp_path / "runs.sqlite"
    path.write_bytes(stored.read_bytes())
    return path


DAMAGES = {  # field: (SQL on footprint_runs or footprint_scenarios, what the message says of it)
    "summary": ("UPDATE footprint_runs SET summary = '{oops'", "the field summary is damaged (not JSON"),
    "summary NaN": ("UPDATE footprint_runs SET summary = replace(summary, '\"objective\": ', "
                    "'\"objective\": NaN, \"was\": ')", "its summary is damaged: objective: expected a finite number, "
                                                        "found NaN"),
    "settings": ("UPDATE footprint_runs SET settings = '[1]'", "the field settings is damaged (expected a JSON "
                                                               "object, found [1])"),
    "overrides": ("UPDATE footprint_runs SET overrides = '5'", "the field overrides is damaged (expected a JSON list"),
    "decisions": ("UPDATE footprint_runs SET decisions = '{\"builds\": [[1, 2, 3]]}'",
                  "the field decisions is damaged (expected builds as a list of [str, int, int])"),
    "objective": ("UPDATE footprint_runs SET objective = 'abc'", 'the field objective is damaged (expected a number, '
                                                                 'found "abc")'),
    "created": ("UPDATE footprint_runs SET created = 'yesterday'", "the field created is damaged"),
    "kind": ("UPDATE footprint_runs SET kind = 'plan'", 'the field kind is damaged (expected one of run, future, '
                                                        'sweep, found "plan")'),
    "schema version": ("UPDATE footprint_meta SET value = 'one'", "the run store's schema version is damaged "
                                                                  "(footprint_meta holds 'one'"),
}


def damage(store: Path, sql: str) -> None:
    with sqlite3.connect(store) as connection:
        connection.execute("PRAGMA ignore_check_constraints = ON")
        connection.execute(sql)


@pytest.mark.parametrize("field", list(DAMAGES))
def test_a_damaged_field_is_named_by_every_command_that_reads_it(copy: Path, tmp_path: Path, field: str) -> None:
    sql, said = DAMAGES[field]
    damage(copy, sql)
    for command in READERS:
        result = invoke(*reading(command, str(copy), tmp_path))
        if command == "runs" and field in ("summary NaN", "settings", "overrides", "decisions"):
            assert result.exit_code == 0, result.output  # the listing does not read these
            continue
        assert result.exit_code == 1, (command, result.output)
        assert said in " ".join(result.stderr.split()), (command, result.stderr)
        if field != "schema version":
            assert "run 1:" in result.stderr, (command, result.stderr)


def test_a_damaged_scenario_is_named_by_the_report_that_reads_it(copy: Path, tmp_path: Path) -> None:
    damage(copy, "UPDATE footprint_scenarios SET content = '{oops'")
    result = invoke(*reading("report", str(copy), tmp_path))
    assert result.exit_code == 1
    assert "run 1: its scenario is damaged (not JSON" in result.stderr


@pytest.fixture
def postgres_store(postgres_url: str) -> tuple[str, str]:
    """A store of its own on the tests' PostgreSQL server holding one run: its URL and psycopg's."""
    database = f"test_{uuid.uuid4().hex[:12]}"
    server = postgres_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    url = f"{postgres_url.rsplit('/', 1)[0]}/{database}"
    assert invoke("run", "rogue-2012", "--store", url).exit_code == 0
    return url, f"{server.rsplit('/', 1)[0]}/{database}"


@pytest.mark.parametrize("field", ["summary", "settings", "overrides", "decisions", "schema version"])
def test_a_damaged_field_on_postgresql_is_named_too(postgres_store: tuple[str, str], tmp_path: Path,
                                                   field: str) -> None:
    url, direct = postgres_store
    with psycopg.connect(direct, autocommit=True) as connection:
        connection.execute(DAMAGES[field][0])
    for command in ("show", "report", "compare"):
        result = invoke(*reading(command, url, tmp_path))
        assert result.exit_code == 1, (command, result.output)
        assert DAMAGES[field][1] in " ".join(result.stderr.split()), (command, result.stderr)


def test_run_on_a_damaged_store_prints_and_writes_its_plan_with_a_warning(copy: Path, tmp_path: Path) -> None:
    damage(copy, DAMAGES["schema version"][0])
    scenario = write_yaml(tmp_path / "small.yaml", small_network_data())
    result = invoke("run", str(scenario), "--store", str(copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("test: optimal")
    assert "Capacity built" in result.stdout
    assert f"Plan written to {tmp_path / 'out'}" in result.stdout
    assert " ".join(result.stderr.split()).startswith(f"warning: the run was not stored: {copy}: the run store's "
                                                      "schema version is damaged")
    assert Plan.read(tmp_path / "out").status == "optimal"


def run_alone(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` in a process of its own; a hang fails the test instead of stopping the suite."""
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=HANG, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)} hung (no answer in {HANG} s)")


@pytest.mark.parametrize("named", ["runs.sqlite", "runs.sqlite-wal"])
def test_a_fifo_named_as_the_store_is_refused_not_waited_on(copy: Path, tmp_path: Path, named: str) -> None:
    store = copy if named.endswith("-wal") else tmp_path / "fifo" / named
    store.parent.mkdir(exist_ok=True)
    os.mkfifo(store.parent / named)
    said = f"{store.parent / named} is not a regular file (a FIFO, a socket or a device)"
    for command in (["runs"], ["show", "1"], ["serve", "--port", "1"]):
        result = run_alone([*FOOTPRINT, *command, "--store", str(store)], tmp_path)
        assert (result.returncode, said in result.stderr) == (1, True), (command, result.stderr)
    ran = run_alone([*FOOTPRINT, "run", str(write_yaml(tmp_path / "small.yaml", small_network_data())), "--store",
                     str(store)], tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("test: optimal")
    assert f"warning: the run was not stored: {said}" in " ".join(ran.stderr.split())


@pytest.fixture
def read_only(copy: Path) -> Iterator[Path]:
    """The store, read-only in a read-only folder."""
    copy.chmod(0o444)
    copy.parent.chmod(0o555)
    try:
        yield copy
    finally:
        copy.parent.chmod(0o755)
        copy.chmod(0o644)


@pytest.mark.parametrize("folder_writable", [False, True])
def test_a_store_this_user_may_only_read_is_read_by_every_command_that_reads(read_only: Path, tmp_path_factory:
                                                                             pytest.TempPathFactory,
                                                                             folder_writable: bool) -> None:
    if folder_writable:
        read_only.parent.chmod(0o777)
    out = tmp_path_factory.mktemp("out")
    out.chmod(0o777)  # where the unprivileged commands write
    before = read_only.read_bytes()
    for command in READERS:
        result = run_alone(unprivileged([*FOOTPRINT, *reading(command, str(read_only), out)]), out)
        assert result.returncode == 0, (command, result.stderr)
    assert Plan.read(out / "exported").status == "optimal"
    assert (out / "report.html").stat().st_size > 0
    ran = run_alone(unprivileged([*FOOTPRINT, "run", str(write_yaml(out / "small.yaml", small_network_data())),
                                  "--store", str(read_only), "--out", str(out / "ran")]), out)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("test: optimal")
    assert "warning: the run was not stored: cannot write the run store" in " ".join(ran.stderr.split())
    assert Plan.read(out / "ran").status == "optimal"
    assert read_only.read_bytes() == before


def test_the_app_serves_a_store_this_user_may_only_read_and_refuses_its_jobs(read_only: Path,
                                                                             tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(unprivileged([*FOOTPRINT, "serve", "--port", str(port), "--store", str(read_only)]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    address = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                listed = httpx.get(f"{address}/runs", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    pytest.fail(f"footprint serve did not start: {process.stderr.read() if process.stderr else ''}")
                time.sleep(0.1)
        assert listed.status_code == 200
        assert "test" in listed.text
        assert httpx.get(f"{address}/runs/1").status_code == 200
        with httpx.Client(base_url=address, timeout=30, follow_redirects=True) as client:
            form = client.get("/upload")
            token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
            uploaded = client.post("/upload", files={"file": ("net.yaml", yaml_bytes(small_network_data()))},
                                   data={"csrf_token": token}, headers={"Origin": address})
            assert uploaded.status_code == 200, uploaded.text
            run = client.post(f"{uploaded.url.path}/run", data={"csrf_token": token}, headers={"Origin": address})
            job = run.url.path
            for _ in range(HANG * 10):
                state = client.get(f"{job}/status").json()
                if state["status"] in ("done", "failed"):
                    break
                time.sleep(0.1)
            scenarios, jobs = client.get("/scenarios"), client.get("/jobs")  # none kept: the store is only read
        assert (scenarios.status_code, jobs.status_code) == (200, 200), scenarios.text[-600:]
        assert "This run store is served for reading" in scenarios.text
        assert job.rsplit("/", 1)[1] in jobs.text  # the app's own job, held while it serves
        assert state["status"] == "failed", state
        assert "may not write the run store" in state["message"]
        assert str(read_only) not in state["message"]  # pages name the store by its file's name only
    finally:
        process.terminate()
        process.communicate(timeout=60)


def test_run_out_onto_a_folder_this_user_may_not_write_is_refused(stored: Path, tmp_path: Path) -> None:
    """The README's promise (exit 4), not a folder replaced with its owner's permissions gone."""
    tmp_path.chmod(0o777)  # the parent may be written: only the folder itself may not
    scenario = write_yaml(tmp_path / "small.yaml", small_network_data())
    for name in ("empty", "earlier"):
        target = tmp_path / name
        if name == "earlier":
            solved(small_network_data()).write(target)  # earlier results, in a folder then locked
        else:
            target.mkdir()
        listed = sorted(path.name for path in target.iterdir())
        target.chmod(0o555)
        try:
            for command in (["run", str(scenario), "--no-store"], ["export", "1", "--store", str(stored)]):
                result = run_alone(unprivileged([*FOOTPRINT, *command, "--out", str(target)]), tmp_path)
                assert result.returncode == 4, (command, result.stdout, result.stderr)
                assert result.stderr.strip() == (f"cannot write {target}: permission denied (the folder is not "
                                                 "writable; results replace a folder only where they may write "
                                                 "into it)")
            assert target.stat().st_mode & 0o777 == 0o555
            assert sorted(path.name for path in target.iterdir()) == listed
        finally:
            target.chmod(0o755)
    workbook = tmp_path / "plan.xlsx"
    assert invoke("run", str(scenario), "--no-store", "--out", str(workbook)).exit_code == 0
    workbook.chmod(0o444)
    result = run_alone(unprivileged([*FOOTPRINT, "run", str(scenario), "--no-store", "--out", str(workbook)]),
                       tmp_path)
    assert (result.returncode, result.stderr.strip()) == (4, f"cannot write {workbook}: permission denied (the file "
                                                             "is read-only)")
    assert workbook.stat().st_mode & 0o777 == 0o444


def test_what_a_run_stores_without_a_value_reads_back_as_none(tmp_path: Path) -> None:
    """A bound or gap the solver leaves NaN is stored as nothing, and read back so (the checks of what is read
    are not the rules of what is written)."""
    plan = solved(small_network_data())
    plan.summary.update(bound=math.nan, gap=math.nan)
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id = store.save_run(run_record(plan, name="small", data=small_network_data(), settings={}),
                                encode_tables(plan))
        run = store.get(run_id)
    assert (run.bound, run.gap, run.objective) == (None, None, pytest.approx(plan.objective))
