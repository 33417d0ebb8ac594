"""A results folder read back (`report DIR`, `compare A B`, ``Plan.read``) whose summary.json or tables were
edited with the manifest made again: every field read is checked (types, finiteness, years as whole years of
the horizon, counts, flags, names), and the message names the file, the field or column, and the row."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import invoke, small_network_data, solved
from footprint.plan.plan import Plan
from footprint.plan.results import ResultsError
from results_damage import remanifest, rows_of, set_cell, set_summary
from test_stochastic import EXACT
from test_stochastic_plan import TWO_FUTURES, two_years


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small network's plan written once; each test copies it."""
    return solved(small_network_data()).write(tmp_path_factory.mktemp("written") / "plan")


@pytest.fixture
def folder(written: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "plan"
    copy.mkdir()
    for path in written.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


def refused(folder: Path) -> str:
    """The message of reading ``folder`` (it must be refused), and the same from `report` and `compare`, each
    exit code 1 in one line naming the folder."""
    with pytest.raises(ResultsError) as raised:
        Plan.read(folder)
    message = str(raised.value)
    for command in (["report", str(folder), "-o", str(folder.parent / "report.html")],
                    ["compare", str(folder), str(folder)]):
        result = invoke(*command)
        assert result.exit_code == 1, (command[0], result.output)
        assert message in " ".join(result.output.split()), (command[0], result.output)
    return message.removeprefix(f"{folder}: ")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("objective", math.nan, "summary.json: objective: expected a finite number, found NaN"),
    ("objective", math.inf, "summary.json: objective: expected a finite number, found Infinity"),
    ("objective", "12", 'summary.json: objective: expected a finite number, found "12"'),
    ("objective", None, "summary.json: objective: expected a finite number, found null"),
    ("gap", "abc", 'summary.json: gap: expected a number of at least 0 or null, found "abc"'),
    ("gap", math.nan, "summary.json: gap: expected a number of at least 0 or null, found NaN"),
    ("bound", True, "summary.json: bound: expected a number or null, found true"),
    ("currency", 5, "summary.json: currency: expected a text, found 5"),
    ("status", ..., "summary.json: status is missing"),
    ("objective_sense", "maximise", "summary.json: objective_sense: expected one of minimize_cost, "
                                    'maximize_profit, found "maximise"'),
    ("horizon", [2020], r"summary.json: horizon: expected [first year, last year], years from 1900 to 2200, "
                        "found [2020]"),
    ("horizon", [2020, 2021.5], "summary.json: horizon: expected [first year, last year], years from 1900 to 2200, "
                                "found [2020, 2021.5]"),
    ("horizon", [2021, 2020], "summary.json: horizon: expected [first year, last year], years from 1900 to 2200, "
                              "found [2021, 2020]"),
    ("variables", -1, "summary.json: variables: expected a whole number, found -1"),
    ("build_seconds", math.inf, "summary.json: build_seconds: expected a finite number of at least 0 or null, "
                                "found Infinity"),
    ("builds", "x", 'summary.json: builds: expected a list of objects, found "x"'),
    ("plant_decisions", [{"plant": "p"}], "summary.json: plant_decisions: expected a list of plant decisions, found "
                                          '[{"plant": "p"}]'),
    ("kind", "plan", 'summary.json: kind: expected one of stochastic, found "plan"'),
])
def test_a_summary_field_edited_out_of_shape_is_named(folder: Path, key: str, value: Any, message: str) -> None:
    set_summary(folder, key, value)
    assert refused(folder) == message


@pytest.mark.parametrize(("table", "column", "text", "message"), [
    ("costs", "year", "abc", 'costs.csv: column year, line 2: expected a year from 2020 to 2021, found "abc"'),
    ("costs", "year", "2020.5", "costs.csv: column year, line 2: expected a year from 2020 to 2021, found 2020.5"),
    ("flows", "year", "1999", "flows.csv: column year, line 2: expected a year from 2020 to 2021, found 1999"),
    ("flows", "year", "99999999999999999999", "flows.csv: column year, line 2: expected a year from 2020 to 2021, "
                                              "found 99999999999999999999"),
    ("flows", "units", "abc", 'flows.csv: column units, line 2: expected a finite number, found "abc"'),
    ("flows", "units", "inf", "flows.csv: column units, line 2: expected a finite number, found Infinity"),
    ("flows", "units", "", "flows.csv: column units, line 2: expected a finite number, found nothing"),
    ("flows", "market", "", "flows.csv: column market, line 2: expected a name, found nothing"),
    ("costs", "amount", "NaN", "costs.csv: column amount, line 2: expected a finite number, found nothing"),
    ("plants", "open", "maybe", 'plants.csv: column open, line 2: expected True or False, found "maybe"'),
    ("plants", "open", "", "plants.csv: column open, line 2: expected True or False, found nothing"),
    ("builds", "count", "-1", "builds.csv: column count, line 2: expected a whole number, not negative, found -1"),
    ("builds", "count", "1.5", "builds.csv: column count, line 2: expected a whole number, not negative, found 1.5"),
    ("builds", "year", "abc", 'builds.csv: column year, line 2: expected a year from 2020 to 2021, found "abc"'),
    ("utilization", "share", "-inf", "utilization.csv: column share, line 2: expected a finite number or nothing, "
                                     "found -Infinity"),
])
def test_a_table_edited_out_of_shape_names_the_file_column_and_line(folder: Path, table: str, column: str,
                                                                    text: str, message: str) -> None:
    set_cell(folder, table, column, 0, text)
    assert refused(folder) == message


def test_a_parquet_table_of_another_type_is_named_by_its_row(folder: Path) -> None:
    costs = pd.read_parquet(folder / "costs.parquet")
    costs["year"] = costs["year"].astype(str)
    costs.loc[3, "year"] = "two thousand"
    costs.to_parquet(folder / "costs.parquet", index=False)
    remanifest(folder)
    assert refused(folder) == ('costs.parquet: column year, row 4: expected a year from 2020 to 2021, '
                               'found "two thousand"')


def test_a_table_resaved_with_whole_numbers_as_decimals_reads_as_written(folder: Path, written: Path) -> None:
    """A spreadsheet that saves years as 2020.0 and flags as true/false changes nothing the plan says."""
    rows = rows_of(folder, "plants")
    for row in range(len(rows) - 1):
        set_cell(folder, "plants", "year", row, f"{rows[row + 1][1]}.0")
        set_cell(folder, "plants", "open", row, rows[row + 1][2].lower())
    read, original = Plan.read(folder), Plan.read(written)
    pd.testing.assert_frame_equal(read.tables["plants"], original.tables["plants"])
    assert invoke("compare", str(written), str(folder)).exit_code == 0


def test_a_whole_folder_edited_in_place_still_reads(folder: Path, written: Path) -> None:
    """Every table read from its CSV (the Parquet files removed) is the plan written."""
    for table in ("flows", "costs", "builds", "plants", "utilization"):
        (folder / f"{table}.parquet").unlink()
    remanifest(folder)
    read, original = Plan.read(folder), Plan.read(written)
    assert read.objective == original.objective
    for table in ("flows", "costs", "builds", "plants"):
        pd.testing.assert_frame_equal(read.tables[table], original.tables[table], check_dtype=False,
                                      check_categorical=False)


def cut_short(folder: Path, table: str) -> None:
    """``table``.csv cut in its header (its Parquet removed), as a tool that failed half way leaves it."""
    (folder / f"{table}.csv").write_text(rows_of(folder, table)[0][0][:3], encoding="utf-8")
    (folder / f"{table}.parquet").unlink(missing_ok=True)
    remanifest(folder)


@pytest.fixture(scope="module")
def stochastic_written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from footprint.analysis.stochastic import stochastic_plan

    plan = stochastic_plan(two_years(), "two years", TWO_FUTURES, options=EXACT, revise_from=2021)
    return plan.plan.write(tmp_path_factory.mktemp("stochastic") / "plan")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda f: set_summary(f, "expected", math.nan), "summary.json: expected: expected a finite number, found NaN"),
    (lambda f: set_summary(f, "alpha", 1.5), "summary.json: alpha: expected a finite number from 0 to 1, found 1.5"),
    (lambda f: set_summary(f, "revise_from", "2021"), "summary.json: revise_from: expected a whole number from 1900 "
                                                      'to 2200 or null, found "2021"'),
    (lambda f: set_summary(f, "futures", {"cheap": 0.5, "dear": "half"}),
     "summary.json: futures: expected an object of each future's probability (a number from 0 to 1), found "
     '{"cheap": 0.5, "dear": "half"}'),
    (lambda f: set_summary(f, "futures", {"cheap": 0.5, "other": 0.5}),
     'regret.parquet: column name: its futures are ["cheap", "dear"], the summary\'s ["cheap", "other"]'),
    (lambda f: set_summary(f, "waiting", ...), "summary.json: waiting is missing"),
    (lambda f: set_cell(f, "revisions", "kind", 0, "moved"),
     'revisions.csv: column kind, line 2: expected one of build, opens, closes, assignment, single_source, found '
     '"moved"'),
    (lambda f: set_cell(f, "flows", "future", 0, "neither"),
     'flows.csv: column future, line 2: future "neither" is none of the summary\'s futures'),
    (lambda f: set_cell(f, "regret", "probability", 0, "x"),
     'regret.csv: column probability, line 2: expected a finite number, found "x"'),
    (lambda f: cut_short(f, "regret"), "table 'regret' has columns ('nam',), expected ('name', 'probability', "
                                       "'npv', 'own', 'ev_plan')"),
])
def test_a_stochastic_folder_edited_out_of_shape_is_named(stochastic_written: Path, tmp_path: Path, edit: Any,
                                                         message: str) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    for path in stochastic_written.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    assert Plan.read(folder).stacked
    edit(folder)
    assert refused(folder) == message
