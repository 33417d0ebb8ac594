"""Reproductions of crashes found by feeding corrupted files to `validate` and `run`: each is now a message
(or a plan), never a traceback."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from conftest import capability, market, plant, scenario_data, small_network_data, solved, write_yaml
from footprint.cli import app
from footprint.optimize import solve as solve_module
from footprint.optimize.highs import Solution, SolverOptions, SolveStatus
from footprint.optimize.solve import PlanningError, solver_options
from footprint.plan.plan import Plan
from footprint.plan.tables import solve

FOOTPRINT = [sys.executable, "-c", "from footprint.cli import main; main()"]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())


def file_with(change) -> str:
    data = small_network_data()
    change(data)
    write_yaml(Path("bad.yaml"), data)
    return "bad.yaml"


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(("regime", "message"), [
    ("2025-deal", "regime: unknown regime '2025-deal'; shipped: 2012, 2025-deals, 2025-s232"),
    ("../../etc/passwd", "regime: unknown regime '../../etc/passwd'"),
    ("a\x00b", r"regime: unknown regime 'a\x00b'"),
    ("/proc/self/mem", "regime: unknown regime '/proc/self/mem'"),
])
def test_a_regime_is_only_ever_a_shipped_name(command, regime, message):
    code, output = invoke(command, file_with(lambda d: d.update(regime=regime)))
    assert code == 1
    assert message in output


@pytest.mark.parametrize(("extends", "message"), [
    ("../nowhere.yaml", "extends: ../nowhere.yaml: no such file"),
    ("a\x00b.yaml", "extends: expected a file name, found 'a\\x00b.yaml'"),
    ("/proc/self/mem", "extends: /proc/self/mem: cannot read it"),
    ("/dev/zero", "extends: /dev/zero: not a regular file"),
    (".", "extends: .: a folder, not a YAML file"),
])
def test_extends_names_a_plain_file_or_is_a_message(extends, message):
    Path("variant.yaml").write_text(yaml.safe_dump({"extends": extends, "name": "v"}), encoding="utf-8")
    code, output = invoke("validate", "variant.yaml")
    assert code == 1
    assert message in output


def test_a_capability_naming_an_unknown_plant_is_reported_with_everything_else():
    def change(d: dict) -> None:
        d["capabilities"][0]["plant"] = "detriot"
        d["plants"][1]["pools"][0]["capacity"] = -1

    code, output = invoke("validate", file_with(change))
    assert code == 1
    assert "2 problems" in output
    assert "capabilities[detriot/car].plant: unknown plant 'detriot'" in output
    assert "plants[busan].pools[main].capacity: expected a number >= 0, found -1" in output


def test_freight_rates_in_a_currency_without_a_rate_is_a_validation_message():
    def change(d: dict) -> None:
        d["freight_rates"] = {"per_nautical_mile": 0.1, "currency": "EUR"}

    code, output = invoke("validate", file_with(change))
    assert code == 1
    assert "freight_rates.currency: no FX rate for EUR: add fx.EUR" in output


@pytest.mark.parametrize(("value", "message"), [
    (1e308, "expected a number of at most 1e15 in size (the largest a scenario may hold), found 1e+308"),
    (True, "expected a number, found true"),
    (False, "expected a number, found false"),
    ("nan", "expected a finite number, found 'nan'"),
])
def test_numbers_the_solver_cannot_take_are_refused(value, message):
    code, output = invoke("validate", file_with(lambda d: d["markets"][0].update(demand={"car": value})))
    assert code == 1
    assert f"markets[us].demand.car: {message}" in output


@pytest.mark.parametrize("bound", ["low", "high"])
def test_nan_is_no_range(bound):
    code, output = invoke("validate", file_with(
        lambda d: d["capabilities"][0].update(local_cost={"value": 30.0, bound: float("nan")})))
    assert code == 1
    assert f"{bound}: expected a finite number, found nan" in output


def test_solver_threads_are_bounded():
    code, output = invoke("validate", file_with(lambda d: d.update(solver={"threads": 10_000})))
    assert code == 1
    assert "solver.threads: expected less than or equal to 256, found 10000" in output


def test_an_alias_bomb_is_refused_at_once_with_a_short_message(tmp_path):
    text = Path(write_yaml(Path("base.yaml"), small_network_data())).read_text(encoding="utf-8")
    # 9 ** 30 entries once expanded: no machine gets through them, so the command ends only if nothing expands
    # them (a test of the refusal that does not depend on the machine's speed)
    bomb = "x: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 30))
    Path("bomb.yaml").write_text(text.replace("name: test\n", "") + bomb + "name: *a29\n", encoding="utf-8")
    code, output = invoke("validate", "bomb.yaml")
    assert code == 1
    assert "its aliases expand to" in output
    assert len(output) < 400


def test_an_alias_inside_its_own_anchor_is_refused_at_once(tmp_path):
    """A mis-indented alias that lands inside the entry its anchor names (as in rogue-2012's JATCO Mexico
    capacity, ``2014: &jatco_mx`` then ``2015: *jatco_mx`` indented under it) makes an entry that holds itself:
    a message naming the anchor's line, not a command that never ends."""
    text = Path(write_yaml(Path("base.yaml"), small_network_data())).read_text(encoding="utf-8")
    cycle = "notes:\n  2014: &capacity\n    value: 1\n    2015: *capacity\n"
    Path("cycle.yaml").write_text(text + cycle, encoding="utf-8")
    line = len(text.splitlines()) + 2
    code, output = invoke("validate", "cycle.yaml")
    assert code == 1
    assert f"cycle.yaml:{line}" in output
    assert "an alias refers to the entry that holds it" in " ".join(output.split())


def test_a_long_or_aliased_value_in_a_message_is_an_excerpt():
    code, output = invoke("validate", file_with(lambda d: d.update(currency=["USD"] * 10_000)))
    assert code == 1
    assert "currency: expected" in output
    assert len(output) < 400


def test_yaml_merge_keys_work_as_yaml_defines_them():
    """`<<: *anchor` merges a mapping, and the keys given beside it win (YAML's merge key)."""
    text = Path(write_yaml(Path("base.yaml"), small_network_data())).read_text(encoding="utf-8")
    text = text.replace("horizon:\n  start: 2020\n  end: 2021\n",
                        "horizon:\n  <<: {start: 2020, end: 2030}\n  end: 2021\n")
    assert "<<:" in text
    Path("merge.yaml").write_text(text, encoding="utf-8")
    code, output = invoke("validate", "merge.yaml")
    assert code == 0, output
    assert "2020-2021" in output


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d.update(plants=[[d["plants"][0]]]), "plants[0]: expected a mapping"),
    (lambda d: d["plants"][0].update(pools={"main": 1}), "plants[detroit].pools: expected a list"),
    (lambda d: d.update(horizon=[2020, 2021]), "horizon: expected a mapping"),
    (lambda d: d["markets"][0].update(demand=[1, 2]), "markets[us].demand: expected a mapping"),
])
def test_a_nesting_error_names_its_key_path(change, path):
    code, output = invoke("validate", file_with(change))
    assert code == 1
    assert path in output


def test_control_characters_in_texts_are_refused_and_printed_escaped():
    """A terminal escape in a name, a bell in a product class: refused (no name or note holds one, and a workbook
    cannot), each at its place, the value printed with its control characters escaped."""
    def change(d: dict) -> None:
        d["name"] = "evil\x1b[2J\x1b[31m"
        d["products"][0]["product_class"] = "8703\x07"
        d["tariffs"][0]["product_class"] = "8703\x07"

    code, output = invoke("run", file_with(change))
    assert code == 1
    assert "\x1b" not in output
    assert "\x07" not in output
    assert r"name: the text 'evil\x1b[2J\x1b[31m' holds the control character '\x1b'; a text may hold tabs and " \
           r"line breaks (\n), no other control character" in output
    assert r"products[car].product_class: the text '8703\x07' holds the control character '\x07'" in output
    assert r"tariffs[*/US/8703\x07].product_class: the text '8703\x07'" in output


def test_rich_markup_and_emoji_codes_in_a_name_are_printed_as_written():
    name = "[red]net[/red] :x: [/oops] :smile:"
    code, output = invoke("run", file_with(lambda d: d.update(name=name)))
    assert code == 0
    assert f"{name}: optimal" in output
    code, output = invoke("validate", file_with(lambda d: d["plants"][0].update(fixed_cost=":x: [bold]")))
    assert code == 1
    assert "plants[detroit].fixed_cost: expected a number, found ':x: [bold]'" in output


def test_an_agreement_needs_two_members_and_says_so():
    code, output = invoke("validate", file_with(lambda d: d.update(agreements=[
        {"id": "solo", "members": [{"country": "US"}], "regional_value_content": 0.5}])))
    assert code == 1
    assert "agreements[solo].members: expected at least 2 entries, found 1" in output


def test_sourcing_on_one_capability_and_none_on_another_solves():
    """One capability with a sourcing option, another without: the plan's labels name `own` once."""
    plan = solved(scenario_data(
        plants=[plant("mx", country="MX"), plant("us")],
        capabilities=[capability("mx", local_cost=10.0, sourcing=[{"id": "us-parts", "share": 0.5, "origin": "US",
                                                                      "extra_cost": 1.0}]),
                      capability("us", local_cost=12.0, sourcing=[{"id": "us-parts", "share": 0.1, "origin": "US"}])],
        markets=[market("m", 10.0)]))
    assert list(plan.flows["sourcing"].cat.categories) == ["own", "us-parts"]
    assert plan.flows["units"].sum() == pytest.approx(10.0)


def test_a_closed_stdout_does_not_stop_the_results_from_being_written(tmp_path):
    scenario = write_yaml(tmp_path / "s.yaml", small_network_data())
    process = subprocess.Popen([*FOOTPRINT, "run", str(scenario), "--out", str(tmp_path / "o")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    assert Plan.read(tmp_path / "o").status == "optimal"


def test_an_infeasible_answer_is_checked_again_without_presolve(monkeypatch):
    """HiGHS's presolve has called feasible models infeasible: a first answer of infeasible is asked again
    with presolve off, and that answer is the plan."""
    from conftest import make

    scenario = make(small_network_data())
    real_run, real_run_with_start = solve_module.run, solve_module.run_with_start
    answers: list[bool] = []

    def answer(highs, solution):
        presolve = highs.getOptionValue("presolve")[1] != "off"
        answers.append(presolve)
        if presolve:  # the first answer: a wrong 'infeasible'
            return dataclasses.replace(solution, status=SolveStatus.INFEASIBLE, values=np.zeros(0))
        return solution

    def run(highs, is_mip, duals=False, options=None, keep_interrupted=False):
        return answer(highs, real_run(highs, is_mip, duals, options, keep_interrupted))

    def run_with_start(highs, arrays, is_mip, options, keep_interrupted=False):
        return answer(highs, real_run_with_start(highs, arrays, is_mip, options, keep_interrupted))

    monkeypatch.setattr(solve_module, "run", run)
    monkeypatch.setattr(solve_module, "run_with_start", run_with_start)
    plan = solve(scenario)
    assert answers == [True, False]
    assert plan.status == "optimal"


def test_a_stop_without_a_plan_or_a_proof_says_what_to_check():
    from conftest import make

    model = solve_module.build_model(solve_module.compile_network(make(small_network_data())))
    unknown = Solution(SolveStatus.ERROR, float("nan"), float("nan"), 0.0, 0.1, np.zeros(0), None, "Unknown")
    message = solve_module._no_plan_message(model, unknown, SolverOptions(), ())
    assert "without proving there is none (HiGHS: Unknown)" in message
    assert "Check the units of the largest and smallest amounts" in message


def test_the_time_limit_is_one_deadline_for_all_of_a_commands_solves(monkeypatch):
    from conftest import make

    clock = [1000.0]  # a clock of the test's own: the machine's speed decides nothing
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    options = solver_options(make(small_network_data()), time_limit=2.0)
    assert options.seconds_left() == 2.0
    clock[0] += 0.5
    assert options.seconds_left() == 1.5
    clock[0] += 2.0
    assert options.seconds_left() == 0.0
    with pytest.raises(PlanningError, match="no feasible plan found within the time limit"):
        solve(make(small_network_data()), options)


def test_a_growth_series_may_not_grow_past_the_largest_number():
    def change(d: dict) -> None:
        d["horizon"] = {"start": 2020, "end": 2100}
        d["markets"][0]["demand"] = {"car": {"from": 150, "growth": 50}}
        d["plants"][0]["pools"][0]["capacity"] = 100.0

    code, output = invoke("validate", file_with(change))
    assert code == 1
    # 150 x 51 ** 8 = 6.87e15 in 2028, the first year past 1e15
    assert "markets[us].demand.car: grows to 6.87e+15 by 2028, past the largest number" in output


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["markets"][0].update(demand={"car": 5e16}),
     "markets[us].demand.car: expected a number of at most 1e15 in size (the largest a scenario may hold), "
     "found 5e+16"),
    (lambda d: d["markets"][0].update(demand={"car": {"from": 150, "growth": 1e14}}),
     "markets[us].demand.car: grows to 1.5e+16 by 2021, past the largest number a scenario may hold (1e15)"),
    (lambda d: d.update(horizon={"start": 1850, "end": 2021}), "horizon.start: expected a year from 1900 to 2200, "
                                                               "found 1850"),
    (lambda d: d["plants"][0].update(operating_years={"end": 2201}),
     "plants[detroit].operating_years.end: expected a year from 1900 to 2200, found 2201"),
    (lambda d: d["markets"][0].update(demand={"car": {1899: 150}}),
     "markets[us].demand.car: expected a year from 1900 to 2200, found 1899"),
    (lambda d: d["tariffs"][0].update(year=2300), ".year: expected a year from 1900 to 2200, found 2300"),
])
def test_a_limit_is_stated_by_the_message_that_enforces_it(change, message):
    code, output = invoke("validate", file_with(change))
    assert code == 1
    assert message in output


def test_extends_may_chain_eight_files_deep_and_no_deeper():
    write_yaml(Path("f0.yaml"), small_network_data())
    for depth in range(1, 10):
        Path(f"f{depth}.yaml").write_text(f"extends: f{depth - 1}.yaml\nname: v{depth}\n", encoding="utf-8")
    assert invoke("validate", "f8.yaml")[0] == 0
    code, output = invoke("validate", "f9.yaml")
    assert code == 1
    assert "more than 8 files extend one another; a chain of extends may be at most 8 deep" in output


def test_the_guide_states_the_limits_as_enforced():
    from footprint.scenario.formats.yamlio import MAX_EXTENDS
    from footprint.scenario.model.figures import FIRST_YEAR, LARGEST, LAST_YEAR

    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "checks.md").read_text(encoding="utf-8")
    for stated in (f"| numbers | at most {LARGEST} in size", f"| years | from {FIRST_YEAR} to {LAST_YEAR}",
                   f"| `extends:` | at most {MAX_EXTENDS} files in a row"):
        assert stated in guide
