"""Benders decomposition against the deterministic equivalent: the same plan, on generated sets and on Dask."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import capability, invoke, lane, market, plant, scenario_data, write_yaml
from footprint.analysis.benders import cuts_at, future_model, shared_parts, workers_for
from footprint.analysis.stochastic import stochastic_plan
from footprint.economics.futures import expand
from footprint.optimize.benders import (
    BendersError,
    BoundError,
    Cut,
    CutKind,
    Decomposed,
    Master,
    Subproblems,
    cvar,
    decompose,
    plan_objective,
    relative_gap,
)
from footprint.optimize.highs import SolverOptions, SolveStatus
from footprint.optimize.solve import PlanningError
from footprint.optimize.stochastic import HERE_AND_NOW, extensive_form, solve_form
from footprint.scenario.sets.scenario_sets import Future, read_set
from stochastic_cflp import stochastic_cflp
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


@settings(max_examples=25)
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


# Benders provably right (issue 16): its bounds against the extensive form on sets as varied as real networks, on
# stochastic facility location where feasibility drives the plan, and on the voltaro set that exposed it.

@st.composite
def varied_networks(draw: st.DrawFn, futures: tuple[int, int] = (20, 40)) -> tuple[dict[str, Any], list[Future],
                                                                                  float, float]:
    """Three to six plants over one to three years and one to three markets: plain, candidate, closable and both
    (a candidate that may close again), some opening late; lines built up to three times, some only from a later
    year; launch costs and minimum volumes; freight by lane; demand with or without a price for lost sales, or sold
    at a price; ``futures`` futures moving every plant's cost and every market's demand (a demand of 0 in some, so
    that futures differ in which flows exist); CVaR or not."""
    years = list(range(2020, 2020 + draw(st.integers(1, 3))))
    n_plants, n_markets = draw(st.integers(3, 6)), draw(st.integers(1, 3))
    plants, capabilities, options, lanes = [], [], [], []
    for p in range(n_plants):
        kind = draw(st.sampled_from(["plain", "candidate", "closable", "both"]))
        extra: dict[str, Any] = {}
        if kind in ("candidate", "both"):
            extra |= {"candidate": True, "fixed_cost": draw(st.floats(0, 300)),
                      "opening_cost": draw(st.floats(0, 300))}
            if len(years) > 1 and draw(st.booleans()):
                extra["earliest_open"] = draw(st.sampled_from(years[1:]))
        if kind in ("closable", "both"):
            extra |= {"closable": True, "fixed_cost": draw(st.floats(0, 300)), "closing_cost": draw(st.floats(0, 100))}
        plants.append(plant(f"p{p}", draw(st.sampled_from([0.0, 40.0, 80.0, 150.0])), **extra))
        capabilities.append(capability(f"p{p}", local_cost=draw(st.floats(1, 10)),
                                       launch_cost=draw(st.sampled_from([0.0, 0.0, 30.0, 60.0])),
                                       min_volume=draw(st.sampled_from([0.0, 0.0, 20.0, 50.0]))))
        if draw(st.booleans()):
            option: dict[str, Any] = {"id": f"line{p}", "plant": f"p{p}", "pool": "main",
                                      "capacity": draw(st.floats(30, 120)), "capex": draw(st.floats(50, 500)),
                                      "max_builds": draw(st.integers(1, 3))}
            if len(years) > 1 and draw(st.booleans()):
                option["earliest_year"] = draw(st.sampled_from(years[1:]))
            options.append(option)
        lanes += [lane(f"p{p}", f"m{k}", draw(st.floats(0, 5))) for k in range(n_markets)]
    sense = draw(st.sampled_from(["cost", "priced lost sales", "profit"]))
    markets = []
    for k in range(n_markets):
        extra = {"cost": {}, "priced lost sales": {"lost_sale_penalty": {"car": draw(st.floats(10, 40))}},
                 "profit": {"price": {"car": draw(st.floats(5, 40))}}}[sense]
        markets.append(market(f"m{k}", {year: draw(st.floats(20, 150)) for year in years}, **extra))
    data = scenario_data(plants=plants, capabilities=capabilities, markets=markets, options=options, end=years[-1],
                         lanes=lanes, default_freight=None,
                         **({"objective": "maximize_profit"} if sense == "profit" else {}))
    count = draw(st.integers(*futures))
    weights = [draw(st.floats(0.1, 1.0)) for _ in range(count)]
    listed = []
    for f in range(count):
        overrides: list[tuple[str, Any]] = [(f"capabilities[{p}].local_cost", draw(st.floats(1, 12)))
                                            for p in range(n_plants)]
        for k in range(n_markets):
            demand = {year: draw(st.floats(20, 200)) for year in years}
            if draw(st.integers(0, 9)) == 0:
                demand[draw(st.sampled_from(years))] = 0.0
            overrides.append((f"markets[{k}].demand.car", demand))
        listed.append(Future(f"f{f}", weights[f] / sum(weights), tuple(overrides)))
    return data, listed, draw(st.sampled_from([0.0, 0.0, 0.5, 2.0])), draw(st.sampled_from([0.5, 0.8, 0.9]))


@dataclass(frozen=True)
class Extensive:
    """The extensive form's optimum: as its program has it (with the flows' tie-break) and at true costs."""

    optimum: float
    objective: float


def both_ways(data: dict[str, Any], futures: list[Future], risk_weight: float = 0.0, alpha: float = 0.9,
              gap: float = 1e-9) -> tuple[Extensive | None, Decomposed | None]:
    """The plan as the extensive form has it (None: no plan) and Benders' answer (None: no plan), here, each to
    ``gap``."""
    options = SolverOptions(mip_gap=gap)
    weights = np.array([future.probability for future in futures])
    models = [future_model(data, "generated", future) for future in futures]
    form = extensive_form(models, weights, risk_weight=risk_weight, alpha=alpha)
    solution = solve_form(form, options)
    extensive = None if solution is None else Extensive(
        float(form.arrays.cost @ solution.values + form.arrays.offset),
        plan_objective(np.array([model.npv(form.future_values(solution.values, f)) for f, model in enumerate(models)]),
                       weights, risk_weight, alpha))
    with workers_for(data, "generated", futures, HERE_AND_NOW, options, None) as workers:
        try:
            parts = [part for _, part in sorted(workers.map(shared_parts), key=lambda item: item[0])]
            return extensive, decompose(parts, weights, lambda x: workers.map(cuts_at, x), risk_weight=risk_weight,
                                        alpha=alpha, options=options, gap=gap)
        except BendersError:
            return extensive, None


def assert_bounds_hold(extensive: Extensive, decomposed: Decomposed, gap: float = 1e-9) -> None:
    """Benders reached the extensive form's optimum within its gap (and its plan's objective at true costs), its
    lower bound never fell and never rose above that optimum, and its upper bound never fell below it."""
    optimum = extensive.optimum  # within gap of the true optimum, as Benders' upper bound is
    slack = (2 * gap + 1e-7) * max(1.0, abs(optimum))
    assert decomposed.status is SolveStatus.OPTIMAL, decomposed.status
    assert abs(decomposed.upper - optimum) <= slack, (decomposed.upper, optimum)
    assert abs(decomposed.objective - extensive.objective) <= slack, (decomposed.objective, extensive.objective)
    lower = [r.lower for r in decomposed.rounds]
    assert all(b >= a for a, b in itertools.pairwise(lower)), lower
    assert max(lower) <= optimum + 1e-7 * max(1.0, abs(optimum)), (max(lower), optimum)
    assert min(r.upper for r in decomposed.rounds) >= optimum - slack


def assert_both_ways_agree(data: dict[str, Any], futures: list[Future], risk_weight: float, alpha: float) -> None:
    """Both methods find a plan or neither does; where they do, Benders' bounds hold (assert_bounds_hold)."""
    extensive, decomposed = both_ways(data, futures, risk_weight, alpha)
    assert (extensive is None) == (decomposed is None), (extensive, decomposed)
    if extensive is not None and decomposed is not None:
        assert_bounds_hold(extensive, decomposed)


@pytest.mark.slow
@settings(max_examples=8)
@given(varied_networks())
def test_benders_bounds_hold_on_twenty_to_forty_futures_of_varied_networks(
        network: tuple[dict[str, Any], list[Future], float, float]) -> None:
    assert_both_ways_agree(*network)


@settings(max_examples=10)
@given(varied_networks(futures=(3, 6)))
def test_benders_bounds_hold_on_a_few_futures_of_varied_networks(
        network: tuple[dict[str, Any], list[Future], float, float]) -> None:
    assert_both_ways_agree(*network)


@pytest.mark.parametrize(("name", "count", "candidates", "penalty"), [
    ("cap41", 5, True, None), ("cap42", 5, False, None), ("cap43", 5, True, 20.0),
    pytest.param("cap44", 50, True, None, marks=pytest.mark.slow),
    pytest.param("cap41", 50, False, 20.0, marks=pytest.mark.slow)])
def test_benders_converges_where_feasibility_drives_the_plan(name: str, count: int, candidates: bool,
                                                             penalty: float | None) -> None:
    """Stochastic capacitated facility location (OR-Library's cap instances, demand drawn per future): without a
    price for lost sales every future must be served, and feasibility cuts from the program without its per-flow
    links say how much capacity must open, so Benders converges in tens of rounds (it found no plan in 500 before)."""
    data, futures = stochastic_cflp(name, count, candidates=candidates, lost_sale_penalty=penalty)
    extensive, decomposed = both_ways(data, futures, gap=1e-7)
    assert extensive is not None
    assert decomposed is not None
    assert_bounds_hold(extensive, decomposed, gap=1e-7)
    assert len(decomposed.rounds) <= 40
    if penalty is None:
        assert sum(r.feasibility_cuts for r in decomposed.rounds) > 0


VOLTARO = Path(__file__).parent / "repro" / "voltaro-futures.yaml"


@pytest.mark.parametrize(("n", "risk_weight"), [(1, 0.0), (1, 1.0), pytest.param(3, 0.0, marks=pytest.mark.slow)])
def test_benders_and_the_extensive_form_agree_on_the_voltaro_set(n: int, risk_weight: float) -> None:
    """The set where Benders claimed a false optimum (a dearer plan, its lower bound above the optimum and falling
    between rounds): both methods now reach the same plan, to the requested gap."""
    read = read_set(VOLTARO)
    futures = expand(read, n=n, seed=None)
    extensive, decomposed = both_ways(read.base.data, futures, risk_weight, gap=1e-6)
    assert extensive is not None
    assert decomposed is not None
    assert_bounds_hold(extensive, decomposed, gap=1e-6)


def test_benders_takes_futures_that_differ_in_which_flows_exist() -> None:
    # A demand of 0 leaves its flows out of that future's model: only the decisions made now must line up.
    futures = [Future("none", 0.5, (("markets[0].demand.car", 0.0),)), Future("some", 0.5, ())]
    extensive, decomposed = both_ways(three_lines(), futures)
    # a's line (400) and its 100 cars at 1 a car in one future of two: 450; c's (300) with cars at 5: 550.
    assert extensive is not None
    assert extensive.objective == pytest.approx(450.0)
    assert decomposed is not None
    assert_bounds_hold(extensive, decomposed)


def progress(master: Master) -> Any:
    from footprint.optimize.benders import _Progress

    return _Progress(master, 1e-7, 0.0)


def test_a_lower_bound_that_falls_or_passes_a_plans_cost_stops_benders() -> None:
    futures = [Future(f"f{i}", 0.5, overrides) for i, overrides in enumerate(FUTURES)]
    with workers_for(three_lines(), "lines", futures, HERE_AND_NOW, EXACT, None) as workers:
        parts = [part for _, part in sorted(workers.map(shared_parts), key=lambda item: item[0])]
    state = progress(Master(parts, np.array([0.5, 0.5]), risk_weight=0.0, alpha=0.9, options=EXACT))
    state.bound(700.0)
    state.bound(700.0 - 1e-5)  # within the master's gap: kept at 700
    assert state.lower == 700.0
    with pytest.raises(BoundError, match=r"fell from 700\.00 to 690\.00"):
        state.bound(690.0)
    state.upper = 750.0
    with pytest.raises(BoundError, match="above the cost of a plan"):
        state.bound(760.0)


def test_benders_that_fails_its_checks_falls_back_to_the_extensive_form(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> Decomposed:
        raise BoundError("the master's lower bound fell from 2.00 to 1.00, though it only gains cuts")

    monkeypatch.setattr("footprint.analysis.benders.decompose", failing)
    futures = [Future(f"f{i}", 0.5, overrides) for i, overrides in enumerate(FUTURES)]
    plan = stochastic_plan(three_lines(), "three lines", futures, options=EXACT, method="benders", workers=0)
    assert (plan.method, plan.objective) == ("extensive", pytest.approx(800.0))
    assert "Benders' bounds failed their check" in plan.notes[0]
    assert plan.plan.summary["notes"] == list(plan.notes)  # kept with the plan, for `show`


def test_benders_stopped_by_its_cap_of_rounds_says_so_and_measures_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("footprint.optimize.benders.MAX_ROUNDS", 2)
    data, futures = stochastic_cflp("cap41", 3, lost_sale_penalty=20.0)  # any sites will do: a plan in round 1
    plan = stochastic_plan(data, "cap41", futures, options=EXACT, method="benders", workers=0)
    assert plan.status == "round_limit"
    assert plan.plan.summary["gap"] > 0
    assert len(plan.iterations) == 2
    assert plan.wait_and_see is None
    assert plan.expected_value is None
    assert plan.evpi is None
    assert "Benders reached its cap of rounds" in (plan.unmeasured or "")
    assert plan.objective == pytest.approx(float(plan.futures["probability"] @ plan.futures["npv"]))


def test_a_future_whose_lp_runs_out_of_time_ends_benders_with_the_best_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"rounds": 0}
    real = Subproblems.cut

    def cut(self: Subproblems, future: int, x: np.ndarray) -> Cut:
        if future == 0:
            calls["rounds"] += 1
        if calls["rounds"] > 3:
            return Cut(future, CutKind.STOPPED, float("nan"), np.zeros(len(x)), message="Time limit reached")
        return real(self, future, x)

    monkeypatch.setattr(Subproblems, "cut", cut)
    data, futures = stochastic_cflp("cap41", 3, lost_sale_penalty=20.0)
    plan = stochastic_plan(data, "cap41", futures, options=EXACT, method="benders", workers=0)
    assert plan.status == "time_limit"
    assert len(plan.iterations) == 4  # the fourth, whose futures ran out of time, with the bounds proven by then
    last = plan.iterations.iloc[-1]
    assert plan.plan.summary["gap"] == pytest.approx((last["upper"] - last["lower"]) / abs(last["upper"]))
    assert "the time limit ran out" in (plan.unmeasured or "")


def test_a_future_that_fails_on_a_dask_worker_is_one_message(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A future with no plan whatever is decided now (200 cars, lines of 100 each and no price for lost sales),
    found on a worker: one message and exit 3, no "Compute Failed" traceback from the worker."""
    write_yaml(tmp_path / "lines.yaml", three_lines())
    write_yaml(tmp_path / "set.yaml", {
        "kind": "scenario-set", "base": "lines.yaml",
        "futures": [{"name": "ok", "probability": 0.5, "set": dict(FUTURES[0])},
                    {"name": "too-many", "probability": 0.5, "set": {"markets[0].demand.car": 400.0}}]})
    result = invoke("stochastic", str(tmp_path / "set.yaml"), "--method", "benders", "--workers", "1", "--no-store")
    assert result.exit_code == 3, result.output
    assert "could not be solved by Benders" in result.output
    assert "future 1" in result.output
    captured = capfd.readouterr()
    for text in ("Compute Failed", "Traceback"):
        assert text not in captured.err + captured.out + result.output


def test_the_gap_is_never_negative_by_rounding() -> None:
    """Bounds that meet but for floating point (the lower 8 above an upper of 33.5bn) give a gap of 0, not
    -2.4e-10; bounds apart give (upper - lower) / |upper|, an upper below 1 counted as 1."""
    assert relative_gap(33.5e9 + 8.0, 33.5e9) == 0.0
    assert relative_gap(90.0, 100.0) == pytest.approx(0.1)
    assert relative_gap(-0.5, 0.25) == pytest.approx(0.75)
    assert relative_gap(0.0, float("inf")) == float("inf")
