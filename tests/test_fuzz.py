"""Seeded fuzzing: hundreds of mutated bundled cases through `validate` and `run`, mutated scenario sets through
`futures` and a sweep's worker, mutated CSV folders and workbooks through `validate` and `convert`.

Whatever a file holds, the answer is a message and exit code 1 (invalid), or a plan (0), or a
reason there is none (3): never a traceback, an internal error or a hang.
"""

from __future__ import annotations

import random
import shutil
import warnings
from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import deadline, small_network_data
from footprint.analysis.sweep import FAILED, solve_futures, sweep_settings, tasks_of
from footprint.cli import app
from footprint.economics.futures import SameFuturesWarning, expand
from footprint.plan.store import canonical_scenario
from footprint.scenario.cases.bundled import case_path, set_path
from footprint.scenario.formats.files import load_scenario, scenario_data, write_source
from footprint.scenario.sets.scenario_sets import read_set
from mutations import CSV_MUTATIONS, MUTATIONS, SET_MUTATIONS, XLSX_MUTATIONS

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
CASES = 500
SECONDS_PER_COMMAND = 60


def bases() -> list[tuple[object, str]]:
    texts = [case_path(name).read_text(encoding="utf-8") for name in ("rogue-2012", "rogue-2026")]  # type: ignore[union-attr]
    texts.append(yaml.safe_dump(small_network_data(), sort_keys=False))
    texts.append(EXAMPLES.joinpath("powertrain.yaml").read_text(encoding="utf-8"))  # every tier, modes, a centre
    return [(yaml.safe_load(text), text) for text in texts]


@pytest.mark.slow
def test_mutated_cases_get_a_message_or_a_plan_never_a_traceback(tmp_path):
    rng = random.Random(20261201)
    runner = CliRunner()
    outcomes: Counter[tuple[str, int]] = Counter()
    originals = bases()
    for case in range(CASES):
        data, text = rng.choice(originals)
        mutation = rng.choice(MUTATIONS)
        path = tmp_path / f"case{case}.yaml"
        path.write_bytes(mutation(data, text, rng))
        for command in (["validate", str(path)],
                        ["run", str(path), "--time-limit", "10", "--out", str(tmp_path / f"out{case}")]):
            with deadline(SECONDS_PER_COMMAND):
                result = runner.invoke(app, command)
            where = f"case {case} ({mutation.__name__}), {command[0]}: {path.read_bytes()[:300]!r}"
            assert result.exception is None or isinstance(result.exception, SystemExit), \
                f"{where}: {type(result.exception).__name__}: {result.exception}"
            assert "Traceback" not in result.output, where
            assert result.exit_code in (0, 1, 3), f"{where}: exit {result.exit_code}: {result.output[-500:]}"
            if result.exit_code:
                assert result.output.strip(), f"{where}: no message"
            outcomes[command[0], result.exit_code] += 1
            if result.exit_code:
                break
            if command[0] == "run":
                assert (tmp_path / f"out{case}" / "summary.json").is_file(), where
    # The mutations must reach both sides: files refused, and files that still validate and solve.
    assert outcomes["validate", 1] > CASES / 3
    assert outcomes["run", 0] > CASES / 20


SET_CASES = 90


@pytest.mark.slow
def test_mutated_scenario_sets_get_a_message_or_their_futures_never_a_traceback(tmp_path):
    rng = random.Random(20261202)
    runner = CliRunner()
    originals = []
    for case in ("rogue-2012", "rogue-2026"):
        text = set_path(f"{case}/futures").read_text(encoding="utf-8")  # type: ignore[union-attr]
        text = text.replace("base: scenario.yaml", f"base: {case}")  # the bundled case, from any folder
        originals.append((yaml.safe_load(text), text))
    codes: Counter[int] = Counter()
    for case in range(SET_CASES):
        data, text = rng.choice(originals)
        mutation = rng.choice(SET_MUTATIONS)
        path = tmp_path / f"set{case}.yaml"
        path.write_bytes(mutation(data, text, rng))
        with deadline(SECONDS_PER_COMMAND):
            result = runner.invoke(app, ["futures", str(path), "--check", "3"])
        where = f"set {case} ({mutation.__name__}): {path.read_bytes()[:300]!r}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{where}: {type(result.exception).__name__}: {result.exception}"
        assert "Traceback" not in result.output, where
        assert result.exit_code in (0, 1), f"{where}: exit {result.exit_code}: {result.output[-500:]}"
        if result.exit_code:
            assert result.output.strip(), f"{where}: no message"
        else:
            with deadline(SECONDS_PER_COMMAND):
                assert_a_sweep_worker_gives_each_future_an_outcome(path, where)
        codes[result.exit_code] += 1
    assert codes[1] > SET_CASES / 4
    assert codes[0] > SET_CASES / 20


def assert_a_sweep_worker_gives_each_future_an_outcome(path: Path, where: str) -> None:
    """Two futures of a set `futures` takes, solved as a sweep's worker solves them (in this process): each a
    plan, or failed with its reason; never an exception."""
    scenario_set = read_set(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SameFuturesWarning)
        futures = expand(scenario_set, n=2)[:2]
    settings = {**sweep_settings(scenario_set.scenario, time_limit=10.0), "threads": 1}
    tasks = tasks_of(futures, canonical_scenario(scenario_set.base.data)[1], settings)
    for result in solve_futures(scenario_set.base.data, scenario_set.base.name, tasks, settings):
        assert result.status != FAILED or result.message, f"{where}: {result.name} failed with no reason"


TABLE_CASES = 70


def table_bases(folder: Path) -> list[Path]:
    """Two scenarios (the small network, rogue-2012: series, figures and rules) as a CSV folder and a workbook."""
    made = []
    for name, data in (("small", small_network_data()), ("rogue", scenario_data(load_scenario(
            case_path("rogue-2012"), ())))):  # type: ignore[arg-type]
        made += [write_source(data, folder / name), write_source(data, folder / f"{name}.xlsx")]
    return made


@pytest.mark.slow
def test_mutated_tables_get_a_message_or_their_scenario_never_a_traceback(tmp_path):
    """CSV folders and workbooks with damaged cells, odd types, rows and columns gone or repeated, values far out
    (a workbook's dimension spanning billions of cells), broken bytes: validate and convert answer each."""
    rng = random.Random(20261203)
    runner = CliRunner()
    (tmp_path / "bases").mkdir()
    originals = table_bases(tmp_path / "bases")
    codes: Counter[int] = Counter()
    for case in range(TABLE_CASES):
        original = rng.choice(originals)
        workbook = original.suffix == ".xlsx"
        mutation = rng.choice(XLSX_MUTATIONS if workbook else CSV_MUTATIONS)
        target = tmp_path / f"case{case}{original.suffix}"
        if workbook:
            shutil.copy(original, target)
        else:
            shutil.copytree(original, target)
        mutation(target, rng)
        for command in (["validate", str(target)], ["convert", str(target), str(tmp_path / f"case{case}.yaml")]):
            with deadline(SECONDS_PER_COMMAND):
                result = runner.invoke(app, command)
            where = f"case {case} ({mutation.__name__} of {original.name}), {command[0]}"
            assert result.exception is None or isinstance(result.exception, SystemExit), \
                f"{where}: {type(result.exception).__name__}: {result.exception}"
            assert "Traceback" not in result.output, where
            assert result.exit_code in (0, 1), f"{where}: exit {result.exit_code}: {result.output[-500:]}"
            if result.exit_code:
                assert result.output.strip(), f"{where}: no message"
        codes[result.exit_code] += 1
    assert codes[1] > TABLE_CASES / 4
    assert codes[0] > TABLE_CASES / 10
