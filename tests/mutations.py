"""Seeded mutations of scenario files, for the fuzz tests: broken values, shapes and bytes.

Each mutation of a YAML file (a scenario or a scenario set) takes its plain data, its text and a
random generator and returns the bytes of a file that may or may not still be valid; each mutation
of a table (a CSV folder, a workbook) changes the files in place. The values are those that broke
footprint once: numbers too large for the solver, true/false for numbers, NaN, control
characters, paths where names belong, alias bombs, deep nesting.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

JUNK: list[Any] = [
    None, "", "x", -1, 0, 0.5, 1e308, -1e308, 1e16, 2.5e15, True, False, "nan", "inf", "-inf", [], {}, [1, 2],
    {"value": "nan"}, {"value": 1, "low": "nan"}, {"value": 1, "high": 0}, {"from": 5, "growth": 0.1},
    "../../../etc/passwd", "/proc/self/mem", "a\x00b", "\x1b[31mred\x1b[0m", "[bold]x[/bold]", "2025-deal",
    "EU", "XX", "zz", "ecb", 10**400, "1e400", {"2020": 5}, {2020: -1}, {"x": {"y": {"z": [1]}}}, "é" * 50,
    "2012-13-45", 2200, 1899, 3.5, 10_000, -0.0,
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _dump(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def replace_value(data: Any, text: str, rng: random.Random) -> bytes:
    data = copy.deepcopy(data)
    path = rng.choice(_paths(data)[1:])
    _parent(data, path)[path[-1]] = copy.deepcopy(rng.choice(JUNK))
    return _dump(data)


def delete_key(data: Any, text: str, rng: random.Random) -> bytes:
    data = copy.deepcopy(data)
    path = rng.choice(_paths(data)[1:])
    parent = _parent(data, path)
    del parent[path[-1]]
    return _dump(data)


def duplicate_entry(data: Any, text: str, rng: random.Random) -> bytes:
    data = copy.deepcopy(data)
    lists = [path for path in _paths(data) if isinstance(_get(data, path), list) and _get(data, path)]
    path = rng.choice(lists)
    entries = _get(data, path)
    entries.append(copy.deepcopy(rng.choice(entries)))
    return _dump(data)


def rename_reference(data: Any, text: str, rng: random.Random) -> bytes:
    """A typo in one of the names the file uses (an id, a plant, a product, a part, a lane's end, or a part a bill
    of materials names)."""
    data = copy.deepcopy(data)
    names = [path for path in _paths(data)[1:] if isinstance(_get(data, path), str) and path[-1] in
             ("id", "plant", "product", "market", "pool", "agreement", "currency", "country", "regime", "extends",
              "component", "origin", "destination")]
    bills = [path for path in _paths(data)[1:] if path[-1] == "bom" and isinstance(_get(data, path), dict)
             and _get(data, path)]
    if not names and not bills:
        return _dump(data)
    path = rng.choice(names + bills)
    if path in bills:  # a bill's part renamed: its key
        bill = _get(data, path)
        name = rng.choice(sorted(bill))
        bill[name + "x"] = bill.pop(name)
        return _dump(data)
    value = _get(data, path)
    _parent(data, path)[path[-1]] = value[:-1] + chr(ord(value[-1]) + 1) if value else "x"
    return _dump(data)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def delete_line(data: Any, text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    del lines[rng.randrange(len(lines))]
    return "".join(lines).encode("utf-8")


def duplicate_line(data: Any, text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    lines.insert(at, lines[at])
    return "".join(lines).encode("utf-8")


def shift_indent(data: Any, text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    lines[at] = (" " * rng.choice([1, 2, 3])) + lines[at] if rng.random() < 0.5 else lines[at].lstrip(" ")
    return "".join(lines).encode("utf-8")


def flip_bytes(data: Any, text: str, rng: random.Random) -> bytes:
    raw = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 8)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


def truncate(data: Any, text: str, rng: random.Random) -> bytes:
    raw = text.encode("utf-8")
    return raw[:rng.randrange(len(raw))]


def alias_bomb(data: Any, text: str, rng: random.Random) -> bytes:
    """Nine levels of nine aliases (387 million entries if expanded) in place of one field."""
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}]\n" for i in range(1, 9))
    field = rng.choice(["name", "description", "regime", "currency"])
    return (text.replace(f"\n{field}:", f"\nignored_{field}:", 1) + bomb + f"{field}: *a8\n").encode("utf-8")


def deep_nesting(data: Any, text: str, rng: random.Random) -> bytes:
    depth = rng.choice([200, 5_000, 100_000])
    return (text + "description: " + "[" * depth + "]" * depth + "\n").encode("utf-8")


MUTATIONS: list[Callable[[Any, str, random.Random], bytes]] = [
    replace_value, replace_value, replace_value, delete_key, duplicate_entry, rename_reference, rename_reference,
    delete_line, duplicate_line, shift_indent, flip_bytes, truncate, alias_bomb, deep_nesting,
]


# --- scenario sets ------------------------------------------------------------------------------

SET_PATHS = ["regime", "fx.KRW", "fx.JPY", "markets[us].demand.rogue", "markets[us].demand.rogue.2014",
             "plants[busan].fixed_cost", "growth:markets[us].demand.rogue", "tariffs[0].rate", "nowhere[x].y",
             "markets[us]", "horizon.end", "name"]
SET_VALUES: list[Any] = [*JUNK, 2012, "2012", "2025-deals", "2025-s232", "none", 5e-324, 1e-300, 1e15,
                         {2014: 1e-300}, {2014: 900, 2015: "x"}, "a\x07b", ":x:", 1.5, 0.2, 150000]


def set_override(data: Any, text: str, rng: random.Random) -> bytes:
    """Listed futures (a factor of the product) or the shared values setting a path (a regime, a rate, a demand,
    something that is not there) to some value; now and then two futures that set the same."""
    data = copy.deepcopy(data)
    if not isinstance(data, dict):
        return _dump(data)
    path, value = rng.choice(SET_PATHS), copy.deepcopy(rng.choice(SET_VALUES))
    if rng.random() < 0.3:
        data["set"] = {**(data.get("set") if isinstance(data.get("set"), dict) else {}), path: value}
    elif rng.random() < 0.5:
        data["futures"] = [{"name": "fuzzed", "probability": 1, "set": {path: value}}]
    else:
        data["futures"] = [{"name": f"fuzzed{i}", "probability": 0.5, "set": {path: value}} for i in (1, 2)]
    return _dump(data)


SET_MUTATIONS: list[Callable[[Any, str, random.Random], bytes]] = [*MUTATIONS, *[set_override] * 4]


# --- tables: a CSV folder, a workbook ----------------------------------------------------------------

CELLS: list[Any] = [
    "", " ", "x", "-1", "0", "1e400", "nan", "inf", "-inf", "TRUE", "false", "2012-13-45", "2026-01-01", "=1/0",
    "#N/A", ":x:", "[bold]x[/bold]", "[/x]", "a\x07b", "\x1b[31mred", "é" * 50, "1,5", "{}", "[1, 2]", "9" * 400,
    "../../etc/passwd", "2012", "8703", "1e15", "1e16", "-0", "  5  ", "2025-deals", "none", "us", "car", "KRW",
]
"""Cell texts as a spreadsheet or an editor may leave them (a CSV cell is text)."""
TYPED_CELLS: list[Any] = [
    *[cell for cell in CELLS if "\x07" not in cell and "\x1b" not in cell],  # a workbook cannot hold those
    1e308, -1e308, 10**20, -0.0, 0.5, 2012, True, False, dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31, 23, 59),
    dt.date(2020, 2, 29), dt.time(12, 30), "=SUM(A1:A3)", "#DIV/0!", None,
]
"""Cells of a workbook: typed as a spreadsheet types them (numbers, dates, true and false, formulas, errors)."""


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8", errors="replace"), newline="")))


def _write_csv_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def csv_cell(folder: Path, rng: random.Random) -> None:
    """One cell of a table, the header too, set to some text (past the row's end, now and then)."""
    path = rng.choice(sorted(folder.glob("*.csv")))
    rows = _csv_rows(path) or [[]]
    row = rng.choice(rows)
    column = rng.randrange(len(row) + 2)
    row.extend([""] * (column + 1 - len(row)))
    row[column] = rng.choice(CELLS)
    _write_csv_rows(path, rows)


def csv_rows_and_columns(folder: Path, rng: random.Random) -> None:
    """A row or a column of a table deleted or written twice, or a value far to the right or below."""
    path = rng.choice(sorted(folder.glob("*.csv")))
    rows = _csv_rows(path)
    if not rows:
        return
    what = rng.choice(["delete row", "repeat row", "delete column", "far right", "far below"])
    at = rng.randrange(len(rows))
    if what == "delete row":
        del rows[at]
    elif what == "repeat row":
        rows.insert(at, list(rows[at]))
    elif what == "delete column":
        column = rng.randrange(max(len(rows[0]), 1))
        rows = [row[:column] + row[column + 1:] for row in rows]
    elif what == "far right":
        rows[at] = [*rows[at], *[""] * rng.choice([10, 1_000, 20_000]), rng.choice(CELLS) or "x"]
    else:
        rows.extend([[]] * rng.choice([10, 10_000]) + [["x"]])
    _write_csv_rows(path, rows)


def csv_bytes(folder: Path, rng: random.Random) -> None:
    """A table's file with bytes flipped, cut short, emptied, or its rest (scenario.yaml) so."""
    path = rng.choice(sorted(folder.iterdir()))
    raw = bytearray(path.read_bytes())
    if not raw or rng.random() < 0.2:
        path.write_bytes(b"")
        return
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        path.write_bytes(bytes(raw))
    else:
        path.write_bytes(bytes(raw[:rng.randrange(len(raw))]))


def _edit_workbook(book: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    workbook = openpyxl.load_workbook(book)
    change(workbook)
    workbook.save(book)


def xlsx_cell(book: Path, rng: random.Random) -> None:
    """One cell of a sheet (its header too, or just past its end) set to a typed value."""
    def change(workbook: openpyxl.Workbook) -> None:
        sheet = rng.choice(workbook.worksheets)
        cell = sheet.cell(rng.randint(1, sheet.max_row + 1), rng.randint(1, sheet.max_column + 1))
        cell.value = copy.deepcopy(rng.choice(TYPED_CELLS))

    _edit_workbook(book, change)


def xlsx_far_cell(book: Path, rng: random.Random) -> None:
    """A cell anywhere up to XFD1048576 (the sheet's dimension then spans billions of cells): a value, or only a
    format."""
    def change(workbook: openpyxl.Workbook) -> None:
        sheet = rng.choice(workbook.worksheets)
        row = rng.choice([1, 2, 1_048_576, rng.randint(1, 1_048_576)])
        column = rng.choice([1, 16_384, rng.randint(1, 16_384)])
        cell = sheet[f"{get_column_letter(column)}{row}"]
        if rng.random() < 0.5:
            cell.value = copy.deepcopy(rng.choice(TYPED_CELLS))
        cell.font = Font(bold=True)

    _edit_workbook(book, change)


def xlsx_structure(book: Path, rng: random.Random) -> None:
    """A sheet renamed, deleted or added; rows or columns inserted or deleted; cells merged."""
    def change(workbook: openpyxl.Workbook) -> None:
        sheet = rng.choice(workbook.worksheets)
        what = rng.choice(["rename", "delete", "add", "insert rows", "delete rows", "delete columns", "merge"])
        if what == "rename":
            sheet.title = rng.choice(["Plants", "plants ", "Sheet1", "x" * 31, "scenario", "notes"])
        elif what == "delete" and len(workbook.worksheets) > 1:
            workbook.remove(sheet)
        elif what == "add":
            workbook.create_sheet(rng.choice(["lanes", "Sheet2", "scratch"]))
        elif what == "insert rows":
            sheet.insert_rows(rng.randint(1, sheet.max_row + 1), rng.randint(1, 3))
        elif what == "delete rows":
            sheet.delete_rows(rng.randint(1, sheet.max_row), rng.randint(1, 3))
        elif what == "delete columns":
            sheet.delete_cols(rng.randint(1, sheet.max_column))
        else:
            top, left = rng.randint(1, sheet.max_row), rng.randint(1, sheet.max_column)
            sheet.merge_cells(start_row=top, start_column=left, end_row=top + 1, end_column=left + 1)

    _edit_workbook(book, change)


def xlsx_bytes(book: Path, rng: random.Random) -> None:
    """The workbook's bytes flipped or cut short (a broken zip, or a part of it)."""
    raw = bytearray(book.read_bytes())
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        book.write_bytes(bytes(raw))
    else:
        book.write_bytes(bytes(raw[:rng.randrange(len(raw))]))


CSV_MUTATIONS: list[Callable[[Path, random.Random], None]] = [
    csv_cell, csv_cell, csv_cell, csv_rows_and_columns, csv_rows_and_columns, csv_bytes]
XLSX_MUTATIONS: list[Callable[[Path, random.Random], None]] = [
    xlsx_cell, xlsx_cell, xlsx_cell, xlsx_far_cell, xlsx_structure, xlsx_structure, xlsx_bytes]
