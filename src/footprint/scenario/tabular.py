"""A scenario's plain data as flat tables and back: the layout both the CSV folder and the workbook use.

The tables come from the entity declarations (``entities``), so a field added there appears
here with no more code:

- each list of entities in a scenario is a table, one row per entity (``products``, ``plants``);
- a list of entities inside one is a table of its own (``plants[].pools[]`` -> ``pools``), each
  row naming its parent by the parent's key: a plant's id in column ``plant``; a capability
  (no id) by its ``plant`` and ``product``;
- a mapping of per-year series inside an entity is a table of its own (``markets[].demand`` ->
  ``demand``, one row per market and product; the key's column is the table its description
  says the mapping is "by", else ``key``);
- a nested object is dotted columns (``location.lat``, ``operating_years.start``);
- a number's provenance stands beside it (``capex``, ``capex.low``, ``capex.high``,
  ``capex.source``, ``capex.assumption``);
- a per-year series is one value (``capacity``), a column per year (``capacity.2012``) or a
  growth (``capacity.from``, ``capacity.growth``); in a series table the series is the row, so
  its columns are ``value``, ``2012``, ``from``, ``growth`` (and their provenance: ``2012.source``);
- a mapping of numbers is a column per key (``content.KR``); a list of names one cell,
  comma-separated (``rogue, altima``); an empty mapping the text ``{}``.

What no table holds (name, horizon, fx, solver, ...) is the rest: a small YAML file beside the
CSV files, or a sheet of fields and values in a workbook. An empty cell is no value: the field
takes its default (so text that is empty or all spaces is not kept).
"""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from footprint.scenario.checks import Loc, Problem
from footprint.scenario.entities import ScenarioFields
from footprint.scenario.figures import Figure, Growth
from footprint.scenario.sources import ScenarioError, Source, short

REST = "scenario"
"""The name of the rest: ``scenario.yaml`` in a CSV folder, the ``scenario`` sheet in a workbook."""
NOTES = "notes"
"""The table describing every column (``notes.csv``, the ``notes`` sheet); readers skip it."""
EMPTY_MAPPING = "{}"
PROVENANCE = tuple(name for name in Figure.model_fields if name != "value")
GROWTH = tuple(field.alias or name for name, field in Growth.model_fields.items())
VALUE = "value"
"""In a series table, the column of the one value for every year."""

Kind = Literal["text", "number", "integer", "boolean", "date", "list", "any"]


# --- shapes of declared types -------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """What a declared type looks like in a table."""

    form: Literal["scalar", "number", "series", "model", "list", "dict", "entities", "entries", "any"]
    kind: Kind = "any"
    """A scalar's (or a list item's) kind."""
    choices: tuple[str, ...] = ()
    model: type[BaseModel] | None = None
    item: Shape | None = None
    """A dict's or an entries mapping's values."""


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def shape_of(annotation: Any) -> Shape:
    annotation = _strip(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [_strip(arg) for arg in get_args(annotation) if arg is not type(None)]
        if Figure in args:
            return Shape("series" if any(get_origin(arg) is dict or arg is Growth for arg in args) else "number",
                         "number")
        return shape_of(args[0]) if len(args) == 1 else Shape("any")
    if origin is list:
        item = shape_of(get_args(annotation)[0])
        return Shape("entities", model=item.model) if item.form == "model" else Shape("list", item.kind)
    if origin is dict:
        value = shape_of(get_args(annotation)[1])
        return Shape("entries" if value.form == "series" else "dict", item=value)
    if origin is Literal:
        return Shape("scalar", "text", tuple(str(choice) for choice in get_args(annotation)))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape("model", model=annotation)
    kinds: dict[Any, Kind] = {bool: "boolean", int: "integer", float: "number", str: "text", dt.date: "date"}
    return Shape("scalar", kinds[annotation]) if annotation in kinds else Shape("any")


@cache
def fields_of(model: type[BaseModel]) -> tuple[tuple[str, Any, Shape], ...]:
    """Each field's name as files spell it (its alias), its declaration and its shape."""
    return tuple((info.alias or name, info, shape_of(info.annotation)) for name, info in model.model_fields.items())


def singular(model: type[BaseModel]) -> str:
    """``plant`` for Plant, ``capacity_option`` for CapacityOption: what a column naming one is called."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


# --- the tables ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """One table: a list of entities (``model``), or a mapping of series (``model`` None) in its parent."""

    name: str
    field: str
    """The field of the parent (the scenario, or the parent table's entity) that the table holds."""
    model: type[BaseModel] | None
    description: str
    parent: Table | None = None
    keys: tuple[str, ...] = ()
    """Columns naming the parent entry, in the order of the parent's key fields."""
    entry: str | None = None
    """A series table's column of the mapping's key."""

    @cached_property
    def key_fields(self) -> tuple[str, ...]:
        """The fields that name one of this table's entities (its id, else its references)."""
        assert self.model is not None
        names = [name for name, _, _ in fields_of(self.model)]
        if "id" in names:
            return ("id",)
        keys = tuple(name for name, info, shape in fields_of(self.model)
                     if info.is_required() and shape.kind == "text" and name in _id_tables())
        if not keys:
            raise TypeError(f"{self.model.__name__} has neither an id nor a required reference; its nested "
                            "tables cannot name it")
        return keys

    def child_keys(self) -> tuple[str, ...]:
        """How a child table's columns name one of this table's entities."""
        assert self.model is not None
        keys = self.key_fields
        return (singular(self.model),) if keys == ("id",) else keys


@cache
def _id_tables() -> dict[str, str]:
    """For each entity with an id, the column name that refers to it (``plant``) and its table (``plants``)."""
    found: dict[str, str] = {}

    def visit(model: type[BaseModel], name: str) -> None:
        if "id" in model.model_fields:
            found.setdefault(singular(model), name)
        for field_name, _, shape in fields_of(model):
            if shape.form == "entities" and shape.model is not None:
                visit(shape.model, field_name)

    for name, _, shape in fields_of(ScenarioFields):
        if shape.form == "entities" and shape.model is not None:
            visit(shape.model, name)
    return found


@cache
def tables() -> tuple[Table, ...]:
    """Every table, parents before their children, in the order of the declarations."""
    found: list[Table] = []

    def children(parent: Table) -> None:
        assert parent.model is not None
        for name, info, shape in fields_of(parent.model):
            if shape.form in ("entities", "entries"):
                table_name = name if name not in {t.name for t in found} else f"{singular(parent.model)}_{name}"
                entry = None
                if shape.form == "entries":
                    said = re.search(r"\bby (\w+)", info.description or "")
                    entry = said.group(1) if said and said.group(1) in _id_tables() else "key"
                table = Table(table_name, name, shape.model, info.description or "", parent,
                              parent.child_keys(), entry)
                found.append(table)
                if shape.model is not None:
                    children(table)

    for name, info, shape in fields_of(ScenarioFields):
        if shape.form == "entities":
            table = Table(name, name, shape.model, info.description or "")
            found.append(table)
            children(table)
    names = [table.name for table in found]
    clash = {REST, NOTES} & set(names) or {name for name in names if names.count(name) > 1}
    if clash:
        raise TypeError(f"table names {sorted(clash)} clash; rename a field")
    return tuple(found)


def table(name: str) -> Table:
    return next(t for t in tables() if t.name == name)


def rest_fields() -> list[str]:
    """The scenario's fields that no table holds."""
    return [name for name, _, shape in fields_of(ScenarioFields) if shape.form != "entities"]


# --- columns ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """What the declarations say about one column (or one field of the rest)."""

    kind: Kind | None
    """None: a column the declarations do not know (validation reports it)."""
    description: str = ""
    required: bool = False
    order: tuple[Any, ...] = ()
    choices: tuple[str, ...] = ()
    references: str | None = None
    """The table whose ids the column names (``plants`` for a lane's ``plant``)."""


UNKNOWN = Column(None, order=((9, 0),))


def part_key(text: str) -> str | int:
    """A column name's part as a key of the data: years (digits) are numbers, as YAML reads them."""
    return int(text) if text.isdigit() else text


def column(table: Table, name: str) -> Column:
    """The declaration of ``table``'s column ``name``."""
    if name in table.keys:
        parent = table.parent
        assert parent is not None
        assert parent.model is not None
        index = table.keys.index(name)
        target = _id_tables().get(name)
        return Column("text", f"The {singular(parent.model)} this row belongs to ({parent.name}."
                              f"{parent.key_fields[index]}).", True, ((0, index),), references=target)
    if name == table.entry:
        target = _id_tables().get(name)
        return Column("text", f"The {name}{f' ({target}.id)' if target else ''}. {table.description}", True,
                      ((1, 0),), references=target)
    if table.model is None:
        parts = name.split(".")
        if parts[0] == VALUE:
            parts = parts[1:]
        return _resolve(Shape("series", "number"), parts, table.description, True, ((2, 0),))
    parts = name.split(".")
    if parts[0] in {child.field for child in tables() if child.parent is table}:
        return UNKNOWN  # its own table holds it
    return _resolve(Shape("model", model=table.model), parts, "", True, ((2, 0),))


def rest_column(name: str) -> Column:
    """The declaration of a field of the rest, by its dotted name (``horizon.start``)."""
    return _resolve(Shape("model", model=ScenarioFields), name.split("."), "", True, ())


def _resolve(shape: Shape, parts: Sequence[str], description: str, required: bool,
             order: tuple[Any, ...]) -> Column:
    if not parts:
        if shape.form in ("scalar", "list"):
            kind: Kind = "list" if shape.form == "list" else shape.kind
            return Column(kind, description, required, order, shape.choices)
        if shape.form in ("number", "series"):
            return Column("number", description, required, order)
        return Column("any", description, required, order)
    part, rest = parts[0], parts[1:]
    if shape.form == "model":
        assert shape.model is not None
        for index, (name, info, inner) in enumerate(fields_of(shape.model)):
            if name == part and inner.form != "entities":
                found = _resolve(inner, rest, info.description or "", required and info.is_required(),
                                 (*order, (0, index)))
                if inner.kind == "text" and not rest:
                    found = replace(found, references=_id_tables().get(name))
                return found
        return UNKNOWN
    if shape.form in ("number", "series") and part in PROVENANCE and not rest:
        info = Figure.model_fields[part]
        kind = "number" if part in ("low", "high") else "text"
        return Column(kind, info.description or "", False, (*order, (1, PROVENANCE.index(part))))
    if shape.form in ("number", "series") and part == VALUE and not rest:
        return Column("number", description, required, order)
    if shape.form == "series" and part.isdigit():
        said = f"{description.rstrip('.')}: the value in {part}." if description else f"The value in {part}."
        return _resolve(Shape("number", "number"), rest, said, False, (*order, (2, int(part))))
    if shape.form == "series" and part in GROWTH:  # after the years
        found = _resolve(Shape("model", model=Growth), parts, "", False, order)
        level = len(order)
        return replace(found, order=(*order, (3, found.order[level][1]), *found.order[level + 1:]))
    if shape.form in ("dict", "entries") and shape.item is not None:
        return _resolve(shape.item, rest, description, False, (*order, (0, part)))
    return UNKNOWN


def _declared(shape: Shape, prefix: str, years: Sequence[int]) -> Iterator[str]:
    """The columns a template shows for a field: its value columns, not provenance or mapping keys."""
    if shape.form == "model":
        assert shape.model is not None
        for name, _, inner in fields_of(shape.model):
            if inner.form not in ("entities", "entries"):
                yield from _declared(inner, f"{prefix}.{name}".removeprefix("."), years)
    elif shape.form == "series":
        yield prefix or VALUE
        yield from (f"{prefix}.{year}".removeprefix(".") for year in years)
    elif shape.form != "dict":
        yield prefix


def declared_columns(table: Table, years: Sequence[int] = ()) -> list[str]:
    """The columns of an empty ``table``: its keys, then every field (a template's header)."""
    head = [*table.keys, *([table.entry] if table.entry else [])]
    if table.model is None:
        return [*head, VALUE, *(str(year) for year in years), *GROWTH[:2]]
    return head + list(_declared(Shape("model", model=table.model), "", years))


def ordered(table: Table, names: Iterable[str]) -> list[str]:
    """``names`` in the order of the declarations (unknown ones last, as they come)."""
    names = list(dict.fromkeys(names))
    return sorted(names, key=lambda name: (column(table, name).order, names.index(name)))


# --- data to tables -----------------------------------------------------------------------------

Row = dict[str, Any]


def flatten(value: Any, prefix: str, out: Row) -> Row:
    """``value`` as cells named by dotted paths under ``prefix`` ("" for a series table's row)."""
    if isinstance(value, dict):
        if not value:
            out[prefix or VALUE] = EMPTY_MAPPING
        if VALUE in value:  # a figure: the value at its own path, its provenance beside it
            out[prefix or VALUE] = value[VALUE]
        for key, inner in value.items():
            if key != VALUE:
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
    return Source(reading.data, name, reading.places)


def _read_sheet(reading: _Reading, t: Table, sheet: Sheet) -> None:
    """Put ``sheet``'s rows into the data, a column at a time (one comprehension per column, not a call per
    cell where it can be helped), each row under its parent, and place every row and cell."""
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
    places = reading.places
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


__all__ = ["NOTES", "REST", "Column", "Sheet", "Table", "Tabled", "column", "declared_columns", "from_tables",
           "rest_column", "rest_fields", "rest_from_pairs", "rest_pairs", "table", "tables", "to_tables"]
