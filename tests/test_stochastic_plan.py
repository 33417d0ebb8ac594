"""A stochastic plan as one stacked Plan: its tables by future, the revisions, the run store, show, export and
compare (issue 10, point 5), on instances worked out by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import footprint as fp
from conftest import capability, invoke, market, plant, scenario_data, solved, write_yaml
from footprint.analysis.compare import compare
from footprint.analysis.expected import decided_by_future, expected_plan
from footprint.analysis.stochastic import StochasticPlan, stochastic_plan
from footprint.plan.decisions import Decisions
from footprint.plan.plan import FUTURE, LATER_TABLES, STOCHASTIC_TABLES, TABLES, Plan, stack_plans, table_columns
from footprint.plan.results import MANIFEST
from footprint.plan.store import RunStore
from footprint.scenario.sets.parameters import apply_overrides
from footprint.scenario.sets.scenario_sets import Future
from test_stochastic import EXACT, FUTURES, three_lines

MEASURES = ("objective", "expected", "wait_and_see", "expected_value", "expected_of_expected_value", "waiting",
            "risk_weight", "alpha", "revise_from", "method")


def two_years(discount_rate: float = 0.0) -> dict[str, Any]:
    """100 cars in 2020 and in 2021 from line a (5 a car, 100 a year). Line x (capex 300, 100 a year) can be
    online from 2021; its cars cost 1 in future ``cheap`` and 4.5 in ``dear`` (1/2 each)."""
    return scenario_data(
        plants=[plant("a", 100.0), plant("x", 0.0)],
        capabilities=[capability("a", local_cost=5.0), capability("x", local_cost=1.0)],
        options=[{"id": "x-line", "plant": "x", "pool": "main", "capacity": 100.0, "capex": 300.0,
                  "earliest_year": 2021}],
        markets=[market("us", 100.0)], end=2021, discount_rate=discount_rate, solver={"mip_gap": 0.0})


TWO_FUTURES = [Future("cheap", 0.5, (("capabilities[1].local_cost", 1.0),)),
               Future("dear", 0.5, (("capabilities[1].local_cost", 4.5),))]
LINES_FUTURES = [Future(name, 0.5, overrides) for name, overrides in zip(("a-cheap", "b-cheap"), FUTURES,
                                                                          strict=True)]


@pytest.fixture(scope="module")
def lines() -> StochasticPlan:
    return stochastic_plan(three_lines(), "three lines", LINES_FUTURES, options=EXACT)


@pytest.fixture(scope="module")
def revised() -> StochasticPlan:
    return stochastic_plan(two_years(), "two years", TWO_FUTURES, options=EXACT, revise_from=2021)


def write_set(folder: Path, base: dict[str, Any], futures: list[Future], **stochastic: Any) -> Path:
    write_yaml(folder / "base.yaml", base)
    return write_yaml(folder / "set.yaml", {
        "kind": "scenario-set", "base": "base.yaml", "stochastic": stochastic,
        "futures": [{"name": f.name, "probability": f.probability, "set": dict(f.overrides)} for f in futures]})


def assert_same_plan(a: Plan, b: Plan) -> None:
    assert a.summary == b.summary
    assert set(a.tables) == set(b.tables) == set(table_columns(a.stacked))
    for name in a.tables:
        assert_frame_equal(a.tables[name], b.tables[name], check_dtype=False, check_categorical=False, obj=name)


# --- the stacked Plan ----------------------------------------------------------------------------------------------

def test_the_stacked_plan_has_every_table_for_every_future(lines: StochasticPlan) -> None:
    plan = lines.plan
    assert plan.stacked
    assert plan.probabilities == {"a-cheap": 0.5, "b-cheap": 0.5}
    assert set(plan.tables) == set(TABLES) | set(STOCHASTIC_TABLES)
    for name, columns in TABLES.items():
        table = plan.tables[name]
        assert tuple(table.columns) == (FUTURE, *columns), name
        if name not in ("sourcing", *LATER_TABLES):  # no sourcing options, single sources, suppliers, facilities
            assert list(table[FUTURE].unique()) == ["a-cheap", "b-cheap"], name
    builds = plan.tables["builds"]
    assert list(zip(builds[FUTURE], builds["option"], strict=True)) == [("a-cheap", "c-line"), ("b-cheap", "c-line")]
    summary = plan.summary
    assert (summary["kind"], summary["method"], summary["iterations"]) == ("stochastic", "extensive", 0)
    assert (summary["objective"], summary["evpi"], summary["vss"]) == (pytest.approx(800.0), pytest.approx(300.0),
                                                                       pytest.approx(0.0))
    assert lines.method == "extensive"
    assert lines.iterations.empty
    assert lines.revisions.empty
    assert list(lines.iterations.columns) == list(STOCHASTIC_TABLES["iterations"])
    # One future of it is a Plan of its own: the c line, 100 cars at 5.
    future = plan.future("b-cheap")
    assert future.objective == pytest.approx(800.0)
    assert list(future.builds["option"]) == ["c-line"]
    assert float(future.costs["discounted"].sum()) == pytest.approx(800.0)
    with pytest.raises(KeyError, match="no future 'c-cheap'"):
        plan.future("c-cheap")


def test_each_futures_npv_is_its_discounted_costs() -> None:
    plan = stochastic_plan(two_years(discount_rate=0.1), "two years", TWO_FUTURES, options=EXACT, revise_from=2021)
    costs = plan.plan.tables["costs"].groupby(FUTURE)["discounted"].sum()
    npv = dict(zip(plan.futures["name"], plan.futures["npv"], strict=True))
    assert npv == {name: pytest.approx(float(costs[name])) for name in ("cheap", "dear")}
    # dear: 500 + 500 / 1.1; cheap builds x in 2021: 500 + (300 + 100) / 1.1.
    assert npv == {"cheap": pytest.approx(500 + 400 / 1.1), "dear": pytest.approx(500 + 500 / 1.1)}


def test_stacking_checks_its_parts() -> None:
    tables = solved(three_lines()).tables
    with pytest.raises(ValueError, match="each named once"):
        stack_plans([("f", tables), ("f", tables)])
    stacked = stack_plans([("f", tables)])
    with pytest.raises(ValueError, match="a stacked plan without table"):
        Plan({"kind": "stochastic", "futures": {"f": 1.0}}, stacked)
    with pytest.raises(ValueError, match="table 'flows' has columns"):
        Plan({"status": "optimal"}, {**tables, "flows": stacked["flows"]})


# --- the revisions -------------------------------------------------------------------------------------------------

def test_the_future_that_knows_x_is_cheap_revises_its_build(revised: StochasticPlan) -> None:
    # Everything decided now: x costs 300 + (100 + 450) / 2 = 575 in 2021 against 500 at a: no x, 1,000 in all.
    # Revised from 2021, cheap builds x (300 + 100 = 400 < 500), dear does not: 500 + (400 + 500) / 2 = 950.
    assert revised.objective == pytest.approx(950.0)
    assert revised.waiting == pytest.approx(50.0)
    rows = revised.revisions.astype(object).where(revised.revisions.notna(), None)
    assert [tuple(row) for row in rows.itertuples(index=False)] == [
        ("cheap", "build", "x-line", "x", None, None, 2021, 0, 1),
        ("cheap", "assignment", None, "a", "car", None, 2021, 1, 0),  # a makes none in 2021
        ("cheap", "assignment", None, "x", "car", None, 2021, 0, 1)]
    assert revised.revised == {"cheap": "+x-line 2021, +car at x 2021, -car at a 2021"}
    builds = revised.plan.tables["builds"]
    assert list(zip(builds[FUTURE], builds["option"], builds["year"], strict=True)) == [("cheap", "x-line", 2021)]


def test_without_revise_from_nothing_is_revised(lines: StochasticPlan) -> None:
    assert lines.revisions.empty
    assert lines.revised == {}
    assert tuple(lines.revisions.columns) == STOCHASTIC_TABLES["revisions"]


def test_the_view_names_what_each_future_revises(tmp_path: Path) -> None:
    result = invoke("stochastic", str(write_set(tmp_path, two_years(), TWO_FUTURES, revise_from=2021)),
                    "--no-store")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "│ cheap │ +x-line 2021, +car at x 2021, -car at a 2021 │" in text
    assert "stored as run" not in text


# --- the run store -------------------------------------------------------------------------------------------------

def _round_trip(url: str, folder: Path) -> None:
    stored = fp.stochastic(write_set(folder, two_years(), TWO_FUTURES, revise_from=2021), store=url, mip_gap=0.0)
    assert stored.run is not None
    back = fp.read_stochastic(stored.run, store=url)
    assert back.run == stored.run
    for name in MEASURES:
        assert getattr(back, name) == getattr(stored, name), name
    assert_same_plan(back.plan, stored.plan)
    for name in ("futures", "builds", "revisions", "iterations"):
        assert_frame_equal(getattr(back, name), getattr(stored, name), check_dtype=False, check_categorical=False)
    assert back.revised == stored.revised == {"cheap": "+x-line 2021, +car at x 2021, -car at a 2021"}
    with RunStore(url) as store:
        run = store.get(stored.run)
        listed = store.runs()
    assert (run.kind, run.objective, run.status) == ("run", pytest.approx(950.0), "optimal")
    assert run.settings["revise_from"] == 2021
    assert run.settings["method"] == "extensive"
    assert run.decisions == Decisions(frozenset(), frozenset({("a", "car", 2020)}), frozenset())  # in every future
    assert listed.loc[listed["id"] == stored.run, "kind"].tolist() == ["stochastic"]
    assert listed.loc[listed["id"] == stored.run, "futures"].tolist() == [len(stored.futures)]
    with RunStore(url) as store:
        assert stored.run in store.runs(kind="stochastic")["id"].tolist()
        assert stored.run not in store.runs(kind="run")["id"].tolist()


def test_the_store_gives_back_the_plan_on_sqlite(tmp_path: Path) -> None:
    _round_trip(str(tmp_path / "runs.sqlite"), tmp_path)


def test_the_store_gives_back_the_plan_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    _round_trip(postgres_url, tmp_path)


def test_a_deterministic_run_is_not_a_stochastic_plan(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    write_yaml(tmp_path / "lines.yaml", three_lines())
    assert invoke("run", str(tmp_path / "lines.yaml"), "--store", str(store)).exit_code == 0
    with pytest.raises(fp.StoreError, match="is not a stochastic plan"):
        fp.read_stochastic("latest", store=store)


def test_the_command_stores_it_and_runs_show_export_read_it(tmp_path: Path) -> None:
    store = str(tmp_path / "runs.sqlite")
    path = write_set(tmp_path, two_years(), TWO_FUTURES, revise_from=2021)
    solved_now = invoke("stochastic", str(path), "--store", store)
    assert solved_now.exit_code == 0, solved_now.output
    assert f"stored as run 1 in {store}" in solved_now.output
    listed = " ".join(invoke("runs", "--store", store).output.split())
    assert f"│ 1 │ stochastic │ {path} │ optimal │ 950.00 USD │" in listed
    assert re.search(r"950\.00 USD │ [^│]+ │ 2 │", listed), listed  # its two futures (a sweep's say "N of M")
    shown = invoke("show", "1", "--store", store)
    assert shown.exit_code == 0, shown.output
    printed, again = (" ".join(result.output.split()) for result in (solved_now, shown))
    assert again in printed  # show prints what stochastic printed (without the line that says where it is stored)
    assert "value of waiting to 2021" in again
    assert "+x-line 2021" in again
    with RunStore(store) as opened:
        plan = opened.plan(1)
    exported = invoke("export", "1", "--out", str(tmp_path / "out"), "--store", store)
    assert exported.exit_code == 0, exported.output
    assert_same_plan(Plan.read(tmp_path / "out"), plan)
    assert {p.stem for p in (tmp_path / "out").glob("*.csv")} == set(table_columns(True))
    workbook = invoke("export", "1", "--out", str(tmp_path / "plan.xlsx"), "--store", store)
    assert workbook.exit_code == 0, workbook.output
    sheets = pd.read_excel(tmp_path / "plan.xlsx", sheet_name=None)
    assert list(sheets) == ["summary", *table_columns(True)]
    assert sheets["revisions"]["option"].tolist()[0] == "x-line"


def test_a_store_that_fails_is_a_warning_not_a_lost_plan(tmp_path: Path) -> None:
    (tmp_path / "not-a-store").write_text("hello", encoding="utf-8")
    result = invoke("stochastic", str(write_set(tmp_path, three_lines(), LINES_FUTURES)),
                    "--store", str(tmp_path / "not-a-store"))
    assert result.exit_code == 0, result.output
    assert "warning: the run was not stored" in result.output
    assert "800.00 USD" in result.output


# --- compare -------------------------------------------------------------------------------------------------------

def test_the_three_lines_plan_against_one_futures_own(lines: StochasticPlan) -> None:
    # Future a-cheap alone builds line a (400) and makes 100 cars at 1: 500. The stochastic plan builds line c
    # (300) and makes 100 cars at 5 in both futures: its expected plan costs 800, 300 more: capex 100 less,
    # local content 400 more; the 100 cars move from a to c.
    own = solved(apply_overrides(three_lines(), FUTURES[0]))
    comparison = compare(own, lines.plan, names=("a-cheap", "stochastic"))
    builds = comparison.builds
    assert list(zip(builds["option"], builds["change"], strict=True)) == [("a-line", "removed"), ("c-line", "added")]
    assignments = comparison.assignments
    assert list(zip(assignments["plant"], assignments["change"], strict=True)) == [("a", "removed"), ("c", "added")]
    flows = comparison.flows
    assert list(zip(flows["from_plant"], flows["to_plant"], flows["units"], strict=True)) == [("a", "c", 100.0)]
    costs = dict(zip(comparison.costs["component"], comparison.costs["discounted_difference"], strict=True))
    assert costs == {"capex": pytest.approx(-100.0), "production_local": pytest.approx(400.0)}
    kpis = comparison.kpis.set_index("kpi")
    assert (kpis.loc["objective", "a"], kpis.loc["objective", "b"]) == (pytest.approx(500.0), pytest.approx(800.0))
    assert kpis.loc["capex", "difference"] == pytest.approx(-100.0)
    assert comparison.notes == ("stochastic is a stochastic plan over 2 futures, compared as its expected plan: "
                                "amounts weighted by the futures' probabilities, its objective the expected NPV "
                                "cost, its decisions those it takes in every future",)
    mirror = compare(lines.plan, own, names=("stochastic", "a-cheap"))
    assert list(mirror.builds["change"]) == ["added", "removed"]


def test_decisions_taken_in_some_futures_are_named_not_dropped(revised: StochasticPlan) -> None:
    # Against dear's own plan (a makes 100 cars in both years, 1,000): the expected plan makes 50 cars at x in
    # 2021 (cheap's 100 at 1, weighted 1/2) and pays half of x's capex: local content 500 + (100 + 500) / 2 = 800,
    # 200 less, capex 150 more, 950 in all. x-line is built in cheap only: not a build of the expected plan, but
    # named with its share, as are the cars at a and at x in 2021; dear's cars at a in 2021 are not in every
    # future, so not an assignment of the expected plan.
    dear = solved(apply_overrides(two_years(), TWO_FUTURES[1].overrides))
    assert dear.objective == pytest.approx(1000.0)
    assert decided_by_future(revised.plan) == [("x-line 2021", 0.5), ("car at a 2021", 0.5), ("car at x 2021", 0.5)]
    comparison = compare(dear, revised.plan, names=("dear", "stochastic"))
    assert comparison.builds.empty
    assert [tuple(row) for row in comparison.assignments.itertuples(index=False)] == [("a", "car", 2021, "removed")]
    flows = comparison.flows
    assert list(zip(flows["year"], flows["from_plant"], flows["to_plant"], flows["units"], strict=True)) == [
        (2021, "a", "x", pytest.approx(50.0))]
    costs = dict(zip(comparison.costs["component"], comparison.costs["discounted_difference"], strict=True))
    assert costs == {"capex": pytest.approx(150.0), "production_local": pytest.approx(-200.0)}
    assert comparison.kpis.set_index("kpi").loc["objective", "difference"] == pytest.approx(-50.0)
    assert comparison.notes[1] == ("stochastic decides by future (not compared above; the share is the probability "
                                   "of the futures that do): x-line 2021 in 50%, car at a 2021 in 50%, car at x "
                                   "2021 in 50%")
    expected = expected_plan(revised.plan)
    utilization = expected.utilization.set_index(["plant", "year"])
    assert utilization.loc[("x", 2021), ["capacity", "used", "share"]].tolist() == [50.0, 50.0, 1.0]
    assert utilization.loc[("a", 2021), "used"] == pytest.approx(50.0)


def test_two_stochastic_plans_compare_as_their_expected_plans(lines: StochasticPlan) -> None:
    # With a cheap 4 times in 5, line a is the plan: 400 + 0.8 x 100 + 0.2 x 1,000 = 680 against line c's 800.
    likely = stochastic_plan(three_lines(), "three lines", [Future("a-cheap", 0.8, FUTURES[0]),
                                                            Future("b-cheap", 0.2, FUTURES[1])], options=EXACT)
    comparison = compare(likely.plan, lines.plan, names=("likely", "even"))
    assert list(zip(comparison.builds["option"], comparison.builds["change"], strict=True)) == [
        ("a-line", "removed"), ("c-line", "added")]
    costs = dict(zip(comparison.costs["component"], comparison.costs["discounted_a"], strict=True))
    assert costs == {"capex": pytest.approx(400.0), "production_local": pytest.approx(280.0)}
    assert comparison.kpis.set_index("kpi").loc["objective", "difference"] == pytest.approx(120.0)
    assert len(comparison.notes) == 2
    assert all("is a stochastic plan over 2 futures" in n for n in comparison.notes)
    assert compare(lines.plan, lines.plan).empty


def test_the_command_compares_a_stored_stochastic_run_with_a_deterministic_one(tmp_path: Path) -> None:
    store = str(tmp_path / "runs.sqlite")
    assert invoke("stochastic", str(write_set(tmp_path, three_lines(), LINES_FUTURES)), "--store", store).exit_code == 0
    write_yaml(tmp_path / "a-cheap.yaml", apply_overrides(three_lines(), FUTURES[0]))
    assert invoke("run", str(tmp_path / "a-cheap.yaml"), "--store", store).exit_code == 0
    result = invoke("compare", "2", "1", "--store", store)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "B is a stochastic plan over 2 futures, compared as its expected plan" in text
    assert "│ c-line │ c │ main │ - │ 2020 │ only in B │" in text
    assert "│ total │ 500.00 USD │ 800.00 USD │ +300.00 USD │" in text


def test_revisions_written_before_they_named_a_market_read_back(revised: StochasticPlan, tmp_path: Path) -> None:
    """A stochastic plan's folder from before single-source revisions: its revisions have no market column."""
    folder = revised.plan.write(tmp_path / "plan")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    del summary[MANIFEST]  # a folder written before the manifest: whatever tables are there
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    for suffix in ("csv", "parquet"):
        (folder / f"revisions.{suffix}").unlink(missing_ok=True)
    revised.revisions.drop(columns="market").to_csv(folder / "revisions.csv", index=False)
    older = Plan.read(folder)
    assert tuple(older.tables["revisions"].columns) == STOCHASTIC_TABLES["revisions"]
    assert older.tables["revisions"]["market"].isna().all()
    assert older.tables["revisions"]["kind"].tolist() == revised.revisions["kind"].tolist()
