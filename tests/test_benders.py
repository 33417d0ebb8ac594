"""Benders decomposition against the deterministic equivalent: the same plan, on generated sets and on Dask."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import capability, invoke, market, plant, scenario_data, write_yaml
from footprint.analysis.stochastic import stochastic_plan
from footprint.optimize.benders import cvar
from footprint.optimize.highs import SolverOptions
from footprint.optimize.solve import PlanningError
from footprint.scenario.sets import Future
from test_stochastic import FUTURES, three_lines

EXACT = SolverOptions(mip_gap=1e-9)
AGREE = 1e-6


def agree(a: float, b: float) -> bool:
    return abs(a - b) <= AGREE * max(1.0, abs(a), abs(b))


@st.composite
def networks(draw: st.DrawFn) -> tuple[dict[str, Any], list[Future]]:
    """Two or three plants over two years: lines to build, a candidate plant to open, a closable one, launch
    costs and minimum volumes (assignments), demand with or without a price for lost sales, or sold at a
    price (maximizing profit); two or three futures moving costs and demand, some of which no plan can
    meet."""
    n_plants = draw(st.integers(2, 3))
    plants, capabilities, options = [], [], []
    for p in range(n_plants):
        kind = draw(st.sampled_from(["plain", "candidate", "closable"]))
        extra: dict[str, Any] = {}
        if kind == "candidate":
            extra = {"candidate": True, "fixed_cost": draw(st.floats(0, 300)), "opening_cost": draw(st.floats(0, 200))}
        elif kind == "closable":
            extra = {"closable": True, "fixed_cost": draw(st.floats(0, 300)), "closing_cost": draw(st.floats(0, 100))}
        plants.append(plant(f"p{p}", draw(st.sampled_from([0.0, 40.0, 120.0])), **extra))
        capabilities.append(capability(f"p{p}", local_cost=draw(st.floats(1, 10)),
                                       launch_cost=draw(st.sampled_from([0.0, 50.0])),
                                       min_volume=draw(st.sampled_from([0.0, 30.0, 90.0]))))
        if draw(st.booleans()):
            options.append({"id": f"line{p}", "plant": f"p{p}", "pool": "main", "capacity": draw(st.floats(40, 150)),
                            "capex": draw(st.floats(50, 500)), "max_builds": draw(st.integers(1, 2))})
    sense = draw(st.sampled_from(["cost", "priced lost sales", "profit"]))
    extra_market: dict[str, Any] = {
        "cost": {}, "priced lost sales": {"lost_sale_penalty": {"car": draw(st.floats(10, 40))}},
        "profit": {"price": {"car": draw(st.floats(5, 40))}}}[sense]
    extra = {"objective": "maximize_profit"} if sense == "profit" else {}
    data = scenario_data(plants=plants, capabilities=capabilities, markets=[market("us", 100.0, **extra_market)],
                         options=options, end=2021, **extra)
    futures = []
    count = draw(st.integers(2, 3))
    weights = [draw(st.floats(0.1, 1.0)) for _ in range(count)]
    for f in range(count):
        overrides: list[tuple[str, Any]] = [(f"capabilities[{p}].local_cost", draw(st.floats(1, 12)))
                                            for p in range(n_plants)]
        overrides.append(("markets[0].demand.car", {2020: draw(st.floats(20, 200)), 2021: draw(st.floats(20, 200))}))
        futures.append(Future(f"f{f}", weights[f] / sum(weights), tuple(overrides)))
    return data, futures


def plans(data: dict[str, Any], futures: list[Future], **settings: Any) -> tuple[Any, Any]:
    """The plan as the extensive form and by Benders (in this process), or the PlanningError each raised."""
    answers = []
    for method in ("extensive", "benders"):
        try:
            answers.append(stochastic_plan(data, "generated", futures, options=EXACT, method=method, workers=0,
                                           gap=1e-9, **settings))
        except PlanningError as error:
            answers.append(error)
    return answers[0], answers[1]


@settings(max_examples=40)
@given(networks(), st.sampled_from([0.0, 0.5, 2.0]), st.sampled_from([0.5, 0.8]))
def test_benders_and_the_extensive_form_agree_on_generated_sets(
        network: tuple[dict[str, Any], list[Future]], risk_weight: float, alpha: float) -> None:
    data, futures = network
    extensive, decomposed = plans(data, futures, risk_weight=risk_weight, alpha=alpha)
    assert isinstance(extensive, PlanningError) == isinstance(decomposed, PlanningError), (extensive, decomposed)
    if isinstance(extensive, PlanningError):
        return
    assert decomposed.method == "benders"
    assert extensive.method == "extensive"
    assert agree(decomposed.objective, extensive.objective), (decomposed.objective, extensive.objective)
    assert agree(decomposed.wait_and_see, extensive.wait_and_see)
    costs = decomposed.futures["npv"].to_numpy()
    weights = decomposed.futures["probability"].to_numpy()
    expected = float(weights @ costs)
    assert agree(decomposed.objective, expected + risk_weight * cvar(costs, weights, alpha))
    assert decomposed.wait_and_see <= decomposed.objective + AGREE * max(1.0, abs(decomposed.objective))
    if extensive.expected_of_expected_value is None:
        assert decomposed.expected_of_expected_value is None
    else:
        assert agree(decomposed.expected_of_expected_value, extensive.expected_of_expected_value)
        assert decomposed.objective <= decomposed.expected_of_expected_value + AGREE * abs(decomposed.objective)
    rounds = decomposed.iterations
    assert (rounds["lower"] <= rounds["upper"] + 1e-9 * rounds["upper"].abs().clip(lower=1)).all()
    assert rounds["gap"].iloc[-1] <= 1e-9 or rounds["cuts"].iloc[-1] + rounds["feasibility_cuts"].iloc[-1] == 0


def test_a_plan_no_future_can_carry_out_is_cut_off() -> None:
    # Nothing built leaves the 100 cars of the three lines unmade with no price for lost sales: each future's
    # LP at the first master's decisions is infeasible, and feasibility cuts rule that out.
    futures = [Future(f"f{i}", 0.5, overrides) for i, overrides in enumerate(FUTURES)]
    plan = stochastic_plan(three_lines(), "three lines", futures, options=EXACT, method="benders", workers=0)
    assert plan.iterations["feasibility_cuts"].iloc[0] == 2
    assert plan.objective == pytest.approx(800.0)
    assert list(plan.builds["option"]) == ["c-line"]


def test_the_cvar_of_sorted_costs() -> None:
    # The dearest 20% of (1 at 0.5, 2 at 0.3, 10 at 0.2) is the 10; of the dearest 40%: (0.2 x 10 + 0.2 x 2) / 0.4.
    costs, weights = np.array([1.0, 2.0, 10.0]), np.array([0.5, 0.3, 0.2])
    assert cvar(costs, weights, 0.8) == pytest.approx(10.0)
    assert cvar(costs, weights, 0.6) == pytest.approx(6.0)


def test_benders_on_dask_workers_gives_the_extensive_forms_plan() -> None:
    futures = [Future(f"f{i}", p, overrides) for i, (p, overrides) in enumerate(zip([0.8, 0.2], FUTURES, strict=True))]
    for risk_weight in (0.0, 1.0):
        settings = {"options": EXACT, "risk_weight": risk_weight, "alpha": 0.8}
        extensive = stochastic_plan(three_lines(), "three lines", futures, method="extensive", **settings)
        decomposed = stochastic_plan(three_lines(), "three lines", futures, method="benders", workers=2, **settings)
        assert decomposed.objective == pytest.approx(extensive.objective, rel=AGREE)
        assert list(decomposed.builds["option"]) == list(extensive.builds["option"])
        assert list(decomposed.futures["npv"]) == pytest.approx(list(extensive.futures["npv"]), rel=AGREE)
        # The same stacked Plan: every future's tables, the method and its rounds in it.
        summary = decomposed.plan.summary
        assert (summary["method"], summary["iterations"]) == ("benders", len(decomposed.iterations))
        assert len(decomposed.iterations) > 0
        for name in ("builds", "flows", "costs"):
            ours, theirs = decomposed.plan.tables[name], extensive.plan.tables[name]
            assert list(ours["future"]) == list(theirs["future"]), name
            numbers = ours.select_dtypes("number").columns
            assert ours[numbers].to_numpy() == pytest.approx(theirs[numbers].to_numpy(), rel=AGREE), name


def test_benders_where_futures_make_integer_decisions_says_so_and_solves_the_extensive_form() -> None:
    data = three_lines()
    data["horizon"] = {"start": 2020, "end": 2021}
    futures = [Future(f"f{i}", 0.5, overrides) for i, overrides in enumerate(FUTURES)]
    plan = stochastic_plan(data, "three lines", futures, options=EXACT, method="benders", revise_from=2021)
    assert plan.method == "extensive"
    assert plan.notes
    assert "from 2021 on each future makes its own integer decisions" in plan.notes[0]
    auto = stochastic_plan(data, "three lines", futures, options=EXACT, revise_from=2021)
    assert (auto.method, auto.notes) == ("extensive", ())


def test_the_command_solves_by_benders_and_prints_its_rounds(tmp_path: Any) -> None:
    write_yaml(tmp_path / "lines.yaml", three_lines())
    write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml",
        "futures": [{"name": "a-cheap", "probability": 0.5, "set": dict(FUTURES[0])},
                    {"name": "b-cheap", "probability": 0.5, "set": dict(FUTURES[1])}]})
    result = invoke("stochastic", str(tmp_path / "set.yaml"), "--method", "benders", "--workers", "1",
                    "--gap", "1e-8")
    assert result.exit_code == 0, result.output
    for text in ("Benders", "lower bound", "upper bound", "800.00 USD", "c-line"):
        assert text in result.output, text
    wrong = invoke("stochastic", str(tmp_path / "set.yaml"), "--method", "sideways")
    assert wrong.exit_code == 2


@pytest.mark.slow
def test_benders_through_a_cluster_gives_the_local_plan(scheduler: str) -> None:
    futures = [Future(f"f{i}", p, overrides) for i, (p, overrides) in enumerate(zip([0.8, 0.2], FUTURES, strict=True))]
    local = stochastic_plan(three_lines(), "three lines", futures, options=EXACT, method="benders", workers=0)
    remote = stochastic_plan(three_lines(), "three lines", futures, options=EXACT, cluster=scheduler)  # auto
    assert remote.method == "benders"
    assert remote.objective == pytest.approx(local.objective, rel=AGREE)
    assert list(remote.futures["npv"]) == pytest.approx(list(local.futures["npv"]), rel=AGREE)
