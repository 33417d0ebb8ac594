"""Scenarios as tables: the layout from the declarations, CSV folders, Excel workbooks, located problems, convert,
the template, growth series (solved by hand), a Plan as a workbook, and a YAML -> Excel -> CSV -> YAML property."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font
from pydantic import Field

from conftest import (
    assert_costs_match,
    capability,
    deadline,
    flows_of,
    invoke,
    lane,
    make,
    market,
    plant,
    pool,
    product,
    scenario_data,
    small_network_data,
    solved,
)
from footprint.economics.checks import CHECKS
from footprint.economics.network import compile_network
from footprint.plan.plan import TABLES
from footprint.plan.tables import solve
from footprint.plan.workbook import SUMMARY_SHEET, PlanWorkbookError, sheet_name, write_workbook
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import (
    ScenarioError,
    convert,
    load_scenario,
    read_scenario,
    read_source,
    save_scenario,
    write_source,
)
from footprint.scenario.formats.files import (
    scenario_data as data_of,
)
from footprint.scenario.formats.layout import Table, column, declared_columns, fields_of, tables
from footprint.scenario.formats.template import write_template
from footprint.scenario.model.base import Entity
from footprint.scenario.model.figures import Growth, NonNegative, YearSeries
from footprint.scenario.model.network import Plant


def messages(err: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    """The errors reported (warnings left out)."""
    return [str(problem) for problem in err.value.problems if problem.is_error]


def rich() -> dict[str, Any]:
    """Every kind of value a table holds: figures with provenance, per-year series of figures, a growth series,
    nested objects, lists, booleans, dates, an agreement with members and rates, text that looks like a number."""
    figure = {"value": 142000.0, "low": 130000.0, "high": 150000.0, "source": "Automotive News, 2012-07-10",
              "assumption": "US Rogue sales, rounded"}
    return scenario_data(
        start=2012, end=2014,
        description="Nissan Rogue: Kyushu, Smyrna or Busan?\nA second line, \"quoted\", with commas.",
        discount_rate={"value": 0.08, "low": 0.06, "high": 0.1, "assumption": "corporate WACC"},
        products=[product("rogue", "8703", platform="CMF-C/D"), product("leaf", "8703.80")],
        plants=[
            plant("kyushu", {2012: 200000.0, 2013: {"value": 150000.0, "source": "plan"}, 2014: 100000.0},
                  products=("rogue", "leaf"), country="JP", currency="JPY", location={"lat": 33.8, "lon": 130.9},
                  port={"name": "Kanda", "lat": 33.8, "lon": 131.0}, fixed_cost={"value": 1e9, "source": "estimate"}),
            plant("busan", country="KR", currency="KRW",
                  pools=[pool("body", ["rogue"], {"from": 250000.0, "growth": 0.02}), pool("paint", ["rogue"], 2.5e5)],
                  operating_years={"start": 2013}),
        ],
        capabilities=[
            capability("kyushu", "rogue", 1.9e6, imported_cost=2000.0, imported_currency="USD", in_production=True,
                       content={"JP": 0.6, "US": 0.1}),
            capability("kyushu", "leaf", 2.1e6),
            capability("busan", "rogue", {"value": 2.0e7, "low": 1.8e7, "high": 2.2e7, "source": "RSM"},
                       launch_cost=1.2e10, min_volume=20000.0,
                       sourcing=[{"id": "us-parts", "share": 0.2, "origin": "US", "extra_cost": 100.0,
                                  "currency": "USD"}]),
        ],
        options=[{"id": "busan-rogue", "plant": "busan", "pool": "body", "capacity": 80000.0,
                  "capex": {"value": 160e6, "source": "=Renault press release"}, "currency": "USD",
                  "earliest_year": 2014}],
        markets=[market("us", {2012: figure, 2013: 150000.0, 2014: 160000.0}, product="rogue",
                        lost_sale_penalty={"rogue": {"from": 5000.0, "growth": -0.1, "from_year": 2013}},
                        customs_basis="cif", port={"name": "Long Beach", "lat": 33.75, "lon": -118.2}),
                 {"id": "jp", "country": "JP", "currency": "JPY", "demand": {"leaf": 1000.0},
                  "lost_sale_penalty": {"leaf": 1e6}}],
        lanes=[lane("kyushu", "us", 900.0), lane("busan", "us", {"value": 95000.0, "source": "quote"},
                                                currency="KRW"), lane("kyushu", "jp", 0.0)],
        default_freight=None,
        fx={"JPY": {2012: 79.8, 2013: {"value": 97.6, "low": 90.0, "high": 105.0}, 2014: 105.9},
            "KRW": 1100.0},
        tariffs=[{"origin": "*", "destination": "US", "product_class": "8703", "rate": 0.025},
                 {"origin": "KR", "destination": "US", "product_class": "8703", "from_year": 2016, "rate": 0.0},
                 {"origin": "JP", "destination": "US", "product_class": "8703", "rate": 0.25, "additional": True,
                  "measure": "s232", "relief": {"agreement": "korus", "dutiable_content_outside": ["US", "KR"]}}],
        agreements=[{"id": "korus", "name": "KORUS FTA", "members": [{"country": "US"},
                                                                    {"country": "KR",
                                                                     "from_date": dt.date(2012, 3, 15)}],
                     "rates": [{"product_class": "8703", "rate": 0.0, "from_date": dt.date(2012, 3, 15)}],
                     "regional_value_content": 0.35}],
        solver={"mip_gap": 0.001, "time_limit": 30.0},
    )


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[list[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


# --- the layout comes from the declarations -----------------------------------------------------

def test_every_list_of_entities_is_a_table_keyed_by_its_parent() -> None:
    layout = {t.name: (t.parent.name if t.parent else None, t.keys, t.entry) for t in tables()}
    assert layout == {
        "products": (None, (), None), "plants": (None, (), None), "pools": ("plants", ("plant",), None),
        "capabilities": (None, (), None), "sourcing": ("capabilities", ("plant", "product"), None),
        "options": (None, (), None), "components": (None, (), None), "suppliers": (None, (), None),
        "supplies": ("suppliers", ("supplier",), None), "facilities": (None, (), None), "markets": (None, (), None),
        "demand": ("markets", ("market",), "product"), "price": ("markets", ("market",), "product"),
        "lost_sale_penalty": ("markets", ("market",), "product"), "lanes": (None, (), None),
        "modes": ("lanes", ("origin", "destination"), None), "groups": (None, (), None),
        "tariffs": (None, (), None), "agreements": (None, (), None),
        "members": ("agreements", ("agreement",), None), "rates": ("agreements", ("agreement",), None),
    }


def test_every_declared_field_has_a_column_or_a_table() -> None:
    """Walk every entity's declaration: each field is a column of its table (nested objects dotted), or the table
    of a nested list or mapping of series."""
    for t in tables():
        if t.model is None:
            continue
        columns = declared_columns(t)
        nested = {child.field for child in tables() if child.parent is t}
        for name, _, shape in fields_of(t.model):
            if shape.form == "dict":  # a column per key (content.KR): nothing to declare
                continue
            assert name in nested or any(c == name or c.startswith(f"{name}.") for c in columns), (t.name, name)


class Shift(Entity):
    crew: str = Field(description="Crew name.")
    hours: NonNegative = Field(8.0, description="Hours a day.")


class Line(Entity):
    id: str = Field(description="Line name.")
    speed: YearSeries = Field(description="Units per hour.")


class LinedPlant(Plant):
    """A plant as someone might declare it next year: a new number, a nested object and a nested list."""

    shifts_per_day: NonNegative = Field(2.0, description="Shifts a day.")
    shift: Shift | None = Field(None, description="The usual shift.")
    lines: list[Line] = Field(default_factory=list, description="Assembly lines.")


def test_a_field_added_to_a_declaration_appears_in_its_table() -> None:
    """The layout reads the declaration: a new number gets its column and provenance columns, a new nested object
    dotted columns, with kinds and descriptions from its declaration."""
    t = Table("plants", "plants", LinedPlant, "")
    columns = declared_columns(t)
    assert columns[-3:] == ["shifts_per_day", "shift.crew", "shift.hours"]
    assert "fixed_cost" in columns
    assert column(t, "shifts_per_day").kind == "number"
    assert column(t, "shifts_per_day").description == "Shifts a day."
    assert column(t, "shifts_per_day.source").kind == "text"
    assert column(t, "shift.hours.low").kind == "number"
    assert column(t, "lines").kind is None  # a nested list is not a column; its table holds it
    assert [shape.form for name, _, shape in fields_of(LinedPlant) if name == "lines"] == ["entities"]


def test_columns_carry_kinds_descriptions_and_references() -> None:
    lanes, pools, demand = (next(t for t in tables() if t.name == name) for name in ("lanes", "pools", "demand"))
    assert column(lanes, "origin").required
    assert column(lanes, "destination").required
    assert column(lanes, "origin").references is None  # a lane's end is in one of several tables
    assert column(lanes, "freight").description.startswith("Transport cost per unit, in currency: one sea mode")
    assert not column(lanes, "freight").required  # a lane may give modes instead
    assert column(pools, "plant").references == "plants"
    assert column(pools, "plant").required
    assert column(pools, "capacity.2030").kind == "number"
    assert column(pools, "capacity.from_year").kind == "integer"
    assert column(pools, "products").kind == "list"
    assert column(demand, "product").references == "products"
    assert column(demand, "2030.assumption").kind == "text"
    markets = next(t for t in tables() if t.name == "markets")
    assert column(markets, "customs_basis").choices == ("fob", "cif")
    assert column(markets, "demand.car").kind is None  # demand has its own table


# --- a CSV folder ---------------------------------------------------------------------------------

def test_csv_folder_files_and_columns(tmp_path: Path) -> None:
    """The layout a reader sees (the README shows it): a file per table, dotted columns, a column per year, the
    rest as YAML."""
    data = scenario_data(
        start=2026, end=2027,
        plants=[plant("ulsan", {2026: 100.0, 2027: {"value": 120.0, "source": "plan"}}, country="KR",
                      currency="KRW", location={"lat": 35.5, "lon": 129.4})],
        capabilities=[capability("ulsan", local_cost={"value": 9.0, "low": 8.0, "high": 11.0})],
        markets=[market("us", {"from": 80.0, "growth": 0.05}, lost_sale_penalty={"car": 50.0})],
        lanes=[lane("ulsan", "us", 2.5)], fx={"KRW": 1350.0},
    )
    folder = write_source(data_of(make(data)), tmp_path / "net")
    assert (folder / "pools.csv").read_text(encoding="utf-8") == (
        "plant,id,products,capacity,capacity.2026,capacity.2027,capacity.2027.source\n"
        "ulsan,main,car,,100.0,120.0,plan\n")
    assert (folder / "demand.csv").read_text(encoding="utf-8") == ("market,product,value,from,growth\n"
                                                                  "us,car,,80.0,0.05\n")
    assert csv_rows(folder / "plants.csv") == [
        {"id": "ulsan", "country": "KR", "currency": "KRW", "location.lat": "35.5", "location.lon": "129.4",
         "port.name": "", "port.lat": "", "port.lon": "", "operating_years.start": "", "operating_years.end": "",
         "fixed_cost": "", "candidate": "", "opening_cost": "", "earliest_open": "", "closable": "",
         "closing_cost": ""}]
    assert csv_rows(folder / "capabilities.csv")[0]["local_cost.high"] == "11.0"
    assert (folder / "scenario.yaml").read_text(encoding="utf-8").startswith("name: test\nhorizon:\n  start: 2026\n")
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [f"{t.name}.csv" for t in tables()] + ["notes.csv", "scenario.yaml"])


def test_csv_folder_reads_back_as_the_same_data_and_scenario(tmp_path: Path) -> None:
    scenario = make(rich())
    folder = write_source(data_of(scenario), tmp_path / "net")
    assert read_source(folder).data == data_of(scenario)
    assert load_scenario(folder, CHECKS) == scenario


def test_csv_cells_are_placed_by_file_row_and_column(tmp_path: Path) -> None:
    folder = write_source(data_of(make(rich())), tmp_path / "net")
    rows = (folder / "pools.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("200000.0", "2OOOOO")
    (folder / "pools.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = (folder / "lanes.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",frieght"
    text[2] += ",3"
    (folder / "lanes.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(folder, CHECKS)
    assert messages(err) == [
        f"{folder}/pools.csv, row 2, column capacity.2012: plants[kyushu].pools[main].capacity: year 2012: "
        "expected a number, found '2OOOOO'",
        f"{folder}/lanes.csv, row 3, column frieght: lanes[busan/us].frieght: unknown field; check its spelling "
        "against `footprint schema`",
    ]


@pytest.mark.parametrize(("file", "rows", "expected"), [
    ("pools.csv", [["plant", "id", "products", "capacity"], ["nowhere", "main", "car", "5"]],
     "pools.csv, row 2: no plant 'nowhere' in plants"),
    ("pools.csv", [["id", "products", "capacity"], ["main", "car", "5"]],
     "pools.csv: no column plant; each row must name its plant"),
    ("pools.csv", [["plant", "id", "id"], ["p", "main", "x"]], "pools.csv, column id: the column 'id' is there twice"),
    ("demand.csv", [["market", "product", "value"], ["us", "car", "5"], ["us", "car", "6"]],
     "demand.csv, row 3: demand of product 'car' for this markets entry is given twice (row 2); give it once"),
    ("demand.csv", [["market", "product", "value"], ["us", "", "5"]],
     "demand.csv, row 2: column product is empty; name the product of this row"),
    ("lanes.csv", [["plant", "market", "freight"], ["p", "us", "1", "surplus"]],
     "lanes.csv, row 2, column 4: a value ('surplus') in a column with no name"),
    ("Plants.csv", [["id"], ["x"]], "Plants.csv: not a table of a scenario; expected agreements, capabilities"),
])
def test_csv_structure_problems_are_located(tmp_path: Path, file: str, rows: list[list[Any]], expected: str) -> None:
    data = scenario_data(plants=[plant("p")], capabilities=[capability("p")], markets=[market("us", 10.0)])
    folder = write_source(data_of(make(data)), tmp_path / "net")
    write_csv(folder / file, rows)
    with pytest.raises(ScenarioError) as err:
        read_source(folder)
    assert any(message.startswith(f"{folder}/{expected}") for message in messages(err)), messages(err)


@pytest.mark.parametrize(("content", "expected"), [
    (b'id,product_class\n"car,8703\n', "products.csv, row 2: not valid CSV: unexpected end of data"),
    (b'id,product_class\n"car"x,8703\n', "products.csv, row 2: not valid CSV: ',' expected after '\"'"),
    (b"id,product_class\n\xff\xfe\n", "products.csv:2: not UTF-8 text (byte 17); expected CSV"),
    (b"id,product_class\ncar,\x00\n", "products.csv: not a text file (it holds binary data); expected CSV"),
])
def test_bad_csv_files_give_one_located_message(tmp_path: Path, content: bytes, expected: str) -> None:
    folder = write_source(data_of(make(small_network_data())), tmp_path / "net")
    (folder / "products.csv").write_bytes(content)
    with pytest.raises(ScenarioError) as err:
        read_source(folder)
    assert len(err.value.problems) == 1
    assert expected in str(err.value.problems[0]), messages(err)


def test_csv_in_the_forms_spreadsheets_save(tmp_path: Path) -> None:
    """A byte-order mark, semicolons (a decimal-comma locale), CRLF line ends, blank rows, an empty file for an
    empty table, cells with spaces around numbers: all read as the plain file would."""
    scenario = make(small_network_data())
    folder = write_source(data_of(scenario), tmp_path / "net")
    lanes = (folder / "lanes.csv").read_text(encoding="utf-8").replace(",", ";").replace(";1.0", "; 1.0 ")
    (folder / "lanes.csv").write_bytes(b"\xef\xbb\xbf" + lanes.replace("\n", "\r\n\r\n;;\r\n").encode())
    (folder / "options.csv").write_text((folder / "options.csv").read_text(encoding="utf-8") + ",,,\n\n")
    (folder / "sourcing.csv").write_bytes(b"")
    assert load_scenario(folder, CHECKS) == scenario


def test_a_csv_file_that_is_no_regular_file_is_refused_by_name(tmp_path: Path) -> None:
    """A pipe named demand.csv has no size, as an empty file has none: it was read as an empty table (a scenario
    with no demand); it is refused, as any file that is not a regular one."""
    folder = write_source(data_of(make(small_network_data())), tmp_path / "net")
    (folder / "demand.csv").unlink()
    os.mkfifo(folder / "demand.csv")
    with deadline(60), pytest.raises(ScenarioError) as err:  # nothing may wait for a writer on the pipe
        read_source(folder)
    assert messages(err) == [f"{folder}/demand.csv: not a regular file (a device, pipe or socket); expected a CSV "
                             "file"]


def test_texts_with_tabs_and_line_breaks_round_trip_and_other_control_characters_are_refused(tmp_path: Path) -> None:
    """A workbook cannot hold control characters, and no name or note means one: they are refused at validation,
    wherever the scenario comes from, so that every valid scenario converts to a workbook and back; tabs and line
    breaks are text (a multi-line description)."""
    scenario = make({**small_network_data(), "description": "line one\n\tline two\n"})
    for target in ("net.xlsx", "net", "net.yaml"):
        assert load_scenario(write_source(data_of(scenario), tmp_path / target), CHECKS) == scenario
    refused = r"holds the control character '\x07'; a text may hold tabs and line breaks (\n), no other control " \
              "character"
    products = tmp_path / "net" / "products.csv"
    products.write_text(products.read_text(encoding="utf-8").replace("8703", "8703\x07"), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_scenario(tmp_path / "net", CHECKS)
    assert messages(err) == [f"{products}, row 2, column product_class: products[car].product_class: the text "
                             f"'8703\\x07' {refused}"]
    yaml_file = tmp_path / "net.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("name: test", 'name: "test\\a"'),
                         encoding="utf-8")
    result = invoke("convert", str(yaml_file), str(tmp_path / "bell.xlsx"))
    assert result.exit_code == 1
    assert f"{yaml_file}:1: name: the text 'test\\x07' {refused}" in " ".join(result.output.split())
    assert not (tmp_path / "bell.xlsx").exists()


def test_csv_folder_without_its_rest(tmp_path: Path) -> None:
    folder = write_source(data_of(make(small_network_data())), tmp_path / "net")
    (folder / "scenario.yaml").unlink()
    with pytest.raises(ScenarioError) as err:
        read_source(folder)
    assert err.value.source == str(folder)
    assert messages(err) == ["a folder is read as CSV files, and this one has no scenario.yaml (the name, horizon and "
                             "the fields no table holds); `footprint template --csv DIR` writes a template"]


def test_rest_yaml_may_hold_a_table_section_but_not_twice(tmp_path: Path) -> None:
    """A short list may stay in scenario.yaml (its CSV file absent); given both ways it is refused."""
    scenario = make(small_network_data())
    folder = write_source(data_of(scenario), tmp_path / "net")
    (folder / "lanes.csv").unlink()
    lanes = "".join(f"  - {{plant: {lane_['origin']}, market: {lane_['destination']}, freight: {lane_['freight']}}}\n"
                    for lane_ in data_of(scenario)["lanes"])
    (folder / "scenario.yaml").write_text((folder / "scenario.yaml").read_text() + "lanes:\n" + lanes)
    assert load_scenario(folder, CHECKS) == scenario
    write_csv(folder / "lanes.csv", [["plant", "market", "freight"], ["detroit", "us", "1"]])
    with pytest.raises(ScenarioError) as err:
        read_source(folder)
    assert messages(err) == [f"{folder}/lanes.csv: lanes is given both here and in the scenario fields; give it once"]


# --- an Excel workbook ----------------------------------------------------------------------------

def test_workbook_reads_back_as_the_same_data_and_scenario(tmp_path: Path) -> None:
    scenario = make(rich())
    book = write_source(data_of(scenario), tmp_path / "net.xlsx")
    assert read_source(book).data == data_of(scenario)
    assert load_scenario(book, CHECKS) == scenario
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["scenario", *(t.name for t in tables()), "notes"]
    options = workbook["options"]
    assert [cell.value for cell in options[1]][:5] == ["id", "plant", "pool", "capacity", "capex"]
    assert options["E2"].value == 160e6
    assert options["F2"].value == "=Renault press release"
    assert options["F2"].data_type == "s"
    assert workbook["scenario"]["A2"].value == "name"


def edit(book: Path, change: Any) -> Path:
    workbook = openpyxl.load_workbook(book)
    change(workbook)
    workbook.save(book)
    return book


def test_workbook_cells_as_analysts_type_them(tmp_path: Path) -> None:
    """A number typed into a text column (class 8703), a year typed as a number in the header, a number typed as
    text, TRUE as a boolean, empty rows between: all read as meant."""
    scenario = make(rich())
    book = write_source(data_of(scenario), tmp_path / "net.xlsx")

    def change(workbook: openpyxl.Workbook) -> None:
        workbook["products"]["B2"] = 8703
        pools = workbook["pools"]
        pools.cell(2, [cell.value for cell in pools[1]].index("capacity.2014") + 1).value = "100000"
        capabilities = workbook["capabilities"]
        flag = [cell.value for cell in capabilities[1]].index("in_production") + 1
        capabilities.cell(2, flag).value = True
        workbook["lanes"].insert_rows(3, 2)
        demand = workbook["demand"]
        demand.cell(1, [cell.value for cell in demand[1]].index("2013") + 1).value = 2013

    assert load_scenario(edit(book, change), CHECKS) == scenario


def test_workbook_cells_are_placed_by_sheet_row_and_column(tmp_path: Path) -> None:
    book = write_source(data_of(make(rich())), tmp_path / "net.xlsx")

    def change(workbook: openpyxl.Workbook) -> None:
        workbook["pools"]["D4"] = dt.datetime(2012, 1, 1)  # busan's paint capacity
        workbook["lanes"]["C2"] = "cheap"
        workbook["scenario"]["B2"] = None

    with pytest.raises(ScenarioError) as err:
        load_scenario(edit(book, change), CHECKS)
    assert messages(err) == [
        f"{book}, sheet scenario, row 2, column B (value): name: missing; this section is required",
        f"{book}, sheet pools, row 4, column D (capacity): plants[busan].pools[paint].capacity: expected a number, "
        "found '2012-01-01'",
        f"{book}, sheet lanes, row 2, column C (freight): lanes[kyushu/us].freight: expected a number, found 'cheap'",
    ]


def saved_formula(book: Path, sheet: str, cell: str, formula: str, saved: str | None, kind: str = "n") -> Path:
    """Put a formula into a cell with the value a spreadsheet would have saved beside it (openpyxl cannot)."""
    workbook = openpyxl.load_workbook(book)
    index = workbook.sheetnames.index(sheet) + 1
    with zipfile.ZipFile(book) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    part = f"xl/worksheets/sheet{index}.xml"
    xml = parts[part].decode()
    value = f"<v>{saved}</v>" if saved is not None else ""
    xml, count = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', f'<c r="{cell}" t="{kind}"><f>{formula}</f>{value}</c>',
                         xml)
    assert count == 1
    parts[part] = xml.encode()
    with zipfile.ZipFile(book, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return book


def test_workbook_formulas_read_as_their_saved_values(tmp_path: Path) -> None:
    scenario = make(rich())
    book = write_source(data_of(scenario), tmp_path / "net.xlsx")
    assert load_scenario(saved_formula(book, "lanes", "C2", "450*2", "900"), CHECKS) == scenario
    saved_formula(book, "lanes", "C2", "1/0", "#DIV/0!", kind="e")
    with pytest.raises(ScenarioError) as err:
        read_source(book)
    assert messages(err) == [f"{book}, sheet lanes, cell C2: the cell holds the error #DIV/0!"]
    saved_formula(book, "lanes", "C2", "450*2", None)
    with pytest.raises(ScenarioError) as err:
        read_source(book)
    assert messages(err) == [f"{book}, sheet lanes, cell C2: a formula with no saved value (the workbook was not "
                             "saved by a spreadsheet); open and save it, or type the value"]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda wb: wb["pools"].merge_cells("A2:A3"),
     "sheet pools, cells A2:A3: merged cells; unmerge them and give the value in each cell"),
    (lambda wb: wb.create_sheet("Scratch"), "sheet Scratch: not a table of a scenario; expected scenario, agreements"),
    (lambda wb: wb.remove(wb["scenario"]), "no sheet scenario: it holds the scenario's name, horizon"),
    (lambda wb: wb["scenario"].delete_cols(2), "sheet scenario: expected the columns field and value in row 1"),
    (lambda wb: wb.remove(wb["plants"]), "sheet pools, row 2: no plant 'kyushu' in plants"),
])
def test_workbook_structure_problems_are_located(tmp_path: Path, change: Any, expected: str) -> None:
    book = write_source(data_of(make(rich())), tmp_path / "net.xlsx")
    with pytest.raises(ScenarioError) as err:
        read_source(edit(book, change))
    assert err.value.source == str(book)
    assert any(message.startswith((f"{book}, {expected}", expected)) for message in messages(err)), messages(err)


@pytest.mark.parametrize("content", [b"", b"not a workbook", b"PK\x03\x04 broken zip", b"%PDF-1.4\n"])
def test_a_file_that_is_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "net.xlsx"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as err:
        read_source(path)
    assert err.value.source == str(path)
    assert messages(err) == ["not an Excel workbook (.xlsx); save it from the spreadsheet as an Excel workbook"]


def test_a_zip_that_is_not_a_workbook_and_a_zip_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A zip of anything else is not a workbook; one that unpacks to more than the limit is refused unread (the
    limit lowered here from 1,000 MiB, so that the test need not write a gigabyte)."""
    import footprint.scenario.formats.excelio as excelio

    path = tmp_path / "net.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(ScenarioError, match="not an Excel workbook"):
        read_source(path)
    monkeypatch.setattr(excelio, "MAX_UNPACKED_BYTES", 2**20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 2**20))  # compresses to a few KiB
    with pytest.raises(ScenarioError, match=r"the workbook unpacks to 3 MiB \(more than 1 MiB\)"):
        read_source(path)


def far_cell(book: Path, value: Any) -> Path:
    """``book`` with a cell at XFD1048576 of its plants sheet, the last of a sheet: its dimension then says
    A1:XFD1048576, 17 billion cells, for what is a 50 KB file. ``value`` None: a cell with a format alone."""
    def change(workbook: openpyxl.Workbook) -> None:
        cell = workbook["plants"]["XFD1048576"]
        cell.value = value
        cell.font = Font(bold=True)

    return edit(book, change)


def test_a_workbook_is_read_by_its_used_cells_alone(tmp_path: Path) -> None:
    """A value at XFD1048576 is a value in a column with no name, found at once (not after walking every cell the
    dimension spans: minutes and gigabytes; the deadline stops such a test); a cell there with a format and no
    value is nothing."""
    scenario = make(rich())
    book = far_cell(write_source(data_of(scenario), tmp_path / "net.xlsx"), None)
    with deadline(60):
        assert load_scenario(book, CHECKS) == scenario
        far_cell(book, "x")
        for command in (["validate", str(book)], ["run", str(book), "--no-store"],
                        ["convert", str(book), str(tmp_path / "net.yaml")]):
            result = invoke(*command)
            assert result.exit_code == 1, result.output
            assert (f"{book}, sheet plants, row 1048576, column 16384: a value ('x') in a column with no name; name "
                    "the column or clear the cell") in " ".join(result.output.split())
    assert not (tmp_path / "net.yaml").exists()


def test_a_table_whose_values_span_too_many_cells_is_refused_by_name(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A table is its header and rows up to the last value to the right: a stray value far out would make it
    billions of empty cells (the limit lowered here from 10 million, so that the test need not write them)."""
    import footprint.scenario.formats.tabular as tabular

    monkeypatch.setattr(tabular, "MAX_TABLE_CELLS", 1_000)
    scenario = make(rich())
    book = write_source(data_of(scenario), tmp_path / "net.xlsx")
    rows = openpyxl.load_workbook(book)["pools"].max_row
    edit(book, lambda workbook: workbook["pools"].cell(rows, 1_000, "x"))
    with pytest.raises(ScenarioError) as err:
        read_source(book)
    assert messages(err) == [f"{book}, sheet pools: its values span {rows:,} rows and 1,000 columns ({rows * 1000:,} "
                             "cells), more than a table may (1,000 cells); clear what is not part of the table (a "
                             "stray value far to the right or below)"]
    folder = write_source(data_of(scenario), tmp_path / "net")
    lanes = (folder / "lanes.csv").read_text(encoding="utf-8").splitlines()
    (folder / "lanes.csv").write_text("\n".join([lanes[0] + "," * 500, *lanes[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_source(folder)
    width = lanes[0].count(",") + 501
    assert messages(err) == [f"{folder}/lanes.csv: its values span {len(lanes) - 1:,} rows and {width:,} columns "
                             f"({(len(lanes) - 1) * width:,} cells), more than a table may (1,000 cells); clear what "
                             "is not part of the table (a stray value far to the right or below)"]


# --- growth series --------------------------------------------------------------------------------

def test_growth_series_values() -> None:
    """``from`` is the value in the horizon's first year unless from_year names another; x(1 + growth) a year."""
    growth = Growth.model_validate({"from": 100.0, "growth": 0.1})
    assert growth.over([2020, 2021, 2022]) == pytest.approx([100.0, 110.0, 121.0])
    dated = Growth.model_validate({"from": 100.0, "growth": 0.25, "from_year": 2021})
    assert dated.over([2020, 2021, 2022]) == pytest.approx([80.0, 100.0, 125.0])


@pytest.mark.parametrize(("series", "expected"), [
    ({"from": -1.0, "growth": 0.1}, "from: expected a number >= 0, found -1"),
    ({"from": 1.0, "growth": -1.0}, "growth: expected a number > -1, found -1"),
    ({"from": 1.0}, "expected a growth series {from, growth, from_year}: growth"),
    ({"from": 1.0, "growth": 0.1, "rate": 2}, "rate: unknown field"),
    ({"value": 1.0, 2020: 2.0}, "give one value for every year or a value per year, not both"),
])
def test_bad_growth_series_are_named(series: dict[str, Any], expected: str) -> None:
    data = scenario_data(plants=[plant("p")], capabilities=[capability("p")], markets=[market("us", series)])
    with pytest.raises(ScenarioError) as err:
        make(data)
    assert any(expected in message and "markets[us].demand.car" in message for message in messages(err)), \
        messages(err)


def growth_case() -> dict[str, Any]:
    """Two plants, one market, 2020-2022, no discounting, free freight.

    demand {from: 100, growth: 0.1}: 100, 110, 121.
    cheap (1 a unit): capacity {from: 100, growth: 0.05, from_year: 2021}: 100/1.05 = 95.238095, 100, 105.
    dear (3 a unit): plenty. cheap runs full, dear makes the rest: 4.761905, 10, 16.
    cost = 1 x (95.238095 + 100 + 105) + 3 x (4.761905 + 10 + 16) = 300.238095 + 92.285714 = 392.523810.
    """
    return scenario_data(
        start=2020, end=2022,
        plants=[plant("cheap", {"from": 100.0, "growth": 0.05, "from_year": 2021}), plant("dear", 1e6)],
        capabilities=[capability("cheap", local_cost=1.0), capability("dear", local_cost=3.0)],
        markets=[market("us", {"from": 100.0, "growth": 0.1})],
    )


def test_growth_series_in_the_model_solved_by_hand() -> None:
    plan = solved(growth_case())
    flows = flows_of(plan)
    assert [flows[("cheap", "us", year)] for year in (2020, 2021, 2022)] == pytest.approx([100 / 1.05, 100.0, 105.0])
    assert [flows[("dear", "us", year)] for year in (2020, 2021, 2022)] == pytest.approx([100 - 100 / 1.05, 10, 16])
    assert plan.objective == pytest.approx(1 * (100 / 1.05 + 205) + 3 * (100 - 100 / 1.05 + 26), rel=1e-9)
    assert plan.objective == pytest.approx(392.523810, rel=1e-8)
    assert_costs_match(plan)


def test_growth_of_a_penalty_and_a_price_solved_by_hand() -> None:
    """A lost sale costs {from: 2, growth: 1.0}: 2, 4, 8 against a unit cost of 5: 10 units lost in 2020 and 2021,
    served in 2022: 10 x 2 + 10 x 4 + 10 x 5 = 110. With a price {from: 4, growth: 0.5} (4, 6, 9) and profit as
    the objective, only 2021 and 2022 pay: (6 - 5) x 10 + (9 - 5) x 10 = 50."""
    data = scenario_data(start=2020, end=2022, plants=[plant("p")], capabilities=[capability("p", local_cost=5.0)],
                         markets=[market("us", 10.0, lost_sale_penalty={"car": {"from": 2.0, "growth": 1.0}})])
    plan = solved(data)
    assert plan.objective == pytest.approx(110.0)
    assert plan.demand["lost"].tolist() == pytest.approx([10.0, 10.0, 0.0])
    profit = scenario_data(start=2020, end=2022, plants=[plant("p")], capabilities=[capability("p", local_cost=5.0)],
                           markets=[market("us", 10.0, price={"car": {"from": 4.0, "growth": 0.5}})],
                           objective="maximize_profit")
    network = compile_network(make(profit))
    assert network.demand_price.tolist() == pytest.approx([4.0, 6.0, 9.0])
    assert solved(profit).objective == pytest.approx(50.0)


def test_growth_series_read_by_the_network() -> None:
    network = compile_network(make(growth_case()))
    assert network.demand_units.tolist() == pytest.approx([100.0, 110.0, 121.0])
    assert network.pool_capacity[0].tolist() == pytest.approx([100 / 1.05, 100.0, 105.0])


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx", ""])
def test_growth_series_in_every_format_solves_the_same(tmp_path: Path, suffix: str) -> None:
    scenario = make(growth_case())
    path = write_source(data_of(scenario), tmp_path / f"growth{suffix}")
    again = load_scenario(path, CHECKS)
    assert again == scenario
    assert isinstance(again.markets[0].demand["car"], Growth)
    assert solve(again).objective == pytest.approx(392.523810, rel=1e-8)


# --- the template ---------------------------------------------------------------------------------

def append_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Fill rows into a template's CSV file by its own header (as an analyst fills the columns)."""
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writerows(rows)


FILLED = {
    "products": [{"id": "car", "product_class": "8703"}],
    "plants": [{"id": "p", "country": "US", "currency": "USD"}],
    "pools": [{"plant": "p", "id": "main", "products": "car", "capacity.2026": 100, "capacity.2027": 120}],
    "capabilities": [{"plant": "p", "product": "car", "local_cost": 2}],
    "markets": [{"id": "us", "country": "US"}],
    "demand": [{"market": "us", "product": "car", "2026": 90, "2027": 130}],
    "lost_sale_penalty": [{"market": "us", "product": "car", "value": 50}],
    "lanes": [{"origin": "p", "destination": "us", "freight": 1}],
}
"""A template filled in: one plant of capacity 100 then 120, costing 2 a unit plus 1 of freight, for demand of 90
then 130; a lost sale costs 50. 2026: 90 x 3 = 270; 2027: 120 x 3 = 360 and 10 lost x 50 = 500; total 1130."""
FILLED_COST = 270.0 + 360.0 + 500.0


def test_csv_template_is_every_table_with_its_columns_and_notes(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "template", years=[2026, 2027])
    for t in tables():
        assert csv_rows(folder / f"{t.name}.csv") == []
        with open(folder / f"{t.name}.csv", encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == declared_columns(t, [2026, 2027])
    notes = csv_rows(folder / "notes.csv")
    described = {(row["table"], row["column"]): row for row in notes}
    assert all((t.name, name) in described for t in tables() for name in declared_columns(t, [2026, 2027]))
    assert described[("lanes", "origin")] == {"table": "lanes", "column": "origin", "kind": "text", "required": "yes",
                                              "meaning": "Where the goods leave: a supplier, a plant or a facility."}
    assert described[("scenario", "horizon.start")]["kind"] == "whole number"
    assert described[("markets", "customs_basis")]["kind"] == "one of fob, cif"
    with pytest.raises(ScenarioError) as err:
        read_scenario(folder, CHECKS)
    assert messages(err) == [
        f"{folder}/scenario.yaml:3: name: expected text, found None",
        f"{folder}/scenario.yaml:7: horizon.start: expected a year, found None",
        f"{folder}/scenario.yaml:8: horizon.end: expected a year, found None",
        *(f"{folder}/{name}.csv: {name}: missing; this section is required"
          for name in ("products", "plants", "capabilities", "markets")),
    ]


def test_filled_csv_template_solves_by_hand(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "template", years=[2026, 2027])
    rest = (folder / "scenario.yaml").read_text(encoding="utf-8")
    rest = rest.replace("name:  #", "name: filled  #").replace("  start:  #", "  start: 2026  #")
    (folder / "scenario.yaml").write_text(rest.replace("  end:  #", "  end: 2027  #"), encoding="utf-8")
    for name, rows in FILLED.items():
        append_rows(folder / f"{name}.csv", rows)
    plan = solve(load_scenario(folder, CHECKS))
    assert plan.objective == pytest.approx(FILLED_COST)


def test_excel_template_describes_columns_and_lists_ids(tmp_path: Path) -> None:
    book = write_template(tmp_path / "template.xlsx", years=[2026, 2027])
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["scenario", *(t.name for t in tables()), "notes"]
    lanes = workbook["lanes"]
    assert [cell.value for cell in lanes[1]] == ["origin", "destination", "freight", "transit_days", "currency",
                                                 "distance_km"]
    modes = workbook["modes"]  # a lane's modes: a sheet of their own, each naming its lane
    assert [cell.value for cell in modes[1]] == ["origin", "destination", "mode", "cost", "cost_per_km",
                                                 "transit_days", "fixed_cost"]
    assert modes["C1"].comment.text.startswith("sea, rail, road or air")
    assert lanes["A1"].comment.text == "Where the goods leave: a supplier, a plant or a facility.\ntext; required"
    pools = {str(v.sqref): v.formula1 for v in workbook["pools"].data_validations.dataValidation}
    assert pools["A2:A1048576"] == "'plants'!$A$2:$A$1048576"
    options = {str(v.sqref): v.formula1 for v in workbook["options"].data_validations.dataValidation}
    assert options["C2:C1048576"] == "'pools'!$B$2:$B$1048576"  # a pool's id is the second column of pools
    markets = {str(v.sqref): v.formula1 for v in workbook["markets"].data_validations.dataValidation}
    assert markets == {"I2:I1048576": '"fob,cif"'}
    assert [cell.value for cell in workbook["demand"][1]] == ["market", "product", "value", "2026", "2027", "from",
                                                              "growth"]
    fields = [row[0] for row in workbook["scenario"].iter_rows(min_row=2, values_only=True)]
    assert fields[:5] == ["name", "description", "currency", "horizon.start", "horizon.end"]
    notes = list(workbook["notes"].iter_rows(values_only=True))
    assert notes[0] == ("table", "column", "kind", "required", "meaning")
    assert ("pools", "capacity.2026", "number", None, "Base capacity, units per year (one value or per year): the "
            "value in 2026.") in notes


def test_filled_excel_template_solves_by_hand(tmp_path: Path) -> None:
    book = write_template(tmp_path / "template.xlsx", years=[2026, 2027])
    workbook = openpyxl.load_workbook(book)
    settings = {"name": "filled", "horizon.start": 2026, "horizon.end": 2027}
    for row in workbook["scenario"].iter_rows(min_row=2):
        if row[0].value in settings:
            row[1].value = settings[row[0].value]
    for name, rows in FILLED.items():
        sheet = workbook[name]
        header = [cell.value for cell in sheet[1]]
        for row in rows:
            sheet.append([row.get(column_name) for column_name in header])
    workbook.save(book)
    assert solve(load_scenario(book, CHECKS)).objective == pytest.approx(FILLED_COST)


def test_template_refuses_to_overwrite_and_names_no_yaml(tmp_path: Path) -> None:
    book = write_template(tmp_path / "template.xlsx")
    with pytest.raises(ScenarioError, match="already exists"):
        write_template(book)
    with pytest.raises(ScenarioError, match="a template is a workbook"):
        write_template(tmp_path / "template.yaml")


# --- convert --------------------------------------------------------------------------------------

CASES = ("rogue-2012", "rogue-2012/strong-won", "rogue-2012/hindsight", "rogue-2026", "rogue-2026/s232")


@pytest.mark.parametrize("case", CASES)
def test_bundled_cases_convert_yaml_excel_csv_yaml_without_loss(tmp_path: Path, case: str) -> None:
    """Every figure of the cases keeps its source, range and assumption through each form."""
    scenario = load_scenario(case_path(case), CHECKS)  # type: ignore[arg-type]
    convert(case_path(case), tmp_path / "case.xlsx", CHECKS)  # type: ignore[arg-type]
    convert(tmp_path / "case.xlsx", tmp_path / "case", CHECKS)
    convert(tmp_path / "case", tmp_path / "case.yaml", CHECKS)
    for path in ("case.xlsx", "case", "case.yaml"):
        assert load_scenario(tmp_path / path, CHECKS) == scenario, path
        assert read_source(tmp_path / path).data == data_of(scenario), path


def test_convert_refuses_to_overwrite(tmp_path: Path) -> None:
    source = write_source(data_of(make(small_network_data())), tmp_path / "net.yaml")
    target = write_source(data_of(make(small_network_data())), tmp_path / "net.xlsx")
    before = target.read_bytes()
    with pytest.raises(ScenarioError, match="already exists"):
        convert(source, target)
    assert target.read_bytes() == before
    convert(source, target, overwrite=True)
    assert load_scenario(target, CHECKS) == make(small_network_data())


def test_convert_never_overwrites_an_input(tmp_path: Path) -> None:
    """Not the input itself, not a folder holding it, not a variant's base, even with overwrite."""
    source = write_source(data_of(make(small_network_data())), tmp_path / "net.yaml")
    for target in (source, tmp_path):
        with pytest.raises(ScenarioError, match="is an input of the conversion"):
            convert(source, target, overwrite=True)
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: net.yaml\ndiscount_rate: 0.05\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"is an input of the conversion \(.*net.yaml\)"):
        convert(variant, source, overwrite=True)
    folder = write_source(data_of(make(small_network_data())), tmp_path / "net")
    with pytest.raises(ScenarioError, match="is an input of the conversion"):
        convert(folder, folder, overwrite=True)
    assert load_scenario(source, CHECKS) == make(small_network_data())


def test_convert_of_an_invalid_scenario_writes_nothing(tmp_path: Path) -> None:
    data = small_network_data()
    data["lanes"][0]["freight"] = -1.0
    source = write_source(data, tmp_path / "bad.yaml")
    with pytest.raises(ScenarioError, match=r"lanes\[detroit/us\].freight: expected a number >= 0"):
        convert(source, tmp_path / "bad.xlsx")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.yaml"]


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails leaves what was there and no temporary; a folder written over holds only the new files."""
    import footprint.scenario.formats.csvio as csvio
    import footprint.scenario.formats.excelio as excelio

    data = data_of(make(small_network_data()))
    folder = write_source(data, tmp_path / "net")
    (folder / "stale.txt").write_text("old", encoding="utf-8")
    book = write_source(data, tmp_path / "net.xlsx")
    before = book.read_bytes()

    def half_written(tabled: Any, target: Path, *rest: Any) -> None:
        (target / "products.csv" if target.is_dir() else target).write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(csvio, "write_csv_folder", half_written)
    monkeypatch.setattr(excelio, "write_scenario_workbook", half_written)
    for target in (folder, book):
        with pytest.raises(OSError, match="disk full"):
            write_source(data, target, overwrite=True)
    assert book.read_bytes() == before
    assert (folder / "stale.txt").exists()
    assert load_scenario(folder, CHECKS) == make(small_network_data())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["net", "net.xlsx"]
    monkeypatch.undo()
    write_source(data, folder, overwrite=True)
    assert not (folder / "stale.txt").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["net", "net.xlsx"]


@pytest.mark.parametrize("name", ["net.json", "net.csv"])
def test_write_names_the_formats_it_knows(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScenarioError, match=r"name a .yaml file, a .xlsx workbook or a folder \(for CSV files\)"):
        write_source(data_of(make(small_network_data())), tmp_path / name)


def test_save_scenario_writes_any_format(tmp_path: Path) -> None:
    scenario = make(rich())
    for name in ("net.yaml", "net.xlsx", "net"):
        save_scenario(scenario, tmp_path / name)
        save_scenario(scenario, tmp_path / name)  # replaces what is there
        assert load_scenario(tmp_path / name, CHECKS) == scenario


# --- a Plan as a workbook -------------------------------------------------------------------------

def test_plan_workbook_has_a_summary_and_every_table(tmp_path: Path) -> None:
    plan = solved(small_network_data())
    path = write_workbook(plan, tmp_path / "plan.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == [SUMMARY_SHEET, *TABLES]
    for name, columns in TABLES.items():
        assert tuple(sheets[name].columns) == columns  # no index column
        table = plan.tables[name]
        expected = table.astype({c: object for c in columns if not pd.api.types.is_numeric_dtype(table[c])})
        assert len(sheets[name]) == len(table)
        if len(table):
            pd.testing.assert_frame_equal(sheets[name], expected.reset_index(drop=True), check_dtype=False)
    summary = dict(zip(sheets[SUMMARY_SHEET]["field"], sheets[SUMMARY_SHEET]["value"], strict=True))
    assert float(summary["objective"]) == pytest.approx(plan.objective)
    assert summary["status"] == "optimal"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]  # no temporary left


def test_plan_workbook_refuses_a_table_longer_than_a_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import footprint.plan.workbook as workbook

    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", 4)
    with pytest.raises(PlanWorkbookError, match="table flows has 6 rows, more than an Excel sheet holds"):
        write_workbook(solved(small_network_data()), tmp_path / "plan.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    names = [sheet_name(name, taken) for name in ("costs", "Costs", "a/b:c*d?[e]", "x" * 40, "x" * 40, "'")]
    assert names == ["costs", "Costs (2)", "a_b_c_d__e_", "x" * 31, "x" * 27 + " (2)", "sheet"]
    assert all(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) for name in names)


# --- reading anything raises nothing but ScenarioError --------------------------------------------

@given(content=st.binary(max_size=400) | st.sampled_from([b"PK\x03\x04" + bytes(30), b"PK\x05\x06" + bytes(18)]))
@settings(max_examples=60)
def test_any_bytes_as_a_workbook_raise_only_scenario_errors(tmp_path_factory: pytest.TempPathFactory,
                                                             content: bytes) -> None:
    path = tmp_path_factory.mktemp("book") / "net.xlsx"
    path.write_bytes(content)
    with pytest.raises(ScenarioError):
        read_source(path)


@given(text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
       table=st.sampled_from(["products", "pools", "demand", "lanes", "agreements"]))
@settings(max_examples=80)
def test_any_text_as_a_csv_table_raises_only_scenario_errors(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                             table: str) -> None:
    """Whatever a CSV file holds, the folder reads (and validates) or gives problems of one line each."""
    folder = tmp_path_factory.mktemp("csv") / "net"
    write_source(data_of(make(small_network_data())), folder)
    (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    problems: list[str] = []
    try:
        read_scenario(folder, CHECKS)
    except ScenarioError as err:
        problems = [str(problem) for problem in err.problems]
    assert all(problem and "\n" not in problem for problem in problems)


CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.sampled_from(["{}", "=1+1", "#N/A", "", " "]),
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=10))


@cache
def rich_workbook() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_source(data_of(make(rich())), Path(folder) / "net.xlsx").read_bytes()


@given(edits=st.lists(st.tuples(st.sampled_from(["scenario", "plants", "pools", "demand", "lanes", "tariffs"]),
                                st.integers(1, 5), st.integers(1, 8), CELLS), min_size=1, max_size=6))
@settings(max_examples=40)
def test_any_cells_in_a_workbook_raise_only_scenario_errors(tmp_path_factory: pytest.TempPathFactory,
                                                            edits: list[tuple[str, int, int, Any]]) -> None:
    """Cells of any type anywhere (headers too): the workbook reads (and validates) or gives problems of one line."""
    book = tmp_path_factory.mktemp("book") / "net.xlsx"
    book.write_bytes(rich_workbook())

    def change(workbook: openpyxl.Workbook) -> None:
        for sheet, row, col, value in edits:
            workbook[sheet].cell(row, col).value = value

    edit(book, change)
    problems: list[str] = []
    try:
        read_scenario(book, CHECKS)
    except ScenarioError as err:
        problems = [str(problem) for problem in err.problems]
    assert all(problem and "\n" not in problem for problem in problems)


# --- property: YAML -> Excel -> CSV -> YAML is the identity ---------------------------------------

COUNTRIES = {"US": "USD", "KR": "KRW", "JP": "JPY", "MX": "MXN", "DE": "EUR"}
TEXTS = st.sampled_from(["Nissan release, 2012-07-10", 'a "quoted" source, with a comma', "=SUM(A1:A3)", "#N/A",
                         "8703", "true", "line one\nline two", "ünïcödé ✓ 価格", "{}", "- a dash", "50%"]) | st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12).map(
    str.strip).filter(bool)


def amounts(high: int = 10_000, low: int = 0) -> st.SearchStrategy[float]:
    """Numbers with cents: at most 15 significant digits, what a spreadsheet keeps."""
    return st.integers(low * 100, high * 100).map(lambda cents: cents / 100)


@st.composite
def numbers(draw: st.DrawFn, high: int = 10_000, low: int = 0) -> Any:
    """A plain number, or a figure with some of its provenance."""
    cents = draw(st.integers(low * 100, high * 100))
    if draw(st.booleans()):
        return cents / 100
    figure: dict[str, Any] = {"value": cents / 100}
    if draw(st.booleans()):  # a range in whole cents too
        figure["low"] = max(0, cents - draw(st.integers(0, 10_000))) / 100
        figure["high"] = (cents + draw(st.integers(0, 10_000))) / 100
    for key in ("source", "assumption"):
        if draw(st.booleans()):
            figure[key] = draw(TEXTS)
    return figure


@st.composite
def series(draw: st.DrawFn, years: list[int], *, every_year: bool = False, low: int = 0) -> Any:
    """One number, a number per year (some years only, unless every_year), or a start and growth."""
    form = draw(st.sampled_from(["one", "years", "growth"]))
    if form == "one":
        return draw(numbers(low=low))
    if form == "years":
        chosen = years if every_year else draw(st.lists(st.sampled_from(years), min_size=1, unique=True))
        return {year: draw(numbers(low=low)) for year in sorted(chosen)}
    growth: dict[str, Any] = {"from": draw(numbers(low=low)), "growth": draw(st.integers(-30, 30)) / 100}
    if draw(st.booleans()):
        growth["from_year"] = draw(st.sampled_from(years))
    return growth


def maybe(draw: st.DrawFn, entry: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        entry[key] = draw(strategy)


PLACES = st.builds(lambda lat, lon: {"lat": lat / 10, "lon": lon / 10}, st.integers(-900, 900),
                   st.integers(-1800, 1800))


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario of every kind of entity: products, plants with pools, capabilities with sourcing,
    options, markets with demand, prices and penalties (figures, ranges, sources, growth), lanes, tariffs,
    an agreement with members and rates. Every demand may go unserved at a penalty, so every one solves."""
    start = 2020
    years = list(range(start, start + draw(st.integers(1, 3))))
    countries = list(COUNTRIES)
    products = [product(f"p{i}", draw(st.sampled_from(["8703", "8704"]))) for i in range(draw(st.integers(1, 2)))]
    for entry in products:
        maybe(draw, entry, "platform", TEXTS)
    ids = [entry["id"] for entry in products]
    plants, capabilities = [], []
    for i in range(draw(st.integers(1, 2))):
        country = draw(st.sampled_from(countries))
        pools = [pool(f"q{j}", draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)),
                      draw(series(years, every_year=True))) for j in range(draw(st.integers(1, 2)))]
        entry = plant(f"a{i}", country=country, currency=COUNTRIES[country], pools=pools)
        maybe(draw, entry, "location", PLACES)
        maybe(draw, entry, "port", st.builds(lambda name, place: {"name": name, **place}, TEXTS, PLACES))
        maybe(draw, entry, "operating_years", st.sampled_from([{"start": start}, {"end": years[-1]}]))
        maybe(draw, entry, "fixed_cost", numbers())
        plants.append(entry)
        for made in sorted({name for q in pools for name in q["products"]}):
            if not draw(st.booleans()):
                continue
            cap = capability(entry["id"], made, draw(numbers()))
            if draw(st.booleans()):
                cap |= {"imported_cost": draw(numbers(low=1)), "imported_currency": "USD", "imported_origin": "US"}
            maybe(draw, cap, "launch_cost", numbers())
            maybe(draw, cap, "min_volume", amounts(5))
            maybe(draw, cap, "in_production", st.booleans())
            maybe(draw, cap, "content", st.dictionaries(st.sampled_from(countries), amounts(0).map(lambda _: 0.0)
                                                        | st.integers(0, 50).map(lambda i: i / 100), max_size=2))
            if draw(st.booleans()):
                cap["sourcing"] = [{"id": "s0", "share": draw(st.integers(0, 100)) / 100,
                                    "origin": draw(st.sampled_from(countries)), "extra_cost": draw(numbers())}]
            capabilities.append(cap)
    if not capabilities:
        capabilities.append(capability(plants[0]["id"], plants[0]["pools"][0]["products"][0], draw(numbers())))
    options = []
    for k in range(draw(st.integers(0, 2))):
        owner = draw(st.sampled_from(plants))
        option = {"id": f"o{k}", "plant": owner["id"], "pool": draw(st.sampled_from(owner["pools"]))["id"],
                  "capacity": draw(numbers(low=1)), "capex": draw(numbers())}
        maybe(draw, option, "currency", st.just("USD"))
        maybe(draw, option, "earliest_year", st.sampled_from(years))
        options.append(option)
    markets = []
    for k in range(draw(st.integers(1, 2))):
        country = draw(st.sampled_from(countries))
        demanded = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        entry = {"id": f"m{k}", "country": country,
                 "demand": {name: draw(series(years)) for name in demanded},
                 "lost_sale_penalty": {name: draw(series(years, every_year=True, low=1)) for name in demanded}}
        maybe(draw, entry, "currency", st.just(COUNTRIES[country]))
        maybe(draw, entry, "price", st.just({demanded[0]: draw(series(years))}))
        maybe(draw, entry, "customs_basis", st.sampled_from(["fob", "cif"]))
        maybe(draw, entry, "location", PLACES)
        markets.append(entry)
    lanes = [lane(p["id"], m["id"], draw(numbers(100))) for p in plants for m in markets if draw(st.booleans())]
    for entry in lanes:
        maybe(draw, entry, "currency", st.just("USD"))
    agreements = []
    if draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(countries), min_size=2, max_size=3, unique=True))
        agreement: dict[str, Any] = {"id": "fta", "members": [{"country": c} for c in members],
                                     "regional_value_content": draw(st.integers(0, 100)) / 100}
        if draw(st.booleans()):
            agreement["members"][1]["from_date"] = dt.date(start, draw(st.integers(1, 12)), 1)
        maybe(draw, agreement, "name", TEXTS)
        maybe(draw, agreement, "rates", st.just([{"product_class": products[0]["product_class"], "rate": 0.0,
                                                  "from_year": start}]))
        agreements.append(agreement)
    keys = draw(st.lists(st.tuples(st.sampled_from([*countries, "*"]), st.sampled_from([m["country"] for m in markets]),
                                   st.sampled_from(["8703", "8704"])), max_size=3, unique=True))
    tariffs = [{"origin": origin, "destination": destination, "product_class": kind,
                "rate": draw(st.integers(0, 30)) / 100} for origin, destination, kind in keys]
    for tariff in tariffs:
        maybe(draw, tariff, "from_year", st.sampled_from(years))
    if agreements and draw(st.booleans()):
        tariffs.append({"origin": "*", "destination": markets[0]["country"], "product_class": "8703", "rate": 0.25,
                        "additional": True, "measure": "s232",
                        "relief": {"agreement": "fta", "dutiable_content_outside": [countries[0]]}})
    used = {p["currency"] for p in plants} | {m.get("currency", "USD") for m in markets} | {"USD"}
    fx = {currency: draw(numbers(2000, 1) | st.just({year: float(year - 2000) for year in years}))
          for currency in sorted(used - {"USD"})}
    return scenario_data(start=start, end=years[-1], products=products, plants=plants, capabilities=capabilities,
                         markets=markets, options=options, lanes=lanes, tariffs=tariffs, agreements=agreements,
                         fx=fx, default_freight=draw(st.none() | amounts(50)),
                         discount_rate=draw(numbers(0) | st.just({"value": 0.08, "low": 0.05, "high": 0.1,
                                                                  "assumption": "WACC"})))


ROUND_TRIP_EXAMPLES = 100


@pytest.mark.slow  # about 30 s: 100 examples, each written and read in three forms and solved four times
@given(data=scenarios())
@settings(max_examples=ROUND_TRIP_EXAMPLES)
def test_yaml_excel_csv_yaml_is_the_identity(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> None:
    """Each form of a random valid scenario validates to the same Scenario, reads as the same data, and solves to
    the same objective."""
    scenario = make(data)
    folder = tmp_path_factory.mktemp("forms")
    first = write_source(data_of(scenario), folder / "net.yaml")
    convert(first, folder / "net.xlsx")
    convert(folder / "net.xlsx", folder / "net")
    convert(folder / "net", folder / "back.yaml")
    forms = [load_scenario(folder / name, CHECKS) for name in ("net.xlsx", "net", "back.yaml")]
    assert all(form == scenario for form in forms)
    assert all(read_source(folder / name).data == data_of(scenario) for name in ("net.xlsx", "net", "back.yaml"))
    objective = solve(scenario).objective
    assert all(solve(form).objective == pytest.approx(objective, rel=1e-9, abs=1e-9) for form in forms)


# --- speed ----------------------------------------------------------------------------------------

def large_network(n_markets: int = 1000, n_plants: int = 100, lanes_per_plant: int = 100) -> dict[str, Any]:
    """1,000 markets (each demanding two of four products over five years, one per year, one by growth) and
    10,000 listed lanes from 100 plants."""
    years = range(2025, 2030)
    products = [product(f"p{i}") for i in range(4)]
    plants = [plant(f"plant{p}", dict.fromkeys(years, 100000.0 + p), products=tuple(f"p{i}" for i in range(4)))
              for p in range(n_plants)]
    capabilities = [capability(f"plant{p}", f"p{i}", 100.0 + p) for p in range(n_plants) for i in range(4)]
    markets = [{"id": f"m{k}", "country": "US",
                "demand": {f"p{k % 4}": {year: 10.0 + year - 2025 for year in years},
                           f"p{(k + 1) % 4}": {"from": 50.0, "growth": 0.03}},
                "lost_sale_penalty": {f"p{k % 4}": 1000.0, f"p{(k + 1) % 4}": 1000.0}} for k in range(n_markets)]
    lanes = [lane(f"plant{p}", f"m{(p * lanes_per_plant + j) % n_markets}", float(j % 7))
             for p in range(n_plants) for j in range(lanes_per_plant)]
    return scenario_data(start=2025, end=2029, products=products, plants=plants, capabilities=capabilities,
                         markets=markets, lanes=lanes, default_freight=None)


def _python_calls(work: Callable[[], Any]) -> tuple[int, Any]:
    """How many Python function calls ``work`` makes, and its result: a measure of work that, unlike time, does
    not depend on the machine or on what else it runs."""
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        result = work()
    finally:
        sys.setprofile(None)
    return calls, result


def test_loading_from_csv_takes_work_in_proportion_to_the_network(tmp_path: Path) -> None:
    """Read and validate (every check) 100 markets and 1,000 lanes, then ten times as many: ten times the work,
    within a margin, and a bounded number of calls per lane (no step that grows with the square of the network).
    benchmarks/load.py times it."""
    small = write_source(large_network(n_markets=100, n_plants=10), tmp_path / "small")
    large = write_source(large_network(), tmp_path / "large")
    small_calls, _ = _python_calls(lambda: read_scenario(small, CHECKS))
    large_calls, loaded = _python_calls(lambda: read_scenario(large, CHECKS))
    assert len(loaded.scenario.lanes) == 10_000
    assert len(loaded.scenario.markets) == 1_000
    assert large_calls < 12 * small_calls, (small_calls, large_calls)
    assert large_calls < 100 * len(loaded.scenario.lanes), large_calls
