"""Seeded fuzzing: hundreds of mutated bundled cases through `validate` and `run`.

Whatever a file holds, the answer is a message and exit code 1 (invalid), or a plan (0), or a
reason there is none (3): never a traceback, an internal error or a hang.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
import yaml
from typer.testing import CliRunner

from conftest import deadline, small_network_data
from footprint.cli import app
from footprint.scenario.cases import case_path, set_path
from mutations import MUTATIONS

CASES = 500
SECONDS_PER_COMMAND = 60


def bases() -> list[tuple[object, str]]:
    texts = [case_path(name).read_text(encoding="utf-8") for name in ("rogue-2012", "rogue-2026")]  # type: ignore[union-attr]
    texts.append(yaml.safe_dump(small_network_data(), sort_keys=False))
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


SET_CASES = 150


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
        mutation = rng.choice(MUTATIONS)
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
        codes[result.exit_code] += 1
    assert codes[1] > SET_CASES / 4
    assert codes[0] > SET_CASES / 20
