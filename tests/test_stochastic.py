"""The deterministic equivalent of a two-stage plan, on instances worked out by hand (issue 10, its first part)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import footprint as fp
from conftest import capability, invoke, make, market, plant, scenario_data, write_yaml
from footprint.analysis.stochastic import mean_overrides, stochastic_plan
from footprint.analysis.summary import tail_mean
from footprint.cli import app
from footprint.optimize.highs import SolverOptions, run, to_highs
from footprint.optimize.solve import compile_model, solve_model
from footprint.optimize.stochastic import StochasticError, extensive_form
from footprint.scenario.parameters import apply_overrides
from footprint.scenario.sets import Future

EXACT = SolverOptions(mip_gap=0.0)


def three_lines(cost_a: float = 1.0, cost_b: float = 10.0) -> dict[str, Any]:
    """100 cars in one year from one of three lines: a and b (capex 400) are cheap in one future each,
    c (capex 300, 5 a car) in both. Building a and b both costs 800 before any car."""
    return scenario_data(
        plants=[plant(name, 0.0) for name in ("a", "b", "c")],
        capabilities=[capability("a", local_cost=cost_a), capability("b", local_cost=cost_b),
                      capability("c", local_cost=5.0)],
        options=[{"id": f"{name}-line", "plant": name, "pool": "main", "capacity": 100.0, "capex": capex}
                 for name, capex in (("a", 400.0), ("b", 400.0), ("c", 300.0))],
        markets=[market("us", 100.0)],
        solver={"mip_gap": 0.0},
    )


FUTURES = [(("capabilities[0].local_cost", 1.0), ("capabilities[1].local_cost", 10.0)),  # a is cheap
           (("capabilities[0].local_cost", 10.0), ("capabilities[1].local_cost", 1.0))]  # b is cheap


def models_of(futures: list[tuple[tuple[str, float], ...]]) -> list[Any]:
    return [compile_model(make(apply_overrides(three_lines(), overrides))) for overrides in futures]


def built(form: Any, models: list[Any], values: np.ndarray, future: int = 0) -> set[str]:
    model = models[future]
    block = model.program.variables["build"]
    chosen = form.future_values(values, future)[block.start:block.stop] > 0.5
    return {str(option) for option in block.index["option"][chosen]}


def future_costs(form: Any, models: list[Any], values: np.ndarray) -> np.ndarray:
    costs = []
    for f, model in enumerate(models):
        program = model.program
        costs.append(float(program.cost() @ form.future_values(values, f) + program.offset))
    return np.array(costs)


def cvar(costs: np.ndarray, weights: np.ndarray, alpha: float) -> float:
    """CVaR of the costs by sorting them (the sweep summary's), to check the model's against."""
    return tail_mean(costs, weights, 1 - alpha, worst_high=True)


def test_the_plan_for_both_futures_is_neither_futures_own() -> None:
    # Each future alone builds its cheap line: 400 + 100 x 1 = 500. Across both (1/2 each): a or b costs
    # 400 + (100 + 1,000) / 2 = 950, both 800 + 100 = 900, c 300 + 500 = 800, the least.
    models = models_of(FUTURES)
    own = [solve_model(make(apply_overrides(three_lines(), overrides)), EXACT) for overrides in FUTURES]
    assert [s.solution.objective for s in own] == [pytest.approx(500.0), pytest.approx(500.0)]
    form = extensive_form(models, [0.5, 0.5])
    solution = run(to_highs(form.arrays, EXACT), True)
    assert solution.objective == pytest.approx(800.0)
    assert built(form, models, solution.values, 0) == built(form, models, solution.values, 1) == {"c-line"}
    assert list(future_costs(form, models, solution.values)) == [pytest.approx(800.0), pytest.approx(800.0)]
    wait_and_see = np.mean([s.solution.objective for s in own])
    assert wait_and_see <= solution.objective  # EVPI = 800 - 500 >= 0


def test_one_future_gives_the_deterministic_plan() -> None:
    models = models_of(FUTURES[:1])
    form = extensive_form(models, [1.0])
    solution = run(to_highs(form.arrays, EXACT), True)
    alone = solve_model(make(apply_overrides(three_lines(), FUTURES[0])), EXACT)
    assert solution.objective == pytest.approx(alone.solution.objective, rel=1e-9)


def test_cvar_in_the_model_is_the_cvar_of_the_futures_costs_sorted() -> None:
    # Unequal futures: a is cheap with probability 0.8. Risk-neutral: a costs 400 + 0.8 x 100 + 0.2 x 1,000 = 680,
    # c 800: a. With CVaR at 0.8 (the dearest 20%) weighted 1: a adds 1,400, c 800: c.
    models = models_of(FUTURES)
    neutral = extensive_form(models, [0.8, 0.2])
    solution = run(to_highs(neutral.arrays, EXACT), True)
    assert solution.objective == pytest.approx(680.0)
    assert built(neutral, models, solution.values) == {"a-line"}
    averse = extensive_form(models, [0.8, 0.2], risk_weight=1.0, alpha=0.8)
    solution = run(to_highs(averse.arrays, EXACT), True)
    assert built(averse, models, solution.values) == {"c-line"}
    costs = future_costs(averse, models, solution.values)
    expected = float(costs @ [0.8, 0.2]) + cvar(costs, np.array([0.8, 0.2]), 0.8)
    assert solution.objective == pytest.approx(expected)
    values = solution.values
    eta = values[averse.eta]
    excess = values[averse.eta + 1:averse.eta + 3]
    assert eta + float(excess @ [0.8, 0.2]) / 0.2 == pytest.approx(cvar(costs, np.array([0.8, 0.2]), 0.8))


def test_revising_from_a_year_shares_only_the_years_before() -> None:
    data = three_lines()
    data["horizon"] = {"start": 2020, "end": 2021}
    models = [compile_model(make(apply_overrides(data, overrides))) for overrides in FUTURES]
    now = extensive_form(models, [0.5, 0.5])
    later = extensive_form(models, [0.5, 0.5], revise_from=2021)
    assert later.shared.sum() < now.shared.sum()
    committed = run(to_highs(now.arrays, EXACT), True).objective
    revised = run(to_highs(later.arrays, EXACT), True).objective
    assert revised <= committed + 1e-9  # waiting to know is worth something, never less than nothing


def test_futures_that_do_not_share_their_decisions_are_refused() -> None:
    other = three_lines()
    other["options"] = other["options"][:2]
    models = [compile_model(make(three_lines())), compile_model(make(other))]
    with pytest.raises(StochasticError, match="decisions made now are not those of the first future"):
        extensive_form(models, [0.5, 0.5])
    with pytest.raises(StochasticError, match="add up to 1"):
        extensive_form(models[:1], [0.7])


def test_what_uncertainty_costs_on_the_three_lines() -> None:
    # RP 800 (line c); WS = (500 + 500) / 2; the mean future (a and b at 5.5 a car) also builds c: EV = 800,
    # EEV = 800, so EVPI = 300 and VSS = 0.
    futures = [Future(f"f{i}", 0.5, overrides) for i, overrides in enumerate(FUTURES)]
    plan = stochastic_plan(three_lines(), "three lines", futures, options=EXACT)
    assert (plan.objective, plan.wait_and_see, plan.expected_value) == (pytest.approx(800.0), pytest.approx(500.0),
                                                                       pytest.approx(800.0))
    assert plan.expected_of_expected_value == pytest.approx(800.0)
    assert (plan.evpi, plan.vss) == (pytest.approx(300.0), pytest.approx(0.0))
    assert list(plan.futures["npv"]) == [pytest.approx(800.0)] * 2
    assert list(plan.futures["own"]) == [pytest.approx(500.0)] * 2


def test_the_mean_future_averages_numbers_by_probability_and_takes_the_likeliest_name() -> None:
    futures = [Future("a", 0.25, (("fx.KRW", 1000.0), ("regime", "2012"), ("fx.JPY", {2020: 80.0, 2021: 100.0}))),
               Future("b", 0.75, (("fx.KRW", 1400.0), ("regime", "2025-deals"), ("fx.JPY", {2020: 120.0, 2021: 60.0})))]
    assert dict(mean_overrides(futures)) == {"fx.KRW": pytest.approx(1300.0), "regime": "2025-deals",
                                             "fx.JPY": {2020: pytest.approx(110.0), 2021: pytest.approx(70.0)}}
    rules = [Future("a", 0.6, (("tariffs", [{"rate": 0.1}]),)), Future("b", 0.4, (("tariffs", [{"rate": 0.25}]),))]
    assert dict(mean_overrides(rules)) == {"tariffs": [{"rate": 0.1}]}  # lists of rules: the likeliest
    # A regime's name and its rules come from the likeliest regime, never the name of one and the rules of another:
    # here "2025-deals" (0.5) over the two regimes that lapse (0.3 and 0.2, each with its own rules).
    regimes = [Future("deals", 0.5, (("regime", "2025-deals"), ("fx.KRW", 1000.0))),
               Future("lapse", 0.3, (("regime", None), ("tariffs", [{"rate": 0.25}]), ("fx.KRW", 1200.0))),
               Future("ended", 0.2, (("regime", None), ("tariffs", [{"rate": 0.5}]), ("fx.KRW", 1400.0)))]
    assert dict(mean_overrides(regimes)) == {"regime": "2025-deals", "fx.KRW": pytest.approx(1140.0)}


@settings(max_examples=15)
@given(st.lists(st.tuples(st.floats(1.0, 12.0), st.floats(1.0, 12.0), st.floats(0.1, 1.0)), min_size=1, max_size=3),
       st.sampled_from([0.0, 1.0]))
def test_wait_and_see_is_at_most_the_plan_which_is_at_most_the_mean_futures_plan(
        draws: list[tuple[float, float, float]], risk_weight: float) -> None:
    # With a CVaR term too: WS and EEV are measured as RP is (expected cost plus the risk term).
    total = sum(weight for _, _, weight in draws)
    futures = [Future(f"f{i}", weight / total, (("capabilities[0].local_cost", a), ("capabilities[1].local_cost", b)))
               for i, (a, b, weight) in enumerate(draws)]
    plan = stochastic_plan(three_lines(), "three lines", futures, options=EXACT, risk_weight=risk_weight, alpha=0.8)
    assert plan.wait_and_see <= plan.objective + 1e-6
    assert plan.expected_of_expected_value is not None
    assert plan.objective <= plan.expected_of_expected_value + 1e-6
    if len(futures) == 1:
        assert plan.wait_and_see == pytest.approx(plan.objective) == pytest.approx(plan.expected_of_expected_value)
    if risk_weight == 0:  # the objective is the expected NPV cost, and the plan the one without a risk term
        assert plan.objective == pytest.approx(plan.expected)
        plain = extensive_form(models_of([f.overrides for f in futures]), [f.probability for f in futures])
        assert plan.objective == pytest.approx(run(to_highs(plain.arrays, EXACT), True).objective)


def test_the_command_prints_the_plan_and_what_uncertainty_costs(tmp_path: Path) -> None:
    write_yaml(tmp_path / "lines.yaml", three_lines())
    write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml",
        "futures": [{"name": "a-cheap", "probability": 0.5, "set": dict(FUTURES[0])},
                    {"name": "b-cheap", "probability": 0.5, "set": dict(FUTURES[1])}]})
    result = CliRunner().invoke(app, ["stochastic", str(tmp_path / "set.yaml")])
    assert result.exit_code == 0, result.output
    for text in ("RP, this plan's objective", "800.00 USD", "EVPI = RP - WS, knowing the future", "300.00 USD",
                 "c-line", "a-cheap", "b-cheap"):
        assert text in result.output, text
    refused = CliRunner().invoke(app, ["stochastic", str(tmp_path / "set.yaml"), "--alpha", "2"])
    assert refused.exit_code == 2


def test_the_sets_settings_apply_and_the_command_line_overrides_them(tmp_path: Path) -> None:
    write_yaml(tmp_path / "lines.yaml", three_lines())
    write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml", "stochastic": {"risk_weight": 1.0, "alpha": 0.8},
        "futures": [{"name": "a-cheap", "probability": 0.8, "set": dict(FUTURES[0])},
                    {"name": "b-cheap", "probability": 0.2, "set": dict(FUTURES[1])}]})
    averse = fp.stochastic(tmp_path / "set.yaml", mip_gap=0.0)
    assert (averse.risk_weight, averse.alpha) == (1.0, 0.8)
    assert list(averse.builds["option"]) == ["c-line"]  # as worked out in the CVaR test above
    neutral = fp.stochastic(tmp_path / "set.yaml", risk_weight=0.0, mip_gap=0.0)
    assert list(neutral.builds["option"]) == ["a-line"]
    assert neutral.objective == pytest.approx(680.0)


def test_a_sets_revise_from_is_overridden_by_a_year_or_by_none(tmp_path: Path) -> None:
    # The set revises from 2020, the only year: each future decides for itself, 500 each (as alone). None: every
    # decision made now, the line c plan of 800.
    write_yaml(tmp_path / "lines.yaml", three_lines())
    write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml", "stochastic": {"revise_from": 2020},
        "futures": [{"name": "a-cheap", "probability": 0.5, "set": dict(FUTURES[0])},
                    {"name": "b-cheap", "probability": 0.5, "set": dict(FUTURES[1])}]})
    revised = fp.stochastic(tmp_path / "set.yaml", mip_gap=0.0)
    assert (revised.revise_from, revised.objective, revised.waiting) == (2020, pytest.approx(500.0),
                                                                        pytest.approx(300.0))
    now = fp.stochastic(tmp_path / "set.yaml", revise_from="none", mip_gap=0.0)
    assert (now.revise_from, now.objective) == (None, pytest.approx(800.0))
    printed = invoke("stochastic", str(tmp_path / "set.yaml"), "--revise-from", "none", "--no-store")
    assert printed.exit_code == 0, printed.output
    assert "value of waiting" not in printed.output
    wrong = invoke("stochastic", str(tmp_path / "set.yaml"), "--revise-from", "soon", "--no-store")
    assert wrong.exit_code == 2
    assert "expected a year or none" in wrong.output
