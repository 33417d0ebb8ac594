"""What scenario tables say about themselves, from the declarations: each column's kind, whether it is
required, and its meaning (its unit is in the meaning, as the declaration states it).

The notes are a table of their own (``notes.csv``, the ``notes`` sheet) rather than a second header
row: every table keeps one header row, so any tool (a spreadsheet, pandas, a database import) reads
it as it is, and the readers need no rule for skipping rows. A workbook also carries each column's
meaning as a comment on its header cell.
"""

from __future__ import annotations

from collections.abc import Iterator

from footprint.scenario.formats.layout import REST, Column, Shape, column, fields_of, rest_column, rest_fields, table
from footprint.scenario.formats.tabular import Tabled, rest_pairs
from footprint.scenario.model.fields import ScenarioFields

NOTES_HEADER = ("table", "column", "kind", "required", "meaning")
_KINDS = {"text": "text", "number": "number", "integer": "whole number", "boolean": "true or false",
          "date": "date (YYYY-MM-DD)", "list": "names, comma-separated", "any": "see meaning"}

CONVENTIONS = (
    ("COLUMN.low, COLUMN.high", "number", "Beside any number column: the low and high ends of its plausible range."),
    ("COLUMN.source", "text", "Beside any number column: where the value comes from."),
    ("COLUMN.assumption", "text", "Beside any number column: the reasoning, when the value is an assumption."),
    ("COLUMN.YEAR (2026, ...)", "number", "A per-year series (capacity; in the demand, price and lost_sale_penalty "
     "tables just YEAR) may give a column per year instead of one value."),
    ("COLUMN.from, COLUMN.growth, COLUMN.from_year", "number",
     "A per-year series may instead grow: from (the value in the horizon's first year, or in from_year) "
     "times (1 + growth) for each year after."),
    ("content.COUNTRY", "number", "A capability's content shares by country of origin: a column per country."),
    ("{}", "text", "An empty mapping (a cell left empty is no value: the field takes its default)."),
)


def kind_text(info: Column) -> str:
    if info.choices:
        return "one of " + ", ".join(info.choices)
    if info.references:
        return f"a name in {info.references}"
    return _KINDS.get(info.kind or "any", "see meaning")


def rest_declared() -> list[str]:
    """The rest's fields by dotted name, nested objects spelt out (``horizon.start``); mappings (fx) are left
    out: their keys are the user's (``fx.KRW``)."""

    def names(shape: Shape, prefix: str) -> Iterator[str]:
        if shape.form == "model" and shape.model is not None:
            for name, _, inner in fields_of(shape.model):
                yield from names(inner, f"{prefix}.{name}")
        elif shape.form not in ("dict", "entries"):
            yield prefix

    shapes = {name: shape for name, _, shape in fields_of(ScenarioFields)}
    return [found for name in rest_fields() for found in names(shapes[name], name)]


def notes_rows(tabled: Tabled) -> list[tuple[str, ...]]:
    """The notes table: a header, the rest's fields, each table's columns, then the conventions."""
    rows: list[tuple[str, ...]] = [NOTES_HEADER]
    shapes = {name: shape for name, _, shape in fields_of(ScenarioFields)}
    for name in dict.fromkeys([*rest_declared(), *(key for key, _ in rest_pairs(tabled.rest))]):
        rows.append(_row(REST, name, rest_column(name)))
    for name in rest_fields():
        if shapes[name].form in ("dict", "entries"):
            rows.append(_row(REST, f"{name}.KEY", rest_column(name)))
    for name, columns in tabled.columns.items():
        for header in columns:
            rows.append(_row(name, header, column(table(name), header)))
    rows.extend(("(any)", name, kind, "", meaning) for name, kind, meaning in CONVENTIONS)
    return rows


def _row(where: str, name: str, info: Column) -> tuple[str, ...]:
    return (where, name, kind_text(info), "yes" if info.required else "", info.description)


__all__ = ["CONVENTIONS", "NOTES_HEADER", "kind_text", "notes_rows", "rest_declared"]
