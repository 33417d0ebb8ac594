"""Comparing two plans: hand-made plans give exactly their differences; a plan against itself has none; B
against A is the mirror of A against B; the bundled case against its strong-won variant; the command."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

import footprint as fp
from conftest import small_network_data, solved, write_yaml
from footprint.analysis.compare import (
    ASSIGNMENTS,
    BUILDS,
    COSTS,
    CURRENCIES,
    DEMAND,
    FACILITY,
    FLOWS,
    KPIS,
    LOST_SALES,
    PARTS,
    PLANTS,
    CompareError,
    Comparison,
    compare,
)
from footprint.cli import app
from footprint.plan.plan import TABLES, Plan
from footprint.scenario.cases.bundled import case_path
from footprint.views.compare import print_comparison

NA = pd.NA


def hand_plan(summary: dict[str, Any] | None = None, **rows: list[tuple[Any, ...]]) -> Plan:
    """A Plan made of the given rows per table (every other table empty), with a minimal summary."""
    tables = {name: pd.DataFrame(by_sea(rows.get(name, []), columns), columns=list(columns))
              for name, columns in TABLES.items()}
    for name, frame in tables.items():
        for column in ("year", "count"):
            if column in frame:
                tables[name] = frame.astype({column: "int64"})
        for column in ("open", "opened", "closed", "assigned", "launched"):
            if column in frame:
                tables[name] = tables[name].astype({column: bool})
    base = {"scenario": "hand", "status": "optimal", "objective_sense": "minimize_cost", "objective": 0.0,
            "gap": 0.0, "currency": "USD", "horizon": [2020, 2022]}
    return Plan(base | (summary or {}), tables)


def by_sea(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Rows of a table with a mode column, given without it (as the hand-made plans are): each by sea."""
    if "mode" not in columns:
        return rows
    at = columns.index("mode")
    return [(*row[:at], "sea", *row[at:]) if len(row) == len(columns) - 1 else row for row in rows]


def plant_rows(opened: dict[str, int], closed: dict[str, int], plants: tuple[str, ...] = ("p1", "p2", "p3"),
               years: tuple[int, ...] = (2020, 2021, 2022)) -> list[tuple[Any, ...]]:
    return [(p, y, True, opened.get(p) == y, closed.get(p) == y) for p in plants for y in years]


def frame(rows: list[tuple[Any, ...]], schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(schema)).astype(schema)


def hand_pair() -> tuple[Plan, Plan]:
    """Two plans whose differences are listed, exactly, in the test below."""
    a = hand_plan(
        {"objective": 150.0},
        builds=[("line-1", "p1", "main", 2020, 1, 10.0, 5.0), ("line-2", "p2", "main", 2021, 2, 20.0, 10.0),
                ("line-3", "p1", "main", 2020, 1, 10.0, 5.0), ("line-3", "p1", "main", 2022, 1, 10.0, 5.0),
                ("line-4", "p1", "main", 2021, 1, 10.0, 5.0), ("line-6", "p3", "main", 2020, 1, 10.0, 5.0)],
        plants=plant_rows(opened={"p3": 2021}, closed={"p2": 2022}),
        assignments=[("p1", "x", 2020, 100.0, True, False), ("p1", "x", 2021, 100.0, True, False),
                     ("p2", "x", 2020, 0.0, False, False), ("p2", "x", 2021, 20.0, True, False)],
        flows=[("p1", "x", "m", 2020, "own", 100.0), ("p2", "x", "m", 2020, "own", 50.0),
               ("p1", "x", "m", 2021, "own", 100.0), ("p1", "x", "m", 2022, "own", 50.0)],
        demand=[("x", "m", 2020, 150.0, 150.0, 0.0), ("x", "m", 2021, 120.0, 100.0, 20.0),
                ("x", "m", 2022, 50.0, 50.0, 0.0)],
        costs=[(2020, "production", 100.0, 100.0), (2020, "capex", 50.0, 50.0)],
        exposure=[("p1", "m", 2020, "USD", "production", 100.0, 100.0),
                  ("p2", "(none)", 2020, "KRW", "capex", 50.0, 55_000.0)],
        utilization=[("p1", "main", 2020, 200.0, 150.0, 0.75)],
    )
    b = hand_plan(
        {"objective": 129.0},
        builds=[("line-1", "p1", "main", 2022, 1, 10.0, 5.0), ("line-2", "p2", "main", 2021, 1, 10.0, 5.0),
                ("line-3", "p1", "main", 2020, 1, 10.0, 5.0), ("line-3", "p1", "main", 2021, 1, 10.0, 5.0),
                ("line-5", "p2", "main", 2020, 1, 10.0, 5.0), ("line-6", "p3", "main", 2020, 1, 10.0, 5.0),
                ("line-6", "p3", "main", 2022, 1, 10.0, 5.0)],
        plants=plant_rows(opened={"p3": 2020}, closed={"p1": 2022}),
        assignments=[("p1", "x", 2020, 30.0, True, False), ("p1", "x", 2021, 0.0, False, False),
                     ("p2", "x", 2020, 60.0, True, False), ("p2", "x", 2021, 20.0, True, False)],
        flows=[("p1", "x", "m", 2020, "own", 30.0), ("p2", "x", "m", 2020, "own", 60.0),
               ("p3", "x", "m", 2020, "own", 60.0), ("p1", "x", "m", 2021, "alt", 100.0),
               ("p2", "x", "m", 2021, "own", 20.0), ("p1", "x", "m", 2022, "own", 80.0),
               ("p2", "x", "n", 2022, "own", 10.0)],
        demand=[("x", "m", 2020, 150.0, 150.0, 0.0), ("x", "m", 2021, 120.0, 120.0, 0.0),
                ("x", "m", 2022, 80.0, 80.0, 0.0), ("x", "n", 2022, 10.0, 10.0, 0.0)],
        costs=[(2020, "production", 120.0, 120.0), (2020, "freight", 10.0, 9.0)],
        exposure=[("p1", "m", 2020, "USD", "production", 120.0, 120.0),
                  ("p1", "m", 2020, "USD", "freight", 10.0, 10.0)],
        utilization=[("p1", "main", 2020, 200.0, 100.0, 0.5)],
    )
    return a, b


def test_hand_made_plans_list_exactly_their_differences() -> None:
    comparison = compare(*hand_pair())
    pd.testing.assert_frame_equal(comparison.builds, frame([
        ("line-1", "p1", "main", 2020, 2022, 1, 1, "moved"),
        ("line-2", "p2", "main", 2021, 2021, 2, 1, "count"),
        ("line-3", "p1", "main", 2022, 2021, 1, 1, "moved"),  # the 2020 build is in both
        ("line-4", "p1", "main", 2021, NA, 1, 0, "removed"),
        ("line-5", "p2", "main", NA, 2020, 0, 1, "added"),
        ("line-6", "p3", "main", NA, 2022, 0, 1, "added"),  # a second build
    ], BUILDS))
    pd.testing.assert_frame_equal(comparison.plants, frame([
        ("p1", "closes", NA, 2022, "added"),
        ("p2", "closes", 2022, NA, "removed"),
        ("p3", "opens", 2021, 2020, "moved"),
    ], PLANTS))
    pd.testing.assert_frame_equal(comparison.assignments, frame([
        ("p1", "x", 2021, "removed"),
        ("p2", "x", 2020, "added"),
    ], ASSIGNMENTS))
    pd.testing.assert_frame_equal(comparison.flows, frame([
        ("x", "m", 2020, "p1", "own", "p2", "own", 10.0),  # p1 loses 70: 60 to p3 (the larger gain) first
        ("x", "m", 2020, "p1", "own", "p3", "own", 60.0),
        ("x", "m", 2021, LOST_SALES, None, "p2", "own", 20.0),  # sales lost in A, won in B
        ("x", "m", 2021, "p1", "own", "p1", "alt", 100.0),  # a change of sourcing
        ("x", "m", 2022, DEMAND, None, "p1", "own", 30.0),  # demand B has and A has not
        ("x", "n", 2022, DEMAND, None, "p2", "own", 10.0),  # a market A has not
    ], FLOWS))
    pd.testing.assert_frame_equal(comparison.costs, frame([
        ("capex", 50.0, 0.0, -50.0, 50.0, 0.0, -50.0),
        ("freight", 0.0, 10.0, 10.0, 0.0, 9.0, 9.0),
        ("production", 100.0, 120.0, 20.0, 100.0, 120.0, 20.0),
    ], COSTS))
    pd.testing.assert_frame_equal(comparison.currencies, frame([
        ("KRW", 50.0, 0.0, -50.0, 55_000.0, 0.0, -55_000.0),
        ("USD", 100.0, 130.0, 30.0, 100.0, 130.0, 30.0),
    ], CURRENCIES))
    kpis = comparison.kpis.set_index("kpi")
    assert list(kpis.index) == list(KPIS)
    assert kpis.loc["objective"].tolist() == ["USD", 150.0, 129.0, -21.0]
    assert kpis.loc["builds", ["a", "b"]].tolist() == [7.0, 7.0]  # line-2 twice in A, line-6 twice in B
    assert kpis.loc["capex", ["a", "b"]].tolist() == [35.0, 35.0]
    assert kpis.loc["added_capacity", "difference"] == 0.0
    assert kpis.loc["lost", ["a", "b", "difference"]].tolist() == [20.0, 0.0, -20.0]
    assert kpis.loc["served", ["a", "b"]].tolist() == [300.0, 360.0]
    assert kpis.loc["utilization", ["a", "b"]].tolist() == [0.75, 0.5]
    assert kpis.loc["plants_open", ["a", "b"]].tolist() == [3.0, 3.0]
    assert comparison.notes == ("markets only B has: n",)
    assert comparison.currency == "USD"
    assert not comparison.empty


def rows(table: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    """A table's rows as a multiset, NA as None and numbers rounded (to compare tables in any order)."""
    def cell(value: Any) -> Any:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        return round(float(value), 6) if isinstance(value, float | np.floating) else value
    return Counter(tuple(cell(v) for v in row) for row in table.itertuples(index=False))


_SWAP = {"added": "removed", "removed": "added"}


def mirrored(comparison: Comparison) -> dict[str, Counter[tuple[Any, ...]]]:
    """What compare(b, a) must hold, from compare(a, b): sides swapped, added and removed swapped, moves
    reversed, differences negated."""
    def swapped(table: pd.DataFrame, pairs: list[tuple[str, str]], negate: tuple[str, ...] = ()) -> pd.DataFrame:
        table = table.copy()
        for left, right in pairs:
            table[[left, right]] = table[[right, left]].to_numpy()
        if "change" in table:
            table["change"] = table["change"].map(lambda change: _SWAP.get(change, change))
        for column in negate:
            table[column] = -table[column]
        return table

    return {
        "builds": rows(swapped(comparison.builds, [("year_a", "year_b"), ("count_a", "count_b")])),
        "plants": rows(swapped(comparison.plants, [("year_a", "year_b")])),
        "assignments": rows(swapped(comparison.assignments, [])),
        "flows": rows(swapped(comparison.flows, [("from_plant", "to_plant"), ("from_sourcing", "to_sourcing")])),
        "parts": rows(swapped(comparison.parts, [("from_source", "to_source"), ("from_kind", "to_kind")])),
        "costs": rows(swapped(comparison.costs, [("amount_a", "amount_b"), ("discounted_a", "discounted_b")],
                              ("amount_difference", "discounted_difference"))),
        "currencies": rows(swapped(comparison.currencies, [("amount_a", "amount_b"),
                                                           ("amount_in_currency_a", "amount_in_currency_b")],
                                   ("amount_difference", "amount_in_currency_difference"))),
        "kpis": rows(swapped(comparison.kpis, [("a", "b")], ("difference",))),
    }


def assert_mirrored(forward: Comparison, backward: Comparison) -> None:
    expected = mirrored(forward)
    for name, table in expected.items():
        assert rows(getattr(backward, name)) == table, name


def test_b_against_a_is_the_mirror_of_a_against_b() -> None:
    a, b = hand_pair()
    assert_mirrored(compare(a, b), compare(b, a))
    assert compare(b, a).notes == ("markets only A has: n",)


def test_a_plan_against_itself_has_no_differences() -> None:
    a, b = hand_pair()
    for plan in (a, b):
        same = compare(plan, plan)
        assert same.empty
        assert all(getattr(same, name).empty for name in ("builds", "plants", "assignments", "flows"))
        assert (same.costs["discounted_difference"] == 0).all()
        assert same.notes == ()


# Small generated plans: any builds, plant events, assignments, flows, lost sales, costs and exposure.

PLANT_IDS, PRODUCTS, MARKETS, YEARS = ("p1", "p2", "p3"), ("x", "y"), ("m", "n"), (2020, 2021, 2022)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    flows = draw(st.dictionaries(st.tuples(st.sampled_from(PLANT_IDS), st.sampled_from(PRODUCTS),
                                           st.sampled_from(MARKETS), st.sampled_from(YEARS),
                                           st.sampled_from(("own", "alt"))),
                                 st.integers(1, 100).map(float), max_size=10))
    lost = draw(st.dictionaries(st.tuples(st.sampled_from(PRODUCTS), st.sampled_from(MARKETS),
                                          st.sampled_from(YEARS)), st.integers(1, 50).map(float), max_size=4))
    served: dict[tuple[str, str, int], float] = {}
    for (_, product, market, year, _), units in flows.items():
        served[(product, market, year)] = served.get((product, market, year), 0.0) + units
    cells = sorted(served.keys() | lost.keys())
    builds = draw(st.dictionaries(st.tuples(st.sampled_from(("o1", "o2")), st.sampled_from(YEARS)),
                                  st.integers(1, 3), max_size=4))
    opened = draw(st.dictionaries(st.sampled_from(PLANT_IDS), st.sampled_from(YEARS), max_size=2))
    closed = draw(st.dictionaries(st.sampled_from(PLANT_IDS), st.sampled_from(YEARS), max_size=2))
    assigned = draw(st.sets(st.tuples(st.sampled_from(PLANT_IDS), st.sampled_from(PRODUCTS),
                                      st.sampled_from(YEARS)), max_size=6))
    costs = draw(st.dictionaries(st.sampled_from(("capex", "duty", "freight")), st.integers(-100, 1000), max_size=3))
    exposure = draw(st.dictionaries(st.sampled_from(("USD", "KRW")), st.integers(1, 1000), max_size=2))
    return hand_plan(
        {"objective": float(sum(costs.values()))},
        flows=[(*key[:4], key[4], units) for key, units in sorted(flows.items())],
        demand=[(*cell, served.get(cell, 0.0) + lost.get(cell, 0.0), served.get(cell, 0.0), lost.get(cell, 0.0))
                for cell in cells],
        builds=[(option, "p1", "main", year, count, 10.0 * count, 5.0 * count)
                for (option, year), count in sorted(builds.items())],
        plants=plant_rows(opened, closed),
        assignments=[(*cell, 1.0, True, False) for cell in sorted(assigned)],
        costs=[(2020, component, float(amount), float(amount) * 0.9) for component, amount in costs.items()],
        exposure=[("p1", "m", 2020, currency, "duty", float(amount), float(amount) * 2) for currency, amount
                  in exposure.items()],
    )


def supply_by_source(plan: Plan) -> dict[tuple[Any, ...], float]:
    """Units per (product, market, year, plant, sourcing), lost sales as a source; and total per cell."""
    supply: dict[tuple[Any, ...], float] = {}
    for row in plan.flows.itertuples():
        key = (row.product, row.market, row.year, row.plant, row.sourcing)
        supply[key] = supply.get(key, 0.0) + row.units
    for row in plan.demand.itertuples():
        if row.lost:
            supply[(row.product, row.market, row.year, LOST_SALES, None)] = row.lost
    return supply


@settings(max_examples=30)  # each example compares three times; 30 take about 8 s
@given(plans(), plans())
def test_generated_plans_compare_exactly_and_mirror(a: Plan, b: Plan) -> None:
    assert compare(a, a).empty
    forward, backward = compare(a, b), compare(b, a)
    assert_mirrored(forward, backward)
    # The moves carry A's supply, source by source, to B's; DEMAND takes what the totals differ by.
    change = {key: -units for key, units in supply_by_source(a).items()}
    for key, units in supply_by_source(b).items():
        change[key] = change.get(key, 0.0) + units
    for row in forward.flows.itertuples():
        assert row.units > 0
        cell = (row.product, row.market, row.year)
        source = (*cell, row.from_plant, None if pd.isna(row.from_sourcing) else row.from_sourcing)
        sink = (*cell, row.to_plant, None if pd.isna(row.to_sourcing) else row.to_sourcing)
        change[source] = change.get(source, 0.0) + row.units
        change[sink] = change.get(sink, 0.0) - row.units
    total: dict[tuple[Any, ...], float] = {}
    for plan, sign in ((a, -1.0), (b, 1.0)):
        for key, units in supply_by_source(plan).items():
            total[key[:3]] = total.get(key[:3], 0.0) + sign * units
    for key, units in change.items():
        assert math.isclose(units, total[key[:3]] if key[3] == DEMAND else 0.0, abs_tol=1e-6), key
    for cell, units in total.items():
        assert math.isclose(units, change.get((*cell, DEMAND, None), 0.0), abs_tol=1e-6), cell
    # Applying the build and assignment differences to A gives B.
    counts = {(r.option, r.year): r.count for r in a.builds.itertuples()}
    for row in forward.builds.itertuples():
        if not pd.isna(row.year_a):
            assert counts.pop((row.option, row.year_a)) == row.count_a
        if not pd.isna(row.year_b):
            assert (row.option, row.year_b) not in counts
            counts[(row.option, row.year_b)] = row.count_b
    assert counts == {(r.option, r.year): r.count for r in b.builds.itertuples()}
    cells = {(r.plant, r.product, r.year) for r in a.assignments.itertuples() if r.assigned}
    cells -= {(r.plant, r.product, r.year) for r in forward.assignments.itertuples() if r.change == "removed"}
    cells |= {(r.plant, r.product, r.year) for r in forward.assignments.itertuples() if r.change == "added"}
    assert cells == {(r.plant, r.product, r.year) for r in b.assignments.itertuples() if r.assigned}


def test_different_reporting_currencies_compare_the_decisions_only() -> None:
    a, b = hand_pair()
    euro = Plan(b.summary | {"currency": "EUR"}, b.tables)
    comparison = compare(a, euro)
    assert comparison.currency is None
    assert comparison.costs.empty
    assert comparison.currencies.empty
    assert not {"objective", "capex"} & set(comparison.kpis["kpi"])
    assert (len(comparison.builds), len(comparison.flows)) == (6, 6)
    assert comparison.notes[0] == ("A reports in USD and B in EUR: their amounts are not compared (costs, "
                                   "currencies, objective, capex), only their decisions and flows")


def test_cost_against_profit_does_not_subtract_the_objectives() -> None:
    a, b = hand_pair()
    profit = Plan(b.summary | {"objective_sense": "maximize_profit"}, b.tables)
    comparison = compare(a, profit)
    objective = comparison.kpis.set_index("kpi").loc["objective"]
    assert math.isnan(objective["difference"])
    assert "A is to minimize cost and B to maximize profit: their objectives are not subtracted" in comparison.notes
    assert compare(profit, profit).empty


def test_plans_of_different_horizons_and_products_compare() -> None:
    short = hand_plan({"horizon": [2020, 2020]}, flows=[("p1", "x", "m", 2020, "own", 10.0)],
                      demand=[("x", "m", 2020, 10.0, 10.0, 0.0)], plants=plant_rows({}, {}, years=(2020,)))
    long = hand_plan({"horizon": [2020, 2021]},
                     flows=[("p1", "x", "m", 2020, "own", 10.0), ("p1", "y", "m", 2021, "own", 5.0)],
                     demand=[("x", "m", 2020, 10.0, 10.0, 0.0), ("y", "m", 2021, 5.0, 5.0, 0.0)],
                     plants=plant_rows({}, {}, years=(2020, 2021)))
    comparison = compare(short, long)
    pd.testing.assert_frame_equal(comparison.flows, frame([("y", "m", 2021, DEMAND, None, "p1", "own", 5.0)], FLOWS))
    assert comparison.notes == ("horizons differ (A 2020-2020, B 2020-2021): what a year only one has holds "
                                "counts as a difference", "products only B has: y")
    assert comparison.builds.empty
    assert comparison.assignments.empty


def test_a_time_limited_plan_is_noted() -> None:
    a, b = hand_pair()
    stopped = Plan(b.summary | {"status": "time_limit", "gap": 0.02}, b.tables)
    assert ("B is not proven optimal (time_limit, gap 2.00%): some differences may be the solver's, not the "
            "scenarios'") in compare(a, stopped).notes


def test_names_must_be_two_different_names_and_summaries_complete() -> None:
    a, b = hand_pair()
    with pytest.raises(CompareError, match="two different names"):
        compare(a, b, names=("A", "A"))
    with pytest.raises(CompareError, match="plan B: its summary has no objective_sense, currency"):
        compare(a, Plan({k: v for k, v in b.summary.items() if k not in ("currency", "objective_sense")}, b.tables))
    assert compare(a, b, names=("base", "variant")).notes == ("markets only variant has: n",)


# The bundled case against its strong-won variant.

@pytest.fixture(scope="module")
def rogue_pair() -> tuple[Plan, Plan]:
    return (fp.solve(fp.load(case_path("rogue-2012"))),  # type: ignore[arg-type]
            fp.solve(fp.load(case_path("rogue-2012/strong-won"))))  # type: ignore[arg-type]


def test_the_strong_won_moves_the_busan_line_and_supply_back_to_kyushu(rogue_pair: tuple[Plan, Plan]) -> None:
    base, strong = rogue_pair
    comparison = compare(base, strong)
    # The plans' own builds: the Busan line in 2014, and with a strong won only in 2017.
    assert base.builds[["option", "year"]].values.tolist() == [["busan-rogue-line", 2014]]
    assert strong.builds[["option", "year"]].values.tolist() == [["busan-rogue-line", 2017]]
    pd.testing.assert_frame_equal(comparison.builds, frame(
        [("busan-rogue-line", "busan", "rogue-line", 2014, 2017, 1, 1, "moved")], BUILDS))
    assert set(comparison.assignments.itertuples(index=False, name=None)) == {
        ("busan", "rogue", year, "removed") for year in (2014, 2015, 2016)}
    # Each plant's net change of units per product, market and year, from the flows tables alone.
    def units(plan: Plan) -> pd.Series:
        flows = plan.flows.astype({"plant": str, "product": str, "market": str})
        return flows.groupby(["product", "market", "year", "plant"])["units"].sum()
    expected = units(strong).sub(units(base), fill_value=0.0)
    expected = expected[expected.abs() > 1e-6].sort_index()
    moves = comparison.flows
    found = pd.concat([
        moves.groupby(["product", "market", "year", "to_plant"])["units"].sum().rename_axis(expected.index.names),
        -moves.groupby(["product", "market", "year", "from_plant"])["units"].sum().rename_axis(expected.index.names),
    ]).groupby(level=[0, 1, 2, 3]).sum()
    found = found[found.abs() > 1e-6].sort_index()
    pd.testing.assert_series_equal(found, expected, check_names=False, check_index_type=False)
    assert (set(moves["from_plant"]), set(moves["to_plant"])) == ({"busan", "smyrna"}, {"kyushu"})
    # 2014 in the US: Busan's 80,000 and Smyrna's 79,900 go back to Kyushu.
    us_2014 = moves[(moves["market"] == "us") & (moves["year"] == 2014)]
    assert us_2014[["from_plant", "to_plant", "units"]].values.tolist() == [
        ["busan", "kyushu", pytest.approx(80_000.0)], ["smyrna", "kyushu", pytest.approx(79_900.0)]]
    objective = comparison.kpis.set_index("kpi").loc["objective"]
    assert objective["difference"] == pytest.approx(strong.objective - base.objective)
    assert comparison.costs["discounted_difference"].sum() == pytest.approx(strong.objective - base.objective)
    assert compare(base, base).empty
    assert_mirrored(comparison, compare(strong, base))


def test_the_view_shows_each_section_with_a_difference(rogue_pair: tuple[Plan, Plan]) -> None:
    base, strong = rogue_pair
    console = Console(width=200, record=True)
    print_comparison(compare(base, strong), console)
    text = " ".join(console.export_text().split())
    assert "B (rogue-2012-strong-won) against A (rogue-2012)" in text
    assert "│ NPV cost │ 32.33bn USD │ 27.02bn USD │ -5.30bn USD │" in text
    assert "│ busan-rogue-line │ busan │ rogue-line │ 2014 │ 2017 │ moved │" in text
    assert "│ busan │ rogue │ only in A │ 2014-2016 │" in text
    assert "│ rogue │ us │ busan │ kyushu │ 2014-2019 │ 31,400-80,000 │ 370,100 │" in text
    assert "│ total │ 32.33bn USD │ 27.02bn USD │ -5.30bn USD │" in text
    # at the strong won neither candidate supplier is qualified: Decherd's engines and Busan's engine line
    assert "│ nissan-decherd │ opens │ 2013 │ - │ only in A │" in text
    assert "│ rsm-engines │ opens │ 2014 │ - │ only in A │" in text


def test_the_guide_shows_what_compare_prints(rogue_pair: tuple[Plan, Plan]) -> None:
    base, strong = rogue_pair
    console = Console(width=160, record=True)  # the width of piped output
    print_comparison(compare(base, strong), console)
    printed = "\n".join(line.rstrip() for line in console.export_text().splitlines())
    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "compare.md").read_text(encoding="utf-8")
    assert f"$ footprint compare out/base out/strong-won\nA = out/base, B = out/strong-won\n{printed}\n```" in guide


def powertrain_variant(**changes: float) -> Plan:
    """The worked multi-tier example solved with its facility's fixed cost or Ulsan's engine cost changed."""
    raw = fp.load("docs/examples/powertrain.yaml").model_dump()
    if "facility_fixed_cost" in changes:
        raw["facilities"][0]["fixed_cost"] = changes["facility_fixed_cost"]
    for capability in raw["capabilities"]:
        if capability["plant"] == "ulsan" and "ulsan_engine_cost" in changes:
            capability["local_cost"] = changes["ulsan_engine_cost"]
    return fp.solve(fp.Scenario.model_validate(raw))


def test_multi_tier_plans_compare_their_sites_and_deliveries() -> None:
    """Without its distribution centre (a fixed cost too high to pay), the US is served direct from Smyrna:
    what it received through the centre moves to Smyrna (not demand only one plan has), and the centre's
    opening is a site decision that differs."""
    a, b = powertrain_variant(), powertrain_variant(facility_fixed_cost=1e12)
    comparison = compare(a, b)
    pd.testing.assert_frame_equal(comparison.plants, frame([("nashville-dc", "opens", 2026, NA, "removed")], PLANTS))
    delivered = a.tables["deliveries"].groupby("year")["units"].sum()
    assert delivered.min() > 0
    pd.testing.assert_frame_equal(comparison.flows, frame(
        [("suv", "us", year, "nashville-dc", FACILITY, "smyrna", "own", float(units))
         for year, units in delivered.items()], FLOWS))
    assert comparison.parts.empty
    assert_mirrored(comparison, compare(b, a))
    assert "nashville-dc (facility)" in _printed(comparison)


def test_multi_tier_plans_compare_where_the_parts_come_from() -> None:
    """Ulsan's engines at 2,600 instead of 1,500 (plus its block at 380) lose Smyrna to Aichi's at 2,600: Smyrna's
    engines move from the Ulsan plant to the Aichi supplier, and what Smyrna uses beyond A's is demand only B has."""
    a, b = powertrain_variant(), powertrain_variant(ulsan_engine_cost=2600)
    comparison = compare(a, b)
    made = a.tables["transfers"].query("component == 'engine' and destination == 'smyrna'")
    bought = b.tables["supplies"].query("component == 'engine' and plant == 'smyrna'")
    assert set(made["origin"]) == {"ulsan"}
    assert set(bought["supplier"]) == {"aichi-engines"}
    assert b.tables["transfers"].query("destination == 'smyrna'").empty
    expected = []
    for (year, before), after in zip(made.groupby("year")["units"].sum().items(), bought["units"], strict=True):
        expected.append(("engine", "smyrna", year, "ulsan", "plant", "aichi-engines", "supplier", float(before)))
        if after > before:
            expected.append(("engine", "smyrna", year, DEMAND, None, "aichi-engines", "supplier", after - before))
    smyrna = comparison.parts.query("component == 'engine' and plant == 'smyrna'").reset_index(drop=True)
    pd.testing.assert_frame_equal(smyrna, frame(expected, PARTS).sort_values(list(PARTS)[:-1], ignore_index=True))
    assert_mirrored(comparison, compare(b, a))
    text = _printed(comparison)
    assert "Parts' supply moved" in text
    assert "aichi-engines (supplier)" in text


def _printed(comparison: Comparison) -> str:
    console = Console(record=True, width=200)
    print_comparison(comparison, console)
    return console.export_text()


def test_the_view_joins_a_move_repeated_over_years() -> None:
    flows = {year: [("kyushu", "rogue", "us", year, "own", 80_000.0)] for year in (2014, 2015, 2016)}
    a = hand_plan(flows=[row for rows in flows.values() for row in rows])
    b = hand_plan(flows=[("busan", *row[1:]) for rows in flows.values() for row in rows])
    console = Console(width=200, record=True)
    print_comparison(compare(a, b), console)
    text = " ".join(console.export_text().split())
    assert "│ rogue │ us │ kyushu │ busan │ 2014-2016 │ 80,000 │ 240,000 │" in text
    console = Console(width=200, record=True)
    print_comparison(compare(a, a), console)
    assert "No differences: the two plans decide, supply and cost the same." in console.export_text()


# The command and the API.

def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, " ".join(result.output.split())


def test_compare_two_results_folders(tmp_path) -> None:
    data = small_network_data()
    base = write_yaml(tmp_path / "base.yaml", data)
    data["options"][0]["capex"] = 1e9  # the Busan line no longer pays, and Detroit has room for all
    data["plants"][0]["pools"][0]["capacity"] = 1000.0
    dear = write_yaml(tmp_path / "dear.yaml", data)
    for scenario, folder in ((base, "base"), (dear, "dear")):
        assert invoke("run", str(scenario), "--out", str(tmp_path / folder))[0] == 0
    code, output = invoke("compare", str(tmp_path / "base"), str(tmp_path / "dear"))
    assert code == 0, output
    assert f"A = {tmp_path / 'base'}, B = {tmp_path / 'dear'}" in output
    assert "│ busan-line │ busan │ main │ 2020 │ - │ only in A │" in output
    assert "│ car │ us │ busan │ detroit │ 2020-2021 │ 120 │ 240 │" in output
    expected = compare(solved(small_network_data()), solved(data))
    assert fp.compare(tmp_path / "base", str(tmp_path / "dear")).builds.equals(expected.builds)
    code, output = invoke("compare", str(tmp_path / "base"), str(tmp_path / "base"))
    assert code == 0
    assert "No differences" in output


def test_compare_refuses_what_is_not_a_results_folder(tmp_path) -> None:
    code, output = invoke("compare", str(tmp_path / "nowhere"), str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'nowhere'}: not a results folder, nor a stored run" in output
    code, output = invoke("compare", str(tmp_path), str(tmp_path))
    assert code == 1
    assert "not a results folder (no summary.json)" in output
