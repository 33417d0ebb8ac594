"""A scenario as a CSV folder: one file per table (``plants.csv``, ``pools.csv``, ... as ``layout`` lays
them out) and ``scenario.yaml`` for the rest; ``notes.csv`` describes every column and is not read.

Files are read with the csv module, a file at a time; comma-separated, or semicolon-separated when
the header line has semicolons and no commas (what a spreadsheet set to a decimal comma writes).
Reading never raises anything but ScenarioError, whatever a file holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from footprint.scenario.formats.layout import NOTES, REST, tables
from footprint.scenario.formats.notes import notes_rows
from footprint.scenario.formats.sources import ScenarioError, Source, read_text
from footprint.scenario.formats.tabular import Sheet, Tabled, from_tables
from footprint.scenario.formats.yamlio import dump_yaml, read_yaml
from footprint.scenario.model.checks import Problem
from footprint.scenario.model.text import printable

REST_FILE = f"{REST}.yaml"


def read_csv_folder(folder: Path) -> Source:
    """The scenario in a CSV folder, with the file, row and column of every value."""
    name = printable(str(folder))
    known = {t.name for t in tables()}
    problems: list[Problem] = []
    sheets: list[Sheet] = []
    try:
        files = sorted(path for path in folder.iterdir() if path.suffix.lower() == ".csv"
                       and not path.name.startswith("."))
    except OSError as err:
        raise ScenarioError(name, [Problem((), f"cannot list the folder ({err.strerror or err})")]) from None
    for path in files:
        table = path.stem
        if table == NOTES:
            continue
        if table not in known:
            problems.append(Problem((), f"not a table of a scenario; expected {', '.join(sorted(known))} (and "
                                        f"{REST_FILE}); rename it, or move it out of the folder",
                                    where=printable(str(path))))
            continue
        try:
            sheets.append(read_csv_table(path, table))
        except ScenarioError as err:
            problems.extend(_placed(err))
    rest_path = folder / REST_FILE
    if not rest_path.exists():
        problems.append(Problem((), f"a folder is read as CSV files, and this one has no {REST_FILE} (the name, "
                                    "horizon and the fields no table holds); `footprint template --csv DIR` writes "
                                    "a template"))
    if problems:
        raise ScenarioError(name, problems)
    try:
        rest = read_yaml(rest_path)
    except ScenarioError as err:
        raise ScenarioError(name, _placed(err)) from None
    return from_tables(name, rest, sheets)


def _placed(err: ScenarioError) -> list[Problem]:
    """A file's problems, each naming the file where it names no place of its own."""
    return [replace(problem, where=problem.where or err.source) for problem in err.problems]


def read_csv_table(path: Path, table: str) -> Sheet:
    """One CSV file as a table: its header and its rows with something in them, numbered as a spreadsheet
    shows them (the header is row 1)."""
    label = printable(str(path))
    try:
        found = path.stat()
        empty = stat.S_ISREG(found.st_mode) and found.st_size == 0  # a pipe or device has no size: read_text refuses it
    except OSError:
        empty = False  # read_text says why
    text = "" if empty else read_text(path, "CSV")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                header = [cell.strip() for cell in cells]
            elif any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except csv.Error as err:
        raise ScenarioError(label, [Problem((), f"not valid CSV: {err}", where=f"{label}, row {number + 1}")]) from None
    labels = [f"column {name}" if name else f"column {index + 1}" for index, name in enumerate(header)]
    return Sheet(table, label, header, labels, rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same number
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv_table(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(row.get(name)) for name in columns] for row in rows)


def write_csv_folder(tabled: Tabled, folder: Path, rest_text: str | None = None) -> None:
    """Write ``tabled`` into ``folder`` (which exists): a file per table, the rest as YAML (``rest_text``
    instead, when given: a template's), and the notes."""
    for name, columns in tabled.columns.items():
        write_csv_table(folder / f"{name}.csv", columns, tabled.rows[name])
    (folder / REST_FILE).write_text(rest_text if rest_text is not None else dump_yaml(tabled.rest),
                                    encoding="utf-8")
    notes = notes_rows(tabled)
    write_csv_table(folder / f"{NOTES}.csv", notes[0], [dict(zip(notes[0], row, strict=True)) for row in notes[1:]])


__all__ = ["REST_FILE", "read_csv_folder", "read_csv_table", "write_csv_folder"]
