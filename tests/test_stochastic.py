"""The deterministic equivalent of a two-stage plan, on instances worked out by hand (issue 10, its first part)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

import footprint as fp
from conftest import capability, invoke, make, market, plant, scenario_data, small_network_data, write_yaml
from footprint.analysis.stochastic import StochasticPlan, mean_overrides, stochastic_plan
from footprint.analysis.summary import tail_mean
from footprint.cli import app
from footprint.economics.fx import fx_rates
from footprint.optimize.highs import SolverOptions, run, to_highs
from footprint.optimize.solve import compile_model, solve_model
from footprint.optimize.stochastic import StochasticError, extensive_form
from footprint.plan.plan import Plan
from footprint.scenario.sets.parameters import apply_overrides
from footprint.scenario.sets.scenario_sets import Future
from footprint.views.report_sets import stochastic_report
from footprint.views.stochastic import print_stochastic

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
    base = small_network_data()
    futures = [Future("a", 0.25, (("fx.KRW", 1000.0), ("regime", "2012"), ("fx.JPY", {2020: 80.0, 2021: 100.0}))),
               Future("b", 0.75, (("fx.KRW", 1400.0), ("regime", "2025-deals"), ("fx.JPY", {2020: 120.0, 2021: 60.0})))]
    assert dict(mean_overrides(base, futures)) == {
        "fx.KRW": pytest.approx(1300.0), "regime": "2025-deals",
        "fx.JPY": {2020: pytest.approx(110.0), 2021: pytest.approx(70.0)}}
    rules = [Future("a", 0.6, (("tariffs", [{"rate": 0.1}]),)), Future("b", 0.4, (("tariffs", [{"rate": 0.25}]),))]
    assert dict(mean_overrides(base, rules)) == {"tariffs": [{"rate": 0.1}]}  # lists of rules: the likeliest
    # A regime's name and its rules come from the likeliest regime, never the name of one and the rules of another:
    # here "2025-deals" (0.5) over the two regimes that lapse (0.3 and 0.2, each with its own rules).
    regimes = [Future("deals", 0.5, (("regime", "2025-deals"), ("fx.KRW", 1000.0))),
               Future("lapse", 0.3, (("regime", None), ("tariffs", [{"rate": 0.25}]), ("fx.KRW", 1200.0))),
               Future("ended", 0.2, (("regime", None), ("tariffs", [{"rate": 0.5}]), ("fx.KRW", 1400.0)))]
    assert dict(mean_overrides(base, regimes)) == {"regime": "2025-deals", "fx.KRW": pytest.approx(1140.0)}


def test_the_mean_future_counts_the_futures_that_leave_a_figure_at_the_base_value() -> None:
    # small_network_data: US demand 150, KRW at 1,100, Busan's fixed cost left out (0). EU demand grows from 80 by
    # half a year: 80 in 2020, 120 in 2021. "up" (1/4) sets them; "as planned" (3/4) leaves them.
    base = small_network_data()
    base["markets"][1]["demand"]["car"] = {"from": 80.0, "growth": 0.5}
    futures = [Future("up", 0.25, (("markets[us].demand.car", 250.0), ("fx.KRW", 1500.0), ("plants[busan].fixed_cost",
                                                                                          40.0),
                                   ("markets[eu].demand.car", {2020: 200.0, 2021: 200.0}))),
               Future("as planned", 0.75, ())]
    assert dict(mean_overrides(base, futures)) == {
        "markets[us].demand.car": pytest.approx(0.25 * 250 + 0.75 * 150),  # 175; 250 over "up" alone
        "fx.KRW": pytest.approx(1200.0),
        "plants[busan].fixed_cost": pytest.approx(10.0),  # the base's default, 0, counted at 3/4
        # the growth series by the values it grows to, each year: 1/4 x 200 + 3/4 x 80, 1/4 x 200 + 3/4 x 120
        "markets[eu].demand.car": {2020: pytest.approx(110.0), 2021: pytest.approx(140.0)}}


def test_the_mean_of_growing_series_is_the_mean_of_their_values_not_of_their_rates() -> None:
    # EU demand from 80: grown by 100% a year in "fast", by the base's 50% in "slow" (1/2 each), 2020-2022:
    # 80, 160, 320 and 80, 120, 180; their mean 80, 140, 250 (at the mean rate, 75%, 245 in 2022). The same for
    # growth: on US demand (150 a year in the base): 150, 300, 600 and 150 flat, their mean 150, 225, 375.
    base = small_network_data()
    base["horizon"]["end"] = 2022
    base["markets"][1]["demand"]["car"] = {"from": 80.0, "growth": 0.5}
    futures = [Future("fast", 0.5, (("markets[eu].demand.car.growth", 1.0), ("growth:markets[us].demand.car", 1.0))),
               Future("slow", 0.5, ())]
    mean = dict(mean_overrides(base, futures))
    assert mean == {"markets[eu].demand.car": {2020: pytest.approx(80.0), 2021: pytest.approx(140.0),
                                               2022: pytest.approx(250.0)},
                    "markets[us].demand.car": {2020: pytest.approx(150.0), 2021: pytest.approx(225.0),
                                               2022: pytest.approx(375.0)}}
    scenario = make(apply_overrides(base, mean.items()))
    assert [scenario.markets[1].demand["car"][year] for year in (2020, 2021, 2022)] == [
        pytest.approx(80.0), pytest.approx(140.0), pytest.approx(250.0)]


def test_an_exchange_rate_a_future_leaves_counts_at_the_rate_the_base_gives_it() -> None:
    # The base takes the won from the ECB (its annual means, fx_default); "fixed" (1/2) sets it to 1,000 per USD.
    base = small_network_data()
    del base["fx"]
    base["fx_default"] = "ecb"
    futures = [Future("fixed", 0.5, (("fx.KRW", 1000.0),)), Future("ecb", 0.5, ())]
    ecb = fx_rates(make(base))["KRW"]
    assert dict(mean_overrides(base, futures)) == {
        "fx.KRW": {year: pytest.approx((1000.0 + ecb[year]) / 2) for year in (2020, 2021)}}


def one_plant(demand: float = 100.0, capacity: float = 1_000_000.0) -> dict[str, Any]:
    """One plant making cars at 20 each for one market, in one year."""
    return scenario_data(plants=[plant("a", capacity)], capabilities=[capability("a", local_cost=20.0)],
                         markets=[market("us", demand)], solver={"mip_gap": 0.0})


def test_ev_is_the_optimum_of_the_demand_averaged_over_every_future() -> None:
    # Demand 100 at 20 a car. "doubled" (1/4) sets 200: 4,000; "as planned" (3/4) leaves it: 2,000. The mean future
    # asks 1/4 x 200 + 3/4 x 100 = 125 cars: EV = 2,500 (averaged over the one future that sets it: 200 and 4,000).
    futures = [Future("doubled", 0.25, (("markets[us].demand.car", 200.0),)), Future("as planned", 0.75, ())]
    plan = stochastic_plan(one_plant(), "one plant", futures, options=EXACT)
    assert plan.expected_value == pytest.approx(2_500.0)
    assert (plan.objective, plan.wait_and_see) == (pytest.approx(2_500.0), pytest.approx(2_500.0))
    assert plan.expected_of_expected_value == pytest.approx(2_500.0)
    assert plan.vss == pytest.approx(0.0)


def no_plan_for_the_mean(folder: Path) -> Path:
    """A plant of 100 cars a year at 20 each. "steady" (0.6): 100 cars, no lost sales allowed: 2,000. "surge" (0.4):
    300 cars, a lost car costing 1,000: 100 made and 200 lost, 202,000. RP = WS = 0.6 x 2,000 + 0.4 x 202,000 =
    82,000 (nothing decided now). The mean future asks 0.6 x 100 + 0.4 x 300 = 180 cars, and takes steady's rule
    (no lost sales, the likelier): no plan."""
    write_yaml(folder / "plant.yaml", one_plant(100.0, capacity=100.0))
    return write_yaml(folder / "set.yaml", {
        "kind": "scenario-set", "base": "plant.yaml",
        "futures": [{"name": "steady", "probability": 0.6},
                    {"name": "surge", "probability": 0.4, "set": {"markets[us].demand.car": 300.0,
                                                                  "markets[us].lost_sale_penalty.car": 1000.0}}]})


def test_a_mean_future_without_a_plan_leaves_ev_and_eev_without_one_and_the_rest_reported(tmp_path: Path) -> None:
    scenario_set = no_plan_for_the_mean(tmp_path)
    plan = fp.stochastic(scenario_set, mip_gap=0.0)
    assert (plan.objective, plan.wait_and_see, plan.evpi) == (pytest.approx(82_000.0), pytest.approx(82_000.0),
                                                             pytest.approx(0.0, abs=1e-6))
    assert (plan.expected_value, plan.expected_of_expected_value, plan.vss) == (None, None, None)
    assert plan.futures["ev_plan"].isna().all()
    store = tmp_path / "runs.sqlite"
    printed = invoke("stochastic", str(scenario_set), "--store", str(store))
    assert printed.exit_code == 0, printed.output
    text = " ".join(printed.output.split())
    for line in ("│ RP, this plan's objective │ 82.00k USD │", "│ EV, the mean future's optimum │ no plan │",
                 "│ EEV, the mean future's decisions in every future │ no plan │",
                 "│ VSS = EEV - RP, planning for the spread │ no plan │",
                 "Note: The mean future (every figure at its probability-weighted mean over the futures) has no "
                 "plan: EV and EEV have none, nor VSS."):
        assert line in text, line
    shown = invoke("show", "latest", "--store", str(store))
    assert shown.exit_code == 0, shown.output
    assert "│ EV, the mean future's optimum │ no plan │" in " ".join(shown.output.split())
    exported = invoke("export", "latest", "--store", str(store), "--out", str(tmp_path / "out"))
    assert exported.exit_code == 0, exported.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["expected_value"], summary["expected_of_expected_value"], summary["vss"]) == (None, None, None)
    assert summary["objective"] == pytest.approx(82_000.0)
    reported = invoke("report", "latest", "--store", str(store), "--out", str(tmp_path / "report.html"))
    assert reported.exit_code == 0, reported.output
    page = (tmp_path / "report.html").read_text()
    assert "<dt>expected value (EV)</dt><dd>-</dd>" in page
    assert "has no plan: EV and EEV have none, nor VSS" in page


def rounded(plan: StochasticPlan, **measures: float) -> StochasticPlan:
    """``plan`` with some of its summary's measures replaced (and evpi and vss worked out again)."""
    summary = {**plan.plan.summary, **measures}
    summary["evpi"] = summary["objective"] - summary["wait_and_see"]
    summary["vss"] = summary["expected_of_expected_value"] - summary["objective"]
    return StochasticPlan.of(Plan(summary, plan.plan.tables))


def test_evpi_and_vss_negative_only_by_rounding_print_as_zero_with_the_tolerance() -> None:
    futures = [Future(f"f{i}", 0.5, overrides) for i, overrides in enumerate(FUTURES)]
    plan = stochastic_plan(three_lines(), "three lines", futures, options=EXACT)  # RP 800, EEV 800
    near = rounded(plan, wait_and_see=800.0 + 2e-9, expected_of_expected_value=800.0 - 2e-9)
    assert near.rounded == {"EVPI": pytest.approx(-2e-9), "VSS": pytest.approx(-2e-9)}
    console = Console(record=True, width=200)
    print_stochastic(near, "USD", console)
    text = " ".join(console.export_text().split())
    assert "│ EVPI = RP - WS, knowing the future │ 0.00 USD │" in text
    assert "│ VSS = EEV - RP, planning for the spread │ 0.00 USD │" in text
    assert ("Note: EVPI is -2.0e-09 USD, negative only by rounding between separate solves (within 1e-09 x RP): "
            "shown as 0.") in text
    page = stochastic_report(near)
    assert "<dt>EVPI (RP - WS)</dt><dd>0.00 USD</dd>" in page
    assert "VSS is -2.0e-09 USD, negative only by rounding" in page
    # Beyond rounding (1e-9 x 800 = 8e-7 here) a negative figure is shown as it is, and said nothing of.
    far = rounded(plan, expected_of_expected_value=795.0)
    assert far.rounded == {}
    console = Console(record=True, width=200)
    print_stochastic(far, "USD", console)
    text = " ".join(console.export_text().split())
    assert "│ VSS = EEV - RP, planning for the spread │ -5.00 USD │" in text
    assert "rounding" not in text


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


def test_what_is_decided_now_and_the_workers_are_options_of_the_command_and_the_api(tmp_path: Path) -> None:
    # The three lines: with every decision made now, line c (800); with none, each future builds its own cheap line
    # (500). Benders in this process (--workers 0) finds line c too.
    write_yaml(tmp_path / "lines.yaml", three_lines())
    scenario_set = write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml", "stochastic": {"decisions": ["open"]},
        "futures": [{"name": "a-cheap", "probability": 0.5, "set": dict(FUTURES[0])},
                    {"name": "b-cheap", "probability": 0.5, "set": dict(FUTURES[1])}]})
    assert fp.stochastic(scenario_set, mip_gap=0.0).objective == pytest.approx(500.0)  # the set's: builds are not
    built = fp.stochastic(scenario_set, decisions=["build"], mip_gap=0.0)
    assert (built.objective, built.plan.summary["decisions"]) == (pytest.approx(800.0), ["build"])
    assert fp.stochastic(scenario_set, decisions="build, open", mip_gap=0.0).plan.summary["decisions"] == [
        "build", "open"]
    assert fp.stochastic(scenario_set, decisions="none", mip_gap=0.0).objective == pytest.approx(500.0)
    with pytest.raises(StochasticError, match="decisions: unknown 'bogus'; expected some of build, open"):
        fp.stochastic(scenario_set, decisions="build,bogus")
    printed = invoke("stochastic", str(scenario_set), "--decisions", "build", "--no-store")
    assert printed.exit_code == 0, printed.output
    assert "│ RP, this plan's objective │ 800.00 USD │" in " ".join(printed.output.split())
    wrong = invoke("stochastic", str(scenario_set), "--decisions", "build,bogus", "--no-store")
    assert wrong.exit_code == 2
    assert "unknown 'bogus'" in wrong.output
    here = invoke("stochastic", str(scenario_set), "--decisions", "build", "--method", "benders", "--workers", "0",
                  "--no-store")
    assert here.exit_code == 0, here.output
    text = " ".join(here.output.split())
    assert "Solved by Benders decomposition" in text
    assert "│ RP, this plan's objective │ 800.00 USD │" in text
    assert invoke("stochastic", str(scenario_set), "--workers", "-1", "--no-store").exit_code == 2
