"""Sweeps: each future's stored plan is the plan one solve gives, on a local cluster or through a scheduler and
workers started apart; a sweep killed midway and run again stores each future once; the tornado's ends are
solves at those values."""

from __future__ import annotations

import itertools
import json
import logging
import operator
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import footprint as fp
from conftest import environment, make, small_network_data, write_yaml
from footprint.analysis.sensitivity import (
    SensitivityError,
    describe_change,
    inputs,
    is_sensitivity,
    tornado_of,
    year_ranges,
)
from footprint.analysis.sweep import DASK_LOG_ENV, WORKER_LOGGING_ENV, Task, dask_client, runs_of, similarity_order
from footprint.cli import app
from footprint.plan.decisions import Decisions, Level
from footprint.plan.plan import TABLES
from footprint.plan.store import FAILED, RunStore, run_record
from footprint.plan.tables import solve
from footprint.scenario.sets.parameters import Parameter, apply_overrides

FOOTPRINT = Path(sys.executable).parent / "footprint"


def ranged_network() -> dict[str, Any]:
    """The small network with ranges on the won, US demand and Detroit's cost: the line pays at some of them."""
    data = small_network_data()
    data["plants"][0]["pools"][0]["capacity"] = 300.0  # Detroit could build it all: the line must pay its way
    data["fx"] = {"KRW": {"value": 1100.0, "low": 500.0, "high": 1600.0, "source": "test"}}
    data["markets"][0]["demand"] = {"car": {"value": 150.0, "low": 110.0, "high": 190.0, "source": "test"}}
    data["capabilities"][0]["local_cost"] = {"value": 30.0, "low": 5.0, "high": 60.0, "source": "test"}
    data["solver"] = {"mip_gap": 0.0}
    return data


def set_files(folder: Path, n: int) -> Path:
    write_yaml(folder / "net.yaml", ranged_network())
    return write_yaml(folder / "set.yaml", {
        "kind": "scenario-set", "base": "net.yaml", "seed": 7, "combine": "product",
        "futures": [{"name": "cheap-won", "probability": 0.5, "set": {"fx.KRW": 600.0}},
                    {"name": "dear-won", "probability": 0.5, "set": {"fx.KRW": 1500.0}}],
        "generate": {"ranges": {"paths": ["markets[us].demand.car", "capabilities[0].local_cost"], "n": n}},
    })


def assert_each_future_is_one_solve(store: RunStore, sweep: int, base: dict[str, Any]) -> None:
    stored = store.futures(sweep)
    for row in stored.itertuples():
        run = store.get(int(row.id))
        plan = solve(make(apply_overrides(base, run.overrides)))
        assert row.objective == pytest.approx(plan.objective, rel=1e-9), row.name
        assert row.decisions == Decisions.of(plan), row.name


def test_a_sweep_stores_each_future_as_one_solve_gives_it(tmp_path: Path) -> None:
    scenario_set = set_files(tmp_path, 6)
    with RunStore(tmp_path / "runs.sqlite") as store:
        outcome = fp.sweep(scenario_set, workers=2, store=store)
        assert (outcome.solved, outcome.skipped, outcome.failed) == (12, 0, 0)
        assert len(outcome.futures) == 12
        assert outcome.futures["probability"].sum() == pytest.approx(1.0)
        assert_each_future_is_one_solve(store, outcome.sweep, ranged_network())
        plan = store.plan(f"{outcome.sweep}/{outcome.futures['name'].iloc[0]}")
        assert plan.objective == pytest.approx(float(outcome.futures["objective"].iloc[0]), rel=1e-12)
        again = fp.sweep(scenario_set, workers=1, store=store)  # the same sweep: nothing left to solve
        assert (again.sweep, again.solved, again.skipped) == (outcome.sweep, 0, 12)
        edited = ranged_network()
        edited["plants"][0]["fixed_cost"] = 60.0
        write_yaml(tmp_path / "net.yaml", edited)  # the same set on an edited base: another sweep, all solved
        other = fp.sweep(scenario_set, workers=1, store=store)
        assert (other.solved, other.skipped) == (12, 0)
        assert other.sweep != outcome.sweep
        write_yaml(tmp_path / "net.yaml", ranged_network())
        cheap, dear = (f"{outcome.sweep}/{name}" for name in ("cheap-won+ranges001", "dear-won+ranges001"))
        expected = fp.compare(store.plan(cheap), store.plan(dear))
    shown = CliRunner().invoke(app, ["compare", cheap, dear, "--store", str(tmp_path / "runs.sqlite")])
    assert shown.exit_code == 0, shown.output
    assert f"A = {cheap}, B = {dear}" in shown.output  # two futures of the sweep, read from the store
    assert not expected.empty  # the won moves every cost made in Busan


def test_a_future_without_a_plan_is_stored_with_its_reason_and_the_others_go_on(tmp_path: Path) -> None:
    scenario_set = set_files(tmp_path, 2)
    data = json.loads(json.dumps(ranged_network()))
    data["markets"][0]["demand"]["car"]["high"] = 900.0  # above what the plants can build: no plan
    write_yaml(tmp_path / "net.yaml", data)
    with RunStore(tmp_path / "runs.sqlite") as store:
        outcome = fp.sweep(scenario_set, workers=1, store=store, n=3)
        failed = outcome.futures[outcome.futures["status"] == "failed"]
        assert 0 < len(failed) < len(outcome.futures)
        assert failed["message"].str.contains("cannot be supplied").all()
        assert outcome.futures[outcome.futures["status"] == "optimal"]["objective"].notna().all()


def test_every_future_of_a_set_is_stored_and_counted_the_regime_2012_and_futures_alike_too(tmp_path: Path) -> None:
    """`regime: 2012` names the shipped regime (not a number the base's regime name cannot take): each future has
    its plan. Two futures that set the same values are each stored and counted, with a warning naming them, as
    futures and stochastic take them."""
    write_yaml(tmp_path / "net.yaml", {**ranged_network(), "regime": "2025-deals"})
    scenario_set = write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "net.yaml",
        "futures": [{"name": "old", "probability": 0.25, "set": {"regime": 2012}},
                    {"name": "old-again", "probability": 0.25, "set": {"regime": 2012}},
                    {"name": "s232", "probability": 0.5, "set": {"regime": "2025-s232"}}]})
    warning = "futures set the same values: old = old-again; each is solved and counted with its own probability"
    for command in (["futures", str(scenario_set)], ["stochastic", str(scenario_set), "--no-store"],
                    ["sweep", str(scenario_set), "--workers", "1", "--store", str(tmp_path / "runs.sqlite")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.output
        assert f"warning: {scenario_set}: {warning}" in " ".join(result.output.split()), command[0]
    assert "3 futures: 3 with a plan (100.0% of the probability)" in result.output
    with RunStore(tmp_path / "runs.sqlite") as store:
        stored = store.futures(1).set_index("name")
    assert sorted(stored.index) == ["old", "old-again", "s232"]
    assert (stored["status"] == "optimal").all()
    assert stored.loc["old", "objective"] == stored.loc["old-again", "objective"]
    assert stored["probability"].sum() == pytest.approx(1.0)


@pytest.mark.slow
def test_a_sweep_through_a_cluster_gives_the_local_sweeps_futures(tmp_path: Path, scheduler: str) -> None:
    scenario_set = set_files(tmp_path, 4)
    with RunStore(tmp_path / "local.sqlite") as local, RunStore(tmp_path / "cluster.sqlite") as remote:
        here = fp.sweep(scenario_set, workers=2, store=local).futures.set_index("name")
        outcome = fp.sweep(scenario_set, cluster=scheduler, store=remote)
        there = outcome.futures.set_index("name")
        assert sorted(here.index) == sorted(there.index)
        for name in here.index:
            assert there.loc[name, "objective"] == pytest.approx(here.loc[name, "objective"], rel=1e-9)
            assert there.loc[name, "decisions"] == here.loc[name, "decisions"]
        assert_each_future_is_one_solve(remote, outcome.sweep, ranged_network())


def test_an_unreachable_cluster_is_a_message(tmp_path: Path) -> None:
    scenario_set = set_files(tmp_path, 2)
    result = subprocess.run([str(FOOTPRINT), "sweep", str(scenario_set), "--cluster", "tcp://127.0.0.1:9",
                             "--store", str(tmp_path / "runs.sqlite")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def _stored_futures(database: Path) -> list[str]:
    try:
        with sqlite3.connect(database, timeout=30) as connection:
            return [name for (name,) in connection.execute("SELECT name FROM footprint_runs WHERE kind = 'future'")]
    except sqlite3.OperationalError:  # not made yet
        return []


@pytest.mark.slow
def test_a_sweep_killed_midway_and_run_again_stores_each_future_once(tmp_path: Path) -> None:
    scenario_set = set_files(tmp_path, 60)  # 120 futures
    database = tmp_path / "runs.sqlite"
    command = [str(FOOTPRINT), "sweep", str(scenario_set), "--workers", "2", "--store", str(database)]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(_stored_futures(database)) < 10 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.02)
    os.killpg(first.pid, signal.SIGKILL)  # the command, its scheduler and its workers, mid-write or not
    first.wait()
    before = _stored_futures(database)
    assert 10 <= len(before) < 120, "the kill should land midway"
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(before)} stored before" in again.stdout.replace(",", "")
    after = _stored_futures(database)
    assert len(after) == len(set(after)) == 120
    assert set(before) <= set(after)
    with RunStore(database) as store:
        assert_each_future_is_one_solve(store, 1, ranged_network())  # the store's first run is the sweep


def _interrupted_sweep(tmp_path: Path, when: Callable[[subprocess.Popen[str], Path], None]) -> tuple[str, str]:
    """A sweep of 120 futures on two workers, its process group sent Ctrl-C (as a terminal sends it to the command
    and its workers) once ``when`` returns; its stdout and stderr, after checking that it stopped as interrupted
    with one message, and with Dask's log records in the log file, not on the terminal."""
    scenario_set = set_files(tmp_path, 60)
    database = tmp_path / "runs.sqlite"
    log = tmp_path / "dask.log"
    command = [str(FOOTPRINT), "sweep", str(scenario_set), "--workers", "2", "--store", str(database)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env={**os.environ, DASK_LOG_ENV: str(log)})
    when(process, database)
    os.killpg(process.pid, signal.SIGINT)
    out, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert "interrupted: every future solved so far is stored; run the same command again to go on" in errors
    assert "Traceback" not in errors + out
    assert "distributed." not in errors  # Dask's records (heartbeats, a worker killed) go to its log
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT status FROM footprint_runs WHERE kind = 'sweep'").fetchall() == \
            [("interrupted",)]
    return out, errors


def test_ctrl_c_midway_stops_the_sweep_with_a_message_and_no_traceback(tmp_path: Path) -> None:
    def midway(process: subprocess.Popen[str], database: Path) -> None:
        deadline = time.monotonic() + 120
        while len(_stored_futures(database)) < 10 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)

    _interrupted_sweep(tmp_path, midway)


def _workers(pid: int) -> list[int]:
    """The worker processes ``pid`` has started (multiprocessing's spawned children, not its resource tracker)."""
    children = [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    found = []
    for child in children:
        try:
            if b"multiprocessing.spawn" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:  # gone already
            pass
    return found


def test_ctrl_c_while_the_workers_start_stops_the_sweep_before_any_future(tmp_path: Path) -> None:
    def starting(process: subprocess.Popen[str], database: Path) -> None:
        deadline = time.monotonic() + 120  # a worker process started: the cluster is starting
        while not _workers(process.pid) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.005)

    _interrupted_sweep(tmp_path, starting)
    assert _stored_futures(tmp_path / "runs.sqlite") == []  # stopped then, not once every future was solved


def test_dasks_log_records_go_to_its_log_file_not_to_the_terminal(tmp_path: Path,
                                                                  capfd: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "logs" / "dask.log"
    import distributed  # noqa: F401  (sets up Dask's logging as it is imported)

    dasks = logging.getLogger("distributed")
    before = (dasks.handlers[:], dasks.level, dasks.propagate)
    with environment(DASK_LOG_ENV, str(log)), dask_client(1, None) as client, \
            pytest.raises(ZeroDivisionError):
        client.submit(operator.truediv, 1, 0).result()  # the worker logs "Compute Failed" with the traceback
    assert "Compute Failed" in log.read_text(encoding="utf-8")
    assert "Compute Failed" not in capfd.readouterr().err  # nor on this process's stderr, nor the worker's
    assert (dasks.handlers, dasks.level, dasks.propagate) == before  # Dask's logging as it was, after
    assert WORKER_LOGGING_ENV not in os.environ


def test_futures_in_a_worker_follow_one_another_closely_and_in_runs() -> None:
    tasks = [Task(str(i), 0.1, (("fx.KRW", float(value)),), str(i)) for i, value in enumerate([5, 1, 9, 3, 7, 2])]
    ordered = [float(task.overrides[0][1]) for task in similarity_order(tasks)]
    assert sorted(ordered) == [1, 2, 3, 5, 7, 9]
    assert all(abs(b - a) <= 2 for a, b in itertools.pairwise(ordered))  # each step to a near one
    runs = runs_of(tasks, workers=2)
    assert [task for run in runs for task in run] == tasks


def test_the_tornados_ends_are_solves_at_those_values(tmp_path: Path) -> None:
    write_yaml(tmp_path / "net.yaml", ranged_network())
    with RunStore(tmp_path / "runs.sqlite") as store:
        result = fp.sensitivity(tmp_path / "net.yaml", workers=2, store=store)
        # The same sweep, its futures read again from the store with their flows: nothing solved again.
        by_lane = fp.sensitivity(tmp_path / "net.yaml", workers=1, store=store, level="flows")
    assert (result.level, by_lane.level, by_lane.sweep) == (Level.STRATEGIC, Level.FLOWS, result.sweep)
    assert {bar.path for bar in result.bars} == {"fx.KRW", "markets[us].demand.car",
                                                 "capabilities[detroit/car].local_cost"}
    assert [bar.swing for bar in result.bars] == sorted((bar.swing for bar in result.bars), reverse=True)
    base_plan = solve(make(ranged_network()))
    assert result.base_objective == pytest.approx(base_plan.objective, rel=1e-9)
    lanes = {bar.path: bar for bar in by_lane.bars}
    for bar in result.bars:
        for which, value in (("low", min(bar.low.values)), ("high", max(bar.high.values))):
            plan = solve(make(Parameter.parse(bar.path).apply(ranged_network(), value)))
            end = getattr(bar, which)
            assert end.objective == pytest.approx(plan.objective, rel=1e-9), bar.path
            for level, told in ((Level.STRATEGIC, end), (Level.FLOWS, getattr(lanes[bar.path], which))):
                assert told.change == describe_change(Decisions.of(base_plan, level), Decisions.of(plan, level))
    detroit = next(bar for bar in result.bars if bar.path == "capabilities[detroit/car].local_cost")
    assert detroit.high.change == ""  # dearer Detroit: the line pays all the more
    assert detroit.low.change.startswith("-busan-line 2020")  # Detroit at 5 a car: the line no longer pays


def test_a_stored_sensitivity_sweep_gives_back_its_tornado(tmp_path: Path) -> None:
    """sweep-summary, the report and the app draw the tornado from the stored sweep: the same bars as the sweep
    returned; an end the sweep did not store has no plan; without a base plan there is no tornado."""
    write_yaml(tmp_path / "net.yaml", ranged_network())
    with RunStore(tmp_path / "runs.sqlite") as store:
        result = fp.sensitivity(tmp_path / "net.yaml", workers=1, store=store)
        sweep = store.get(result.sweep)
        futures = store.futures(result.sweep, Level.STRATEGIC)  # the level fp.sensitivity told the changes at
        assert is_sensitivity(sweep)
        assert tornado_of(futures, result.sweep) == result
        plain = fp.sweep(set_files(tmp_path, 1), workers=1, store=store)
        assert not is_sensitivity(store.get(plain.sweep))
    stopped = tornado_of(futures[futures["name"] != "fx.KRW@high"], result.sweep)
    krw = next(bar for bar in stopped.bars if bar.path == "fx.KRW")
    assert (krw.high.objective, krw.high.values) == (None, ())
    assert krw.high.change == "no plan: the sweep stopped before it was solved"
    assert stopped.bars[0] is krw  # an end without a plan: its swing counts as the largest
    assert krw.low == next(bar for bar in result.bars if bar.path == "fx.KRW").low
    failed = futures.assign(status=[FAILED if name == "base" else status
                                    for name, status in zip(futures["name"], futures["status"], strict=True)],
                            message=["infeasible" if name == "base" else message
                                     for name, message in zip(futures["name"], futures["message"], strict=True)])
    with pytest.raises(SensitivityError, match="the base scenario has no plan: infeasible"):
        tornado_of(failed, result.sweep)


def test_export_writes_a_sweep(tmp_path: Path) -> None:
    """`footprint export SWEEP` refused a sweep (issue 16): it writes the table of its futures and each table with
    every future's rows under a leading `future` column, as a results folder or one workbook; a future without
    a plan is in the futures table alone."""
    store_path = str(tmp_path / "runs.sqlite")
    with RunStore(store_path) as store:
        outcome = fp.sweep(set_files(tmp_path, 1), workers=1, store=store)
        failed = run_record(None, name="no-plan", data={}, settings={}, kind="future", sweep=outcome.sweep,
                            probability=0.25, message="infeasible: no plant can make car",
                            overrides=[("markets[us].demand.car", 1e9)])
        store.save_run(failed, {})
        plans = {row.name: store.plan(int(row.id)) for row in outcome.futures.itertuples()}
    names = [*plans, "no-plan"]
    for target in (tmp_path / "sweep", tmp_path / "sweep.xlsx"):
        written = CliRunner().invoke(app, ["export", str(outcome.sweep), "--out", str(target), "--store", store_path])
        assert written.exit_code == 0, written.output
        assert f"Sweep {outcome.sweep} (" in written.output
    folder = {name: pd.read_parquet(tmp_path / "sweep" / f"{name}.parquet") for name in ("futures", *TABLES)}
    sheets = pd.read_excel(tmp_path / "sweep.xlsx", sheet_name=None)
    assert list(sheets) == ["summary", "futures", *TABLES]
    summary = json.loads((tmp_path / "sweep" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["kind"], summary["sweep"], summary["futures"], summary["with_plan"]) == (
        "sweep", outcome.sweep, len(names), len(plans))
    for futures in (folder["futures"], sheets["futures"]):
        assert list(futures["name"]) == names
        row = futures.set_index("name").loc["no-plan"]
        assert (row["status"], row["message"], row["probability"]) == (FAILED, failed.message, 0.25)
        assert json.loads(row["overrides"]) == [["markets[us].demand.car", 1e9]]
    for name, columns in TABLES.items():
        for table in (folder[name], sheets[name]):
            assert list(table.columns) == ["future", *columns]
            assert set(table["future"]) <= set(plans)
        for future, plan in plans.items():
            rows = folder[name][folder[name]["future"] == future].drop(columns="future").reset_index(drop=True)
            pd.testing.assert_frame_equal(rows, plan.tables[name].reset_index(drop=True), check_dtype=False,
                                          check_categorical=False)
    assert sheets["builds"]["count"].sum() == sum(int(plan.builds["count"].sum()) for plan in plans.values())
    shown = CliRunner().invoke(app, ["report", str(tmp_path / "sweep"), "-o", str(tmp_path / "x.html")])
    assert shown.exit_code == 1
    assert "a sweep's tables (`footprint export SWEEP`), not a plan" in shown.output


def test_a_series_is_one_input_and_changes_read_as_year_ranges() -> None:
    data = ranged_network()
    data["markets"][0]["demand"] = {"car": {2020: {"value": 150.0, "low": 110.0, "high": 190.0},
                                            2021: {"value": 160.0, "low": 120.0, "high": 200.0}}}
    paths = {dimension.path: len(dimension.figures) for dimension in inputs(data)}
    assert paths["markets[us].demand.car"] == 2
    assert year_ranges([2014, 2015, 2016, 2019]) == "2014-2016, 2019"
    base = Decisions(frozenset(), frozenset({("a", "car", 2020), ("a", "car", 2021)}), frozenset())
    other = Decisions(frozenset({("line", 2021, 1)}), frozenset({("b", "car", 2020), ("b", "car", 2021)}),
                      frozenset())
    assert describe_change(base, other) == "+line 2021, +car at b 2020-2021, -car at a 2020-2021"
    lanes = {("a", "own", "car", "us", 2020), ("a", "own", "car", "us", 2021)}
    moved = {("a", "own", "car", "us", 2020), ("b", "korus", "car", "us", 2021)}
    assert describe_change(Decisions(frozenset(), flows=frozenset(lanes), level=Level.FLOWS),
                           Decisions(frozenset(), flows=frozenset(moved), level=Level.FLOWS)) == \
        "+car b (korus)→us 2021, -car a→us 2021"
