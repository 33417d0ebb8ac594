"""A scenario as an Excel workbook: a sheet per table (as ``layout`` lays them out, the CSV folder's
columns), a ``scenario`` sheet of fields and values for the rest, and a ``notes`` sheet (not read).

Header cells carry each column's meaning as a comment; columns that name an entity of another
sheet (a lane's plant and market, ...) get a drop-down list of that sheet's ids, and columns with
a fixed set of values a list of them. A formula's value is the one the spreadsheet last saved.
Reading never raises anything but ScenarioError, whatever the file holds, and reads each sheet's
cells as the file holds them, with openpyxl's own sheet parser (as its read-only sheets use it):
never the rectangle a sheet's dimension claims, which one stray cell makes A1:XFD1048576. Numbers keep the 16
significant digits openpyxl writes (Excel itself keeps 15).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.workbook import Workbook
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from footprint.scenario.formats.layout import NOTES, REST, Column, column, rest_column, table, tables
from footprint.scenario.formats.notes import kind_text, notes_rows, rest_declared
from footprint.scenario.formats.sources import MAX_FILE_BYTES, ScenarioError, Source, read_bytes
from footprint.scenario.formats.tabular import (
    Sheet,
    Tabled,
    from_tables,
    is_empty,
    rest_from_pairs,
    rest_pairs,
    too_large,
)
from footprint.scenario.model.checks import Problem
from footprint.scenario.model.text import printable, short

MAX_UNPACKED_BYTES = 20 * MAX_FILE_BYTES
"""A workbook is a zip archive; one that unpacks to more than this is refused (a 'zip bomb')."""
REST_HEADER = ("field", "value", "meaning")
LAST_ROW = 1_048_576


def open_workbook(raw: bytes, name: str) -> Workbook:
    """The workbook, its sheets left unread (read-only: each is parsed as it is read, its used cells alone)."""
    not_a_workbook = ScenarioError(name, [Problem((), "not an Excel workbook (.xlsx); save it from the "
                                                      "spreadsheet as an Excel workbook")])
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_a_workbook from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ScenarioError(name, [Problem((), f"the workbook unpacks to {unpacked // 2**20:,} MiB (more than "
                                               f"{MAX_UNPACKED_BYTES // 2**20} MiB)")])
    try:
        with warnings.catch_warnings():  # openpyxl warns of parts it does not read (extensions, styles)
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a broken or foreign file; each means this
        raise not_a_workbook from None


def read_workbook(path: Path) -> Source:
    """The scenario in an Excel workbook, with the sheet, row and column of every value."""
    name = printable(str(path))
    raw = read_bytes(path, "Excel workbook (.xlsx)")
    workbook = open_workbook(raw, name)
    try:
        return _read(workbook, name)
    finally:
        workbook.close()


def _read(workbook: Workbook, name: str) -> Source:
    problems: list[Problem] = []
    known = {t.name for t in tables()}
    sheets: list[Sheet] = []
    rest_rows: list[tuple[str, Any, str]] | None = None
    for ws in workbook.worksheets:
        title = ws.title.strip().lower()
        label = f"{name}, sheet {printable(ws.title)}"
        if title == NOTES:
            continue
        if title not in known and title != REST:
            problems.append(Problem((), f"not a table of a scenario; expected {REST}, "
                                        f"{', '.join(sorted(known))}; rename it, or move it to another workbook",
                                    where=label))
            continue
        grid = _used_rows(workbook, ws, label, problems)
        if grid is None:
            continue
        if title == REST:
            rest_rows = _rest_rows(grid, label, problems)
        else:
            sheets.append(_sheet(title, label, grid))
    if rest_rows is None:
        problems.append(Problem((), f"no sheet {REST}: it holds the scenario's name, horizon and the fields no table "
                                    "holds (`footprint template --excel FILE` writes one)"))
    if problems:
        raise ScenarioError(name, problems)
    assert rest_rows is not None
    return from_tables(name, rest_from_pairs(name, rest_rows), sheets)


class _SavedValues(WorkSheetParser):
    """A sheet's cells as the spreadsheet last saved them (a formula's value); a formula with no saved value
    has the data type "f"."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["data_type"] = "f"
        return cell


Grid = list[tuple[int, list[Any]]]
"""(row number, values from column A to the row's last used cell) of each row with a value."""


def _used_rows(workbook: Workbook, ws: Any, label: str, problems: list[Problem]) -> Grid | None:
    """The rows of ``ws`` with a value, reading only the cells the file holds (a sheet's dimension may say
    A1:XFD1048576 for one cell); None, with the problems, for a sheet that cannot be read as a table (merged
    cells, damaged, its used cells spanning more than a table may)."""
    used: list[tuple[int, dict[int, Any]]] = []
    try:
        with warnings.catch_warnings(), ws._get_source() as source:  # as openpyxl's read-only sheet reads itself
            warnings.simplefilter("ignore")  # a date out of range is read as an error, reported below
            parser = _SavedValues(source, ws._shared_strings, data_only=True, epoch=workbook.epoch,
                                  date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                values = {}
                for cell in cells:
                    value, kind, column = cell["value"], cell["data_type"], cell["column"]
                    if kind == "f":
                        problems.append(Problem((), "a formula with no saved value (the workbook was not saved by a "
                                                    "spreadsheet); open and save it, or type the value",
                                                where=f"{label}, cell {get_column_letter(column)}{number}"))
                    elif kind == "e":
                        problems.append(Problem((), f"the cell holds the error {printable(str(value)[:40])}",
                                                where=f"{label}, cell {get_column_letter(column)}{number}"))
                    elif value is not None:
                        values[column] = value
                if values:
                    used.append((number, values))
    except Exception as error:  # openpyxl raises many kinds of error on a damaged sheet; each means this
        problems.append(Problem((), f"the sheet cannot be read ({short(str(error), 80)}); save it again from the "
                                    "spreadsheet", where=label))
        return None
    if parser.merged_cells is not None and parser.merged_cells.mergeCell:
        problems.extend(Problem((), "merged cells; unmerge them and give the value in each cell",
                                where=f"{label}, cells {merged.ref}") for merged in parser.merged_cells.mergeCell)
        return None
    width = max((max(values) for _, values in used), default=0)
    large = too_large(label, len(used), width)
    if large is not None:
        problems.append(large)
        return None
    return [(number, [values.get(column) for column in range(1, max(values) + 1)]) for number, values in used]


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 2012 typed as a number
    return "" if value is None else str(value).strip()


def _header_and_rows(grid: Grid) -> tuple[list[str], Grid]:
    """Row 1's texts (none if it is empty), and the rows after it with something in them."""
    head = grid[0][1] if grid and grid[0][0] == 1 else []
    rows = [(number, cells) for number, cells in grid
            if number > 1 and not all(is_empty(cell) for cell in cells)]
    return [_header_text(value) for value in head], rows


def _sheet(title: str, label: str, grid: Grid) -> Sheet:
    header, rows = _header_and_rows(grid)
    labels = [f"column {get_column_letter(index + 1)}" + (f" ({name})" if name else "")
              for index, name in enumerate(header)]
    return Sheet(title, label, header, labels, rows)


def _rest_rows(grid: Grid, label: str, problems: list[Problem]) -> list[tuple[str, Any, str]]:
    if not grid:
        return []
    header, rows = _header_and_rows(grid)
    if REST_HEADER[0] not in header or REST_HEADER[1] not in header:
        problems.append(Problem((), f"expected the columns {REST_HEADER[0]} and {REST_HEADER[1]} in row 1",
                                where=label))
        return []
    key_at, value_at = header.index(REST_HEADER[0]), header.index(REST_HEADER[1])
    letter = get_column_letter(value_at + 1)
    found = []
    for number, cells in rows:
        key = _header_text(cells[key_at]) if key_at < len(cells) else ""
        value = cells[value_at] if value_at < len(cells) else None
        if key:
            found.append((key, value, f"{label}, row {number}, column {letter} ({REST_HEADER[1]})"))
        elif not is_empty(value):
            problems.append(Problem((), f"a value ({short(value)}) with no field name", where=f"{label}, row {number}"))
    return found


# --- writing ------------------------------------------------------------------------------------

def write_scenario_workbook(tabled: Tabled, path: Path) -> None:
    """Write ``tabled`` as a workbook at ``path``: the scenario sheet, a sheet per table, the notes."""
    workbook = Workbook()
    rest_ws = workbook.active
    rest_ws.title = REST
    given = dict(rest_pairs(tabled.rest))
    names = sorted(dict.fromkeys([*rest_declared(), *given]), key=lambda key: rest_column(key).order)
    _write_rows(rest_ws, REST, list(REST_HEADER),
                [[name, given.get(name), rest_column(name).description] for name in names], None)
    for name, columns in tabled.columns.items():
        ws = workbook.create_sheet(name)
        infos = [column(table(name), header) for header in columns]
        _write_rows(ws, name, columns, [[row.get(header) for header in columns] for row in tabled.rows[name]],
                    infos)
        _add_lists(ws, infos, tabled)
    notes = notes_rows(tabled)
    _write_rows(workbook.create_sheet(NOTES), NOTES, list(notes[0]), [list(row) for row in notes[1:]], None)
    workbook.save(path)


def _write_rows(ws: Worksheet, name: str, header: list[str], rows: list[list[Any]],
                infos: list[Column] | None) -> None:
    ws.append(header)
    bold = Font(bold=True)
    for index, cell in enumerate(ws[1]):
        cell.font = bold
        if infos is not None and infos[index].kind is not None:
            info = infos[index]
            note = f"{info.description}\n{kind_text(info)}{'; required' if info.required else ''}"
            cell.comment = Comment(note, "footprint", width=320, height=140)
    for number, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            if value is None:
                continue
            try:
                cell = ws.cell(number, index, value)
            except IllegalCharacterError as err:  # control characters cannot be in a workbook
                raise ScenarioError(name, [Problem((), f"cannot be written to Excel: {err}", where=f"sheet {name}, "
                                                   f"row {number}, column {header[index - 1]}")]) from None
            if isinstance(value, str):
                cell.data_type = "s"  # text, even "=..." (a formula) or "#N/A" (an error) to openpyxl
            elif cell.is_date:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(title) + 2))


def _add_lists(ws: Worksheet, infos: list[Column], tabled: Tabled) -> None:
    """Drop-down lists: the ids of the sheet a column refers to, or a column's fixed choices."""
    for index, info in enumerate(infos, start=1):
        letter = get_column_letter(index)
        target = info.references
        if target is not None and "id" in tabled.columns.get(target, []):
            id_letter = get_column_letter(tabled.columns[target].index("id") + 1)
            formula = f"{quote_sheetname(target)}!${id_letter}$2:${id_letter}${LAST_ROW}"
        elif info.choices:
            formula = '"' + ",".join(info.choices) + '"'
        else:
            continue
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                    errorTitle="footprint", error=f"Expected {kind_text(info)}.")
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(validation)


__all__ = ["open_workbook", "read_workbook", "write_scenario_workbook"]
