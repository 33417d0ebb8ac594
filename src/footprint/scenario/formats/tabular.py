"""A scenario's plain data as flat tables and back: what the CSV folder and the workbook hold.

The tables and their columns are ``layout``'s. Writing flattens each entity into cells named by
dotted paths; reading converts each column by its declared kind (text stays text, numbers become
numbers; what does not read is passed on as it is, for validation to report at its cell), puts
each row under its parent and records the place of every row and cell. An empty cell is no value:
the field takes its default (so text that is empty or all spaces is not kept); ``{}`` in a column
that may hold a mapping is an empty one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from footprint.scenario.formats.layout import (
    REST,
    VALUE,
    Kind,
    Table,
    column,
    declared_columns,
    ordered,
    part_key,
    rest_column,
    tables,
)
from footprint.scenario.formats.sources import Places, ScenarioError, Source, short
from footprint.scenario.model.checks import Loc, Problem
from footprint.scenario.model.figures import is_figure

EMPTY_MAPPING = "{}"
MAX_TABLE_CELLS = 10_000_000
"""A table (a CSV file, a sheet) may span at most this many cells, rows times columns: as many as the largest CSV
file holds (50 MiB), a hundred times a large scenario's table, and few enough to read in a second or two."""

# --- data to tables -----------------------------------------------------------------------------

Row = dict[str, Any]


def flatten(value: Any, prefix: str, out: Row) -> Row:
    """``value`` as cells named by dotted paths under ``prefix`` ("" for a series table's row)."""
    if isinstance(value, dict):
        if not value:
            out[prefix or VALUE] = EMPTY_MAPPING
        figure = is_figure(value)
        if figure:  # a figure: the value at its own path, its provenance beside it
            out[prefix or VALUE] = value[VALUE]
        for key, inner in value.items():  # an entity's own value field (a component's) is a field like any
            if key != VALUE or not figure:
                flatten(inner, f"{prefix}.{key}".removeprefix("."), out)
    elif isinstance(value, list):
        out[prefix] = ", ".join(str(item) for item in value)
    elif value is not None:
        out[prefix or VALUE] = value
    return out


@dataclass
class Tabled:
    """A scenario's data laid out as tables: the rest, and each table's columns and rows."""

    rest: dict[str, Any]
    columns: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)


def to_tables(data: dict[str, Any], years: Sequence[int] = ()) -> Tabled:
    """``data`` (valid scenario data, as ``Scenario.model_dump`` gives it) as tables; every table is there,
    an empty one with its declared columns (and a column per year of ``years`` for series)."""
    top = {t.field for t in tables() if t.parent is None}
    out = Tabled({key: value for key, value in data.items() if key not in top})
    entries: dict[str, list[dict[str, Any]]] = {}
    for t in tables():
        rows: list[Row] = []
        found: list[dict[str, Any]] = []
        owners = [({}, entity) for entity in data.get(t.field, [])] if t.parent is None else [
            (dict(zip(t.keys, (entity.get(key) for key in t.parent.key_fields), strict=True)), entity)
            for entity in entries[t.parent.name]]
        for head, owner in owners:
            if t.parent is None:
                found.append(owner)
                rows.append(flatten(_own_fields(t, owner), "", {}))
            elif t.model is not None:
                for child in owner.get(t.field, []):
                    found.append(child)
                    rows.append(flatten(_own_fields(t, child), "", dict(head)))
            else:
                assert t.entry is not None
                for key, series in owner.get(t.field, {}).items():
                    rows.append(flatten(series, "", {**head, t.entry: key}))
        entries[t.name] = found
        out.rows[t.name] = rows
        out.columns[t.name] = ordered(t, [*declared_columns(t, years), *(name for row in rows for name in row)])
    return out


def _own_fields(t: Table, entity: dict[str, Any]) -> dict[str, Any]:
    nested = {other.field for other in tables() if other.parent is t}
    return {key: value for key, value in entity.items() if key not in nested}


# --- tables to data -----------------------------------------------------------------------------

def _as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 8703 typed into a text column of a spreadsheet
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _as_number(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return value  # validation says what is wrong with it, at its cell
    if isinstance(value, (dt.date, dt.time)):
        return _as_text(value)  # a date where a number belongs: reported as found
    return value


_TRUTH = {"true": True, "false": False, "yes": True, "no": False}


def _as_boolean(value: Any) -> Any:
    if isinstance(value, str):
        return _TRUTH.get(value.strip().lower(), value)
    return value


def _as_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _as_list(value: Any) -> Any:
    text = _as_text(value)
    if isinstance(text, str):
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


def _as_any(value: Any) -> Any:
    return value


CONVERT: dict[Kind | None, Callable[[Any], Any]] = {
    "text": _as_text, "number": _as_number, "integer": _as_number, "boolean": _as_boolean, "date": _as_date,
    "list": _as_list, "any": _as_any, None: _as_any,
}


def cell_value(kind: Kind | None, cell: Any) -> Any:
    """A cell's value for a column of ``kind``: converted, or as it is for validation to report; in a column
    that may hold a mapping, ``{}`` is an empty one."""
    if kind in ("any", None) and isinstance(cell, str) and cell.strip() == EMPTY_MAPPING:
        return {}
    return CONVERT[kind](cell)


def column_values(kind: Kind | None, cells: list[Any]) -> list[Any]:
    """:func:`cell_value` of each of ``cells`` (none empty): for a column of text as CSV gives it, one
    comprehension without a call per cell where every cell reads as the kind."""
    if all(type(cell) is str for cell in cells):
        if kind == "text":
            return cells
        try:
            if kind == "number":
                return [float(cell) for cell in cells]
            if kind == "integer":
                return [int(cell) for cell in cells]
        except ValueError:
            pass  # some cell is not a number: each as it is, for validation to report
    return [cell_value(kind, cell) for cell in cells]


def too_large(label: str, rows: int, columns: int) -> Problem | None:
    """The problem with a table whose ``rows`` (with a value) and ``columns`` (to the last one with a value)
    span more than MAX_TABLE_CELLS cells, if they do."""
    if rows * columns <= MAX_TABLE_CELLS:
        return None
    return Problem((), f"its values span {rows:,} rows and {columns:,} columns ({rows * columns:,} cells), more than "
                       f"a table may ({MAX_TABLE_CELLS:,} cells); clear what is not part of the table (a stray value "
                       "far to the right or below)", where=label)


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def insert(root: dict[Any, Any], parts: tuple[Any, ...], value: Any) -> dict[Any, Any]:
    """Set ``value`` at ``parts`` in nested mappings; a number that gets parts beside it (its provenance)
    becomes a figure ``{value: number, ...}``."""
    node = root
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {} if child is None else {VALUE: child}
            node[part] = child
        node = child
    last = parts[-1]
    if isinstance(node.get(last), dict) and not isinstance(value, dict):
        node[last][VALUE] = value
    else:
        node[last] = value
    return root


@dataclass(frozen=True)
class Sheet:
    """One table as a reader found it: its header and rows of cells (text from CSV, typed from Excel)."""

    name: str
    """The table's name (``plants``)."""
    label: str
    """Where it is, for messages: ``net/plants.csv``, ``net.xlsx, sheet plants``."""
    header: list[str]
    column_labels: list[str]
    """Each column's place after its row's: ``column capacity``, ``column D (capacity)``."""
    rows: list[tuple[int, list[Any]]]
    """(row number as the file shows it, cells), data rows only."""


@dataclass
class _Reading:
    name: str
    data: dict[str, Any]
    places: dict[Loc, str]
    later: list[Callable[[dict[Loc, str]], None]] = field(default_factory=list)
    """The places of the tables' rows and cells, worked out only if a message needs one."""
    problems: list[Problem] = field(default_factory=list)
    entries: dict[str, list[tuple[dict[str, Any], Loc]]] = field(default_factory=dict)

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem((), message, where=where))


def from_tables(name: str, rest: Source, sheets: Sequence[Sheet]) -> Source:
    """The scenario's plain data from the rest and the tables (each a known table's ``Sheet``), with the place
    of every row and cell; ScenarioError for what keeps the tables from being put together (a row whose
    parent is not there, a column named twice)."""
    if not isinstance(rest.data, dict):
        raise ScenarioError(name, [Problem((), f"expected a mapping of fields, found {short(rest.data)}",
                                           where=rest.name)])
    reading = _Reading(name, dict(rest.data), {**rest.places, (): name})
    by_name = {sheet.name: sheet for sheet in sheets}
    for t in tables():
        sheet = by_name.get(t.name)
        if sheet is not None and t.parent is None:
            reading.places[(t.field,)] = sheet.label
        if sheet is not None and sheet.rows:  # an empty table leaves its field at its default
            _read_sheet(reading, t, sheet)
        elif t.model is not None:
            owners = reading.data.get(t.field) if t.parent is None else None
            reading.entries[t.name] = ([(entity, (t.field, i)) for i, entity in enumerate(owners)]
                                       if isinstance(owners, list) else [])
    if reading.problems:
        raise ScenarioError(name, reading.problems)
    return Source(reading.data, name, Places([lambda places: places.update(reading.places), *reading.later]))


def _read_sheet(reading: _Reading, t: Table, sheet: Sheet) -> None:
    """Put ``sheet``'s rows into the data, a column at a time (one comprehension per column, not a call per
    cell where it can be helped), each row under its parent, and place every row and cell."""
    large = too_large(sheet.label, len(sheet.rows), max([len(sheet.header), *map(len, (c for _, c in sheet.rows))]))
    if large is not None:
        reading.problems.append(large)
        return
    header = _checked_header(reading, t, sheet)
    if header is None:
        return
    width = len(header)
    grid: list[list[Any]] = []
    for number, cells in sheet.rows:
        extra = [index for index in range(width, len(cells)) if not is_empty(cells[index])]
        if extra:
            reading.fail(f"{sheet.label}, row {number}, column {extra[0] + 1}",
                         f"a value ({short(cells[extra[0]])}) in a column with no name; name the column or clear "
                         "the cell")
        grid.append(list(cells[:width]) + [None] * (width - len(cells)))
    columns = list(zip(*grid, strict=True)) if grid else [() for _ in header]
    entities: list[dict[Any, Any]] = [{} for _ in grid]
    keys: dict[str, list[str]] = {}
    filled: list[tuple[tuple[Any, ...], str, list[int]]] = []
    for index, name in enumerate(header):
        if not name:
            unnamed = [row for row, cell in enumerate(columns[index]) if not is_empty(cell)]
            if unnamed:
                reading.fail(f"{sheet.label}, row {sheet.rows[unnamed[0]][0]}, column {index + 1}",
                             f"a value ({short(columns[index][unnamed[0]])}) in a column with no name; name the "
                             "column or clear the cell")
            continue
        if name in t.keys or name == t.entry:
            keys[name] = ["" if is_empty(cell) else str(_as_text(cell)).strip() for cell in columns[index]]
            continue
        rows = [row for row, cell in enumerate(columns[index])
                if not (cell is None or cell == "" or (isinstance(cell, str) and cell.isspace()))]
        values = column_values(column(t, name).kind, [columns[index][row] for row in rows])
        parts = tuple(part_key(part) for part in name.split("."))
        if t.model is None and parts[0] == VALUE:
            parts = parts[1:]
        if len(parts) == 1:
            part = parts[0]
            for row, value in zip(rows, values, strict=True):
                entities[row][part] = value
        else:
            for row, value in zip(rows, values, strict=True):
                if parts:
                    insert(entities[row], parts, value)
                else:  # a series table's one value
                    entities[row][VALUE] = value
        filled.append((parts, f"{sheet.column_labels[index]}", rows))
    locs = _attach(reading, t, sheet, entities, keys)
    reading.later.append(lambda places: _place_cells(places, sheet, locs, filled))


def _place_cells(places: dict[Loc, str], sheet: Sheet, locs: list[Loc | None],
                 filled: list[tuple[tuple[Any, ...], str, list[int]]]) -> None:
    """The place of every row of ``sheet`` and of every cell it filled."""
    labels = [f"{sheet.label}, row {number}" for number, _ in sheet.rows]
    places.update({loc: labels[row] for row, loc in enumerate(locs) if loc is not None})
    for parts, column_label, rows in filled:
        places.update({(*locs[row], *parts): f"{labels[row]}, {column_label}" for row in rows
                       if locs[row] is not None})
    for parts, column_label, rows in filled:  # a series or figure as a whole: at its first column
        for end in range(1, len(parts)):
            for row in rows:
                if locs[row] is not None:
                    places.setdefault((*locs[row], *parts[:end]), f"{labels[row]}, {column_label}")


def _checked_header(reading: _Reading, t: Table, sheet: Sheet) -> list[str] | None:
    """The sheet's header, if no column is named twice and every key column is there."""
    seen: dict[str, int] = {}
    for index, name in enumerate(sheet.header):
        if name and name in seen:
            reading.fail(f"{sheet.label}, {sheet.column_labels[index]}",
                         f"the column {name!r} is there twice (also {sheet.column_labels[seen[name]]})")
            return None
        seen[name] = index
    missing = [key for key in (*t.keys, *([t.entry] if t.entry else [])) if key not in seen]
    if missing:
        reading.fail(sheet.label, f"no column {' or '.join(missing)}; each row must name its "
                                  f"{' and '.join(missing)}")
        return None
    if t.parent is None and t.field in reading.data:
        reading.fail(sheet.label, f"{t.field} is given both here and in the {REST} fields; give it once")
        return None
    return sheet.header


def _attach(reading: _Reading, t: Table, sheet: Sheet, entities: list[dict[Any, Any]],
            keys: dict[str, list[str]]) -> list[Loc | None]:
    """Put each row's entity where it belongs: the scenario's list, its parent's list, or its parent's mapping
    (a series table). The key path of each row (None for a row that has no place)."""
    locs: list[Loc | None] = []
    if t.parent is None:
        reading.data[t.field] = entities
        locs = [(t.field, row) for row in range(len(entities))]
        reading.entries[t.name] = list(zip(entities, locs, strict=True))  # type: ignore[arg-type]
        return locs
    parents = _parent_index(reading, t)
    owners: set[int] = set()
    """Parents this sheet gave the field to (a parent that has it already got it from elsewhere)."""
    first_row: dict[tuple[Any, ...], int] = {}
    found: list[tuple[dict[str, Any], Loc]] = []
    for row, entity in enumerate(entities):
        number = sheet.rows[row][0]
        row_label = f"{sheet.label}, row {number}"
        locs.append(None)
        owner = _owner(reading, t, parents, tuple(keys[key][row] for key in t.keys), row_label)
        if owner is None:
            continue
        parent, parent_loc = owner
        if t.field in parent and id(parent) not in owners:
            reading.fail(row_label, f"{t.field} of this {t.parent.name} entry are given elsewhere too (in "
                                    f"{t.parent.name} or the {REST} fields); give them in one place")
            continue
        owners.add(id(parent))
        if t.model is not None:
            children = parent.setdefault(t.field, [])
            locs[row] = (*parent_loc, t.field, len(children))
            children.append(entity)
            found.append((entity, locs[row]))  # type: ignore[arg-type]
            continue
        assert t.entry is not None
        entry = keys[t.entry][row]
        if not entry:
            reading.fail(row_label, f"column {t.entry} is empty; name the {t.entry} of this row")
            continue
        mapping = parent.setdefault(t.field, {})
        if entry in mapping:
            earlier = first_row.get((*parent_loc, entry))
            reading.fail(row_label, f"{t.field} of {t.entry} {entry!r} for this {t.parent.name} entry is given "
                                    f"twice{f' (row {earlier})' if earlier else ''}; give it once")
            continue
        first_row[(*parent_loc, entry)] = number
        mapping[entry] = entity[VALUE] if set(entity) == {VALUE} else entity
        locs[row] = (*parent_loc, t.field, entry)
    reading.entries[t.name] = found
    return locs


def _parent_index(reading: _Reading, t: Table) -> dict[tuple[Any, ...], tuple[dict[str, Any], Loc]]:
    if t.parent is None:
        return {}
    index: dict[tuple[Any, ...], tuple[dict[str, Any], Loc]] = {}
    for entity, loc in reading.entries.get(t.parent.name, []):
        if isinstance(entity, dict):
            index.setdefault(tuple(str(entity.get(key)) for key in t.parent.key_fields), (entity, loc))
    return index


def _owner(reading: _Reading, t: Table, parents: dict[tuple[Any, ...], tuple[dict[str, Any], Loc]],
           values: tuple[str, ...], row_label: str) -> tuple[dict[str, Any], Loc] | None:
    assert t.parent is not None
    empty = [key for key, value in zip(t.keys, values, strict=True) if not value]
    if empty:
        reading.fail(row_label, f"column {' and '.join(empty)} is empty; name the "
                                f"{' and '.join(empty)} this row belongs to")
        return None
    owner = parents.get(values)
    if owner is None:
        named = " and ".join(f"{key} {value!r}" for key, value in zip(t.keys, values, strict=True))
        reading.fail(row_label, f"no {named} in {t.parent.name}" if len(values) == 1 else
                     f"no entry of {t.parent.name} has {named}")
    return owner


def rest_from_pairs(name: str, pairs: Iterable[tuple[str, Any, str]]) -> Source:
    """The rest from (dotted field name, cell, place) rows, as the workbook's ``scenario`` sheet holds it."""
    data: dict[Any, Any] = {}
    places: dict[Loc, str] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for key, cell, where in pairs:
        if key in seen:
            problems.append(Problem((), f"field {key!r} is there twice (also {seen[key]})", where=where))
            continue
        seen[key] = where
        parts = tuple(part_key(part) for part in key.split("."))
        for end in range(1, len(parts) + 1):
            places.setdefault(parts[:end], where)  # an empty row too: where a missing field goes
        if not is_empty(cell):
            insert(data, parts, cell_value(rest_column(key).kind, cell))
    if problems:
        raise ScenarioError(name, problems)
    return Source(data, name, places)


def rest_pairs(rest: dict[str, Any]) -> list[tuple[str, Any]]:
    """The rest as (dotted field name, value) rows, in the order of the declarations."""
    flat = flatten(rest, "", {})
    flat.pop(VALUE, None)
    names = list(flat)
    return sorted(flat.items(), key=lambda item: (rest_column(item[0]).order, names.index(item[0])))


__all__ = ["EMPTY_MAPPING", "MAX_TABLE_CELLS", "Sheet", "Tabled", "cell_value", "column_values", "flatten",
           "from_tables", "insert", "is_empty", "rest_from_pairs", "rest_pairs", "to_tables", "too_large"]
