"""Decision levels: strategic (builds, plants), assignments (what each plant makes), flows (which plant supplies
which market). An assignment that makes nothing is a tie at every level; two plans that differ only by a tie
compare the same; breakeven on a growth rate finds the line it pays to build, not a tie; a sweep of two identical
plants supplies each market from one of them in every future, and its summary counts decisions at a level."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from rich.console import Console

import footprint as fp
from conftest import capability, invoke, market, plant, scenario_data, solved, write_yaml
from footprint.analysis.breakeven import find_breakeven
from footprint.analysis.compare import compare
from footprint.plan.decisions import Decisions, Level
from footprint.plan.plan import TABLES, Plan
from footprint.plan.store import RunStore
from footprint.views.console import print_breakeven
from test_ties import FUTURES, twins

REPRO = Path(__file__).resolve().parent / "repro"


TYPES = {"year": "int64", "count": "int64", "open": bool, "opened": bool, "closed": bool, "assigned": bool,
         "launched": bool, "units": float}


def hand_plan(**rows: list[tuple[Any, ...]]) -> Plan:
    """A Plan of the given rows per table (every other table empty)."""
    frames = {name: pd.DataFrame(rows.get(name, []), columns=list(columns)) for name, columns in TABLES.items()}
    tables = {name: frame.astype({column: kind for column, kind in TYPES.items() if column in frame})
              for name, frame in frames.items()}
    summary = {"scenario": "hand", "status": "optimal", "objective_sense": "minimize_cost", "objective": 0.0,
               "gap": 0.0, "currency": "USD", "horizon": [2020, 2021]}
    return Plan(summary, tables)


def network_plan(idle: bool = False) -> Plan:
    """A line built in 2020 at b, b opened in 2021, cars made at a in both years and shipped to us; ``idle``: the
    car also assigned at b in 2021 with nothing made there (no launch paid): a tie."""
    assignments = [("a", "car", 2020, 10.0, True, False), ("a", "car", 2021, 12.0, True, False)]
    if idle:
        assignments.append(("b", "car", 2021, 0.0, True, False))
    return hand_plan(
        builds=[("b-line", "b", "main", 2020, 1, 100.0, 5.0)],
        plants=[("b", 2020, False, False, False), ("b", 2021, True, True, False)],
        assignments=assignments,
        flows=[("a", "car", "us", 2020, "own", 10.0), ("a", "car", "us", 2021, "own", 12.0)])


def test_each_level_holds_the_ones_before() -> None:
    plan = network_plan()
    builds, plants = frozenset({("b-line", 2020, 1)}), frozenset({("b", "opens", 2021)})
    made = frozenset({("a", "car", 2020), ("a", "car", 2021)})
    lanes = frozenset({("a", "own", "car", "us", 2020), ("a", "own", "car", "us", 2021)})
    assert Decisions.of(plan, Level.STRATEGIC) == Decisions(builds, plants=plants, level=Level.STRATEGIC)
    assert Decisions.of(plan, Level.ASSIGNMENTS) == Decisions(builds, made, plants)
    flows = Decisions.of(plan, Level.FLOWS)
    assert flows == Decisions(builds, made, plants, lanes, Level.FLOWS)
    assert flows.at(Level.STRATEGIC) == Decisions.of(plan, Level.STRATEGIC)
    assert flows.at(Level.ASSIGNMENTS) == Decisions.of(plan, Level.ASSIGNMENTS)
    with pytest.raises(ValueError, match="decisions at the strategic level hold nothing at the flows level"):
        Decisions.of(plan, Level.STRATEGIC).at(Level.FLOWS)
    assert [Level.STRATEGIC.holds(level) for level in Level] == [True, False, False]
    assert [Level.FLOWS.holds(level) for level in Level] == [True, True, True]


def test_an_assignment_that_makes_nothing_is_no_decision_at_any_level() -> None:
    kept, idle = network_plan(), network_plan(idle=True)
    for level in Level:
        assert Decisions.of(idle, level) == Decisions.of(kept, level), level
        comparison = compare(kept, idle, level=level)
        assert comparison.assignments.empty, level
        assert comparison.empty, level


def test_compare_shows_the_levels_asked_for_strategic_first() -> None:
    a = network_plan()
    b = hand_plan(assignments=[("c", "car", 2020, 10.0, True, False), ("c", "car", 2021, 12.0, True, False)],
                  flows=[("c", "car", "us", 2020, "own", 10.0), ("c", "car", "us", 2021, "own", 12.0)])
    every = compare(a, b)
    assert every.level == Level.FLOWS
    assert not any(table.empty for table in (every.builds, every.plants, every.assignments, every.flows))
    strategic = compare(a, b, level="strategic")
    assert strategic.level == Level.STRATEGIC
    assert strategic.assignments.empty
    assert strategic.flows.empty
    assert strategic.builds.equals(every.builds)
    assert strategic.plants.equals(every.plants)
    assert compare(a, b, level=Level.ASSIGNMENTS).flows.empty
    code, text = invoke_compare(a, b, "--level", "strategic")
    assert code == 0, text
    assert text.index("── Strategic decisions") < text.index(
        "── Assignments: the products each plant makes, the source of each single-sourced demand: not compared "
        "(--level strategic)")
    assert ("Flows: which plant or facility supplies each market, and each plant's parts: not compared "
            "(--level strategic)") in text


def invoke_compare(a: Plan, b: Plan, *options: str) -> tuple[int, str]:
    """The exit code and the printed text (spaces joined) of `footprint compare` on the two plans, written out."""
    with tempfile.TemporaryDirectory() as folder:
        a.write(Path(folder) / "a")
        b.write(Path(folder) / "b")
        result = invoke("compare", str(Path(folder) / "a"), str(Path(folder) / "b"), *options)
    return result.exit_code, " ".join(result.output.split())


def listed(order: tuple[str, ...]) -> dict[str, Any]:
    """The twins' network with its plants (and capabilities) listed in ``order``."""
    data = twins()
    rank = {name: order.index(name) for name in order}
    data["plants"].sort(key=lambda entry: rank[entry["id"]])
    data["capabilities"].sort(key=lambda entry: rank[entry["plant"]])
    return data


def test_two_plans_that_differ_only_by_a_tie_compare_the_same() -> None:
    # The same network with its plants listed in another order: the solver's own choice between the twins
    # followed the order (east first, east serves; west first, west does); the tie-break does not.
    first, second = solved(listed(("east", "west", "near"))), solved(listed(("west", "east", "near")))
    comparison = compare(first, second)
    assert comparison.empty, comparison.flows
    code, text = invoke_compare(first, second)
    assert code == 0, text
    assert "No differences: the two plans decide, supply and cost the same." in text


def growing() -> dict[str, Any]:
    """100 cars a year from 2020 to 2024, growing by ``growth``, no discount: from either of two identical plants
    at 100 a car (a tie), or from a line at near (5,500 once, 90 a car) that pays when 10 x the cars over the
    five years exceed 5,500: 1,000 x S(g) > 5,500 with S(g) = 1 + (1+g) + ... + (1+g)^4."""
    return scenario_data(
        start=2020, end=2024, discount_rate=0.0,
        plants=[plant("east", 1000.0), plant("west", 1000.0), plant("near", 0.0)],
        capabilities=[capability("east", local_cost=100.0), capability("west", local_cost=100.0),
                      capability("near", local_cost=90.0)],
        options=[{"id": "near-line", "plant": "near", "pool": "main", "capacity": 1000.0, "capex": 5500.0}],
        markets=[market("us", {"from": 100.0, "growth": 0.0})],
        solver={"mip_gap": 0.0})


def test_breakeven_on_a_growth_rate_finds_the_line_that_pays_not_a_tie() -> None:
    roots = np.roots([1.0, 1.0, 1.0, 1.0, 1.0 - 5.5])  # S(g) = 5.5 in x = 1 + g
    threshold = float(next(root.real for root in roots if abs(root.imag) < 1e-12 and root.real > 0)) - 1.0
    assert threshold == pytest.approx(0.04767, abs=1e-5)
    result = find_breakeven(growing(), "markets[us].demand.car.growth", 0.0, 0.1, tolerance=1e-3)
    assert result.level == Level.STRATEGIC
    assert result.bracket is not None
    before, after = result.bracket
    assert before.value <= threshold <= after.value
    assert before.decisions == Decisions(frozenset(), level=Level.STRATEGIC)
    assert after.decisions == Decisions(frozenset({("near-line", 2020, 1)}), level=Level.STRATEGIC)
    total = sum(100.0 * (1 + before.value) ** t for t in range(5))
    assert before.objective == pytest.approx(100.0 * total, rel=1e-9)
    assert after.objective == pytest.approx(5500.0 + 90.0 * sum(100.0 * (1 + after.value) ** t for t in range(5)),
                                            rel=1e-9)
    # At the assignments level the same change: the twins' tie never shows as one.
    made = find_breakeven(growing(), "markets[us].demand.car.growth", 0.0, 0.1, tolerance=1e-3, level="assignments")
    assert made.bracket is not None
    assert [trial.value for trial in made.bracket] == [trial.value for trial in result.bracket]
    assert {plant for plant, _, _ in made.bracket[1].decisions.assignments} == {"near"}


def test_breakeven_at_the_flows_level_shows_the_supply_that_moves() -> None:
    result = find_breakeven(growing(), "markets[us].demand.car.growth", 0.0, 0.1, tolerance=1e-2, level="flows")
    console = Console(width=200, record=True)
    print_breakeven(result, console)
    text = " ".join(console.export_text().split())
    assert "the decisions (flows level) change between a = 0.044 and b = 0.050" in text
    assert "│ capacity built │ - │ near-line 2020 │" in text
    assert "│ supply (plant→market) │ car east→us 2020-2024 │ car near→us 2020-2024 │" in text  # east: the tie-break's


def test_breakeven_on_voltaros_us_growth_finds_no_strategic_change() -> None:
    """The issue's case: between 2% and 8% a year the US heat pumps change no build, opening or closing (it
    reported "assigned charlotte heat-pump 2035" as the decision that changes, a few hundred units at the edge)."""
    data = yaml.safe_load((REPRO / "voltaro.yaml").read_text(encoding="utf-8"))
    result = fp.breakeven(data, "markets[us].demand.heat-pump.growth", 0.02, 0.08)
    assert result.bracket is None
    assert len(result.trials) == 2
    assert result.low.decisions.builds  # there are strategic decisions to change: builds, openings, a closing
    assert result.low.decisions.plants
    assert not result.low.decisions.assignments


def test_a_sweep_of_identical_plants_supplies_each_market_from_one_of_them(tmp_path: Path) -> None:
    write_yaml(tmp_path / "twins.yaml", twins())
    futures = [{"name": f"f{i}", "probability": 1 / len(FUTURES),
                "set": {f"markets[{j}].demand.car.from": float(units) for j, units in enumerate(demand)}}
               for i, demand in enumerate(FUTURES)]
    scenario_set = write_yaml(tmp_path / "set.yaml", {"kind": "scenario-set", "base": "twins.yaml",
                                                      "futures": futures})
    store_path = tmp_path / "runs.sqlite"
    with RunStore(store_path) as store:
        outcome = fp.sweep(scenario_set, workers=1, store=store)
        assert outcome.solved == len(FUTURES)
        by_lane = store.futures(outcome.sweep, Level.FLOWS)
        strategic = store.futures(outcome.sweep, Level.STRATEGIC)
    serving: dict[str, set[str]] = {}
    for decisions in by_lane["decisions"]:
        assert decisions.level == Level.FLOWS
        for source, _, _, to, _ in decisions.flows:
            if source != "near":
                serving.setdefault(to, set()).add(source)
    assert serving
    assert all(len(twins) == 1 for twins in serving.values()), serving
    assert all(not decisions.flows and not decisions.assignments for decisions in strategic["decisions"])
    summary = fp.sweep_summary(by_lane, level="flows")
    twin_lanes = summary.flows[summary.flows["plant"] != "near"]
    assert twin_lanes.groupby("market")["plant"].nunique().max() == 1  # futures differ in volume, not in twin
    with pytest.raises(ValueError, match="decisions at the assignments level hold nothing at the flows level"):
        fp.sweep_summary(outcome.futures, level="flows")  # the sweep's own futures: without their flows
    shown = invoke("sweep-summary", str(outcome.sweep), "--level", "flows", "--store", str(store_path))
    assert shown.exit_code == 0, shown.output
    assert "(flows level; share of the futures with a plan)" in " ".join(shown.output.split())
