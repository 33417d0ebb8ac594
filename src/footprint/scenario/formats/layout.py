"""The tables and columns of a scenario, read off the entity declarations (``entities``).

A field added to an entity appears here with no more code:

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
  comma-separated (``rogue, altima``).

What no table holds (name, horizon, fx, solver, ...) is the rest. A column is described by the
declaration of its field: kind, meaning, whether required, the table whose ids it names.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from footprint.scenario.model.fields import ScenarioFields
from footprint.scenario.model.figures import Figure, Growth
from footprint.scenario.model.keys import IDENTIFYING

REST = "scenario"
"""The name of the rest: ``scenario.yaml`` in a CSV folder, the ``scenario`` sheet in a workbook."""
NOTES = "notes"
"""The table describing every column (``notes.csv``, the ``notes`` sheet); readers skip it."""
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
        keys = IDENTIFYING.get(self.field) or tuple(
            name for name, info, shape in fields_of(self.model)
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


__all__ = ["GROWTH", "NOTES", "PROVENANCE", "REST", "VALUE", "Column", "Kind", "Shape", "Table", "column",
           "declared_columns", "fields_of", "ordered", "part_key", "rest_column", "rest_fields", "singular", "table",
           "tables"]
